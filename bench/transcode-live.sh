#!/usr/bin/env bash
# The live transcoder end to end on this machine: OnAir serving the default ladder while a real-time
# publisher sends the bench input, watched over HTTP like a player. Reports, per input (1080p30 from
# bench/transcode.sh, 720p30 from bench/run.sh, whichever exist): the latency each transcoded
# rendition adds behind source (segment N listed in the rendition's playlist minus listed in
# source's), and the transcoder's own figures from /metrics once a second: speed, lag, degradation
# level, restarts. See bench/README.md.
# Idempotent: installs what is missing (ffmpeg), builds the server and the bench tool; makes no input
# (run bench/transcode.sh or bench/run.sh once first).
# Tunables (environment): BENCH_LIVE_SECONDS=50 (watched per input) BENCH_PORT_BASE=29350 (uses BASE, BASE+1)
#   BENCH_SERVER_BUILD=/tmp/onair-bench-build BENCH_SKIP_BUILD=1 (reuse the last builds)
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=$ROOT/bench/out
LOGS=$OUT/logs/transcode-live
WATCH_SECONDS=${BENCH_LIVE_SECONDS:-50}
PORT_BASE=${BENCH_PORT_BASE:-29350}
RTMP_PORT=$PORT_BASE
HTTP_PORT=$((PORT_BASE + 1))
SERVER_BUILD=${BENCH_SERVER_BUILD:-/tmp/onair-bench-build}
BENCH_DLL=$ROOT/bench/OnAir.Benchmarks/bin/Release/net10.0/OnAir.Benchmarks.dll
STARTED=$(date +%s)

# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

[[ $WATCH_SECONDS =~ ^[1-9][0-9]*$ ]] || die "BENCH_LIVE_SECONDS must be a positive whole number of seconds"
mkdir -p "$LOGS"
WORK=$(mktemp -d /tmp/onair-transcode-live.XXXXXX)
command -v ffmpeg >/dev/null || "$ROOT/scripts/install-deps.sh" ffmpeg

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  log "building the server (Release, into $SERVER_BUILD) and the bench tool"
  dotnet build "$ROOT/src/OnAir.Server" -c Release -nologo -v quiet -clp:ErrorsOnly -o "$SERVER_BUILD" >"$LOGS/build-server.log" 2>&1 \
    || { cat "$LOGS/build-server.log" >&2; die "server build failed"; }
  dotnet build "$ROOT/bench/OnAir.Benchmarks" -c Release -nologo -v quiet -clp:ErrorsOnly >"$LOGS/build-bench.log" 2>&1 \
    || { cat "$LOGS/build-bench.log" >&2; die "bench build failed"; }
fi

# run_input LABEL FILE RUNGS: one server, one real-time publisher of FILE (looped), one watcher.
run_input() {
  local label=$1 input=$2 rungs=$3 dir=$WORK/$1
  mkdir -p "$dir/cwd" "$dir/data"
  port_in_use "$RTMP_PORT" && die "port $RTMP_PORT on 127.0.0.1 is in use; choose another base with BENCH_PORT_BASE"
  log "$label: onair --ladder default, publisher at real time, watching for $WATCH_SECONDS s"
  (cd "$dir/cwd" && exec dotnet "$SERVER_BUILD/onair.dll" serve --rtmp-port "$RTMP_PORT" --http-port "$HTTP_PORT" \
    --data-dir "$dir/data" --ladder default) >"$LOGS/onair-$label.log" 2>&1 &
  local server=$!
  STARTED_PIDS+=("$server")
  wait_for_port "$RTMP_PORT" "$server" 30 || { tail -20 "$LOGS/onair-$label.log" >&2; die "onair did not start"; }
  ffmpeg -hide_banner -loglevel error -nostdin -re -stream_loop -1 -i "$input" -t $((WATCH_SECONDS + 15)) -c copy \
    -f flv "rtmp://127.0.0.1:$RTMP_PORT/live/bench" 2>"$LOGS/publisher-$label.log" &
  local publisher=$!
  STARTED_PIDS+=("$publisher")
  dotnet "$BENCH_DLL" ladder-latency --base "http://127.0.0.1:$HTTP_PORT" --stream bench --renditions "$rungs" \
    --seconds "$WATCH_SECONDS" >"$LOGS/latency-$label.out"
  stop_pids "$publisher" "$server"
  grep -E '\[30(0[2-9]|10)\]' "$LOGS/onair-$label.log" | sed 's/^/    /' >"$LOGS/transcoder-$label.log" || true
}

inputs=()
[ -s "$OUT/input-1080p30.flv" ] && inputs+=("1080p30:$OUT/input-1080p30.flv:720p,480p,360p")
[ -s "$OUT/input-720p30.flv" ] && inputs+=("720p30:$OUT/input-720p30.flv:480p,360p")
[ ${#inputs[@]} -gt 0 ] || die "no input: run bench/transcode.sh (1080p30) or bench/run.sh (720p30) once first"
for entry in "${inputs[@]}"; do
  IFS=: read -r label file rungs <<<"$entry"
  run_input "$label" "$file" "$rungs"
done

# rows KIND FORMAT: the tool's KIND lines of every input as table rows (FORMAT gets the input, then fields 2-7).
rows() {
  local entry label
  for entry in "${inputs[@]}"; do
    IFS=: read -r label _ _ <<<"$entry"
    awk -v input="$label" -v kind="$1" -v format="$2" '$1 == kind { printf format, input, $2, $3, $4, $5, $6, $7 }' "$LOGS/latency-$label.out"
  done
}

{
  echo "## Live transcoding: added latency and speed ($(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$ROOT" rev-parse --short HEAD))"
  echo
  echo "Default ladder, real-time publisher (\`-re -c copy\`), ${WATCH_SECONDS} s watched over HTTP every 50 ms."
  echo "Added latency = when a rendition's playlist first lists segment N minus when source's does."
  echo
  echo "| Input | Rendition | Segments compared | Added latency p50 | p95 | max |"
  echo "|---|---|---:|---:|---:|---:|"
  rows RESULT '| %s | %s | %s | %s ms | %s ms | %s ms |\n' 
  echo
  echo "| Input | Transcoder figure (1 sample/s) | Samples | min | p50 | p95 | max |"
  echo "|---|---|---:|---:|---:|---:|---:|"
  rows METRICS '| %s | %s | %s | %s | %s | %s | %s |\n' 
  for entry in "${inputs[@]}"; do
    IFS=: read -r label _ _ <<<"$entry"
    if [ -s "$LOGS/transcoder-$label.log" ]; then
      echo
      echo "Transcoder log ($label), degradation and restarts:"
      echo
      cat "$LOGS/transcoder-$label.log"
    fi
  done
  echo
  echo "Total bench time: $(( $(date +%s) - STARTED )) s. Logs: bench/out/logs/transcode-live/."
} | tee "$OUT/transcode-live.md"
