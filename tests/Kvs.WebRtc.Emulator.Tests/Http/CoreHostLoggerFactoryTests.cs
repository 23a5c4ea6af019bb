using Kvs.WebRtc.Emulator.Http;
using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace Kvs.WebRtc.Emulator.Tests.Http;

[TestFixture]
public sealed class CoreHostLoggerFactoryTests
{
    [Test]
    public void CreateLogger_FrameworkCategory_PassesOnlyWarningsAndErrors()
    {
        var capture = new CoreCapturingLoggerProvider();
        using var inner = LoggerFactory.Create(b => b.AddProvider(capture).SetMinimumLevel(LogLevel.Trace));
        using var factory = new HostLoggerFactory(inner);
        var logger = factory.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics");

        logger.Log(LogLevel.Information, default, "GET /m/x?X-Amz-Signature=secret-sig", null, static (state, _) => state);
        logger.Log(LogLevel.Warning, default, "a warning", null, static (state, _) => state);

        Assert.Multiple(() =>
        {
            Assert.That(logger.IsEnabled(LogLevel.Information), Is.False);
            Assert.That(capture.AllText, Does.Not.Contain("secret-sig"));
            Assert.That(capture.AllText, Does.Contain("a warning"));
        });
    }

    [Test]
    public void CreateLogger_EmulatorCategory_PassesEveryLevel()
    {
        var capture = new CoreCapturingLoggerProvider();
        using var inner = LoggerFactory.Create(b => b.AddProvider(capture).SetMinimumLevel(LogLevel.Trace));
        using var factory = new HostLoggerFactory(inner);

        factory.CreateLogger("Kvs.WebRtc.Emulator.KvsEmulator").Log(LogLevel.Debug, default, "own debug line", null, static (state, _) => state);

        Assert.That(capture.AllText, Does.Contain("own debug line"));
    }
}
