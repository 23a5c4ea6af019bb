using System.Diagnostics;
using System.Text.Json.Nodes;
using Kvs.WebRtc.Emulator;
using Kvs.WebRtc.Testing;

namespace Kvs.WebRtc.InteropTests.Support;

/// <summary>Runs the AWS CLI (Debian <c>awscli</c>) against an emulator, isolated from any user configuration.</summary>
internal static class AwsCliRunner
{
    public static string Require() => ExternalTool.Require("aws", "/usr/bin/aws");

    /// <summary>Runs <c>aws {arguments} --output json</c> and parses stdout (null for empty output).</summary>
    public static async Task<JsonNode?> RunAsync(KvsEmulator emulator, string? caBundle, params string[] arguments)
    {
        var result = await RunRawAsync(emulator, caBundle, arguments);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"aws {string.Join(' ', arguments)} exited {result.ExitCode}: {result.Stderr}");
        }

        return string.IsNullOrWhiteSpace(result.Stdout) ? null : JsonNode.Parse(result.Stdout);
    }

    public static Task<(int ExitCode, string Stdout, string Stderr)> RunRawAsync(KvsEmulator emulator, string? caBundle, params string[] arguments) =>
        RunWithSecretAsync(emulator, caBundle, secretOverride: null, arguments);

    /// <summary>Runs the CLI; <paramref name="secretOverride"/> replaces the emulator's secret key (to provoke a signature failure).</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunWithSecretAsync(KvsEmulator emulator, string? caBundle, string? secretOverride, string[] arguments)
    {
        var aws = Require();
        var psi = new ProcessStartInfo(aws)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        psi.ArgumentList.Add("--output");
        psi.ArgumentList.Add("json");
        psi.ArgumentList.Add("--region");
        psi.ArgumentList.Add(emulator.Region);

        var empty = Path.Combine(Path.GetTempPath(), "kvs-aws-cli-empty-config");
        File.WriteAllText(empty, string.Empty);
        psi.Environment["AWS_ACCESS_KEY_ID"] = emulator.Credentials.AccessKeyId;
        psi.Environment["AWS_SECRET_ACCESS_KEY"] = secretOverride ?? emulator.Credentials.SecretAccessKey;
        psi.Environment.Remove("AWS_SESSION_TOKEN");
        if (emulator.Credentials.SessionToken is { } token)
        {
            psi.Environment["AWS_SESSION_TOKEN"] = token;
        }

        psi.Environment["AWS_CONFIG_FILE"] = empty;
        psi.Environment["AWS_SHARED_CREDENTIALS_FILE"] = empty;
        psi.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        psi.Environment["AWS_PAGER"] = string.Empty;
        psi.Environment["AWS_MAX_ATTEMPTS"] = "1";
        if (caBundle is not null)
        {
            psi.Environment["AWS_CA_BUNDLE"] = caBundle;
        }

        using var process = Process.Start(psi)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(cts.Token);
        var stderr = process.StandardError.ReadToEndAsync(cts.Token);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"aws {string.Join(' ', arguments)} did not finish within 60 s.");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
