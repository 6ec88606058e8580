namespace OnAir.Streams;

public enum StreamState
{
    Live,
    Reconnecting,
    Ended,
}
