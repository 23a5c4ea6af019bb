using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Kvs.WebRtc.Signaling.Auth;
using Kvs.WebRtc.Signaling.IceServers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kvs.WebRtc.Emulator;

/// <summary>
/// Settings of a <see cref="KvsEmulator"/>. Read once by <see cref="KvsEmulator.StartAsync"/>; changing an instance
/// afterwards has no effect on a running emulator.
/// </summary>
/// <remarks>Not thread-safe: configure on one thread, then start.</remarks>
public sealed partial class KvsEmulatorOptions
{
    /// <summary>TCP port on 127.0.0.1; 0 (the default) picks a free ephemeral port.</summary>
    public int Port { get; set; }

    /// <summary>
    /// Serve https:// and wss:// instead of http:// and ws://. Without <see cref="Certificate"/> a self-signed
    /// certificate is generated at start (see <see cref="KvsEmulator.Certificate"/>). Default false.
    /// </summary>
    public bool UseTls { get; set; }

    /// <summary>
    /// A server certificate with private key to use when <see cref="UseTls"/> is set; null (the default) generates a
    /// self-signed one for <c>127.0.0.1</c>, <c>::1</c>, <c>localhost</c> and <see cref="AdditionalCertificateHostNames"/>.
    /// The emulator does not dispose a certificate it did not create.
    /// </summary>
    public X509Certificate2? Certificate { get; set; }

    /// <summary>Extra DNS names for the generated certificate's subject alternative names (e.g. a hosts-file alias).</summary>
    public IList<string> AdditionalCertificateHostNames { get; private set; } = new List<string>();

    /// <summary>
    /// Also listen on <c>[::1]</c>. With <see cref="Port"/> 0 the IPv6 listener gets its own ephemeral port
    /// (see <see cref="KvsEmulator.ServiceUrlIPv6"/>). Default false.
    /// </summary>
    public bool ListenOnIPv6Loopback { get; set; }

    /// <summary>
    /// The host written into the endpoints that GetSignalingChannelEndpoint returns and into
    /// <see cref="KvsEmulator.ServiceUrl"/>; default <c>127.0.0.1</c>. Set a name that resolves to loopback (hosts file)
    /// for clients that need one, such as the KVS C SDK on port 443. The listener always binds loopback only.
    /// </summary>
    public string EndpointHostName { get; set; } = "127.0.0.1";

    /// <summary>The AWS region the emulator pretends to be in (ARNs, signature scope); default <c>us-west-2</c>.</summary>
    public string Region { get; set; } = "us-west-2";

    /// <summary>The 12-digit account id used in ARNs; default <c>123456789012</c>.</summary>
    public string AccountId { get; set; } = "123456789012";

    /// <summary>
    /// The default accepted key pair (exposed as <see cref="KvsEmulator.Credentials"/>); null (the default) generates a
    /// random long-term key pair at start.
    /// </summary>
    public AwsCredentialsSnapshot? DefaultCredentials { get; set; }

    /// <summary>
    /// Further accepted credentials. A snapshot with a <see cref="AwsCredentialsSnapshot.SessionToken"/> is only
    /// accepted when requests carry exactly that token; one with an <see cref="AwsCredentialsSnapshot.Expiration"/> is
    /// refused from then on (<see cref="TimeProvider"/>), as the service refuses expired temporary credentials. More
    /// can be added while running with <see cref="KvsEmulator.AddCredentials"/>.
    /// </summary>
    public IList<AwsCredentialsSnapshot> Credentials { get; private set; } = new List<AwsCredentialsSnapshot>();

    /// <summary>Verify SigV4 on every REST request and every WebSocket upgrade; default true.</summary>
    public bool VerifySignatures { get; set; } = true;

    /// <summary>
    /// When a signature does not match, retry the check with the <c>host</c> value stripped of its <c>:port</c>, to
    /// accept signers that drop the port. Default false (strict).
    /// </summary>
    public bool AllowHostWithoutPort { get; set; }

    /// <summary>Clock skew tolerated either side of <c>X-Amz-Date</c>; default 5 minutes (as AWS).</summary>
    public TimeSpan AllowedClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Refuse (HTTP 403) a WebSocket upgrade whose presigned URL (its <c>X-Amz-Signature</c>) was already used for an
    /// accepted upgrade and has not expired, as AWS does. Note that two URLs signed for the same parameters within the
    /// same second are identical, so a client must not reconnect with a fresh signature in the same second. Default true.
    /// </summary>
    public bool RejectReplayedPresignedUrls { get; set; } = true;

