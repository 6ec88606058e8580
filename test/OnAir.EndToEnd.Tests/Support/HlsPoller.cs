using System.Net;

namespace OnAir.EndToEnd.Tests.Support;

/// <summary>Reloads a playlist the way a live player does (RFC 8216 section 6.3.4: every half target duration or so).</summary>
public static class HlsPoller
{
    public static readonly TimeSpan ReloadInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>Reloads until <paramref name="condition"/> holds for a playlist, or fails after <paramref name="timeout"/>.</summary>
    public static async Task<MediaPlaylist> WaitForAsync(HttpClient http, Uri uri, Func<MediaPlaylist, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        MediaPlaylist? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await http.GetAsync(uri);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    last = MediaPlaylist.Parse(await response.Content.ReadAsStringAsync());
                    if (condition(last))
                    {
                        return last;
                    }
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet (a server process still starting): a player retries too
            }

            await Task.Delay(ReloadInterval);
        }

        throw new TimeoutException($"{uri}: {what} not seen within {timeout}; last playlist: {last}");
    }
}
