using System.Net;
using System.Text;
using Kvs.WebRtc.PeerConnection.Stun;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Stun;

[TestFixture]
public sealed class StunMessageTests
{
    private static readonly byte[] s_shortTermKey = Encoding.UTF8.GetBytes(Rfc5769Vectors.Password);

    [Test]
    public void TryParse_Rfc5769SampleRequest_ReadsEveryAttribute()
    {
        var bytes = Rfc5769Vectors.Request;
        Assert.That(StunMessage.TryParse(bytes, out var message, out var error), Is.True, error.ToString());
        Assert.That(message.Type, Is.EqualTo(StunMessageType.BindingRequest));
        Assert.That(message.TransactionIdBytes.ToArray(), Is.EqualTo(Convert.FromHexString("b7e7a701bc34d686fa87dfae")));
        Assert.That(message.TryGetString(StunAttributeType.Software, out var software), Is.True);
        Assert.That(software, Is.EqualTo("STUN test client"));
        Assert.That(message.TryGetUInt32(StunAttributeType.Priority, out var priority), Is.True);
        Assert.That(priority, Is.EqualTo(0x6e0001ffu));
        Assert.That(message.TryGetUInt64(StunAttributeType.IceControlled, out var tieBreaker), Is.True);
        Assert.That(tieBreaker, Is.EqualTo(0x932ff9b151263b36ul));
        Assert.That(message.TryGetString(StunAttributeType.Username, out var username), Is.True);
        Assert.That(username, Is.EqualTo("evtj:h6vY"));
        Assert.That(message.VerifyMessageIntegrity(s_shortTermKey), Is.True);
        Assert.That(message.VerifyFingerprint(), Is.True);
        Assert.That(message.HasUnknownComprehensionRequired, Is.False);
        Assert.That(message.GetUnknownAttributes(new ushort[4]), Is.EqualTo(-1));
    }

