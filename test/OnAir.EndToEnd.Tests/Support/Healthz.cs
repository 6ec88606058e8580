using Xunit;

namespace OnAir.EndToEnd.Tests.Support;

/// <summary>Waits for a server process the test started to answer /healthz.</summary>
public static class Healthz
{
    /// <param name="exited">Null while the process runs; else what it said before it died (the wait fails with it).</param>
    public static async Task WaitAsync(HttpClient http, Func<string?> exited, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var death = exited();
            Assert.True(death is null, $"the server exited before it was healthy: {death}");
            try
            {
                using var response = await http.GetAsync("healthz");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }

            await Task.Delay(HlsPoller.ReloadInterval); // the process is starting; nothing to await but its port
        }
    }
}
