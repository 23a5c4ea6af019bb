namespace Kvs.WebRtc.PeerConnection.Sdp;

/// <summary>
/// The lines of the session part or of one media section, in order, with typed views of the attributes both levels
/// share. The lines are the source of truth: typed accessors read them and typed setters edit them, so unknown lines
/// keep their place and a parsed description writes back byte for byte.
/// </summary>
internal abstract class SdpSection
{
    private protected SdpSection()
    {
    }

    /// <summary>The lines of this section (for a media section: after its m= line).</summary>
    public List<SdpLine> Lines { get; } = [];

    /// <summary>The first value of an attribute; null when absent or a flag.</summary>
    public string? GetAttribute(string name)
    {
        foreach (var line in Lines)
        {
            if (line.IsAttributeNamed(name))
            {
                return line.AttributeValue;
            }
        }

        return null;
    }

    /// <summary>Every value of an attribute, in order (flags give an empty string).</summary>
    public IReadOnlyList<string> GetAttributes(string name)
    {
        var values = new List<string>();
        foreach (var line in Lines)
        {
            if (line.IsAttributeNamed(name))
            {
                values.Add(line.AttributeValue ?? string.Empty);
            }
        }

        return values;
    }

    /// <summary>True when the attribute is present (flag or with value).</summary>
    public bool HasAttribute(string name) => Lines.Exists(l => l.IsAttributeNamed(name));

    /// <summary>Appends <c>a=name[:value]</c> after validating it.</summary>
    /// <exception cref="ArgumentException">The attribute is malformed.</exception>
    public void AddAttribute(string name, string? value = null)
    {
        var line = SdpLine.Attribute(name, value);
        if (SdpValidator.ValidateAttribute(line) is { } reason)
        {
            throw new ArgumentException($"Invalid a={name}: {reason}.", nameof(value));
        }

        Lines.Add(line);
    }

    /// <summary>Replaces the first occurrence of the attribute in place (removing later ones), or appends it.</summary>
    public void SetAttribute(string name, string? value = null)
    {
        var line = SdpLine.Attribute(name, value);
        if (SdpValidator.ValidateAttribute(line) is { } reason)
        {
            throw new ArgumentException($"Invalid a={name}: {reason}.", nameof(value));
        }

        var index = Lines.FindIndex(l => l.IsAttributeNamed(name));
        if (index < 0)
        {
            Lines.Add(line);
            return;
        }

        Lines[index] = line;
        RemoveAttributesAfter(name, index + 1);
    }

    /// <summary>Removes every occurrence of the attribute; returns how many were removed.</summary>
    public int RemoveAttributes(string name) => Lines.RemoveAll(l => l.IsAttributeNamed(name));

    /// <summary><c>a=ice-ufrag</c> at this level.</summary>
    public string? IceUfrag => GetAttribute(SdpAttributeNames.IceUfrag)?.Trim();

    /// <summary><c>a=ice-pwd</c> at this level (a secret: never log it).</summary>
    public string? IcePwd => GetAttribute(SdpAttributeNames.IcePwd)?.Trim();

    /// <summary>The tokens of every <c>a=ice-options</c> at this level, e.g. <c>trickle</c>.</summary>
    public IReadOnlyList<string> IceOptions =>
        GetAttributes(SdpAttributeNames.IceOptions).SelectMany(v => SdpSyntax.SplitFields(v)).ToList();

    /// <summary>Every well-formed <c>a=fingerprint</c> at this level, in order.</summary>
    public IReadOnlyList<SdpFingerprint> Fingerprints => Collect<SdpFingerprint>(SdpAttributeNames.Fingerprint, SdpFingerprint.TryParse);

    /// <summary><c>a=setup</c> at this level.</summary>
    public SdpSetup? Setup =>
        GetAttribute(SdpAttributeNames.Setup) is { } v && SdpEnumText.TryParseSetup(v, out var s) ? s : null;

