using OnAir.Ingest.Rtmp;
using OnAir.Ingest.Rtmp.Amf0;

namespace OnAir.Fuzz.Targets;

/// <summary>AMF0 values as commands and metadata carry them, read to the end at the connection's depth limit.</summary>
internal sealed class Amf0Target : IFuzzTarget
{
    public static string Name => "amf0";

    public static IEnumerable<byte[]> Seeds()
    {
        var writer = new System.Buffers.ArrayBufferWriter<byte>();
        Amf0Writer.WriteString(writer, "connect");
        Amf0Writer.WriteNumber(writer, 1.0);
        Amf0Writer.WriteObject(writer, new Dictionary<string, object?> { ["app"] = "live", ["tcUrl"] = "rtmp://127.0.0.1/live", ["flashVer"] = "FMLE/3.0", ["fpad"] = false, ["audioCodecs"] = 3191.0 });
        Amf0Writer.WriteNull(writer);
        Amf0Writer.WriteValue(writer, "onMetaData");
        return [writer.WrittenSpan.ToArray()];
    }

    public static void Fuzz(ReadOnlySpan<byte> input)
    {
        var reader = new Amf0Reader(input, maxDepth: 16);
        try
        {
            while (reader.HasMore)
            {
                reader.ReadValue();
            }
        }
        catch (RtmpProtocolException)
        {
            // a malformed command closes the connection with its reason
        }
    }
}
