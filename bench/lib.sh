# Sourced by bench/run.sh and bench/transcode.sh (after `set -euo pipefail`): logging and process
# bookkeeping. Every process a script starts goes into STARTED_PIDS; on exit (normal, error, Ctrl-C
# or SIGTERM) those still alive are ended by PID, each one's children first, and WORK (a temp dir,
# if the script set it) is removed. Sourcing installs the traps.
# shellcheck shell=bash

log() { echo "bench: $*" >&2; }
die() { echo "bench: error: $*" >&2; exit 1; }

STARTED_PIDS=()
WORK=

alive() { kill -0 "$1" 2>/dev/null; }

# stop_pids PID...: SIGTERM, up to 10 s grace, then SIGKILL.
stop_pids() {
  local pid waited=0 left
  for pid in "$@"; do alive "$pid" && kill -TERM "$pid" 2>/dev/null || true; done
  while [ $waited -lt 100 ]; do
    left=0
    for pid in "$@"; do alive "$pid" && left=1; done
    [ $left -eq 0 ] && break
    sleep 0.1
    waited=$((waited + 1))
  done
  for pid in "$@"; do
    if alive "$pid"; then
      log "PID $pid did not stop within 10 s of SIGTERM, killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  for pid in "$@"; do wait "$pid" 2>/dev/null || true; done
}

