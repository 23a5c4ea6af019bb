using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Kvs.WebRtc.PeerConnection.Srtp;

/// <summary>
/// AES in counter mode as SRTP uses it (RFC 3711 §4.1.1): the 16-byte IV's last two bytes are a block counter.
/// The keystream is made by encrypting a buffer of counter blocks with one reusable ECB transform, then XORed in
/// place, so a packet costs no allocation once the scratch buffers have grown to the largest packet seen.
/// </summary>
internal sealed class AesCounterMode : IDisposable
{
    private const int BlockSize = 16;

    /// <summary>Largest span one call may process (counter is 16 bits, RFC 3711 §4.1.1).</summary>
    public const int MaxLength = 65536 * BlockSize;

    private readonly Aes _aes;
    private readonly ICryptoTransform _ecb;
    private byte[] _counters = new byte[BlockSize * 96];
    private byte[] _keystream = new byte[BlockSize * 96];

    public AesCounterMode(ReadOnlySpan<byte> key)
    {
        _aes = Aes.Create();
        _aes.Key = key.ToArray();
        _aes.Mode = CipherMode.ECB;
        _aes.Padding = PaddingMode.None;
        _ecb = _aes.CreateEncryptor();
    }

    /// <summary>XORs <paramref name="data"/> in place with the keystream that starts at counter block <paramref name="iv"/>.</summary>
    /// <param name="iv">16-byte initial counter block; its last two bytes are the block counter (normally zero).</param>
    /// <param name="data">Bytes to encrypt or decrypt in place.</param>
    public void Transform(ReadOnlySpan<byte> iv, Span<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        if (data.Length > MaxLength)
        {
            throw new ArgumentException("Data is longer than the AES-CM counter space.", nameof(data));
        }

        var blocks = (data.Length + BlockSize - 1) / BlockSize;
        var bytes = blocks * BlockSize;
        if (_counters.Length < bytes)
        {
            _counters = new byte[bytes];
            _keystream = new byte[bytes];
        }

        var start = BinaryPrimitives.ReadUInt16BigEndian(iv[14..]);
        for (var i = 0; i < blocks; i++)
        {
            var block = _counters.AsSpan(i * BlockSize, BlockSize);
            iv[..14].CopyTo(block);
            BinaryPrimitives.WriteUInt16BigEndian(block[14..], (ushort)(start + i));
        }

        _ecb.TransformBlock(_counters, 0, bytes, _keystream, 0);
        Xor(data, _keystream.AsSpan(0, data.Length));
    }

    /// <summary>Writes raw keystream (used by the key derivation function, RFC 3711 §4.3.3).</summary>
    public void Keystream(ReadOnlySpan<byte> iv, Span<byte> destination)
    {
        destination.Clear();
        Transform(iv, destination);
    }

    /// <summary>data ^= keystream, vectorised.</summary>
    internal static void Xor(Span<byte> data, ReadOnlySpan<byte> keystream)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && data.Length >= Vector<byte>.Count)
        {
            var d = MemoryMarshal.Cast<byte, Vector<byte>>(data);
            var k = MemoryMarshal.Cast<byte, Vector<byte>>(keystream);
            for (var v = 0; v < d.Length; v++)
            {
                d[v] ^= k[v];
            }

            i = d.Length * Vector<byte>.Count;
        }

        for (; i < data.Length; i++)
        {
            data[i] ^= keystream[i];
        }
    }

    public void Dispose()
    {
        _ecb.Dispose();
        _aes.Dispose();
    }
}
