using OnAir.Ingest.Srt;

namespace OnAir.Ingest.Srt.Tests;

public class SrtStreamIdTests
{
    [Theory]
    [InlineData("#!::r=live/cam1,m=publish", "cam1")] // the contract's access-control form
    [InlineData("#!::m=publish,r=live/cam1", "cam1")] // keys in any order
    [InlineData("#!::r=live/cam1", "cam1")] // mode left out: a publisher is all OnAir serves
    [InlineData("#!::u=alice,r=live/cam1,m=publish,s=abc", "cam1")] // other keys ignored
    [InlineData("#!::r=cam1,m=publish", "cam1")] // without the app
    [InlineData("live/cam1", "cam1")] // the contract's plain form
    [InlineData("cam1", "cam1")] // just the key (GStreamer's streamid=KEY)
    [InlineData("publish:live/cam1", "cam1")] // MediaMTX's form
    [InlineData("%23!::r=live/cam1,m=publish", "cam1")] // percent-encoded, as ffmpeg passes a URL's streamid
    [InlineData("live/a/b", "a/b")] // kept whole: the name check refuses it with its own reason
    public void The_key_is_found_in_every_form_publishers_send(string streamId, string key)
    {
        Assert.Equal(key, SrtStreamId.KeyOf(streamId, "live", out var error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("", "no stream key")]
    [InlineData("live/", "no stream key")]
    [InlineData("#!::m=publish", "names no resource")]
    [InlineData("#!::r=live/cam1,m=request", "mode m=request is not served")]
    [InlineData("#!::r=live/cam1,m=bidirectional", "mode m=bidirectional is not served")]
    [InlineData("#!::r=live/cam1,junk", "a part of the stream id is not key=value")]
    [InlineData("#!::=x", "is not key=value")]
    [InlineData("#!::a=1,a=1,a=1,a=1,a=1,a=1,a=1,a=1,a=1,a=1,a=1,a=1,a=1,a=1,a=1,a=1,a=1,r=live/x", "more than 16 key=value pairs")]
    public void Stream_ids_that_name_no_publishable_key_are_refused_with_a_reason(string streamId, string reason)
    {
        Assert.Null(SrtStreamId.KeyOf(streamId, "live", out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_and_mutated_stream_ids_never_throw()
    {
        var random = new Random(5);
        string[] seeds = ["#!::r=live/cam1,m=publish", "live/cam1", "%23!::r=live/x", "publish:live/y"];
        const string alphabet = "#!:=,/%2345abcrmpublish \u00e9\0";
        for (var i = 0; i < 20_000; i++)
        {
            var chars = seeds[i % seeds.Length].ToCharArray().ToList();
            for (var edits = random.Next(1, 6); edits > 0; edits--)
            {
                var at = random.Next(chars.Count + 1);
                var c = alphabet[random.Next(alphabet.Length)];
                if (random.Next(3) == 0 && chars.Count > 0 && at < chars.Count)
                {
                    chars.RemoveAt(at);
                }
                else
                {
                    chars.Insert(at, c);
                }
            }

            var id = new string([.. chars]);
            var key = SrtStreamId.KeyOf(id, "live", out var error);
            Assert.True((key is null) != (error is null), $"'{id}': a key or a reason, never both or neither");
        }
    }
}
