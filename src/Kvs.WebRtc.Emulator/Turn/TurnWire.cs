using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Kvs.WebRtc.Emulator.Turn;

/// <summary>
/// The small STUN/TURN codec the emulator's TURN server needs (RFC 8489 message format, RFC 8656 attributes). The
/// PeerConnection package's codec is internal to it and packages do not share internals (LayeringTests), so the
/// emulator reads and writes the few messages a server handles itself. Parsing never throws on bad input.
/// </summary>
internal static class TurnWire
{
    public const uint MagicCookie = 0x2112A442;
    public const int HeaderSize = 20;

    // Methods (RFC 8489 §18.2, RFC 8656 §17).
    public const ushort Binding = 0x001, Allocate = 0x003, Refresh = 0x004, Send = 0x006, Data = 0x007, CreatePermission = 0x008, ChannelBind = 0x009;

    // Classes.
    public const ushort Request = 0x000, Indication = 0x010, Success = 0x100, Error = 0x110;

    // Attributes.
    public const ushort AttrUsername = 0x0006, AttrMessageIntegrity = 0x0008, AttrErrorCode = 0x0009, AttrChannelNumber = 0x000C,
        AttrLifetime = 0x000D, AttrXorPeerAddress = 0x0012, AttrData = 0x0013, AttrRealm = 0x0014, AttrNonce = 0x0015,
        AttrXorRelayedAddress = 0x0016, AttrRequestedTransport = 0x0019, AttrXorMappedAddress = 0x0020, AttrFingerprint = 0x8028;

    /// <summary>Whether <paramref name="datagram"/> is ChannelData (first two bits 01, RFC 8656 §12.4).</summary>
    public static bool IsChannelData(ReadOnlySpan<byte> datagram) => datagram.Length >= 4 && (datagram[0] & 0xC0) == 0x40;

    public static ushort Method(ushort type) => (ushort)((type & 0x000F) | ((type & 0x00E0) >> 1) | ((type & 0x3E00) >> 2));

    public static ushort Class(ushort type) => (ushort)(type & 0x0110);

    public static ushort Type(ushort method, ushort messageClass) =>
        (ushort)((method & 0x000F) | ((method & 0x0070) << 1) | ((method & 0x0F80) << 2) | messageClass);

    /// <summary>One parsed message: the type, transaction id and the attributes (type, value), in order.</summary>
    public sealed class Message
    {
        private Message(ushort type, byte[] transactionId, List<(ushort Type, int Offset, int Length)> attributes, byte[] raw)
        {
            TypeField = type;
            TransactionId = transactionId;
            Attributes = attributes;
            Raw = raw;
        }

        public ushort TypeField { get; }

        public ushort Method => TurnWire.Method(TypeField);

        public ushort Class => TurnWire.Class(TypeField);

        public byte[] TransactionId { get; }

        public byte[] Raw { get; }

        public List<(ushort Type, int Offset, int Length)> Attributes { get; }

