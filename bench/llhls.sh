#!/usr/bin/env bash
# LL-HLS figures on this machine, in one run (see docs/performance.md, "LL-HLS"):
#   1. latency seen by hls.js in Chromium (now - program date-time on screen), p50/p95, on `source` and
#      on the 360p rung, for LL-HLS with 0.334 s parts, LL-HLS with 0.2 s parts, and regular HLS (TS)
#   2. part publish delay (last frame of a part arrives -> part listed), p50/p95 from /metrics
#   3. BENCH_BLOCKING (10000) concurrent blocking playlist requests on one node: answer spread, server RSS
# Publisher: ffmpeg, 854x480 30 fps, 1 s GOP, real time (x264 zerolatency), loopback.
# Tunables: BENCH_WATCH_SECONDS=30 BENCH_BLOCKING=10000 BENCH_PORT_BASE=29450 BENCH_SERVER_BUILD=/tmp/onair-bench-build BENCH_SKIP_BUILD=1
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=$ROOT/bench/out
LOGS=$OUT/logs
WATCH=${BENCH_WATCH_SECONDS:-30}
BLOCKING=${BENCH_BLOCKING:-10000}
PORT_BASE=${BENCH_PORT_BASE:-29450}
RTMP_PORT=$PORT_BASE
HTTP_PORT=$((PORT_BASE + 1))
SERVER_BUILD=${BENCH_SERVER_BUILD:-/tmp/onair-bench-build}
PLAYER=$ROOT/test/OnAir.EndToEnd.Tests/player
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

mkdir -p "$LOGS"
scripts/install-deps.sh ffmpeg:ffmpeg chromium:chromium nodejs:node npm:npm >&2
[ -d "$PLAYER/node_modules/playwright-core" ] || (cd "$PLAYER" && npm ci --no-audit --no-fund --loglevel=error >&2)
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  log "building the server into $SERVER_BUILD"
  dotnet build src/OnAir.Server -c Release -nologo -v quiet -clp:ErrorsOnly -o "$SERVER_BUILD" >&2
fi
WORK=$(mktemp -d)
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

SERVER_PID=
PUBLISHER_PID=
start_server() { # ARGS...
  rm -rf "$WORK/data"
  dotnet "$SERVER_BUILD/onair.dll" serve --rtmp-port "$RTMP_PORT" --http-port "$HTTP_PORT" --data-dir "$WORK/data" "$@" >"$LOGS/llhls-server.log" 2>&1 &
  SERVER_PID=$!
  STARTED_PIDS+=("$SERVER_PID")
  wait_for_port "$HTTP_PORT" "$SERVER_PID" 30 || die "the server did not start (see $LOGS/llhls-server.log)"
  ffmpeg -v error -re -f lavfi -i testsrc2=size=854x480:rate=30 -f lavfi -i sine=frequency=440:sample_rate=48000 \
    -c:v libx264 -preset veryfast -tune zerolatency -g 30 -pix_fmt yuv420p -b:v 1200k -c:a aac -b:a 96k \
    -t $((WATCH * 2 + 60)) -f flv "rtmp://127.0.0.1:$RTMP_PORT/live/bench" >"$LOGS/llhls-ffmpeg.log" 2>&1 &
  PUBLISHER_PID=$!
  STARTED_PIDS+=("$PUBLISHER_PID")
  local i
  for ((i = 0; i < 300; i++)); do
    curl -sf "http://127.0.0.1:$HTTP_PORT/live/bench/master.m3u8" | grep -q 360p && curl -sf "http://127.0.0.1:$HTTP_PORT/live/bench/360p/playlist.m3u8" | grep -q EXTINF && return 0
    sleep 0.1
  done
  die "no two-rendition master within 30 s"
}
stop_server() { stop_pids "$PUBLISHER_PID" "$SERVER_PID"; }

