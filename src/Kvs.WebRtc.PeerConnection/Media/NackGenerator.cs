using Kvs.WebRtc.PeerConnection.Rtp;

namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>
/// The receiver half of loss recovery for one remote stream (RFC 4585 generic NACK): watches the sequence numbers
/// that arrive, remembers the gaps, and tells when to ask for which missing packets: first after a short reorder
/// grace, then again every retry interval (about an RTT), each packet a bounded number of times and only until it
/// is too old to be useful. A packet given up on, or a gap too large to repair, asks for a key frame instead, so the
/// stream never waits on a packet that will not come.
/// </summary>
/// <remarks>
/// <para>Sans-IO: <see cref="OnPacket"/> and <see cref="Poll"/> take the time; the owner sends the NACK (the lost
/// sequence numbers come out ascending, ready for <c>RtcpGenericNack.Write</c>) and arms a timer for
/// <see cref="NextTimeout"/>. Bounded: at most <see cref="NackGeneratorOptions.MaxMissing"/> packets are tracked (a ring
/// sorted by extended sequence number); nothing is allocated after construction.</para>
/// <para>Thread-safe (one lock): packets arrive on the receive path, polls may come from a timer.</para>
/// </remarks>
internal sealed class NackGenerator
{
    private readonly object _gate = new();
    private readonly NackGeneratorOptions _options;
    private readonly Entry[] _ring;
    private int _head;
    private int _count;
    private RtpSequenceUnwrapper _unwrapper;
    private long _highest = -1;
    private long _floor = -1;
    private TimeSpan? _roundTripTime;
    private TimeSpan? _nextDue;
    private bool _keyFrameNeeded;
    private long _nacksSent;
    private long _packetsRequested;
    private long _packetsRecovered;
    private long _packetsGivenUp;

    /// <summary>Creates a generator; null options take the defaults.</summary>
    public NackGenerator(NackGeneratorOptions? options = null)
    {
        _options = options ?? new NackGeneratorOptions();
        _options.Validate();
        _ring = new Entry[_options.MaxMissing];
    }

    /// <summary>NACK packets produced (W3C inbound-rtp <c>nackCount</c>).</summary>
    public long NacksSent => Interlocked.Read(ref _nacksSent);

    /// <summary>Sequence numbers asked for (each retry counted).</summary>
    public long PacketsRequested => Interlocked.Read(ref _packetsRequested);

    /// <summary>Missing packets that arrived later (retransmitted or reordered).</summary>
    public long PacketsRecovered => Interlocked.Read(ref _packetsRecovered);

    /// <summary>Missing packets given up on (too old, too many retries, or dropped from a full list).</summary>
    public long PacketsGivenUp => Interlocked.Read(ref _packetsGivenUp);

    /// <summary>Packets missing now.</summary>
    public int MissingCount
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    /// <summary>When <see cref="Poll"/> next has something to do, or null when nothing is missing.</summary>
    public TimeSpan? NextTimeout
    {
        get
        {
            lock (_gate)
            {
                return _nextDue;
            }
        }
    }

    /// <summary>The retry interval in use: the RTT (when known) within the configured bounds, else the default.</summary>
    public TimeSpan RetryInterval
    {
        get
        {
            lock (_gate)
            {
                return RetryIntervalLocked();
            }
        }
    }

    /// <summary>Sets the round-trip time the retry interval follows.</summary>
    public void SetRoundTripTime(TimeSpan roundTripTime)
    {
        lock (_gate)
        {
            _roundTripTime = roundTripTime > TimeSpan.Zero ? roundTripTime : null;
        }
    }

    /// <summary>A packet of the stream arrived (an original or an unwrapped retransmission).</summary>
    public void OnPacket(ushort sequenceNumber, TimeSpan now)
    {
        lock (_gate)
        {
            var extended = _unwrapper.Unwrap(sequenceNumber);
            if (_highest < 0)
            {
                _highest = extended;
                return;
            }

            if (extended <= _highest)
            {
                if (Remove(extended))
                {
                    _packetsRecovered++;
                }

                return;
            }

            var gap = extended - _highest - 1;
            _highest = extended;
            if (gap == 0)
            {
                return;
            }

            if (gap > _options.MaxMissing)
            {
                // Too much to repair packet by packet: forget it and ask for a key frame.
                _packetsGivenUp += _count + gap;
                _count = 0;
                _head = 0;
                _keyFrameNeeded = true;
                _nextDue = now;
                return;
            }

            for (var missing = Math.Max(extended - gap, _floor); missing < extended; missing++)
            {
                if (_count == _ring.Length)
                {
                    _head = (_head + 1) % _ring.Length;
                    _count--;
                    _packetsGivenUp++;
                    _keyFrameNeeded = true;
                }

                _ring[(_head + _count) % _ring.Length] = new Entry { Sequence = missing, Detected = now, LastSent = TimeSpan.MinValue, Retries = 0 };
                _count++;
            }

            var due = now + _options.ReorderGrace;
            if (_keyFrameNeeded)
            {
                due = now;
            }

            if (_nextDue is not { } next || due < next)
            {
                _nextDue = due;
            }
        }
    }

