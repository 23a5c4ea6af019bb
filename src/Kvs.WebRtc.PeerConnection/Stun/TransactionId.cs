using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;

namespace Kvs.WebRtc.PeerConnection.Stun;

/// <summary>The 96-bit STUN transaction id.</summary>
/// <remarks>RFC 8489 §5: chosen uniformly at random by the client, echoed by the server.</remarks>
internal readonly record struct TransactionId
{
    /// <summary>Size on the wire in bytes.</summary>
    public const int Size = 12;

    private readonly ulong _high;
    private readonly uint _low;

    private TransactionId(ulong high, uint low)
    {
        _high = high;
        _low = low;
    }

    /// <summary>A fresh id from a cryptographic random number generator.</summary>
    public static TransactionId NewRandom()
    {
        Span<byte> bytes = stackalloc byte[Size];
        RandomNumberGenerator.Fill(bytes);
        return Read(bytes);
    }

    /// <summary>Reads 12 bytes.</summary>
    /// <exception cref="ArgumentException">Fewer than 12 bytes.</exception>
    public static TransactionId Read(ReadOnlySpan<byte> source)
    {
        if (source.Length < Size)
        {
            throw new ArgumentException("A transaction id needs 12 bytes.", nameof(source));
        }

        return new TransactionId(BinaryPrimitives.ReadUInt64BigEndian(source), BinaryPrimitives.ReadUInt32BigEndian(source[8..]));
    }

    /// <summary>Writes the 12 bytes.</summary>
    /// <exception cref="ArgumentException">Fewer than 12 bytes of room.</exception>
    public void WriteTo(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            throw new ArgumentException("A transaction id needs 12 bytes.", nameof(destination));
        }

        BinaryPrimitives.WriteUInt64BigEndian(destination, _high);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], _low);
    }

    /// <inheritdoc />
    public override string ToString() =>
        _high.ToString("x16", CultureInfo.InvariantCulture) + _low.ToString("x8", CultureInfo.InvariantCulture);
}