        /// <summary>Parses a STUN message; false (never an exception) when it is not one.</summary>
        public static bool TryParse(ReadOnlySpan<byte> datagram, out Message? message)
        {
            message = null;
            if (datagram.Length < HeaderSize || (datagram[0] & 0xC0) != 0)
            {
                return false;
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]);
            if (BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]) != MagicCookie || (length & 3) != 0 || HeaderSize + length != datagram.Length)
            {
                return false;
            }

            var attributes = new List<(ushort, int, int)>();
            var offset = HeaderSize;
            while (offset < datagram.Length)
            {
                if (offset + 4 > datagram.Length || attributes.Count >= 64)
                {
                    return false;
                }

                var type = BinaryPrimitives.ReadUInt16BigEndian(datagram[offset..]);
                var valueLength = BinaryPrimitives.ReadUInt16BigEndian(datagram[(offset + 2)..]);
                if (offset + 4 + valueLength > datagram.Length)
                {
                    return false;
                }

                attributes.Add((type, offset + 4, valueLength));
                offset += 4 + ((valueLength + 3) & ~3);
            }

            message = new Message(BinaryPrimitives.ReadUInt16BigEndian(datagram), datagram.Slice(8, 12).ToArray(), attributes, datagram.ToArray());
            return true;
        }

        public ReadOnlySpan<byte> Get(ushort type)
        {
            foreach (var (t, offset, length) in Attributes)
            {
                if (t == type)
                {
                    return Raw.AsSpan(offset, length);
                }
            }

            return default;
        }

        public bool Has(ushort type) => Attributes.Exists(a => a.Type == type);

        public string? GetString(ushort type)
        {
            if (!Has(type))
            {
                return null;
            }

            try
            {
                return new System.Text.UTF8Encoding(false, true).GetString(Get(type));
            }
            catch (System.Text.DecoderFallbackException)
            {
                return null;
            }
        }

        public bool TryGetUInt32(ushort type, out uint value)
        {
            var raw = Get(type);
            value = raw.Length == 4 ? BinaryPrimitives.ReadUInt32BigEndian(raw) : 0;
            return raw.Length == 4;
        }

        /// <summary>Every XOR-PEER-ADDRESS (CreatePermission may carry several).</summary>
        public List<IPEndPoint>? GetXorAddresses(ushort type)
        {
            var result = new List<IPEndPoint>();
            foreach (var (t, offset, length) in Attributes)
            {
                if (t != type)
                {
                    continue;
                }

                if (!TryDecodeXorAddress(Raw.AsSpan(offset, length), TransactionId, out var endpoint))
                {
                    return null;
                }

                result.Add(endpoint!);
            }

            return result;
        }

        /// <summary>
        /// Checks the MESSAGE-INTEGRITY (HMAC-SHA1, RFC 8489 §14.5) with <paramref name="key"/>; attributes after it
        /// other than FINGERPRINT make the message invalid.
        /// </summary>
        public bool VerifyIntegrity(byte[] key)
        {
            var index = Attributes.FindIndex(a => a.Type == AttrMessageIntegrity);
            if (index < 0 || Attributes[index].Length != 20)
            {
                return false;
            }

            for (var i = index + 1; i < Attributes.Count; i++)
            {
                if (Attributes[i].Type != AttrFingerprint)
                {
                    return false;
                }
            }

            var (_, valueOffset, _) = Attributes[index];
            var covered = Raw.AsSpan(0, valueOffset - 4).ToArray();
            BinaryPrimitives.WriteUInt16BigEndian(covered.AsSpan(2), (ushort)(valueOffset + 20 - HeaderSize));
            Span<byte> mac = stackalloc byte[20];
#pragma warning disable CA5350 // STUN MESSAGE-INTEGRITY is HMAC-SHA1 by definition (RFC 8489 §14.5).
            HMACSHA1.HashData(key, covered, mac);
#pragma warning restore CA5350
            return CryptographicOperations.FixedTimeEquals(mac, Raw.AsSpan(valueOffset, 20));
        }
    }

    /// <summary>Builds one message; <see cref="Finish"/> appends MESSAGE-INTEGRITY when a key is given.</summary>
    public sealed class Writer
    {
        private readonly ArrayBufferWriter<byte> _buffer = new(256);
        private readonly byte[] _transactionId;

        public Writer(ushort method, ushort messageClass, byte[] transactionId)
        {
            _transactionId = transactionId;
            Span<byte> header = stackalloc byte[HeaderSize];
            BinaryPrimitives.WriteUInt16BigEndian(header, Type(method, messageClass));
            BinaryPrimitives.WriteUInt32BigEndian(header[4..], MagicCookie);
            transactionId.CopyTo(header[8..]);
            _buffer.Write(header);
        }

        public Writer Add(ushort type, ReadOnlySpan<byte> value)
        {
            Span<byte> head = stackalloc byte[4];
            BinaryPrimitives.WriteUInt16BigEndian(head, type);
            BinaryPrimitives.WriteUInt16BigEndian(head[2..], (ushort)value.Length);
            _buffer.Write(head);
            _buffer.Write(value);
            for (var pad = value.Length; (pad & 3) != 0; pad++)
            {
                _buffer.Write([(byte)0]);
            }

            return this;
        }

        public Writer AddString(ushort type, string value) => Add(type, System.Text.Encoding.UTF8.GetBytes(value));

        public Writer AddUInt32(ushort type, uint value)
        {
            Span<byte> raw = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(raw, value);
            return Add(type, raw);
        }

        public Writer AddError(int code, string reason)
        {
            var text = System.Text.Encoding.UTF8.GetBytes(reason);
            var value = new byte[4 + text.Length];
            value[2] = (byte)(code / 100);
            value[3] = (byte)(code % 100);
            text.CopyTo(value, 4);
            return Add(AttrErrorCode, value);
        }

        public Writer AddXorAddress(ushort type, IPEndPoint endpoint)
        {
            var address = endpoint.Address.GetAddressBytes();
            var value = new byte[4 + address.Length];
            value[1] = endpoint.AddressFamily == AddressFamily.InterNetworkV6 ? (byte)2 : (byte)1;
            BinaryPrimitives.WriteUInt16BigEndian(value.AsSpan(2), (ushort)(endpoint.Port ^ (MagicCookie >> 16)));
            Span<byte> mask = stackalloc byte[16];
            BinaryPrimitives.WriteUInt32BigEndian(mask, MagicCookie);
            _transactionId.CopyTo(mask[4..]);
            for (var i = 0; i < address.Length; i++)
            {
                value[4 + i] = (byte)(address[i] ^ mask[i]);
            }

            return Add(type, value);
        }

        public byte[] Finish(byte[]? integrityKey = null)
        {
            if (integrityKey is not null)
            {
                var covered = _buffer.WrittenSpan.ToArray();
                BinaryPrimitives.WriteUInt16BigEndian(covered.AsSpan(2), (ushort)(covered.Length - HeaderSize + 24));
                var mac = new byte[20];
#pragma warning disable CA5350 // STUN MESSAGE-INTEGRITY is HMAC-SHA1 by definition (RFC 8489 §14.5).
                HMACSHA1.HashData(integrityKey, covered, mac);
#pragma warning restore CA5350
                Add(AttrMessageIntegrity, mac);
            }

            var message = _buffer.WrittenSpan.ToArray();
            BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), (ushort)(message.Length - HeaderSize));
            return message;
        }
    }

    public static bool TryDecodeXorAddress(ReadOnlySpan<byte> value, byte[] transactionId, out IPEndPoint? endpoint)
    {
        endpoint = null;
        var length = value.Length >= 2 ? value[1] switch { 1 => 4, 2 => 16, _ => -1 } : -1;
        if (length < 0 || value.Length != 4 + length)
        {
            return false;
        }

        Span<byte> mask = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(mask, MagicCookie);
        transactionId.CopyTo(mask[4..]);
        var address = new byte[length];
        for (var i = 0; i < length; i++)
        {
            address[i] = (byte)(value[4 + i] ^ mask[i]);
        }

        var port = BinaryPrimitives.ReadUInt16BigEndian(value[2..]) ^ (int)(MagicCookie >> 16);
        endpoint = new IPEndPoint(new IPAddress(address), port);
        return true;
    }

    /// <summary>ChannelData: channel number, length, data padded to 4 bytes (RFC 8656 §12.4).</summary>
    public static byte[] ChannelData(ushort channel, ReadOnlySpan<byte> data)
    {
        var message = new byte[4 + ((data.Length + 3) & ~3)];
        BinaryPrimitives.WriteUInt16BigEndian(message, channel);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), (ushort)data.Length);
        data.CopyTo(message.AsSpan(4));
        return message;
    }
}
