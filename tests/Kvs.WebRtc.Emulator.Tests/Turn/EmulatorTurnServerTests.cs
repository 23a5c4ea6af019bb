using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Kvs.WebRtc.Emulator.IceServers;
using Kvs.WebRtc.Emulator.Turn;
using Kvs.WebRtc.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;

namespace Kvs.WebRtc.Emulator.Tests.Turn;

/// <summary>
/// The emulator's embedded TURN server at the protocol level (datagrams handed to <c>Handle</c> on a manual clock):
/// the long-term credential challenge with minted REST-style credentials, expired usernames refused, 437/438/441/486,
/// Refresh, lifetimes on the emulator's clock, malformed input dropped and counted; and over real loopback sockets,
/// Send/Data indications and ChannelData both ways through a relay address.
/// </summary>
[TestFixture]
public sealed class EmulatorTurnServerTests
{
    private const string Secret = "turn-test-secret";
    private const string Arn = "arn:aws:kinesisvideo:us-west-2:123456789012:channel/turn/1";
    private static readonly IPEndPoint s_client = new(IPAddress.Loopback, 40000);

    [Test]
    public async Task Allocate_ChallengeThenMintedCredentials_AllocatesAndExpiredUsernameIsRefused()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var server = NewServer(time, maxAllocations: 4);

        var challenge = Parse(server.Handle(AllocateRequest(null), s_client));
        Assert.Multiple(() =>
        {
            Assert.That(ErrorCode(challenge), Is.EqualTo(401));
            Assert.That(challenge.GetString(TurnWire.AttrRealm), Is.EqualTo(EmulatorTurnServer.Realm));
            Assert.That(challenge.GetString(TurnWire.AttrNonce), Is.Not.Empty);
        });
        var nonce = challenge.GetString(TurnWire.AttrNonce)!;

        var expired = Mint(time.GetUtcNow() - TimeSpan.FromSeconds(1));
        Assert.That(ErrorCode(Parse(server.Handle(AllocateRequest((expired, nonce)), s_client))), Is.EqualTo(401), "expired credential");
        Assert.That(ErrorCode(Parse(server.Handle(AllocateRequest((Mint(time.GetUtcNow() + TimeSpan.FromMinutes(5)), "stale")), s_client))), Is.EqualTo(438));
        var wrongPassword = (Mint(time.GetUtcNow() + TimeSpan.FromMinutes(5)).Username, "bm90IHRoZSBwYXNzd29yZA==");
        Assert.That(ErrorCode(Parse(server.Handle(AllocateRequest((wrongPassword, nonce)), s_client))), Is.EqualTo(401), "wrong password");

        var credential = Mint(time.GetUtcNow() + TimeSpan.FromMinutes(5));
        var success = Parse(server.Handle(AllocateRequest((credential, nonce)), s_client));
        Assert.Multiple(() =>
        {
            Assert.That(success.Class, Is.EqualTo(TurnWire.Success));
            Assert.That(success.VerifyIntegrity(Key(credential)), Is.True, "the response carries MESSAGE-INTEGRITY");
            Assert.That(success.GetXorAddresses(TurnWire.AttrXorRelayedAddress), Has.Count.EqualTo(1));
            Assert.That(success.TryGetUInt32(TurnWire.AttrLifetime, out var lifetime) && lifetime == 600, Is.True);
            Assert.That(server.AllocationCount, Is.EqualTo(1));
            Assert.That(server.Unauthorized, Is.EqualTo(3));
        });

        Assert.That(ErrorCode(Parse(server.Handle(AllocateRequest((credential, nonce)), s_client))), Is.EqualTo(437), "a second allocation on the same 5-tuple");
        var other = Mint(time.GetUtcNow() + TimeSpan.FromMinutes(5), "arn:aws:kinesisvideo:us-west-2:123456789012:channel/other/2");
        Assert.That(ErrorCode(Parse(server.Handle(Request(TurnWire.Refresh, other, nonce, w => w.AddUInt32(TurnWire.AttrLifetime, 600)), s_client))), Is.EqualTo(441));

