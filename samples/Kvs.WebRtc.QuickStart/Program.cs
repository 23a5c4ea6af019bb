// Quick start: a master and a viewer on one signaling channel of an embedded local KVS emulator.
// No AWS account needed: the emulator verifies SigV4 exactly like KVS, with its own key pair.
// Run: dotnet run --project samples/Kvs.WebRtc.QuickStart      (exits 0 when the exchange completed)
using Kvs.WebRtc;
using Kvs.WebRtc.Emulator;
using Kvs.WebRtc.Signaling;
using Kvs.WebRtc.Signaling.Auth;
using Microsoft.Extensions.Logging;

using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
var ct = timeout.Token;

// The emulator mints time-limited TURN credentials (coturn "use-auth-secret" style) for the URIs it is given.
await using var emulator = await KvsEmulator.StartAsync(
    new KvsEmulatorOptions { LoggerFactory = loggerFactory, TurnUris = { "turn:127.0.0.1:3478?transport=udp" }, TurnSharedSecret = "quick-start-turn-secret" }, ct);
Console.WriteLine($"emulator   {emulator.ServiceUrl} ({emulator.Region})");

// Against real KVS, drop ServiceUrl and Credentials: the regional endpoint and the AWS default chain are used.
var options = new KvsChannelOptions
{
    Channel = "quick-start",
    Region = emulator.Region,
    ServiceUrl = emulator.ServiceUrl,
    Credentials = new StaticCredentialsProvider(emulator.Credentials),
    LoggerFactory = loggerFactory,
};

await using var master = await KvsChannel.ConnectAsMasterAsync(options, ct);
await using var viewer = await KvsChannel.ConnectAsViewerAsync(options, "viewer-1", ct);
Console.WriteLine($"channel    {master.Endpoints.ChannelArn}");
Console.WriteLine($"master     {master.Endpoints.WssEndpoint}");
Console.WriteLine($"viewer     {viewer.Endpoints.WssEndpoint}");
foreach (var server in await viewer.IceServers.GetIceServersAsync(ct))
{
    Console.WriteLine($"ice server {server}");
}

// Master: answer every offer and trickle one candidate back to its sender.
using var answering = master.Signaling.Offers.Subscribe(offer =>
{
    Console.WriteLine($"master  <- SDP_OFFER from {offer.SenderClientId} ({offer.SessionDescription!.Sdp.Length} chars)");
    _ = Task.Run(async () =>
    {
        await master.Signaling.SendAnswerAsync(SessionDescriptionPayload.Answer(SampleSdp("answer")), offer.SenderClientId, cancellationToken: ct);
        await master.Signaling.SendIceCandidateAsync(new IceCandidatePayload("candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host", "0", 0), offer.SenderClientId, cancellationToken: ct);
        Console.WriteLine($"master  -> SDP_ANSWER, ICE_CANDIDATE to {offer.SenderClientId}");
    }, ct);
});
var masterGotCandidate = new TaskCompletionSource<SignalingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
using var masterCandidates = master.Signaling.IceCandidates.Subscribe(c => masterGotCandidate.TrySetResult(c));

// Viewer: offer, trickle a candidate, then wait for the master's answer and candidate.
var answer = new TaskCompletionSource<SignalingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
var viewerGotCandidate = new TaskCompletionSource<SignalingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
using var answers = viewer.Signaling.Answers.Subscribe(a => answer.TrySetResult(a));
using var viewerCandidates = viewer.Signaling.IceCandidates.Subscribe(c => viewerGotCandidate.TrySetResult(c));

await viewer.Signaling.SendOfferAsync(SessionDescriptionPayload.Offer(SampleSdp("offer")), cancellationToken: ct);
await viewer.Signaling.SendIceCandidateAsync(new IceCandidatePayload("candidate:1 1 udp 2122260223 127.0.0.1 50001 typ host", "0", 0), cancellationToken: ct);
Console.WriteLine("viewer  -> SDP_OFFER, ICE_CANDIDATE to the master");

try
{
    var gotAnswer = await answer.Task.WaitAsync(ct);
    Console.WriteLine($"viewer  <- SDP_ANSWER ({gotAnswer.SessionDescription!.Sdp.Length} chars)");
    var gotCandidate = await viewerGotCandidate.Task.WaitAsync(ct);
    Console.WriteLine($"viewer  <- ICE_CANDIDATE {gotCandidate.IceCandidate!.Candidate}");
    var fromViewer = await masterGotCandidate.Task.WaitAsync(ct);
    Console.WriteLine($"master  <- ICE_CANDIDATE from {fromViewer.SenderClientId}: {fromViewer.IceCandidate!.Candidate}");
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("The exchange did not complete within 30 s.");
    return 1;
}

Console.WriteLine("done: offer, answer and candidates passed through the emulator");
return 0;

static string SampleSdp(string type) =>
    "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n" +
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n" +
    $"a=setup:{(type == "offer" ? "actpass" : "active")}\r\na=sctp-port:5000\r\n";
