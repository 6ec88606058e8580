#!/usr/bin/env bash
# OnAir vs nginx-rtmp on this machine, same input, same run. See bench/README.md.
#   1. CPU seconds and RSS per passthrough stream with 1, 10 and 25 real-time ffmpeg publishers
#   2. segment latency: closing keyframe sent -> segment listed in the playlist (p50/p95/max)
#   3. BenchmarkDotNet (--job short): TsMuxer and ChunkParser
# Prints markdown tables and writes them to bench/out/results.md (logs and raw data next to it).
# Idempotent: installs what is missing (nginx, libnginx-mod-rtmp, ffmpeg), reuses the input.
# Tunables (environment): BENCH_LOADS="1 10 25" BENCH_WARMUP_SECONDS=10 BENCH_WINDOW_SECONDS=30
#   BENCH_LATENCY_SEGMENTS=30 BENCH_SKIP_LOAD=0 BENCH_SKIP_LATENCY=0 BENCH_SKIP_BDN=0
#   BENCH_PORT_BASE=29350 (uses BASE..BASE+2) BENCH_SERVER_BUILD=/tmp/onair-bench-build
#   BENCH_SKIP_BUILD=1 (reuse the last builds)
#   BENCH_ONAIR_ENV="VAR=VALUE ..." (extra environment for the OnAir server, for experiments; printed in the results)
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=$ROOT/bench/out
LOGS=$OUT/logs
LOADS=${BENCH_LOADS:-"1 10 25"}
WARMUP=${BENCH_WARMUP_SECONDS:-10}
WINDOW=${BENCH_WINDOW_SECONDS:-30}
LAT_SEGMENTS=${BENCH_LATENCY_SEGMENTS:-30}
LAT_WARMUP_SEGMENTS=2
PORT_BASE=${BENCH_PORT_BASE:-29350}
ONAIR_RTMP_PORT=$PORT_BASE
ONAIR_HTTP_PORT=$((PORT_BASE + 1))
NGINX_RTMP_PORT=$((PORT_BASE + 2))
SERVER_BUILD=${BENCH_SERVER_BUILD:-/tmp/onair-bench-build}
ONAIR_ENV=${BENCH_ONAIR_ENV:-}
BENCH_DLL=$ROOT/bench/OnAir.Benchmarks/bin/Release/net10.0/OnAir.Benchmarks.dll
INPUT=$OUT/input-720p30.flv
NGINX_RTMP_MODULE=/usr/lib/nginx/modules/ngx_rtmp_module.so
CLK_TCK=$(getconf CLK_TCK)
STARTED=$(date +%s)

log() { echo "bench: $*" >&2; }
die() { echo "bench: error: $*" >&2; exit 1; }

# ---------------------------------------------------------------------------- processes
# Every process this script starts is recorded here and ended by PID on exit.
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

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  local pids=() pid
  for pid in "${STARTED_PIDS[@]}"; do alive "$pid" && pids+=("$pid"); done
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

