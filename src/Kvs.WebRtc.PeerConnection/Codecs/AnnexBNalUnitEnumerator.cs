namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>
/// Splits an Annex-B byte stream (ITU-T H.264 Annex B, also H.265) into NAL units without allocating:
/// <c>foreach (var nal in new AnnexBNalUnitEnumerator(data))</c>.
/// </summary>
/// <remarks>
/// Start codes of 3 (00 00 01) and 4 (00 00 00 01) bytes are accepted; zero bytes before a start code (trailing
/// zeros, the leading zero of a 4-byte start code) are not part of a NAL unit; empty units are skipped. Bytes before
/// the first start code count as a NAL unit, so a bare NAL unit without start code is read as one.
/// </remarks>
internal ref struct AnnexBNalUnitEnumerator
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    /// <summary>Creates an enumerator over <paramref name="data"/>.</summary>
    public AnnexBNalUnitEnumerator(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
        Current = default;
        CurrentOffset = 0;
    }

    /// <summary>The current NAL unit (header included, start code excluded).</summary>
    public ReadOnlySpan<byte> Current { get; private set; }

    /// <summary>Offset of <see cref="Current"/> in the data.</summary>
    public int CurrentOffset { get; private set; }

    /// <summary>Returns this enumerator (for <c>foreach</c>).</summary>
    public readonly AnnexBNalUnitEnumerator GetEnumerator() => this;

    /// <summary>Moves to the next non-empty NAL unit.</summary>
    public bool MoveNext()
    {
        ReadOnlySpan<byte> startCode = [0, 0, 1];
        while (_position < _data.Length)
        {
            var start = _position;
            var found = _data[start..].IndexOf(startCode);
            var end = found < 0 ? _data.Length : start + found;
            _position = found < 0 ? _data.Length : end + 3;
            while (end > start && _data[end - 1] == 0)
            {
                end--;
            }

            if (end > start)
            {
                Current = _data[start..end];
                CurrentOffset = start;
                return true;
            }
        }

        Current = default;
        return false;
    }
}
