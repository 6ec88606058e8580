namespace OnAir.Streams;

/// <summary>One quality level of a stream: <c>source</c> (what the publisher sent) or a transcoded rung.</summary>
public sealed class Rendition
{
    public const string SourceName = "source";

    public Rendition(string name, MediaFeed feed)
    {
        Name = name;
        Feed = feed;
    }

    public string Name { get; }

    public MediaFeed Feed { get; }
}
