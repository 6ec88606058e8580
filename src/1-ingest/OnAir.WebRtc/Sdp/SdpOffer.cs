using System.Globalization;

namespace OnAir.WebRtc.Sdp;

/// <summary>One m= section of an offer, as far as a receive-only ingest cares.</summary>
/// <param name="Kind">audio, video, application, ...</param>
/// <param name="Mid">a=mid, what the answer and BUNDLE refer to.</param>
/// <param name="Formats">The payload types of the m= line, in the offerer's order of preference.</param>
/// <param name="Codecs">a=rtpmap by payload type: encoding name, clock rate, channels.</param>
/// <param name="Parameters">a=fmtp by payload type.</param>
public sealed record SdpMedia(string Kind, string Mid, IReadOnlyList<int> Formats, IReadOnlyDictionary<int, SdpCodec> Codecs, IReadOnlyDictionary<int, string> Parameters, string Direction);

public sealed record SdpCodec(string Name, int ClockRate, int Channels);

/// <summary>
/// An SDP offer (RFC 8866, JSEP's use of it in RFC 8829) read for what WHIP ingest needs: the ICE
/// credentials, the DTLS fingerprint and role, and each media section's codecs. Bounded: at most
/// <see cref="MaxBytes"/> of text, <see cref="MaxMedia"/> media sections and <see cref="MaxLines"/> lines;
/// anything malformed is a <see cref="FormatException"/> saying what.
/// </summary>
public sealed class SdpOffer
{
    public const int MaxBytes = 64 * 1024;
    public const int MaxMedia = 8;
    public const int MaxLines = 4000;

    private SdpOffer(string iceUfrag, string icePwd, string fingerprintAlgorithm, byte[] fingerprint, string setup, IReadOnlyList<SdpMedia> media)
    {
        IceUfrag = iceUfrag;
        IcePwd = icePwd;
        FingerprintAlgorithm = fingerprintAlgorithm;
        Fingerprint = fingerprint;
        Setup = setup;
        Media = media;
    }

    public string IceUfrag { get; }

    public string IcePwd { get; }

    /// <summary>The hash function of a=fingerprint (sha-256 from every browser).</summary>
    public string FingerprintAlgorithm { get; }

    /// <summary>The certificate fingerprint the DTLS peer must present.</summary>
    public byte[] Fingerprint { get; }

    /// <summary>a=setup: actpass (browsers), active or passive.</summary>
    public string Setup { get; }

    public IReadOnlyList<SdpMedia> Media { get; }

    /// <exception cref="FormatException">Not an SDP offer this ingest can answer; the message says why.</exception>
    public static SdpOffer Parse(string text)
    {
        if (text.Length > MaxBytes)
        {
            throw new FormatException($"the offer is {text.Length} bytes; at most {MaxBytes} are read");
        }

        if (!text.StartsWith("v=0", StringComparison.Ordinal))
        {
            throw new FormatException("not an SDP offer: it does not start with v=0");
        }

        string? ufrag = null, pwd = null, fingerprint = null, setup = null;
        var media = new List<MediaBuilder>();
        var lines = text.Split('\n');
        if (lines.Length > MaxLines)
        {
            throw new FormatException($"the offer has {lines.Length} lines; at most {MaxLines} are read");
        }

        foreach (var raw in lines)
        {
            var line = raw.TrimEnd('\r');
            if (line.Length < 2 || line[1] != '=')
            {
                continue;
            }

            var current = media.Count > 0 ? media[^1] : null;
            var value = line[2..];
            if (line[0] == 'm')
            {
                if (media.Count == MaxMedia)
                {
                    throw new FormatException($"the offer has more than {MaxMedia} media sections");
                }

                media.Add(MediaBuilder.FromLine(value));
                continue;
            }

            if (line[0] != 'a')
            {
                continue;
            }

            var colon = value.IndexOf(':', StringComparison.Ordinal);
            var (name, argument) = colon < 0 ? (value, "") : (value[..colon], value[(colon + 1)..]);
            switch (name)
            {
                case "ice-ufrag":
                    ufrag ??= argument;
                    break;
                case "ice-pwd":
                    pwd ??= argument;
                    break;
                case "fingerprint":
                    fingerprint ??= argument;
                    break;
                case "setup":
                    setup ??= argument;
                    break;
                case "mid" when current is not null:
                    current.Mid = argument;
                    break;
                case "rtpmap" when current is not null:
                    current.AddCodec(argument);
                    break;
                case "fmtp" when current is not null:
                    current.AddParameters(argument);
                    break;
                case "sendonly" or "recvonly" or "sendrecv" or "inactive" when current is not null:
                    current.Direction = name;
                    break;
            }
        }

        if (media.Count == 0)
        {
            throw new FormatException("the offer has no media section (m=)");
        }

        if (string.IsNullOrEmpty(ufrag) || string.IsNullOrEmpty(pwd) || ufrag.Length > 256 || pwd.Length > 256)
        {
            throw new FormatException("the offer has no usable a=ice-ufrag and a=ice-pwd");
        }

        var (algorithm, hash) = ParseFingerprint(fingerprint);
        return new SdpOffer(ufrag, pwd, algorithm, hash, setup ?? "actpass", [.. media.Select((m, i) => m.Build(i))]);
    }

