namespace OnAir.Streams;

public enum PublishResult
{
    Started,

    /// <summary>A stream of that name is live with another publisher.</summary>
    NameInUse,

    /// <summary>The name has characters or a length that cannot be a URL segment.</summary>
    InvalidName,

    /// <summary>Stream keys are configured and this key is not one of them.</summary>
    UnknownKey,
}