        // The allocation lives 10 minutes on the emulator's clock unless refreshed.
        time.Advance(TimeSpan.FromMinutes(4));
        var refresh = Parse(server.Handle(Request(TurnWire.Refresh, credential, nonce, w => w.AddUInt32(TurnWire.AttrLifetime, 600)), s_client));
        Assert.That(refresh.Class, Is.EqualTo(TurnWire.Success));
        time.Advance(TimeSpan.FromMinutes(9));
        Assert.That(server.Handle(BindingRequest(), s_client), Is.Not.Null);
        Assert.That(server.AllocationCount, Is.EqualTo(1), "refreshed at 4 min for 10 min: alive at 13 min");
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.That(server.Handle(BindingRequest(), s_client), Is.Not.Null);
        Assert.That(server.AllocationCount, Is.Zero, "expired at 14 min");
        var late = Mint(time.GetUtcNow() + TimeSpan.FromMinutes(5));
        Assert.That(ErrorCode(Parse(server.Handle(Request(TurnWire.Refresh, late, nonce, w => w.AddUInt32(TurnWire.AttrLifetime, 600)), s_client))), Is.EqualTo(437));
    }

    [Test]
    public async Task RefreshLifetimeZero_DeletesTheAllocation_QuotaAndMalformedInputAreHandled()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var server = NewServer(time, maxAllocations: 1);
        var nonce = Parse(server.Handle(AllocateRequest(null), s_client)).GetString(TurnWire.AttrNonce)!;
        var credential = Mint(time.GetUtcNow() + TimeSpan.FromMinutes(5));
        Assert.That(Parse(server.Handle(AllocateRequest((credential, nonce)), s_client)).Class, Is.EqualTo(TurnWire.Success));
        var second = new IPEndPoint(IPAddress.Loopback, 40001);
        Assert.That(ErrorCode(Parse(server.Handle(AllocateRequest((credential, nonce)), second))), Is.EqualTo(486), "bounded number of allocations");

        var deleted = Parse(server.Handle(Request(TurnWire.Refresh, credential, nonce, w => w.AddUInt32(TurnWire.AttrLifetime, 0)), s_client));
        Assert.Multiple(() =>
        {
            Assert.That(deleted.Class, Is.EqualTo(TurnWire.Success));
            Assert.That(server.AllocationCount, Is.Zero);
        });

        var before = server.MalformedDropped;
        byte[][] garbage = [[], [0, 1, 0, 0], [0x40, 0x00, 0xFF, 0xFF, 1], [.. RandomNumberGenerator.GetBytes(19)], [0, 1, 0, 4, 0x21, 0x12, 0xA4, 0x42, .. new byte[12], 0, 6, 0, 9]];
        foreach (var datagram in garbage)
        {
            Assert.That(() => server.Handle(datagram, s_client), Throws.Nothing);
        }

        Assert.That(server.MalformedDropped, Is.GreaterThanOrEqualTo(before + 3));
    }

    [Test]
    public async Task Relay_SendIndicationAndChannelData_ReachThePeerAndComeBack()
    {
        await using var server = NewServer(TimeProvider.System, maxAllocations: 4);
        server.Start();
        using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        using var peer = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var peerEndPoint = (IPEndPoint)peer.Client.LocalEndPoint!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        async Task<TurnWire.Message> ExchangeAsync(byte[] request)
        {
            await client.SendAsync(request, server.EndPoint, timeout.Token);
            return Parse((await client.ReceiveAsync(timeout.Token)).Buffer);
        }

        var nonce = (await ExchangeAsync(AllocateRequest(null))).GetString(TurnWire.AttrNonce)!;
        var credential = Mint(DateTimeOffset.UtcNow + TimeSpan.FromMinutes(5));
        var relay = (await ExchangeAsync(AllocateRequest((credential, nonce)))).GetXorAddresses(TurnWire.AttrXorRelayedAddress)![0];
        Assert.That((await ExchangeAsync(Request(TurnWire.CreatePermission, credential, nonce, w => w.AddXorAddress(TurnWire.AttrXorPeerAddress, peerEndPoint)))).Class, Is.EqualTo(TurnWire.Success));

        // Send indication → peer; peer → relay → Data indication.
        await client.SendAsync(new TurnWire.Writer(TurnWire.Send, TurnWire.Indication, RandomNumberGenerator.GetBytes(12))
            .AddXorAddress(TurnWire.AttrXorPeerAddress, peerEndPoint).Add(TurnWire.AttrData, "to-peer"u8).Finish(), server.EndPoint, timeout.Token);
        var atPeer = await peer.ReceiveAsync(timeout.Token);
        Assert.Multiple(() =>
        {
            Assert.That(Encoding.UTF8.GetString(atPeer.Buffer), Is.EqualTo("to-peer"));
            Assert.That(atPeer.RemoteEndPoint, Is.EqualTo(relay));
        });
        await peer.SendAsync("to-client"u8.ToArray(), relay, timeout.Token);
        var data = Parse((await client.ReceiveAsync(timeout.Token)).Buffer);
        Assert.Multiple(() =>
        {
            Assert.That(data.Method, Is.EqualTo(TurnWire.Data));
            Assert.That(Encoding.UTF8.GetString(data.Get(TurnWire.AttrData)), Is.EqualTo("to-client"));
        });

        // ChannelBind, then ChannelData both ways.
        var bind = await ExchangeAsync(Request(TurnWire.ChannelBind, credential, nonce, w => w.AddUInt32(TurnWire.AttrChannelNumber, 0x40010000).AddXorAddress(TurnWire.AttrXorPeerAddress, peerEndPoint)));
        Assert.That(bind.Class, Is.EqualTo(TurnWire.Success));
        await client.SendAsync(TurnWire.ChannelData(0x4001, "cd-to-peer"u8), server.EndPoint, timeout.Token);
        Assert.That(Encoding.UTF8.GetString((await peer.ReceiveAsync(timeout.Token)).Buffer), Is.EqualTo("cd-to-peer"));
        await peer.SendAsync("cd-to-client"u8.ToArray(), relay, timeout.Token);
        var channelData = (await client.ReceiveAsync(timeout.Token)).Buffer;
        Assert.Multiple(() =>
        {
            Assert.That(TurnWire.IsChannelData(channelData), Is.True);
            Assert.That(Encoding.UTF8.GetString(channelData, 4, (channelData[2] << 8) | channelData[3]), Is.EqualTo("cd-to-client"));
        });

        // A restart forgets the allocation and keeps the port; the old nonce is stale.
        var port = server.EndPoint.Port;
        await server.RestartAsync();
        Assert.Multiple(() =>
        {
            Assert.That(server.EndPoint.Port, Is.EqualTo(port));
            Assert.That(server.AllocationCount, Is.Zero);
        });
        Assert.That(ErrorCode(await ExchangeAsync(Request(TurnWire.Refresh, credential, nonce, w => w.AddUInt32(TurnWire.AttrLifetime, 600)))), Is.EqualTo(438));
    }

    private static EmulatorTurnServer NewServer(TimeProvider time, int maxAllocations) =>
        new(Secret, HashAlgorithmName.SHA1, IPAddress.Loopback, maxAllocations, time, NullLogger.Instance);

    private static (string Username, string Password) Mint(DateTimeOffset expires, string arn = Arn) =>
        new TurnCredentialMinter(Secret, HashAlgorithmName.SHA1).Mint(arn, expires);

