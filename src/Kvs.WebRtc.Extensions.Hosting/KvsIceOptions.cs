namespace Kvs.WebRtc.Hosting;

/// <summary>Which ICE servers the peer connections get (bound from <c>Kvs:Ice</c>).</summary>
public sealed class KvsIceOptions
{
    /// <summary>
    /// Adds the region's public KVS STUN server. Default (null): true against AWS, false when
    /// <see cref="KvsWebRtcOptions.ServiceUrl"/> is set (a local emulator).
    /// </summary>
    public bool? UseKvsStun { get; set; }

    /// <summary>Asks GetIceServerConfig for TURN servers. Default <see langword="true"/>.</summary>
    public bool UseTurn { get; set; } = true;

    /// <summary>Describes the settings.</summary>
    /// <returns>A one-line description.</returns>
    public override string ToString() => $"{{ UseKvsStun = {UseKvsStun?.ToString() ?? "auto"}, UseTurn = {UseTurn} }}";
}
