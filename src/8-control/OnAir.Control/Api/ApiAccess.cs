using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using OnAir.Streams;

namespace OnAir.Control.Api;

/// <summary>Who may call the API: anyone on a loopback-only server without a token, the token's holder when one is set, nobody otherwise.</summary>
public sealed class ApiAccess
{
    private readonly byte[]? _token;

    public ApiAccess(ApiOptions options, string bind)
    {
        _token = string.IsNullOrEmpty(options.AdminToken) ? null : StreamKeyMatch.Digest(options.AdminToken); // compared as digests: the token's length does not show either
        Bind = bind;
        Enabled = _token is not null || IPAddress.Parse(bind) is var address && IPAddress.IsLoopback(address);
    }

    public string Bind { get; }

    /// <summary>False when the server listens beyond loopback with no admin token: the API then refuses every request.</summary>
    public bool Enabled { get; }

    /// <summary>Null when the request may go on, else the error to answer.</summary>
    public IResult? Check(HttpContext context)
    {
        if (!Enabled)
        {
            return ApiError.Result(StatusCodes.Status403Forbidden, "api_disabled", $"the API is off: the server listens on {Bind}, beyond this machine, without api.adminToken; set one (ONAIR_API__ADMINTOKEN) and send it as 'Authorization: Bearer TOKEN'");
        }

        if (_token is null)
        {
            return null;
        }

        var header = context.Request.Headers.Authorization.ToString();
        var presented = StreamKeyMatch.Digest(header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : "");
        if (CryptographicOperations.FixedTimeEquals(presented, _token))
        {
            return null;
        }

        context.Response.Headers.WWWAuthenticate = "Bearer";
        return ApiError.Result(StatusCodes.Status401Unauthorized, "unauthorized", "this API needs 'Authorization: Bearer TOKEN' with the server's api.adminToken");
    }
}
