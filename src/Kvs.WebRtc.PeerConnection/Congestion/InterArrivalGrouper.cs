namespace Kvs.WebRtc.PeerConnection.Congestion;

/// <summary>
/// Groups acknowledged packets into send-time bursts and yields the inter-group deltas (draft-ietf-rmcat-gcc-02 §5.2):
/// a packet sent within <see cref="BurstTimeUs"/> (5 ms) of its group's first packet joins the group; so does a
/// packet that arrived within 5 ms of the previous one with a negative propagation delta (the network released a
/// burst at once), as long as the group spans less than 100 ms of arrival time. When a group completes, the distance
/// between its last send and arrival times and those of the group before it is reported. Packets must be given in
/// send order; older ones are ignored. An arrival-time jump of more than 3 s, or arrival times going backwards three
/// groups in a row, restart the grouping (<see cref="ResetCount"/>).
/// </summary>
internal sealed class InterArrivalGrouper
{
    /// <summary>Send-time span of one group (5 ms).</summary>
    public const long BurstTimeUs = 5_000;

    /// <summary>Arrival-time jumps beyond this (in either direction) restart the grouping.</summary>
    public const long ArrivalJumpUs = 3_000_000;

    private const long MaxBurstDurationUs = 100_000;
    private const int ReorderedGroupsBeforeReset = 3;

    private Group _current;
    private Group _previous;
    private int _reorderedGroups;

    /// <summary>How many times the grouping restarted because arrival times jumped or ran backwards.</summary>
    public long ResetCount { get; private set; }

    /// <summary>
    /// Adds a packet; true when it closed a group and a delta between the two latest complete groups is available.
    /// </summary>
    /// <param name="sendTimeUs">Send time on the sender clock (µs).</param>
    /// <param name="arrivalTimeUs">Arrival time on the receiver clock (µs, unwrapped).</param>
    /// <param name="sendDeltaUs">Send-time distance of the two groups' last packets.</param>
    /// <param name="arrivalDeltaUs">Arrival-time distance of the two groups' last packets.</param>
    /// <param name="groupArrivalUs">Arrival time of the newer complete group.</param>
    public bool TryAdd(long sendTimeUs, long arrivalTimeUs, out long sendDeltaUs, out long arrivalDeltaUs, out long groupArrivalUs)
    {
        sendDeltaUs = 0;
        arrivalDeltaUs = 0;
        groupArrivalUs = 0;
        if (!_current.Valid)
        {
            _current = Group.Start(sendTimeUs, arrivalTimeUs);
            return false;
        }

        if (sendTimeUs < _current.FirstSendUs)
        {
            return false; // reordered in send time: belongs to a group already closed
        }

        if (BelongsToCurrent(sendTimeUs, arrivalTimeUs))
        {
            _current.LastSendUs = Math.Max(_current.LastSendUs, sendTimeUs);
            _current.LastArrivalUs = Math.Max(_current.LastArrivalUs, arrivalTimeUs);
            return false;
        }

        if (Math.Abs(arrivalTimeUs - _current.LastArrivalUs) > ArrivalJumpUs)
        {
            Restart(sendTimeUs, arrivalTimeUs);
            return false;
        }

        var produced = false;
        if (_previous.Valid)
        {
            sendDeltaUs = _current.LastSendUs - _previous.LastSendUs;
            arrivalDeltaUs = _current.LastArrivalUs - _previous.LastArrivalUs;
            groupArrivalUs = _current.LastArrivalUs;
            if (arrivalDeltaUs > ArrivalJumpUs)
            {
                Restart(sendTimeUs, arrivalTimeUs);
                return false;
            }

            if (arrivalDeltaUs < 0)
            {
                if (++_reorderedGroups >= ReorderedGroupsBeforeReset)
                {
                    Restart(sendTimeUs, arrivalTimeUs);
                    return false;
                }
            }
            else
            {
                _reorderedGroups = 0;
                produced = true;
            }
        }

        _previous = _current;
        _current = Group.Start(sendTimeUs, arrivalTimeUs);
        return produced;
    }

    /// <summary>Forgets the groups.</summary>
    public void Reset()
    {
        _current = default;
        _previous = default;
        _reorderedGroups = 0;
    }

    private void Restart(long sendTimeUs, long arrivalTimeUs)
    {
        ResetCount++;
        Reset();
        _current = Group.Start(sendTimeUs, arrivalTimeUs);
    }

    private bool BelongsToCurrent(long sendTimeUs, long arrivalTimeUs)
    {
        if (sendTimeUs - _current.FirstSendUs <= BurstTimeUs)
        {
            return true;
        }

        var arrivalDelta = arrivalTimeUs - _current.LastArrivalUs;
        var sendDelta = sendTimeUs - _current.LastSendUs;
        return arrivalDelta >= 0 && arrivalDelta - sendDelta < 0 && arrivalDelta <= BurstTimeUs && arrivalTimeUs - _current.FirstArrivalUs < MaxBurstDurationUs;
    }

    private struct Group
    {
        public bool Valid;
        public long FirstSendUs;
        public long LastSendUs;
        public long FirstArrivalUs;
        public long LastArrivalUs;

        public static Group Start(long sendTimeUs, long arrivalTimeUs) => new()
        {
            Valid = true,
            FirstSendUs = sendTimeUs,
            LastSendUs = sendTimeUs,
            FirstArrivalUs = arrivalTimeUs,
            LastArrivalUs = arrivalTimeUs,
        };
    }
}
