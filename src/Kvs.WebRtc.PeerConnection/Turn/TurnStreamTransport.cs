using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace Kvs.WebRtc.PeerConnection.Turn;

/// <summary>TURN over TCP or TLS: messages framed by their length fields (RFC 8656 §12.5).</summary>
internal sealed class TurnStreamTransport : TurnTransport
{
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly TurnStreamFramer _framer = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    private TurnStreamTransport(Socket socket, Stream stream)
    {
        _socket = socket;
        _stream = stream;
    }

    /// <inheritdoc />
    public override bool IsReliable => true;

    /// <inheritdoc />
    public override EndPoint? LocalEndPoint => _socket.LocalEndPoint;

    /// <summary>Connects, and with <paramref name="tlsHost"/> runs the TLS handshake.</summary>
    public static async Task<TurnStreamTransport> ConnectAsync(IPEndPoint remote, string? tlsHost, TurnRelayOptions options, CancellationToken cancellationToken)
    {
        var socket = new Socket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        try
        {
            await socket.ConnectAsync(remote, cancellationToken).ConfigureAwait(false);
            stream = new NetworkStream(socket, ownsSocket: false);
            if (tlsHost is not null)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                await ssl.AuthenticateAsClientAsync(
                    new SslClientAuthenticationOptions
                    {
                        TargetHost = tlsHost,
                        RemoteCertificateValidationCallback = options.ServerCertificateValidation,
                    },
                    cancellationToken).ConfigureAwait(false);
            }

            return new TurnStreamTransport(socket, stream);
        }
        catch (Exception ex) when (ex is SocketException or IOException or System.Security.Authentication.AuthenticationException)
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            socket.Dispose();
            throw new TurnException(TurnError.TransportFailed, 0, "Could not connect to the TURN server over " + (tlsHost is null ? "TCP." : "TLS."), ex);
        }
    }

    /// <inheritdoc />
    public override async ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        // SslStream and NetworkStream allow one writer at a time.
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _stream.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
            throw new TurnException(TurnError.TransportFailed, 0, "Write to the TURN server failed.", ex);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <inheritdoc />
    public override async ValueTask<ReadOnlyMemory<byte>> ReceiveAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            switch (_framer.TryReadFrameMemory(out var frame))
            {
                case OperationStatus.Done:
                    return frame;
                case OperationStatus.InvalidData:
                    throw new TurnException(TurnError.TransportFailed, 0, "The TURN server sent bytes that are neither STUN nor ChannelData.");
            }

            int read;
            try
            {
                read = await _stream.ReadAsync(_framer.GetReadBuffer(), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or SocketException)
            {
                throw new TurnException(TurnError.TransportFailed, 0, "Read from the TURN server failed.", ex);
            }

            if (read == 0)
            {
                return ReadOnlyMemory<byte>.Empty;
            }

            _framer.Advance(read);
        }
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already closed by the peer.
        }

        await _stream.DisposeAsync().ConfigureAwait(false);
        _socket.Dispose();
        _writeLock.Dispose();
    }
}
