using System.Net;
using Kvs.WebRtc.PeerConnection.Stun;
using Kvs.WebRtc.PeerConnection.Turn;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Turn;

[TestFixture]
public sealed class TurnClientSessionTests
{
    private static readonly IPEndPoint s_peer = new(IPAddress.Parse("203.0.113.9"), 6000);
    private readonly ScriptedTurnServer _server = new();

    [Test]
    public void Allocate_401Challenge_RetriesWithLongTermCredentialsAndSucceeds()
    {
        var session = ScriptedTurnServer.NewSession();
        session.StartAllocate(TimeSpan.Zero);
        var first = _server.Single(session);
        Assert.That(first.Method, Is.EqualTo(StunMethod.Allocate));
        Assert.That(first.HasIntegrity, Is.False);
        Assert.That(first.Username, Is.Null);

        Assert.That(session.HandleInput(_server.Unauthorized(first, "nonce-1"), TimeSpan.Zero, out _, out _), Is.EqualTo(TurnInputResult.Handled));
        var second = _server.Single(session);
        Assert.That(second.Id, Is.Not.EqualTo(first.Id));
        Assert.That((second.Username, second.Realm, second.Nonce), Is.EqualTo((ScriptedTurnServer.Username, ScriptedTurnServer.RealmName, "nonce-1")));
        Assert.That(second.IntegrityValid, Is.True);
        Assert.That(StunMessage.TryParse(second.Raw, out var raw, out _) && raw.TryGetAttribute(StunAttributeType.RequestedTransport, out var transport) && transport[0] == 17, Is.True);
        Assert.That(second.Lifetime, Is.EqualTo(TimeSpan.FromSeconds(600)));

        session.HandleInput(_server.AllocateSuccess(second, TimeSpan.FromSeconds(600)), TimeSpan.Zero, out _, out _);
        Assert.That(session.TryPollEvent(out var evt), Is.True);
        Assert.That(evt.Kind, Is.EqualTo(TurnEventKind.AllocationSucceeded));
        Assert.That(session.State, Is.EqualTo(TurnSessionState.Allocated));
        Assert.That(session.RelayedAddress, Is.EqualTo(ScriptedTurnServer.Relayed));
        Assert.That(session.MappedAddress, Is.EqualTo(ScriptedTurnServer.Mapped));
        Assert.That(session.Lifetime, Is.EqualTo(TimeSpan.FromSeconds(600)));
    }

    [Test]
    public void Allocate_401AfterAuthenticatedRetry_FailsUnauthorized()
    {
        var session = ScriptedTurnServer.NewSession();
        session.StartAllocate(TimeSpan.Zero);
        session.HandleInput(_server.Unauthorized(_server.Single(session), "n1"), TimeSpan.Zero, out _, out _);
        session.HandleInput(_server.Unauthorized(_server.Single(session), "n2"), TimeSpan.Zero, out _, out _);
        Assert.That(session.TryPollEvent(out var evt), Is.True);
        Assert.That(evt.Kind, Is.EqualTo(TurnEventKind.AllocationFailed));
        Assert.That((evt.Error, evt.StunErrorCode), Is.EqualTo((TurnError.Unauthorized, 401)));
        Assert.That(session.State, Is.EqualTo(TurnSessionState.Failed));
        Assert.That(session.TryPollTransmit(out _), Is.False);
    }

    [Test]
    public void Allocate_438StaleNonce_RetriesWithTheNewNonce()
    {
        var session = ScriptedTurnServer.NewSession();
        session.StartAllocate(TimeSpan.Zero);
        session.HandleInput(_server.Unauthorized(_server.Single(session), "old"), TimeSpan.Zero, out _, out _);
        var authenticated = _server.Single(session);
        session.HandleInput(_server.StaleNonce(authenticated, "fresh"), TimeSpan.Zero, out _, out _);
        var retry = _server.Single(session);
        Assert.That(retry.Nonce, Is.EqualTo("fresh"));
        Assert.That(retry.IntegrityValid, Is.True);
        session.HandleInput(_server.AllocateSuccess(retry, TimeSpan.FromSeconds(600)), TimeSpan.Zero, out _, out _);
        Assert.That(session.State, Is.EqualTo(TurnSessionState.Allocated));
    }