#pragma warning disable CA5351 // The RFC 8489 long-term key is MD5 by definition.
    private static byte[] Key((string Username, string Password) credential) =>
        MD5.HashData(Encoding.UTF8.GetBytes(credential.Username + ":" + EmulatorTurnServer.Realm + ":" + credential.Password));
#pragma warning restore CA5351

    private static byte[] BindingRequest() => new TurnWire.Writer(TurnWire.Binding, TurnWire.Request, RandomNumberGenerator.GetBytes(12)).Finish();

    private static byte[] AllocateRequest(((string Username, string Password) Credential, string Nonce)? auth) =>
        auth is { } a
            ? Request(TurnWire.Allocate, a.Credential, a.Nonce, w => w.AddUInt32(TurnWire.AttrRequestedTransport, 17u << 24))
            : new TurnWire.Writer(TurnWire.Allocate, TurnWire.Request, RandomNumberGenerator.GetBytes(12)).AddUInt32(TurnWire.AttrRequestedTransport, 17u << 24).Finish();

    private static byte[] Request(ushort method, (string Username, string Password) credential, string nonce, Action<TurnWire.Writer> attributes)
    {
        var writer = new TurnWire.Writer(method, TurnWire.Request, RandomNumberGenerator.GetBytes(12));
        attributes(writer);
        writer.AddString(TurnWire.AttrUsername, credential.Username).AddString(TurnWire.AttrRealm, EmulatorTurnServer.Realm).AddString(TurnWire.AttrNonce, nonce);
        return writer.Finish(Key(credential));
    }

    private static TurnWire.Message Parse(byte[]? datagram)
    {
        Assert.That(datagram, Is.Not.Null, "a reply");
        Assert.That(TurnWire.Message.TryParse(datagram, out var message), Is.True, "a STUN reply");
        return message!;
    }

    private static int ErrorCode(TurnWire.Message message)
    {
        var value = message.Get(TurnWire.AttrErrorCode);
        return value.Length >= 4 ? (value[2] * 100) + value[3] : 0;
    }
}
