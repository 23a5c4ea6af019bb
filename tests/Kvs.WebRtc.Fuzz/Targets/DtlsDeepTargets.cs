using Kvs.WebRtc.PeerConnection.Dtls;

namespace Kvs.WebRtc.Fuzz.Targets;

/// <summary>
/// DTLS past the handshake's secret-bound checks: the connection under test and a shadow peer both use
/// <see cref="DeterministicDtlsEntropy"/> and fixed certificates, so every run repeats the same bytes and a recorded
/// peer flight replays into a fresh connection up to Finished verification and epoch-1 decryption. The input is a
/// list of operations (FuzzInput records, first byte the operation): pass the peer's pending datagrams on, inject
/// raw bytes, have the peer seal a record of any content type with its real epoch-1 keys (the harness "writes the
/// MAC" the way the SCTP harness writes the CRC), have the peer send application data, or let time pass. The
/// connection's own output always reaches the peer, which stays in lock step.
/// </summary>
public static class DtlsDeepTargets
{
    /// <summary>Operation codes (the first byte of a record, modulo <see cref="OperationCount"/>).</summary>
    public const byte Pass = 0, Raw = 1, Sealed = 2, AppData = 3, Wait = 4, OperationCount = 5;

    private static readonly Lazy<DtlsCertificate> s_clientCertificate = new(() => DeterministicDtlsEntropy.CreateCertificate("client"));
    private static readonly Lazy<DtlsCertificate> s_serverCertificate = new(() => DeterministicDtlsEntropy.CreateCertificate("server"));

    internal static IEnumerable<FuzzTarget> All()
    {
        yield return new("dtls-server-deep", "deterministic DtlsConnection server (cookie exchange) vs a shadow client: pass/raw/sealed epoch-1/app-data/wait operations", data => Run(DtlsRole.Server, data));
        yield return new("dtls-client-deep", "deterministic DtlsConnection client vs a shadow server: pass/raw/sealed epoch-1/app-data/wait operations", data => Run(DtlsRole.Client, data));
    }

    /// <summary>Runs the operations of <paramref name="data"/> against a connection of <paramref name="role"/>.</summary>
    internal static Outcome Run(DtlsRole role, byte[] data)
    {
        using var pair = new Pair(role);
        foreach (var record in FuzzInput.Split(data))
        {
            if (record.Length == 0)
            {
                continue;
            }

            pair.Apply((byte)(record[0] % OperationCount), record.AsSpan(1));
        }

        pair.Finish();
        return new Outcome(pair.Target.State, pair.EverConnected, pair.ApplicationRecordsRead, pair.Target.DroppedRecords);
    }

    /// <summary>
    /// Runs one input of <paramref name="target"/> (<c>dtls-server-deep</c> or <c>dtls-client-deep</c>) and tells
    /// whether the connection under test got connected, how many application records it read and whether it ended
    /// failed: the replay test's check that inputs recorded by another process still go past Finished.
    /// </summary>
    public static (bool EverConnected, int ApplicationRecords, bool Failed) Replay(string target, byte[] data)
    {
        var outcome = Run(target == "dtls-client-deep" ? DtlsRole.Client : DtlsRole.Server, data);
        return (outcome.EverConnected, outcome.ApplicationRecordsRead, outcome.State == DtlsState.Failed);
    }

    /// <summary>What a run ended with (for the replay test's determinism check).</summary>
    internal readonly record struct Outcome(DtlsState State, bool EverConnected, int ApplicationRecordsRead, long DroppedRecords);

