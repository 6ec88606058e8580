namespace OnAir.Streams;

/// <summary>
/// Which node of a cluster may publish a name. Declared here, where publishes are decided; the
/// Redis directory implements it. Absent (one node), every name is this node's.
/// </summary>
public interface IStreamOwnership
{
    /// <summary>Claims <paramref name="name"/> for this node: null when it may be published here, else the node that holds it.</summary>
    ValueTask<string?> ClaimAsync(string name);

    /// <summary>The name's stream ended here: other nodes may publish it.</summary>
    void Release(string name);
}
