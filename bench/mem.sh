#!/usr/bin/env bash
# Memory per passthrough stream, step by step (issue 13): for each count in BENCH_MEM_STREAMS
# ("1 10 25"), a fresh OnAir server's idle RSS, then N real-time 720p publishers (bench/out/input-720p30.flv,
# which bench/run.sh makes) for BENCH_MEM_WARMUP_SECONDS (15), then RSS averaged over
# BENCH_MEM_WINDOW_SECONDS (30) with its RssAnon/RssFile/RssShmem split. Prints (avg − idle) / N and
# the slope between successive counts (the memory an extra stream adds; the first stream's one-time
# cost cancels). No nginx-rtmp and no CPU figures: bench/run.sh compares those. Extra arguments go to
# `onair serve` (e.g. a config file); BENCH_ONAIR_ENV="VAR=VALUE ..." sets environment for experiments.
# Ports BENCH_PORT_BASE..+1 (29480). About 1 minute per count.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=$ROOT/bench/out
LOGS=$OUT/logs
COUNTS=${BENCH_MEM_STREAMS:-"1 10 25"}
WARMUP=${BENCH_MEM_WARMUP_SECONDS:-15}
WINDOW=${BENCH_MEM_WINDOW_SECONDS:-30}
PORT_BASE=${BENCH_PORT_BASE:-29480}
RTMP_PORT=$PORT_BASE
HTTP_PORT=$((PORT_BASE + 1))
SERVER_BUILD=${BENCH_SERVER_BUILD:-/tmp/onair-mem-build}
INPUT=$OUT/input-720p30.flv

# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

mkdir -p "$OUT" "$LOGS"
"$ROOT/scripts/install-deps.sh" ffmpeg:ffmpeg
[ -s "$INPUT" ] || die "$INPUT is missing: bench/run.sh makes it (run it once)"
ports_free "$RTMP_PORT" "$HTTP_PORT"
build_onair "$LOGS/mem-build.log"
WORK=$(mktemp -d /tmp/onair-mem-bench.XXXXXX)
if [ -n "${BENCH_ONAIR_ENV:-}" ]; then
  # shellcheck disable=SC2086 # a list of VAR=VALUE words, for the server (the publishers ignore them)
  export ${BENCH_ONAIR_ENV?}
  log "environment for the server: $BENCH_ONAIR_ENV"
fi

echo "| Streams | Idle RSS, MiB | RSS avg / max, MiB | (avg − idle) / N | RssAnon / RssFile / RssShmem, MiB |"
echo "|---:|---:|---:|---:|---|"
previous_count=""
previous_avg=""
slopes=()
for n in $COUNTS; do
  rm -rf "$WORK/$n"
  start_onair_server "$WORK/$n" "$LOGS/mem-onair-$n.log" "$HTTP_PORT" --rtmp-port "$RTMP_PORT" --http-port "$HTTP_PORT" --ladder passthrough "$@"
  server=$ONAIR_PID
  sleep 5
  idle=$(rss_kb "$server")
  start_publishers "$n" "$INPUT" "$RTMP_PORT" "$LOGS/mem-publisher"
  sleep "$WARMUP"
  sum=0 samples=0 max=0
  for ((i = 0; i < WINDOW; i++)); do
    rss=$(rss_kb "$server")
    sum=$((sum + rss)); samples=$((samples + 1))
    [ "$rss" -gt "$max" ] && max=$rss
    sleep 1
  done
  avg=$((sum / samples))
  split=$(status_mib "$server" RssAnon RssFile RssShmem | sed 's|,| / |g')
  alive_pubs=0
  for p in "${PUBLISHERS[@]}"; do alive "$p" && alive_pubs=$((alive_pubs + 1)); done
  [ "$alive_pubs" -eq "$n" ] || die "$((n - alive_pubs)) of $n publishers exited (logs: $LOGS/mem-publisher-*.log)"
  stop_pids "${PUBLISHERS[@]}" "$server"
  awk -v n="$n" -v idle="$idle" -v avg="$avg" -v max="$max" -v parts="$split" \
    'BEGIN { printf "| %d | %.1f | %.1f / %.1f | %.2f | %s |\n", n, idle / 1024, avg / 1024, max / 1024, (avg - idle) / 1024 / n, parts }'
  if [ -n "$previous_count" ]; then
    slopes+=("$(awk -v a="$previous_count" -v b="$n" -v ra="$previous_avg" -v rb="$avg" \
      'BEGIN { printf "- From %d to %d streams: %.2f MiB per extra stream.", a, b, (rb - ra) / 1024 / (b - a) }')")
  fi
  previous_count=$n
  previous_avg=$avg
done
echo
printf '%s\n' "${slopes[@]}"
