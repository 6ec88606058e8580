using OnAir.Media.Aac;
using OnAir.Media.Avc;
using OnAir.Media.MpegTs;

namespace OnAir.Media.Tests.MpegTs;

/// <summary>
/// An SRT publisher controls every byte the demuxer sees. Whatever arrives, nothing may be thrown
/// (broken input is counted), and every frame that comes out must be well-formed: AVCC lengths
/// that walk exactly to the end of the payload, no delimiters or parameter sets left in it.
/// </summary>
public class TsDemuxerFuzzTests
{
    private const int Iterations = 5_000;

    [Fact]
    public void Mutated_ladder_streams_never_throw_and_only_yield_well_formed_frames()
    {
        var original = TsDemuxRun.Bytes(TsDemuxRun.Ladder);
        var packets = TsBytes.Count(original);
        var random = new Random(20240612);
        var failures = new List<string>();
        var totals = new Dictionary<string, long>();

        for (var i = 0; i < Iterations && failures.Count < 5; i++)
        {
            // The tables at the start, then a random stretch of the stream: half the time from the
            // first keyframe on, so that many frames get as far as the codec readers.
            var start = random.Next(2) == 0 ? 4 : random.Next(packets);
            var count = Math.Min(random.Next(20, 250), packets - start);
            var input = Mutate([.. original.AsSpan(0, 4 * 188), .. original.AsSpan(start * 188, count * 188)], random);
            var options = random.Next(4) == 0 ? new TsDemuxerOptions { MaxPesSize = random.Next(1024, 20_000), MaxPids = random.Next(1, 6) } : null;
            using var demuxer = new TsDemuxer(options);
            var frames = new List<TsFrame>();
            try
            {
                if (random.Next(2) == 0)
                {
                    demuxer.Push(input, frames);
                }
                else
                {
                    for (var offset = 0; offset < input.Length;)
                    {
                        var size = Math.Min(random.Next(1, 1000), input.Length - offset);
                        demuxer.Push(input.AsSpan(offset, size), frames);
                        offset += size;
                    }
                }

                demuxer.Flush(frames);
                foreach (var frame in frames)
                {
                    var problem = Check(frame.Frame);
                    if (problem is not null)
                    {
                        failures.Add($"iteration {i}: PID 0x{frame.Pid:x} {frame.Frame}: {problem}");
                    }
                }

                Assert.Equal(frames.Count, demuxer.Counters.VideoFrames + demuxer.Counters.AudioFrames);
                Add(totals, demuxer.Counters, frames.Count);
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                failures.Add($"iteration {i}: {e}");
            }
            finally
            {
                foreach (var frame in frames)
                {
                    frame.Frame.Release();
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));

        // The loop must have produced frames and hit the error paths, or it proves nothing.
        var summary = string.Join(", ", totals.Select(t => $"{t.Key}={t.Value}"));
        foreach (var key in new[] { "frames", "syncLosses", "cc", "droppedPes", "malformedPes", "crc", "malformedSections", "malformedAdts", "withoutConfig", "unsupportedStreams", "pidLimit", "oversizedPes" })
        {
            Assert.True(totals.GetValueOrDefault(key) > 0, $"{key} never happened: {summary}");
        }

        Assert.True(totals["frames"] > Iterations * 10, summary);
    }

    private static string? Check(MediaFrame frame)
    {
        if (frame.ReferenceCount != 1)
        {
            return "reference count is not 1";
        }

        switch (frame.Kind)
        {
            case TrackKind.Video:
                if (frame.Config is not AvcConfig { NalLengthSize: 4 })
                {
                    return "video frame without an AVC configuration with 4-byte lengths";
                }

                var nals = NalBytes.SplitAvcc(frame.Span);
                if (nals is null)
                {
                    return "AVCC lengths do not walk to the end of the payload";
                }

                if (nals.Any(n => NalBytes.Type(n) is NalBytes.Aud or NalBytes.Sps or NalBytes.Pps))
                {
                    return "AUD, SPS or PPS left in the payload";
                }

                if (frame.IsKeyFrame != nals.Any(n => NalBytes.Type(n) == NalBytes.Idr))
                {
                    return "keyframe flag does not match the IDR slices";
                }

                return null;
            case TrackKind.Audio:
                if (frame.Config is not AacConfig)
                {
                    return "audio frame without an AAC configuration";
                }

                return frame.Span.Length == 0 || !frame.IsKeyFrame || frame.Pts != frame.Dts ? "empty audio frame or odd flags" : null;
            default:
                return "unknown kind";
        }
    }

    private static byte[] Mutate(byte[] input, Random random)
    {
        var bytes = new List<byte>(input);
        var mutations = 1 + random.Next(6);
        for (var m = 0; m < mutations && bytes.Count > 188; m++)
        {
            var packetStart = random.Next(bytes.Count / 188) * 188;
            switch (random.Next(12))
            {
                case 0: // flip a bit anywhere
                    bytes[random.Next(bytes.Count)] ^= (byte)(1 << random.Next(8));
                    break;
                case 1: // a burst of random bytes
                    for (var k = random.Next(1, 32); k > 0; k--)
                    {
                        bytes[random.Next(bytes.Count)] = (byte)random.Next(256);
                    }

                    break;
                case 2: // insert garbage, sometimes with sync bytes in it
                    var garbage = new byte[random.Next(1, 600)];
                    random.NextBytes(garbage);
                    if (random.Next(2) == 0)
                    {
                        garbage[random.Next(garbage.Length)] = 0x47;
                    }

                    bytes.InsertRange(random.Next(bytes.Count), garbage);
                    break;
                case 3: // lose bytes
                    var at = random.Next(bytes.Count);
                    bytes.RemoveRange(at, Math.Min(random.Next(1, 400), bytes.Count - at));
                    break;
                case 4: // lose, repeat or swap whole packets
                    var packet = bytes.GetRange(packetStart, 188);
                    if (random.Next(3) == 0)
                    {
                        bytes.RemoveRange(packetStart, 188);
                    }
                    else if (random.Next(2) == 0)
                    {
                        bytes.InsertRange(packetStart, packet);
                    }
                    else
                    {
                        var other = random.Next(bytes.Count / 188) * 188;
                        bytes.RemoveRange(packetStart, 188);
                        bytes.InsertRange(Math.Min(other, bytes.Count), packet);
                    }

                    break;
                case 5: // header fields: PID, unit start, scrambling, adaptation control, counter
                    bytes[packetStart + 1 + random.Next(3)] = (byte)random.Next(256);
                    break;
                case 6: // adaptation field length
                    bytes[packetStart + 4] = (byte)random.Next(256);
                    break;
                case 7: // the PES or section header at the start of a payload
                    bytes[packetStart + 4 + random.Next(24)] = (byte)(random.Next(4) switch { 0 => 0x00, 1 => 0xFF, 2 => 0x01, _ => random.Next(256) });
                    break;
                case 8: // an H.264 start code or ADTS sync word somewhere
                    var where = random.Next(bytes.Count - 3);
                    bytes[where] = 0;
                    bytes[where + 1] = (byte)(random.Next(2) == 0 ? 0 : 0xFF);
                    bytes[where + 2] = (byte)(random.Next(2) == 0 ? 1 : 0xF1);
                    bytes[where + 3] = (byte)random.Next(256);
                    break;
                case 9: // cut the end
                    var keep = random.Next(bytes.Count / 2, bytes.Count);
                    bytes.RemoveRange(keep, bytes.Count - keep);
                    break;
                case 10: // a table (packets 1 to 3 are the PAT, the PMT and the SDT or the other way round)
                    bytes[188 * random.Next(4) + 4 + random.Next(40)] = (byte)random.Next(256);
                    break;
                default: // stream type in the PMT, to an unsupported or a different supported one
                    var pmtStart = FindPmt(bytes);
                    if (pmtStart >= 0 && 3 + (((bytes[pmtStart + 1] & 0x0F) << 8) | bytes[pmtStart + 2]) is var length && length is >= 32 and <= 183)
                    {
                        bytes[pmtStart + 12 + 5 * random.Next(4)] = (byte)(random.Next(3) switch { 0 => 0x1B, 1 => 0x0F, _ => 0x06 });
                        var section = bytes.GetRange(pmtStart, length).ToArray();
                        TsBytes.FixCrc(section);
                        bytes.RemoveRange(pmtStart, section.Length);
                        bytes.InsertRange(pmtStart, section);
                    }

                    break;
            }
        }

        return [.. bytes];
    }

    /// <summary>Offset of the first PMT section in the first four packets (PID 0x1000 in ffmpeg's output), or -1.</summary>
    private static int FindPmt(List<byte> bytes)
    {
        for (var p = 0; p + 188 <= Math.Min(bytes.Count, 4 * 188); p += 188)
        {
            if (bytes[p] == 0x47 && (((bytes[p + 1] & 0x1F) << 8) | bytes[p + 2]) == 0x1000 && bytes[p + 4] == 0)
            {
                return p + 5;
            }
        }

        return -1;
    }

    private static void Add(Dictionary<string, long> totals, TsDemuxerCounters c, int frames)
    {
        void Count(string key, long value) => totals[key] = totals.GetValueOrDefault(key) + value;
        Count("frames", frames);
        Count("syncLosses", c.SyncLosses);
        Count("cc", c.ContinuityErrors);
        Count("droppedPes", c.DroppedPes);
        Count("malformedPes", c.MalformedPes);
        Count("oversizedPes", c.OversizedPes);
        Count("crc", c.SectionCrcErrors);
        Count("malformedSections", c.MalformedSections);
        Count("malformedAdts", c.MalformedAdtsFrames);
        Count("withoutConfig", c.FramesWithoutConfig);
        Count("unsupportedStreams", c.UnsupportedStreams);
        Count("pidLimit", c.PidLimitExceeded);
        Count("transportErrors", c.TransportErrors);
        Count("invalidParameterSets", c.InvalidParameterSets);
    }
}
