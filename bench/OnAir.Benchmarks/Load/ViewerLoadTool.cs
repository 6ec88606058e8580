using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace OnAir.Benchmarks.Load;

/// <summary>
/// <c>viewers BASE_URL STREAMS VIEWERS SECONDS</c>: VIEWERS simulated HLS players, spread over the
/// streams <c>s1</c>..<c>sSTREAMS</c>, each on a connection of its own from its own loopback address
/// (127.0.0.2 and up, 200 of them: as viewers on many hosts, under the per-address cap). A viewer
/// reloads its live media playlist every half target duration and fetches every segment it has not
/// fetched yet, starting 3 from the live edge as players do; a segment listed once must be served.
/// Prints one JSON object: requests, 5xx answers, 404s on listed segments, segments a viewer found
/// skipped (a media sequence gap between two reloads), segment response times p50/p99 (to the last
/// byte) and bytes. Bounded: every viewer stops at SECONDS, each request times out after 10 s.
/// </summary>
internal static class ViewerLoadTool
{
    private const int LoopbackAddresses = 200;

    public static int Run(string[] args)
    {
        if (args.Length != 4 || !int.TryParse(args[1], out var streams) || !int.TryParse(args[2], out var viewers) || !double.TryParse(args[3], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            Console.Error.WriteLine("usage: OnAir.Benchmarks viewers BASE_URL STREAMS VIEWERS SECONDS");
            return 2;
        }

        var tally = new Tally();
        var deadline = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        var tasks = Enumerable.Range(0, viewers).Select(i => Task.Run(() => WatchAsync(new Uri(args[0]), $"s{1 + (i % streams)}", i, deadline, tally))).ToArray();
        Task.WaitAll(tasks);
        Console.WriteLine(JsonSerializer.Serialize(tally.Summary(viewers, seconds)));
        return 0;
    }

    private static async Task WatchAsync(Uri server, string stream, int viewer, long deadline, Tally tally)
    {
        var local = IPAddress.Parse($"127.0.0.{2 + (viewer % LoopbackAddresses)}");
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 1,
            ConnectCallback = async (context, cancellation) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                socket.Bind(new IPEndPoint(local, 0));
                await socket.ConnectAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, cancellation).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var http = new HttpClient(handler) { BaseAddress = server, Timeout = TimeSpan.FromSeconds(10) };
        var playlistUri = $"live/{stream}/source/playlist.m3u8";
        long nextSequence = -1;
        var interval = TimeSpan.FromSeconds(1);
        await Task.Delay(viewer % 1000, CancellationToken.None).ConfigureAwait(false); // players do not all arrive in the same millisecond
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var playlist = await GetAsync(http, playlistUri, tally, segment: false).ConfigureAwait(false);
            if (playlist is not null)
            {
                var (sequence, target, uris) = Parse(playlist);
                interval = TimeSpan.FromSeconds(Math.Max(0.5, target / 2.0));
                var first = nextSequence < 0 ? Math.Max(sequence, sequence + uris.Count - 3) : nextSequence;
                if (nextSequence >= 0 && first < sequence)
                {
                    tally.Skipped(sequence - first); // listed and gone before this viewer reloaded
                    first = sequence;
                }

                for (var s = first; s < sequence + uris.Count && Stopwatch.GetTimestamp() < deadline; s++)
                {
                    await GetAsync(http, new Uri(new Uri(server, playlistUri), uris[(int)(s - sequence)]).ToString(), tally, segment: true).ConfigureAwait(false);
                    nextSequence = s + 1;
                }
            }

            await Task.Delay(interval, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static async Task<string?> GetAsync(HttpClient http, string uri, Tally tally, bool segment)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.GetAsync(uri, HttpCompletionOption.ResponseContentRead).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            tally.Answered(segment, (int)response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds, body.Length);
            return response.IsSuccessStatusCode && !segment ? System.Text.Encoding.UTF8.GetString(body) : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            tally.Failed(segment);
            return null;
        }
    }

    private static (long Sequence, int Target, List<string> Uris) Parse(string playlist)
    {
        long sequence = 0;
        var target = 2;
        var uris = new List<string>();
        foreach (var line in playlist.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith("#EXT-X-MEDIA-SEQUENCE:", StringComparison.Ordinal))
            {
                sequence = long.Parse(line["#EXT-X-MEDIA-SEQUENCE:".Length..], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("#EXT-X-TARGETDURATION:", StringComparison.Ordinal))
            {
                target = int.Parse(line["#EXT-X-TARGETDURATION:".Length..], CultureInfo.InvariantCulture);
            }
            else if (!line.StartsWith('#'))
            {
                uris.Add(line);
            }
        }

        return (sequence, target, uris);
    }

    /// <summary>What the viewers met, from their threads.</summary>
    private sealed class Tally
    {
        private readonly Lock _gate = new();
        private readonly List<double> _segmentMilliseconds = [];
        private long _playlists, _segments, _serverErrors, _listedNotFound, _otherStatus, _failures, _skipped, _bytes;

        public void Answered(bool segment, int status, double milliseconds, long bytes)
        {
            lock (_gate)
            {
                if (segment)
                {
                    _segments++;
                    _segmentMilliseconds.Add(milliseconds);
                    _listedNotFound += status == 404 ? 1 : 0;
                }
                else
                {
                    _playlists++;
                }

                _serverErrors += status >= 500 ? 1 : 0;
                _otherStatus += status is >= 300 and < 500 and not 404 ? 1 : 0;
                _bytes += bytes;
            }
        }

        public void Failed(bool segment)
        {
            lock (_gate)
            {
                _failures++;
            }
        }

        public void Skipped(long count)
        {
            lock (_gate)
            {
                _skipped += count;
            }
        }

        public Dictionary<string, object> Summary(int viewers, double seconds)
        {
            lock (_gate)
            {
                _segmentMilliseconds.Sort();
                double Percentile(double p) => _segmentMilliseconds.Count == 0 ? 0 : _segmentMilliseconds[(int)Math.Min(_segmentMilliseconds.Count - 1, p * _segmentMilliseconds.Count)];
                return new Dictionary<string, object>
                {
                    ["viewers"] = viewers,
                    ["seconds"] = seconds,
                    ["playlistRequests"] = _playlists,
                    ["segmentRequests"] = _segments,
                    ["serverErrors"] = _serverErrors,
                    ["listedSegmentsNotFound"] = _listedNotFound,
                    ["otherStatus"] = _otherStatus,
                    ["failedRequests"] = _failures,
                    ["skippedSegments"] = _skipped,
                    ["segmentP50Ms"] = Math.Round(Percentile(0.50), 2),
                    ["segmentP99Ms"] = Math.Round(Percentile(0.99), 2),
                    ["megabytes"] = Math.Round(_bytes / 1e6, 1),
                };
            }
        }
    }
}
