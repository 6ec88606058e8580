#!/usr/bin/env bash
# Load (issue 13): BENCH_LOAD_STREAMS (50) real-time publishers (ffmpeg -re -c copy of a prepared
# 360p file, looped) and BENCH_LOAD_VIEWERS (1000) simulated HLS players following the live
# playlists and fetching every segment (OnAir.Benchmarks viewers, from 200 loopback addresses), for
# BENCH_LOAD_SECONDS (600). Reports 5xx answers, 404s on listed segments, segments a viewer found
# skipped, publishers that disconnected, segment response times p50/p99, and the server's CPU and
# RSS (sampled every 5 s). Ports BENCH_PORT_BASE..+1 (29380). Writes bench/out/load.md.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=$ROOT/bench/out
LOGS=$OUT/logs
STREAMS=${BENCH_LOAD_STREAMS:-50}
VIEWERS=${BENCH_LOAD_VIEWERS:-1000}
DURATION=${BENCH_LOAD_SECONDS:-600}
PORT_BASE=${BENCH_PORT_BASE:-29380}
RTMP_PORT=$PORT_BASE
HTTP_PORT=$((PORT_BASE + 1))
SERVER_BUILD=${BENCH_SERVER_BUILD:-/tmp/onair-bench-build}
BENCH_DLL=$ROOT/bench/OnAir.Benchmarks/bin/Release/net10.0/OnAir.Benchmarks.dll
INPUT=$OUT/input-360p30.flv
CLK_TCK=$(getconf CLK_TCK)

# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

mkdir -p "$OUT" "$LOGS"
"$ROOT/scripts/install-deps.sh" ffmpeg:ffmpeg curl:curl bc:bc python3:python3
ports_free "$RTMP_PORT" "$HTTP_PORT"
# 640x360 30 fps H.264 (GOP 2 s, 600 kbit/s) + AAC 64 kbit/s, 20 s: a typical mobile rung, so a
# thousand viewers fit the loopback of a 2-core machine (about 85 MB/s served).
make_once "$INPUT" "" ffmpeg -hide_banner -nostdin -loglevel error -y -f lavfi -i testsrc2=size=640x360:rate=30 \
  -f lavfi -i sine=frequency=440:sample_rate=48000 -t 20 -c:v libx264 -preset veryfast -pix_fmt yuv420p -g 60 -keyint_min 60 \
  -sc_threshold 0 -b:v 600k -maxrate 600k -bufsize 1200k -c:a aac -b:a 64k -ac 2 -f flv
build_onair "$LOGS/load-build.log" with-bench
WORK=$(mktemp -d /tmp/onair-load-bench.XXXXXX)

start_onair_server "$WORK" "$LOGS/load-onair.log" "$HTTP_PORT" --rtmp-port "$RTMP_PORT" --http-port "$HTTP_PORT" --ladder passthrough
SERVER=$ONAIR_PID

log "$STREAMS publishers"
start_publishers "$STREAMS" "$INPUT" "$RTMP_PORT" "$LOGS/load-publisher"
for ((t = 0; t < 600; t++)); do
  ready=0
  for ((i = 1; i <= STREAMS; i++)); do
    [ "$(curl -sf "http://127.0.0.1:$HTTP_PORT/live/s$i/source/playlist.m3u8" | grep -c '^#EXTINF' || true)" -ge 3 ] && ready=$((ready + 1))
  done
  [ "$ready" -eq "$STREAMS" ] && break
  sleep 0.1
done
[ "$ready" -eq "$STREAMS" ] || die "only $ready of $STREAMS streams had 3 segments after the warm-up"

log "$VIEWERS viewers for $DURATION s"
dotnet "$BENCH_DLL" viewers "http://127.0.0.1:$HTTP_PORT/" "$STREAMS" "$VIEWERS" "$DURATION" >"$WORK/viewers.json" 2>"$LOGS/load-viewers.log" &
VIEWER_TOOL=$!
STARTED_PIDS+=("$VIEWER_TOOL")
ticks0=$(cpu_ticks "$SERVER")
start=$(date +%s)
rss_samples=()
while alive "$VIEWER_TOOL"; do
  rss_samples+=("$(rss_kb "$SERVER")")
  sleep 5
done
wait "$VIEWER_TOOL" || die "the viewer tool failed ($LOGS/load-viewers.log)"
ticks1=$(cpu_ticks "$SERVER")
elapsed=$(($(date +%s) - start))

exited=0
for pid in "${PUBLISHERS[@]}"; do alive "$pid" || exited=$((exited + 1)); done
reconnects=$(grep -c 'reconnecting (session' "$LOGS/load-onair.log" || true)
json() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$WORK/viewers.json" "$1"; }
rss_avg=$(printf '%s\n' "${rss_samples[@]}" | awk '{ s += $1; n++ } END { printf "%.0f", s / n / 1024 }')
rss_max=$(printf '%s\n' "${rss_samples[@]}" | sort -n | tail -1 | awk '{ printf "%.0f", $1 / 1024 }')
cpu=$(echo "($ticks1 - $ticks0) / $CLK_TCK / $elapsed" | bc -l)

report=$(
  echo "## Load (\`bench/load.sh\`, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$ROOT" rev-parse --short HEAD))"
  echo
  echo "$STREAMS publishers (\`ffmpeg -re -stream_loop -1 -c copy\` of bench/out/input-360p30.flv: 640x360 30 fps 600 kbit/s + AAC 64 kbit/s), $VIEWERS viewers (OnAir.Benchmarks viewers, $(nproc)-CPU machine shared with them), ${elapsed} s. OnAir \`--ladder passthrough\`, defaults otherwise."
  echo
  echo "| What | Measured | Goal |"
  echo "|---|---:|---|"
  printf '| Playlist / segment requests | %s / %s | |\n' "$(json playlistRequests)" "$(json segmentRequests)"
  printf '| 5xx answers | %s | 0 |\n' "$(json serverErrors)"
  printf '| 404 on a listed segment | %s | 0 |\n' "$(json listedSegmentsNotFound)"
  printf '| Segments a viewer found skipped (gone before it reloaded) | %s | 0 |\n' "$(json skippedSegments)"
  printf '| Failed requests (timeouts, resets), other statuses | %s, %s | 0 |\n' "$(json failedRequests)" "$(json otherStatus)"
  printf '| Publishers disconnected (exited, or a reconnect logged) | %s, %s | 0 |\n' "$exited" "$reconnects"
  printf '| Segment response time p50 / p99, ms (to the last byte) | %s / %s | |\n' "$(json segmentP50Ms)" "$(json segmentP99Ms)"
  printf '| Served | %s MB | |\n' "$(json megabytes)"
  printf '| Server CPU | %.2f cores | |\n' "$cpu"
  printf '| Server RSS average / max | %s / %s MiB | |\n' "$rss_avg" "$rss_max"
)
echo "$report" | tee "$OUT/load.md"
