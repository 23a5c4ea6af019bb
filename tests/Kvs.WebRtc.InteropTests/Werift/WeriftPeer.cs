using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Kvs.WebRtc.InteropTests.Support;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.Testing;
using NUnit.Framework;

namespace Kvs.WebRtc.InteropTests.Werift;

/// <summary>
/// A werift <c>RTCPeerConnection</c> in a Node process (<c>werift-pc-peer.js</c>), wired to one of ours: SDP and
/// trickled candidates travel over the script's stdin/stdout as JSON lines. Candidates are forwarded automatically
/// once the receiving side has a remote description; every other event is kept for <see cref="WaitForAsync"/>.
/// </summary>
internal sealed class WeriftPeer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly RTCPeerConnection _ours;
    private readonly SemaphoreSlim _stdin = new(1, 1);
    private readonly JsonEventLog _events = new("werift", 200);
    private readonly Channel<JsonObject> _candidatesForUs = Channel.CreateUnbounded<JsonObject>();
    private readonly Channel<RTCIceCandidateInit?> _candidatesForWerift = Channel.CreateUnbounded<RTCIceCandidateInit?>();
    private readonly TaskCompletionSource _weHaveRemote = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _weriftHasRemote = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();

    private WeriftPeer(Process process, RTCPeerConnection ours)
    {
        _process = process;
        _ours = ours;
        _ours.IceCandidate += (_, e) => _candidatesForWerift.Writer.TryWrite(e.Candidate);
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => _events.AddStderr(e.Data);
        _ = Task.Run(ForwardToUsAsync);
        _ = Task.Run(ForwardToWeriftAsync);
    }

    private static string ScriptPath => Path.Combine(RepositoryPaths.Root, "tests", "Kvs.WebRtc.InteropTests", "Werift", "werift-pc-peer.js");

    /// <summary>Starts the werift peer for <paramref name="ours"/>; skips outside CI (fails in CI) without node or werift.</summary>
    public static async Task<WeriftPeer> StartAsync(RTCPeerConnection ours, CancellationToken ct)
    {
        var node = NodeScript.RequireWerift();
        var psi = new ProcessStartInfo(node)
        {
            WorkingDirectory = NodeScript.ScriptDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(ScriptPath);
        var process = new Process { StartInfo = psi };
        var peer = new WeriftPeer(process, ours);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await peer.WaitForAsync("ready", ct);
        return peer;
    }

    /// <summary>werift offers (after the channels it was told to create); we answer.</summary>
    public async Task WeriftOffersAsync(CancellationToken ct)
    {
        await SendAsync(new { cmd = "offer" });
        var offer = await WaitForAsync("sdp", ct);
        await _ours.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Offer, (string)offer["sdp"]!), ct);
        _weHaveRemote.TrySetResult();
        var answer = await _ours.CreateAnswerAsync(ct);
        await _ours.SetLocalDescriptionAsync(answer, ct);
        await SendAsync(new { cmd = "sdp", type = "answer", sdp = answer.Sdp });
        _weriftHasRemote.TrySetResult();
    }

    /// <summary>We offer; werift answers.</summary>
    public async Task WeOfferAsync(CancellationToken ct)
    {
        var offer = await _ours.CreateOfferAsync(ct);
        await _ours.SetLocalDescriptionAsync(offer, ct);
        await SendAsync(new { cmd = "sdp", type = "offer", sdp = offer.Sdp });
        _weriftHasRemote.TrySetResult();
        var answer = await WaitForAsync("sdp", ct);
        Assert.That((string?)answer["type"], Is.EqualTo("answer"));
        await _ours.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Answer, (string)answer["sdp"]!), ct);
        _weHaveRemote.TrySetResult();
    }

    /// <summary>Tells werift to create a data channel (in-band unless <paramref name="negotiatedId"/> is given).</summary>
    public Task CreateChannelAsync(string label, ushort? negotiatedId = null, bool ordered = true) =>
        negotiatedId is { } id
            ? SendAsync(new { cmd = "channel", label, negotiated = true, id = (int)id, ordered })
            : SendAsync(new { cmd = "channel", label, ordered });

    public Task SendTextAsync(string label, string text) => SendAsync(new { cmd = "send", label, text });

    public Task SendBinaryAsync(string label, byte[] data) => SendAsync(new { cmd = "send", label, base64 = Convert.ToBase64String(data) });

    /// <summary>werift sends <paramref name="count"/> bulk messages (see <see cref="BulkPayload"/>) with flow control.</summary>
    public Task SendManyAsync(string label, int count) => SendAsync(new { cmd = "sendMany", label, count });

    public async Task SetEchoAsync(string label, bool on, CancellationToken ct)
    {
        await SendAsync(new { cmd = "echo", label, on });
        await WaitForAsync("echo", ct, e => (string?)e["label"] == label);
    }

    public Task CloseChannelAsync(string label) => SendAsync(new { cmd = "closeChannel", label });

    /// <summary>werift closes its whole peer connection (the script stays up until disposed).</summary>
    public Task ClosePeerConnectionAsync() => SendAsync(new { cmd = "closePc" });

    /// <summary>The payload werift's <c>sendMany</c> sends as message <paramref name="index"/> (same formula as the script).</summary>
    public static byte[] BulkPayload(int index)
    {
        var buffer = new byte[8 + (index * 37 % 1000)];
        BitConverter.TryWriteBytes(buffer, index);
        for (var j = 4; j < buffer.Length; j++)
        {
            buffer[j] = (byte)(index ^ j);
        }

        return buffer;
    }

    /// <summary>A message event's payload: text, or the bytes of a binary message.</summary>
    public static (string? Text, byte[]? Binary) Payload(JsonObject message) => JsonEventLog.Payload(message);

    /// <summary>Waits (bounded by <paramref name="ct"/>) for the first not yet taken event named <paramref name="name"/> matching <paramref name="match"/>, and takes it.</summary>
    public Task<JsonObject> WaitForAsync(string name, CancellationToken ct, Func<JsonObject, bool>? match = null) =>
        _events.WaitForAsync(name, ct, match);

    /// <summary>Takes up to <paramref name="count"/> message events on <paramref name="label"/>, in arrival order.</summary>
    public Task<List<JsonObject>> TakeMessagesAsync(string label, int count, CancellationToken ct) =>
        _events.TakeMessagesAsync(label, count, ct);

    /// <summary>Recent events and stderr, for assertion messages.</summary>
    public string Describe() => _events.Describe();

    /// <summary>Errors werift reported so far.</summary>
    public IReadOnlyList<string> Errors => _events.Where(e => (string?)e["event"] == "error");

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            if (!_process.HasExited)
            {
                try
                {
                    await SendAsync(new { cmd = "close" });
                }
                catch (Exception ex) when (ex is IOException or InvalidOperationException)
                {
                    // Already gone.
                }

                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                try
                {
                    await _process.WaitForExitAsync(wait.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                }
            }
        }
        finally
        {
            _process.Dispose();
            _stop.Dispose();
            _stdin.Dispose();
        }
    }

    private async Task SendAsync(object command)
    {
        var line = JsonSerializer.Serialize(command);
        await _stdin.WaitAsync();
        try
        {
            await _process.StandardInput.WriteLineAsync(line);
            await _process.StandardInput.FlushAsync();
        }
        finally
        {
            _stdin.Release();
        }
    }

    private void OnLine(string? line)
    {
        if (JsonEventLog.Parse(line) is not { } evt)
        {
            return;
        }

        if ((string?)evt["event"] == "candidate")
        {
            _candidatesForUs.Writer.TryWrite(evt);
            return;
        }

        _events.Add(evt);
    }

    private async Task ForwardToUsAsync()
    {
        try
        {
            await _weHaveRemote.Task.WaitAsync(_stop.Token);
            await foreach (var evt in _candidatesForUs.Reader.ReadAllAsync(_stop.Token))
            {
                var candidate = (string?)evt["candidate"] ?? string.Empty;
                var init = new RTCIceCandidateInit(candidate, (string?)evt["sdpMid"], (int?)evt["sdpMLineIndex"]);
                try
                {
                    await _ours.AddIceCandidateAsync(init, _stop.Token);
                }
                catch (WebRtcException ex)
                {
                    Record("addIceCandidate", $"{candidate}: {ex.Message}");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }

    private async Task ForwardToWeriftAsync()
    {
        try
        {
            await _weriftHasRemote.Task.WaitAsync(_stop.Token);
            await foreach (var candidate in _candidatesForWerift.Reader.ReadAllAsync(_stop.Token))
            {
                if (candidate is null || candidate.IsEndOfCandidates)
                {
                    continue;
                }

                // werift wants the attribute without "a=".
                var text = candidate.Candidate.StartsWith("a=", StringComparison.Ordinal) ? candidate.Candidate[2..] : candidate.Candidate;
                await SendAsync(new { cmd = "candidate", candidate = text, sdpMid = candidate.SdpMid ?? "0", sdpMLineIndex = candidate.SdpMLineIndex ?? 0 });
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException or ObjectDisposedException)
        {
            // Disposed or the process is gone.
        }
    }

    private void Record(string where, string message)
    {
        _events.Add(new JsonObject { ["event"] = "local-error", ["where"] = where, ["message"] = message });
    }
}
