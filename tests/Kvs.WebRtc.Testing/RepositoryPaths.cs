namespace Kvs.WebRtc.Testing;

/// <summary>Locates the repository root and the shared material that sits beside it.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> s_root = new(FindRoot);

    /// <summary>The repository root (the folder holding <c>Kvs.WebRtc.sln</c>).</summary>
    public static string Root => s_root.Value;

    /// <summary>The shared folder (<c>../shared</c> from the repository root), or the <c>KVS_SHARED_DIR</c> environment variable.</summary>
    public static string Shared =>
        Environment.GetEnvironmentVariable("KVS_SHARED_DIR") is { Length: > 0 } dir
            ? dir
            : Path.GetFullPath(Path.Combine(Root, "..", "shared"));

    /// <summary>A file under <c>shared/testdata</c>.</summary>
    public static string TestData(params string[] parts) =>
        Path.Combine([Shared, "testdata", .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Kvs.WebRtc.sln")))
            {
                return dir.FullName;
            }
        }

        // Binaries built elsewhere (ArtifactsPath outside the repository): the root recorded at build time.
        var recorded = typeof(RepositoryPaths).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value;
        if (recorded is not null && File.Exists(Path.Combine(recorded, "Kvs.WebRtc.sln")))
        {
            return Path.GetFullPath(recorded);
        }

        throw new InvalidOperationException("Kvs.WebRtc.sln not found above " + AppContext.BaseDirectory);
    }
}
