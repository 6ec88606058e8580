using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace OnAir.EndToEnd.Tests.Support;

/// <summary>A recording as GET /api/v1/recordings/ID shows it (the fields the tests read), with the whole JSON for failure messages.</summary>
public sealed record RecordingStatus(string Id, string Stream, string State, double DurationSeconds, long SizeBytes, int Breaks, double PausedSeconds, string? Error, string? ClipOf, string? Master, string? Mp4, IReadOnlyList<string> Renditions, JsonElement Json)
{
    public static RecordingStatus Of(JsonElement json) => new(
        json.GetProperty("id").GetString()!,
        json.GetProperty("stream").GetString()!,
        json.GetProperty("state").GetString()!,
        json.GetProperty("durationSeconds").GetDouble(),
        json.GetProperty("sizeBytes").GetInt64(),
        json.GetProperty("breaks").GetInt32(),
        json.GetProperty("pausedSeconds").GetDouble(),
        json.GetProperty("error").GetString(),
        json.GetProperty("clipOf").GetString(),
        json.GetProperty("master").GetString(),
        json.GetProperty("mp4").GetString(),
        [.. json.GetProperty("renditions").EnumerateArray().Select(r => r.GetProperty("name").GetString()!)],
        json.Clone());
}

/// <summary>The recordings API and the recording.ready webhook, as a client of OnAir uses them.</summary>
public static class RecordingApi
{
    public static async Task<List<RecordingStatus>> ListAsync(HttpClient http)
    {
        using var json = JsonDocument.Parse(await http.GetStringAsync("api/v1/recordings"));
        return [.. json.RootElement.EnumerateArray().Select(RecordingStatus.Of)];
    }

    /// <summary>The recording.ready webhook for a recording of <paramref name="stream"/>: the recording it announces.</summary>
    public static async Task<RecordingStatus> ReadyAsync(HookReceiver hooks, string stream, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var call = await hooks.NextAsync("recording.ready", deadline - DateTime.UtcNow);
            using var body = JsonDocument.Parse(call.Body);
            var recording = RecordingStatus.Of(body.RootElement.GetProperty("recording"));
            if (recording.Stream == stream)
            {
                return recording;
            }
        }
    }

    public static async Task<RecordingStatus> ClipAsync(HttpClient http, string id, double start, double end)
    {
        using var response = await http.PostAsJsonAsync($"api/v1/recordings/{id}/clips", new { start, end });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"POST clips: {(int)response.StatusCode} {text}");
        using var json = JsonDocument.Parse(text);
        return RecordingStatus.Of(json.RootElement);
    }
}
