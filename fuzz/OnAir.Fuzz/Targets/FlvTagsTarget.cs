using OnAir.Media;
using OnAir.Media.Flv;
using OnAir.Testing;

namespace OnAir.Fuzz.Targets;

/// <summary>
/// A publisher's audio and video message bodies, in order, into one reader (sequence headers, then
/// frames that depend on them): each tag is [type: 8 audio or 9 video][length: 2 bytes][body], and
/// bodies arrive cut into reads. Enhanced RTMP video (FourCC headers, ModEx prefixes) goes through the same reader.
/// </summary>
internal sealed class FlvTagsTarget : IFuzzTarget
{
    public static string Name => "flv-tags";

    public static IEnumerable<byte[]> Seeds()
    {
        foreach (var name in new[] { "h264-aac-320x240-2s.flv", "aac-44100-mono.flv", "h264-854x480-main.flv" })
        {
            yield return Tags(name, maxTags: 12);
        }

        yield return EnhancedHevcTags();
    }

    public static void Fuzz(ReadOnlySpan<byte> input)
    {
        var reader = new FlvMediaReader();
        try
        {
            for (var at = 0; at + 3 <= input.Length;)
            {
                var type = input[at];
                var length = Math.Min((input[at + 1] << 8) | input[at + 2], input.Length - at - 3);
                var body = Segments.Split(input.Slice(at + 3, length));
                at += 3 + length;
                var result = (type & 1) == 1 ? reader.ReadVideo(body, (uint)at, out var frame) : reader.ReadAudio(body, (uint)at, out frame);
                if ((result == FlvTagResult.Frame) != (frame is not null))
                {
                    throw new InvalidOperationException($"{result} with{(frame is null ? "out" : "")} a frame");
                }

                frame?.Release();
            }
        }
        catch (InvalidMediaException)
        {
            // closes the publisher's connection with its reason
        }
    }

    /// <summary>
    /// Enhanced RTMP H.265 in this target's framing: x265's hvcC as a SequenceStart, a keyframe with a
    /// composition time, an inter frame without (CodedFramesX), one behind a ModEx prefix, and HDR metadata.
    /// The reader keeps frame payloads opaque, so a few bytes of NAL unit stand in for each frame.
    /// </summary>
    private static byte[] EnhancedHevcTags()
    {
        var hvcC = Mp4Box.SampleEntryRecord(File.ReadAllBytes(TestVectors.Path("hevc-320x180-main.mp4")), "hvc1", "hvcC");
        byte[] nal = [0, 0, 0, 4, 0x26, 0x01, 0xAF, 0x10];
        byte[][] bodies =
        [
            EnhancedFlvTags.SequenceStart(hvcC),
            [0x91, .. "hvc1"u8, 0x00, 0x00, 0x21, .. nal],
            [0xA3, .. "hvc1"u8, .. nal],
            [0xA7, 0x02, 0x00, 0x01, 0x02, 0x03, .. "hvc1"u8, .. nal],
            [0x94, .. "hvc1"u8, 0x02, 0x00, 0x09, .. "colorInfo"u8],
        ];
        return [.. bodies.SelectMany(body => (byte[])[9, (byte)(body.Length >> 8), (byte)body.Length, .. body])];
    }

    /// <summary>The first audio and video tags of a vector in this target's framing.</summary>
    private static byte[] Tags(string vector, int maxTags)
    {
        var output = new List<byte>();
        foreach (var tag in FlvFile.ReadTags(TestVectors.Path(vector)).Where(t => t.Type is 8 or 9 && t.Body.Length <= 0xFFFF).Take(maxTags))
        {
            output.AddRange([tag.Type, (byte)(tag.Body.Length >> 8), (byte)tag.Body.Length, .. tag.Body]);
        }

        return [.. output];
    }
}
