namespace OnAir.Streams;

/// <summary>
/// A say on each publish after its key was accepted (the on_publish webhook). Declared here, where
/// publishes are decided; the publish waits for the answer, so implementations bound their time.
/// </summary>
public interface IPublishAuthorizer
{
    /// <summary>Null to let <paramref name="name"/> be published from <paramref name="remote"/>, or why not.</summary>
    ValueTask<string?> RefusalAsync(string name, string? remote);
}