    private static (string Algorithm, byte[] Hash) ParseFingerprint(string? fingerprint)
    {
        var parts = fingerprint?.Split(' ', 2, StringSplitOptions.TrimEntries);
        if (parts is not [var algorithm, var hex] || !algorithm.Equals("sha-256", StringComparison.OrdinalIgnoreCase))
        {
            throw new FormatException("the offer has no a=fingerprint:sha-256 (DTLS needs it to know its peer)");
        }

        var bytes = hex.Split(':');
        if (bytes.Length != 32)
        {
            throw new FormatException("a=fingerprint:sha-256 is not 32 hex bytes");
        }

        var hash = new byte[32];
        for (var i = 0; i < 32; i++)
        {
            if (!byte.TryParse(bytes[i], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out hash[i]))
            {
                throw new FormatException($"a=fingerprint has '{bytes[i]}', not a hex byte");
            }
        }

        return ("sha-256", hash);
    }

    private sealed class MediaBuilder
    {
        private readonly Dictionary<int, SdpCodec> _codecs = [];
        private readonly Dictionary<int, string> _parameters = [];

        private MediaBuilder(string kind, List<int> formats)
        {
            Kind = kind;
            Formats = formats;
        }

        public string Kind { get; }

        public List<int> Formats { get; }

        public string? Mid { get; set; }

        public string Direction { get; set; } = "sendrecv";

        public static MediaBuilder FromLine(string value)
        {
            // m=<media> <port> <proto> <fmt> ...
            var parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 3)
            {
                throw new FormatException($"'m={value}' is not a media line");
            }

            var formats = new List<int>();
            foreach (var format in parts.Skip(3).Take(128))
            {
                if (int.TryParse(format, NumberStyles.None, CultureInfo.InvariantCulture, out var pt) && pt <= 127)
                {
                    formats.Add(pt);
                }
            }

            return new MediaBuilder(parts[0], formats);
        }

        public void AddCodec(string argument)
        {
            // <payload type> <encoding name>/<clock rate>[/<channels>]
            var space = argument.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0 || !int.TryParse(argument.AsSpan(0, space), NumberStyles.None, CultureInfo.InvariantCulture, out var pt) || pt > 127)
            {
                return;
            }

            var encoding = argument[(space + 1)..].Split('/');
            if (encoding.Length < 2 || !int.TryParse(encoding[1], NumberStyles.None, CultureInfo.InvariantCulture, out var clock))
            {
                return;
            }

            var channels = encoding.Length > 2 && int.TryParse(encoding[2], NumberStyles.None, CultureInfo.InvariantCulture, out var c) ? c : 1;
            _codecs[pt] = new SdpCodec(encoding[0], clock, channels);
        }

        public void AddParameters(string argument)
        {
            var space = argument.IndexOf(' ', StringComparison.Ordinal);
            if (space > 0 && int.TryParse(argument.AsSpan(0, space), NumberStyles.None, CultureInfo.InvariantCulture, out var pt) && pt <= 127)
            {
                _parameters[pt] = argument[(space + 1)..];
            }
        }

        public SdpMedia Build(int index) => new(Kind, Mid ?? index.ToString(CultureInfo.InvariantCulture), Formats, _codecs, _parameters, Direction);
    }
}