    /// <summary>
    /// How many accepted presigned-URL signatures are remembered to reject replays (oldest forgotten first; entries
    /// also leave once their URL expired); default 10,000.
    /// </summary>
    public int ReplayCacheCapacity { get; set; } = 10_000;

    /// <summary>
    /// Serve the WebRTC storage API (<c>/joinStorageSession</c>, <c>/joinStorageSessionAsViewer</c>) and play the storage
    /// session: on a master's join the emulator connects to the master as a loopback WebRTC peer and records what it
    /// receives (see <see cref="KvsEmulator.Recordings"/>). Default true.
    /// </summary>
    public bool EnableStorageSessions { get; set; } = true;

    /// <summary>Where storage-session recordings are written; null (the default) uses <c>kvs-emulator-recordings</c> in the temp folder.</summary>
    public string? RecordingDirectory { get; set; }

    /// <summary>Most storage sessions (channels being recorded) at once; a join beyond is refused with ClientLimitExceeded. Default 4.</summary>
    public int MaxStorageSessions { get; set; } = 4;

    /// <summary>
    /// Most viewers joined to one storage session at once (<c>JoinStorageSessionAsViewer</c>); the next join is refused
    /// with ClientLimitExceeded ("maximum number of viewers connected to the session"). Default 3.
    /// </summary>
    public int MaxStorageSessionViewers { get; set; } = 3;

    /// <summary>
    /// The <c>ffmpeg</c> program that muxes each finished recording into one Matroska file
    /// (<see cref="KvsEmulatorRecording.MatroskaPath"/>): null (the default) looks for <c>ffmpeg</c> on the PATH, an
    /// empty string turns muxing off. Without ffmpeg the raw <c>.h264</c> and <c>.ogg</c> files remain.
    /// </summary>
    public string? FfmpegPath { get; set; }

    /// <summary>Largest recording file, in bytes; a file stops growing there (<see cref="KvsEmulatorRecording.IsTruncated"/>). Default 256 MiB.</summary>
    public long MaxRecordingBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Most viewers connected at once per channel; the next one is refused with HTTP 400. Default 10.</summary>
    public int MaxViewersPerChannel { get; set; } = 10;

    /// <summary>Longest accepted <c>messagePayload</c>, in characters; default 10,240.</summary>
    public int MaxMessagePayloadLength { get; set; } = 10_240;

    /// <summary>
    /// Largest WebSocket message accepted, in bytes after reassembly; a larger one closes the socket with 1009
    /// (message too big). Default 65,536.
    /// </summary>
    public int MaxFrameSize { get; set; } = 64 * 1024;

    /// <summary>Most channels the emulated account may hold (AccountChannelLimitExceededException beyond); default 10,000.</summary>
    public int MaxChannels { get; set; } = 10_000;

    /// <summary>
    /// Most buffered messages kept per offline recipient (the oldest is dropped beyond); default 1,000.
    /// </summary>
    public int MaxPendingMessagesPerRecipient { get; set; } = 1_000;

    /// <summary>
    /// When a newer master (or a viewer with the same client id) connects, the older socket stops receiving routed
    /// messages at once and is closed with status 1000 after this delay (measured on <see cref="TimeProvider"/>).
    /// <see cref="TimeSpan.Zero"/> closes it immediately. Default 1 second.
    /// </summary>
    public TimeSpan SupersededConnectionGracePeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Connections are closed with status 1001 once they are this old (KVS: 1 hour). <see cref="Timeout.InfiniteTimeSpan"/>
    /// disables the limit. Can be shortened at run time with <see cref="KvsEmulatorFaults.MaxConnectionDuration"/>.
    /// </summary>
    public TimeSpan MaxConnectionDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Connections that send nothing for this long are closed with status 1001 (KVS: 10 minutes).
    /// <see cref="Timeout.InfiniteTimeSpan"/> disables it. Default 10 minutes.
    /// </summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Fixed ICE servers returned by GetIceServerConfig (after the minted TURN server, if any); at most 5 in total, each
    /// with 1 to <see cref="MaxUrisPerIceServer"/> URLs of 1 to 256 characters (for example a local coturn started with
    /// <c>--lt-cred-mech --user=name:password</c>). Their <see cref="IceServer.Ttl"/> is not used:
    /// every server is reported with <see cref="IceServerTtl"/>. For time-limited REST-style TURN credentials use
    /// <see cref="TurnSharedSecret"/> and <see cref="TurnUris"/> instead. Credentials are never logged.
    /// </summary>
    public IList<IceServer> IceServers { get; private set; } = new List<IceServer>();

