namespace Kvs.WebRtc.PeerConnection.Rtp;

/// <summary>
/// Up to <see cref="Capacity"/> header extensions (local id + value bytes) to write with <see cref="RtpHeaderWriter"/>,
/// held without allocation: a stack-only value whose values are spans the caller keeps alive (often <c>stackalloc</c>).
/// Declare it <c>scoped</c> when a value lives in <c>stackalloc</c> memory.
/// </summary>
/// <example>
/// <code>
/// Span&lt;byte&gt; abs = stackalloc byte[AbsSendTimeExtension.Size];
/// AbsSendTimeExtension.Write(abs, now);
/// scoped var extensions = new RtpHeaderExtensions();
/// extensions.Add(midId, midBytes);
/// extensions.Add(absSendTimeId, abs);
/// var size = RtpHeaderWriter.GetHeaderSize(0, extensions);
/// </code>
/// </example>
internal ref struct RtpHeaderExtensions
{
    /// <summary>Most extensions one header can carry through this type.</summary>
    public const int Capacity = 8;

    private ReadOnlySpan<byte> _value0;
    private ReadOnlySpan<byte> _value1;
    private ReadOnlySpan<byte> _value2;
    private ReadOnlySpan<byte> _value3;
    private ReadOnlySpan<byte> _value4;
    private ReadOnlySpan<byte> _value5;
    private ReadOnlySpan<byte> _value6;
    private ReadOnlySpan<byte> _value7;
    private ulong _ids;

    /// <summary>Number of extensions added.</summary>
    public int Count { get; private set; }

    /// <summary>
    /// True when every id is 1–14 and every value 1–16 bytes, so the one-byte form (RFC 8285 §4.2) can carry them;
    /// otherwise the two-byte form (§4.3) is written.
    /// </summary>
    public readonly bool FitsOneByteForm
    {
        get
        {
            for (var i = 0; i < Count; i++)
            {
                var length = GetValue(i).Length;
                if (GetId(i) > 14 || length is 0 or > 16)
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>Adds an extension.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The id is not 1–255, the value is longer than 255 bytes, or the set is full.</exception>
    public void Add(int id, ReadOnlySpan<byte> value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(id, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(id, 255);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value.Length, 255);
        if (Count == Capacity)
        {
            throw new ArgumentOutOfRangeException(nameof(id), $"at most {Capacity} header extensions");
        }

        _ids |= (ulong)id << (Count * 8);
        switch (Count)
        {
            case 0: _value0 = value; break;
            case 1: _value1 = value; break;
            case 2: _value2 = value; break;
            case 3: _value3 = value; break;
            case 4: _value4 = value; break;
            case 5: _value5 = value; break;
            case 6: _value6 = value; break;
            default: _value7 = value; break;
        }

        Count++;
    }

    /// <summary>Local id of extension <paramref name="index"/>.</summary>
    public readonly int GetId(int index) => (int)((_ids >> (index * 8)) & 0xFF);

    /// <summary>Value of extension <paramref name="index"/>.</summary>
    public readonly ReadOnlySpan<byte> GetValue(int index) => index switch
    {
        0 => _value0,
        1 => _value1,
        2 => _value2,
        3 => _value3,
        4 => _value4,
        5 => _value5,
        6 => _value6,
        7 => _value7,
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    /// <summary>Bytes of the extension block, its 4-byte header and padding to a 32-bit boundary included; 0 when empty.</summary>
    public readonly int GetBlockSize()
    {
        if (Count == 0)
        {
            return 0;
        }

        var perElement = FitsOneByteForm ? 1 : 2;
        var elements = 0;
        for (var i = 0; i < Count; i++)
        {
            elements += perElement + GetValue(i).Length;
        }

        return 4 + ((elements + 3) & ~3);
    }
}
