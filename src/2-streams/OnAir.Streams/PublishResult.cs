namespace OnAir.Streams;

public enum PublishResult
{
    /// <summary>A new stream (a new session of the name) started.</summary>
    Started,

    /// <summary>The publisher took over the name's reconnecting stream: the same playlists continue.</summary>
    Resumed,

    /// <summary>A stream of that name is live with another publisher.</summary>
    NameInUse,

    /// <summary>The name has characters or a length that cannot be a URL segment.</summary>
    InvalidName,

    /// <summary>Stream keys are configured and this key is not one of them.</summary>
    UnknownKey,

    /// <summary>The stream ended while the publish was being attached (the registry then starts a new one).</summary>
    Ended,

    /// <summary>An <see cref="IPublishAuthorizer"/> (the on_publish webhook) said no; <see cref="PublishAttempt.Reason"/> says why.</summary>
    Refused,

    /// <summary>Another node of the cluster has the name live; <see cref="PublishAttempt.Reason"/> names it.</summary>
    OwnedElsewhere,
}

/// <summary>The outcome of a publish: on success (<see cref="PublishResult.Started"/> or <see cref="PublishResult.Resumed"/>) the publisher's handle.</summary>
public readonly record struct PublishAttempt(PublishResult Result, StreamPublisher? Publisher)
{
    /// <summary>The public name the key maps to; null for an unknown key (a key is never a name to show).</summary>
    public string? Name { get; init; }

    /// <summary>Why a publish was <see cref="PublishResult.Refused"/>, or the node that holds the name (<see cref="PublishResult.OwnedElsewhere"/>).</summary>
    public string? Reason { get; init; }

    /// <summary>The name to show for a refused publish: with keys configured the key is a secret, so an unknown one is never echoed.</summary>
    public string ShownName => Name ?? "(key withheld)";

    /// <summary>Why the publish was refused, in words for the publisher and the log, whatever the ingest protocol.</summary>
    public string RefusalReason(int maxStreamNameLength) => Result switch
    {
        PublishResult.NameInUse => $"stream '{ShownName}' is already being published",
        PublishResult.UnknownKey => "unknown or revoked stream key (keys are created with POST /api/v1/keys or listed under streams.streamKeys)",
        PublishResult.Refused => $"refused by the on_publish hook: {Reason}",
        PublishResult.OwnedElsewhere => $"stream '{ShownName}' is live on node {Reason} of this cluster; publish there (a node that stopped is forgotten after cluster.ttlSeconds)",
        _ => $"stream name '{ShownName}' is not valid: use 1-{maxStreamNameLength} characters of A-Z a-z 0-9 _ - .",
    };
}
