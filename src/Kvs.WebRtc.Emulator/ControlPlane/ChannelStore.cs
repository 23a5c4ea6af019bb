using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Kvs.WebRtc.Emulator.Http;

namespace Kvs.WebRtc.Emulator.ControlPlane;

/// <summary>
/// The emulated account's signaling channels: create, look up, page, update, delete and tag them. Channels are
/// ACTIVE as soon as they are created.
/// </summary>
/// <remarks>Thread-safe (one lock).</remarks>
internal sealed class ChannelStore
{
    private const string VersionAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const long MinArnCode = 1_000_000_000_000;
    private const long MaxArnCode = 9_999_999_999_999;

    private readonly object _gate = new();
    private readonly SortedDictionary<string, EmulatedChannel> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, EmulatedChannel> _byArn = new(StringComparer.Ordinal);
    private readonly Dictionary<string, EmulatedChannel> _byId = new(StringComparer.Ordinal);
    private readonly HashSet<string> _issuedArns = new(StringComparer.Ordinal);
    private readonly string _region;
    private readonly string _accountId;
    private readonly int _maxChannels;

    public ChannelStore(string region, string accountId, int maxChannels)
    {
        _region = region;
        _accountId = accountId;
        _maxChannels = maxChannels;
    }

    /// <summary>Creates an ACTIVE channel; throws <see cref="AwsServiceError"/> for a duplicate name or a full account.</summary>
    public EmulatedChannel Create(string name, int messageTtlSeconds, IReadOnlyList<KeyValuePair<string, string>> tags, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_byName.ContainsKey(name))
            {
                throw AwsServiceError.InUse($"A signaling channel named {name} already exists.");
            }

            if (_byName.Count >= _maxChannels)
            {
                throw new AwsServiceError(AwsErrorTypes.AccountChannelLimitExceeded, HttpStatusCode.BadRequest, $"The account already has {_maxChannels} signaling channels.");
            }

            var code = Math.Clamp(now.ToUnixTimeMilliseconds(), MinArnCode, MaxArnCode);
            string arn;
            while (!_issuedArns.Add(arn = string.Create(CultureInfo.InvariantCulture, $"arn:aws:kinesisvideo:{_region}:{_accountId}:channel/{name}/{code}")))
            {
                code++;
            }

            string id;
            do
            {
                id = Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();
            }
            while (_byId.ContainsKey(id));

            var channel = new EmulatedChannel(name, arn, id, DateTimeOffset.FromUnixTimeMilliseconds(code), messageTtlSeconds, NewVersion());
            foreach (var tag in tags)
            {
                channel.Tags[tag.Key] = tag.Value;
            }

