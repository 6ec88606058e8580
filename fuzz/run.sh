#!/usr/bin/env bash
# Builds the fuzz targets, instruments the parsers' assemblies with SharpFuzz (edge coverage, as AFL
# records it) and runs them: `fuzz/run.sh all --seconds 3` (test.sh's short pass),
# `fuzz/run.sh ts-demux --executions 10000000` (a campaign), `fuzz/run.sh amf0 --repro FILE`.
# Findings (inputs that crash or hang a target) go to fuzz/findings/. See docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/.."

out=fuzz/out
tools=$out/tools
if [ ! -x "$tools/sharpfuzz" ]; then
  dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$tools" >/dev/null
fi

rm -rf "$out/bin"
dotnet publish fuzz/OnAir.Fuzz -c Release -o "$out/bin" -nologo -v quiet
# The assemblies whose parsers read a peer's bytes; OnAir.Fuzz itself and the framework stay uninstrumented.
for assembly in OnAir.Media OnAir.Ingest.Rtmp OnAir.Ingest.Srt OnAir.WebRtc OnAir.Origin; do
  "$tools/sharpfuzz" "$out/bin/$assembly.dll" >/dev/null
done

exec dotnet "$out/bin/OnAir.Fuzz.dll" "$@"
