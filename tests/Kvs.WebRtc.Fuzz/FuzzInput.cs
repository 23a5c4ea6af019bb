using System.Buffers.Binary;

namespace Kvs.WebRtc.Fuzz;

/// <summary>
/// Splits a fuzz input into several datagrams for the stateful harnesses: each record is a big-endian 16-bit length
/// followed by that many bytes; a last record shorter than its length takes what is left.
/// </summary>
public static class FuzzInput
{
    /// <summary>At most this many records are taken from one input (bounds the work per input).</summary>
    public const int MaxRecords = 64;

    /// <summary>The records of <paramref name="data"/>.</summary>
    public static List<byte[]> Split(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var records = new List<byte[]>();
        var offset = 0;
        while (offset + 2 <= data.Length && records.Count < MaxRecords)
        {
            var length = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(offset));
            offset += 2;
            var take = Math.Min(length, data.Length - offset);
            records.Add(data.AsSpan(offset, take).ToArray());
            offset += take;
        }

        return records;
    }

    /// <summary>Joins records in the format <see cref="Split"/> reads.</summary>
    public static byte[] Join(IEnumerable<byte[]> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        using var stream = new MemoryStream();
        Span<byte> length = stackalloc byte[2];
        foreach (var record in records)
        {
            BinaryPrimitives.WriteUInt16BigEndian(length, (ushort)record.Length);
            stream.Write(length);
            stream.Write(record);
        }

        return stream.ToArray();
    }
}
