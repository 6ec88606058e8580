#!/usr/bin/env bash
# Installs what the tests need, builds, runs every test project; the last line is
# "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")"

scripts/install-deps.sh ffmpeg:ffmpeg gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-base-apps:gst-discoverer-1.0 gstreamer1.0-plugins-good \
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav chromium:chromium nodejs:node npm:npm redis-server:redis-server libsrt1.5-gnutls srt-tools:srt-live-transmit \
  gstreamer1.0-nice python3-gi gir1.2-gst-plugins-bad-1.0 || exit 1

# hls.js and the driver of the system Chromium, for the real-player test (pinned in its package-lock.json;
# playwright-core wants node 20 or later). If this fails, only that test fails, saying so.
player=test/OnAir.EndToEnd.Tests/player
if [ ! -f "$player/node_modules/.package-lock.json" ] || [ "$player/package-lock.json" -nt "$player/node_modules/.package-lock.json" ]; then
  (cd "$player" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || echo "test.sh: npm ci failed in $player (node $(node --version 2>/dev/null || echo missing)); the hls.js test will fail"
fi

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

if ! dotnet build OnAir.slnx -c Release -nologo -v quiet -clp:ErrorsOnly >"$results/build.log" 2>&1; then
  cat "$results/build.log"
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi

passed=0 failed=0 skipped=0

# A package with a known vulnerability (NuGet's advisories, direct or transitive) fails the run.
if audit=$(dotnet list OnAir.slnx package --vulnerable --include-transitive 2>&1); then
  if grep -q "has the following vulnerable packages" <<<"$audit"; then
    grep -v "has no vulnerable packages" <<<"$audit"
    echo "package audit: vulnerable packages found (above); update them"
    failed=$((failed + 1))
  else
    echo "package audit: no known vulnerable packages"
  fi
else
  echo "test.sh: the package audit could not run (NuGet's advisories unreachable?):"
  tail -5 <<<"$audit"
fi
# One test assembly at a time: the end-to-end tests run real encoders and want both cores.
for project in test/*.Tests/*.csproj; do
  name=$(basename "$project" .csproj)
  log="$results/$name.log"
  dotnet test "$project" -c Release --no-build -nologo >"$log" 2>&1
  summary=$(grep -E '^(Passed|Failed)!' "$log" | tail -1)
  if [ -z "$summary" ]; then
    cat "$log"
    echo "$name: the test run did not finish"
    failed=$((failed + 1))
    continue
  fi
  # Each failure with its whole message (which may hold blank lines: playlists, server logs), up to its stack trace.
  grep -E '^\s+Failed ' "$log" >/dev/null && sed -n '/^\s*Failed /,/^\s*Stack Trace:/p' "$log" | head -400
  echo "$name: $summary"
  p=$(sed -E 's/.*Passed: *([0-9]+).*/\1/' <<<"$summary")
  f=$(sed -E 's/.*Failed: *([0-9]+).*/\1/' <<<"$summary")
  s=$(sed -E 's/.*Skipped: *([0-9]+).*/\1/' <<<"$summary")
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
done

# The short fuzz pass: every parser's target for a few seconds, coverage-guided, from the seeds and
# every past finding (fuzz/regressions). A crash or hang fails the run; its input is in fuzz/findings.
if fuzz/run.sh all --seconds 3 >"$results/fuzz.log" 2>&1; then
  echo "fuzz: $(grep -cE '^\| [a-z0-9-]+ \| [0-9]' "$results/fuzz.log") targets, no finding"
  passed=$((passed + 1))
else
  cat "$results/fuzz.log"
  echo "fuzz: the pass failed: a target crashed or hung (inputs in fuzz/findings), or the fuzz build failed (above)"
  failed=$((failed + 1))
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
