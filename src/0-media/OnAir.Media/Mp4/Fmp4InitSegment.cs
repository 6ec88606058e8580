using OnAir.Media.Aac;

namespace OnAir.Media.Mp4;

/// <summary>
/// The initialization segment of a fragmented MP4 (CMAF header): <c>ftyp</c> and a <c>moov</c>
/// with one track per elementary stream (<c>avc1</c> or <c>hvc1</c> with the publisher's <c>avcC</c> or <c>hvcC</c>, <c>mp4a</c>
/// with an <c>esds</c> carrying its AudioSpecificConfig), empty sample tables and an <c>mvex</c>
/// announcing that the samples come in <c>moof</c> fragments (<see cref="Fmp4FragmentWriter"/>).
/// </summary>
public static class Fmp4InitSegment
{
    /// <exception cref="ArgumentException">Neither track given.</exception>
    public static byte[] Create(VideoConfig? video, AacConfig? audio)
    {
        if (video is null && audio is null)
        {
            throw new ArgumentException("An init segment needs a video or an audio track.");
        }

        var tracks = new List<Mp4Track>(2);
        if (video is not null)
        {
            tracks.Add(Mp4Track.Video(video));
        }

        if (audio is not null)
        {
            tracks.Add(Mp4Track.Audio(audio));
        }

        var buffer = new byte[MovieBox.MaxSize(tracks, null)];
        var box = new BoxWriter(buffer);
        box.FileType("iso6"u8, 0, "iso6cmfcmp41"u8);
        MovieBox.Write(ref box, tracks, tables: null);
        return buffer[..box.Position];
    }
}
