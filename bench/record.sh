#!/usr/bin/env bash
# Recording (issue 12), same run, same input. See bench/README.md.
#   1. Finalising a recording of BENCH_RECORD_SECONDS (default 3600) of the 720p input: OnAir's
#      finaliser (scan, fast-start MP4 head, VOD playlists) vs ffmpeg remuxing the same fragmented
#      file to a fast-start MP4 (-c copy -movflags +faststart), the way to get one without OnAir's
#      head; time and the bytes each writes.
#   2. CPU of passthrough streams with recording off and on: BENCH_RECORD_STREAMS (default 10)
#      real-time ffmpeg publishers, warm-up BENCH_WARMUP_SECONDS (10), window BENCH_WINDOW_SECONDS (30).
# Prints a markdown table and writes it to bench/out/record.md. Ports BENCH_PORT_BASE..+1 (29360).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=$ROOT/bench/out
LOGS=$OUT/logs
SECONDS_RECORDED=${BENCH_RECORD_SECONDS:-3600}
STREAMS=${BENCH_RECORD_STREAMS:-10}
WARMUP=${BENCH_WARMUP_SECONDS:-10}
WINDOW=${BENCH_WINDOW_SECONDS:-30}
PORT_BASE=${BENCH_PORT_BASE:-29360}
RTMP_PORT=$PORT_BASE
HTTP_PORT=$((PORT_BASE + 1))
SERVER_BUILD=${BENCH_SERVER_BUILD:-/tmp/onair-bench-build}
BENCH_DLL=$ROOT/bench/OnAir.Benchmarks/bin/Release/net10.0/OnAir.Benchmarks.dll
INPUT=$OUT/input-720p30.flv
CLK_TCK=$(getconf CLK_TCK)

# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

mkdir -p "$OUT" "$LOGS"
"$ROOT/scripts/install-deps.sh" ffmpeg:ffmpeg ffmpeg:ffprobe curl:curl bc:bc python3:python3
[ -s "$INPUT" ] || die "$INPUT is missing: bench/run.sh makes it (run it once)"
ports_free "$RTMP_PORT" "$HTTP_PORT"
build_onair "$LOGS/record-build.log" with-bench
WORK=$(mktemp -d /tmp/onair-record-bench.XXXXXX)

# ---------------------------------------------------------------------------- 1. finalising
log "writing and finalising a recording of $SECONDS_RECORDED s"
result=$(dotnet "$BENCH_DLL" recording-finalise "$WORK/finalise" "$SECONDS_RECORDED" "$INPUT")
json() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$result" "$1"; }
media=$(json media)
log "the same file remuxed by ffmpeg to a fast-start MP4"
t0=$(date +%s.%N)
ffmpeg -hide_banner -nostdin -loglevel error -y -i "$media" -c copy -movflags +faststart "$WORK/ffmpeg-faststart.mp4"
t1=$(date +%s.%N)
ffmpeg_seconds=$(echo "$t1 - $t0" | bc -l)
ffmpeg_bytes=$(stat -c %s "$WORK/ffmpeg-faststart.mp4")
# The served MP4 is the head followed by the fragments: ffprobe must find every frame in it. It reads
# the moov and stops, so cat and tail die of SIGPIPE: not a failure here.
set +o pipefail
frames=$( (cat "$(dirname "$media")/progressive.head"; tail -c +"$(($(json initBytes) + 1))" "$media") \
  | ffprobe -v error -show_entries stream=nb_frames -of csv=p=0 -i pipe:0 | paste -sd+ | bc)
set -o pipefail
reference_frames=$(ffprobe -v error -show_entries stream=nb_frames -of csv=p=0 "$WORK/ffmpeg-faststart.mp4" | paste -sd+ | bc)
rm -f "$WORK/ffmpeg-faststart.mp4"

