using System.Collections;
using OnAir.EndToEnd.Tests.Support;
using OnAir.Server;
using OnAir.Server.Configuration;
using Xunit;

namespace OnAir.EndToEnd.Tests;

/// <summary>onair serve's flags, onair.json and ONAIR_* variables: precedence, and errors that name the key (exit code 2).</summary>
public class ConfigurationTests
{
    [Fact]
    public void Flags_override_environment_which_overrides_the_config_file()
    {
        using var dir = new TempDir();
        File.WriteAllText(Path.Combine(dir.Path, "onair.json"), """{ "httpPort": 9001, "rtmpPort": 9002, "hls": { "windowSegments": 9 } }""");
        var env = new Hashtable { ["ONAIR_HTTP_PORT"] = "9003", ["ONAIR_HLS__WINDOW_SEGMENTS"] = "8" };

        var options = OptionsLoader.Load(["--http-port", "9004"], env, dir.Path);

        Assert.Equal(9004, options.HttpPort);
        Assert.Equal(9002, options.RtmpPort);
        Assert.Equal(8, options.Hls.WindowSegments);
        Assert.Equal(Path.Combine(dir.Path, "data"), options.DataDir);
    }

    [Fact]
    public void The_sample_config_equals_the_built_in_defaults()
    {
        var sample = Path.Combine(OnAir.Testing.TestVectors.RepositoryRoot, "onair.sample.json");
        using var dir = new TempDir();
        var fromSample = OptionsLoader.Load(["--config", sample], new Hashtable(), dir.Path);
        var defaults = OptionsLoader.Load([], new Hashtable(), dir.Path);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(defaults), System.Text.Json.JsonSerializer.Serialize(fromSample));
    }

    [Theory]
    [InlineData(new[] { "--http-port", "0" }, "httpPort: 0 is out of range")]
    [InlineData(new[] { "--rtmp-port", "abc" }, "rtmpPort: 'abc' is not a whole number")]
    [InlineData(new[] { "--ladder", "fancy" }, "ladder: 'fancy' is not a ladder (accepted: default, passthrough)")]
    [InlineData(new[] { "--bind", "nowhere" }, "bind: 'nowhere' is not an IP address")]
    [InlineData(new[] { "--frobnicate" }, "--frobnicate: unknown flag (accepted: --rtmp-port")]
    [InlineData(new[] { "--data-dir" }, "--data-dir: needs a value")]
    [InlineData(new[] { "--rtmps-port", "1936" }, "rtmpsPort: needs a certificate: set rtmps.certificateFile and rtmps.keyFile")]
    [InlineData(new[] { "--config", "/nonexistent/onair.json" }, "--config: file '/nonexistent/onair.json' does not exist")]
    public async Task Bad_flags_exit_2_with_a_line_naming_the_key(string[] args, string expected)
    {
        var stderr = new StringWriter();
        var exit = await OnAirCli.RunAsync(["serve", .. args], TextWriter.Null, stderr);
        Assert.Equal(2, exit);
        Assert.Contains(expected, stderr.ToString());
        Assert.Single(stderr.ToString().Trim().Split('\n'));
    }

    [Theory]
    [InlineData("""{ "hls": { "windowSegmnts": 4 } }""", "hls.windowSegmnts: unknown key (accepted here: targetDurationSeconds")]
    [InlineData("""{ "hls": { "windowSegments": 2 } }""", "hls.windowSegments: 2 is out of range (accepted: 3 to 1000)")]
    [InlineData("""{ "hls": { "segmentRetentionSeconds": 5 } }""", "hls.segmentRetentionSeconds: 5 is out of range")]
    [InlineData("""{ "rtmp": { "maxChunkSize": 10 } }""", "rtmp.maxChunkSize: 10 is out of range")]
    [InlineData("""{ "httpPort": 8080, """, "onair.json: is not valid JSON")]
    [InlineData("""{ "streams": { "streamKeys": { "secret": "bad name" } } }""", "streams.streamKeys.secret: 'bad name' is not a valid stream name")]
    [InlineData("""{ "tls": { "certificateFile": "/nonexistent/cert.pem" } }""", "tls.keyFile: must be set with the other tls key")]
    [InlineData("""{ "tls": { "certificateFile": "/nonexistent/cert.pem", "keyFile": "/nonexistent/key.pem" } }""", "tls.certificateFile: file '/nonexistent/cert.pem' does not exist")]
    [InlineData("""{ "rtmps": { "keyFile": "/nonexistent/key.pem" } }""", "rtmps.certificateFile: must be set with the other rtmps key")]
    [InlineData("""{ "hls": { "segmentFormat": "mkv" } }""", "hls.segmentFormat: 'mkv' is not accepted (accepted: fmp4, ts)")]
    [InlineData("""{ "hls": { "lowLatency": true } }""", "hls.lowLatency: unknown key")] // LL-HLS is llHls (--ll-hls)
    [InlineData("""{ "hls": { "partTargetSeconds": 1.5 } }""", "hls.partTargetSeconds: 1.5 is out of range")]
    public void Bad_config_files_name_the_key(string json, string expected)
    {
        using var dir = new TempDir();
        File.WriteAllText(Path.Combine(dir.Path, "onair.json"), json);
        var error = Assert.Throws<ConfigurationError>(() => OptionsLoader.Load([], new Hashtable(), dir.Path));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void A_configured_ladder_can_be_chosen_by_name()
    {
        using var dir = new TempDir();
        File.WriteAllText(Path.Combine(dir.Path, "onair.json"), """
            { "ladders": { "mobile": { "audioBitrateKbps": 64, "renditions": [
                { "name": "360p", "height": 360, "videoBitrateKbps": 700, "maxRateKbps": 800, "preset": "superfast" },
                { "name": "240p", "height": 240, "videoBitrateKbps": 400, "maxRateKbps": 450, "profile": "baseline" } ] } } }
            """);

        var options = OptionsLoader.Load(["--ladder", "mobile"], new Hashtable(), dir.Path);

        var ladder = options.Ladders["mobile"];
        Assert.Equal(["360p", "240p"], ladder.Renditions.Select(r => r.Name));
        Assert.Equal("superfast", ladder.Renditions[0].Preset);
        Assert.Equal("main", ladder.Renditions[0].Profile);
        Assert.Equal("baseline", ladder.Renditions[1].Profile);
        Assert.Equal(64, ladder.AudioBitrateKbps);
    }

    [Theory]
    [InlineData("""{ "ladders": { "m": { "renditions": [ { "name": "720p", "height": 0, "videoBitrateKbps": 1000, "maxRateKbps": 1000 } ] } } }""", "ladders.m.renditions[0].height: 0 is out of range")]
    [InlineData("""{ "ladders": { "m": { "renditions": [ { "name": "720p", "hieght": 720 } ] } } }""", "ladders.m.renditions[0].hieght: unknown key (accepted here: name, height")]
    [InlineData("""{ "ladders": { "m": { "renditions": [ { "name": "a", "height": 360, "videoBitrateKbps": 800, "maxRateKbps": 900, "preset": "placebo" } ] } } }""", "ladders.m.renditions[0].preset: 'placebo' is not accepted (accepted: ultrafast")]
    [InlineData("""{ "ladders": { "m": { "renditions": [ { "name": "source", "height": 360, "videoBitrateKbps": 800, "maxRateKbps": 900 } ] } } }""", "ladders.m.renditions[0].name: 'source' must be a unique URL segment")]
    [InlineData("""{ "ladders": { "m": { "renditions": [ { "name": "a", "height": 360, "videoBitrateKbps": 800, "maxRateKbps": 700 } ] } } }""", "ladders.m.renditions[0].maxRateKbps: 700 is out of range (accepted: 800")]
    public void Bad_ladders_name_the_key(string json, string expected)
    {
        using var dir = new TempDir();
        File.WriteAllText(Path.Combine(dir.Path, "onair.json"), json);
        var error = Assert.Throws<ConfigurationError>(() => OptionsLoader.Load([], new Hashtable(), dir.Path));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void A_bad_environment_variable_names_the_key()
    {
        using var dir = new TempDir();
        var error = Assert.Throws<ConfigurationError>(() => OptionsLoader.Load([], new Hashtable { ["ONAIR_HLS__TARGET_DURATION_SECONDS"] = "soon" }, dir.Path));
        Assert.Contains("hls.targetDurationSeconds: 'soon' is not a number", error.Message);
    }
}
