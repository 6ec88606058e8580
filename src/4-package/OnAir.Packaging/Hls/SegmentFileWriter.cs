using System.Buffers;

namespace OnAir.Packaging.Hls;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over a segment file: the muxer writes TS packets into a pooled
/// buffer that is written to the file in large blocks. One instance per rendition, reused for
/// every segment, so steady state allocates nothing.
/// </summary>
internal sealed class SegmentFileWriter : IBufferWriter<byte>, IDisposable
{
    private const int BlockSize = 64 * 1024;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(BlockSize);
    private int _used;
    private FileStream? _file;

    public long BytesWritten { get; private set; }

    public void Open(string path)
    {
        _file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 0);
        _used = 0;
        BytesWritten = 0;
    }

    public void Advance(int count)
    {
        _used += count;
        BytesWritten += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsMemory(_used);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsSpan(_used);
    }

    /// <summary>Writes what is buffered and closes the file; the segment is complete on disk.</summary>
    public void Close()
    {
        FlushBuffer();
        _file?.Dispose();
        _file = null;
    }

    public void Dispose()
    {
        _file?.Dispose();
        _file = null;
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    private void Reserve(int sizeHint)
    {
        var needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _used >= needed)
        {
            return;
        }

        FlushBuffer();
        if (_buffer.Length < needed)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(needed);
        }
    }

    private void FlushBuffer()
    {
        if (_used > 0)
        {
            (_file ?? throw new InvalidOperationException("segment file is not open")).Write(_buffer, 0, _used);
            _used = 0;
        }
    }
}
