namespace OnAir.Transcoding;

/// <summary>The live transcoder: supervision, deadlines and admission. Bound under <c>transcode</c> in onair.json.</summary>
public sealed class TranscodingOptions
{
    /// <summary>The ffmpeg executable (5.1 or newer, with libx264). Default "ffmpeg" (found on PATH).</summary>
    public string FfmpegPath { get; set; } = "ffmpeg";

    /// <summary>
    /// Most streams transcoded at once; a stream over the cap is served as <c>source</c> only and
    /// says so in the metrics. 0 (the default) derives it from the machine: one stream per two cores, at least one.
    /// </summary>
    public int MaxStreams { get; set; }

    /// <summary>
    /// How far the transcoded renditions may fall behind the source before the degradation policy
    /// steps in, seconds. 0 (the default) means one segment (hls.targetDurationSeconds).
    /// </summary>
    public double LagBudgetSeconds { get; set; }

    /// <summary>Seconds with lag well under the budget before one degradation step is undone. Default 30.</summary>
    public double RecoverAfterSeconds { get; set; } = 30;

    /// <summary>The x264 preset every rung switches to as the first degradation step. Default "ultrafast".</summary>
    public string DegradedPreset { get; set; } = "ultrafast";

    /// <summary>Seconds ffmpeg may take in input without giving any output before it is considered hung and restarted. Default 10.</summary>
    public double StallTimeoutSeconds { get; set; } = 10;

    /// <summary>Pause before a crashed or hung ffmpeg is restarted, seconds. Default 0.5.</summary>
    public double RestartDelaySeconds { get; set; } = 0.5;

    /// <summary>Restarts tolerated within <see cref="RestartWindowSeconds"/>; one more and the stream falls back to passthrough. Default 3.</summary>
    public int MaxRestarts { get; set; } = 3;

    /// <summary>The window restarts are counted in, seconds. Default 60.</summary>
    public double RestartWindowSeconds { get; set; } = 60;

    /// <summary>
    /// Seconds a dropped rung's playlist keeps being served (no longer in the master playlist, so
    /// players move away) before it gets EXT-X-ENDLIST. Default 12.
    /// </summary>
    public double DroppedRungGraceSeconds { get; set; } = 12;

    /// <summary>The admission cap in force: <see cref="MaxStreams"/>, or derived from the core count when 0.</summary>
    public int EffectiveMaxStreams => MaxStreams > 0 ? MaxStreams : Math.Max(1, Environment.ProcessorCount / 2);
}
