namespace Kvs.WebRtc.PeerConnection.Sdp;

/// <summary>Wire names of <see cref="SdpSetup"/> and <see cref="SdpDirection"/>.</summary>
internal static class SdpEnumText
{
    public static string Format(SdpSetup setup) => setup switch
    {
        SdpSetup.ActPass => "actpass",
        SdpSetup.Active => "active",
        SdpSetup.Passive => "passive",
        SdpSetup.HoldConn => "holdconn",
        _ => throw new ArgumentOutOfRangeException(nameof(setup), setup, "Unknown setup role."),
    };

    public static bool TryParseSetup(ReadOnlySpan<char> text, out SdpSetup setup)
    {
        text = text.Trim();
        if (text.Equals("actpass", StringComparison.OrdinalIgnoreCase))
        {
            setup = SdpSetup.ActPass;
        }
        else if (text.Equals("active", StringComparison.OrdinalIgnoreCase))
        {
            setup = SdpSetup.Active;
        }
        else if (text.Equals("passive", StringComparison.OrdinalIgnoreCase))
        {
            setup = SdpSetup.Passive;
        }
        else if (text.Equals("holdconn", StringComparison.OrdinalIgnoreCase))
        {
            setup = SdpSetup.HoldConn;
        }
        else
        {
            setup = default;
            return false;
        }

        return true;
    }

    public static string Format(SdpDirection direction) => direction switch
    {
        SdpDirection.SendRecv => SdpAttributeNames.SendRecv,
        SdpDirection.SendOnly => SdpAttributeNames.SendOnly,
        SdpDirection.RecvOnly => SdpAttributeNames.RecvOnly,
        SdpDirection.Inactive => SdpAttributeNames.Inactive,
        _ => throw new ArgumentOutOfRangeException(nameof(direction), direction, "Unknown direction."),
    };

    public static bool TryParseDirection(ReadOnlySpan<char> text, out SdpDirection direction)
    {
        if (text.Equals(SdpAttributeNames.SendRecv, StringComparison.OrdinalIgnoreCase))
        {
            direction = SdpDirection.SendRecv;
        }
        else if (text.Equals(SdpAttributeNames.SendOnly, StringComparison.OrdinalIgnoreCase))
        {
            direction = SdpDirection.SendOnly;
        }
        else if (text.Equals(SdpAttributeNames.RecvOnly, StringComparison.OrdinalIgnoreCase))
        {
            direction = SdpDirection.RecvOnly;
        }
        else if (text.Equals(SdpAttributeNames.Inactive, StringComparison.OrdinalIgnoreCase))
        {
            direction = SdpDirection.Inactive;
        }
        else
        {
            direction = default;
            return false;
        }

        return true;
    }

    /// <summary>The direction an answer takes for an offered direction when the answerer wants <paramref name="local"/> (RFC 3264 section 6.1).</summary>
    public static SdpDirection Answer(SdpDirection offered, SdpDirection local)
    {
        var canSend = local is SdpDirection.SendRecv or SdpDirection.SendOnly;
        var canReceive = local is SdpDirection.SendRecv or SdpDirection.RecvOnly;
        var send = canSend && offered is SdpDirection.SendRecv or SdpDirection.RecvOnly;
        var receive = canReceive && offered is SdpDirection.SendRecv or SdpDirection.SendOnly;
        return (send, receive) switch
        {
            (true, true) => SdpDirection.SendRecv,
            (true, false) => SdpDirection.SendOnly,
            (false, true) => SdpDirection.RecvOnly,
            _ => SdpDirection.Inactive,
        };
    }
}
