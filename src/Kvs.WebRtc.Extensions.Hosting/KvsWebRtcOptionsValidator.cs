using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Kvs.WebRtc.Hosting;

/// <summary>
/// Validates <see cref="KvsWebRtcOptions"/> when the host starts (<c>ValidateOnStart</c>) or the options are first read.
/// Each failure names the configuration key (e.g. <c>Kvs:Region</c>) and what is expected; secret values never appear.
/// </summary>
internal sealed partial class KvsWebRtcOptionsValidator(string sectionPath) : IValidateOptions<KvsWebRtcOptions>
{
    /// <summary>The configuration path the options are bound from, the prefix of every key named in a message.</summary>
    public string SectionPath { get; } = sectionPath;

    public ValidateOptionsResult Validate(string? name, KvsWebRtcOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        ValidateChannel(options, failures);
        ValidateCredentials(options, failures);
        ValidateReconnect(options.Reconnect, failures);
        ValidateMaster(options.Master, failures);
        if (options.Ice is null)
        {
            failures.Add($"{Key("Ice")} must not be null.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private string Key(string relative) => string.IsNullOrEmpty(SectionPath) ? relative : $"{SectionPath}:{relative}";

    private void ValidateChannel(KvsWebRtcOptions options, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(options.Channel))
        {
            failures.Add($"{Key("Channel")} is required: the signaling channel's name or ARN.");
        }
        else if (!options.Channel.StartsWith("arn:", StringComparison.Ordinal) && !ChannelName().IsMatch(options.Channel))
        {
            failures.Add($"{Key("Channel")} '{options.Channel}' is not a channel name (1-256 of a-z, A-Z, 0-9, '_', '.', '-') or an ARN (arn:...).");
        }

        if (string.IsNullOrWhiteSpace(options.Region))
        {
            failures.Add($"{Key("Region")} is required, e.g. \"us-west-2\".");
        }
        else if (!RegionName().IsMatch(options.Region))
        {
            failures.Add($"{Key("Region")} '{options.Region}' is not an AWS region name such as \"us-west-2\".");
        }

        if (options.ServiceUrl is { Length: > 0 } url
            && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
        {
            failures.Add($"{Key("ServiceUrl")} '{url}' must be an absolute http or https URL, e.g. \"https://127.0.0.1:4566\".");
        }
    }

    private void ValidateCredentials(KvsWebRtcOptions options, List<string> failures)
    {
        var hasKeyId = !string.IsNullOrEmpty(options.AccessKeyId);
        var hasSecret = !string.IsNullOrEmpty(options.SecretAccessKey);
        if (hasKeyId != hasSecret)
        {
            failures.Add(hasKeyId
                ? $"{Key("SecretAccessKey")} is required when {Key("AccessKeyId")} is set."
                : $"{Key("AccessKeyId")} is required when {Key("SecretAccessKey")} is set.");
        }

        if (!hasKeyId && !hasSecret && !string.IsNullOrEmpty(options.SessionToken))
        {
            failures.Add($"{Key("SessionToken")} is set without {Key("AccessKeyId")} and {Key("SecretAccessKey")}.");
        }

        if ((hasKeyId || hasSecret) && !string.IsNullOrEmpty(options.Profile))
        {
            failures.Add($"Set either {Key("Profile")} or {Key("AccessKeyId")}/{Key("SecretAccessKey")}, not both.");
        }
    }

    private void ValidateReconnect(KvsReconnectOptions? reconnect, List<string> failures)
    {
        if (reconnect is null)
        {
            failures.Add($"{Key("Reconnect")} must not be null.");
            return;
        }

        if (reconnect.BaseDelay < TimeSpan.Zero)
        {
            failures.Add($"{Key("Reconnect:BaseDelay")} must not be negative.");
        }

        if (reconnect.MaxDelay < reconnect.BaseDelay)
        {
            failures.Add($"{Key("Reconnect:MaxDelay")} ({reconnect.MaxDelay}) must be at least {Key("Reconnect:BaseDelay")} ({reconnect.BaseDelay}).");
        }

        if (double.IsNaN(reconnect.JitterRatio) || reconnect.JitterRatio is < 0 or > 1)
        {
            failures.Add($"{Key("Reconnect:JitterRatio")} must be between 0 and 1.");
        }

        if (reconnect.MaxAttempts is < 1)
        {
            failures.Add($"{Key("Reconnect:MaxAttempts")} must be at least 1 (or unset for the role's default).");
        }
    }

    private void ValidateMaster(KvsMasterOptions? master, List<string> failures)
    {
        if (master is null)
        {
            failures.Add($"{Key("Master")} must not be null.");
            return;
        }

        if (master.MaxViewers < 1)
        {
            failures.Add($"{Key("Master:MaxViewers")} must be at least 1 (KVS allows 10).");
        }

        if (master.ViewerConnectTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{Key("Master:ViewerConnectTimeout")} must be positive, e.g. \"00:00:30\".");
        }

        if (master.RestartDelay <= TimeSpan.Zero)
        {
            failures.Add($"{Key("Master:RestartDelay")} must be positive, e.g. \"00:00:01\".");
        }

        if (master.MaxRestartDelay < master.RestartDelay)
        {
            failures.Add($"{Key("Master:MaxRestartDelay")} ({master.MaxRestartDelay}) must be at least {Key("Master:RestartDelay")} ({master.RestartDelay}).");
        }
    }

    [GeneratedRegex("^[a-zA-Z0-9_.-]{1,256}$", RegexOptions.CultureInvariant)]
    private static partial Regex ChannelName();

    [GeneratedRegex("^[a-z]{2,}(-[a-z0-9]+)+$", RegexOptions.CultureInvariant)]
    private static partial Regex RegionName();
}
