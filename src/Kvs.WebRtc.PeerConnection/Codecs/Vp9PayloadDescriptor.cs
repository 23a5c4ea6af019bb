namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>
/// The VP9 payload descriptor of RFC 9628 §4.2 (flexible and non-flexible modes), including a scalability
/// structure (§4.2.1) when present, which is validated and skipped.
/// </summary>
/// <remarks>
/// <code>
///       0 1 2 3 4 5 6 7
///      +-+-+-+-+-+-+-+-+
///      |I|P|L|F|B|E|V|Z| (REQUIRED)
/// I:   |M| PICTURE ID  | (7 or 15 bits)
/// L:   | TID |U| SID |D| (+ TL0PICIDX in non-flexible mode)
/// F,P: | P_DIFF      |N| (up to 3 times)
/// V:   | SS            |
/// </code>
/// </remarks>
/// <param name="Length">Descriptor length in bytes (scalability structure included).</param>
/// <param name="InterPicturePredicted">P: the picture references others (not a key picture).</param>
/// <param name="FlexibleMode">F: flexible mode.</param>
/// <param name="StartOfFrame">B: the payload starts a (layer) frame.</param>
/// <param name="EndOfFrame">E: the payload ends a (layer) frame.</param>
/// <param name="HasScalabilityStructure">V: a scalability structure was present.</param>
/// <param name="PictureId">The picture id (7 or 15 bits), or -1 when absent.</param>
/// <param name="SpatialLayerId">SID, or 0 when absent.</param>
internal readonly record struct Vp9PayloadDescriptor(
    int Length,
    bool InterPicturePredicted,
    bool FlexibleMode,
    bool StartOfFrame,
    bool EndOfFrame,
    bool HasScalabilityStructure,
    int PictureId,
    int SpatialLayerId)
{
    /// <summary>Parses a descriptor; never reads past <paramref name="payload"/>.</summary>
    /// <returns>False when the payload is too short for what its flags announce.</returns>
    public static bool TryParse(ReadOnlySpan<byte> payload, out Vp9PayloadDescriptor descriptor)
    {
        descriptor = default;
        if (payload.Length < 1)
        {
            return false;
        }

        var flags = payload[0];
        bool hasPictureId = (flags & 0x80) != 0, predicted = (flags & 0x40) != 0, layers = (flags & 0x20) != 0;
        bool flexible = (flags & 0x10) != 0, hasSs = (flags & 0x02) != 0;
        var position = 1;
        var pictureId = -1;
        var sid = 0;
        if (hasPictureId)
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
                pictureId = payload[position++];
            }
        }

        if (layers)
        {
            var needed = flexible ? 1 : 2; // TL0PICIDX follows in non-flexible mode
            if (payload.Length - position < needed)
            {
                return false;
            }

            sid = (payload[position] >> 1) & 0x07;
            position += needed;
        }

        if (flexible && predicted)
        {
            for (var i = 0; ; i++)
            {
                if (i == 3 || payload.Length <= position)
                {
                    return false; // at most 3 reference indices
                }

                if ((payload[position++] & 0x01) == 0)
                {
                    break;
                }
            }
        }

        if (hasSs && !TrySkipScalabilityStructure(payload, ref position))
        {
            return false;
        }

        descriptor = new Vp9PayloadDescriptor(position, predicted, flexible, (flags & 0x08) != 0, (flags & 0x04) != 0,
            hasSs, pictureId, sid);
        return true;
    }

    // RFC 9628 §4.2.1: N_S|Y|G|-|-|-, then (N_S+1) x (WIDTH, HEIGHT) if Y, then N_G and N_G pictures if G.
    private static bool TrySkipScalabilityStructure(ReadOnlySpan<byte> payload, ref int position)
    {
        if (payload.Length <= position)
        {
            return false;
        }

        var header = payload[position++];
        var spatialLayers = (header >> 5) + 1;
        if ((header & 0x10) != 0)
        {
            if (payload.Length - position < 4 * spatialLayers)
            {
                return false;
            }

            position += 4 * spatialLayers;
        }

        if ((header & 0x08) != 0)
        {
            if (payload.Length <= position)
            {
                return false;
            }

            var pictures = payload[position++];
            for (var i = 0; i < pictures; i++)
            {
                if (payload.Length <= position)
                {
                    return false;
                }

                var references = (payload[position++] >> 2) & 0x03;
                if (payload.Length - position < references)
                {
                    return false;
                }

                position += references;
            }
        }

        return true;
    }
}
