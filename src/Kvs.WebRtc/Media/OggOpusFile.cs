namespace Kvs.WebRtc.Media;

/// <summary>An Ogg Opus file (RFC 7845): the OpusHead fields and the audio packets.</summary>
/// <param name="Channels">Output channel count from OpusHead.</param>
/// <param name="PreSkip">Samples (48 kHz) to discard at the start of decoding.</param>
/// <param name="InputSampleRate">The original sample rate (informational).</param>
/// <param name="FinalGranulePosition">The last page's granule position: pre-skip plus the playable samples (48 kHz).</param>
/// <param name="Packets">The audio packets in order, OpusHead and OpusTags excluded.</param>
public sealed record OggOpusFile(int Channels, int PreSkip, uint InputSampleRate, long FinalGranulePosition, IReadOnlyList<OpusPacket> Packets);
