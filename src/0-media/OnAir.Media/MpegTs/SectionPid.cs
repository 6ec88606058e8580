namespace OnAir.Media.MpegTs;

/// <summary>
/// Reassembles PSI sections (ISO/IEC 13818-1 section 2.4.4) on a PAT or PMT PID: a section may
/// start anywhere in a packet (pointer_field), span packets, and be followed by another section or
/// by 0xFF stuffing. Complete sections with a correct CRC go to the callback; a repeat of the
/// section last accepted (encoders resend their tables every 100 ms or so) is not passed on, so
/// tables are parsed only when they change.
/// </summary>
internal sealed class SectionPid : PidHandler
{
    /// <summary>The long-form header up to section_length.</summary>
    private const int HeaderSize = 3;

    /// <summary>section_length of PAT and PMT is at most 1021 (its two top bits are 00), so a section is at most 1024 bytes.</summary>
    private const int MaxSectionSize = HeaderSize + 1021;

    /// <summary>The long section syntax: 5 header bytes after section_length, then the CRC.</summary>
    private const int MinSectionLength = 5 + 4;

    private readonly Action<SectionPid, ReadOnlySpan<byte>> _onSection;
    private readonly byte[] _buffer = new byte[MaxSectionSize];
    private int _filled;
    private int _size;
    private uint _lastCrc;
    private int _lastSize;

    public SectionPid(int pid, DemuxContext context, Action<SectionPid, ReadOnlySpan<byte>> onSection)
        : base(pid, context)
    {
        _onSection = onSection;
    }

    /// <summary>Forgets the last accepted section, so the next one is passed on even if it is a repeat.</summary>
    public void ForgetLastSection() => _lastSize = 0;

    public override void OnPayload(ReadOnlySpan<byte> payload, bool unitStart)
    {
        if (!unitStart)
        {
            // Only continues a section: a new one can start only where a pointer_field says.
            if (_filled > 0)
            {
                Append(ref payload);
            }

            return;
        }

        if (payload.IsEmpty || 1 + payload[0] > payload.Length)
        {
            Broken();
            return;
        }

        var tail = payload.Slice(1, payload[0]);
        payload = payload[(1 + payload[0])..];
        if (_filled > 0)
        {
            // The bytes before the pointer finish the section in progress, or it never finishes.
            Append(ref tail);
            if (_filled > 0)
            {
                Broken();
            }
        }

        while (!payload.IsEmpty && (_filled > 0 || payload[0] != 0xFF))
        {
            Append(ref payload); // 0xFF where a table_id would be is stuffing up to the packet end
        }
    }

    protected override void OnPacketsLost()
    {
        if (_filled > 0)
        {
            Broken();
        }
    }

    /// <summary>Adds bytes to the section in progress; when it completes, hands it on and gets ready for the next one.</summary>
    private void Append(ref ReadOnlySpan<byte> data)
    {
        if (_size == 0)
        {
            if (!Fill(ref data, HeaderSize))
            {
                return;
            }

            var sectionLength = ((_buffer[1] & 0x0F) << 8) | _buffer[2];
            if ((_buffer[1] & 0x80) == 0 || sectionLength < MinSectionLength || HeaderSize + sectionLength > MaxSectionSize)
            {
                // Not a long-form section of a sane length: its end cannot be found, so the rest of the packet is lost.
                Broken();
                data = default;
                return;
            }

            _size = HeaderSize + sectionLength;
        }

        if (Fill(ref data, _size))
        {
            Complete(_buffer.AsSpan(0, _size));
            _filled = 0;
            _size = 0;
        }
    }

    private bool Fill(ref ReadOnlySpan<byte> data, int target)
    {
        var take = Math.Min(target - _filled, data.Length);
        data[..take].CopyTo(_buffer.AsSpan(_filled));
        _filled += take;
        data = data[take..];
        return _filled == target;
    }

    private void Complete(ReadOnlySpan<byte> section)
    {
        // Running the CRC over the section including its CRC field yields 0 when they agree.
        if (Crc32Mpeg2.Compute(section) != 0)
        {
            Context.Counters.SectionCrcErrors++;
            return;
        }

        var crc = (uint)((section[^4] << 24) | (section[^3] << 16) | (section[^2] << 8) | section[^1]);
        if (section.Length == _lastSize && crc == _lastCrc)
        {
            return;
        }

        _lastCrc = crc;
        _lastSize = section.Length;
        _onSection(this, section);
    }

    private void Broken()
    {
        Context.Counters.MalformedSections++;
        _filled = 0;
        _size = 0;
    }
}
