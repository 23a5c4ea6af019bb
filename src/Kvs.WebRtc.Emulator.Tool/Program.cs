using System.Runtime.InteropServices;
using System.Security.Cryptography.X509Certificates;
using Kvs.WebRtc.Emulator;
using Kvs.WebRtc.Emulator.Tool;
using Kvs.WebRtc.Emulator.Tool.Web;
using Kvs.WebRtc.Signaling.Auth;
using Microsoft.Extensions.Logging;

ToolSettings settings;
try
{
    settings = ToolSettings.Parse(args);
}
catch (ArgumentException ex)
{
    await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
    return 2;
}

if (settings.ShowHelp)
{
    Console.WriteLine(ToolSettings.Usage);
    return 0;
}

using var loggerFactory = LoggerFactory.Create(logging => logging
    .SetMinimumLevel(settings.LogLevel)
    .AddFilter("Microsoft", LogLevel.Warning)
    .AddSimpleConsole(console =>
    {
        console.SingleLine = true;
        console.TimestampFormat = "HH:mm:ss.fff ";
    }));

var options = new KvsEmulatorOptions
{
    Port = settings.Port,
    UseTls = settings.UseTls,
    EndpointHostName = settings.Host,
    ListenOnIPv6Loopback = settings.IPv6,
    Region = settings.Region,
    DefaultCredentials = new AwsCredentialsSnapshot(settings.AccessKeyId, settings.SecretAccessKey, settings.SessionToken),
    VerifySignatures = settings.VerifySignatures,
    AllowHostWithoutPort = settings.AllowHostWithoutPort,
    TurnSharedSecret = settings.TurnSecret,
    LoggerFactory = loggerFactory,
    RecordingDirectory = settings.RecordingDirectory is null ? null : Path.GetFullPath(settings.RecordingDirectory),
};
if (!IsLoopbackName(settings.Host))
{
    options.AdditionalCertificateHostNames.Add(settings.Host);
}

foreach (var uri in settings.TurnUris)
{
    options.TurnUris.Add(uri);
}

using var suppliedCertificate = settings.CertificatePath is null ? null : X509Certificate2.CreateFromPemFile(settings.CertificatePath, settings.KeyPath);
options.Certificate = suppliedCertificate;

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});

string? jsSdkPath = null;
if (settings.Web)
{
    jsSdkPath = JsSdkBundle.Find(settings.JsSdkPath, Directory.GetCurrentDirectory());
    if (jsSdkPath is null && settings.JsSdkPath is not null)
    {
        await Console.Error.WriteLineAsync($"--js-sdk: {settings.JsSdkPath} is not the SDK bundle ({JsSdkBundle.FileName}).").ConfigureAwait(false);
        return 2;
    }
}

if (settings.Web && settings.WebTargetAws)
{
    // The page against real AWS: the server signs with the default credential chain; no emulator runs.
    using var awsTarget = WebTarget.ForAws(settings.Region, AwsSdkCredentialsProvider.CreateDefault(), loggerFactory);
    var awsWeb = await StartWebAsync(awsTarget).ConfigureAwait(false);
    if (awsWeb is null)
    {
        return 1;
    }

    await using (awsWeb.ConfigureAwait(false))
    {
        Console.WriteLine("Press Ctrl+C to stop.");
        await WaitForStopAsync().ConfigureAwait(false);
    }

    return 0;
}

KvsEmulator emulator;
try
{
    emulator = await KvsEmulator.StartAsync(options, stop.Token).ConfigureAwait(false);
}
catch (Exception ex) when (ex is ArgumentException or IOException or InvalidOperationException)
{
    await Console.Error.WriteLineAsync("Could not start the emulator: " + ex.Message).ConfigureAwait(false);
    return 1;
}

