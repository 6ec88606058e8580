namespace OnAir.Control.Api;

/// <summary>FellBack → fell_back: the form API values and metrics labels use for enum names.</summary>
public static class SnakeCase
{
    public static string Of(string pascal) => OnAir.Transcoding.TranscodingMetrics.SnakeCase(pascal);
}
