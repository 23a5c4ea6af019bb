using Kvs.WebRtc.Emulator.ControlPlane;
using Kvs.WebRtc.Emulator.Http;
using Kvs.WebRtc.Signaling;
using Kvs.WebRtc.Signaling.ControlPlane.Model;
using Kvs.WebRtc.Signaling.IceServers;

namespace Kvs.WebRtc.Emulator.IceServers;

/// <summary>
/// <c>POST /v1/get-ice-server-config</c> (spec 4.1): the minted TURN server (when a shared secret is configured)
/// followed by the fixed servers; at most 5 servers of at most 4 URIs, each with the configured <c>Ttl</c>.
/// </summary>
internal sealed class IceServerConfigHandler
{
    public const string Path = "/v1/get-ice-server-config";

    private readonly ChannelStore _store;
    private readonly TimeProvider _timeProvider;
    private readonly TurnCredentialMinter? _minter;
    private readonly string[] _turnUris;
    private readonly IceServer[] _fixedServers;
    private readonly TimeSpan _ttl;

    public IceServerConfigHandler(ChannelStore store, KvsEmulatorOptions options)
    {
        _store = store;
        _timeProvider = options.TimeProvider;
        _minter = string.IsNullOrEmpty(options.TurnSharedSecret) ? null : new TurnCredentialMinter(options.TurnSharedSecret, options.TurnCredentialHashAlgorithm);
        _turnUris = options.TurnUris.ToArray();
        _fixedServers = options.IceServers.ToArray();
        _ttl = options.IceServerTtl;
    }

    public byte[] Handle(ReadOnlySpan<byte> body)
    {
        var request = EmulatorJson.Read<GetIceServerConfigRequest>(body);
        ChannelValidation.RequireArn(request.ChannelARN, "ChannelARN");
        if (request.ClientId is not null && !SignalingIdentifiers.IsValidId(request.ClientId))
        {
            throw AwsServiceError.InvalidArgument("ClientId must be 1 to 256 characters of [a-zA-Z0-9_.-].");
        }

        if (request.Username is not null && !SignalingIdentifiers.IsValidId(request.Username))
        {
            throw AwsServiceError.InvalidArgument("Username must be 1 to 256 characters of [a-zA-Z0-9_.-].");
        }

        if (request.Service is not null && !string.Equals(request.Service, GetIceServerConfigRequest.TurnService, StringComparison.Ordinal))
        {
            throw AwsServiceError.InvalidArgument("Service must be TURN.");
        }

        var channel = _store.GetByArn(request.ChannelARN);
        var servers = new List<IceServer>(_fixedServers.Length + 1);
        if (_minter is not null)
        {
            var (username, password) = _minter.Mint(channel.Arn, _timeProvider.GetUtcNow() + _ttl);
            servers.Add(new IceServer(_turnUris, username, password, _ttl));
        }

        foreach (var server in _fixedServers)
        {
            servers.Add(new IceServer(server.Urls, server.Username, server.Credential, _ttl));
        }

        return EmulatorJson.Write(new GetIceServerConfigResponse { IceServerList = servers });
    }
}