# latency NAME HEIGHT [--low-latency]: hls.js plays the master's variant of HEIGHT (pinned) for WATCH seconds;
# prints "p50 p95 samples longest-stall fatal-errors" of now - PDT.
latency() {
  local name=$1 height=$2
  shift 2
  node "$PLAYER/switch-test.mjs" "http://127.0.0.1:$HTTP_PORT/live/bench/master.m3u8" --switches 0 --start-height "$height" \
    --watch-seconds "$WATCH" --timeout-seconds $((WATCH + 60)) "$@" >"$LOGS/llhls-$name.json"
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    // After 5 s of play: hls.js settles on its target distance from the edge.
    const v = (r.latency || []).filter(l => l.pdt !== null && l.at > (r.latency[0]?.at ?? 0) + 5).map(l => l.pdt).sort((a, b) => a - b);
    const q = p => v.length ? v[Math.min(v.length - 1, Math.floor(p * v.length))].toFixed(2) : "n/a";
    console.log(`${q(0.5)} ${q(0.95)} ${v.length} ${r.maxStuckSeconds} ${r.errors.filter(e => e.fatal).length}`);
  ' "$LOGS/llhls-$name.json"
}

# part_delay: p50 and p95 of onair_hls_part_publish_delay_seconds from the histogram buckets.
part_delay() {
  curl -s "http://127.0.0.1:$HTTP_PORT/metrics" | node -e '
    const lines = require("fs").readFileSync(0, "utf8").split("\n").filter(l => l.startsWith("onair_hls_part_publish_delay_seconds_bucket"));
    const b = lines.map(l => [l.match(/le="([^"]+)"/)[1], Number(l.split(" ").pop())]).map(([le, n]) => [le === "+Inf" ? Infinity : Number(le), n]);
    const total = b.length ? b[b.length - 1][1] : 0;
    const q = p => { const hit = b.find(([, n]) => n >= p * total); return hit ? (hit[0] === Infinity ? "> max" : `<= ${hit[0] * 1000} ms`) : "n/a"; };
    console.log(`${q(0.5)}|${q(0.95)}|${total}`);
  '
}

RESULTS=$OUT/llhls.md
{
  echo "## LL-HLS run of $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD)"
  echo
  echo "hls.js in Chromium, $WATCH s per row after the ladder is up; latency = now - program date-time on screen, samples after 5 s of play."
  echo
  echo "| mode | rendition | p50 (s) | p95 (s) | samples | longest stall (s) | fatal errors |"
  echo "|---|---|---|---|---|---|---|"
} >"$RESULTS"

for mode in "ll-0.334" "ll-0.2" "regular"; do
  case $mode in
    ll-0.334) args=(); player=(--low-latency) ;;
    ll-0.2) printf '{"hls":{"partTargetSeconds":0.2}}' >"$WORK/onair.json"; args=(--config "$WORK/onair.json"); player=(--low-latency) ;;
    regular) args=(--no-ll-hls); player=() ;;
  esac
  log "$mode: starting"
  start_server "${args[@]}"
  for rendition in source 360p; do
    height=$([ "$rendition" = source ] && echo 480 || echo 360)
    read -r p50 p95 n stall fatal < <(latency "$mode-$rendition" "$height" "${player[@]}")
    echo "| $mode | $rendition | $p50 | $p95 | $n | $stall | $fatal |" >>"$RESULTS"
    log "$mode $rendition: p50 $p50 s, p95 $p95 s"
  done
  if [ "$mode" = "ll-0.334" ]; then
    IFS='|' read -r d50 d95 parts < <(part_delay)
    PART_DELAY="p50 $d50, p95 $d95 over $parts parts (all renditions)"
    log "part publish delay: $PART_DELAY"
    rss_before=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status")
    node "$ROOT/bench/llhls/blocking-load.mjs" "http://127.0.0.1:$HTTP_PORT/live/bench/source/playlist.m3u8" "$BLOCKING" >"$LOGS/llhls-blocking.json" &
    load=$!
    STARTED_PIDS+=("$load")
    peak=$rss_before
    while alive "$load"; do
      rss=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status")
      [ "$rss" -gt "$peak" ] && peak=$rss
      sleep 0.05
    done
    wait "$load" || true
    BLOCKING_RESULT="$(cat "$LOGS/llhls-blocking.json"); server RSS ${rss_before} KiB before, ${peak} KiB peak"
    log "blocking: $BLOCKING_RESULT"
  fi
  stop_server
done

{
  echo
  echo "Part publish delay (LL-HLS, 0.334 s parts): $PART_DELAY"
  echo
  echo "$BLOCKING concurrent blocking requests for the next part of \`source\`: $BLOCKING_RESULT"
} >>"$RESULTS"
cat "$RESULTS"