await using (emulator.ConfigureAwait(false))
{
    if (settings.WriteCertificatePath is not null)
    {
        await emulator.WriteCertificatePemAsync(settings.WriteCertificatePath, stop.Token).ConfigureAwait(false);
    }

    var endpoint = emulator.ServiceUrl.ToString().TrimEnd('/');
    Console.WriteLine($"KVS emulator listening on {endpoint}" + (emulator.ServiceUrlIPv6 is { } v6 ? $" and {v6.ToString().TrimEnd('/')}" : string.Empty));
    Console.WriteLine($"  region:                {emulator.Region}");
    Console.WriteLine($"  signature verification: {(settings.VerifySignatures ? "on" : "off")}");
    Console.WriteLine("Use these settings in your shell:");
    Console.WriteLine($"  export AWS_ACCESS_KEY_ID={emulator.Credentials.AccessKeyId}");
    Console.WriteLine($"  export AWS_SECRET_ACCESS_KEY={emulator.Credentials.SecretAccessKey}");
    if (emulator.Credentials.SessionToken is { } token)
    {
        Console.WriteLine($"  export AWS_SESSION_TOKEN={token}");
    }

    Console.WriteLine($"  export AWS_REGION={emulator.Region}");
    Console.WriteLine($"  export AWS_ENDPOINT_URL_KINESIS_VIDEO={endpoint}");
    Console.WriteLine($"  export AWS_ENDPOINT_URL_KINESIS_VIDEO_SIGNALING={endpoint}");
    if (settings.WriteCertificatePath is not null)
    {
        Console.WriteLine($"  export AWS_CA_BUNDLE={Path.GetFullPath(settings.WriteCertificatePath)}");
    }

    Console.WriteLine($"  export AWS_ENDPOINT_URL_KINESIS_VIDEO_WEBRTC_STORAGE={endpoint}");
    Console.WriteLine($"Storage-session recordings (WebRTC ingestion) go to {options.RecordingDirectory ?? Path.Combine(Path.GetTempPath(), "kvs-emulator-recordings")}");

    using var webTarget = settings.Web ? WebTarget.ForEmulator(emulator.ServiceUrl, emulator.Region, emulator.Credentials, loggerFactory: loggerFactory) : null;
    var web = webTarget is null ? null : await StartWebAsync(webTarget).ConfigureAwait(false);
    if (webTarget is not null && web is null)
    {
        return 1;
    }

    try
    {
        Console.WriteLine("Press Ctrl+C to stop.");
        await WaitForStopAsync().ConfigureAwait(false);
        Console.WriteLine("Stopping (sending GO_AWAY to connected clients)...");
    }
    finally
    {
        if (web is not null)
        {
            await web.DisposeAsync().ConfigureAwait(false);
        }
    }
}

// Listed once the emulator stopped: the storage sessions are finished then, their files closed and muxed.
foreach (var recording in emulator.Recordings)
{
    Console.WriteLine($"Recording of {recording.ChannelName}: {recording.VideoPath} ({recording.VideoFrames} video frames), {recording.AudioPath} ({recording.AudioFrames} audio packets)"
        + (recording.MatroskaPath is { } mkv ? $", muxed to {mkv}" : string.Empty));
}

return 0;

async Task WaitForStopAsync()
{
    try
    {
        await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
    }
    catch (OperationCanceledException)
    {
        // Ctrl+C or SIGTERM.
    }
}

async Task<WebViewerServer?> StartWebAsync(WebTarget target)
{
    WebViewerServer server;
    try
    {
        server = await WebViewerServer.StartAsync(target, settings.WebPort, jsSdkPath, loggerFactory, stop.Token).ConfigureAwait(false);
    }
    catch (IOException ex)
    {
        await Console.Error.WriteLineAsync("Could not start the web page: " + ex.Message).ConfigureAwait(false);
        return null;
    }

    Console.WriteLine($"Browser page ({target.Name}, {target.Region}): {server.PageUrl}");
    Console.WriteLine(jsSdkPath is null ? "  " + JsSdkBundle.Hint : $"  KVS JS SDK bundle: {jsSdkPath}");
    return server;
}

static bool IsLoopbackName(string host) =>
    host is "127.0.0.1" or "::1" or "[::1]" || string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase);
