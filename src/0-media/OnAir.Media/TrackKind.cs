namespace OnAir.Media;

public enum TrackKind : byte
{
    Video = 1,
    Audio = 2,
}
