using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OnAir.Media;
using OnAir.Packaging.Hls;
using OnAir.Testing;
using OnAir.Streams;

namespace OnAir.Packaging.Tests.Hls;

/// <summary>A stream whose renditions appear while it runs (a transcoder's rungs) is packaged rendition by rendition.</summary>
public sealed class StreamPackagerTests
{
    [Fact]
    public async Task A_rendition_added_mid_stream_is_packaged_and_listed_in_the_master_after_the_source()
    {
        var registry = new StreamRegistry(Options.Create(new StreamsOptions { SubscriberQueueFrames = 100_000 }), Options.Create(new LifecycleOptions()), new StreamEvents(), TimeProvider.System);
        var publisher = (await registry.PublishAsync("cam", "connection-1", null)).Publisher;
        using var temp = new TempDirectory();
        var output = new StreamOutput("cam", publisher!.Stream.SessionId, temp.File("cam"));
        var packager = new StreamPackager(publisher.Stream, output, new HlsOptions(), TimeProvider.System, NullLogger.Instance);
        var run = packager.RunAsync(CancellationToken.None);

        using var vector = VectorFrames.Read("h264-aac-320x240-2s.flv");
        var frames = LoopedFrames.Loop(vector, 4).ToList(); // 8 s
        var half = frames.Count / 2;
        foreach (var frame in frames.Take(half))
        {
            publisher.Write(frame);
        }

        var low = publisher.Stream.AddRendition("low");
        packager.Add(low); // as the packaging service does when it hears RenditionAdded
        foreach (var frame in frames.Skip(half))
        {
            low.Feed.Write(MediaFrame.Create(frame.Kind, frame.Dts, frame.Pts, frame.IsKeyFrame, frame.Config, frame.Span));
            publisher.Write(frame);
        }

        publisher.Unpublish();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Throws<InvalidOperationException>(() => publisher.Stream.AddRendition("late"));
        Assert.True(output.TryGetRendition("low", out var lowOutput));
        var lowPlaylist = MediaPlaylistText.Parse(lowOutput!.Playlist!);
        Assert.True(lowPlaylist.Ended);
        Assert.InRange(lowPlaylist.TotalDuration, 3.5, 4.5); // the half it was fed
        var variants = MasterPlaylistText.Parse(output.MasterPlaylist!).Variants;
        Assert.Equal(["source/playlist.m3u8", "low/playlist.m3u8"], variants.Select(v => v.Uri));
        Assert.NotNull(output.EndedAt);
    }
}