    /// <summary>The most URLs one ICE server may carry (the KVS C SDK rejects more).</summary>
    public const int MaxUrisPerIceServer = 4;

    /// <summary>
    /// URIs (1–4) of a TURN server that accepts REST-style time-limited credentials (coturn <c>use-auth-secret</c>);
    /// used together with <see cref="TurnSharedSecret"/>.
    /// </summary>
    public IList<string> TurnUris { get; private set; } = new List<string>();

    /// <summary>
    /// The shared secret of the TURN server in <see cref="TurnUris"/> (coturn <c>static-auth-secret</c>). When set,
    /// GetIceServerConfig mints username <c>{expiry epoch seconds}:{base64("v1:" + channelArn)}</c> and password
    /// <c>base64(HMAC(secret, username))</c> with <see cref="TurnCredentialHashAlgorithm"/>. Never logged.
    /// </summary>
    public string? TurnSharedSecret { get; set; }

    /// <summary>
    /// The HMAC used for minted TURN passwords: <see cref="HashAlgorithmName.SHA1"/> (the default; what coturn's
    /// <c>use-auth-secret</c> verifies) or <see cref="HashAlgorithmName.SHA256"/>.
    /// </summary>
    public HashAlgorithmName TurnCredentialHashAlgorithm { get; set; } = HashAlgorithmName.SHA1;

    /// <summary>
    /// Whether the emulator runs its own UDP TURN server (an RFC 8656 subset) on the loopback address; default false.
    /// When true, GetIceServerConfig returns <c>turn:127.0.0.1:{port}?transport=udp</c> first among the minted server's
    /// URIs, with credentials minted from <see cref="TurnSharedSecret"/> (a random secret when none is set), and the
    /// server refuses expired ones. <see cref="KvsEmulator.RestartTurnServerAsync"/> restarts it.
    /// </summary>
    public bool RunTurnServer { get; set; }

    /// <summary>The most allocations the embedded TURN server holds at once (486 beyond); default 64.</summary>
    public int MaxTurnAllocations { get; set; } = 64;

