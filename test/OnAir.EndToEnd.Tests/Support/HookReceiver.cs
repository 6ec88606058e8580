using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace OnAir.EndToEnd.Tests.Support;

/// <summary>One request a webhook receiver got.</summary>
public sealed record HookCall(string Event, string? Delivery, string? Signature, byte[] Body, DateTime At);

/// <summary>
/// A real HTTP receiver for OnAir's webhooks on a free loopback port: records every POST and
/// answers what <see cref="Answer"/> says (a status code, or hanging until the test ends).
/// </summary>
public sealed class HookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<HookCall> _calls = Channel.CreateUnbounded<HookCall>();
    private readonly CancellationTokenSource _hang = new();
    private int _disposed;

    private HookReceiver(WebApplication app, int port)
    {
        _app = app;
        Url = $"http://127.0.0.1:{port}/hook";
    }

    public string Url { get; }

    /// <summary>Status to answer for a call (0 = never answer); default 204.</summary>
    public Func<HookCall, int> Answer { get; set; } = _ => 204;

    public List<HookCall> Calls { get; } = [];

    public static async Task<HookReceiver> StartAsync()
    {
        var port = OnAirServer.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var receiver = new HookReceiver(app, port);
        app.MapPost("/hook", (Delegate)receiver.HandleAsync);
        await app.StartAsync();
        return receiver;
    }

    /// <summary>The next call, in arrival order.</summary>
    public async Task<HookCall> NextAsync(TimeSpan timeout) => await _calls.Reader.ReadAsync().AsTask().WaitAsync(timeout);

    /// <summary>The next call of <paramref name="eventName"/> (others are skipped).</summary>
    public async Task<HookCall> NextAsync(string eventName, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var call = await _calls.Reader.ReadAsync(cts.Token);
            if (call.Event == eventName)
            {
                return call;
            }
        }
    }

    private async Task<IResult> HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var call = new HookCall(
            context.Request.Headers["X-OnAir-Event"].ToString(),
            context.Request.Headers["X-OnAir-Delivery"].FirstOrDefault(),
            context.Request.Headers["X-OnAir-Signature"].FirstOrDefault(),
            body.ToArray(),
            DateTime.UtcNow);
        lock (Calls)
        {
            Calls.Add(call);
        }

        _calls.Writer.TryWrite(call);
        var status = Answer(call);
        if (status == 0)
        {
            await Task.Delay(Timeout.Infinite, _hang.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            return Results.StatusCode(503);
        }

        return Results.StatusCode(status);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _hang.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _hang.Dispose();
    }
}
