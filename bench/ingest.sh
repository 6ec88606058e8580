#!/usr/bin/env bash
# Ingest protocols (issue 11), same run, same input. See bench/README.md.
#   CPU seconds per minute and RSS of the OnAir process (and its children: WHIP's Opus-to-AAC ffmpegs) per
#   passthrough stream, BENCH_INGEST_STREAMS (default 10) real-time publishers sending the 720p input
#   without re-encoding: ffmpeg -c copy over RTMP (FLV) and over SRT (MPEG-TS, 1316-byte messages), and
#   GStreamer's webrtcbin over WHIP (test/OnAir.EndToEnd.Tests/player/whip-webrtcbin.py, the input made
#   WebRTC-like once: H.264 Constrained Baseline without B-frames, Opus); warm-up BENCH_WARMUP_SECONDS (10),
#   window BENCH_WINDOW_SECONDS (30). BENCH_INGEST_PROTOCOLS="rtmp srt whip" picks which.
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
WEBRTC_PORT=$((PORT_BASE + 3))
PROTOCOLS=${BENCH_INGEST_PROTOCOLS:-"rtmp srt whip"}
WHIP_INPUT=$OUT/input-720p30-webrtc.mkv
WHIP_CLIENT=$ROOT/test/OnAir.EndToEnd.Tests/player/whip-webrtcbin.py
SERVER_BUILD=${BENCH_SERVER_BUILD:-/tmp/onair-bench-build}
INPUT=$OUT/input-720p30.flv
CLK_TCK=$(getconf CLK_TCK)

# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

mkdir -p "$OUT" "$LOGS"
"$ROOT/scripts/install-deps.sh" ffmpeg:ffmpeg libsrt1.5-gnutls curl:curl bc:bc gstreamer1.0-nice gstreamer1.0-plugins-bad python3-gi gir1.2-gst-plugins-bad-1.0
[ -s "$INPUT" ] || die "$INPUT is missing: bench/run.sh makes it (run it once)"
ports_free "$RTMP_PORT" "$HTTP_PORT"
build_onair "$LOGS/ingest-build.log"
WORK=$(mktemp -d /tmp/onair-ingest-bench.XXXXXX)
if [[ " $PROTOCOLS " == *" whip "* ]] && [ ! -s "$WHIP_INPUT" ]; then
  log "making the WebRTC-like input once (60 s: H.264 Constrained Baseline, no B-frames, Opus)"
  ffmpeg -hide_banner -nostdin -loglevel error -y -stream_loop 2 -i "$INPUT" -t 60 -c:v libx264 -preset veryfast -profile:v baseline \
    -pix_fmt yuv420p -g 60 -keyint_min 60 -sc_threshold 0 -b:v 2500k -maxrate 2500k -bufsize 5000k -c:a libopus -b:a 64k "$WHIP_INPUT"
fi

run_streams() { # PROTOCOL → "cpu-seconds-per-minute-per-stream rss-kb live-streams"
  local protocol=$1 dir=$WORK/$1 pubs=() i server url format
  mkdir -p "$dir/cwd"
  (cd "$dir/cwd" && exec dotnet "$SERVER_BUILD/onair.dll" serve --rtmp-port "$RTMP_PORT" --http-port "$HTTP_PORT" \
    --srt-port "$SRT_PORT" --webrtc-port "$WEBRTC_PORT" --data-dir "$dir/data" --ladder passthrough) >"$LOGS/ingest-$protocol.log" 2>&1 &
  server=$!
  STARTED_PIDS+=("$server")
  wait_for_port "$RTMP_PORT" "$server" 30 || die "onair did not start ($LOGS/ingest-$protocol.log)"
  for ((i = 1; i <= STREAMS; i++)); do
    if [ "$protocol" = whip ]; then
      /usr/bin/python3 "$WHIP_CLIENT" "http://127.0.0.1:$HTTP_PORT/whip/s$i" "s$i" $((WARMUP + WINDOW + 10)) "$WHIP_INPUT" \
        >"$LOGS/ingest-$protocol-publisher-$i.log" 2>&1 &
      pubs+=($!)
      STARTED_PIDS+=($!)
      continue
    elif [ "$protocol" = srt ]; then
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
  local ticks0 ticks1 rss live children
  # The server and its children (WHIP's Opus-to-AAC ffmpegs), measured over the same window.
  children=$( (pgrep -P "$server" || true) | tr "\n" " ")
  # shellcheck disable=SC2086 # a list of PIDs
  ticks0=$(cpu_ticks "$server" $children)
  sleep "$WINDOW"
  # shellcheck disable=SC2086
  ticks1=$(cpu_ticks "$server" $children)
  # shellcheck disable=SC2086
  rss=$(rss_kb "$server" $children)
  live=$(curl -s "http://127.0.0.1:$HTTP_PORT/api/v1/streams" | grep -o '"state":"live"' | wc -l)
  stop_pids "${pubs[@]}"
  stop_pids "$server"
  echo "$(echo "($ticks1 - $ticks0) / $CLK_TCK * 60 / $WINDOW / $STREAMS" | bc -l) $rss $live"
}

declare -A CPU RSS LIVE
for protocol in $PROTOCOLS; do
  log "$STREAMS passthrough streams over $protocol"
  read -r "CPU[$protocol]" "RSS[$protocol]" "LIVE[$protocol]" < <(run_streams "$protocol")
done

report=$(
  echo "## Ingest protocols (\`bench/ingest.sh\`, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$ROOT" rev-parse --short HEAD))"
  echo
  echo "Input: bench/out/input-720p30.flv (1280x720 30 fps, 2.5 Mbit/s + AAC 128 kbit/s), looped, -c copy; for WHIP the same made WebRTC-like (Constrained Baseline, Opus 64 kbit/s). $(nproc) CPU(s)."
  echo
  echo "| Per passthrough stream, $STREAMS streams | CPU s/min | Ratio to RTMP (same run) | RSS MiB (server and children) | Streams live at the end |"
  echo "|---|---:|---:|---:|---:|"
  for protocol in $PROTOCOLS; do
    ratio=$( [ -n "${CPU[rtmp]:-}" ] && echo "${CPU[$protocol]} / ${CPU[rtmp]}" | bc -l || echo 0)
    printf '| %s | %.3f | %.2f | %.0f | %s/%s |\n' "$protocol" "${CPU[$protocol]}" "$ratio" "$(echo "${RSS[$protocol]} / 1024" | bc -l)" "${LIVE[$protocol]}" "$STREAMS"
  done
)
echo "$report" | tee "$OUT/ingest.md"
