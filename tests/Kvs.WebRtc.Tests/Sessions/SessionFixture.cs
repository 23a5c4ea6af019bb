using Kvs.WebRtc.Emulator;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.Sessions;
using Kvs.WebRtc.Signaling.Auth;
using Kvs.WebRtc.Testing;
using NUnit.Framework;

namespace Kvs.WebRtc.Tests.Sessions;

/// <summary>
/// Shared setup of the session tests: a fresh in-process KVS emulator and channel per test, loopback-only peer
/// configuration, and bounded waits.
/// </summary>
public abstract class SessionFixture
{
    private KvsEmulator _emulator = null!;
    private string _channelName = null!;

    /// <summary>How long a test waits for one expected event.</summary>
    protected static TimeSpan WaitTimeout { get; } = TimeSpan.FromSeconds(30);

    /// <summary>Peer configuration gathering host candidates on 127.0.0.1 only.</summary>
    protected static RTCConfiguration Loopback => new() { IncludeLoopbackCandidates = true, EnableIpv6 = false, HostAddresses = [System.Net.IPAddress.Loopback] };

    /// <summary>This test's emulator (faults, connections, statistics).</summary>
    protected KvsEmulator Emulator => _emulator;

    /// <summary>The options of this test's channel on the emulator.</summary>
    protected KvsChannelOptions ChannelOptions { get; private set; } = null!;

    /// <summary>The prefix of the channel name (a unique suffix is added per test).</summary>
    protected abstract string ChannelPrefix { get; }

    [SetUp]
    public async Task StartEmulatorAsync()
    {
        _emulator = await KvsEmulator.StartAsync(CreateEmulatorOptions());
        _channelName = ChannelPrefix + Guid.NewGuid().ToString("N");
        ChannelOptions = CreateChannelOptions();
    }

    /// <summary>Fresh options of this test's channel on the emulator, adjusted by <paramref name="configure"/>.</summary>
    protected KvsChannelOptions CreateChannelOptions(Action<KvsChannelOptions>? configure = null)
    {
        var options = new KvsChannelOptions
        {
            Channel = _channelName,
            Region = _emulator.Region,
            ServiceUrl = _emulator.ServiceUrl,
            Credentials = new StaticCredentialsProvider(_emulator.Credentials),
            UseTurn = false,
        };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>The emulator's options for this fixture; default options unless overridden.</summary>
    protected virtual KvsEmulatorOptions CreateEmulatorOptions() => new();

    [TearDown]
    public async Task StopEmulatorAsync() => await _emulator.DisposeAsync();

    /// <summary>Master options on this test's channel with the loopback configuration.</summary>
    protected MasterSessionOptions MasterOptions() => new() { Channel = ChannelOptions, PeerConfiguration = Loopback };

    /// <summary>Viewer options on this test's channel with the loopback configuration.</summary>
    protected ViewerSessionOptions ViewerOptions(string clientId) => new() { Channel = ChannelOptions, ClientId = clientId, PeerConfiguration = Loopback };

    /// <summary>Polls until the condition holds; fails the test after <see cref="WaitTimeout"/>.</summary>
    protected static Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken) => Wait.UntilAsync(condition, WaitTimeout, cancellationToken: cancellationToken);

    /// <summary>Reads up to <paramref name="count"/> frames, stopping early after <see cref="WaitTimeout"/>.</summary>
    protected static async Task<List<EncodedFrame>> ReadFramesAsync(RemoteMediaTrack track, int count, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(WaitTimeout);
        var frames = new List<EncodedFrame>();
        await foreach (var frame in track.ReadFramesAsync(limit.Token))
        {
            frames.Add(frame);
            if (frames.Count == count)
            {
                break;
            }
        }

        return frames;
    }
}
