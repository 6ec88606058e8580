using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OnAir.Control.Api;

namespace OnAir.Control.Tests;

/// <summary>Who may call /api/v1: open on loopback without a token, the token's holder with one, nobody on a public bind without one.</summary>
public class ApiAccessTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public void Without_a_token_a_loopback_server_answers_everyone(string bind)
    {
        var access = new ApiAccess(new ApiOptions(), bind);
        Assert.True(access.Enabled);
        Assert.Null(access.Check(Request(authorization: null)));
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("192.0.2.10")]
    public async Task Without_a_token_a_server_listening_beyond_loopback_refuses_the_api_and_says_why(string bind)
    {
        var access = new ApiAccess(new ApiOptions(), bind);
        Assert.False(access.Enabled);
        var (status, body) = await ExecuteAsync(access.Check(Request(authorization: "Bearer anything")));
        Assert.Equal(403, status);
        Assert.Contains("\"code\":\"api_disabled\"", body, StringComparison.Ordinal);
        Assert.Contains("api.adminToken", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong-token")]
    [InlineData("Bearer s3cret-admin-tokenX")]
    [InlineData("Bearer ")]
    [InlineData("Basic czNjcmV0LWFkbWluLXRva2Vu")]
    public async Task With_a_token_a_request_without_it_gets_401(string? authorization)
    {
        var access = new ApiAccess(new ApiOptions { AdminToken = "s3cret-admin-token" }, "0.0.0.0");
        var context = Request(authorization);
        var (status, body) = await ExecuteAsync(access.Check(context), context);
        Assert.Equal(401, status);
        Assert.Contains("\"code\":\"unauthorized\"", body, StringComparison.Ordinal);
        Assert.Equal("Bearer", context.Response.Headers.WWWAuthenticate.ToString());
    }

    [Fact]
    public void With_a_token_its_holder_passes_on_any_bind()
    {
        var access = new ApiAccess(new ApiOptions { AdminToken = "s3cret-admin-token" }, "0.0.0.0");
        Assert.Null(access.Check(Request("Bearer s3cret-admin-token")));
        Assert.Null(access.Check(Request("bearer s3cret-admin-token")));
    }

    private static DefaultHttpContext Request(string? authorization)
    {
        var context = new DefaultHttpContext();
        if (authorization is not null)
        {
            context.Request.Headers.Authorization = authorization;
        }

        return context;
    }

    private static async Task<(int Status, string Body)> ExecuteAsync(IResult? result, DefaultHttpContext? context = null)
    {
        Assert.NotNull(result);
        context ??= new DefaultHttpContext();
        context.RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider();
        var body = new MemoryStream();
        context.Response.Body = body;
        await result.ExecuteAsync(context);
        return (context.Response.StatusCode, Encoding.UTF8.GetString(body.ToArray()));
    }
}
