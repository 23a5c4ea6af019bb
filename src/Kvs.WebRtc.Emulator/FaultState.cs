using System.Net;

namespace Kvs.WebRtc.Emulator;

/// <summary>The mutable fault-injection settings behind <see cref="KvsEmulatorFaults"/>.</summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class FaultState
{
    private readonly object _gate = new();
    private long _deliveryDelayTicks;
    private int _dropNextMessages;
    private int _rejectNextConnects;
    private HttpStatusCode _rejectConnectStatus;
    private int _failNextRequests;
    private HttpStatusCode _failRequestStatus;
    private string _failRequestErrorType = string.Empty;

    public TimeSpan DeliveryDelay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _deliveryDelayTicks));
        set => Interlocked.Exchange(ref _deliveryDelayTicks, value.Ticks);
    }

    public void DropNextMessages(int count) => Interlocked.Exchange(ref _dropNextMessages, count);

    /// <summary>True (and one fewer to drop) when the next routed message must be dropped.</summary>
    public bool TryConsumeDrop() => TryDecrement(ref _dropNextMessages);

    public void RejectNextConnects(int count, HttpStatusCode status)
    {
        lock (_gate)
        {
            _rejectNextConnects = count;
            _rejectConnectStatus = status;
        }
    }

    public bool TryConsumeConnectRejection(out HttpStatusCode status)
    {
        lock (_gate)
        {
            status = _rejectConnectStatus;
            if (_rejectNextConnects <= 0)
            {
                return false;
            }

            _rejectNextConnects--;
            return true;
        }
    }

    public void FailNextRequests(int count, HttpStatusCode status, string errorType)
    {
        lock (_gate)
        {
            _failNextRequests = count;
            _failRequestStatus = status;
            _failRequestErrorType = errorType;
        }
    }

    public bool TryConsumeRequestFailure(out HttpStatusCode status, out string errorType)
    {
        lock (_gate)
        {
            status = _failRequestStatus;
            errorType = _failRequestErrorType;
            if (_failNextRequests <= 0)
            {
                return false;
            }

            _failNextRequests--;
            return true;
        }
    }

    public void Reset()
    {
        DeliveryDelay = TimeSpan.Zero;
        DropNextMessages(0);
        RejectNextConnects(0, default);
        FailNextRequests(0, default, string.Empty);
    }

    private static bool TryDecrement(ref int counter)
    {
        while (true)
        {
            var current = Volatile.Read(ref counter);
            if (current <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref counter, current - 1, current) == current)
            {
                return true;
            }
        }
    }
}
