using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;
using Kvs.WebRtc.Testing;
using Kvs.WebRtc.Testing.Media;
using NUnit.Framework;

namespace Kvs.WebRtc.Tests.Packaging;

/// <summary>
/// Consumes the packages that <c>dotnet pack</c> wrote to <c>artifacts/packages</c> (the local feed named in
/// nuget.config) exactly as a user does with <c>dotnet add package</c>. <c>.ci/run</c> packs before testing.
/// </summary>
[TestFixture]
[Category("Packaging")]
public sealed class PackagingTests
{
    private static readonly string s_feed = Path.Combine(RepositoryPaths.Root, "artifacts", "packages");

    private static string RequirePackage(string id)
    {
        var package = Directory.Exists(s_feed)
            ? Directory.GetFiles(s_feed, id + ".*.nupkg").Where(p => IsPackage(p, id)).OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault()
            : null;
        ExternalTool.RequireCondition(package is not null, $"package {id} in artifacts/packages (run dotnet pack)");
        return package!;
    }

    private static bool IsPackage(string path, string id)
    {
        var rest = Path.GetFileNameWithoutExtension(path)[(id.Length + 1)..];
        return rest.Length > 0 && char.IsDigit(rest[0]);
    }

    [TestCase("Kvs.WebRtc.Signaling", "System.Reactive", "AWSSDK.Core", "Microsoft.Extensions.Logging.Abstractions")]
    [TestCase("Kvs.WebRtc.PeerConnection", "Microsoft.Extensions.Logging.Abstractions")]
    [TestCase("Kvs.WebRtc", "Kvs.WebRtc.Signaling", "Kvs.WebRtc.PeerConnection")]
    [TestCase("Kvs.WebRtc.Extensions.Hosting", "Kvs.WebRtc", "Microsoft.Extensions.Hosting.Abstractions", "Microsoft.Extensions.Http")]
    [TestCase("Kvs.WebRtc.Emulator", "Kvs.WebRtc.Signaling")]
    public void Package_HasNet8LibraryDocsReadmeLicenseAndDependencies(string id, params string[] dependencies)
    {
        var path = RequirePackage(id);
        using var zip = ZipFile.OpenRead(path);
        var names = zip.Entries.Select(e => e.FullName).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(names, Does.Contain($"lib/net8.0/{id}.dll"));
            Assert.That(names, Does.Contain($"lib/net8.0/{id}.xml"), "XML docs ship in the package");
            Assert.That(names, Does.Contain("README.md"));
        });

        var nuspecEntry = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var stream = nuspecEntry.Open();
        var nuspec = XDocument.Load(stream);
        XNamespace ns = nuspec.Root!.Name.Namespace;
        var metadata = nuspec.Root.Element(ns + "metadata")!;
        Assert.Multiple(() =>
        {
            Assert.That((string?)metadata.Element(ns + "license"), Is.EqualTo("Apache-2.0"));
            Assert.That((string?)metadata.Element(ns + "readme"), Is.EqualTo("README.md"));
            Assert.That((string?)metadata.Element(ns + "description"), Is.Not.Empty);
            var deps = metadata.Descendants(ns + "dependency").Select(d => (string?)d.Attribute("id")).ToList();
            Assert.That(deps, Is.SupersetOf(dependencies));
        });
    }

    [TestCase("Kvs.WebRtc.Master", "kvs-master", "media/pattern-320x240.h264")]
    [TestCase("Kvs.WebRtc.Viewer", "kvs-viewer", null)]
    [TestCase("Kvs.WebRtc.QuickStart", "kvs-quickstart", "media/pattern-320x240.ivf")]
    public void ToolPackage_HasItsCommandReadmeAndFiles(string id, string command, string? file)
    {
        var path = RequirePackage(id);
        using var zip = ZipFile.OpenRead(path);
        var names = zip.Entries.Select(e => e.FullName).ToList();
        var settingsEntry = zip.Entries.Single(e => e.FullName.EndsWith("/DotnetToolSettings.xml", StringComparison.Ordinal));
        var toolDirectory = settingsEntry.FullName[..^"DotnetToolSettings.xml".Length];
        using var stream = settingsEntry.Open();
        var settings = XDocument.Load(stream);
        Assert.Multiple(() =>
        {
            Assert.That(names, Does.Contain("README.md"));
            Assert.That(names, Does.Contain($"{toolDirectory}{command}.dll"));
            Assert.That(settings.Descendants("Command").Select(c => (string?)c.Attribute("Name")), Does.Contain(command));
            if (file is not null)
            {
                Assert.That(names, Does.Contain(toolDirectory + file));
            }
        });
    }

    [Test]
    [CancelAfter(300_000)]
    public async Task AddPackage_ConsoleAppBuildsAndPresignsUrl_FromLocalFeed()
    {
        RequirePackage("Kvs.WebRtc.Signaling");
        var dotnet = ExternalTool.Require("dotnet", "/usr/bin/dotnet", "/usr/share/dotnet/dotnet");
        var dir = Directory.CreateTempSubdirectory("kvs-pkg-").FullName;
        try
        {
            await WriteConsoleAppAsync(dir);
            await File.WriteAllTextAsync(Path.Combine(dir, "Program.cs"), """
                using Kvs.WebRtc.Signaling.Auth;

                var signer = new SigV4Signer();
                var url = signer.PresignUrl(
                    "wss://m-1234abcd.kinesisvideo.us-west-2.amazonaws.com",
                    new Dictionary<string, string> { ["X-Amz-ChannelARN"] = "arn:aws:kinesisvideo:us-west-2:123456789012:channel/demo/1234567890123" },
                    new AwsCredentialsSnapshot("AKIDEXAMPLE", "secret"),
                    "us-west-2");
                Console.WriteLine(url);
                """);

            var version = VersionOf("Kvs.WebRtc.Signaling");
            // A private package cache, so the freshly packed bits are used (not a stale cached 0.1.0).
            var cache = Path.Combine(dir, ".nuget-packages");
            await RunAsync(dotnet, dir, $"add package Kvs.WebRtc.Signaling --version {version}", cache);
            var output = await RunAsync(dotnet, dir, "run", cache);
            Assert.That(output, Does.Contain("X-Amz-ChannelARN=arn%3Aaws%3Akinesisvideo%3Aus-west-2%3A123456789012%3Achannel%2Fdemo%2F1234567890123"));
            Assert.That(output, Does.Match("X-Amz-Signature=[0-9a-f]{64}"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// The whole product from the local feed in a fresh app: an in-process emulator (Kvs.WebRtc.Emulator), a
    /// <see cref="Kvs.WebRtc.Sessions.MasterSession"/> streaming the H.264 and Opus test files with
    /// <see cref="Kvs.WebRtc.Media.MediaFileSource"/>, and a <see cref="Kvs.WebRtc.Sessions.ViewerSession"/> that must
    /// receive <see cref="MediaAppVideoFrames"/> video frames, the first a key frame, and audio; the app exits 0 only then.
    /// </summary>
    [Test]
    [CancelAfter(420_000)]
    public async Task AddPackages_ConsoleAppStreamsMediaMasterToViewer_FromLocalFeed()
    {
        RequirePackage("Kvs.WebRtc.Signaling");
        RequirePackage("Kvs.WebRtc.PeerConnection");
        var dotnet = ExternalTool.Require("dotnet", "/usr/bin/dotnet", "/usr/share/dotnet/dotnet");
        var dir = Directory.CreateTempSubdirectory("kvs-pkg-media-").FullName;
        try
        {
            await WriteConsoleAppAsync(dir);
            File.Copy(TestMedia.H264Path, Path.Combine(dir, "video.h264"));
            File.Copy(TestMedia.OpusOggPath, Path.Combine(dir, "audio.ogg"));
            await File.WriteAllTextAsync(Path.Combine(dir, "Program.cs"), MediaAppProgram);

            var cache = Path.Combine(dir, ".nuget-packages");
            foreach (var id in new[] { "Kvs.WebRtc", "Kvs.WebRtc.Emulator" })
            {
                await RunAsync(dotnet, dir, $"add package {id} --version {VersionOf(id)}", cache);
            }

            var output = await RunAsync(dotnet, dir, "run", cache);
            await TestContext.Out.WriteLineAsync(output);
            var video = System.Text.RegularExpressions.Regex.Match(output, @"video frames: (\d+), first a key frame: (\w+)");
            var audio = System.Text.RegularExpressions.Regex.Match(output, @"audio frames: (\d+)");
            Assert.Multiple(() =>
            {
                Assert.That(video.Success && audio.Success, Is.True, output);
                Assert.That(int.Parse(video.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThanOrEqualTo(MediaAppVideoFrames), output);
                Assert.That(video.Groups[2].Value, Is.EqualTo("True"), output);
                Assert.That(int.Parse(audio.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThanOrEqualTo(MediaAppAudioFrames), output);
            });
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Video frames the packaged media app must receive (one second of the 30 fps test file).</summary>
    private const int MediaAppVideoFrames = 30;

    /// <summary>Audio frames (20 ms each) the packaged media app must receive.</summary>
    private const int MediaAppAudioFrames = 10;

    // Bounded throughout: 60 s for the whole run, 20 s for the frames once connected; exit 0 only on success.
    private const string MediaAppProgram = """
        using System.Net;
        using Kvs.WebRtc;
        using Kvs.WebRtc.Emulator;
        using Kvs.WebRtc.Media;
        using Kvs.WebRtc.PeerConnection;
        using Kvs.WebRtc.PeerConnection.Media;
        using Kvs.WebRtc.Sessions;
        using Kvs.WebRtc.Signaling.Auth;

        const int WantedVideo = 30;
        const int WantedAudio = 10;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;

        await using var emulator = await KvsEmulator.StartAsync(new KvsEmulatorOptions(), ct);
        var channel = new KvsChannelOptions
        {
            Channel = "packaging",
            Region = emulator.Region,
            ServiceUrl = emulator.ServiceUrl,
            Credentials = new StaticCredentialsProvider(emulator.Credentials),
            UseTurn = false,
        };
        var peers = new RTCConfiguration { IncludeLoopbackCandidates = true, EnableIpv6 = false, HostAddresses = [IPAddress.Loopback] };

        using var videoFile = MediaFileSource.Open("video.h264");
        using var audioFile = MediaFileSource.Open("audio.ogg");
        var video = videoFile.CreateTrack();
        var audio = audioFile.CreateTrack();
        await using var master = await MasterSession.StartAsync(new MasterSessionOptions { Channel = channel, PeerConfiguration = peers, Tracks = [video, audio] }, ct);
        await using var viewer = await ViewerSession.ConnectAsync(new ViewerSessionOptions { Channel = channel, ClientId = "packaging-viewer", PeerConfiguration = peers }, ct);
        if (viewer.VideoTrack is null || viewer.AudioTrack is null)
        {
            Console.Error.WriteLine("The viewer has no video or no audio track.");
            return 2;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        stop.CancelAfter(TimeSpan.FromSeconds(20));
        var playing = Task.WhenAll(videoFile.PlayAsync(video, stop.Token), audioFile.PlayAsync(audio, stop.Token));
        var audioCount = CountAsync(viewer.AudioTrack, WantedAudio, stop.Token);
        int videoCount = 0;
        bool? firstKey = null;
        try
        {
            await foreach (var frame in viewer.VideoTrack.ReadFramesAsync(stop.Token))
            {
                firstKey ??= frame.IsKeyFrame;
                if (++videoCount == WantedVideo)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        var audioFrames = await audioCount;
        await stop.CancelAsync();
        try
        {
            await playing;
        }
        catch (OperationCanceledException)
        {
        }

        Console.WriteLine($"video frames: {videoCount}, first a key frame: {firstKey == true}");
        Console.WriteLine($"audio frames: {audioFrames}");
        return videoCount >= WantedVideo && firstKey == true && audioFrames >= WantedAudio ? 0 : 1;

        static async Task<int> CountAsync(RemoteMediaTrack track, int wanted, CancellationToken cancellationToken)
        {
            var count = 0;
            try
            {
                await foreach (var frame in track.ReadFramesAsync(cancellationToken))
                {
                    if (++count == wanted)
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }

            return count;
        }
        """;

    private static string VersionOf(string id) => Path.GetFileNameWithoutExtension(RequirePackage(id))[(id.Length + 1)..];

    private static Task WriteConsoleAppAsync(string dir) => Task.WhenAll(
        File.WriteAllTextAsync(Path.Combine(dir, "App.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
            </Project>
            """),
        // A consumer's nuget.config: their default sources plus our local feed.
        File.WriteAllTextAsync(Path.Combine(dir, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="kvs-local" value="{s_feed}" />
              </packageSources>
            </configuration>
            """));

    private static async Task<string> RunAsync(string exe, string workingDirectory, string arguments, string packageCache)
    {
        var psi = new ProcessStartInfo(exe, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Isolate from the repository's build settings (artifacts output, central versions).
        psi.Environment.Remove("ArtifactsPath");
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["NUGET_PACKAGES"] = packageCache;
        using var process = Process.Start(psi)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var stdout = process.StandardOutput.ReadToEndAsync(cts.Token);
        var stderr = process.StandardError.ReadToEndAsync(cts.Token);
        await process.WaitForExitAsync(cts.Token);
        var text = await stdout + await stderr;
        Assert.That(process.ExitCode, Is.EqualTo(0), $"dotnet {arguments} failed:\n{text}");
        return text;
    }
}