    [Test]
    public void TryParse_Rfc5769SampleIPv4Response_DecodesXorMappedAddress()
    {
        var bytes = Rfc5769Vectors.ResponseIPv4;
        Assert.That(StunMessage.TryParse(bytes, out var message, out _), Is.True);
        Assert.That(message.Type, Is.EqualTo(StunMessageType.BindingSuccess));
        Assert.That(message.TryGetString(StunAttributeType.Software, out var software), Is.True);
        Assert.That(software, Is.EqualTo("test vector"));
        Assert.That(message.TryGetXorAddress(StunAttributeType.XorMappedAddress, out var address), Is.True);
        Assert.That(address, Is.EqualTo(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 32853)));
        Assert.That(message.VerifyMessageIntegrity(s_shortTermKey), Is.True);
        Assert.That(message.VerifyFingerprint(), Is.True);
    }

    [Test]
    public void TryParse_Rfc5769SampleIPv6Response_DecodesXorMappedAddress()
    {
        var bytes = Rfc5769Vectors.ResponseIPv6;
        Assert.That(StunMessage.TryParse(bytes, out var message, out _), Is.True);
        Assert.That(message.TryGetXorAddress(StunAttributeType.XorMappedAddress, out var address), Is.True);
        Assert.That(address, Is.EqualTo(new IPEndPoint(IPAddress.Parse("2001:db8:1234:5678:11:2233:4455:6677"), 32853)));
        Assert.That(message.VerifyMessageIntegrity(s_shortTermKey), Is.True);
        Assert.That(message.VerifyFingerprint(), Is.True);
    }

    [Test]
    public void TryParse_Rfc5769LongTermRequest_VerifiesWithLongTermKey()
    {
        var bytes = Rfc5769Vectors.LongTermRequest;
        Assert.That(StunMessage.TryParse(bytes, out var message, out _), Is.True);
        Assert.That(message.TryGetString(StunAttributeType.Username, out var username), Is.True);
        Assert.That(username, Is.EqualTo(Rfc5769Vectors.LongTermUsername));
        Assert.That(message.TryGetString(StunAttributeType.Nonce, out var nonce), Is.True);
        Assert.That(nonce, Is.EqualTo(Rfc5769Vectors.LongTermNonce));
        Assert.That(message.TryGetString(StunAttributeType.Realm, out var realm), Is.True);
        Assert.That(realm, Is.EqualTo(Rfc5769Vectors.LongTermRealm));
        var key = StunIntegrity.LongTermKey(Rfc5769Vectors.LongTermUsername, Rfc5769Vectors.LongTermRealm, Rfc5769Vectors.LongTermPassword);
        Assert.That(message.VerifyMessageIntegrity(key), Is.True);
        Assert.That(message.VerifyMessageIntegrity(StunIntegrity.LongTermKey(Rfc5769Vectors.LongTermUsername, Rfc5769Vectors.LongTermRealm, "wrong")), Is.False);
        Assert.That(message.HasFingerprint, Is.False);
    }

    [Test]
    public void Writer_ReproducesRfc5769SampleRequest_ByteForByte()
    {
        // The sample pads USERNAME with spaces; our writer pads with zeros (RFC 8489 §14), so compare after
        // patching that padding: every other byte, the HMAC and the CRC then must match.
        var expected = Rfc5769Vectors.Request;
        var buffer = new byte[256];
        var writer = new StunMessageWriter(buffer, StunMessageType.BindingRequest, TransactionId.Read(Convert.FromHexString("b7e7a701bc34d686fa87dfae")));
        writer.AddString(StunAttributeType.Software, "STUN test client");
        writer.AddPriority(0x6e0001ff);
        writer.AddIceControlled(0x932ff9b151263b36);
        var usernameValue = writer.AddAttribute(StunAttributeType.Username, 9);
        Encoding.UTF8.GetBytes("evtj:h6vY", usernameValue);
        buffer[writer.Length - 3] = 0x20;
        buffer[writer.Length - 2] = 0x20;
        buffer[writer.Length - 1] = 0x20;
        writer.AddMessageIntegrity(s_shortTermKey);
        writer.AddFingerprint();
        Assert.That(writer.Written.ToArray(), Is.EqualTo(expected));
    }

    [Test]
    public void Writer_ReproducesRfc5769IPv6Response_ByteForByte()
    {
        var buffer = new byte[256];
        var writer = new StunMessageWriter(buffer, StunMessageType.BindingSuccess, TransactionId.Read(Convert.FromHexString("b7e7a701bc34d686fa87dfae")));
        var software = writer.AddAttribute(StunAttributeType.Software, 11);
        Encoding.UTF8.GetBytes("test vector", software);
        buffer[writer.Length - 1] = 0x20;
        writer.AddXorAddress(StunAttributeType.XorMappedAddress, new IPEndPoint(IPAddress.Parse("2001:db8:1234:5678:11:2233:4455:6677"), 32853));
        writer.AddMessageIntegrity(s_shortTermKey);
        writer.AddFingerprint();
        Assert.That(writer.Written.ToArray(), Is.EqualTo(Rfc5769Vectors.ResponseIPv6));
    }

    [Test]
    public void Writer_AllAttributes_RoundTrip()
    {
        var id = TransactionId.NewRandom();
        var buffer = new byte[1024];
        var writer = new StunMessageWriter(buffer, new StunMessageType(StunMethod.Allocate, StunClass.ErrorResponse), id);
        writer.AddAddress(StunAttributeType.MappedAddress, new IPEndPoint(IPAddress.Parse("10.1.2.3"), 1234));
        writer.AddXorAddress(StunAttributeType.XorPeerAddress, new IPEndPoint(IPAddress.Parse("::1"), 5000));
        writer.AddXorAddress(StunAttributeType.XorRelayedAddress, new IPEndPoint(IPAddress.Parse("127.0.0.1"), 49152));
        writer.AddUsername("user");
        writer.AddString(StunAttributeType.Realm, "realm");
        writer.AddString(StunAttributeType.Nonce, "nonce-123");
        writer.AddErrorCode(438, "Stale Nonce");
        writer.AddUnknownAttributes([0x0031, 0x7777]);
        writer.AddLifetime(TimeSpan.FromSeconds(600));
        writer.AddRequestedTransport();
        writer.AddChannelNumber(0x4001);
        writer.AddAttribute(StunAttributeType.Data, [1, 2, 3, 4, 5]);
        writer.AddFlag(StunAttributeType.DontFragment);
        writer.AddUseCandidate();
        writer.AddIceControlling(42);
        var key = StunIntegrity.LongTermKey("user", "realm", "pass");
        writer.AddMessageIntegrity(key);
        writer.AddMessageIntegritySha256(key);
        writer.AddFingerprint();

        Assert.That(StunMessage.TryParse(writer.Written, out var message, out var error), Is.True, error.ToString());
        Assert.That(message.TransactionId, Is.EqualTo(id));
        Assert.That(message.Type, Is.EqualTo(new StunMessageType(StunMethod.Allocate, StunClass.ErrorResponse)));
        Assert.That(message.TryGetAddress(StunAttributeType.MappedAddress, out var mapped) && mapped.Equals(new IPEndPoint(IPAddress.Parse("10.1.2.3"), 1234)), Is.True);
        Assert.That(message.TryGetXorAddress(StunAttributeType.XorPeerAddress, out var peer) && peer.Equals(new IPEndPoint(IPAddress.IPv6Loopback, 5000)), Is.True);
        Assert.That(message.TryGetXorAddress(StunAttributeType.XorRelayedAddress, out var relayed) && relayed.Equals(new IPEndPoint(IPAddress.Loopback, 49152)), Is.True);
        Assert.That(message.TryGetErrorCode(out var code, out var reason), Is.True);
        Assert.That((code, reason), Is.EqualTo((438, "Stale Nonce")));
        Assert.That(message.TryGetAttribute(StunAttributeType.UnknownAttributes, out var unknown) && unknown.SequenceEqual(new byte[] { 0x00, 0x31, 0x77, 0x77 }), Is.True);
        var unknownTypes = new ushort[4];
        Assert.That(message.GetUnknownAttributes(unknownTypes), Is.EqualTo(2));
        Assert.That(unknownTypes[..2], Is.EqualTo(new ushort[] { 0x0031, 0x7777 }));
        Assert.That(message.TryGetRequestedTransport(out var protocol) && protocol == 17, Is.True);
        Assert.That(message.TryGetLifetime(out var lifetime) && lifetime == TimeSpan.FromSeconds(600), Is.True);
        Assert.That(message.TryGetAttribute(StunAttributeType.RequestedTransport, out var transport) && transport[0] == 17, Is.True);
        Assert.That(message.TryGetChannelNumber(out var channel) && channel == 0x4001, Is.True);
        Assert.That(message.TryGetAttribute(StunAttributeType.Data, out var data) && data.SequenceEqual(new byte[] { 1, 2, 3, 4, 5 }), Is.True);
        Assert.That(message.Contains(StunAttributeType.DontFragment), Is.True);
        Assert.That(message.Contains(StunAttributeType.UseCandidate), Is.True);
        Assert.That(message.TryGetUInt64(StunAttributeType.IceControlling, out var tie) && tie == 42, Is.True);
        Assert.That(message.VerifyMessageIntegrity(key), Is.True);
        Assert.That(message.VerifyMessageIntegritySha256(key), Is.True);
        Assert.That(message.VerifyFingerprint(), Is.True);
        Assert.That(message.VerifyMessageIntegrity(StunIntegrity.LongTermKey("user", "realm", "other")), Is.False);
        Assert.That(message.VerifyMessageIntegritySha256(StunIntegrity.LongTermKey("user", "realm", "other")), Is.False);
    }

    [Test]
    public void VerifyMessageIntegritySha256_TruncatedTo16Bytes_Verifies()
    {
        // RFC 8489 §14.6 allows truncation to 16 bytes; the HMAC input counts only the truncated attribute.
        var key = StunIntegrity.LongTermKey("u", "r", "p");
        var buffer = new byte[128];
        var writer = new StunMessageWriter(buffer, StunMessageType.BindingRequest, TransactionId.NewRandom());
        writer.AddUsername("u");
        var offset = writer.Length;
        var value = writer.AddAttribute(StunAttributeType.MessageIntegritySha256, 16);
        Span<byte> mac = stackalloc byte[32];
        StunIntegrity.ComputeHmac(buffer, offset, 16, key, sha256: true, mac);
        mac[..16].CopyTo(value);
        writer.AddFingerprint();

        Assert.That(StunMessage.TryParse(writer.Written, out var message, out _), Is.True);
        Assert.That(message.VerifyMessageIntegritySha256(key), Is.True);
        Assert.That(message.VerifyMessageIntegritySha256(StunIntegrity.LongTermKey("u", "r", "x")), Is.False);
        Assert.That(message.VerifyFingerprint(), Is.True);
    }

    [Test]
    public void TryParse_AttributesAfterMessageIntegrity_AreIgnored()
    {
        var buffer = new byte[256];
        var writer = new StunMessageWriter(buffer, StunMessageType.BindingRequest, TransactionId.NewRandom());
        writer.AddUsername("a:b");
        writer.AddMessageIntegrity(s_shortTermKey);
        writer.AddPriority(7);
        writer.AddFingerprint();
        Assert.That(StunMessage.TryParse(writer.Written, out var message, out _), Is.True);
        Assert.That(message.Contains(StunAttributeType.Priority), Is.False);
        Assert.That(message.Contains(StunAttributeType.Username), Is.True);
        Assert.That(message.VerifyFingerprint(), Is.True);
    }

    [Test]
    public void GetUnknownComprehensionRequired_ReportsOnlyUnknownRequiredTypes()
    {
        var buffer = new byte[256];
        var writer = new StunMessageWriter(buffer, StunMessageType.BindingRequest, TransactionId.NewRandom());
        writer.AddAttribute((ushort)0x0031, 4);
        writer.AddAttribute((ushort)0x8123, 4); // comprehension-optional: never reported
        writer.AddPriority(1);
        writer.AddAttribute((ushort)0x7001, 0);
        Assert.That(StunMessage.TryParse(writer.Written, out var message, out _), Is.True);
        Span<ushort> unknown = stackalloc ushort[4];
        var count = message.GetUnknownComprehensionRequired(unknown);
        Assert.That(count, Is.EqualTo(2));
        Assert.That(unknown[..count].ToArray(), Is.EqualTo(new ushort[] { 0x0031, 0x7001 }));
        Assert.That(message.HasUnknownComprehensionRequired, Is.True);
    }

    [TestCase(0)]
    [TestCase(19)]
    public void TryParse_ShortInput_IsTruncated(int length)
    {
        var bytes = Rfc5769Vectors.Request.AsSpan(0, length);
        Assert.That(StunMessage.TryParse(bytes, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(StunParseError.Truncated));
    }

    [Test]
    public void TryParse_MessageCutShort_IsTruncated()
    {
        var bytes = Rfc5769Vectors.Request;
        Assert.That(StunMessage.TryParse(bytes.AsSpan(0, bytes.Length - 4), out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(StunParseError.Truncated));
    }

    [Test]
    public void TryParse_ExtraBytes_IsTrailingData()
    {
        var bytes = Rfc5769Vectors.Request.Concat(new byte[4]).ToArray();
        Assert.That(StunMessage.TryParse(bytes, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(StunParseError.TrailingData));
    }

    [Test]
    public void TryParse_WrongCookie_IsBadMagicCookie()
    {
        var bytes = Rfc5769Vectors.Request;
        bytes[5] ^= 0xFF;
        Assert.That(StunMessage.TryParse(bytes, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(StunParseError.BadMagicCookie));
    }

    [Test]
    public void TryParse_LeadingBitsSet_IsNotStun()
    {
        var bytes = Rfc5769Vectors.Request;
        bytes[0] |= 0x80;
        Assert.That(StunMessage.TryParse(bytes, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(StunParseError.NotStun));
    }

    [Test]
    public void TryParse_LengthNotMultipleOfFour_IsBadLength()
    {
        var bytes = Rfc5769Vectors.Request;
        bytes[3] += 1;
        Assert.That(StunMessage.TryParse(bytes, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(StunParseError.BadLength));
    }

    [Test]
    public void TryParse_AttributeLengthPastEnd_IsAttributeOverrun()
    {
        var bytes = Rfc5769Vectors.Request;
        bytes[22] = 0x01; // SOFTWARE length 0x0110
        Assert.That(StunMessage.TryParse(bytes, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(StunParseError.AttributeOverrun));
    }

    [Test]
    public void TryParse_AttributeAfterFingerprint_IsRejected()
    {
        var buffer = new byte[128];
        var writer = new StunMessageWriter(buffer, StunMessageType.BindingRequest, TransactionId.NewRandom());
        writer.AddFingerprint();
        writer.AddPriority(1);
        Assert.That(StunMessage.TryParse(writer.Written, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(StunParseError.AttributeAfterFingerprint));
    }

    [Test]
    public void TryParse_IntegrityOfWrongLength_IsMalformed()
    {
        var buffer = new byte[128];
        var writer = new StunMessageWriter(buffer, StunMessageType.BindingRequest, TransactionId.NewRandom());
        writer.AddAttribute(StunAttributeType.MessageIntegrity, 16);
        Assert.That(StunMessage.TryParse(writer.Written, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(StunParseError.MalformedIntegrityAttribute));
    }

    [Test]
    public void VerifyFingerprint_FlippedBodyBit_Fails()
    {
        var bytes = Rfc5769Vectors.ResponseIPv4;
        bytes[30] ^= 0x01;
        Assert.That(StunMessage.TryParse(bytes, out var message, out _), Is.True);
        Assert.That(message.VerifyFingerprint(), Is.False);
        Assert.That(message.VerifyMessageIntegrity(s_shortTermKey), Is.False);
    }

    [Test]
    public void VerifyMessageIntegrity_WrongKey_Fails()
    {
        Assert.That(StunMessage.TryParse(Rfc5769Vectors.Request, out var message, out _), Is.True);
        Assert.That(message.VerifyMessageIntegrity("wrong"u8), Is.False);
    }

    [Test]
    public void MessageType_WireEncoding_MatchesRfcValues()
    {
        Assert.That(StunMessageType.BindingRequest.ToWire(), Is.EqualTo(0x0001));
        Assert.That(StunMessageType.BindingSuccess.ToWire(), Is.EqualTo(0x0101));
        Assert.That(StunMessageType.BindingError.ToWire(), Is.EqualTo(0x0111));
        Assert.That(StunMessageType.BindingIndication.ToWire(), Is.EqualTo(0x0011));
        Assert.That(new StunMessageType(StunMethod.Allocate, StunClass.Request).ToWire(), Is.EqualTo(0x0003));
        Assert.That(new StunMessageType(StunMethod.Allocate, StunClass.ErrorResponse).ToWire(), Is.EqualTo(0x0113));
        Assert.That(new StunMessageType(StunMethod.Send, StunClass.Indication).ToWire(), Is.EqualTo(0x0016));
        Assert.That(new StunMessageType(StunMethod.Data, StunClass.Indication).ToWire(), Is.EqualTo(0x0017));
        Assert.That(new StunMessageType(StunMethod.ChannelBind, StunClass.SuccessResponse).ToWire(), Is.EqualTo(0x0109));
        for (ushort wire = 0; wire < 0x4000; wire++)
        {
            if (StunMessageType.FromWire(wire).ToWire() != wire)
            {
                Assert.Fail($"0x{wire:x4} does not round-trip");
            }
        }
    }

    [Test]
    public void Crc32_KnownAnswer_MatchesCheckValue()
    {
        // The standard CRC-32 check value for "123456789".
        Assert.That(Crc32.Compute("123456789"u8), Is.EqualTo(0xCBF43926u));
    }

    [Test]
    public void TryParse_ValidMessage_DoesNotAllocate()
    {
        var bytes = Rfc5769Vectors.Request;
        var key = s_shortTermKey;
        _ = ParseAndVerify(bytes, key);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var ok = true;
        for (var i = 0; i < 100; i++)
        {
            ok &= ParseAndVerify(bytes, key);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(ok, Is.True);
        Assert.That(allocated, Is.Zero);
    }

    [Test]
    public void Writer_BindingRequestWithIntegrity_DoesNotAllocate()
    {
        var buffer = new byte[256];
        var key = s_shortTermKey;
        var id = TransactionId.NewRandom();
        var length = WriteBindingRequest(buffer, id, key);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            length = WriteBindingRequest(buffer, id, key);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(allocated, Is.Zero);
        Assert.That(StunMessage.TryParse(buffer.AsSpan(0, length), out var message, out _) && message.VerifyMessageIntegrity(key) && message.VerifyFingerprint(), Is.True);
    }

    private static int WriteBindingRequest(byte[] buffer, TransactionId id, byte[] key)
    {
        var writer = new StunMessageWriter(buffer, StunMessageType.BindingRequest, id);
        writer.AddUsername("evtj:h6vY");
        writer.AddPriority(1);
        writer.AddIceControlling(2);
        writer.AddUseCandidate();
        writer.AddMessageIntegrity(key);
        writer.AddFingerprint();
        return writer.Length;
    }

    private static bool ParseAndVerify(byte[] bytes, byte[] key) =>
        StunMessage.TryParse(bytes, out var message, out _)
        && message.TryGetUInt32(StunAttributeType.Priority, out _)
        && message.VerifyMessageIntegrity(key)
        && message.VerifyFingerprint();
}
