namespace OnAir.Transcoding;

/// <summary>One rung of a ladder: what ffmpeg makes of the source for it.</summary>
public sealed class RenditionOptions
{
    /// <summary>The rendition's URL segment, e.g. "720p" (/live/NAME/720p/playlist.m3u8).</summary>
    public string Name { get; set; } = "";

    /// <summary>Output height in pixels; the width follows the source's aspect ratio. A source no taller than this gets no such rung (never upscaled).</summary>
    public int Height { get; set; }

    /// <summary>Target video bitrate, kbit/s.</summary>
    public int VideoBitrateKbps { get; set; }

    /// <summary>Peak video bitrate (VBV max rate), kbit/s; at least the target.</summary>
    public int MaxRateKbps { get; set; }

    /// <summary>H.264 profile: baseline, main or high.</summary>
    public string Profile { get; set; } = "main";

    /// <summary>x264 preset, ultrafast to medium: live encoding must stay faster than real time.</summary>
    public string Preset { get; set; } = "veryfast";
}