    [Test]
    public void Allocate_Repeated438_GivesUpAfterTheRetryCap()
    {
        var session = ScriptedTurnServer.NewSession(o => o with { MaxStaleNonceRetries = 2 });
        session.StartAllocate(TimeSpan.Zero);
        session.HandleInput(_server.Unauthorized(_server.Single(session), "n0"), TimeSpan.Zero, out _, out _);
        for (var i = 1; i <= 3; i++)
        {
            session.HandleInput(_server.StaleNonce(_server.Single(session), "n" + i), TimeSpan.Zero, out _, out _);
        }

        Assert.That(session.TryPollEvent(out var evt), Is.True);
        Assert.That((evt.Kind, evt.Error), Is.EqualTo((TurnEventKind.AllocationFailed, TurnError.StaleNonce)));
    }

    [Test]
    public void Allocate_OtherErrorCode_FailsWithServerError()
    {
        var session = ScriptedTurnServer.NewSession();
        session.StartAllocate(TimeSpan.Zero);
        session.HandleInput(_server.Unauthorized(_server.Single(session), "n"), TimeSpan.Zero, out _, out _);
        session.HandleInput(_server.Error(_server.Single(session), 486, "Allocation Quota Reached"), TimeSpan.Zero, out _, out _);
        Assert.That(session.TryPollEvent(out var evt), Is.True);
        Assert.That((evt.Error, evt.StunErrorCode, evt.Reason), Is.EqualTo((TurnError.ServerError, 486, "Allocation Quota Reached")));
    }

    [Test]
    public void Allocate_SuccessWithBadIntegrity_IsDroppedAndTransactionStaysOpen()
    {
        var session = ScriptedTurnServer.NewSession();
        session.StartAllocate(TimeSpan.Zero);
        session.HandleInput(_server.Unauthorized(_server.Single(session), "n"), TimeSpan.Zero, out _, out _);
        var request = _server.Single(session);
        var forged = _server.AllocateSuccess(request, TimeSpan.FromSeconds(600), key: new byte[16]);
        Assert.That(session.HandleInput(forged, TimeSpan.Zero, out _, out _), Is.EqualTo(TurnInputResult.Dropped));
        Assert.That(session.DroppedMessages, Is.EqualTo(1));
        Assert.That(session.State, Is.EqualTo(TurnSessionState.Allocating));
        session.HandleInput(_server.AllocateSuccess(request, TimeSpan.FromSeconds(600)), TimeSpan.Zero, out _, out _);
        Assert.That(session.State, Is.EqualTo(TurnSessionState.Allocated));
    }

    [Test]
    public void Allocate_NoResponseOverUdp_RetransmitsThenTimesOut()
    {
        var session = ScriptedTurnServer.NewSession();
        session.StartAllocate(TimeSpan.Zero);
        var sends = 0;
        var now = TimeSpan.Zero;
        for (var guard = 0; guard < 50 && session.State == TurnSessionState.Allocating; guard++)
        {
            while (session.TryPollTransmit(out _))
            {
                sends++;
            }

            now = session.NextTimeout!.Value;
            session.HandleTimeout(now);
        }

        Assert.That(sends, Is.EqualTo(7));
        Assert.That(now, Is.EqualTo(TimeSpan.FromMilliseconds(39_500)));
        Assert.That(session.TryPollEvent(out var evt), Is.True);
        Assert.That((evt.Kind, evt.Error), Is.EqualTo((TurnEventKind.AllocationFailed, TurnError.Timeout)));
    }

    [Test]
    public void Allocate_NoResponseOverTcp_SendsOnce()
    {
        var session = ScriptedTurnServer.NewSession(o => o with { IsReliableTransport = true });
        session.StartAllocate(TimeSpan.Zero);
        Assert.That(session.TryPollTransmit(out _), Is.True);
        Assert.That(session.NextTimeout, Is.EqualTo(TimeSpan.FromMilliseconds(39_500)));
        session.HandleTimeout(TimeSpan.FromSeconds(20));
        Assert.That(session.TryPollTransmit(out _), Is.False);
    }