# cpu_ticks PID...: utime + stime of the processes (all their threads), in clock ticks.
cpu_ticks() {
  local total=0 pid stat
  for pid in "$@"; do
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
    stat=${stat##*) }          # drop "pid (comm) ": field 3 (state) is now the first
    set -- $stat
    total=$((total + ${12} + ${13}))
  done
  echo $total
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

loadavg() { cut -d' ' -f1 /proc/loadavg; }

# ---------------------------------------------------------------------------- servers
SERVER_PIDS=()   # the measured processes of the running server (nginx: master + children)
SERVER_MAIN=     # the PID to stop
SERVER_LOG=
SERVER_DATA=     # where its playlists appear

start_onair() { # TAG
  local dir=$WORK/onair-$1
  mkdir -p "$dir/cwd" "$dir/data"
  SERVER_LOG=$LOGS/onair-$1.log
  SERVER_DATA=$dir/data
  # Its own working directory, so no ./onair.json of the repo or the caller is picked up.
  # shellcheck disable=SC2086 # BENCH_ONAIR_ENV is a list of VAR=VALUE words
  (cd "$dir/cwd" && exec env $ONAIR_ENV dotnet "$SERVER_BUILD/onair.dll" serve --rtmp-port "$ONAIR_RTMP_PORT" --http-port "$ONAIR_HTTP_PORT" \
    --data-dir "$dir/data" --ladder passthrough) >"$SERVER_LOG" 2>&1 &
  SERVER_MAIN=$!
  STARTED_PIDS+=("$SERVER_MAIN")
  SERVER_PIDS=("$SERVER_MAIN")
  wait_for_port "$ONAIR_RTMP_PORT" "$SERVER_MAIN" 30 || { tail -20 "$SERVER_LOG" >&2; die "onair did not start (log: $SERVER_LOG)"; }
  local i
  for ((i = 0; i < 100; i++)); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$ONAIR_HTTP_PORT/healthz" || true)" = 200 ] && return 0
    sleep 0.1
  done
  die "onair /healthz never answered 200 (log: $SERVER_LOG)"
}

start_nginx() { # TAG
  local dir=$WORK/nginx-$1
  mkdir -p "$dir/hls"
  chmod 755 "$dir"
  chmod 777 "$dir/hls" # workers run as nobody when started by root
  SERVER_LOG=$LOGS/nginx-$1.log
  SERVER_DATA=$dir/hls
  cat >"$dir/nginx.conf" <<EOF
# Generated by bench/run.sh: nginx-rtmp with HLS, loopback only, everything under $dir.
daemon off;
master_process on;
worker_processes 1;
pid $dir/nginx.pid;
error_log $SERVER_LOG info;
load_module $NGINX_RTMP_MODULE;
events { worker_connections 1024; }
rtmp {
    server {
        listen 127.0.0.1:$NGINX_RTMP_PORT;
        chunk_size 4096;
        application live {
            live on;
            record off;
            hls on;
            hls_path $dir/hls;
            hls_fragment 2s;
            hls_playlist_length 12s;
        }
    }
}
EOF
  cp "$dir/nginx.conf" "$LOGS/nginx.conf"
  nginx -p "$dir" -c "$dir/nginx.conf" -e "$SERVER_LOG" &
  SERVER_MAIN=$!
  STARTED_PIDS+=("$SERVER_MAIN")
  wait_for_port "$NGINX_RTMP_PORT" "$SERVER_MAIN" 30 || { tail -20 "$SERVER_LOG" >&2; die "nginx did not start (log: $SERVER_LOG)"; }
  sleep 0.5 # let the master fork its worker (and cache manager)
  nginx_pids
}

# nginx_pids: master and its children (the worker, and the cache manager nginx forks).
nginx_pids() {
  local child
  SERVER_PIDS=("$SERVER_MAIN")
  for child in $(pgrep -P "$SERVER_MAIN" || true); do
    SERVER_PIDS+=("$child")
    STARTED_PIDS+=("$child") # workers can outlive a killed master: stop them by PID too
  done
}

stop_server() {
  stop_pids "${SERVER_PIDS[@]}"
}

# playlist_files KIND: every media playlist the running server wrote.
playlist_files() {
  if [ "$1" = onair ]; then
    find "$SERVER_DATA/live" -name playlist.m3u8 -path '*/source/*' 2>/dev/null || true
  else
    find "$SERVER_DATA" -maxdepth 1 -name '*.m3u8' 2>/dev/null || true
  fi
}

# server_log_problems KIND: count of warning/error lines in the server's log.
server_log_problems() {
  if [ "$1" = onair ]; then
    grep -cE ' (warn|fail|crit): |Unhandled|Exception' "$SERVER_LOG" || true
  else
    grep -cE '\[(warn|error|crit|alert|emerg)\]' "$SERVER_LOG" || true
  fi
}

# ---------------------------------------------------------------------------- set-up
setup() {
  mkdir -p "$OUT" "$LOGS"
  rm -f "$LOGS"/*.log "$LOGS"/*.csv "$LOGS"/nginx.conf
  log "dependencies"
  "$ROOT/scripts/install-deps.sh" nginx libnginx-mod-rtmp ffmpeg:ffmpeg ffmpeg:ffprobe curl:curl procps:pgrep
  command -v dotnet >/dev/null || die "dotnet (the .NET 10 SDK) is not installed"
  [ -f "$NGINX_RTMP_MODULE" ] || die "$NGINX_RTMP_MODULE missing (package libnginx-mod-rtmp)"

  for port in "$ONAIR_RTMP_PORT" "$ONAIR_HTTP_PORT" "$NGINX_RTMP_PORT"; do
    port_in_use "$port" && die "port $port on 127.0.0.1 is in use; choose another base with BENCH_PORT_BASE"
  done

  # The input: made once. 1280x720 30 fps H.264 High (GOP 2 s, 2.5 Mbit/s) + AAC-LC 48 kHz stereo, 20 s.
  local cmd=(ffmpeg -hide_banner -nostdin -loglevel error -y -f lavfi -i testsrc2=size=1280x720:rate=30
    -f lavfi -i sine=frequency=440:sample_rate=48000 -t 20
    -c:v libx264 -preset veryfast -profile:v high -pix_fmt yuv420p -g 60 -keyint_min 60 -sc_threshold 0
    -b:v 2500k -maxrate 2500k -bufsize 5000k -c:a aac -b:a 128k -ac 2 -f flv)
  if [ ! -s "$INPUT" ] || [ "$(cat "$INPUT.cmd" 2>/dev/null)" != "${cmd[*]}" ]; then
    log "making the input $INPUT (once)"
    "${cmd[@]}" "$INPUT.tmp" && mv "$INPUT.tmp" "$INPUT"
    echo "${cmd[*]}" >"$INPUT.cmd"
  fi

  if [ "${BENCH_SKIP_BUILD:-0}" = 1 ] && [ -f "$SERVER_BUILD/onair.dll" ] && [ -f "$BENCH_DLL" ]; then
    log "BENCH_SKIP_BUILD=1: using the existing builds"
  else
    build
  fi

  WORK=$(mktemp -d /tmp/onair-bench.XXXXXX)
  chmod 755 "$WORK"
}

build() {
  log "building the server (Release, into $SERVER_BUILD) and the bench tool"
  # What was built: the commit, and whether src/ had uncommitted changes then.
  local rev dirty
  rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
  dirty=$(git -C "$ROOT" status --porcelain -- src 2>/dev/null | wc -l)
  local info
  info="commit $rev$([ "$dirty" -gt 0 ] && echo " + $dirty uncommitted change(s) in src/" || true), built $(date -u '+%Y-%m-%d %H:%M UTC')"
  dotnet build "$ROOT/src/OnAir.Server" -c Release -nologo -v quiet -clp:ErrorsOnly -o "$SERVER_BUILD" >"$LOGS/build-server.log" 2>&1 \
    || { cat "$LOGS/build-server.log" >&2; die "server build failed"; }
  echo "$info" >"$SERVER_BUILD/BUILD-INFO"
  dotnet build "$ROOT/bench/OnAir.Benchmarks" -c Release -nologo -v quiet -clp:ErrorsOnly >"$LOGS/build-bench.log" 2>&1 \
    || { cat "$LOGS/build-bench.log" >&2; die "bench build failed"; }
}

# ---------------------------------------------------------------------------- 1. load
LOAD_CSV=$OUT/load.csv

# run_load KIND N
run_load() {
  local kind=$1 n=$2 tag="load-$2" port pubs=() i
  log "$kind, $n publisher(s): warm-up ${WARMUP}s, window ${WINDOW}s"
  if [ "$kind" = onair ]; then start_onair "$tag"; port=$ONAIR_RTMP_PORT; else start_nginx "$tag"; port=$NGINX_RTMP_PORT; fi
  # Idle: 4 s with no publisher.
  sleep 1
  local idle_rss idle_ticks i0 i1
  i0=$(date +%s.%N)
  idle_ticks=$(cpu_ticks "${SERVER_PIDS[@]}")
  sleep 4
  idle_ticks=$(($(cpu_ticks "${SERVER_PIDS[@]}") - idle_ticks))
  i1=$(date +%s.%N)
  idle_rss=$(rss_kb "${SERVER_PIDS[@]}")

  for ((i = 1; i <= n; i++)); do
    ffmpeg -hide_banner -nostdin -loglevel warning -re -stream_loop -1 -i "$INPUT" -c copy -f flv \
      "rtmp://127.0.0.1:$port/live/s$i" >"$LOGS/$kind-$tag-publisher-$i.log" 2>&1 &
    pubs+=($!)
    STARTED_PIDS+=($!)
    sleep 0.05
  done

  sleep "$WARMUP"
  [ "$kind" = nginx ] && nginx_pids # a worker may have been respawned
  local load0 ticks0 t0 t1 ticks1 samples=0 rss_sum=0 rss_max=0 rss marker=$WORK/marker-$kind-$n
  load0=$(loadavg)
  t0=$(date +%s.%N)
  ticks0=$(cpu_ticks "${SERVER_PIDS[@]}")
  for ((i = 1; i <= WINDOW; i++)); do
    sleep 1
    rss=$(rss_kb "${SERVER_PIDS[@]}")
    rss_sum=$((rss_sum + rss)); samples=$((samples + 1))
    [ "$rss" -gt "$rss_max" ] && rss_max=$rss
    [ $i -eq $((WINDOW - 5)) ] && touch "$marker"
  done
  ticks1=$(cpu_ticks "${SERVER_PIDS[@]}")
  t1=$(date +%s.%N)
  [ -f "$marker" ] || touch -d '-5 seconds' "$marker"

  # Did it work? Playlists with at least one segment, playlists rewritten in the last 5 s,
  # publishers still running, server still running, warnings in its log.
  local playlists=0 fresh=0 f alive_pubs=0 server_state=running
  while read -r f; do
    [ -n "$f" ] || continue
    grep -q '^#EXTINF' "$f" && playlists=$((playlists + 1))
    [ "$f" -nt "$marker" ] && fresh=$((fresh + 1))
  done < <(playlist_files "$kind")
  for i in "${pubs[@]}"; do alive "$i" && alive_pubs=$((alive_pubs + 1)); done
  for i in "${SERVER_PIDS[@]}"; do alive "$i" || server_state=DIED; done
  if [ "$server_state" = DIED ]; then
    log "$kind DIED under $n publishers; log tail:"
    tail -40 "$SERVER_LOG" >&2
  fi

  stop_pids "${pubs[@]}"
  stop_server
  local problems
  problems=$(server_log_problems "$kind")
  echo "$kind,$n,$t0,$t1,$ticks0,$ticks1,$CLK_TCK,$idle_rss,$((rss_sum / samples)),$rss_max,$playlists,$fresh,$alive_pubs,$server_state,$problems,$load0,$idle_ticks,$i0,$i1" >>"$LOAD_CSV"
}

# ---------------------------------------------------------------------------- 2. latency
LAT_CSV=$OUT/latency.csv

run_latency() { # KIND
  local kind=$1 port root file
  log "$kind: segment latency over $LAT_SEGMENTS segments (+$LAT_WARMUP_SEGMENTS warm-up)"
  if [ "$kind" = onair ]; then
    start_onair latency; port=$ONAIR_RTMP_PORT; root=$SERVER_DATA; file=playlist.m3u8
  else
    start_nginx latency; port=$NGINX_RTMP_PORT; root=$SERVER_DATA; file=lat.m3u8
  fi
  sleep 1
  local limit=$(((LAT_SEGMENTS + LAT_WARMUP_SEGMENTS) * 3 + 30)) result rc=0
  result=$(timeout "$((limit + 30))" dotnet "$BENCH_DLL" latency --rtmp "rtmp://127.0.0.1:$port/live/lat" --input "$INPUT" \
    --watch-root "$root" --playlist-file "$file" --segments "$LAT_SEGMENTS" --warmup-segments "$LAT_WARMUP_SEGMENTS" \
    --max-seconds "$limit" --label "$kind" --csv "$LOGS/latency-$kind-segments.csv" 2>"$LOGS/latency-$kind.err") || rc=$?
  local state=running
  alive "$SERVER_MAIN" || state=DIED
  stop_server
  echo "$result" >"$LOGS/latency-$kind.out"
  cat "$LOGS/latency-$kind.err" >&2
  if [ $rc -ne 0 ]; then
    log "$kind: latency tool failed (exit $rc, server $state)"
    echo "$kind,,,,,$state" >>"$LAT_CSV"
    return 0
  fi
  grep -v '^RESULT' <<<"$result" >&2 || true
  # RESULT label count p50 p95 max unmatched
  awk -v s="$state" '/^RESULT/ { print $2 "," $3 "," $4 "," $5 "," $6 "," s "," $7 }' <<<"$result" >>"$LAT_CSV"
}

# ---------------------------------------------------------------------------- 3. BenchmarkDotNet
run_bdn() {
  log "BenchmarkDotNet --job short: TsMuxer, ChunkParser"
  rm -rf "$OUT/BenchmarkDotNet.Artifacts"
  (cd "$ROOT" && dotnet "$BENCH_DLL" --job short --filter '*TsMuxerBenchmarks*' '*ChunkParserBenchmarks*' \
    --artifacts "$OUT/BenchmarkDotNet.Artifacts") >"$LOGS/benchmarkdotnet.log" 2>&1 \
    || { tail -40 "$LOGS/benchmarkdotnet.log" >&2; die "BenchmarkDotNet failed (log: $LOGS/benchmarkdotnet.log)"; }
}

# ---------------------------------------------------------------------------- report
report() {
  local nproc cpu
  nproc=$(nproc)
  cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
  echo "## OnAir vs nginx-rtmp ($(date -u '+%Y-%m-%d %H:%M UTC'))"
  echo
  echo "Machine: $nproc CPU(s), $cpu, $(awk '/MemTotal/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo)," \
    "$(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r); $(dotnet --version | sed 's/^/.NET SDK /'), $(nginx -v 2>&1 | sed 's/.*: //') +" \
    "libnginx-mod-rtmp $(dpkg-query -W -f='${Version}' libnginx-mod-rtmp 2>/dev/null), $(ffmpeg -version | head -1 | cut -d' ' -f1-3)."
  echo "OnAir: $(cat "$SERVER_BUILD/BUILD-INFO" 2>/dev/null || echo "build of unknown origin"); \`onair serve --ladder passthrough\` with its defaults otherwise$([ -n "$ONAIR_ENV" ] && echo ", **environment: $ONAIR_ENV**" || true). nginx-rtmp: 1 worker, config bench/out/logs/nginx.conf."
  echo "Input: bench/out/input-720p30.flv (1280x720 30 fps H.264 High, GOP 2 s, 2.5 Mbit/s + AAC 128 kbit/s, 20 s, looped)."

  if [ -s "$LOAD_CSV" ]; then
    echo
    echo "### 1. CPU and memory per passthrough stream (warm-up ${WARMUP} s, window ${WINDOW} s)"
    echo
    echo "| Streams | Server | CPU s/min (total) | CPU s/min per stream | RSS MiB (avg in window) | RSS MiB per stream | Idle: CPU s/min, RSS MiB | Playlists with ≥1 segment | Updated in last 5 s | Publishers alive | Server | Log warnings/errors | Load avg (1 min) |"
    echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|"
    awk -F, '{
      secs = $4 - $3; cpu = ($6 - $5) / $7; per_min = cpu * 60 / secs; idle_min = $17 / $7 * 60 / ($19 - $18)
      printf "| %d | %s | %.2f | %.3f | %.1f | %.2f | %.2f, %.1f | %d/%d | %d/%d | %d/%d | %s | %d | %s |\n", \
        $2, ($1 == "onair" ? "OnAir" : "nginx-rtmp"), per_min, per_min / $2, $9 / 1024, $9 / 1024 / $2, idle_min, $8 / 1024, $11, $2, $12, $2, $13, $2, $14, $15, $16
    }' "$LOAD_CSV"
    echo
    echo "| Streams | CPU per stream OnAir/nginx (goal ≤ 0.8) | RSS per stream OnAir/nginx (goal ≤ 1.0) | Added RSS per stream, MiB: OnAir / nginx ((avg − idle) / streams) |"
    echo "|---:|---:|---:|---:|"
    awk -F, '{
      secs = $4 - $3; cpu[$1, $2] = ($6 - $5) / $7 * 60 / secs; rss[$1, $2] = $9; idle[$1, $2] = $8; n[$2] = 1
    } END {
      for (s in n) if ((("onair", s) in cpu) && (("nginx", s) in cpu)) {
        c = cpu["nginx", s] > 0 ? cpu["onair", s] / cpu["nginx", s] : 0
        r = rss["onair", s] / rss["nginx", s]
        printf "%d | %.2f (%s) | %.2f (%s) | %.2f / %.2f |\n", s, c, (c <= 0.8 ? "met" : "not met"), r, (r <= 1.0 ? "met" : "not met"), \
          (rss["onair", s] - idle["onair", s]) / 1024 / s, (rss["nginx", s] - idle["nginx", s]) / 1024 / s
      }
    }' "$LOAD_CSV" | sort -n | sed 's/^/| /'
  fi

  if [ -s "$LAT_CSV" ]; then
    echo
    echo "### 2. Segment latency: closing keyframe sent → segment listed in the playlist file (1 publisher)"
    echo
    echo "| Server | Segments | p50 ms | p95 ms | max ms | Unmatched | Server |"
    echo "|---|---:|---:|---:|---:|---:|---|"
    awk -F, '{ printf "| %s | %s | %s | %s | %s | %s | %s |\n", ($1 == "onair" ? "OnAir" : "nginx-rtmp"), $2, $3, $4, $5, $7, $6 }' "$LAT_CSV"
    awk -F, '$1 == "onair" && $4 != "" { printf "\nOnAir p95 %s ms: goal ≤ 20 ms %s.\n", $4, ($4 <= 20 ? "met" : "not met") }' "$LAT_CSV"
  fi

  local plain=
  [ "$BDN_RAN" = 1 ] && plain=$(ls "$OUT"/BenchmarkDotNet.Artifacts/results/*-report-plain.csv 2>/dev/null || true)
  if [ -n "$plain" ]; then
    local chunks
    chunks=$(grep -ho 'ChunkParser: .* chunks per copy' "$LOGS/benchmarkdotnet.log" | head -1 || true)
    echo
    echo "### 3. BenchmarkDotNet (--job short)"
    echo
    echo "| Benchmark | Params | Mean ns/op | Allocated B/op |"
    echo "|---|---|---:|---:|"
    local f
    for f in $plain; do
      awk -F';' '
        NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        { gsub(/"|,/, "", $col["Mean [ns]"]); params = ("Copies" in col) ? "Copies=" $col["Copies"] : ""
          printf "| %s | %s | %.0f | %s |\n", $col["Method"], params, $col["Mean [ns]"], $col["Allocated [B]"] }' "$f"
    done
    local chunk_file
    chunk_file=$(ls "$OUT"/BenchmarkDotNet.Artifacts/results/*ChunkParser*-report-plain.csv 2>/dev/null | head -1 || true)
    if [ -n "$chunk_file" ] && [ -n "$chunks" ]; then
      echo
      echo "ChunkParser input: $chunks (ffmpeg-publish.rtmp after the handshake)."
      local per_copy
      per_copy=$(sed -E 's/.* ([0-9]+) chunks per copy/\1/' <<<"$chunks")
      awk -F';' -v chunks="$per_copy" '
        NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        { gsub(/"|,/, "", $col["Mean [ns]"]); mean[$col["Copies"]] = $col["Mean [ns]"]; alloc[$col["Copies"]] = $col["Allocated [B]"] }
        END {
          printf "Per chunk: %.1f ns (Copies=8: mean / (8 × %d chunks)).", mean[8] / (8 * chunks), chunks
          extra = (alloc[8] - alloc[1]) / (7 * chunks)
          printf " Allocation per additional chunk: %.2f B ((%d − %d) B / (7 × %d)); per-connection set-up: %d B. Goal zero per chunk: %s.\n", \
            extra, alloc[8], alloc[1], chunks, alloc[1], (extra == 0 ? "met" : "not met")
        }' "$chunk_file"
    fi
  fi
  echo
  echo "Total bench time: $(( $(date +%s) - STARTED )) s. Raw data and logs: bench/out/ (load.csv, latency.csv, logs/)."
}

# ---------------------------------------------------------------------------- main
setup
rm -f "$LOAD_CSV" "$LAT_CSV"
if [ "${BENCH_SKIP_LOAD:-0}" != 1 ]; then
  for n in $LOADS; do
    run_load onair "$n"
    run_load nginx "$n"
  done
fi
if [ "${BENCH_SKIP_LATENCY:-0}" != 1 ]; then
  run_latency onair
  run_latency nginx
fi
BDN_RAN=0
if [ "${BENCH_SKIP_BDN:-0}" != 1 ]; then
  run_bdn
  BDN_RAN=1
fi
report | tee "$OUT/results.md"
