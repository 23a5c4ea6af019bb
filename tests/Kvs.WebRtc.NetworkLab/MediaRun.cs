using System.Diagnostics;
using System.Globalization;
using System.Text;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.Media;

namespace Kvs.WebRtc.NetworkLab;

/// <summary>
/// The media half of the lab: the offerer streams synthetic 1080p-sized H.264 (30 frames/s, ~4 Mbit/s, a key frame
/// every 2 s and whenever the track is asked for one) for a bounded time; the answerer reads whole frames and checks
/// each byte for byte (every frame carries its index and is regenerated from it). Reports how many arrived intact and
/// the longest gap between two delivered frames.
/// </summary>
internal static class MediaRun
{
    private const int FramesPerSecond = 30;
    private const int KeyFrameInterval = 2 * FramesPerSecond;
    private static readonly byte[] s_sps = [0x67, 0x64, 0x00, 0x28, 0xac, 0xd9, 0x40, 0x78, 0x02, 0x27, 0xe5, 0x84];
    private static readonly byte[] s_pps = [0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0];
    private static readonly byte[] s_tag = "#F"u8.ToArray();

    public static async Task<MediaResult> RunAsync(RTCPeerConnection offerer, EncodedFrameTrack track, RemoteMediaTrack remote, int seconds, int bitrate,
        CancellationToken ct)
    {
        var frameCount = seconds * FramesPerSecond;
        var clock = Stopwatch.StartNew();
        var arrivals = new List<double>();
        var received = new HashSet<int>();
        var corrupt = 0;
        var corruptDetails = new List<string>();
        var duplicates = 0;
        using var readStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var reader = Task.Run(async () =>
        {
            try
            {
                await foreach (var frame in remote.ReadFramesAsync(readStop.Token))
                {
                    arrivals.Add(clock.Elapsed.TotalMilliseconds);
                    var index = Check(frame.Data.Span, bitrate);
                    if (index < 0)
                    {
                        corrupt++;
                        if (corruptDetails.Count < 5)
                        {
                            corruptDetails.Add(Describe(frame, bitrate));
                        }
                    }
                    else if (!received.Add(index))
                    {
                        duplicates++;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // The run is over.
            }
        }, CancellationToken.None);

        var keyFrames = 0;
        var answered = track.KeyFrameRequests;
        for (var i = 0; i < frameCount; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / FramesPerSecond) - clock.Elapsed;
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due, ct);
            }

            var requests = track.KeyFrameRequests;
            var key = i % KeyFrameInterval == 0 || requests != answered;
            answered = requests;
            keyFrames += key ? 1 : 0;
            await track.WriteFrameAsync(new EncodedFrame(Build(i, key, bitrate), TimeSpan.FromSeconds((double)i / FramesPerSecond), key), ct);
        }

        // Late retransmissions, then stop reading.
        await Task.Delay(1000, ct);
        await readStop.CancelAsync();
        await reader;

        var sender = offerer.GetSenders().First(s => ReferenceEquals(s.Track, track));
        var maxGap = 0.0;
        for (var i = 1; i < arrivals.Count; i++)
        {
            maxGap = Math.Max(maxGap, arrivals[i] - arrivals[i - 1]);
        }

        return new MediaResult
        {
            FramesSent = frameCount,
            FramesIntact = received.Count,
            FramesCorrupt = corrupt,
            CorruptFrames = corruptDetails,
            FramesDuplicated = duplicates,
            FramesDroppedByReceiver = remote.FramesDropped,
            KeyFramesSent = keyFrames,
            KeyFrameRequests = track.KeyFrameRequests,
            MaxGapMs = Math.Round(maxGap),
            NacksReceived = sender.NackCount,
            RetransmittedPackets = sender.RetransmittedPacketsSent,
            PacketsSent = sender.PacketsSent,
        };
    }

    // Annex-B access unit: (SPS, PPS,) one slice whose payload starts with "#F<index:8>L<length:8>" and continues with
    // bytes seeded by the index (never 0, so no start-code emulation).
    private static byte[] Build(int index, bool key, int bitrate)
    {
        var average = bitrate / 8 / FramesPerSecond;
        var size = key ? average * 4 : (average * (KeyFrameInterval - 4) / (KeyFrameInterval - 1)) + ((index * 7919 % 2001) - 1000);
        var header = key ? new List<byte> { 0, 0, 0, 1 }.Concat(s_sps).Concat(new byte[] { 0, 0, 0, 1 }).Concat(s_pps).ToArray() : [];
        var frame = new byte[header.Length + 4 + size];
        header.CopyTo(frame, 0);
        var slice = frame.AsSpan(header.Length);
        slice[3] = 1;
        slice[4] = key ? (byte)0x65 : (byte)0x41;
        slice[5] = 0x88;
        var payload = slice[6..];
        new Random(index).NextBytes(payload);
        for (var i = 0; i < payload.Length; i++)
        {
            if (payload[i] == 0)
            {
                payload[i] = 0x5a;
            }
        }

        Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"#F{index:D8}L{frame.Length:D8}"), payload);
        return frame;
    }

    // How a frame that failed the check differs from the frame its tag names: what a reader needs to tell a wrong packet
    // (bytes differ from some offset), a missing or extra packet (length), or lost parameter sets (key flag) apart.
    private static string Describe(EncodedFrame frame, int bitrate)
    {
        var data = frame.Data.Span;
        var head = Convert.ToHexString(data[..Math.Min(8, data.Length)]);
        var at = data.IndexOf(s_tag);
        if (at < 0 || at + 19 > data.Length || !int.TryParse(data.Slice(at + 2, 8), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            return string.Create(CultureInfo.InvariantCulture, $"no tag: length {data.Length}, key {frame.IsKeyFrame}, rtp ts {frame.RtpTimestamp}, head {head}");
        }

        var key = data.Length > 4 && (data[4] & 0x1f) == 7;
        var expected = Build(index, key, bitrate);
        var other = Build(index, !key, bitrate);
        var common = data.CommonPrefixLength(expected);
        return string.Create(CultureInfo.InvariantCulture,
            $"frame {index}: length {data.Length} (expected {expected.Length}, as {(key ? "delta" : "key")} {other.Length}), key flag {frame.IsKeyFrame}, rtp ts {frame.RtpTimestamp}, first difference at {common} (tag at {at}), head {head}");
    }

    // The frame's index when it is byte for byte the frame built for that index, else -1.
    private static int Check(ReadOnlySpan<byte> data, int bitrate)
    {
        var at = data.IndexOf(s_tag);
        if (at < 0 || at + 19 > data.Length
            || !int.TryParse(data.Slice(at + 2, 8), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            return -1;
        }

        var key = data.Length > 4 && (data[4] & 0x1f) == 7;
        return data.SequenceEqual(Build(index, key, bitrate)) ? index : -1;
    }
}
