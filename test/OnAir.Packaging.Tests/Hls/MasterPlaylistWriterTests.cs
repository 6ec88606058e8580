using OnAir.Packaging.Hls;

namespace OnAir.Packaging.Tests.Hls;

/// <summary>The master (multivariant) playlist as a player picks a variant from it (RFC 8216 section 4.3.4.2).</summary>
public sealed class MasterPlaylistWriterTests
{
    [Fact]
    public void Each_variant_has_its_stream_inf_attributes_and_its_media_playlist_uri()
    {
        var variants = new[]
        {
            new RenditionVariant("source", 2_412_345, 1_987_654, 1920, 1080, "avc1.64002a,mp4a.40.2", 30),
            new RenditionVariant("480p", 912_000, 800_001, 854, 480, "avc1.4d401f,mp4a.40.2", 30000 / 1001.0),
        };

        var master = MasterPlaylistText.Parse(MasterPlaylistWriter.Write(variants));

        Assert.Equal(3, master.Version);
        Assert.Equal(2, master.Variants.Count);

        var source = master.Variants[0];
        Assert.Equal("source/playlist.m3u8", source.Uri);
        Assert.Equal("2412345", source.Attributes["BANDWIDTH"]);
        Assert.Equal("1987654", source.Attributes["AVERAGE-BANDWIDTH"]);
        Assert.Equal("1920x1080", source.Attributes["RESOLUTION"]);
        Assert.Equal("\"avc1.64002a,mp4a.40.2\"", source.Attributes["CODECS"]);
        Assert.Equal("30.000", source.Attributes["FRAME-RATE"]);

        var rung = master.Variants[1];
        Assert.Equal("480p/playlist.m3u8", rung.Uri);
        Assert.Equal("854x480", rung.Attributes["RESOLUTION"]);
        Assert.Equal("\"avc1.4d401f,mp4a.40.2\"", rung.Attributes["CODECS"]);
        Assert.Equal("29.970", rung.Attributes["FRAME-RATE"]);
    }

    [Fact]
    public void An_audio_only_variant_has_no_resolution_and_no_frame_rate()
    {
        var master = MasterPlaylistText.Parse(MasterPlaylistWriter.Write([new RenditionVariant("source", 70_000, 66_000, 0, 0, "mp4a.40.2", 0)]));

        var variant = Assert.Single(master.Variants);
        Assert.Equal(["AVERAGE-BANDWIDTH", "BANDWIDTH", "CODECS"], variant.Attributes.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("\"mp4a.40.2\"", variant.Attributes["CODECS"]);
        Assert.Equal("source/playlist.m3u8", variant.Uri);
    }

    [Fact]
    public void Variants_are_listed_in_the_order_given()
    {
        var names = new[] { "source", "720p", "480p", "360p" };
        var variants = names.Select((n, i) => new RenditionVariant(n, 1000 - i, 900 - i, 640, 360, "avc1.42c01e", 25)).ToList();

        var master = MasterPlaylistText.Parse(MasterPlaylistWriter.Write(variants));

        Assert.Equal(names.Select(n => $"{n}/playlist.m3u8"), master.Variants.Select(v => v.Uri));
        Assert.All(master.Variants, v => Assert.Equal("25.000", v.Attributes["FRAME-RATE"]));
    }
}
