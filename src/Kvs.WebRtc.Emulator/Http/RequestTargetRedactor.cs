using System.Text;

namespace Kvs.WebRtc.Emulator.Http;

/// <summary>
/// Makes a raw request target safe to log: the values of <c>X-Amz-Signature</c> and <c>X-Amz-Security-Token</c> are
/// replaced by <c>***</c>; everything else stays byte for byte (so double encoding remains visible).
/// </summary>
internal static class RequestTargetRedactor
{
    private static readonly string[] s_secretParameters = ["X-Amz-Signature", "X-Amz-Security-Token"];

    public static string Redact(string rawTarget)
    {
        var question = rawTarget.IndexOf('?', StringComparison.Ordinal);
        if (question < 0)
        {
            return rawTarget;
        }

        var builder = new StringBuilder(rawTarget.Length);
        builder.Append(rawTarget, 0, question + 1);
        var parts = rawTarget[(question + 1)..].Split('&');
        for (var i = 0; i < parts.Length; i++)
        {
            if (i > 0)
            {
                builder.Append('&');
            }

            var part = parts[i];
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var rawName = eq < 0 ? part : part[..eq];
            var name = RawQueryString.PercentDecode(rawName) ?? rawName;
            if (eq >= 0 && s_secretParameters.Any(s => string.Equals(s, name, StringComparison.OrdinalIgnoreCase)))
            {
                builder.Append(rawName).Append("=***");
            }
            else
            {
                builder.Append(part);
            }
        }

        return builder.ToString();
    }
}
