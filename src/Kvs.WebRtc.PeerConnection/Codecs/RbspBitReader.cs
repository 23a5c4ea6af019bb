namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>
/// Reads bits and Exp-Golomb codes (ITU-T H.264 §7.2, §9.1) from a NAL unit payload, dropping emulation prevention
/// bytes (00 00 03 → 00 00, §7.4.1) on the fly. Never reads past the input: once it runs out, <see cref="IsOverrun"/>
/// is set and reads return 0.
/// </summary>
internal ref struct RbspBitReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _byteIndex;
    private int _bitIndex; // 0..7 within the current byte, from the most significant bit
    private int _zeros;

    /// <summary>Creates a reader over <paramref name="data"/> (the NAL unit after its header).</summary>
    public RbspBitReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _byteIndex = 0;
        _bitIndex = 0;
        _zeros = 0;
        IsOverrun = false;
        SkipEmulationPrevention();
    }

    /// <summary>True once a read went past the end of the data.</summary>
    public bool IsOverrun { get; private set; }

    /// <summary>Reads one bit.</summary>
    public int ReadBit()
    {
        if (_byteIndex >= _data.Length)
        {
            IsOverrun = true;
            return 0;
        }

        var bit = (_data[_byteIndex] >> (7 - _bitIndex)) & 1;
        if (++_bitIndex == 8)
        {
            _bitIndex = 0;
            _zeros = _data[_byteIndex] == 0 ? _zeros + 1 : 0;
            _byteIndex++;
            SkipEmulationPrevention();
        }

        return bit;
    }

    /// <summary>Reads <paramref name="count"/> bits (0–32) as an unsigned number.</summary>
    public uint ReadBits(int count)
    {
        uint value = 0;
        for (var i = 0; i < count; i++)
        {
            value = (value << 1) | (uint)ReadBit();
        }

        return value;
    }

    /// <summary>Reads ue(v). Codes longer than 31 leading zeros set <see cref="IsOverrun"/>.</summary>
    public uint ReadUnsignedExpGolomb()
    {
        var zeros = 0;
        while (ReadBit() == 0)
        {
            if (IsOverrun || ++zeros > 31)
            {
                IsOverrun = true;
                return 0;
            }
        }

        return (uint)((1L << zeros) - 1 + ReadBits(zeros));
    }

    /// <summary>Reads se(v).</summary>
    public int ReadSignedExpGolomb()
    {
        var code = ReadUnsignedExpGolomb();
        return (code & 1) != 0 ? (int)((code + 1) / 2) : -(int)(code / 2);
    }

    private void SkipEmulationPrevention()
    {
        if (_zeros >= 2 && _byteIndex < _data.Length && _data[_byteIndex] == 3)
        {
            _byteIndex++;
            _zeros = 0;
        }
    }
}
