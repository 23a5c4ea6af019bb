using System.Text.Json;
using Kvs.WebRtc.NetworkLab;

// Two RTCPeerConnections on 127.0.0.1 (in-process signaling, trickle ICE), one reliable ordered data channel, a
// stream of messages each way at once; prints one JSON result line and exits 0 when every message arrived exactly
// once, intact and in order. Meant to run inside a network namespace whose kernel drops packets at random.
LabOptions options;
try
{
    options = LabOptions.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException)
{
    await Console.Error.WriteLineAsync("usage: Kvs.WebRtc.NetworkLab [--count N] [--reverse-count N] [--max-size BYTES] [--seed S] [--timeout SECONDS] [--log LEVEL] [--impair-after-connect CMD] [--media-seconds N] [--media-bitrate BPS]\n" + ex.Message);
    return 2;
}

var result = await Lab.RunAsync(options);
Console.WriteLine(JsonSerializer.Serialize(result));
return result.Ok ? 0 : 1;
