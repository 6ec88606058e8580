#!/usr/bin/env bash
# Ingest protocols (issue 11), same run, same input. See bench/README.md.
#   CPU seconds per minute and RSS of the OnAir process per passthrough stream, BENCH_INGEST_STREAMS
#   (default 10) real-time ffmpeg publishers sending the 720p input with -c copy, over RTMP (FLV) and
#   over SRT (MPEG-TS, 1316-byte messages); warm-up BENCH_WARMUP_SECONDS (10), window BENCH_WINDOW_SECONDS (30).
# Prints a markdown table and writes it to bench/out/ingest.md. Ports BENCH_PORT_BASE..+2 (29370).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=$ROOT/bench/out
LOGS=$OUT/logs
STREAMS=${BENCH_INGEST_STREAMS:-10}
WARMUP=${BENCH_WARMUP_SECONDS:-10}
WINDOW=${BENCH_WINDOW_SECONDS:-30}
PORT_BASE=${BENCH_PORT_BASE:-29370}
RTMP_PORT=$PORT_BASE
HTTP_PORT=$((PORT_BASE + 1))
SRT_PORT=$((PORT_BASE + 2))
SERVER_BUILD=${BENCH_SERVER_BUILD:-/tmp/onair-bench-build}
INPUT=$OUT/input-720p30.flv
CLK_TCK=$(getconf CLK_TCK)

# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

mkdir -p "$OUT" "$LOGS"
"$ROOT/scripts/install-deps.sh" ffmpeg:ffmpeg libsrt1.5-gnutls curl:curl bc:bc
[ -s "$INPUT" ] || die "$INPUT is missing: bench/run.sh makes it (run it once)"
for port in "$RTMP_PORT" "$HTTP_PORT"; do
  port_in_use "$port" && die "port $port on 127.0.0.1 is in use; choose another base with BENCH_PORT_BASE"
done
log "building the server"
dotnet build "$ROOT/src/OnAir.Server" -c Release -nologo -v quiet -clp:ErrorsOnly -o "$SERVER_BUILD" >"$LOGS/ingest-build.log" 2>&1 || die "server build failed ($LOGS/ingest-build.log)"
WORK=$(mktemp -d /tmp/onair-ingest-bench.XXXXXX)

run_streams() { # PROTOCOL → "cpu-seconds-per-minute-per-stream rss-kb live-streams"
  local protocol=$1 dir=$WORK/$1 pubs=() i server url format
  mkdir -p "$dir/cwd"
  (cd "$dir/cwd" && exec dotnet "$SERVER_BUILD/onair.dll" serve --rtmp-port "$RTMP_PORT" --http-port "$HTTP_PORT" \
    --srt-port "$SRT_PORT" --data-dir "$dir/data" --ladder passthrough) >"$LOGS/ingest-$protocol.log" 2>&1 &
  server=$!
  STARTED_PIDS+=("$server")
  wait_for_port "$RTMP_PORT" "$server" 30 || die "onair did not start ($LOGS/ingest-$protocol.log)"
  for ((i = 1; i <= STREAMS; i++)); do
    if [ "$protocol" = srt ]; then
      url="srt://127.0.0.1:$SRT_PORT?streamid=live/s$i" format=mpegts
    else
      url="rtmp://127.0.0.1:$RTMP_PORT/live/s$i" format=flv
    fi
    ffmpeg -hide_banner -nostdin -loglevel warning -re -stream_loop -1 -i "$INPUT" -c copy -f "$format" "$url" \
      >"$LOGS/ingest-$protocol-publisher-$i.log" 2>&1 &
    pubs+=($!)
    STARTED_PIDS+=($!)
  done
  sleep "$WARMUP"
  local ticks0 ticks1 rss live
  ticks0=$(cpu_ticks "$server")
  sleep "$WINDOW"
  ticks1=$(cpu_ticks "$server")
  rss=$(rss_kb "$server")
  live=$(curl -s "http://127.0.0.1:$HTTP_PORT/api/v1/streams" | grep -o '"state":"live"' | wc -l)
  stop_pids "${pubs[@]}"
  stop_pids "$server"
  echo "$(echo "($ticks1 - $ticks0) / $CLK_TCK * 60 / $WINDOW / $STREAMS" | bc -l) $rss $live"
}

log "$STREAMS passthrough streams over RTMP"
read -r cpu_rtmp rss_rtmp live_rtmp < <(run_streams rtmp)
log "$STREAMS passthrough streams over SRT"
read -r cpu_srt rss_srt live_srt < <(run_streams srt)

report=$(
  echo "## Ingest protocols (\`bench/ingest.sh\`, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$ROOT" rev-parse --short HEAD))"
  echo
  echo "Input: bench/out/input-720p30.flv (1280x720 30 fps, 2.5 Mbit/s + AAC 128 kbit/s), looped, -c copy. $(nproc) CPU(s)."
  echo
  echo "| Per passthrough stream, $STREAMS streams | SRT | RTMP (same run) | Ratio SRT/RTMP |"
  echo "|---|---:|---:|---:|"
  printf '| CPU seconds per minute | %.3f | %.3f | %.2f |\n' "$cpu_srt" "$cpu_rtmp" "$(echo "$cpu_srt / $cpu_rtmp" | bc -l)"
  printf '| Server RSS (MiB, whole process) | %.0f | %.0f | %.2f |\n' "$(echo "$rss_srt / 1024" | bc -l)" "$(echo "$rss_rtmp / 1024" | bc -l)" "$(echo "$rss_srt / $rss_rtmp" | bc -l)"
  printf '| Streams live at the end of the window | %s | %s | |\n' "$live_srt" "$live_rtmp"
)
echo "$report" | tee "$OUT/ingest.md"
