namespace OnAir.Media.MpegTs;

/// <summary>An ADTS frame read out as its header followed by the raw AAC frame, without joining them in memory.</summary>
internal ref struct AdtsFrame : IPesPayload
{
    private ReadOnlySpan<byte> _header;
    private ReadOnlySpan<byte> _rawFrame;

    /// <param name="header">The <see cref="AdtsHeader"/> written for <paramref name="rawFrame"/>.</param>
    public AdtsFrame(ReadOnlySpan<byte> header, ReadOnlySpan<byte> rawFrame)
    {
        _header = header;
        _rawFrame = rawFrame;
        Length = header.Length + rawFrame.Length;
    }

    public int Length { get; }

    public int Read(Span<byte> destination)
    {
        var fromHeader = Take(ref _header, destination);
        return fromHeader + Take(ref _rawFrame, destination[fromHeader..]);
    }

    private static int Take(ref ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var count = Math.Min(source.Length, destination.Length);
        source[..count].CopyTo(destination);
        source = source[count..];
        return count;
    }
}
