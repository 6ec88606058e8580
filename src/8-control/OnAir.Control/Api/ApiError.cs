using Microsoft.AspNetCore.Http;

namespace OnAir.Control.Api;

/// <summary>Every API error: <c>{"error": {"code": "stream_not_found", "message": "..."}}</c> with the matching HTTP status.</summary>
public sealed record ApiError(string Code, string Message)
{
    public static IResult Result(int status, string code, string message) =>
        Results.Json(new { error = new ApiError(code, message) }, statusCode: status);
}