    /// <summary>
    /// Forgets the packets missing now (counted as given up, without asking for a key frame): the frames they belong to
    /// will not be used (e.g. video waits for a key frame).
    /// </summary>
    public void DiscardMissing()
    {
        lock (_gate)
        {
            _packetsGivenUp += _count;
            _count = 0;
            _head = 0;
            if (!_keyFrameNeeded)
            {
                _nextDue = null;
            }
        }
    }

    /// <summary>
    /// Forgets the packets missing before <paramref name="sequenceNumber"/> (counted as given up, no key-frame request) and
    /// never asks for them later: the frames they belong to will not be used.
    /// </summary>
    public void DiscardMissingBefore(ushort sequenceNumber)
    {
        lock (_gate)
        {
            if (_highest < 0)
            {
                return;
            }

            var floor = _highest + (short)(ushort)(sequenceNumber - (ushort)_highest);
            if (floor > _floor)
            {
                _floor = floor;
            }

            var kept = 0;
            for (var i = 0; i < _count; i++)
            {
                var entry = _ring[(_head + i) % _ring.Length];
                if (entry.Sequence < _floor)
                {
                    _packetsGivenUp++;
                    continue;
                }

                _ring[(_head + kept) % _ring.Length] = entry;
                kept++;
            }

            _count = kept;
            if (_count == 0)
            {
                _head = 0;
                if (!_keyFrameNeeded)
                {
                    _nextDue = null;
                }
            }
        }
    }

    /// <summary>
    /// Collects the sequence numbers to NACK now (ascending, at most <paramref name="lost"/>.Length; call again while it
    /// fills the span), drops the packets that are too old or asked for too often, and tells whether a key frame is
    /// needed because something was given up.
    /// </summary>
    /// <returns>How many sequence numbers were written to <paramref name="lost"/>.</returns>
    public int Poll(TimeSpan now, Span<ushort> lost, out bool keyFrameNeeded)
    {
        lock (_gate)
        {
            var written = 0;
            var retry = RetryIntervalLocked();
            TimeSpan? nextDue = null;
            var kept = 0;
            for (var i = 0; i < _count; i++)
            {
                var entry = _ring[(_head + i) % _ring.Length];
                if (now - entry.Detected >= _options.MaxAge || (entry.Retries >= _options.MaxRetries && now - entry.LastSent >= retry))
                {
                    _packetsGivenUp++;
                    _keyFrameNeeded = true;
                    continue;
                }

                var due = entry.Retries == 0 ? entry.Detected + _options.ReorderGrace : entry.LastSent + retry;
                if (due <= now && entry.Retries < _options.MaxRetries && written < lost.Length)
                {
                    lost[written++] = (ushort)entry.Sequence;
                    entry.Retries++;
                    entry.LastSent = now;
                    due = now + retry;
                }

                // A packet with all its retries spent stays listed (so a late copy still counts) until one more interval passed.
                // Expired at exactly MaxAge (>=): an expiry due "now" that did not expire would be polled again at the same instant forever.
                var expiry = entry.Detected + _options.MaxAge;
                if (due > expiry)
                {
                    due = expiry;
                }

                if (nextDue is not { } n || due < n)
                {
                    nextDue = due;
                }

                _ring[(_head + kept) % _ring.Length] = entry;
                kept++;
            }

            _count = kept;
            if (_count == 0)
            {
                _head = 0;
            }

            if (written > 0)
            {
                _nacksSent++;
                _packetsRequested += written;
            }

            keyFrameNeeded = _keyFrameNeeded;
            _keyFrameNeeded = false;
            _nextDue = nextDue;
            return written;
        }
    }

    private TimeSpan RetryIntervalLocked()
    {
        if (_roundTripTime is not { } rtt)
        {
            return _options.DefaultRetryInterval;
        }

        var interval = rtt + _options.ReorderGrace;
        return interval < _options.MinRetryInterval ? _options.MinRetryInterval
            : interval > _options.MaxRetryInterval ? _options.MaxRetryInterval : interval;
    }

    // The ring is ascending by extended sequence number: binary search, then close the hole.
    private bool Remove(long extended)
    {
        var low = 0;
        var high = _count - 1;
        while (low <= high)
        {
            var mid = (low + high) >> 1;
            var value = _ring[(_head + mid) % _ring.Length].Sequence;
            if (value == extended)
            {
                for (var i = mid; i < _count - 1; i++)
                {
                    _ring[(_head + i) % _ring.Length] = _ring[(_head + i + 1) % _ring.Length];
                }

                _count--;
                if (_count == 0)
                {
                    _head = 0;
                    _nextDue = _keyFrameNeeded ? _nextDue : null;
                }

                return true;
            }

            if (value < extended)
            {
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        return false;
    }

    private struct Entry
    {
        public long Sequence;
        public TimeSpan Detected;
        public TimeSpan LastSent;
        public int Retries;
    }
}
