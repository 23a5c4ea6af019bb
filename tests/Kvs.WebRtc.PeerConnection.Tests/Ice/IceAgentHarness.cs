using System.Net;
using Kvs.WebRtc.PeerConnection.Ice;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Ice;

/// <summary>
/// Two (or more) sans-IO agents on an in-memory network with optional NAT, loss and a fake STUN server.
/// <see cref="Pump"/> always processes queued datagrams first, then jumps the clock to the earliest deadline (str0m style).
/// </summary>
internal sealed class IceAgentHarness
{
    private readonly Dictionary<IPEndPoint, IceAgent> _owners = [];
    private readonly Dictionary<IPEndPoint, IPEndPoint> _natOut = []; // private base -> public address
    private readonly Dictionary<IPEndPoint, IPEndPoint> _natIn = [];  // public address -> private base
    private readonly List<IceAgent> _agents = [];

    public TimeSpan Now { get; private set; }

    public Dictionary<IceAgent, List<IceAgentEvent>> Events { get; } = [];

    public Dictionary<IceAgent, List<byte[]>> AppData { get; } = [];

    /// <summary>Return true to lose the datagram.</summary>
    public Func<IceAgent, IceTransmit, bool>? Drop { get; set; }

    public IPEndPoint? StunServer { get; set; }

    public int Delivered { get; private set; }

    public void Add(IceAgent agent, params IPEndPoint[] bases)
    {
        _agents.Add(agent);
        Events[agent] = [];
        AppData[agent] = [];
        for (var i = 0; i < bases.Length; i++)
        {
            _owners[bases[i]] = agent;
            agent.AddHostCandidate(bases[i], i);
        }
    }

    public void AddNat(IPEndPoint privateBase, IPEndPoint publicAddress)
    {
        _natOut[privateBase] = publicAddress;
        _natIn[publicAddress] = privateBase;
    }

    /// <summary>Signals every local candidate (as text, through the parser) and the credentials of <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static void Signal(IceAgent from, IceAgent to, bool candidates = true, bool endOfCandidates = true)
    {
        to.SetRemoteCredentials(from.LocalCredentials);
        if (candidates)
        {
            foreach (var c in from.LocalCandidates)
            {
                to.AddRemoteCandidate(IceCandidate.Parse(c.ToSdpAttribute()));
            }
        }

        if (endOfCandidates)
        {
            to.SetRemoteEndOfCandidates();
        }
    }

    /// <summary>Runs until <paramref name="done"/> holds or the clock passes <paramref name="until"/>; capped iterations.</summary>
    public bool Pump(TimeSpan until, Func<bool>? done = null)
    {
        for (var iteration = 0; iteration < 200_000; iteration++)
        {
            DrainEvents();
            if (done?.Invoke() == true)
            {
                return true;
            }

            if (DeliverOne())
            {
                continue;
            }

            TimeSpan? next = null;
            foreach (var agent in _agents)
            {
                if (agent.NextTimeout is { } t && (next is null || t < next))
                {
                    next = t;
                }
            }

            if (next is null || next > until)
            {
                Now = until;
                foreach (var agent in _agents)
                {
                    agent.HandleTimeout(Now);
                }

                DrainEvents();
                while (DeliverOne())
                {
                }

                DrainEvents();
                return done?.Invoke() ?? false;
            }

            if (next > Now)
            {
                Now = next.Value;
            }

            foreach (var agent in _agents)
            {
                if (agent.NextTimeout is { } t && t <= Now)
                {
                    agent.HandleTimeout(Now);

                    // Invariant: handling a timeout never leaves another one due at once (a driver would spin).
                    if (agent.NextTimeout is { } after && after <= Now)
                    {
                        throw new InvalidOperationException($"Agent still due at {after} after HandleTimeout({Now})");
                    }
                }
            }
        }

        throw new InvalidOperationException("Pump iteration cap reached");
    }

    private void DrainEvents()
    {
        foreach (var agent in _agents)
        {
            while (agent.TryPollEvent(out var e))
            {
                Events[agent].Add(e!);
            }
        }
    }

    private bool DeliverOne()
    {
        foreach (var sender in _agents)
        {
            if (!sender.TryPollTransmit(out var t))
            {
                continue;
            }

            if (Drop?.Invoke(sender, t) == true)
            {
                return true;
            }

            var source = _natOut.TryGetValue(t.LocalBase, out var pub) ? pub : t.LocalBase;
            if (StunServer is not null && t.Destination.Equals(StunServer))
            {
                AnswerAsStunServer(t, source);
                return true;
            }

            var destination = _natIn.TryGetValue(t.Destination, out var priv) ? priv : t.Destination;
            if (_owners.TryGetValue(destination, out var receiver))
            {
                Delivered++;
                var result = receiver.HandleDatagram(t.Data.Span, destination, source, Now);
                if (result == IceDatagramResult.ApplicationData)
                {
                    AppData[receiver].Add(t.Data.ToArray());
                }
            }

            return true;
        }

        return false;
    }

    private void AnswerAsStunServer(IceTransmit t, IPEndPoint mapped)
    {
        Assert.That(IceStunMessage.TryParse(t.Data.Span, out var request), Is.True);
        var id = request.TransactionId;
        var buffer = new byte[128];
        var writer = new IceStunWriter(buffer, IceStunWriter.BindingSuccess, id);
        writer.AddXorMappedAddress(mapped);
        writer.AddFingerprint();
        var response = writer.Written.ToArray();
        var sender = _owners[t.LocalBase];
        sender.HandleDatagram(response, t.LocalBase, StunServer!, Now);
    }

    public static IPEndPoint Ep(string text) => IPEndPoint.Parse(text);
}
