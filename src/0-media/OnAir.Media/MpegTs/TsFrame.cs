namespace OnAir.Media.MpegTs;

/// <summary>
/// One frame out of a <see cref="TsDemuxer"/> and the PID it came from (the transcoder gives each
/// rendition its own PID). The receiver owns the frame's reference and releases it.
/// </summary>
public readonly record struct TsFrame(int Pid, MediaFrame Frame);
