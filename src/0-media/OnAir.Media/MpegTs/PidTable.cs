namespace OnAir.Media.MpegTs;

/// <summary>
/// Which PID carries what, as the PAT and the PMTs say: PID 0 is the PAT, the PAT names each
/// program's PMT PID, each PMT names its elementary streams. Changes only when a table changes
/// (repeats are filtered out before), so the per-packet path is one array lookup.
/// </summary>
internal sealed class PidTable : IDisposable
{
    public const int PatPid = 0x0000;
    public const int NullPid = 0x1FFF;
    private const int PidCount = 0x2000;

    /// <summary>PIDs 0x0001 to 0x000F are reserved for other tables (CAT, NIT, ...) and never carry a PMT or a stream.</summary>
    private const int FirstAssignablePid = 0x0010;

    private readonly DemuxContext _context;
    private readonly PidHandler?[] _handlers = new PidHandler?[PidCount];
    private readonly Dictionary<int, Program> _programs = [];
    private readonly List<(int ProgramNumber, int PmtPid)> _patScratch = [];
    private readonly List<(byte StreamType, int Pid)> _pmtScratch = [];

    /// <summary>PMT PIDs and H.264/AAC PIDs, bounded by <see cref="TsDemuxerOptions.MaxPids"/>.</summary>
    private int _trackedPids;

    public PidTable(DemuxContext context)
    {
        _context = context;
        _handlers[PatPid] = new SectionPid(PatPid, context, OnSection);
    }

    /// <summary>Every declared elementary stream, program by program; a new list each time a table changes.</summary>
    public IReadOnlyList<TsStreamInfo> Streams { get; private set; } = [];

    public PidHandler? this[int pid] => _handlers[pid];

    public void Flush()
    {
        foreach (var handler in _handlers)
        {
            handler?.Flush();
        }
    }

    public void Dispose()
    {
        foreach (var handler in _handlers)
        {
            handler?.Dispose();
        }
    }

    private void OnSection(SectionPid source, ReadOnlySpan<byte> section)
    {
        if (!PsiSections.IsCurrent(section))
        {
            return;
        }

        if (source.Pid == PatPid)
        {
            if (!PsiSections.TryReadPat(section, _patScratch, out var isWholeTable))
            {
                _context.Counters.MalformedSections++;
                source.ForgetLastSection();
                return;
            }

            ApplyPat(_patScratch, isWholeTable);
        }
        else if (section[0] == PsiSections.PmtTableId)
        {
            if (!PsiSections.TryReadPmt(section, out var programNumber, _pmtScratch))
            {
                _context.Counters.MalformedSections++;
                source.ForgetLastSection();
                return;
            }

            // A PMT PID may be shared by several programs; each PMT section names its own.
            if (_programs.TryGetValue(programNumber, out var program) && program.PmtPid == source.Pid)
            {
                ApplyPmt(program, _pmtScratch);
            }
        }
    }

    private void ApplyPat(List<(int ProgramNumber, int PmtPid)> programs, bool isWholeTable)
    {
        var changed = false;
        if (isWholeTable)
        {
            foreach (var number in _programs.Keys.ToArray())
            {
                if (!programs.Exists(p => p.ProgramNumber == number))
                {
                    RemoveProgram(_programs[number]);
                    changed = true;
                }
            }
        }

        foreach (var (number, pmtPid) in programs)
        {
            if (_programs.TryGetValue(number, out var existing))
            {
                if (existing.PmtPid == pmtPid)
                {
                    continue;
                }

                RemoveProgram(existing);
                changed = true;
            }

            if (!IsAssignable(pmtPid) || _handlers[pmtPid] is PesPid or IgnoredPid)
            {
                _context.Counters.MalformedSections++;
                continue;
            }

            if (_handlers[pmtPid] is null)
            {
                if (_trackedPids >= _context.Options.MaxPids)
                {
                    _context.Counters.PidLimitExceeded++;
                    continue;
                }

                _handlers[pmtPid] = new SectionPid(pmtPid, _context, OnSection);
                _trackedPids++;
            }
            else
            {
                // Shared with another program: its repeats must reach this program's PMT too.
                ((SectionPid)_handlers[pmtPid]!).ForgetLastSection();
            }

            _programs[number] = new Program(number, pmtPid);
            changed = true;
        }

        if (changed)
        {
            PublishStreams();
        }
    }

    private void ApplyPmt(Program program, List<(byte StreamType, int Pid)> declared)
    {
        var streams = new List<TsStreamInfo>(declared.Count);
        foreach (var (streamType, pid) in declared)
        {
            if (!IsAssignable(pid) || _handlers[pid] is SectionPid || streams.Exists(s => s.Pid == pid))
            {
                _context.Counters.MalformedSections++;
                continue;
            }

            var existing = program.Streams.Find(s => s.Pid == pid);
            if (existing is not null && existing.StreamType == streamType)
            {
                streams.Add(existing); // unchanged: keeps its configuration and any PES in progress
                continue;
            }

            if (existing is null && _handlers[pid] is not null)
            {
                _context.Counters.MalformedSections++; // already a stream of another program
                continue;
            }

            if (existing is not null)
            {
                RemoveStream(existing);
            }

            if (AddStream(program.Number, pid, streamType) is { } added)
            {
                streams.Add(added);
            }
        }

        foreach (var old in program.Streams)
        {
            if (!streams.Contains(old))
            {
                RemoveStream(old);
            }
        }

        program.Streams = streams;
        PublishStreams();
    }

    private TsStreamInfo? AddStream(int programNumber, int pid, byte streamType)
    {
        var reader = ElementaryStreamReader.For(streamType);
        if (reader is null)
        {
            _context.Counters.UnsupportedStreams++;
            _handlers[pid] = new IgnoredPid(pid, _context);
            return new TsStreamInfo(programNumber, pid, streamType, Kind: null);
        }

        if (_trackedPids >= _context.Options.MaxPids)
        {
            _context.Counters.PidLimitExceeded++;
            return null;
        }

        _handlers[pid] = new PesPid(pid, reader, _context);
        _trackedPids++;
        return new TsStreamInfo(programNumber, pid, streamType, reader.Kind);
    }

    private void RemoveStream(TsStreamInfo stream)
    {
        if (_handlers[stream.Pid] is { } handler)
        {
            handler.Dispose();
            _handlers[stream.Pid] = null;
            if (handler is PesPid)
            {
                _trackedPids--;
            }
        }
    }

    private void RemoveProgram(Program program)
    {
        foreach (var stream in program.Streams)
        {
            RemoveStream(stream);
        }

        _programs.Remove(program.Number);
        var shared = false;
        foreach (var other in _programs.Values)
        {
            shared |= other.PmtPid == program.PmtPid;
        }

        if (!shared)
        {
            _handlers[program.PmtPid] = null;
            _trackedPids--;
        }
    }

    private void PublishStreams()
    {
        var streams = new List<TsStreamInfo>();
        foreach (var program in _programs.Values)
        {
            streams.AddRange(program.Streams);
        }

        Streams = streams.ToArray();
    }

    private static bool IsAssignable(int pid) => pid is >= FirstAssignablePid and < NullPid;

    private sealed class Program(int number, int pmtPid)
    {
        public int Number { get; } = number;

        public int PmtPid { get; } = pmtPid;

        public List<TsStreamInfo> Streams { get; set; } = [];
    }
}
