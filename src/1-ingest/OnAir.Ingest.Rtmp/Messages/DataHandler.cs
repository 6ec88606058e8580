using System.Globalization;
using System.Text;
using OnAir.Ingest.Rtmp.Amf0;

namespace OnAir.Ingest.Rtmp.Messages;

/// <summary>
/// Data messages: <c>@setDataFrame onMetaData {...}</c> tells what the encoder sends; logged once per
/// publish for diagnosis. The declared video bitrate goes to the stream (the transcoder caps its rungs with it).
/// </summary>
internal static class DataHandler
{
    private static readonly string[] s_interestingKeys = ["encoder", "width", "height", "framerate", "videodatarate", "audiodatarate", "videocodecid", "audiocodecid", "audiosamplerate"];

    public static void Handle(RtmpSessionContext session, ReadOnlySpan<byte> payload, int maxDepth)
    {
        if (session.Publisher is not { } publisher)
        {
            return;
        }

        var reader = new Amf0Reader(payload, maxDepth);
        Dictionary<string, object?>? metadata = null;
        while (reader.HasMore && metadata is null)
        {
            metadata = reader.ReadValue() as Dictionary<string, object?>;
        }

        if (metadata is null)
        {
            return;
        }

        // kbit/s (FLV spec; ffmpeg writes bit_rate / 1024, OBS its setting). Anything outside 1 kbit/s..1 Gbit/s is not a bitrate.
        if (metadata.TryGetValue("videodatarate", out var rate) && rate is double kbps && kbps is >= 1 and <= 1_000_000)
        {
            publisher.Stream.DeclaredVideoBitrateKbps = (int)kbps;
        }

        var summary = new StringBuilder();
        foreach (var key in s_interestingKeys)
        {
            if (metadata.TryGetValue(key, out var value) && value is not null)
            {
                summary.Append(key).Append('=').Append(Convert.ToString(value, CultureInfo.InvariantCulture)).Append(' ');
            }
        }

        // Some encoders (GStreamer's flvmux) resend metadata on every caps change: log changes only.
        var text = summary.ToString().TrimEnd();
        if (text != session.LastMetadata)
        {
            session.LastMetadata = text;
            RtmpLog.Metadata(session.Logger, publisher.Stream.Name, text);
        }
    }
}
