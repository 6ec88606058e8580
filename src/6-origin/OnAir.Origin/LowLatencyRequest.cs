using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace OnAir.Origin;

/// <summary>
/// The LL-HLS query of a media playlist request (rfc8216bis section 6.2.5): <c>_HLS_msn</c>,
/// <c>_HLS_part</c> (blocking reload) and <c>_HLS_skip</c> (delta update), parsed strictly:
/// anything malformed, negative, repeated or out of range is an error with a reason, never a held request.
/// </summary>
internal readonly record struct LowLatencyRequest(long? Msn, int? Part, bool Skip)
{
    /// <summary>Larger numbers cannot be a media sequence a live playlist reaches (2^53: what a JavaScript player can count).</summary>
    private const long MaxMsn = 1L << 53;
    private const int MaxPart = 100_000;

    public bool Blocks => Msn is not null;

    public bool IsEmpty => Msn is null && !Skip;

    public static bool TryParse(IQueryCollection query, out LowLatencyRequest request, out string? error)
    {
        request = default;
        error = null;
        if (!TryNumber(query, "_HLS_msn", MaxMsn, out var msn, ref error)
            || !TryNumber(query, "_HLS_part", MaxPart, out var part, ref error))
        {
            return false;
        }

        if (part is not null && msn is null)
        {
            error = "_HLS_part needs _HLS_msn";
            return false;
        }

        var skip = false;
        if (query.TryGetValue("_HLS_skip", out var skipValues))
        {
            if (skipValues.Count != 1 || skipValues[0] is not ("YES" or "v2"))
            {
                error = "_HLS_skip must be YES or v2";
                return false;
            }

            skip = true;
        }

        request = new LowLatencyRequest(msn, part is { } p ? (int)p : null, skip);
        return true;
    }

    private static bool TryNumber(IQueryCollection query, string name, long max, out long? value, ref string? error)
    {
        value = null;
        if (!query.TryGetValue(name, out var values))
        {
            return true;
        }

        if (values.Count != 1
            || !long.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
            || parsed > max)
        {
            error = $"{name} must be one whole number from 0 to {max}";
            return false;
        }

        value = parsed;
        return true;
    }
}
