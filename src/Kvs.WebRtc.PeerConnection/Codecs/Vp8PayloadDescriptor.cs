namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>
/// The VP8 payload descriptor of RFC 7741 §4.2, in front of every VP8 RTP payload.
/// </summary>
/// <remarks>
/// <code>
///       0 1 2 3 4 5 6 7
///      +-+-+-+-+-+-+-+-+
///      |X|R|N|S|R| PID | (REQUIRED)
///      +-+-+-+-+-+-+-+-+
/// X:   |I|L|T|K| RSV   | (OPTIONAL)
/// I:   |M| PictureID   | (OPTIONAL, 7 or 15 bits)
/// L:   |   TL0PICIDX   | (OPTIONAL)
/// T/K: |TID|Y| KEYIDX  | (OPTIONAL)
/// </code>
/// </remarks>
/// <param name="Length">Descriptor length in bytes.</param>
/// <param name="NonReference">N: the frame can be discarded without affecting others.</param>
/// <param name="StartOfPartition">S: the payload starts a VP8 partition.</param>
/// <param name="PartitionId">PID: the partition index (0 = first partition).</param>
/// <param name="PictureId">The picture id (7 or 15 bits), or -1 when absent.</param>
/// <param name="Tl0PicIdx">TL0PICIDX, or -1 when absent.</param>
/// <param name="TemporalLayerId">TID, or -1 when absent.</param>
/// <param name="KeyIndex">KEYIDX, or -1 when absent.</param>
internal readonly record struct Vp8PayloadDescriptor(
    int Length,
    bool NonReference,
    bool StartOfPartition,
    int PartitionId,
    int PictureId,
    int Tl0PicIdx,
    int TemporalLayerId,
    int KeyIndex)
{
    /// <summary>True on the first payload of a frame: S=1 and PID=0.</summary>
    public bool IsFrameStart => StartOfPartition && PartitionId == 0;

    /// <summary>Parses a descriptor; never reads past <paramref name="payload"/>.</summary>
    /// <returns>False when the payload is too short for the descriptor it announces.</returns>
    public static bool TryParse(ReadOnlySpan<byte> payload, out Vp8PayloadDescriptor descriptor)
    {
        descriptor = default;
        if (payload.Length < 1)
        {
            return false;
        }

        var first = payload[0];
        int pictureId = -1, tl0 = -1, tid = -1, keyIdx = -1;
        var position = 1;
        if ((first & 0x80) != 0)
        {
            if (payload.Length < 2)
            {
                return false;
            }

            var extension = payload[1];
            position = 2;
            if ((extension & 0x80) != 0)
            {
                if (payload.Length <= position)
                {
                    return false;
                }

                if ((payload[position] & 0x80) != 0)
                {
                    if (payload.Length <= position + 1)
                    {
                        return false;
                    }

                    pictureId = ((payload[position] & 0x7F) << 8) | payload[position + 1];
                    position += 2;
                }
                else
                {
                    pictureId = payload[position];
                    position++;
                }
            }

            if ((extension & 0x40) != 0)
            {
                if (payload.Length <= position)
                {
                    return false;
                }

                tl0 = payload[position++];
            }

            if ((extension & 0x30) != 0)
            {
                if (payload.Length <= position)
                {
                    return false;
                }

                var b = payload[position++];
                if ((extension & 0x20) != 0)
                {
                    tid = b >> 6;
                }

                if ((extension & 0x10) != 0)
                {
                    keyIdx = b & 0x1F;
                }
            }
        }

        descriptor = new Vp8PayloadDescriptor(position, (first & 0x20) != 0, (first & 0x10) != 0, first & 0x07,
            pictureId, tl0, tid, keyIdx);
        return true;
    }
}
