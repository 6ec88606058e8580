using System.Text;
using OnAir.Ingest.Srt;

namespace OnAir.Fuzz.Targets;

/// <summary>The SRT caller's streamid: the access-control form (#!::r=...,m=...) and the plain ones.</summary>
internal sealed class SrtStreamIdTarget : IFuzzTarget
{
    public static string Name => "srt-streamid";

    public static IEnumerable<byte[]> Seeds() =>
        ["#!::r=live/key,m=publish"u8.ToArray(), "live/key"u8.ToArray(), "key"u8.ToArray(), "#!::u=user,r=live/a,m=request,s=x"u8.ToArray()];

    public static void Fuzz(ReadOnlySpan<byte> input) => SrtStreamId.KeyOf(Encoding.UTF8.GetString(input), "live", out _);
}
