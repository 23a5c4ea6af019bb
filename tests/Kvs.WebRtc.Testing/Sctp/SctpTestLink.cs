using Kvs.WebRtc.PeerConnection.Sctp;

namespace Kvs.WebRtc.Testing.Sctp;

/// <summary>Two <see cref="SctpAssociation"/>s on a <see cref="DatagramTestLink{TCore}"/>, their events collected.</summary>
internal sealed class SctpTestLink : DatagramTestLink<SctpAssociation>
{
    /// <param name="optionsA">Options of A; null for defaults.</param>
    /// <param name="optionsB">Options of B; null for defaults.</param>
    /// <param name="seed">Seeds the impairment draws.</param>
    /// <param name="congestionControlA">A's congestion control; null for the default.</param>
    public SctpTestLink(SctpAssociationOptions? optionsA = null, SctpAssociationOptions? optionsB = null, int seed = 1, ISctpCongestionControl? congestionControlA = null)
        : base(TimeSpan.FromSeconds(100), seed, drawEveryImpairment: true)
    {
        A = new SctpAssociation(optionsA, Now, congestionControl: congestionControlA);
        B = new SctpAssociation(optionsB, Now);
    }

    /// <summary>Every event A produced, in order.</summary>
    public List<SctpEvent> EventsA { get; } = [];

    /// <summary>Every event B produced, in order.</summary>
    public List<SctpEvent> EventsB { get; } = [];

    /// <summary>Called for every event as it is drained (isA, event).</summary>
    public Action<bool, SctpEvent>? OnEvent { get; set; }

    /// <summary>Messages delivered to B so far (cheaper than counting <see cref="EventsB"/>).</summary>
    public int MessagesReceivedByB { get; private set; }

    /// <summary>Starts A (and B unless <paramref name="both"/> is false).</summary>
    public void Connect(bool both = true)
    {
        A.Connect(Now);
        if (both)
        {
            B.Connect(Now);
        }
    }

    /// <summary>The messages one end received.</summary>
    public IEnumerable<SctpEvent> Messages(bool ofA) =>
        (ofA ? EventsA : EventsB).Where(e => e.Kind == SctpEventKind.MessageReceived);

    /// <inheritdoc />
    protected override bool DrainEvents(bool ofA)
    {
        var association = ofA ? A : B;
        var any = false;
        while (association.TryPollEvent(out var e))
        {
            any = true;
            (ofA ? EventsA : EventsB).Add(e);
            if (!ofA && e.Kind == SctpEventKind.MessageReceived)
            {
                MessagesReceivedByB++;
            }

            OnEvent?.Invoke(ofA, e);
        }

        return any;
    }
}
