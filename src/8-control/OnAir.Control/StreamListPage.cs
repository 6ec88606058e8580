using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OnAir.Streams;

namespace OnAir.Control;

/// <summary>GET /: the live streams with their playlist URLs (the full dashboard arrives with the web issue).</summary>
public static class StreamListPage
{
    public static IEndpointRouteBuilder MapStreamList(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", (StreamRegistry registry, HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            var html = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>OnAir</title></head><body><h1>OnAir: live streams</h1><ul>");
            foreach (var stream in registry.Streams.OrderBy(s => s.Name, StringComparer.Ordinal))
            {
                var name = WebUtility.HtmlEncode(stream.Name);
                var url = $"/live/{Uri.EscapeDataString(stream.Name)}/master.m3u8";
                html.Append("<li>").Append(name).Append(" (").Append(Api.StreamView.StateName(stream.State)).Append(") since ").Append(stream.StartedAt.ToString("u")).Append(": <a href=\"").Append(url).Append("\">").Append(url).Append("</a></li>");
            }

            html.Append("</ul></body></html>");
            return Results.Content(html.ToString(), "text/html; charset=utf-8");
        });
        return endpoints;
    }
}
