namespace Kvs.WebRtc.Emulator;

/// <summary>Counters of the emulator's embedded TURN server (<see cref="KvsEmulatorOptions.RunTurnServer"/>) at one moment.</summary>
/// <param name="Allocations">Allocations alive now.</param>
/// <param name="AllocationsCreated">Allocations created since the emulator started.</param>
/// <param name="Unauthorized">Requests answered 401 (no, wrong or expired credentials).</param>
/// <param name="RelayedDatagrams">Datagrams relayed in either direction.</param>
/// <param name="MalformedDropped">Datagrams dropped because they could not be parsed.</param>
/// <param name="Restarts">Restarts by <see cref="KvsEmulator.RestartTurnServerAsync"/>.</param>
public sealed record KvsEmulatorTurnStatistics(int Allocations, long AllocationsCreated, long Unauthorized, long RelayedDatagrams, long MalformedDropped, int Restarts);
