// Console viewer: connects to the master of a KVS signaling channel, records what it receives to files ffmpeg plays,
// prints time to first frame, fps and bitrate, and chats over the data channel. Run with --help.
using System.Runtime.InteropServices;
using Kvs.WebRtc.Samples.Viewer;

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

return await ViewerApp.RunAsync(args, Console.OpenStandardInput(), Console.Out, Console.Error, stop.Token);
