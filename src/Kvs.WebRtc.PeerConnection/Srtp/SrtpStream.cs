namespace Kvs.WebRtc.PeerConnection.Srtp;

/// <summary>Per-SSRC cryptographic state of one direction (RFC 3711 §3.2.1): ROC, highest sequence number, replay windows, SRTCP index.</summary>
internal sealed class SrtpStream
{
    /// <summary>Rollover counter.</summary>
    public uint Roc { get; set; }

    /// <summary>Highest sequence number seen with <see cref="Roc"/> (s_l).</summary>
    public ushort HighestSequence { get; set; }

    /// <summary>True once a packet was accepted or sent on this stream.</summary>
    public bool Started { get; set; }

    /// <summary>Replay window over the 48-bit SRTP packet index.</summary>
    public SrtpReplayWindow RtpReplay;

    /// <summary>Replay window over the 31-bit SRTCP index.</summary>
    public SrtpReplayWindow RtcpReplay;

    /// <summary>Next SRTCP index to send (31 bits, RFC 3711 §3.4).</summary>
    public uint NextRtcpIndex { get; set; }

    /// <summary>
    /// Estimates the ROC of a packet with sequence number <paramref name="sequence"/> (RFC 3711 §3.3.1 and Appendix A).
    /// </summary>
    public ulong EstimateIndex(ushort sequence, out uint roc)
    {
        roc = Roc;
        if (Started)
        {
            var sl = HighestSequence;
            if (sl < 32768)
            {
                if (sequence - sl > 32768 && roc > 0)
                {
                    roc--;
                }
            }
            else if (sl - 32768 > sequence)
            {
                roc++;
            }
        }

        return ((ulong)roc << 16) | sequence;
    }

    /// <summary>Updates ROC and s_l after a packet with the estimated <paramref name="roc"/> was authenticated or sent.</summary>
    public void Update(ushort sequence, uint roc)
    {
        if (!Started)
        {
            Started = true;
            Roc = roc;
            HighestSequence = sequence;
            return;
        }

        if (roc > Roc)
        {
            Roc = roc;
            HighestSequence = sequence;
        }
        else if (roc == Roc && sequence > HighestSequence)
        {
            HighestSequence = sequence;
        }
    }
}
