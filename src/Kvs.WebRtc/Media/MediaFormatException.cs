namespace Kvs.WebRtc.Media;

/// <summary>
/// A media file or stream is not what it claims to be (a broken Annex-B stream, IVF or Ogg Opus file, frame
/// directory): the reason, and where in the input it was found.
/// </summary>
/// <remarks>An <see cref="IOException"/>: reading the media failed because of what it contains.</remarks>
public sealed class MediaFormatException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="offset">Byte offset in the file or stream where it was found, or -1 when it is not about one place.</param>
    /// <param name="source">The file or stream name, or null.</param>
    public MediaFormatException(string message, long offset = -1, string? source = null)
        : base(Describe(message, offset, source))
    {
        Reason = message;
        Offset = offset;
        SourceName = source;
    }

    /// <summary>Creates the exception without details (for serializers and tooling).</summary>
    public MediaFormatException()
        : this("The media is malformed.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public MediaFormatException(string message)
        : this(message, -1, null)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public MediaFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = message;
        Offset = -1;
    }

    /// <summary>Byte offset in the file or stream where the problem was found, or -1.</summary>
    public long Offset { get; }

    /// <summary>The file (or stream) name, when known.</summary>
    public string? SourceName { get; }

    /// <summary>What is wrong, without the location.</summary>
    public string Reason { get; }

    /// <summary>The same error for <paramref name="source"/>, its offset moved by <paramref name="baseOffset"/>.</summary>
    internal MediaFormatException At(string? source, long baseOffset = 0) =>
        new(Reason, Offset < 0 ? -1 : Offset + baseOffset, source ?? SourceName);

    private static string Describe(string message, long offset, string? source) =>
        (source, offset) switch
        {
            (null, < 0) => message,
            (null, _) => $"At byte {offset}: {message}",
            (_, < 0) => $"{source}: {message}",
            _ => $"{source}, at byte {offset}: {message}",
        };
}
