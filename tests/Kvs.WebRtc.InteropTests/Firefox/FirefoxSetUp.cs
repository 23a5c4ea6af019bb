using Kvs.WebRtc.InteropTests.Support;
using NUnit.Framework;

namespace Kvs.WebRtc.InteropTests.Firefox;

/// <summary>
/// One headless Firefox for every test in this namespace (a launch takes seconds on a loaded 2-core machine): each test
/// creates a fresh peer connection with <see cref="FirefoxPeer.CreatePeerConnectionAsync"/>, which closes the previous
/// one and forgets its events. The tests of this namespace are non-parallelizable.
/// </summary>
[SetUpFixture]
public sealed class FirefoxSetUp
{
    private static FirefoxPeer? s_firefox;

    /// <summary>The shared Firefox.</summary>
    internal static FirefoxPeer Firefox => s_firefox ?? throw new InvalidOperationException("Firefox was not launched.");

    /// <summary>Launches Firefox (bounded; skips outside CI, fails under CI, when a tool is missing).</summary>
    [OneTimeSetUp]
    public async Task LaunchFirefoxAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        s_firefox = await FirefoxPeer.LaunchAsync(cts.Token);
    }

    /// <summary>Closes Firefox and node.</summary>
    [OneTimeTearDown]
    public async Task CloseFirefoxAsync()
    {
        if (s_firefox is not null)
        {
            await s_firefox.DisposeAsync();
            s_firefox = null;
        }
    }
}
