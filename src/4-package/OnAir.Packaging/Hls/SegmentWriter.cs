using System.Buffers;

namespace OnAir.Packaging.Hls;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over one segment file at a time: bytes go to the file in
/// 64 KiB blocks, and what is buffered when a part ends, so a part is in the file whole before it
/// is listed. One instance per rendition, reused for every segment. The block is rented while a
/// part is being written and returned when it ends, so idle renditions (all of them, between parts)
/// hold none.
/// </summary>
internal sealed class SegmentWriter : IBufferWriter<byte>, IDisposable
{
    private const int BlockSize = 64 * 1024;
    private byte[] _buffer = [];
    private int _used;
    private long _flushed;
    private long _partStart;
    private FileStream? _file;

    /// <summary>Bytes of the open segment so far.</summary>
    public long BytesWritten => _flushed + _used;

    public void Open(string path)
    {
        _file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 0);
        _used = 0;
        _flushed = 0;
        _partStart = 0;
    }

    public void Advance(int count) => _used += count;

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

    /// <summary>The part written since the last call ends: it goes to the file, readable there at once. Returns where it is in the file.</summary>
    public (long Offset, int Length) EndPart()
    {
        var offset = _partStart;
        var length = (int)(BytesWritten - offset);
        FlushBuffer();
        ReturnBuffer();
        _partStart = BytesWritten;
        return (offset, length);
    }

    /// <summary>Writes what is buffered and closes the file; the segment is complete on disk.</summary>
    public void Close()
    {
        FlushBuffer();
        ReturnBuffer();
        _file?.Dispose();
        _file = null;
    }

    public void Dispose()
    {
        _file?.Dispose();
        _file = null;
        ReturnBuffer();
    }

    private void Reserve(int sizeHint)
    {
        var needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _used >= needed)
        {
            return;
        }

        FlushBuffer();
        if (_buffer.Length >= needed)
        {
            return;
        }

        // No block yet, or a request larger than a block (the writers ask for headers and pieces, never a whole frame): the buffer is empty now.
        ReturnBuffer();
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(needed, BlockSize));
    }

    private void ReturnBuffer()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    private void FlushBuffer()
    {
        if (_used > 0)
        {
            (_file ?? throw new InvalidOperationException("segment file is not open")).Write(_buffer, 0, _used);
            _flushed += _used;
            _used = 0;
        }
    }
}
