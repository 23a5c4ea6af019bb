using Kvs.WebRtc.PeerConnection.Codecs;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Codecs;

[TestFixture]
public sealed class H264ProfileLevelIdTests
{
    [TestCase("42e01f", (int)H264Profile.ConstrainedBaseline, (int)H264Level.Level3_1)]
    [TestCase("42E01F", (int)H264Profile.ConstrainedBaseline, (int)H264Level.Level3_1)]
    [TestCase("4240 1f", null, null)]
    [TestCase("42401f", (int)H264Profile.ConstrainedBaseline, (int)H264Level.Level3_1)]
    [TestCase("42c01f", (int)H264Profile.ConstrainedBaseline, (int)H264Level.Level3_1)]
    [TestCase("4d801f", (int)H264Profile.ConstrainedBaseline, (int)H264Level.Level3_1)]
    [TestCase("42001f", (int)H264Profile.Baseline, (int)H264Level.Level3_1)]
    [TestCase("4d001f", (int)H264Profile.Main, (int)H264Level.Level3_1)]
    [TestCase("640c1f", (int)H264Profile.ConstrainedHigh, (int)H264Level.Level3_1)]
    [TestCase("64001f", (int)H264Profile.High, (int)H264Level.Level3_1)]
    [TestCase("f40034", (int)H264Profile.PredictiveHigh444, (int)H264Level.Level5_2)]
    [TestCase("42f00b", (int)H264Profile.ConstrainedBaseline, (int)H264Level.Level1B)]
    [TestCase("42e00b", (int)H264Profile.ConstrainedBaseline, (int)H264Level.Level1_1)]
    [TestCase("640009", (int)H264Profile.High, (int)H264Level.Level1B)]
    [TestCase("42e0ff", null, null)]
    [TestCase("6400ff", null, null)]
    [TestCase("420f1f", null, null)]
    [TestCase("58001f", null, null)]
    [TestCase("42e01", null, null)]
    [TestCase("zze01f", null, null)]
    public void TryParse_KnownForms_ProfileAndLevel(string text, int? profile, int? level)
    {
        var ok = H264ProfileLevelId.TryParse(text, out var value);
        Assert.That(ok, Is.EqualTo(profile is not null));
        if (ok)
        {
            Assert.That(value, Is.EqualTo(new H264ProfileLevelId((H264Profile)profile!.Value, (H264Level)level!.Value)));
        }
    }

    [Test]
    public void ToHexString_RoundTripsAndRefusesHighLevel1b()
    {
        Assert.That(new H264ProfileLevelId(H264Profile.ConstrainedBaseline, H264Level.Level3_1).ToHexString(), Is.EqualTo("42e01f"));
        Assert.That(new H264ProfileLevelId(H264Profile.ConstrainedHigh, H264Level.Level4).ToHexString(), Is.EqualTo("640c28"));
        Assert.That(new H264ProfileLevelId(H264Profile.Main, H264Level.Level1B).ToHexString(), Is.EqualTo("4d100b"));
        Assert.That(new H264ProfileLevelId(H264Profile.High, H264Level.Level1B).ToHexString(), Is.Null);
    }

    [Test]
    public void CompareLevels_1bBetween1And11()
    {
        Assert.That(H264ProfileLevelId.CompareLevels(H264Level.Level1, H264Level.Level1B), Is.LessThan(0));
        Assert.That(H264ProfileLevelId.CompareLevels(H264Level.Level1B, H264Level.Level1_1), Is.LessThan(0));
        Assert.That(H264ProfileLevelId.MinLevel(H264Level.Level3_1, H264Level.Level1B), Is.EqualTo(H264Level.Level1B));
    }

    [TestCase("42e01f", "42001f", false)]
    [TestCase("42e01f", "42e034", true)]
    [TestCase("42e01f", "42c01f", true)]
    [TestCase("42e01f", "4d001f", false)]
    [TestCase("42e01f", "640c1f", false)]
    [TestCase("640c1f", "640c34", true)]
    [TestCase("42e01f", null, true)]
    public void IsCompatible_SameProfileAndMode(string local, string? remote, bool expected)
    {
        var ours = new H264FormatParameters(local, true, 1);
        var theirs = new H264FormatParameters(remote, true, 1);
        Assert.That(H264FormatParameters.IsCompatible(ours, theirs), Is.EqualTo(expected));
    }

    [Test]
    public void IsCompatible_PacketizationModeDiffers_False()
    {
        Assert.That(H264FormatParameters.IsCompatible(H264FormatParameters.Default, H264FormatParameters.Parse("profile-level-id=42e01f")), Is.False);
    }

    [TestCase("42e01f", true, "42e034", true, "42e01f")]
    [TestCase("42e034", true, "42e01f", true, "42e034")]
    [TestCase("42e034", true, "42e01f", false, "42e01f")]
    [TestCase("42e034", false, "42e01f", true, "42e01f")]
    [TestCase("42e01f", false, "42e034", false, "42e01f")]
    [TestCase("4d0028", false, "4d100b", false, "4d100b")]
    public void TryCreateAnswer_LevelAsymmetry(string local, bool localAsymmetry, string remote, bool remoteAsymmetry, string expected)
    {
        var ok = H264FormatParameters.TryCreateAnswer(new H264FormatParameters(local, localAsymmetry, 1),
            new H264FormatParameters(remote, remoteAsymmetry, 1), out var answer);
        Assert.That(ok, Is.True);
        Assert.That(answer.ProfileLevelId, Is.EqualTo(expected));
        Assert.That(answer.LevelAsymmetryAllowed, Is.EqualTo(localAsymmetry));
    }

    [Test]
    public void TryCreateAnswer_DifferentProfile_False()
    {
        Assert.That(H264FormatParameters.TryCreateAnswer(H264FormatParameters.Default, new H264FormatParameters("640c1f", true, 1), out _), Is.False);
    }

    [Test]
    public void Parse_BrowserFmtp_ReadsAllThree()
    {
        var parameters = H264FormatParameters.Parse("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f");
        Assert.That(parameters, Is.EqualTo(new H264FormatParameters("42e01f", true, 1)));
        Assert.That(H264FormatParameters.Parse(parameters.ToFmtp()), Is.EqualTo(parameters));
        Assert.That(H264FormatParameters.Parse(null), Is.EqualTo(new H264FormatParameters(null, false, 0)));
    }
}
