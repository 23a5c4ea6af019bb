using Microsoft.Extensions.Logging;

namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>
/// A track the application writes to, bound to any number of senders (one per peer connection): what is written is
/// packetized once and sent to every bound sender, each encrypting with its own SRTP context.
/// </summary>
/// <remarks>Writes are serialized per track; binding and unbinding may happen from any thread at any time.</remarks>
public abstract class LocalMediaTrack : MediaStreamTrack
{
    private static readonly TimeSpan s_keyFrameRequestInterval = TimeSpan.FromMilliseconds(500);
    private readonly object _bindingsGate = new();
    private RtpSenderBinding[] _bindings = [];
    private long _lastKeyFrameRequest = long.MinValue;
    private long _keyFrameRequests;
    private long _lastTargetBitrate;
    private RtpPacketHistory? _history;

    private protected LocalMediaTrack(RTCRtpCodec codec, string? id)
        : base(ArgumentNullOrCodec(codec).Kind, id)
    {
        Codec = codec;
    }

    /// <summary>
    /// A decoder needs a key frame: a viewer joined mid-stream, its connection just became ready, or it sent PLI/FIR.
    /// Requests from all bound senders are coalesced (at most one every 500 ms). Raised on the thread pool; a camera
    /// encoder should produce an IDR/key frame soon after.
    /// </summary>
    public event EventHandler? KeyFrameRequested;

    /// <summary>
    /// The estimate changed of what the slowest connection this track is sent on carries (<see cref="TargetBitrate"/>).
    /// Raised on the thread pool; a camera encoder (or a switch between pre-encoded renditions) follows it.
    /// </summary>
    public event EventHandler? TargetBitrateChanged;

    /// <summary>
    /// The lowest send-side bandwidth estimate (bits/s) among the connections this track is sent on, from their peers'
    /// transport-wide congestion feedback or REMB (<see cref="RTCPeerConnection.TargetBitrate"/>); null while none has
    /// one. The estimate covers everything the connection sends: leave room for audio and data.
    /// </summary>
    public long? TargetBitrate
    {
        get
        {
            long? lowest = null;
            foreach (var binding in Bindings)
            {
                if (binding.TargetBitrate is { } bps && (lowest is null || bps < lowest))
                {
                    lowest = bps;
                }
            }

            return lowest;
        }
    }

    /// <summary>The codec of what is written.</summary>
    public RTCRtpCodec Codec { get; }

    /// <summary>The largest RTP payload in bytes (default 1,200, which keeps SRTP packets under common path MTUs).</summary>
    public int MaxPayloadSize { get; init; } = 1200;

    /// <summary>Logging for handler failures; default none.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>Clock for the key-frame request rate limit; default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Video: how long sent packets are at least kept to answer NACKs (RFC 4585) from any viewer; the history follows
    /// 3 × the round-trip time when that is longer. One history per track, shared by all its senders. Default 1 s;
    /// <see cref="TimeSpan.Zero"/> keeps none (lost packets are then not repaired).
    /// </summary>
    public TimeSpan RetransmissionHistory { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How many senders the track is bound to now.</summary>
    public int SenderCount => Volatile.Read(ref _bindings).Length;

    /// <summary>How many times <see cref="KeyFrameRequested"/> was raised.</summary>
    public long KeyFrameRequests => Interlocked.Read(ref _keyFrameRequests);

    /// <summary>The bound senders (copy-on-write snapshot).</summary>
    private protected RtpSenderBinding[] Bindings => Volatile.Read(ref _bindings);

    /// <summary>The shared retransmission history (video with a positive <see cref="RetransmissionHistory"/>), else null.</summary>
    internal RtpPacketHistory? History
    {
        get
        {
            if (Kind != MediaStreamTrackKind.Video || RetransmissionHistory <= TimeSpan.Zero)
            {
                return null;
            }

            return Volatile.Read(ref _history) ?? CreateHistory();
        }
    }

    /// <summary>The history's time base: the track's clock.</summary>
    internal TimeSpan HistoryNow => TimeProvider.GetElapsedTime(0);

    internal void Bind(RtpSenderBinding binding)
    {
        lock (_bindingsGate)
        {
            _bindings = [.. _bindings, binding];
        }

        // A key frame written before SRTP is ready reaches nobody, and a file source that rewinds for it would then hold
        // back the next request until it has played past that point again: bound before SRTP, the connection asks when
        // SRTP becomes ready (RTCRtpSender.OnSrtpReady).
        if (Kind == MediaStreamTrackKind.Video && binding.IsSinkSrtpReady)
        {
            RequestKeyFrame();
        }
    }

    internal void Unbind(RtpSenderBinding binding)
    {
        lock (_bindingsGate)
        {
            _bindings = _bindings.Where(b => !ReferenceEquals(b, binding)).ToArray();
        }

        OnTargetBitrateChanged(); // the slowest viewer may have left
    }

    /// <summary>A connection's estimate changed (or a binding went): raises <see cref="TargetBitrateChanged"/> if the lowest one moved.</summary>
    internal void OnTargetBitrateChanged()
    {
        var now = TargetBitrate ?? 0;
        if (Interlocked.Exchange(ref _lastTargetBitrate, now) != now)
        {
            RaiseOnThreadPool(TargetBitrateChanged, nameof(TargetBitrateChanged));
        }
    }

    private void RaiseOnThreadPool(EventHandler? handlers, string name)
    {
        if (handlers is null)
        {
            return;
        }

        ThreadPool.UnsafeQueueUserWorkItem(static state =>
        {
            try
            {
                state.Handlers.Invoke(state.Track, EventArgs.Empty);
            }
#pragma warning disable CA1031 // A throwing handler must not take the thread pool down; it is logged.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                if (state.Track.Logger is { } logger)
                {
                    MediaLog.TrackHandlerFailed(logger, state.Name, ex);
                }
            }
        }, (Track: this, Handlers: handlers, Name: name), preferLocal: false);
    }

    /// <summary>
    /// Raises <see cref="KeyFrameRequested"/> unless one was raised within the last 500 ms; <paramref name="bypassRateLimit"/>
    /// raises it anyway (a receiver's first usable request, once per binding).
    /// </summary>
    internal void RequestKeyFrame(bool bypassRateLimit = false)
    {
        var now = TimeProvider.GetTimestamp();
        var last = Interlocked.Read(ref _lastKeyFrameRequest);
        if (!bypassRateLimit && last != long.MinValue && TimeProvider.GetElapsedTime(last, now) < s_keyFrameRequestInterval)
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _lastKeyFrameRequest, now, last) != last)
        {
            return;
        }

        Interlocked.Increment(ref _keyFrameRequests);
        if (KeyFrameRequested is null)
        {
            return;
        }

        RaiseOnThreadPool(KeyFrameRequested, nameof(KeyFrameRequested));
    }

    private RtpPacketHistory CreateHistory()
    {
        Interlocked.CompareExchange(ref _history, new RtpPacketHistory(RetransmissionHistory), null);
        return Volatile.Read(ref _history)!;
    }

    private static RTCRtpCodec ArgumentNullOrCodec(RTCRtpCodec codec)
    {
        ArgumentNullException.ThrowIfNull(codec);
        return codec;
    }
}
