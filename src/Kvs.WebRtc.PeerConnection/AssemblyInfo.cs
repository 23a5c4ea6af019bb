using System.Runtime.CompilerServices;

// Protocol cores are internal; the tests, benchmarks and interop tests exercise them directly.
[assembly: InternalsVisibleTo("Kvs.WebRtc")]
