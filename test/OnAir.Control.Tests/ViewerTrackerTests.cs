using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OnAir.Origin;
using OnAir.Origin.Viewers;

namespace OnAir.Control.Tests;

/// <summary>Distinct viewers from HLS requests: address + user agent, expiring after inactivity, X-Forwarded-For only from trusted proxies.</summary>
public class ViewerTrackerTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void One_viewer_is_one_address_and_user_agent_however_many_requests_it_makes()
    {
        var tracker = Tracker();
        for (var i = 0; i < 5; i++)
        {
            tracker.Seen(Request("10.0.0.1", "hls.js"), "cam", "source");
        }

        tracker.Seen(Request("10.0.0.1", "hls.js"), "cam", ViewerTracker.MasterOnly);
        tracker.Seen(Request("10.0.0.1", "Safari"), "cam", "360p"); // another player on the same machine
        tracker.Seen(Request("10.0.0.2", "hls.js"), "cam", "360p");
        tracker.Seen(Request("10.0.0.3", "hls.js"), "other", "source");

        var count = tracker.Count("cam");
        Assert.Equal(3, count.Total);
        Assert.Equal(1, count.ByRendition["source"]);
        Assert.Equal(2, count.ByRendition["360p"]);
        Assert.Equal(1, tracker.Count("other").Total);
        Assert.Equal(0, tracker.Count("nobody").Total);
    }

    [Fact]
    public void A_viewer_stops_counting_after_the_timeout_without_a_request()
    {
        var tracker = Tracker();
        tracker.Seen(Request("10.0.0.1", "hls.js"), "cam", "source");
        _time.Advance(TimeSpan.FromSeconds(29));
        tracker.Seen(Request("10.0.0.2", "hls.js"), "cam", "source");
        _time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(1, tracker.Count("cam").Total);
    }

    [Fact]
    public void Forwarded_for_counts_only_behind_a_trusted_proxy()
    {
        var untrusted = Tracker();
        untrusted.Seen(Request("10.0.0.9", "hls.js", forwardedFor: "203.0.113.1"), "cam", "source");
        untrusted.Seen(Request("10.0.0.9", "hls.js", forwardedFor: "203.0.113.2"), "cam", "source");
        Assert.Equal(1, untrusted.Count("cam").Total); // a client cannot multiply itself with a header

        var behindProxy = Tracker("10.0.0.9");
        behindProxy.Seen(Request("10.0.0.9", "hls.js", forwardedFor: "203.0.113.1"), "cam", "source");
        behindProxy.Seen(Request("10.0.0.9", "hls.js", forwardedFor: "198.51.100.7, 203.0.113.2"), "cam", "source");
        behindProxy.Seen(Request("10.0.0.9", "hls.js", forwardedFor: "203.0.113.2, 10.0.0.9"), "cam", "source"); // proxy chain: the right-most untrusted hop
        Assert.Equal(2, behindProxy.Count("cam").Total);
    }

    [Fact]
    public void The_table_is_bounded_and_expired_viewers_make_room()
    {
        var tracker = Tracker(maxTracked: 3);
        for (var i = 0; i < 10; i++)
        {
            tracker.Seen(Request($"10.0.0.{i}", "hls.js"), "cam", "source");
        }

        Assert.Equal(3, tracker.Count("cam").Total);
        _time.Advance(TimeSpan.FromSeconds(31));
        tracker.Seen(Request("10.0.1.1", "hls.js"), "cam", "source");
        Assert.Equal(1, tracker.Count("cam").Total);
    }

    private ViewerTracker Tracker(string? trustedProxy = null, int maxTracked = 1000) =>
        new(Options.Create(new OriginOptions { ViewerTimeoutSeconds = 30, MaxTrackedViewers = maxTracked, TrustedProxies = trustedProxy is null ? [] : [trustedProxy] }), _time);

    private static DefaultHttpContext Request(string address, string userAgent, string? forwardedFor = null)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = System.Net.IPAddress.Parse(address);
        context.Request.Headers.UserAgent = userAgent;
        if (forwardedFor is not null)
        {
            context.Request.Headers["X-Forwarded-For"] = forwardedFor;
        }

        return context;
    }
}