    /// <summary>
    /// Seed scripts for <paramref name="role"/>: the whole exchange by <see cref="Pass"/>, the same flights as recorded
    /// <see cref="Raw"/> records (one DTLS record each), and the recording with the peer's Finished replaced by a
    /// sealed Finished of wrong verify_data; each followed by application data, a sealed alert and sealed records.
    /// Throws when a recording does not replay to a connected state (the determinism the target depends on).
    /// </summary>
    internal static IEnumerable<byte[]> Seeds(DtlsRole role)
    {
        byte[][] tail =
        [
            [AppData, .. "ping"u8],
            [AppData, .. new byte[1000]],
            [Sealed, 23, .. "sealed application data"u8],
            [Sealed, 22, 20, 0, 0, 12, 0, 9, 0, 0, 0, 0, 0, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
            [Wait, 100],
            [Sealed, 21, 1, 0],
        ];
        var passScript = Enumerable.Repeat(new[] { Pass }, 6).Concat(tail).ToList();
        List<byte[]> passed;
        using (var pair = new Pair(role))
        {
            foreach (var op in passScript)
            {
                pair.Apply(op[0], op.AsSpan(1));
            }

            Require(pair.EverConnected && pair.ApplicationRecordsRead >= 2, role, "pass script", pair.Target.State);
            passed = pair.Passed;
        }

        yield return FuzzInput.Join(passScript);

        var records = passed.SelectMany(SplitRecords).ToList();
        var recorded = records.Select(r => (byte[])[Raw, .. r]).ToList();
        var replay = FuzzInput.Join(recorded.Concat(tail.Take(2)));
        var outcome = Run(role, replay);
        Require(outcome.EverConnected && outcome.ApplicationRecordsRead >= 2, role, "recorded flights", outcome.State);
        yield return replay;

        // The peer's Finished (its first epoch-1 handshake record) replaced by a sealed one with the next message
        // sequence and a wrong verify_data: decrypts, then fails verification.
        var finished = records.FindIndex(r => r[0] == 22 && r[3] == 0 && r[4] == 1);
        var lastPlain = records.FindLastIndex(finished, r => r[0] == 22 && r[3] == 0 && r[4] == 0);
        if (finished > 0 && lastPlain >= 0)
        {
            var sequence = (records[lastPlain][13 + 4] << 8) | records[lastPlain][13 + 5];
            sequence++;
            byte[] badFinished = [Sealed, 22, 20, 0, 0, 12, (byte)(sequence >> 8), (byte)sequence, 0, 0, 0, 0, 0, 12, .. new byte[12]];
            var variant = recorded.Take(finished).Append(badFinished).Concat(recorded.Skip(finished + 1)).Concat(tail);
            yield return FuzzInput.Join(variant);
        }
    }

    private static void Require(bool condition, DtlsRole role, string what, DtlsState state)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"dtls-{role.ToString().ToLowerInvariant()}-deep seed: the {what} did not reach Connected with application data (state {state}); the connection is not deterministic.");
        }
    }

    /// <summary>The DTLS records of one datagram (13-byte header plus its length each).</summary>
    private static IEnumerable<byte[]> SplitRecords(byte[] datagram)
    {
        var offset = 0;
        while (offset + DtlsRecordHeader.Size <= datagram.Length)
        {
            var length = (datagram[offset + 11] << 8) | datagram[offset + 12];
            var end = Math.Min(datagram.Length, offset + DtlsRecordHeader.Size + length);
            yield return datagram[offset..end];
            offset = end;
        }
    }

    /// <summary>The connection under test and its shadow peer, with the peer's not yet delivered datagrams.</summary>
    internal sealed class Pair : IDisposable
    {
        private readonly byte[] _buffer = new byte[DtlsConnection.MaxApplicationDataLength + 256];
        private readonly Queue<byte[]> _pending = new();
        private TimeSpan _now = TimeSpan.FromSeconds(1);

        public Pair(DtlsRole role)
        {
            var clientOptions = new DtlsOptions { Entropy = new DeterministicDtlsEntropy("client") };
            var serverOptions = new DtlsOptions { Entropy = new DeterministicDtlsEntropy("server") };
            var client = new DtlsConnection(DtlsRole.Client, s_clientCertificate.Value, [s_serverCertificate.Value.Fingerprint], clientOptions);
            var server = new DtlsConnection(DtlsRole.Server, s_serverCertificate.Value, [s_clientCertificate.Value.Fingerprint], serverOptions);
            (Target, Peer) = role == DtlsRole.Client ? (client, server) : (server, client);
            Peer.Start(_now);
            Target.Start(_now);
            Pump();
        }

        public DtlsConnection Target { get; }

        public DtlsConnection Peer { get; }

        public int ApplicationRecordsRead { get; private set; }

        /// <summary>Whether the connection under test was connected at some point.</summary>
        public bool EverConnected { get; private set; }

        /// <summary>Every datagram the peer handed to the target by <see cref="Pass"/> (what a seed records).</summary>
        public List<byte[]> Passed { get; } = [];

        public void Apply(byte operation, ReadOnlySpan<byte> payload)
        {
            switch (operation)
            {
                case Pass:
                    DeliverPending();
                    break;
                case Raw:
                    Target.HandleInput(payload, _now);
                    break;
                case Sealed:
                    if (!payload.IsEmpty && Peer.TrySealRecordForFuzzing(payload[0], payload[1..], _buffer, out var written))
                    {
                        Target.HandleInput(_buffer.AsSpan(0, written), _now);
                    }

                    break;
                case AppData:
                    if (Peer.State == DtlsState.Connected && Peer.SendApplicationData(payload[..Math.Min(payload.Length, DtlsConnection.MaxApplicationDataLength)]))
                    {
                        CollectPeerOutput();
                        DeliverPending();
                    }

                    break;
                default:
                    _now += TimeSpan.FromMilliseconds(10 * (payload.IsEmpty ? 1 : payload[0] + 1));
                    Target.HandleTimeout(_now);
                    Peer.HandleTimeout(_now);
                    break;
            }

            Pump();
        }

        public void Finish()
        {
            _now += TimeSpan.FromSeconds(5);
            Target.HandleTimeout(_now);
            Pump();
        }

        private void DeliverPending()
        {
            while (_pending.TryDequeue(out var datagram))
            {
                Passed.Add(datagram);
                Target.HandleInput(datagram, _now);
            }
        }

        private void CollectPeerOutput()
        {
            for (var i = 0; i < 256 && Peer.TryPollTransmit(_buffer, _now, out var length); i++)
            {
                if (_pending.Count < 256)
                {
                    _pending.Enqueue(_buffer[..length]);
                }
            }
        }

        /// <summary>The target's output reaches the peer; the peer's output waits for <see cref="Pass"/>.</summary>
        private void Pump()
        {
            for (var round = 0; round < 8; round++)
            {
                var moved = false;
                for (var i = 0; i < 256 && Target.TryPollTransmit(_buffer, _now, out var length); i++)
                {
                    Peer.HandleInput(_buffer.AsSpan(0, length), _now);
                    moved = true;
                }

                for (var i = 0; i < 1024 && Target.TryReadApplicationData(_buffer, out _); i++)
                {
                    ApplicationRecordsRead++;
                }

                for (var i = 0; i < 1024 && Peer.TryReadApplicationData(_buffer, out _); i++)
                {
                }

                if (!moved)
                {
                    break;
                }
            }

            EverConnected |= Target.State == DtlsState.Connected;
            CollectPeerOutput();
        }

        public void Dispose()
        {
            Target.Dispose();
            Peer.Dispose();
        }
    }
}
