using System.Buffers.Binary;
using System.Numerics;

namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>
/// The packets a local track sent recently, kept for retransmission (RFC 4585 generic NACK, RFC 4588 RTX). One history
/// per track, shared by every connection the track is bound to (they share its sequence-number space); each
/// connection rewrites and encrypts its copy at resend.
/// </summary>
/// <remarks>
/// <para>Sized in time, not by a bitrate guess: a packet is kept for <see cref="MaxAge"/> = max(<c>minimumAge</c>,
/// 3 × the largest recent round-trip time reported with <see cref="ObserveRoundTripTime"/>). The storage is a ring
/// indexed by sequence number that starts small and doubles (up to <c>maxPackets</c>) only when a packet would
/// overwrite one still younger than <see cref="MaxAge"/>; slot buffers are reused, so steady state allocates
/// nothing per packet.</para>
/// <para>Sans-IO: time is an argument. Thread-safe: one writer (the track) and any number of readers (connections
/// answering NACKs) behind one short lock.</para>
/// </remarks>
internal sealed class RtpPacketHistory
{
    private const int InitialCapacity = 256;
    private static readonly TimeSpan s_rttMemory = TimeSpan.FromSeconds(10);

    private readonly object _gate = new();
    private readonly TimeSpan _minimumAge;
    private readonly int _maxPackets;
    private Slot[] _slots = [];
    private TimeSpan _rttAge;
    private TimeSpan _rttAgeSetAt;
    private long _storedBytes;

    /// <summary>Creates a history keeping packets at least <paramref name="minimumAge"/>, at most <paramref name="maxPackets"/> of them.</summary>
    public RtpPacketHistory(TimeSpan minimumAge, int maxPackets = 8192)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(minimumAge, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPackets, 16);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxPackets, 65536);
        _minimumAge = minimumAge;
        _maxPackets = (int)BitOperations.RoundUpToPowerOf2((uint)maxPackets);
    }

    /// <summary>How long a packet is kept: max(minimum age, 3 × recent RTT).</summary>
    public TimeSpan MaxAge
    {
        get
        {
            lock (_gate)
            {
                return _rttAge > _minimumAge ? _rttAge : _minimumAge;
            }
        }
    }

    /// <summary>Slots of the ring (grows by doubling, bounded).</summary>
    public int Capacity
    {
        get
        {
            lock (_gate)
            {
                return _slots.Length;
            }
        }
    }

    /// <summary>Bytes held by the slot buffers.</summary>
    public long StoredBytes
    {
        get
        {
            lock (_gate)
            {
                return _storedBytes;
            }
        }
    }

    /// <summary>Stores a copy of <paramref name="packet"/> (a whole RTP packet; its sequence number is read from it).</summary>
    /// <param name="packet">The packet.</param>
    /// <param name="now">The track's clock.</param>
    /// <param name="isKeyFrame">Whether it belongs to a key frame (its resend may use the key-frame budget).</param>
    public void Add(ReadOnlySpan<byte> packet, TimeSpan now, bool isKeyFrame = false)
    {
        if (packet.Length < RtpFixedHeader.Length)
        {
            return;
        }

        var sequence = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        lock (_gate)
        {
            if (_slots.Length == 0)
            {
                _slots = new Slot[Math.Min(InitialCapacity, _maxPackets)];
            }

            var maxAge = _rttAge > _minimumAge ? _rttAge : _minimumAge;
            ref var slot = ref _slots[sequence & (_slots.Length - 1)];
            while (slot.Used && slot.Sequence != sequence && now - slot.Time <= maxAge && _slots.Length < _maxPackets)
            {
                Grow();
                slot = ref _slots[sequence & (_slots.Length - 1)];
            }

            if (slot.Buffer is null || slot.Buffer.Length < packet.Length)
            {
                _storedBytes += packet.Length - (slot.Buffer?.Length ?? 0);
                slot.Buffer = new byte[packet.Length];
            }

            packet.CopyTo(slot.Buffer);
            slot.Length = packet.Length;
            slot.Sequence = sequence;
            slot.Time = now;
            slot.IsKeyFrame = isKeyFrame;
            slot.Used = true;
        }
    }

    /// <summary>
    /// Copies the packet with <paramref name="sequence"/> into <paramref name="destination"/> when it is stored and not
    /// older than <see cref="MaxAge"/>.
    /// </summary>
    /// <returns>The packet's length, 0 when not found or expired, −1 when <paramref name="destination"/> is too small.</returns>
    public int TryCopy(ushort sequence, TimeSpan now, Span<byte> destination) => TryCopy(sequence, now, destination, out _);

    /// <summary>As <see cref="TryCopy(ushort, TimeSpan, Span{byte})"/>, also telling whether the packet belongs to a key frame.</summary>
    /// <param name="sequence">The sequence number.</param>
    /// <param name="now">The track's clock.</param>
    /// <param name="destination">Where the packet is copied.</param>
    /// <param name="isKeyFrame">Whether the packet belongs to a key frame.</param>
    /// <returns>The packet's length, 0 when not found or expired, −1 when <paramref name="destination"/> is too small.</returns>
    public int TryCopy(ushort sequence, TimeSpan now, Span<byte> destination, out bool isKeyFrame)
    {
        isKeyFrame = false;
        lock (_gate)
        {
            if (_slots.Length == 0)
            {
                return 0;
            }

            ref var slot = ref _slots[sequence & (_slots.Length - 1)];
            var maxAge = _rttAge > _minimumAge ? _rttAge : _minimumAge;
            if (!slot.Used || slot.Sequence != sequence || now - slot.Time > maxAge)
            {
                return 0;
            }

            if (destination.Length < slot.Length)
            {
                return -1;
            }

            slot.Buffer.AsSpan(0, slot.Length).CopyTo(destination);
            isKeyFrame = slot.IsKeyFrame;
            return slot.Length;
        }
    }

    /// <summary>
    /// A connection measured <paramref name="roundTripTime"/>: the history keeps 3 × the largest RTT reported within
    /// the last 10 s (a smaller one lowers it only after that).
    /// </summary>
    public void ObserveRoundTripTime(TimeSpan roundTripTime, TimeSpan now)
    {
        if (roundTripTime <= TimeSpan.Zero || roundTripTime > TimeSpan.FromSeconds(10))
        {
            return;
        }

        var age = roundTripTime * 3;
        lock (_gate)
        {
            if (age >= _rttAge || now - _rttAgeSetAt > s_rttMemory)
            {
                _rttAge = age;
                _rttAgeSetAt = now;
            }
        }
    }

    private void Grow()
    {
        var old = _slots;
        var grown = new Slot[old.Length * 2];
        foreach (var slot in old)
        {
            if (slot.Buffer is null)
            {
                continue;
            }

            ref var target = ref grown[slot.Sequence & (grown.Length - 1)];
            if (target.Buffer is null)
            {
                target = slot;
            }
            else
            {
                _storedBytes -= slot.Buffer.Length; // cannot happen for distinct sequence numbers within one ring; kept as a bound
            }
        }

        _slots = grown;
    }

    private struct Slot
    {
        public bool Used;
        public bool IsKeyFrame;
        public ushort Sequence;
        public TimeSpan Time;
        public byte[]? Buffer;
        public int Length;
    }
}
