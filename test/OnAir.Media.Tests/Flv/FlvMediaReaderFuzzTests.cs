using System.Buffers;
using OnAir.Media.Aac;
using OnAir.Media.Avc;
using OnAir.Media.Flv;

namespace OnAir.Media.Tests.Flv;

/// <summary>
/// A hostile or broken publisher controls every byte of a tag body. Whatever it sends, the only
/// exception that may escape the media parsers is <see cref="InvalidMediaException"/> (which closes
/// that session); anything else would surface as a server fault.
/// </summary>
public class FlvMediaReaderFuzzTests
{
    private const int Iterations = 20_000;

    [Fact]
    public void Mutated_real_tags_only_ever_raise_InvalidMediaException()
    {
        var seeds = Seeds();
        var random = new Random(20240611);
        var failures = new List<string>();
        var outcomes = new Dictionary<string, int>();
        var videoHeader = VectorTags.VideoSequenceHeader();
        var audioHeader = VectorTags.AudioSequenceHeader();

        for (var i = 0; i < Iterations && failures.Count < 5; i++)
        {
            var (tagType, original) = seeds[random.Next(seeds.Count)];
            var body = Mutate(original, random);
            var segmented = body.Length <= 256 && random.Next(4) == 0;
            var reader = new FlvMediaReader();
            if (random.Next(2) == 0)
            {
                // Configured first, so frame tags go past the MissingConfig check.
                reader.ReadVideo(new ReadOnlySequence<byte>(videoHeader), 0, out _);
                reader.ReadAudio(new ReadOnlySequence<byte>(audioHeader), 0, out _);
            }

            try
            {
                var sequence = VectorRead.Body(body, segmented);
                var timestamp = (uint)random.Next();
                var result = tagType == 9
                    ? reader.ReadVideo(sequence, timestamp, out var frame)
                    : reader.ReadAudio(sequence, timestamp, out frame);
                Assert.Equal(result == FlvTagResult.Frame, frame is not null);
                if (frame is not null)
                {
                    Assert.Equal(body.Length - (tagType == 9 ? 5 : 2), frame.Span.Length);
                    frame.Release();
                }

                Count(outcomes, result.ToString());
            }
            catch (InvalidMediaException)
            {
                Count(outcomes, nameof(InvalidMediaException));
            }
            catch (Exception e)
            {
                failures.Add($"iteration {i}: {e.GetType().Name}: {e.Message} for tag type {tagType} body {Convert.ToHexString(body)}");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));

        // The loop must have exercised both acceptance and refusal, or it proves nothing.
        var summary = string.Join(", ", outcomes.Select(o => $"{o.Key}={o.Value}"));
        Assert.True(outcomes.GetValueOrDefault(nameof(InvalidMediaException)) > 1000, summary);
        Assert.True(outcomes.GetValueOrDefault(nameof(FlvTagResult.ConfigChanged)) > 1000, summary);
        Assert.True(outcomes.GetValueOrDefault(nameof(FlvTagResult.Frame)) > 1000, summary);
    }

    [Fact]
    public void Mutated_parameter_sets_only_ever_raise_InvalidMediaException()
    {
        var random = new Random(7);
        var failures = new List<string>();
        var parsed = 0;
        var records = new[] { VectorTags.AudioVideo, VectorTags.Baseline854, "h264-1920x1080-main.flv" }
            .Select(v => VectorTags.VideoSequenceHeader(v)[5..]).ToArray();
        var ascs = new[] { VectorTags.AudioVideo, "aac-44100-mono.flv" }.Select(v => VectorTags.AudioSequenceHeader(v)[2..]).ToArray();

        for (var i = 0; i < Iterations && failures.Count < 5; i++)
        {
            var record = records[random.Next(records.Length)];
            var sps = record.AsSpan(8, (record[6] << 8) | record[7]).ToArray();
            var input = Mutate(random.Next(3) switch { 0 => record, 1 => sps, _ => ascs[random.Next(ascs.Length)] }, random);
            try
            {
                switch (i % 3)
                {
                    case 0:
                        var avc = AvcConfig.Parse(input);
                        Assert.InRange(avc.Width, 1, 16384);
                        Assert.InRange(avc.Height, 1, 16384);
                        break;
                    case 1:
                        var s = SequenceParameterSet.Parse(input);
                        Assert.InRange(s.Width, 1, 16384);
                        Assert.InRange(s.Height, 1, 16384);
                        break;
                    default:
                        var aac = AacConfig.Parse(input);
                        Assert.InRange(aac.SampleRate, 7350, 96000);
                        break;
                }

                parsed++;
            }
            catch (InvalidMediaException)
            {
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                failures.Add($"iteration {i}: {e.GetType().Name}: {e.Message} for {Convert.ToHexString(input)}");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.True(parsed > 1000, $"only {parsed} mutated inputs parsed");
    }

    private static List<(byte TagType, byte[] Body)> Seeds()
    {
        var seeds = new List<(byte, byte[])>();
        foreach (var vector in VectorRead.AllVectors)
        {
            var tags = VectorTags.Tags(vector).Where(t => t.Type is 8 or 9).ToList();
            // Sequence headers, weighted up: they hold the structure the parsers walk.
            foreach (var header in tags.Where(t => t.Body.Length > 1 && t.Body[1] == 0))
            {
                for (var i = 0; i < 4; i++)
                {
                    seeds.Add((header.Type, header.Body));
                }
            }

            foreach (var frame in tags.Where(t => t.Body.Length > 1 && t.Body[1] == 1).Take(3))
            {
                seeds.Add((frame.Type, frame.Body));
            }
        }

        return seeds;
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = new List<byte>(original);
        var mutations = 1 + random.Next(4);
        for (var m = 0; m < mutations; m++)
        {
            switch (random.Next(7))
            {
                case 0 when bytes.Count > 0: // truncate
                    var keep = random.Next(bytes.Count);
                    bytes.RemoveRange(keep, bytes.Count - keep);
                    break;
                case 1 when bytes.Count > 0: // flip one bit
                    var at = random.Next(bytes.Count);
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 2 when bytes.Count > 0: // random byte
                    bytes[random.Next(bytes.Count)] = (byte)random.Next(256);
                    break;
                case 3 when bytes.Count > 0: // interesting value
                    bytes[random.Next(bytes.Count)] = (byte)(random.Next(4) switch { 0 => 0x00, 1 => 0xFF, 2 => 0x80, _ => 0x7F });
                    break;
                case 4: // insert
                    bytes.Insert(random.Next(bytes.Count + 1), (byte)random.Next(256));
                    break;
                case 5 when bytes.Count > 1: // delete
                    bytes.RemoveAt(random.Next(bytes.Count));
                    break;
                case 6 when bytes.Count > 2: // duplicate a slice
                    var from = random.Next(bytes.Count);
                    var length = Math.Min(random.Next(1, 16), bytes.Count - from);
                    bytes.InsertRange(random.Next(bytes.Count + 1), bytes.GetRange(from, length));
                    break;
            }
        }

        return [.. bytes];
    }

    private static void Count(Dictionary<string, int> outcomes, string key) => outcomes[key] = outcomes.GetValueOrDefault(key) + 1;
}
