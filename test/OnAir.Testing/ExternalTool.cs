using System.Diagnostics;

namespace OnAir.Testing;

/// <summary>Runs ffmpeg/ffprobe (real tools, installed by test.sh) and returns their output.</summary>
public static class ExternalTool
{
    public static async Task<(int ExitCode, string StdOut, string StdErr)> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {fileName}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', psi.ArgumentList)} did not finish within {timeout}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>ffprobe's JSON for a file (or URL), with the given extra arguments, e.g. -show_packets.</summary>
    public static async Task<string> FfprobeJsonAsync(string input, params string[] extra)
    {
        var args = new List<string> { "-v", "error", "-of", "json" };
        args.AddRange(extra);
        args.Add(input);
        var (code, stdout, stderr) = await RunAsync("ffprobe", args, TimeSpan.FromSeconds(60));
        if (code != 0)
        {
            throw new InvalidOperationException($"ffprobe failed on {input}: {stderr}");
        }

        return stdout;
    }
}
