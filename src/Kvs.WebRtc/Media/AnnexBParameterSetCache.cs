namespace Kvs.WebRtc.Media;

/// <summary>
/// Remembers the latest parameter sets (H.264 SPS/PPS, H.265 VPS/SPS/PPS) of an Annex-B stream and puts them in front
/// of a key frame that comes without them, so every key frame can start a decoder on its own (a viewer that joins
/// mid-stream, a replayed key frame, a stream whose encoder sends them only once).
/// </summary>
internal sealed class AnnexBParameterSetCache(AnnexBCodec codec)
{
    /// <summary>Largest parameter set kept (bigger ones are not cached).</summary>
    public const int MaxParameterSetBytes = 16 << 10;

    private readonly Dictionary<int, byte[]> _sets = [];

    /// <summary>How many key frames got cached parameter sets put in front.</summary>
    public long Completed { get; private set; }

    /// <summary>
    /// Learns the parameter sets in <paramref name="accessUnit"/> and returns it, or for a key frame missing some that
    /// are cached, a new buffer with them in front.
    /// </summary>
    public ReadOnlyMemory<byte> Apply(ReadOnlyMemory<byte> accessUnit, bool isKeyFrame)
    {
        var present = 0;
        foreach (var nal in AnnexBReader.SplitNalUnits(accessUnit))
        {
            var type = AnnexBReader.NalType(nal.Span, codec);
            if (AnnexBReader.IsParameterSet(type, codec))
            {
                present |= 1 << (type & 31);
                if (nal.Length <= MaxParameterSetBytes)
                {
                    _sets[type] = nal.ToArray();
                }
            }
        }

        if (!isKeyFrame || _sets.Count == 0)
        {
            return accessUnit;
        }

        var missing = _sets.Where(s => (present & (1 << (s.Key & 31))) == 0).OrderBy(s => s.Key).ToList();
        if (missing.Count == 0)
        {
            return accessUnit;
        }

        var length = accessUnit.Length + missing.Sum(s => s.Value.Length + 4);
        var result = new byte[length];
        var offset = 0;
        foreach (var (_, nal) in missing)
        {
            result[offset + 3] = 1;
            nal.CopyTo(result, offset + 4);
            offset += nal.Length + 4;
        }

        accessUnit.Span.CopyTo(result.AsSpan(offset));
        Completed++;
        return result;
    }
}
