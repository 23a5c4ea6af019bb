namespace Kvs.WebRtc.Signaling.ControlPlane.Internal;

/// <summary>A string-backed AWS enum value that survives values this SDK does not know yet.</summary>
/// <typeparam name="TSelf">The implementing type.</typeparam>
internal interface IWireConstant<TSelf>
    where TSelf : struct, IWireConstant<TSelf>
{
    /// <summary>The value exactly as it appears on the wire.</summary>
    string Value { get; }

    /// <summary>Wraps a wire value (any non-empty string).</summary>
    static abstract TSelf FromWire(string value);
}