            _byName.Add(name, channel);
            _byArn.Add(arn, channel);
            _byId.Add(id, channel);
            return channel;
        }
    }

    public EmulatedChannel? FindByArn(string arn)
    {
        lock (_gate)
        {
            return _byArn.GetValueOrDefault(arn);
        }
    }

    public EmulatedChannel? FindByName(string name)
    {
        lock (_gate)
        {
            return _byName.GetValueOrDefault(name);
        }
    }

    public EmulatedChannel? FindById(string id)
    {
        lock (_gate)
        {
            return _byId.GetValueOrDefault(id);
        }
    }

    /// <summary>The channel with this ARN, or a 404 <see cref="AwsServiceError"/>.</summary>
    public EmulatedChannel GetByArn(string arn) =>
        FindByArn(arn) ?? throw AwsServiceError.NotFound("The requested channel is not found or not active.");

    /// <summary>One page of channels in name order, after the channel named by <paramref name="afterName"/>.</summary>
    public (List<EmulatedChannel> Page, string? LastName) List(int maxResults, string? afterName, string? prefix)
    {
        lock (_gate)
        {
            var page = new List<EmulatedChannel>();
            var more = false;
            foreach (var (name, channel) in _byName)
            {
                if ((afterName is not null && string.CompareOrdinal(name, afterName) <= 0)
                    || (prefix is not null && !name.StartsWith(prefix, StringComparison.Ordinal)))
                {
                    continue;
                }

                if (page.Count == maxResults)
                {
                    more = true;
                    break;
                }

                page.Add(channel);
            }

            return (page, more ? page[^1].Name : null);
        }
    }

    /// <summary>Changes the TTL and issues a new version; throws on a stale version.</summary>
    public void Update(string arn, string currentVersion, int? messageTtlSeconds)
    {
        lock (_gate)
        {
            var channel = GetByArn(arn);
            RequireVersion(channel, currentVersion);
            if (messageTtlSeconds is { } ttl)
            {
                channel.MessageTtlSeconds = ttl;
            }

            channel.Version = NewVersion();
        }
    }

    /// <summary>Removes the channel (after checking the version when given) and returns it.</summary>
    public EmulatedChannel Delete(string arn, string? currentVersion)
    {
        lock (_gate)
        {
            var channel = GetByArn(arn);
            if (currentVersion is not null)
            {
                RequireVersion(channel, currentVersion);
            }

            _byName.Remove(channel.Name);
            _byArn.Remove(channel.Arn);
            _byId.Remove(channel.ChannelId);
            channel.IsDeleted = true;
            return channel;
        }
    }

    /// <summary>Adds or overwrites tags; throws when the channel would have more than 50.</summary>
    public void Tag(string arn, IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        lock (_gate)
        {
            var channel = GetByArn(arn);
            var total = channel.Tags.Count + tags.Select(t => t.Key).Distinct(StringComparer.Ordinal).Count(k => !channel.Tags.ContainsKey(k));
            if (total > ChannelValidation.MaxTagsPerResource)
            {
                throw new AwsServiceError(AwsErrorTypes.TagsPerResourceExceededLimit, HttpStatusCode.BadRequest, $"A resource can have at most {ChannelValidation.MaxTagsPerResource} tags.");
            }

            foreach (var tag in tags)
            {
                channel.Tags[tag.Key] = tag.Value;
            }
        }
    }

    public void Untag(string arn, IReadOnlyList<string> keys)
    {
        lock (_gate)
        {
            var channel = GetByArn(arn);
            foreach (var key in keys)
            {
                channel.Tags.Remove(key);
            }
        }
    }

    public Dictionary<string, string> GetTags(string arn)
    {
        lock (_gate)
        {
            return new Dictionary<string, string>(GetByArn(arn).Tags, StringComparer.Ordinal);
        }
    }

    public (string Status, string? StreamArn) GetMediaStorage(EmulatedChannel channel)
    {
        lock (_gate)
        {
            return (channel.MediaStorageStatus, channel.MediaStorageStreamArn);
        }
    }

    public void SetMediaStorage(string arn, string status, string? streamArn)
    {
        lock (_gate)
        {
            var channel = GetByArn(arn);
            channel.MediaStorageStatus = status;
            channel.MediaStorageStreamArn = streamArn;
        }
    }

    /// <summary>Encodes a page token: base64 of the last returned channel name (matches <c>[a-zA-Z0-9+/=]*</c>).</summary>
    public static string EncodeToken(string lastName) => Convert.ToBase64String(Encoding.UTF8.GetBytes(lastName));

    /// <summary>Decodes a page token; throws InvalidArgumentException when it was not issued by <see cref="EncodeToken"/>.</summary>
    public static string DecodeToken(string token)
    {
        try
        {
            var name = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            ChannelValidation.RequireChannelName(name, "NextToken");
            return name;
        }
        catch (FormatException)
        {
            throw AwsServiceError.InvalidArgument("NextToken is not valid.");
        }
        catch (AwsServiceError)
        {
            throw AwsServiceError.InvalidArgument("NextToken is not valid.");
        }
    }

    private static void RequireVersion(EmulatedChannel channel, string currentVersion)
    {
        if (!string.Equals(channel.Version, currentVersion, StringComparison.Ordinal))
        {
            throw new AwsServiceError(AwsErrorTypes.VersionMismatch, HttpStatusCode.BadRequest, "The channel version does not match the current version.");
        }
    }

    private static string NewVersion() => new(RandomNumberGenerator.GetItems<char>(VersionAlphabet, 20));
}
