using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using OnAir.Origin;

namespace OnAir.Fuzz.Targets;

/// <summary>A playlist request's query as a player sends it: _HLS_msn, _HLS_part, _HLS_skip, repeated, empty or out of range.</summary>
internal sealed class LowLatencyQueryTarget : IFuzzTarget
{
    public static string Name => "hls-query";

    public static IEnumerable<byte[]> Seeds() =>
        ["?_HLS_msn=12&_HLS_part=3"u8.ToArray(), "?_HLS_msn=9&_HLS_skip=YES"u8.ToArray(), "?_HLS_skip=v2"u8.ToArray(), "?_HLS_part=1"u8.ToArray()];

    public static void Fuzz(ReadOnlySpan<byte> input) =>
        LowLatencyRequest.TryParse(new QueryCollection(QueryHelpers.ParseQuery(Encoding.UTF8.GetString(input))), out _, out _);
}
