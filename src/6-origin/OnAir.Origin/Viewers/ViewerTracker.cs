using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace OnAir.Origin.Viewers;

/// <summary>How many distinct viewers a stream has, in all and per rendition.</summary>
public sealed record ViewerCount(int Total, IReadOnlyDictionary<string, int> ByRendition);

/// <summary>
/// Counts distinct viewers from the HLS requests themselves (no per-viewer id in any URL, so every
/// response stays cacheable): one viewer is one client address and user agent, seen within
/// <see cref="OriginOptions.ViewerTimeoutSeconds"/>. Behind a trusted proxy the client address comes
/// from X-Forwarded-For. Bounded: at most <see cref="OriginOptions.MaxTrackedViewers"/> entries.
/// </summary>
public sealed class ViewerTracker
{
    /// <summary>The rendition a master playlist request counts for: the stream, not a rendition.</summary>
    public const string MasterOnly = "";

    /// <summary>A user agent is cut to this length, so the table's memory stays bounded whatever clients send.</summary>
    private const int MaxUserAgent = 256;

    // Keyed by strings and the address the request already holds: a segment request builds no key of its own.
    private readonly ConcurrentDictionary<(string Stream, string Rendition, IPAddress Address, string UserAgent), long> _lastSeen = new();
    private readonly OriginOptions _options;
    private readonly TimeProvider _time;
    private readonly HashSet<IPAddress> _trustedProxies;

    public ViewerTracker(IOptions<OriginOptions> options, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
        _trustedProxies = [.. _options.TrustedProxies.Select(IPAddress.Parse)];
    }

    /// <summary>Notes a request for <paramref name="stream"/>'s <paramref name="rendition"/> (or <see cref="MasterOnly"/>).</summary>
    public void Seen(HttpContext context, string stream, string rendition)
    {
        if (_lastSeen.Count >= _options.MaxTrackedViewers)
        {
            ForgetExpired();
            if (_lastSeen.Count >= _options.MaxTrackedViewers)
            {
                return; // counts saturate rather than memory growing
            }
        }

        var userAgent = context.Request.Headers.UserAgent.ToString();
        _lastSeen[(stream, rendition, ClientAddress(context), userAgent.Length > MaxUserAgent ? userAgent[..MaxUserAgent] : userAgent)] = _time.GetTimestamp();
    }

    public ViewerCount Count(string stream)
    {
        var viewers = new HashSet<(IPAddress, string)>();
        var byRendition = new Dictionary<string, int>(StringComparer.Ordinal);
        var timeout = TimeSpan.FromSeconds(_options.ViewerTimeoutSeconds);
        foreach (var ((name, rendition, address, userAgent), seen) in _lastSeen)
        {
            if (name != stream || _time.GetElapsedTime(seen) > timeout)
            {
                continue;
            }

            viewers.Add((address, userAgent));
            if (rendition != MasterOnly)
            {
                byRendition[rendition] = byRendition.GetValueOrDefault(rendition) + 1;
            }
        }

        return new ViewerCount(viewers.Count, byRendition);
    }

    /// <summary>Drops viewers not seen within the timeout (called when the table is full, so memory stays bounded without a timer).</summary>
    public void ForgetExpired()
    {
        var timeout = TimeSpan.FromSeconds(_options.ViewerTimeoutSeconds);
        foreach (var (key, seen) in _lastSeen)
        {
            if (_time.GetElapsedTime(seen) > timeout)
            {
                _lastSeen.TryRemove(new KeyValuePair<(string, string, IPAddress, string), long>(key, seen));
            }
        }
    }

    /// <summary>The peer's address, or behind a trusted proxy the right-most X-Forwarded-For address that is not itself a trusted proxy.</summary>
    private IPAddress ClientAddress(HttpContext context)
    {
        var remote = context.Connection.RemoteIpAddress;
        if (remote is null || _trustedProxies.Count == 0 || !_trustedProxies.Contains(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote))
        {
            return remote ?? IPAddress.None;
        }

        var hops = context.Request.Headers["X-Forwarded-For"].ToString().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        for (var i = hops.Length - 1; i >= 0; i--)
        {
            if (!IPAddress.TryParse(hops[i], out var hop))
            {
                break; // not an address: trust nothing further left
            }

            if (!_trustedProxies.Contains(hop))
            {
                return hop;
            }
        }

        return remote;
    }
}
