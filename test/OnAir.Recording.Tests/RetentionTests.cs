using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OnAir.Packaging;
using OnAir.Streams;
using OnAir.Testing;

namespace OnAir.Recording.Tests;

/// <summary>Retention as the recording service applies it: finished recordings past the age limit, then the oldest first while the total is over the size limit.</summary>
public sealed class RetentionTests : IDisposable
{
    private const long MiB = 1024 * 1024;

    private readonly TempDirectory _temp = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Recordings_older_than_the_maximum_age_are_deleted_at_start_and_as_they_age()
    {
        var ids = WriteFinished(endedHoursAgo: [3, 2, 0.5], sizeMiB: 1);
        using var service = Start(new RecordingOptions { MaxAgeHours = 1.5 });
        await service.StartAsync(CancellationToken.None);
        Assert.Equal([ids[2]], Listed());

        _time.Advance(TimeSpan.FromHours(1.1)); // the heartbeat runs every minute
        Assert.Empty(Listed());
        Assert.False(Directory.Exists(Path.Combine(_temp.File("data"), "recordings", ids[2])));
        await service.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Over_the_size_limit_the_oldest_finished_recordings_go_first()
    {
        var ids = WriteFinished(endedHoursAgo: [3, 2, 1], sizeMiB: 100);
        using var service = Start(new RecordingOptions { MaxTotalMegabytes = 250 });
        await service.StartAsync(CancellationToken.None);
        Assert.Equal([ids[1], ids[2]], Listed());
        Assert.Equal(200 * MiB, service.Budget.Used);

        // A recording that needs 100 MiB more gets it by the next oldest going too.
        Assert.True(service.Budget.TryReserve(100 * MiB));
        Assert.Equal([ids[2]], Listed());
        Assert.False(service.Budget.TryReserve(200 * MiB), "no finished recording is left to make that much room");
        await service.StopAsync(CancellationToken.None);
    }

    private RecordingService Start(RecordingOptions options)
    {
        var registry = new StreamRegistry(Options.Create(new StreamsOptions()), Options.Create(new LifecycleOptions()), new StreamEvents(), _time);
        var catalog = new RecordingCatalog(new DataDirectory(_temp.File("data")));
        return new RecordingService(registry, catalog, new RecordingEvents(), Options.Create(options), Options.Create(new HlsOptions()), _time, NullLogger<RecordingService>.Instance);
    }

    /// <summary>Finished recordings as a previous run left them: a directory with recording.json (and a file of the stated size's worth of nothing).</summary>
    private List<string> WriteFinished(double[] endedHoursAgo, long sizeMiB)
    {
        var catalog = new RecordingCatalog(new DataDirectory(_temp.File("data")));
        var ids = new List<string>();
        foreach (var hours in endedHoursAgo)
        {
            var ended = _time.GetUtcNow() - TimeSpan.FromHours(hours);
            var info = catalog.Create("cam", ended.AddMinutes(-10), id => new RecordingInfo(id, "cam", "s", ended.AddMinutes(-10), RecordingState.Ready, []))
                with { EndedAt = ended, SizeBytes = sizeMiB * MiB };
            catalog.Save(info);
            ids.Add(info.Id);
        }

        return ids;
    }

    private List<string> Listed()
    {
        var catalog = new RecordingCatalog(new DataDirectory(_temp.File("data")));
        catalog.Load(NullLogger.Instance);
        return [.. catalog.All.Select(r => r.Id)];
    }

    public void Dispose() => _temp.Dispose();
}
