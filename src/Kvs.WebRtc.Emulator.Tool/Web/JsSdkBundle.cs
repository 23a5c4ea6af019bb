namespace Kvs.WebRtc.Emulator.Tool.Web;

/// <summary>
/// Finds the official KVS WebRTC JS SDK browser bundle (<c>kvs-webrtc.min.js</c>), which this project does not ship:
/// an explicit path, or <c>node_modules/amazon-kinesis-video-streams-webrtc/dist</c> below the current directory.
/// </summary>
internal static class JsSdkBundle
{
    /// <summary>The bundle's file name.</summary>
    public const string FileName = "kvs-webrtc.min.js";

    /// <summary>Largest bundle loaded (the 2.x bundle is about 100 KB).</summary>
    public const int MaxBytes = 8 << 20;

    /// <summary>How to get the bundle, shown on the page and by the tool when it is missing.</summary>
    public const string Hint =
        "The KVS WebRTC JS SDK bundle was not found. Install it with `npm install amazon-kinesis-video-streams-webrtc` in this " +
        "directory (or a parent of node_modules), or pass --js-sdk <path to dist/kvs-webrtc.min.js>, then restart kvs-emulator.";

    private const int MaxSearchDepth = 4;
    private const int MaxDirectoriesVisited = 2000;
    private static readonly string s_relative = Path.Combine("node_modules", "amazon-kinesis-video-streams-webrtc", "dist", FileName);

    /// <summary>
    /// Returns the bundle path: <paramref name="explicitPath"/> when given (a directory is searched for the file), else the
    /// first <c>node_modules/.../dist/kvs-webrtc.min.js</c> found at most a few levels below <paramref name="searchRoot"/>
    /// (bounded walk, <c>node_modules</c>, <c>.git</c>, <c>bin</c>, <c>obj</c> and <c>artifacts</c> folders skipped); null when absent.
    /// </summary>
    public static string? Find(string? explicitPath, string searchRoot)
    {
        if (explicitPath is not null)
        {
            var candidate = Directory.Exists(explicitPath) ? Path.Combine(explicitPath, FileName) : explicitPath;
            return File.Exists(candidate) ? Path.GetFullPath(candidate) : null;
        }

        var queue = new Queue<(string Dir, int Depth)>();
        queue.Enqueue((searchRoot, 0));
        var visited = 0;
        while (queue.Count > 0 && visited++ < MaxDirectoriesVisited)
        {
            var (dir, depth) = queue.Dequeue();
            var file = Path.Combine(dir, s_relative);
            if (File.Exists(file))
            {
                return Path.GetFullPath(file);
            }

            if (depth == MaxSearchDepth)
            {
                continue;
            }

            IEnumerable<string> children;
            try
            {
                children = Directory.EnumerateDirectories(dir).Order(StringComparer.Ordinal).ToList();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var child in children)
            {
                var name = Path.GetFileName(child);
                if (name is "node_modules" or "bin" or "obj" or "artifacts" || name.StartsWith('.'))
                {
                    continue;
                }

                queue.Enqueue((child, depth + 1));
            }
        }

        return null;
    }
}
