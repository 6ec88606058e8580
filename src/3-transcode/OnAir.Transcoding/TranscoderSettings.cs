namespace OnAir.Transcoding;

/// <summary>What every stream's transcoder runs with: the ladder in force (--ladder), the transcoder options, and the lag budget resolved from them.</summary>
public sealed record TranscoderSettings(string LadderName, LadderOptions Ladder, TranscodingOptions Options, double LagBudgetSeconds);
