namespace Kvs.WebRtc.Media;

/// <summary>File helpers shared by the readers: bounded whole-file reads.</summary>
internal static class MediaFiles
{
    /// <summary>Reads a whole file of at most <paramref name="maxBytes"/>.</summary>
    /// <exception cref="MediaFormatException">The file is larger.</exception>
    public static byte[] ReadAllBytes(string path, int maxBytes)
    {
        var info = new FileInfo(path);
        if (info.Exists && info.Length > maxBytes)
        {
            throw new MediaFormatException($"{info.Length} bytes is more than the {maxBytes} this reader accepts.", -1, path);
        }

        return File.ReadAllBytes(path);
    }
}
