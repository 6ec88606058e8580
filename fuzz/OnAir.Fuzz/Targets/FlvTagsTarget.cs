using OnAir.Media;
using OnAir.Media.Flv;
using OnAir.Testing;

namespace OnAir.Fuzz.Targets;

/// <summary>
/// A publisher's audio and video message bodies, in order, into one reader (sequence headers, then
/// frames that depend on them): each tag is [type: 8 audio or 9 video][length: 2 bytes][body], and
/// bodies arrive cut into reads.
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
