// Console master: streams video and audio from files, a frame directory or stdin to every viewer of a KVS signaling
// channel, looping, and prints live stats. See MasterArguments.Usage, or run with --help.
using System.Runtime.InteropServices;
using Kvs.WebRtc.Samples.Master;

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});

return await MasterApp.RunAsync(args, Console.OpenStandardInput(), Console.Out, Console.Error, stop.Token);
