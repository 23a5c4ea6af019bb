using System.Text.Encodings.Web;
using System.Text.Json;

namespace Kvs.WebRtc.Signaling;

/// <summary>
/// Per-thread scratch buffers and JSON writer of the signaling wire encoders: one for a payload's JSON, one for the
/// frame. Canonical, compact output (the KVS JS SDK's bytes). Compiled into the client and the emulator from
/// <c>src/Shared</c>.
/// </summary>
internal sealed class CodecScratch : IDisposable
{
    private const int MaxRetainedBytes = 64 * 1024;

    private static readonly JsonWriterOptions s_writerOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = true,
    };

    [ThreadStatic]
    private static CodecScratch? s_cached;

    private Utf8JsonWriter? _writer;
    private bool _inUse;

    /// <summary>The payload JSON being written.</summary>
    public PooledBufferWriter Payload { get; } = new();

    /// <summary>The frame JSON being written.</summary>
    public PooledBufferWriter Frame { get; } = new();

    /// <summary>Takes this thread's scratch (a fresh one for a nested use); give it back with <see cref="Return"/>.</summary>
    public static CodecScratch Rent()
    {
        var scratch = s_cached;
        if (scratch is null || scratch._inUse)
        {
            // A nested call on the same thread (not expected) gets its own scratch.
            scratch = new CodecScratch();
            s_cached ??= scratch;
        }

        scratch._inUse = true;
        return scratch;
    }

    /// <summary>Gives the scratch back, trimming buffers that grew past 64 KiB.</summary>
    public static void Return(CodecScratch scratch)
    {
        scratch.Payload.TrimIfLarge(MaxRetainedBytes);
        scratch.Frame.TrimIfLarge(MaxRetainedBytes);
        scratch._inUse = false;
    }

    /// <summary>Clears <paramref name="output"/> and returns the writer, reset onto it.</summary>
    public Utf8JsonWriter Start(PooledBufferWriter output)
    {
        output.Clear();
        if (_writer is null)
        {
            _writer = new Utf8JsonWriter(output, s_writerOptions);
        }
        else
        {
            _writer.Reset(output);
        }

        return _writer;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _writer?.Dispose();
        Payload.Dispose();
        Frame.Dispose();
    }
}
