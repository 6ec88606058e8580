using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OnAir.EndToEnd.Tests.Support;

/// <summary>
/// HTTP/1.1 requests written byte for byte: the request target goes out exactly as given (HttpClient
/// and Uri would resolve dot segments and re-encode, and never send what an attacker sends).
/// </summary>
public static class RawHttp
{
    /// <summary>Sends <c>GET target</c> with Connection: close and reads to the end: the status and the whole response (headers, and the body however it was framed).</summary>
    public static async Task<(int Status, string Response)> GetAsync(int port, string target, string? authorization = null)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        var auth = authorization is null ? "" : $"Authorization: {authorization}\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: onair\r\n{auth}Connection: close\r\n\r\n"));
        using var response = new MemoryStream();
        await stream.CopyToAsync(response);
        var text = Encoding.Latin1.GetString(response.ToArray());
        var statusLine = text.Split("\r\n", 2)[0].Split(' ');
        return (statusLine.Length > 1 && int.TryParse(statusLine[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status) ? status : 0, text);
    }
}
