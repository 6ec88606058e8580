using OnAir.Media.Hevc;
using OnAir.Media.Tests.Hevc;
using OnAir.Media.Mp4;
using OnAir.Testing;

namespace OnAir.Media.Tests.Mp4;

/// <summary>An H.265 track's init segment: an <c>hvc1</c> sample entry with the publisher's <c>hvcC</c>, which ffprobe reads as the same stream x265 wrote and OnAir reads back as the same configuration.</summary>
public class Fmp4HevcInitTests
{
    [Theory]
    [MemberData(nameof(HevcConfigTests.Vectors), MemberType = typeof(HevcConfigTests))]
    public async Task An_hevc_init_segment_carries_the_record_ffprobe_and_the_reader_agree_on(string vector)
    {
        var record = Mp4Box.SampleEntryRecord(File.ReadAllBytes(TestVectors.Path(vector)), "hvc1", "hvcC");
        var config = HevcConfig.Parse(record);
        var init = Fmp4InitSegment.Create(config, audio: null);

        using var directory = new TempDirectory();
        var path = directory.File("init.mp4");
        await File.WriteAllBytesAsync(path, init);
        var written = (await ProbeResult.StreamsOfFileAsync(path)).Video!;
        var reference = (await ProbeResult.StreamsOfFileAsync(TestVectors.Path(vector))).Video!;
        Assert.Equal((reference.Width, reference.Height, reference.Profile, reference.Level), (written.Width, written.Height, written.Profile, written.Level));
        Assert.Equal(record, written.Extradata);

        var track = Assert.Single(Fmp4FileScanner.Scan(new MemoryStream(init)).Tracks);
        Assert.Equal((config.Width, config.Height), (track.Width, track.Height));
        var readBack = Assert.IsType<HevcConfig>(track.ReadCodecConfig());
        Assert.Equal(record, readBack.Record.ToArray());
        Assert.Equal(config.CodecString, readBack.CodecString);
    }
}
