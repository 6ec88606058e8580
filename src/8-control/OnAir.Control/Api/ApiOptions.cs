namespace OnAir.Control.Api;

/// <summary>The REST API. Bound under <c>api</c> in onair.json.</summary>
public sealed class ApiOptions
{
    /// <summary>
    /// When set, every /api/v1 request needs <c>Authorization: Bearer TOKEN</c>. Default none: the
    /// API is open on a loopback bind, and off (403, with the reason) when the server listens
    /// beyond this machine (--bind 0.0.0.0) without a token. Prefer ONAIR_API__ADMINTOKEN to a file.
    /// </summary>
    public string? AdminToken { get; set; }
}
