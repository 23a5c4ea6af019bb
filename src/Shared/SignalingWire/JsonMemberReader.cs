using System.Text;
using System.Text.Json;

namespace Kvs.WebRtc.Signaling;

/// <summary>
/// The one member-reading helper of the signaling wire decoders (frames and payloads, both directions): it walks the
/// members of a JSON object, matching names case-insensitively against a table, reading scalar values as text and
/// skipping unknown members. See docs/architecture.md ("Signaling wire codecs").
/// </summary>
/// <remarks>
/// This file is compiled into the client (<c>Kvs.WebRtc.Signaling</c>) and the emulator from <c>src/Shared</c>;
/// it is internal to each.
/// </remarks>
internal static class JsonMemberReader
{
    /// <summary>The longest escaped member name worth unescaping; a longer one is unknown anyway.</summary>
    private const int MaxNameLength = 64;

    /// <summary>The lenient reader options the service also accepts: trailing commas and comments.</summary>
    public static JsonReaderOptions Options { get; } = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
        MaxDepth = 64,
    };

    /// <summary>
    /// Moves to the next member of the object being read. True with the reader on the member's value and
    /// <paramref name="index"/> its position in <paramref name="names"/> (-1 for an unknown name); false at the end of
    /// the object.
    /// </summary>
    public static bool NextMember(ref Utf8JsonReader reader, scoped ReadOnlySpan<string> names, out int index)
    {
        index = -1;
        if (!reader.Read() || reader.TokenType != JsonTokenType.PropertyName)
        {
            return false;
        }

        index = IndexOfName(in reader, names);
        reader.Read();
        return true;
    }

    /// <summary>
    /// Reads the members of the object whose start the reader has just passed, up to its end: the value of each member
    /// named in <paramref name="names"/> goes to the same position of <paramref name="values"/> (see
    /// <see cref="ReadScalar"/>), other members are skipped. Stops at the first member of the wrong type and returns
    /// why (the member named <paramref name="prefix"/> + name); null when every member was read.
    /// </summary>
    /// <param name="reader">The reader, just past a <see cref="JsonTokenType.StartObject"/>.</param>
    /// <param name="names">The member names to read (matched case-insensitively).</param>
    /// <param name="values">Receives the values; same length as <paramref name="names"/>.</param>
    /// <param name="keepEmpty">Bit <c>i</c> set: an empty string for <c>names[i]</c> stays empty instead of absent.</param>
    /// <param name="prefix">Prefix of member names in error messages (e.g. <c>statusResponse.</c>).</param>
    public static string? ReadScalarMembers(ref Utf8JsonReader reader, scoped ReadOnlySpan<string> names, scoped Span<string?> values, uint keepEmpty = 0, string? prefix = null)
    {
        while (NextMember(ref reader, names, out var index))
        {
            if (index < 0)
            {
                reader.Skip();
                continue;
            }

            var error = ReadScalar(ref reader, names[index], out values[index], (keepEmpty & (1u << index)) != 0);
            if (error is not null)
            {
                return prefix is null ? error : $"'{prefix}{names[index]}' is not a string.";
            }
        }

        return null;
    }

    /// <summary>
    /// Reads a scalar member value as text: strings as-is, numbers and booleans as their JSON text, null as null.
    /// Empty strings become null unless <paramref name="keepEmpty"/>. Objects and arrays are skipped and are an error
    /// (the returned reason); null when the value was read.
    /// </summary>
    public static string? ReadScalar(ref Utf8JsonReader reader, string member, out string? value, bool keepEmpty = false)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                value = reader.GetString();
                if (!keepEmpty && string.IsNullOrEmpty(value))
                {
                    value = null;
                }

                return null;
            case JsonTokenType.Null:
                value = null;
                return null;
            case JsonTokenType.Number:
            case JsonTokenType.True:
            case JsonTokenType.False:
                value = Encoding.UTF8.GetString(reader.ValueSpan);
                return null;
            default:
                value = null;
                reader.Skip();
                return $"'{member}' is not a string.";
        }
    }

    /// <summary>Consumes the rest of the input, so that trailing garbage surfaces as a <see cref="JsonException"/>.</summary>
    public static void ReadToEnd(ref Utf8JsonReader reader)
    {
        while (reader.Read())
        {
        }
    }

    private static int IndexOfName(in Utf8JsonReader reader, ReadOnlySpan<string> names)
    {
        scoped ReadOnlySpan<byte> name;
        Span<byte> buffer = stackalloc byte[MaxNameLength];
        if (!reader.ValueIsEscaped)
        {
            name = reader.ValueSpan;
        }
        else if (reader.ValueSpan.Length > buffer.Length)
        {
            // Escaped names are rare; one longer than any known name is unknown.
            return -1;
        }
        else
        {
            name = buffer[..reader.CopyString(buffer)];
        }

        for (var i = 0; i < names.Length; i++)
        {
            if (name.Length == names[i].Length && Ascii.EqualsIgnoreCase(name, names[i]))
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>Room for the scalar values of up to six members, on the stack (use as <c>Span&lt;string?&gt;</c>).</summary>
[System.Runtime.CompilerServices.InlineArray(6)]
internal struct MemberValues
{
    private string? _element0;
}