    /// <summary>The direction attribute at this level (the last one wins), or null when none.</summary>
    public SdpDirection? Direction
    {
        get
        {
            SdpDirection? result = null;
            foreach (var line in Lines)
            {
                if (line.IsAttribute && line.AttributeValue is null && SdpEnumText.TryParseDirection(line.Value, out var d))
                {
                    result = d;
                }
            }

            return result;
        }
    }

    /// <summary>Every well-formed <c>a=extmap</c> at this level.</summary>
    public IReadOnlyList<SdpExtMap> ExtMaps => Collect<SdpExtMap>(SdpAttributeNames.ExtMap, SdpExtMap.TryParse);

    /// <summary>The <c>c=</c> line at this level.</summary>
    public SdpConnection? Connection =>
        Lines.FindIndex(l => l.Type == 'c') is var i and >= 0 && SdpConnection.TryParse(Lines[i].Value, out var c) ? c : null;

    /// <summary>Every <c>b=</c> line at this level.</summary>
    public IReadOnlyList<SdpBandwidth> Bandwidths
    {
        get
        {
            var list = new List<SdpBandwidth>();
            foreach (var line in Lines)
            {
                if (line.Type == 'b' && SdpBandwidth.TryParse(line.Value, out var b))
                {
                    list.Add(b!);
                }
            }

            return list;
        }
    }

    /// <summary>Sets <c>a=ice-ufrag</c> and <c>a=ice-pwd</c>.</summary>
    public void SetIceCredentials(string ufrag, string pwd)
    {
        SetAttribute(SdpAttributeNames.IceUfrag, ufrag);
        SetAttribute(SdpAttributeNames.IcePwd, pwd);
    }

    /// <summary>Sets <c>a=setup</c>.</summary>
    public void SetSetup(SdpSetup setup) => SetAttribute(SdpAttributeNames.Setup, SdpEnumText.Format(setup));

    /// <summary>Replaces every direction attribute with <paramref name="direction"/> (at the first one's place).</summary>
    public void SetDirection(SdpDirection direction)
    {
        var replacement = SdpLine.Attribute(SdpEnumText.Format(direction), null);
        var first = -1;
        for (var i = Lines.Count - 1; i >= 0; i--)
        {
            var line = Lines[i];
            if (line.IsAttribute && line.AttributeValue is null && SdpEnumText.TryParseDirection(line.Value, out _))
            {
                if (first >= 0)
                {
                    Lines.RemoveAt(first);
                }

                first = i;
            }
        }

        if (first >= 0)
        {
            Lines[first] = replacement;
        }
        else
        {
            Lines.Add(replacement);
        }
    }

    /// <summary>Replaces the fingerprints with <paramref name="fingerprints"/> (at the first one's place).</summary>
    public void SetFingerprints(IEnumerable<SdpFingerprint> fingerprints)
    {
        ArgumentNullException.ThrowIfNull(fingerprints);
        var index = Lines.FindIndex(l => l.IsAttributeNamed(SdpAttributeNames.Fingerprint));
        RemoveAttributes(SdpAttributeNames.Fingerprint);
        var lines = fingerprints.Select(f => SdpLine.Attribute(SdpAttributeNames.Fingerprint, f.ToSdpValue())).ToList();
        Lines.InsertRange(index < 0 ? Lines.Count : index, lines);
    }

    private protected IReadOnlyList<T> Collect<T>(string name, TryParser<T> parse)
        where T : class
    {
        var list = new List<T>();
        foreach (var line in Lines)
        {
            if (line.IsAttributeNamed(name) && parse(line.AttributeValue, out var value))
            {
                list.Add(value!);
            }
        }

        return list;
    }

    private void RemoveAttributesAfter(string name, int start)
    {
        for (var i = Lines.Count - 1; i >= start; i--)
        {
            if (Lines[i].IsAttributeNamed(name))
            {
                Lines.RemoveAt(i);
            }
        }
    }

    private protected delegate bool TryParser<T>(string? value, out T? result)
        where T : class;
}