# make_once FILE NOTE CMD...: runs CMD FILE.tmp and keeps it as FILE unless FILE exists and was made
# by the same command (recorded in FILE.cmd, which also documents the input). NOTE goes in the log line.
make_once() {
  local file=$1 note=$2
  shift 2
  if [ ! -s "$file" ] || [ "$(cat "$file.cmd" 2>/dev/null)" != "$*" ]; then
    log "making the input $file (once$note)"
    "$@" "$file.tmp" && mv "$file.tmp" "$file"
    echo "$*" >"$file.cmd"
  fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for_port() { # PORT PID SECONDS
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    port_in_use "$1" && return 0
    alive "$2" || return 1
    sleep 0.1
  done
  return 1
}

# cleanup: the EXIT trap. Stops what is left of STARTED_PIDS, with the children of those (e.g. the
# ffmpeg that /usr/bin/time runs) listed before their parent; a PID is listed once even when it is
# both recorded and a child of a recorded one (nginx's worker).
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  local pids=() pid child
  for pid in "${STARTED_PIDS[@]}"; do
    alive "$pid" || continue
    for child in $(pgrep -P "$pid" 2>/dev/null || true) "$pid"; do # children first
      [[ " ${pids[*]} " == *" $child "* ]] || pids+=("$child")
    done
  done
  if [ ${#pids[@]} -gt 0 ]; then
    log "stopping ${#pids[@]} leftover process(es): ${pids[*]}"
    stop_pids "${pids[@]}"
  fi
  if [ -n "$WORK" ] && [ -d "$WORK" ]; then rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------- measuring processes
# cpu_user_sys PID...: "utime stime" of the processes (all their threads), in clock ticks.
cpu_user_sys() {
  local user=0 sys=0 pid stat
  for pid in "$@"; do
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
    stat=${stat##*) }          # drop "pid (comm) ": field 3 (state) is now the first
    set -- $stat
    user=$((user + ${12})) sys=$((sys + ${13}))
  done
  echo "$user $sys"
}

# cpu_ticks PID...: utime + stime of the processes, in clock ticks.
cpu_ticks() {
  local user sys
  read -r user sys < <(cpu_user_sys "$@")
  echo $((user + sys))
}

# status_mib PID KEY...: the KEYs of /proc/PID/status (memory fields, e.g. RssAnon RssShmem) in MiB, comma-separated.
status_mib() {
  local pid=$1
  shift
  awk -v keys="$*" 'BEGIN { n = split(keys, k, " "); for (i = 1; i <= n; i++) want[k[i] ":"] = i }
    $1 in want { v[want[$1]] = int($2 / 1024) }
    END { for (i = 1; i <= n; i++) printf "%s%d", (i > 1 ? "," : ""), v[i] }' "/proc/$pid/status"
}

# gc_mib METRICS_URL: from the runtime's meter on /metrics, as of the last collection, in MiB,
# comma-separated (the sample value is the second field: label values here hold no spaces, a timestamp may follow): the GC heap (all generations), its gen2 part, its fragmentation, the memory committed.
gc_mib() {
  curl -fsS --max-time 5 "$1" | awk '
    /^dotnet_gc_last_collection_heap_size_bytes/ { heap += $2; if ($1 ~ /gc_heap_generation="gen2"/) gen2 = $2 }
    /^dotnet_gc_last_collection_heap_fragmentation_size_bytes/ { frag += $2 }
    /^dotnet_gc_last_collection_memory_committed_size_bytes/ { committed = $2 }
    END { m = 1048576; printf "%.1f,%.1f,%.1f,%.1f\n", heap / m, gen2 / m, frag / m, committed / m }'
}

# rss_kb PID...: sum of VmRSS.
rss_kb() {
  local total=0 pid kb
  for pid in "$@"; do
    kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null) || kb=0
    total=$((total + ${kb:-0}))
  done
  echo $total
}

# ---------------------------------------------------------------------------- set-up shared by the jobs
# ports_free PORT...: dies naming the first port on 127.0.0.1 already in use.
ports_free() {
  local port
  for port in "$@"; do
    port_in_use "$port" && die "port $port on 127.0.0.1 is in use; choose another base with BENCH_PORT_BASE"
  done
  return 0
}

# build_onair LOG [with-bench]: the server (Release) into $SERVER_BUILD, and the bench tool when asked; output in LOG.
build_onair() {
  local build_log=$1
  log "building the server${2:+ and the bench tool}"
  dotnet build "$ROOT/src/OnAir.Server" -c Release -nologo -v quiet -clp:ErrorsOnly -o "$SERVER_BUILD" >"$build_log" 2>&1 || die "server build failed ($build_log)"
  if [ -n "${2:-}" ]; then
    dotnet build "$ROOT/bench/OnAir.Benchmarks" -c Release -nologo -v quiet -clp:ErrorsOnly >>"$build_log" 2>&1 || die "bench build failed ($build_log)"
  fi
}

# start_onair_server DIR LOG WAIT_PORT ARGS...: `onair serve` in DIR/cwd (so no onair.json of the repo or the
# caller is picked up) with the data under DIR/data and ARGS; waits for WAIT_PORT; the PID in ONAIR_PID. SRT and
# WHIP are off (the benches publish RTMP), so two bench jobs can run side by side on their own ports.
start_onair_server() {
  local dir=$1 server_log=$2 wait_port=$3
  shift 3
  mkdir -p "$dir/cwd"
  # MALLOC_ARENA_MAX as ./run.sh sets it, so the benches measure the server users start.
  (cd "$dir/cwd" && MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}" exec dotnet "$SERVER_BUILD/onair.dll" serve --data-dir "$dir/data" --srt-port 0 --webrtc-port 0 "$@") >"$server_log" 2>&1 &
  ONAIR_PID=$!
  STARTED_PIDS+=("$ONAIR_PID")
  wait_for_port "$wait_port" "$ONAIR_PID" 30 || die "onair did not start ($server_log)"
}

# start_publishers N INPUT RTMP_PORT LOG_PREFIX: N real-time `ffmpeg -re -stream_loop -1 -c copy` publishers of
# INPUT to live/s1..sN; their PIDs in PUBLISHERS.
start_publishers() {
  local i
  PUBLISHERS=()
  for ((i = 1; i <= $1; i++)); do
    ffmpeg -hide_banner -nostdin -loglevel warning -re -stream_loop -1 -i "$2" -c copy -f flv \
      "rtmp://127.0.0.1:$3/live/s$i" >"$4-$i.log" 2>&1 &
    PUBLISHERS+=($!)
    STARTED_PIDS+=($!)
  done
}
