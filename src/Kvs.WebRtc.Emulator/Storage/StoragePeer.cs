using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.Signaling;
using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.Emulator.Storage;

/// <summary>
/// One peer connection of the emulated storage session to one participant (the master, or a viewer that joined the
/// session): the session is always the offerer. It sends its offer and candidates through <c>send</c> (message type,
/// payload), applies the participant's answer once, and holds the participant's early candidates until then (bounded).
/// </summary>
/// <remarks>Thread-safe: one gate serialises the answer and candidates.</remarks>
internal sealed partial class StoragePeer : IAsyncDisposable
{
    private const int MaxPendingCandidates = 100;

    private readonly RTCPeerConnection _connection;
    private readonly Action<string, string> _send;
    private readonly string _participant;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<RTCIceCandidateInit> _pendingCandidates = [];
    private bool _remoteSet;
    private int _disposed;

    private StoragePeer(RTCPeerConnection connection, Action<string, string> send, string participant, ILogger logger)
    {
        _connection = connection;
        _send = send;
        _participant = participant;
        _logger = logger;
        connection.IceCandidate += (_, e) => OnLocalCandidate(e.Candidate);
    }

    /// <summary>The peer connection.</summary>
    public RTCPeerConnection Connection => _connection;

    /// <summary>
    /// Creates the connection, lets <paramref name="configure"/> add its transceivers, and sends the offer.
    /// </summary>
    /// <param name="configuration">ICE settings (loopback host candidates in the emulator).</param>
    /// <param name="loggerFactory">Logging.</param>
    /// <param name="participant">Who the peer talks to, for log lines ("master", "viewer v1").</param>
    /// <param name="send">Sends one signaling message (type, base64 payload) to the participant.</param>
    /// <param name="configure">Adds transceivers and handlers before the offer is made.</param>
    public static async Task<StoragePeer> OfferAsync(
        RTCConfiguration configuration, ILoggerFactory loggerFactory, string participant, Action<string, string> send, Action<RTCPeerConnection> configure)
    {
        var connection = new RTCPeerConnection(configuration, new RTCPeerConnectionOptions { LoggerFactory = loggerFactory });
        try
        {
            var peer = new StoragePeer(connection, send, participant, loggerFactory.CreateLogger<StoragePeer>());
            configure(connection);
            var offer = await connection.CreateOfferAsync().ConfigureAwait(false);
            await connection.SetLocalDescriptionAsync(offer).ConfigureAwait(false);
            send(SignalingWireNames.SdpOffer, SignalingPayloadCodec.EncodeSdp(SessionDescriptionPayload.Offer(offer.Sdp)));
            return peer;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A message from the participant: its answer (applied once) or an ICE candidate. Bad input is logged and dropped.</summary>
    public async Task OnMessageAsync(string messageType, string payload)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (Volatile.Read(ref _disposed) != 0)
            {
                return;
            }

            if (messageType == SignalingWireNames.SdpAnswer)
            {
                if (_remoteSet)
                {
                    Log.MessageDropped(_logger, _participant, messageType, "an answer was already applied");
                    return;
                }

                if (SignalingPayloadCodec.TryDecodeSdp(payload, SessionDescriptionPayload.AnswerType, out var answer, out var error) != ServiceFrameStatus.Message
                    || answer is null)
                {
                    Log.MessageDropped(_logger, _participant, messageType, error ?? "not an SDP answer");
                    return;
                }

                await _connection.SetRemoteDescriptionAsync(new RTCSessionDescription(RTCSdpType.Answer, answer.Sdp)).ConfigureAwait(false);
                _remoteSet = true;
                foreach (var candidate in _pendingCandidates)
                {
                    await AddCandidateAsync(candidate).ConfigureAwait(false);
                }

                _pendingCandidates.Clear();
            }
            else if (messageType == SignalingWireNames.IceCandidate)
            {
                if (SignalingPayloadCodec.TryDecodeIceCandidate(payload, out var decoded, out var error) != ServiceFrameStatus.Message || decoded is null)
                {
                    Log.MessageDropped(_logger, _participant, messageType, error ?? "not an ICE candidate");
                    return;
                }

                var candidate = new RTCIceCandidateInit(decoded.Candidate, decoded.SdpMid, decoded.SdpMLineIndex, decoded.UsernameFragment);
                if (_remoteSet)
                {
                    await AddCandidateAsync(candidate).ConfigureAwait(false);
                }
                else if (_pendingCandidates.Count < MaxPendingCandidates)
                {
                    _pendingCandidates.Add(candidate);
                }
                else
                {
                    Log.MessageDropped(_logger, _participant, messageType, $"more than {MaxPendingCandidates} candidates before the answer");
                }
            }
            else
            {
                Log.MessageDropped(_logger, _participant, messageType, "the storage session only takes answers and candidates");
            }
        }
        catch (WebRtcException ex)
        {
            Log.MessageDropped(_logger, _participant, messageType, ex.Message);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _connection.DisposeAsync().ConfigureAwait(false);
    }

    private async Task AddCandidateAsync(RTCIceCandidateInit candidate)
    {
        try
        {
            await _connection.AddIceCandidateAsync(candidate).ConfigureAwait(false);
        }
        catch (WebRtcException ex)
        {
            // One bad candidate does not end the session.
            Log.MessageDropped(_logger, _participant, SignalingWireNames.IceCandidate, ex.Message);
        }
    }

    private void OnLocalCandidate(RTCIceCandidateInit? candidate)
    {
        if (candidate is null || candidate.IsEndOfCandidates || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        var payload = new IceCandidatePayload(candidate.Candidate, candidate.SdpMid, candidate.SdpMLineIndex, candidate.UsernameFragment);
        _send(SignalingWireNames.IceCandidate, SignalingPayloadCodec.EncodeIceCandidate(payload));
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 8220, Level = LogLevel.Warning, Message = "Storage session peer of {Participant}: {MessageType} not applied: {Reason}")]
        public static partial void MessageDropped(ILogger logger, string participant, string messageType, string reason);
    }
}
