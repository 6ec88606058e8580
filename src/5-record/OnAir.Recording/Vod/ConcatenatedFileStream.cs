namespace OnAir.Recording.Vod;

/// <summary>
/// A read-only, seekable view of a byte array followed by a range of a file: a finalised
/// recording's progressive MP4 (its head, then the fragments of media.mp4 in place), served with
/// range requests without ever being written out as one file.
/// </summary>
internal sealed class ConcatenatedFileStream : Stream
{
    private readonly byte[] _head;
    private readonly FileStream _file;
    private readonly long _fileOffset;
    private readonly long _length;
    private long _position;

    public ConcatenatedFileStream(byte[] head, FileStream file, long fileOffset, long fileLength)
    {
        _head = head;
        _file = file;
        _fileOffset = fileOffset;
        _length = head.Length + fileLength;
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
        var wanted = (int)Math.Min(buffer.Length, _length - _position);
        if (wanted <= 0)
        {
            return 0;
        }

        if (_position < _head.Length)
        {
            var fromHead = (int)Math.Min(wanted, _head.Length - _position);
            _head.AsSpan((int)_position, fromHead).CopyTo(buffer);
            _position += fromHead;
            return fromHead;
        }

        _file.Position = _fileOffset + (_position - _head.Length);
        var read = _file.Read(buffer[..wanted]);
        _position += read;
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position < _head.Length || _position >= _length)
        {
            return Read(buffer.Span);
        }

        _file.Position = _fileOffset + (_position - _head.Length);
        var read = await _file.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _length - _position)], cancellationToken).ConfigureAwait(false);
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
            _file.Dispose();
        }

        base.Dispose(disposing);
    }
}