    /// <summary>The <c>Ttl</c> reported for every ICE server and the lifetime of minted credentials: 30 s – 1 day; default 300 s.</summary>
    public TimeSpan IceServerTtl { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>
    /// The emulator's clock for signature checks, message TTLs, ARNs, the <c>Date</c> header and every protocol timer;
    /// default <see cref="TimeProvider.System"/>. Tests pass a manual clock to expire messages without waiting.
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Logger factory; default <see cref="NullLoggerFactory.Instance"/>. Secrets are never logged.</summary>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    /// <summary>
    /// Real-time bound on each shutdown step of <see cref="KvsEmulator.DisposeAsync"/> (closing sockets, stopping the
    /// server); default 5 seconds.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A copy (lists copied too), so later changes to this instance do not reach a running emulator.</summary>
    internal KvsEmulatorOptions Clone()
    {
        var copy = (KvsEmulatorOptions)MemberwiseClone();
        var fresh = new KvsEmulatorOptions();
        foreach (var name in AdditionalCertificateHostNames)
        {
            fresh.AdditionalCertificateHostNames.Add(name);
        }

        foreach (var credentials in Credentials)
        {
            fresh.Credentials.Add(credentials);
        }

        foreach (var server in IceServers)
        {
            fresh.IceServers.Add(server);
        }

        foreach (var uri in TurnUris)
        {
            fresh.TurnUris.Add(uri);
        }

        copy.AdditionalCertificateHostNames = fresh.AdditionalCertificateHostNames;
        copy.Credentials = fresh.Credentials;
        copy.IceServers = fresh.IceServers;
        copy.TurnUris = fresh.TurnUris;
        return copy;
    }

    /// <summary>Throws when a setting is out of range.</summary>
    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Port, nameof(Port));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxStorageSessions, 1, nameof(MaxStorageSessions));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRecordingBytes, 4096L, nameof(MaxRecordingBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxStorageSessionViewers, 1, nameof(MaxStorageSessionViewers));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Port, 65535, nameof(Port));
        if (string.IsNullOrEmpty(Region) || !RegionPattern().IsMatch(Region))
        {
            throw new ArgumentException("Region must look like an AWS region, e.g. us-west-2.", nameof(Region));
        }

        if (AccountId is null || !AccountIdPattern().IsMatch(AccountId))
        {
            throw new ArgumentException("AccountId must be exactly 12 digits.", nameof(AccountId));
        }

        if (string.IsNullOrWhiteSpace(EndpointHostName) || Uri.CheckHostName(EndpointHostName) == UriHostNameType.Unknown)
        {
            throw new ArgumentException("EndpointHostName must be a host name or an IP address.", nameof(EndpointHostName));
        }

        if (Certificate is not null && !Certificate.HasPrivateKey)
        {
            throw new ArgumentException("The certificate needs its private key.", nameof(Certificate));
        }

        RequirePositive(AllowedClockSkew, nameof(AllowedClockSkew), allowZero: true);
        ArgumentOutOfRangeException.ThrowIfLessThan(ReplayCacheCapacity, 1, nameof(ReplayCacheCapacity));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxViewersPerChannel, 1, nameof(MaxViewersPerChannel));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMessagePayloadLength, 1, nameof(MaxMessagePayloadLength));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFrameSize, 1024, nameof(MaxFrameSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxChannels, 1, nameof(MaxChannels));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPendingMessagesPerRecipient, 1, nameof(MaxPendingMessagesPerRecipient));
        RequirePositive(SupersededConnectionGracePeriod, nameof(SupersededConnectionGracePeriod), allowZero: true);
        RequirePositiveOrInfinite(MaxConnectionDuration, nameof(MaxConnectionDuration));
        RequirePositiveOrInfinite(IdleTimeout, nameof(IdleTimeout));
        RequirePositive(ShutdownTimeout, nameof(ShutdownTimeout), allowZero: false);
        if (IceServerTtl < TimeSpan.FromSeconds(30) || IceServerTtl > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(IceServerTtl), "IceServerTtl must be between 30 seconds and 1 day.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MaxTurnAllocations, 1, nameof(MaxTurnAllocations));
        var minted = string.IsNullOrEmpty(TurnSharedSecret) && !RunTurnServer ? 0 : 1;
        if (minted == 1 && (TurnUris.Count is 0 && !RunTurnServer || TurnUris.Count > MaxUrisPerIceServer || TurnUris.Any(u => string.IsNullOrEmpty(u) || u.Length > 256)))
        {
            throw new ArgumentException($"TurnSharedSecret needs 1 to {MaxUrisPerIceServer} TurnUris of 1 to 256 characters.", nameof(TurnUris));
        }

        if (minted == 0 && TurnUris.Count > 0)
        {
            throw new ArgumentException("TurnUris are only used together with TurnSharedSecret.", nameof(TurnUris));
        }

        if (IceServers.Count + minted > 5)
        {
            throw new ArgumentException("GetIceServerConfig returns at most 5 ICE servers.", nameof(IceServers));
        }

        if (IceServers.Any(s => s is null))
        {
            throw new ArgumentException("IceServers must not contain null.", nameof(IceServers));
        }

        if (IceServers.Any(s => s.Urls.Count > MaxUrisPerIceServer || s.Urls.Any(u => u.Length > 256)))
        {
            throw new ArgumentException($"Every ICE server needs 1 to {MaxUrisPerIceServer} URLs of 1 to 256 characters.", nameof(IceServers));
        }

        if (TurnCredentialHashAlgorithm != HashAlgorithmName.SHA1 && TurnCredentialHashAlgorithm != HashAlgorithmName.SHA256)
        {
            throw new ArgumentException("TurnCredentialHashAlgorithm must be SHA1 or SHA256.", nameof(TurnCredentialHashAlgorithm));
        }

        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        ArgumentNullException.ThrowIfNull(LoggerFactory, nameof(LoggerFactory));
        if (Credentials.Any(c => c is null))
        {
            throw new ArgumentException("Credentials must not contain null.", nameof(Credentials));
        }
    }

    private static void RequirePositive(TimeSpan value, string name, bool allowZero)
    {
        if (value < TimeSpan.Zero || (!allowZero && value == TimeSpan.Zero))
        {
            throw new ArgumentOutOfRangeException(name, allowZero ? "Must not be negative." : "Must be positive.");
        }
    }

    private static void RequirePositiveOrInfinite(TimeSpan value, string name)
    {
        if (value != Timeout.InfiniteTimeSpan && value <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(name, "Must be positive or Timeout.InfiniteTimeSpan.");
        }
    }

    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]+$")]
    private static partial Regex RegionPattern();

    [GeneratedRegex("^[0-9]{12}$")]
    private static partial Regex AccountIdPattern();
}