# ---------------------------------------------------------------------------- 2. CPU, recording off and on
run_streams() { # TAG EXTRA_ARGS...
  local tag=$1 dir=$WORK/$1 pubs=() i server
  shift
  mkdir -p "$dir/cwd"
  (cd "$dir/cwd" && exec dotnet "$SERVER_BUILD/onair.dll" serve --rtmp-port "$RTMP_PORT" --http-port "$HTTP_PORT" \
    --data-dir "$dir/data" --ladder passthrough "$@") >"$LOGS/record-$tag.log" 2>&1 &
  server=$!
  STARTED_PIDS+=("$server")
  wait_for_port "$RTMP_PORT" "$server" 30 || die "onair did not start ($LOGS/record-$tag.log)"
  for ((i = 1; i <= STREAMS; i++)); do
    ffmpeg -hide_banner -nostdin -loglevel warning -re -stream_loop -1 -i "$INPUT" -c copy -f flv \
      "rtmp://127.0.0.1:$RTMP_PORT/live/s$i" >"$LOGS/record-$tag-publisher-$i.log" 2>&1 &
    pubs+=($!)
    STARTED_PIDS+=($!)
  done
  sleep "$WARMUP"
  local ticks0 ticks1
  ticks0=$(cpu_ticks "$server")
  sleep "$WINDOW"
  ticks1=$(cpu_ticks "$server")
  local recorded
  recorded=$(du -sb "$dir/data/recordings" 2>/dev/null | cut -f1 || echo 0)
  stop_pids "${pubs[@]}"
  stop_pids "$server"
  echo "$(echo "($ticks1 - $ticks0) / $CLK_TCK * 60 / $WINDOW / $STREAMS" | bc -l) ${recorded:-0}"
}

log "$STREAMS passthrough streams, recording off"
read -r cpu_off _ < <(run_streams off)
log "$STREAMS passthrough streams, recording on"
read -r cpu_on recorded_bytes < <(run_streams on --record)

report=$(
  echo "## Recording (\`bench/record.sh\`, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$ROOT" rev-parse --short HEAD))"
  echo
  echo "Input: bench/out/input-720p30.flv (1280x720 30 fps, 2.5 Mbit/s + AAC 128 kbit/s), looped. $(nproc) CPU(s)."
  echo
  echo "| What | OnAir | Reference (same run) | Ratio | Goal |"
  echo "|---|---:|---:|---:|---|"
  printf '| Finalise a %s s recording (%s MB of media): seconds | %.3f | %.3f (ffmpeg -c copy -movflags +faststart) | %.3f | ≤ 2 s: %s |\n' \
    "$SECONDS_RECORDED" "$(($(json mediaBytes) / 1000000))" "$(json finaliseSeconds)" "$ffmpeg_seconds" \
    "$(echo "$(json finaliseSeconds) / $ffmpeg_seconds" | bc -l)" "$(echo "$(json finaliseSeconds) <= 2" | bc -l | sed 's/1/met/;s/0/not met/')"
  printf '| Bytes written to finalise (besides the media) | %s (MP4 head %s + playlist %s) | %s (a second copy) | %.4f | no second copy: met |\n' \
    "$(($(json headBytes) + $(json playlistBytes)))" "$(json headBytes)" "$(json playlistBytes)" "$ffmpeg_bytes" \
    "$(echo "($(json headBytes) + $(json playlistBytes)) / $ffmpeg_bytes" | bc -l)"
  printf '| Frames ffprobe finds in the MP4 | %s | %s | %.3f | all |\n' "$frames" "$reference_frames" "$(echo "$frames / $reference_frames" | bc -l)"
  printf '| CPU s/min per passthrough stream, %s streams | %.3f (recording on, %s MB recorded) | %.3f (recording off) | %.3f | ≤ 1.05: %s |\n' \
    "$STREAMS" "$cpu_on" "$((recorded_bytes / 1000000))" "$cpu_off" "$(echo "$cpu_on / $cpu_off" | bc -l)" \
    "$(echo "$cpu_on / $cpu_off <= 1.05" | bc -l | sed 's/1/met/;s/0/not met/')"
)
echo "$report" | tee "$OUT/record.md"