    [Test]
    public void Refresh_IsSentAMinuteBeforeExpiry_AndRescheduled()
    {
        var session = ScriptedTurnServer.NewSession();
        _server.Allocate(session, TimeSpan.Zero, TimeSpan.FromSeconds(600));
        Assert.That(session.NextTimeout, Is.EqualTo(TimeSpan.FromSeconds(540)));
        session.HandleTimeout(TimeSpan.FromSeconds(539));
        Assert.That(session.TryPollTransmit(out _), Is.False);

        session.HandleTimeout(TimeSpan.FromSeconds(540));
        var refresh = _server.Single(session);
        Assert.That(refresh.Method, Is.EqualTo(StunMethod.Refresh));
        Assert.That(refresh.Lifetime, Is.EqualTo(TimeSpan.FromSeconds(600)));
        Assert.That(refresh.IntegrityValid, Is.True);
        session.HandleInput(_server.Success(refresh, TimeSpan.FromSeconds(300)), TimeSpan.FromSeconds(541), out _, out _);
        Assert.That(session.Lifetime, Is.EqualTo(TimeSpan.FromSeconds(300)));
        Assert.That(session.NextTimeout, Is.EqualTo(TimeSpan.FromSeconds(541 + 240)));
    }

    [Test]
    public void Refresh_ShortLifetime_RefreshesAtEightyPercent()
    {
        var session = ScriptedTurnServer.NewSession();
        _server.Allocate(session, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60));
        Assert.That(session.NextTimeout, Is.EqualTo(TimeSpan.FromSeconds(10 + 48)));
    }

    [Test]
    public void Refresh_StaleNonce_RetriesAndKeepsAllocation()
    {
        var session = ScriptedTurnServer.NewSession();
        _server.Allocate(session, TimeSpan.Zero, TimeSpan.FromSeconds(600));
        session.HandleTimeout(TimeSpan.FromSeconds(540));
        session.HandleInput(_server.StaleNonce(_server.Single(session), "nonce-2"), TimeSpan.FromSeconds(540), out _, out _);
        var retry = _server.Single(session);
        Assert.That((retry.Method, retry.Nonce, retry.IntegrityValid), Is.EqualTo((StunMethod.Refresh, "nonce-2", true)));
        session.HandleInput(_server.Success(retry, TimeSpan.FromSeconds(600)), TimeSpan.FromSeconds(540), out _, out _);
        Assert.That(session.State, Is.EqualTo(TurnSessionState.Allocated));
    }

    [Test]
    public void Refresh_ErrorResponse_LosesAllocation()
    {
        var session = ScriptedTurnServer.NewSession();
        _server.Allocate(session, TimeSpan.Zero, TimeSpan.FromSeconds(600));
        session.HandleTimeout(TimeSpan.FromSeconds(540));
        session.HandleInput(_server.Error(_server.Single(session), 437, "Allocation Mismatch"), TimeSpan.FromSeconds(540), out _, out _);
        Assert.That(session.TryPollEvent(out var evt), Is.True);
        Assert.That((evt.Kind, evt.StunErrorCode), Is.EqualTo((TurnEventKind.AllocationLost, 437)));
        Assert.That(session.State, Is.EqualTo(TurnSessionState.Failed));
    }

    [Test]
    public void Close_SendsRefreshWithLifetimeZero_ThenClosed()
    {
        var session = ScriptedTurnServer.NewSession();
        _server.Allocate(session, TimeSpan.Zero, TimeSpan.FromSeconds(600));
        session.Close(TimeSpan.FromSeconds(5));
        var refresh = _server.Single(session);
        Assert.That((refresh.Method, refresh.Lifetime, refresh.IntegrityValid), Is.EqualTo((StunMethod.Refresh, (TimeSpan?)TimeSpan.Zero, true)));
        session.HandleInput(_server.Success(refresh, TimeSpan.Zero), TimeSpan.FromSeconds(5), out _, out _);
        Assert.That(session.State, Is.EqualTo(TurnSessionState.Closed));
        Assert.That(session.TryPollEvent(out var evt) && evt.Kind == TurnEventKind.Closed, Is.True);
    }

    [Test]
    public void CreatePermission_SendsXorPeerAddress_AndRefreshesEveryFourMinutes()
    {
        var session = ScriptedTurnServer.NewSession();
        _server.Allocate(session, TimeSpan.Zero, TimeSpan.FromSeconds(600));
        Assert.That(session.CreatePermission(s_peer.Address, TimeSpan.FromSeconds(1)), Is.True);
        Assert.That(session.CreatePermission(s_peer.Address, TimeSpan.FromSeconds(1)), Is.True, "idempotent");
        var request = _server.Single(session);
        Assert.That(request.Method, Is.EqualTo(StunMethod.CreatePermission));
        Assert.That(request.Peer!.Address, Is.EqualTo(s_peer.Address));
        Assert.That(request.IntegrityValid, Is.True);
        Assert.That(session.HasPermission(s_peer.Address), Is.False);

        session.HandleInput(_server.Success(request), TimeSpan.FromSeconds(1), out _, out _);
        Assert.That(session.HasPermission(s_peer.Address), Is.True);
        Assert.That(session.TryPollEvent(out var evt) && evt.Kind == TurnEventKind.PermissionCreated && evt.Peer!.Address.Equals(s_peer.Address), Is.True);

        Assert.That(session.NextTimeout, Is.EqualTo(TimeSpan.FromSeconds(241)));
        session.HandleTimeout(TimeSpan.FromSeconds(241));
        var refresh = _server.Single(session);
        Assert.That(refresh.Method, Is.EqualTo(StunMethod.CreatePermission));
        session.HandleInput(_server.Success(refresh), TimeSpan.FromSeconds(241), out _, out _);
        Assert.That(session.TryPollEvent(out _), Is.False, "refreshes are silent");
        Assert.That(session.NextTimeout, Is.EqualTo(TimeSpan.FromSeconds(481)));
    }

    [Test]
    public void CreatePermission_BeyondCap_IsRefused()
    {
        var session = ScriptedTurnServer.NewSession(o => o with { MaxPermissions = 2 });
        _server.Allocate(session, TimeSpan.Zero, TimeSpan.FromSeconds(600));
        Assert.That(session.CreatePermission(IPAddress.Parse("203.0.113.1"), TimeSpan.Zero), Is.True);
        Assert.That(session.CreatePermission(IPAddress.Parse("203.0.113.2"), TimeSpan.Zero), Is.True);
        Assert.That(session.CreatePermission(IPAddress.Parse("203.0.113.3"), TimeSpan.Zero), Is.False);
        Assert.That(session.PermissionCount, Is.EqualTo(2));
    }

    [Test]
    public void CreatePermission_ErrorResponse_RemovesPermissionAndReports()
    {
        var session = ScriptedTurnServer.NewSession();
        _server.Allocate(session, TimeSpan.Zero, TimeSpan.FromSeconds(600));
        session.CreatePermission(s_peer.Address, TimeSpan.Zero);
        session.HandleInput(_server.Error(_server.Single(session), 403, "Forbidden"), TimeSpan.Zero, out _, out _);
        Assert.That(session.TryPollEvent(out var evt), Is.True);
        Assert.That((evt.Kind, evt.StunErrorCode), Is.EqualTo((TurnEventKind.PermissionFailed, 403)));
        Assert.That(session.PermissionCount, Is.Zero);
    }

    [Test]
    public void WrapOutgoing_BeforeChannel_IsSendIndication_AfterBind_IsChannelData()
    {
        var session = ScriptedTurnServer.NewSession();
        _server.Allocate(session, TimeSpan.Zero, TimeSpan.FromSeconds(600));
        byte[] payload = [1, 2, 3, 4, 5];
        var buffer = new byte[TurnClientSession.GetMaxWrappedSize(payload.Length)];

        var length = session.WrapOutgoing(s_peer, payload, buffer);
        Assert.That(StunMessage.TryParse(buffer.AsSpan(0, length), out var send, out _), Is.True);
        Assert.That(send.Type, Is.EqualTo(new StunMessageType(StunMethod.Send, StunClass.Indication)));
        Assert.That(send.TryGetXorAddress(StunAttributeType.XorPeerAddress, out var to) && to.Equals(s_peer), Is.True);
        Assert.That(send.TryGetAttribute(StunAttributeType.Data, out var data) && data.SequenceEqual(payload), Is.True);
        Assert.That(send.HasMessageIntegrity, Is.False);

        Assert.That(session.BindChannel(s_peer, TimeSpan.Zero), Is.True);
        var requests = _server.AnswerAll(session, TimeSpan.Zero);
        var bind = requests.Single(r => r.Method == StunMethod.ChannelBind);
        Assert.That((bind.Channel, bind.Peer), Is.EqualTo(((ushort?)0x4000, s_peer)));
        Assert.That(bind.IntegrityValid, Is.True);
        Assert.That(requests.Single(r => r.Method == StunMethod.CreatePermission).Peer!.Address, Is.EqualTo(s_peer.Address), "a channel keeps a permission of its own");
        var events = new List<TurnEvent>();
        while (session.TryPollEvent(out var e))
        {
            events.Add(e);
        }

        Assert.That(events.Any(e => e.Kind == TurnEventKind.ChannelBound && e.Channel == 0x4000), Is.True);
        Assert.That(session.HasPermission(s_peer.Address), Is.True);

        length = session.WrapOutgoing(s_peer, payload, buffer);
        Assert.That(buffer.AsSpan(0, length).ToArray(), Is.EqualTo(new byte[] { 0x40, 0x00, 0x00, 0x05, 1, 2, 3, 4, 5 }));
        Assert.That(session.NextTimeout, Is.EqualTo(TimeSpan.FromSeconds(240)), "the channel's permission is refreshed first");
    }

    [Test]
    public void WrapOutgoing_ChannelDataOverTcp_IsPaddedToFourBytes()
    {
        var session = ScriptedTurnServer.NewSession(o => o with { IsReliableTransport = true });
        _server.Allocate(session, TimeSpan.Zero, TimeSpan.FromSeconds(600));
        session.BindChannel(s_peer, TimeSpan.Zero);
        _server.AnswerAll(session, TimeSpan.Zero);
        var buffer = new byte[64];
        var length = session.WrapOutgoing(s_peer, [1, 2, 3, 4, 5], buffer);
        Assert.That(length, Is.EqualTo(12));
        Assert.That(buffer.AsSpan(0, length).ToArray(), Is.EqualTo(new byte[] { 0x40, 0x00, 0x00, 0x05, 1, 2, 3, 4, 5, 0, 0, 0 }));
    }

    [Test]
    public void BindChannel_BeyondCap_IsRefused_AndNumbersAreDistinct()
    {
        var session = ScriptedTurnServer.NewSession(o => o with { MaxChannels = 2 });
        _server.Allocate(session, TimeSpan.Zero, TimeSpan.FromSeconds(600));
        Assert.That(session.BindChannel(new IPEndPoint(IPAddress.Loopback, 1), TimeSpan.Zero), Is.True);
        Assert.That(session.BindChannel(new IPEndPoint(IPAddress.Loopback, 2), TimeSpan.Zero), Is.True);
        Assert.That(session.BindChannel(new IPEndPoint(IPAddress.Loopback, 3), TimeSpan.Zero), Is.False);
        var channels = _server.All(session).Where(r => r.Method == StunMethod.ChannelBind).Select(r => r.Channel);
        Assert.That(channels, Is.EquivalentTo(new ushort?[] { 0x4000, 0x4001 }));
    }

    [Test]
    public void HandleInput_DataIndicationFromPermittedPeer_DeliversPayload()
    {
        var session = ScriptedTurnServer.NewSession();
        _server.Allocate(session, TimeSpan.Zero, TimeSpan.FromSeconds(600));
        session.CreatePermission(s_peer.Address, TimeSpan.Zero);
        session.HandleInput(_server.Success(_server.Single(session)), TimeSpan.Zero, out _, out _);

        var result = session.HandleInput(ScriptedTurnServer.DataIndication(s_peer, [7, 7, 7]), TimeSpan.Zero, out var from, out var data);
        Assert.That(result, Is.EqualTo(TurnInputResult.PeerData));
        Assert.That(from, Is.EqualTo(s_peer));
        Assert.That(data.ToArray(), Is.EqualTo(new byte[] { 7, 7, 7 }));

        var stranger = new IPEndPoint(IPAddress.Parse("203.0.113.200"), 1);
        Assert.That(session.HandleInput(ScriptedTurnServer.DataIndication(stranger, [1]), TimeSpan.Zero, out _, out _), Is.EqualTo(TurnInputResult.Dropped));
    }

    [Test]
    public void HandleInput_ChannelDataOnBoundChannel_DeliversWithPeer_UnboundIsDropped()
    {
        var session = ScriptedTurnServer.NewSession();
        _server.Allocate(session, TimeSpan.Zero, TimeSpan.FromSeconds(600));
        session.BindChannel(s_peer, TimeSpan.Zero);
        _server.AnswerAll(session, TimeSpan.Zero);

        var result = session.HandleInput([0x40, 0x00, 0x00, 0x02, 9, 8], TimeSpan.Zero, out var from, out var data);
        Assert.That(result, Is.EqualTo(TurnInputResult.PeerData));
        Assert.That(from, Is.EqualTo(s_peer));
        Assert.That(data.ToArray(), Is.EqualTo(new byte[] { 9, 8 }));
        Assert.That(session.HandleInput([0x40, 0x01, 0x00, 0x01, 9], TimeSpan.Zero, out _, out _), Is.EqualTo(TurnInputResult.Dropped));
        Assert.That(session.HandleInput([0x40, 0x00, 0x00, 0x09, 9], TimeSpan.Zero, out _, out _), Is.EqualTo(TurnInputResult.Dropped), "length past the end");
    }

    [Test]
    public void HandleTimeout_RefreshCannotBeSent_RetriesLaterInsteadOfSpinning()
    {
        var session = ScriptedTurnServer.NewSession(o => o with { MaxPendingRequests = 1 });
        _server.Allocate(session, TimeSpan.Zero, TimeSpan.FromSeconds(600));
        Assert.That(session.CreatePermission(s_peer.Address, TimeSpan.Zero), Is.True);
        _ = _server.Single(session); // left unanswered: the one request slot stays taken (UDP retransmits it)
        session.HandleTimeout(TimeSpan.FromSeconds(540));
        while (session.TryPollTransmit(out var bytes))
        {
            Assert.That(ScriptedTurnServer.Decode(bytes, _server.Key).Method, Is.EqualTo(StunMethod.CreatePermission));
        }

        Assert.That(session.NextTimeout, Is.GreaterThan(TimeSpan.FromSeconds(540)));
    }

    [Test]
    public void HandleInput_UnmatchedResponse_IsDropped()
    {
        var session = ScriptedTurnServer.NewSession();
        _server.Allocate(session, TimeSpan.Zero, TimeSpan.FromSeconds(600));
        var fake = new SeenRequest(StunMethod.Refresh, TransactionId.NewRandom(), null, null, null, false, false, null, null, null, []);
        Assert.That(session.HandleInput(_server.Success(fake, TimeSpan.Zero), TimeSpan.Zero, out _, out _), Is.EqualTo(TurnInputResult.Dropped));
        Assert.That(session.State, Is.EqualTo(TurnSessionState.Allocated));
    }

    [Test]
    public void HandleInput_SeededMutationsOfServerMessages_NeverThrow()
    {
        var session = ScriptedTurnServer.NewSession();
        _server.Allocate(session, TimeSpan.Zero, TimeSpan.FromSeconds(600));
        session.CreatePermission(s_peer.Address, TimeSpan.Zero);
        session.HandleInput(_server.Success(_server.Single(session)), TimeSpan.Zero, out _, out _);
        session.BindChannel(s_peer, TimeSpan.Zero);
        var bind = _server.Single(session);
        var seeds = new[]
        {
            ScriptedTurnServer.DataIndication(s_peer, [1, 2, 3, 4, 5, 6]),
            new byte[] { 0x40, 0x00, 0x00, 0x03, 1, 2, 3, 0 },
            _server.Error(bind, 438, "Stale Nonce", "x", withIntegrity: false),
            _server.Success(bind),
        };
        var random = new Random(8656);
        for (var i = 0; i < 5_000; i++)
        {
            var bytes = (byte[])seeds[random.Next(seeds.Length)].Clone();
            for (var n = random.Next(1, 4); n > 0; n--)
            {
                bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
            }

            if (random.Next(4) == 0)
            {
                bytes = bytes[..random.Next(bytes.Length)];
            }

            Assert.DoesNotThrow(() => session.HandleInput(bytes, TimeSpan.Zero, out _, out _));
        }

        Assert.That(session.DroppedMessages, Is.GreaterThan(0));
    }

    [Test]
    public void Options_ToString_DoesNotRevealPassword()
    {
        var options = new TurnClientOptions { Username = "u", Password = "hunter2" };
        Assert.That(options.ToString(), Does.Not.Contain("hunter2"));
    }
}
