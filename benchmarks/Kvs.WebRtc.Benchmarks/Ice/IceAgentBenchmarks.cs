using System.Net;
using System.Text;
using BenchmarkDotNet.Attributes;
using Kvs.WebRtc.PeerConnection.Ice;
using Kvs.WebRtc.PeerConnection.Stun;

namespace Kvs.WebRtc.Benchmarks.Ice;

/// <summary>
/// The sans-IO agent alone: a whole in-memory ICE session between two agents (no sockets, virtual time), answering
/// one connectivity check (parse, HMAC-SHA1 verify, response with integrity and fingerprint), and passing one
/// application datagram through the demultiplexer (the per-packet hot path, expected allocation free).
/// </summary>
[MemoryDiagnoser]
public class IceAgentBenchmarks
{
    private static readonly IPEndPoint s_baseA = IPEndPoint.Parse("10.0.0.1:1000");
    private static readonly IPEndPoint s_baseB = IPEndPoint.Parse("10.0.0.2:2000");
    private readonly byte[] _dtls = new byte[1200];
    private IceAgent _connected = null!;
    private IceAgent _responder = null!;
    private byte[] _check = null!;
    private long _sessions;

    [GlobalSetup]
    public void Setup()
    {
        _dtls[0] = 23;
        var (a, _) = ConnectInMemory();
        _connected = a;
        _responder = new IceAgent(IceRole.Controlled);
        _responder.AddHostCandidate(s_baseA, 0);
        var buffer = new byte[256];
        var writer = new IceStunWriter(buffer, IceStunWriter.BindingRequest, TransactionId.NewRandom());
        writer.AddUsername(_responder.LocalCredentials.Ufrag + ":peer");
        writer.AddPriority(1845501695);
        writer.AddIceControlling(42);
        writer.AddMessageIntegrity(Encoding.UTF8.GetBytes(_responder.LocalCredentials.Password));
        writer.AddFingerprint();
        _check = writer.Written.ToArray();
        _responder.HandleDatagram(_check, s_baseA, s_baseB, TimeSpan.Zero); // learn the prflx once
        Drain(_responder);
    }

    /// <summary>Two agents, full checklist, nomination and selection, in memory.</summary>
    [Benchmark]
    public bool ConnectInMemoryPair()
    {
        _sessions++;
        return ConnectInMemory().A.SelectedPair is not null;
    }

    /// <summary>One authenticated Binding request answered.</summary>
    [Benchmark]
    public int AnswerCheck()
    {
        _responder.HandleDatagram(_check, s_baseA, s_baseB, TimeSpan.Zero);
        return Drain(_responder);
    }

    /// <summary>One 1,200-byte DTLS datagram from the selected remote classified as application data.</summary>
    [Benchmark]
    public int DemuxApplicationData()
    {
        var pair = _connected.SelectedPair!;
        return (int)_connected.HandleDatagram(_dtls, pair.LocalBase, pair.RemoteEndPoint, TimeSpan.FromSeconds(1));
    }

    private static int Drain(IceAgent agent)
    {
        var n = 0;
        while (agent.TryPollTransmit(out _))
        {
            n++;
        }

        while (agent.TryPollEvent(out _))
        {
        }

        return n;
    }

    private static (IceAgent A, IceAgent B) ConnectInMemory()
    {
        var a = new IceAgent(IceRole.Controlling);
        var b = new IceAgent(IceRole.Controlled);
        a.AddHostCandidate(s_baseA, 0);
        b.AddHostCandidate(s_baseB, 0);
        a.SetLocalGatheringDone();
        b.SetLocalGatheringDone();
        a.SetRemoteCredentials(b.LocalCredentials);
        b.SetRemoteCredentials(a.LocalCredentials);
        a.AddRemoteCandidate(b.LocalCandidates.First());
        b.AddRemoteCandidate(a.LocalCandidates.First());
        var now = TimeSpan.Zero;
        for (var i = 0; i < 10_000 && (a.SelectedPair is null || b.SelectedPair is null); i++)
        {
            var moved = Deliver(a, b, s_baseB, now) | Deliver(b, a, s_baseA, now);
            if (!moved)
            {
                var next = Min(a.NextTimeout, b.NextTimeout);
                if (next is null)
                {
                    break;
                }

                now = next.Value > now ? next.Value : now;
                a.HandleTimeout(now);
                b.HandleTimeout(now);
            }
        }

        return (a, b);
    }

    private static bool Deliver(IceAgent from, IceAgent to, IPEndPoint toBase, TimeSpan now)
    {
        var moved = false;
        while (from.TryPollTransmit(out var t))
        {
            moved = true;
            if (t.Destination.Equals(toBase))
            {
                to.HandleDatagram(t.Data.Span, toBase, t.LocalBase, now);
            }
        }

        while (from.TryPollEvent(out _))
        {
        }

        return moved;
    }

    private static TimeSpan? Min(TimeSpan? x, TimeSpan? y) => x is null ? y : y is null ? x : (x < y ? x : y);
}
