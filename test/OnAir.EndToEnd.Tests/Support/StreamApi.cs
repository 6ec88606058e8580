using System.Net;
using System.Text.Json;
using Xunit;

namespace OnAir.EndToEnd.Tests.Support;

/// <summary>The fields of <c>GET /api/v1/streams/NAME</c> the tests check.</summary>
public sealed record StreamStatus(string Name, string State, string SessionId, int Viewers, int Reconnects, JsonElement Json);

/// <summary>Reads the REST API as a dashboard would.</summary>
public static class StreamApi
{
    public static async Task<StreamStatus?> GetAsync(OnAirServer server, string name)
    {
        using var response = await server.Http.GetAsync($"api/v1/streams/{name}");
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        return new StreamStatus(
            json.GetProperty("name").GetString()!,
            json.GetProperty("state").GetString()!,
            json.GetProperty("sessionId").GetString()!,
            json.GetProperty("viewers").GetInt32(),
            json.GetProperty("reconnects").GetInt32(),
            json);
    }

    /// <summary>Polls (as a dashboard would, every 200 ms) until the stream's status satisfies <paramref name="condition"/>.</summary>
    public static async Task<StreamStatus> WaitForAsync(OnAirServer server, string name, Func<StreamStatus, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        StreamStatus? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await GetAsync(server, name);
            if (last is not null && condition(last))
            {
                return last;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"stream {name}: {what} not seen within {timeout}; last status: {last?.Json}");
    }
}
