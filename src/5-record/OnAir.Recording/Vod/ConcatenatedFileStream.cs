namespace OnAir.Recording.Vod;

/// <summary>
/// A read-only, seekable view of one file followed by a range of another: a finalised recording's
/// progressive MP4 (its head file, then the fragments of media.mp4 in place), served with range
/// requests without ever being written out as one file, and without reading the head into memory.
/// </summary>
internal sealed class ConcatenatedFileStream : Stream
{
    private readonly FileStream _head;
    private readonly FileStream _media;
    private readonly long _mediaOffset;
    private readonly long _length;
    private long _position;

    /// <param name="mediaOffset">Where the part of <paramref name="media"/> that follows the head starts.</param>
    /// <param name="mediaLength">How many bytes of it follow the head.</param>
    public ConcatenatedFileStream(FileStream head, FileStream media, long mediaOffset, long mediaLength)
    {
        _head = head;
        _media = media;
        _mediaOffset = mediaOffset;
        _length = head.Length + mediaLength;
    }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => _position = Math.Clamp(value, 0, _length);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var (file, at, available) = Locate();
        if (available <= 0)
        {
            return 0;
        }

        file.Position = at;
        var read = file.Read(buffer[..(int)Math.Min(buffer.Length, available)]);
        _position += read;
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var (file, at, available) = Locate();
        if (available <= 0)
        {
            return 0;
        }

        file.Position = at;
        var read = await file.ReadAsync(buffer[..(int)Math.Min(buffer.Length, available)], cancellationToken).ConfigureAwait(false);
        _position += read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => _length + offset,
    };

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _head.Dispose();
            _media.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>The file the current position falls in, where in it, and how many bytes of this part are left from there.</summary>
    private (FileStream File, long At, long Available) Locate() =>
        _position < _head.Length
            ? (_head, _position, _head.Length - _position)
            : (_media, _mediaOffset + (_position - _head.Length), _length - _position);
}
