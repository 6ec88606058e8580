namespace OnAir.Fuzz.Targets;

/// <summary>
/// One parser under fuzz. <see cref="Fuzz"/> feeds it one input and lets through only what the
/// parser may not do: the exceptions it documents for bad input (the ones that close a connection
/// with a logged reason) are caught there; any other exception, or a hang, is a finding.
/// </summary>
internal interface IFuzzTarget
{
    /// <summary>The name on the command line and in docs/fuzzing.md.</summary>
    static abstract string Name { get; }

    /// <summary>Real inputs to start from (captures and vectors of test/vectors, or inputs built by OnAir's writers).</summary>
    static abstract IEnumerable<byte[]> Seeds();

    static abstract void Fuzz(ReadOnlySpan<byte> input);
}
