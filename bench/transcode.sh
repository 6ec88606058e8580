#!/usr/bin/env bash
# Live ABR transcoding cost on this machine: OnAir's one ffmpeg per stream (decode once, split, scale
# and encode every rung of the default ladder) vs the per-rung way (one ffmpeg per rung, each
# decoding the source itself), on the same 1080p30 input. See bench/README.md.
#   CPU seconds (user + sys) per minute of input, wall time, speed (input seconds / wall seconds),
#   max RSS; the ratio single-decode / per-rung and the issue's goals (≤ 0.6×, ≥ 1.2× real time).
# Both run the real arguments of OnAir.Transcoding.Ffmpeg.LadderCommand, printed by
# `OnAir.Benchmarks ladder-args` (the per-rung processes: the same call with a one-rung list).
# The input is piped in as fast as ffmpeg takes it, so the speed is the most it can sustain.
# Prints a markdown table and writes it to bench/out/transcode.md (raw data and logs next to it).
# Idempotent: installs what is missing (ffmpeg, time), makes the input once, builds the bench tool.
# Tunables (environment): BENCH_TRANSCODE_SECONDS=60 (input length; other lengths get their own file)
#   BENCH_TRANSCODE_RUNS=1 (repetitions of every configuration) BENCH_SKIP_BUILD=1 (reuse the last build)
#   BENCH_QUIET_WAIT_SECONDS=120 (before each configuration, wait up to this long for the rest of the machine to go idle)
#   BENCH_REPORT_ONLY=1 (no measurement: the report of the last run's bench/out/transcode.csv again)
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=$ROOT/bench/out
LOGS=$OUT/logs/transcode
SECONDS_IN=${BENCH_TRANSCODE_SECONDS:-60}
RUNS=${BENCH_TRANSCODE_RUNS:-1}
QUIET_WAIT=${BENCH_QUIET_WAIT_SECONDS:-120}
BENCH_DLL=$ROOT/bench/OnAir.Benchmarks/bin/Release/net10.0/OnAir.Benchmarks.dll
if [ "$SECONDS_IN" = 60 ]; then INPUT=$OUT/input-1080p30.flv; else INPUT=$OUT/input-1080p30-${SECONDS_IN}s.flv; fi
CSV=$OUT/transcode.csv
CLK_TCK=$(getconf CLK_TCK)
GOAL_RATIO=0.6
GOAL_SPEED=1.2
STARTED=$(date +%s)

# log, die, alive, stop_pids. Every process this script starts is recorded in STARTED_PIDS and
# ended by PID on exit, with the children of those (the ffmpeg that /usr/bin/time runs) first;
# WORK (a temp dir) is removed then. See bench/lib.sh.
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

[[ $SECONDS_IN =~ ^[1-9][0-9]*$ ]] || die "BENCH_TRANSCODE_SECONDS must be a positive whole number of seconds"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_TRANSCODE_RUNS must be a positive whole number"
[[ $QUIET_WAIT =~ ^[0-9]+$ ]] || die "BENCH_QUIET_WAIT_SECONDS must be a whole number of seconds"

# ---------------------------------------------------------------------------- machine
loadavg() { cut -d' ' -f1 /proc/loadavg; }

# busy_ticks: CPU ticks the whole machine spent not idle (user nice system irq softirq steal).
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }

# wait_quiet: on a shared machine, waits (up to QUIET_WAIT s) until the other processes use less
# than a fifth of a core over a second, so that they disturb the wall times as little as possible.
wait_quiet() {
  local waited=0 b0 b1
  while true; do
    b0=$(busy_ticks); sleep 1; b1=$(busy_ticks)
    [ $(((b1 - b0) * 5)) -lt "$CLK_TCK" ] && return 0
    if [ $waited -eq 0 ]; then log "the machine is busy ($(((b1 - b0) * 100 / CLK_TCK))% of a core): waiting up to ${QUIET_WAIT} s for it to calm down"; fi
    waited=$((waited + 1))
    if [ $waited -ge "$QUIET_WAIT" ]; then
      log "still busy after ${QUIET_WAIT} s; measuring anyway (see \"Other CPU\" in the table)"
      return 0
    fi
  done
}

# ---------------------------------------------------------------------------- set-up
setup() {
  mkdir -p "$OUT" "$LOGS"
  [ "${BENCH_REPORT_ONLY:-0}" = 1 ] || rm -f "$LOGS"/*.log "$LOGS"/*.time "$LOGS"/*.args "$LOGS"/*.argv
  log "dependencies"
  "$ROOT/scripts/install-deps.sh" ffmpeg:ffmpeg ffmpeg:ffprobe time:/usr/bin/time procps:pgrep
  command -v dotnet >/dev/null || die "dotnet (the .NET 10 SDK) is not installed"

  # The input: made once. 1920x1080 30 fps H.264 High (GOP 2 s, 6 Mbit/s CBR-like, 2 B-frames as
  # x264 veryfast makes them, like OBS's defaults) + AAC-LC 48 kHz stereo. The test pattern pans
  # slowly (scroll) and carries temporal noise like a camera's, so the encoders have motion and
  # detail to code rather than a near-static picture.
  local cmd=(ffmpeg -hide_banner -nostdin -loglevel error -y
    -f lavfi -i "testsrc2=size=1920x1080:rate=30,scroll=horizontal=0.002:vertical=0.0005,noise=alls=8:allf=t"
    -f lavfi -i sine=frequency=440:sample_rate=48000 -t "$SECONDS_IN"
    -c:v libx264 -preset veryfast -profile:v high -pix_fmt yuv420p -g 60 -keyint_min 60 -sc_threshold 0
    -b:v 6000k -maxrate 6000k -bufsize 12000k -c:a aac -b:a 128k -ac 2 -f flv)
  make_once "$INPUT" "; about $((SECONDS_IN * 2)) s on 2 cores" "${cmd[@]}"
  INPUT_FRAMES=$(ffprobe -v error -select_streams v:0 -count_packets -show_entries stream=nb_read_packets -of csv=p=0 "$INPUT")
  INPUT_INFO=$(ffprobe -v error -select_streams v:0 -show_entries stream=width,height,profile,r_frame_rate -of default=nw=1 "$INPUT" \
    | awk -F= '{ v[$1] = $2 } END { split(v["r_frame_rate"], r, "/"); printf "%sx%s %g fps H.264 %s", v["width"], v["height"], r[1] / r[2], v["profile"] }')
  INPUT_BITRATE=$(ffprobe -v error -show_entries format=bit_rate -of csv=p=0 "$INPUT")

  if [ "${BENCH_SKIP_BUILD:-0}" = 1 ] && [ -f "$BENCH_DLL" ]; then
    log "BENCH_SKIP_BUILD=1: using the existing build of the bench tool"
  else
    build
  fi

  # The commands, from OnAir's own code.
  mapfile -t RUNGS < <(dotnet "$BENCH_DLL" ladder-args --list-rungs --source-height 1080)
  [ ${#RUNGS[@]} -gt 0 ] || die "ladder-args listed no rung"
  mapfile -t LADDER_ARGS < <(dotnet "$BENCH_DLL" ladder-args --source-height 1080)
  [ ${#LADDER_ARGS[@]} -gt 0 ] || die "ladder-args printed no argument"
  { printf 'cat %q | ' "${INPUT#"$ROOT"/}"; printf '%q ' ffmpeg "${LADDER_ARGS[@]}"; echo; } >"$LOGS/single.args"
  local rung args
  for rung in "${RUNGS[@]}"; do
    dotnet "$BENCH_DLL" ladder-args --source-height 1080 --rung "$rung" >"$LOGS/rung-$rung.argv"
    mapfile -t args <"$LOGS/rung-$rung.argv"
    { printf 'cat %q | ' "${INPUT#"$ROOT"/}"; printf '%q ' ffmpeg "${args[@]}"; echo; } >"$LOGS/rung-$rung.args"
  done

  WORK=$(mktemp -d /tmp/onair-bench-transcode.XXXXXX)
  cat "$INPUT" >/dev/null # into the page cache
}

build() {
  log "building the bench tool (Release)"
  local rev dirty
  rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
  dirty=$(git -C "$ROOT" status --porcelain -- src bench/OnAir.Benchmarks 2>/dev/null | wc -l)
  dotnet build "$ROOT/bench/OnAir.Benchmarks" -c Release -nologo -v quiet -clp:ErrorsOnly >"$LOGS/build-bench.log" 2>&1 \
    || { cat "$LOGS/build-bench.log" >&2; die "bench build failed"; }
  echo "commit $rev$([ "$dirty" -gt 0 ] && echo " + $dirty uncommitted change(s) in src/ or bench/OnAir.Benchmarks/" || true), built $(date -u '+%Y-%m-%d %H:%M UTC')" \
    >"$(dirname "$BENCH_DLL")/BUILD-INFO"
}

# ---------------------------------------------------------------------------- runs
# start_ffmpeg NAME ARG...: `cat INPUT | ffmpeg ARG... >WORK/NAME.ts` under /usr/bin/time, in the
# background (through a FIFO, so both PIDs are known). Sets FF_PID (time's) and CAT_PID.
start_ffmpeg() {
  local name=$1 fifo=$WORK/$1.fifo
  shift
  mkfifo "$fifo"
  /usr/bin/time -f '%e %U %S %M' -o "$LOGS/$name.time" ffmpeg "$@" <"$fifo" >"$WORK/$name.ts" 2>"$LOGS/$name.log" &
  FF_PID=$!
  STARTED_PIDS+=("$FF_PID")
  cat "$INPUT" >"$fifo" &
  CAT_PID=$!
  STARTED_PIDS+=("$CAT_PID")
}

# finish NAME CONFIG RUN T0 T1: checks the exit status and the output, appends the CSV row.
# CSV: run,config,name,rc,wall_outer,elapsed,user,sys,maxrss_kb,video_streams,frames_per_stream,heights,load,busy_ticks
finish() {
  local name=$1 config=$2 run=$3 rc=$4 wall=$5 load=$6 busy=$7 e u s m
  read -r e u s m < <(grep -E '^[0-9.]+ [0-9.]+ [0-9.]+ [0-9]+$' "$LOGS/$name.time" | tail -1) || { e=0; u=0; s=0; m=0; }
  if [ "$rc" -ne 0 ]; then
    log "$name: ffmpeg exited with $rc; log tail:"
    tail -20 "$LOGS/$name.log" >&2
  fi
  local streams=0 frames="" heights=""
  if [ "$config" != decode ]; then
    # Video packets and height per output stream (all must be the input's frame count).
    local probe
    # (MPEG-TS lists every stream again under its program: one line per stream index.)
    probe=$(ffprobe -v error -count_packets -select_streams v -show_entries stream=index,height,nb_read_packets -of csv=p=0 \
      "$WORK/$name.ts" 2>>"$LOGS/$name.log" | grep . | sort -t, -k1,1n -u || true)
    streams=$(grep -c . <<<"$probe" || true)
    frames=$(cut -d, -f3 <<<"$probe" | paste -sd/)
    heights=$(cut -d, -f2 <<<"$probe" | sed 's/$/p/' | paste -sd/)
  fi
  rm -f "$WORK/$name.ts" "$WORK/$name.fifo"
  echo "$run,$config,$name,$rc,$wall,$e,$u,$s,$m,$streams,$frames,$heights,$load,$busy" >>"$CSV"
}

now() { date +%s.%N; }

# run_config RUN CONFIG: one configuration, all its processes started together, timed until the last ends.
run_config() {
  local run=$1 config=$2 names=() pids=() cats=() rung i args
  case $config in
    decode) log "run $run: decode only (1 ffmpeg)" ;;
    single) log "run $run: OnAir single-decode ladder (1 ffmpeg, ${#RUNGS[@]} rungs)" ;;
    per-rung) log "run $run: per-rung (${#RUNGS[@]} ffmpeg, concurrent)" ;;
  esac
  local load busy0 t0 t1
  wait_quiet
  load=$(loadavg)
  busy0=$(busy_ticks)
  t0=$(now)
  case $config in
    decode)
      names=("r$run-decode")
      start_ffmpeg "${names[0]}" -hide_banner -loglevel error -f flv -i pipe:0 -map 0:v -f null pipe:1
      pids+=("$FF_PID"); cats+=("$CAT_PID") ;;
    single)
      names=("r$run-single")
      start_ffmpeg "${names[0]}" "${LADDER_ARGS[@]}"
      pids+=("$FF_PID"); cats+=("$CAT_PID") ;;
    per-rung)
      for rung in "${RUNGS[@]}"; do
        mapfile -t args <"$LOGS/rung-$rung.argv"
        names+=("r$run-rung-$rung")
        start_ffmpeg "r$run-rung-$rung" "${args[@]}"
        pids+=("$FF_PID"); cats+=("$CAT_PID")
      done ;;
  esac
  local rcs=()
  for i in "${!pids[@]}"; do
    local rc=0
    wait "${pids[$i]}" || rc=$?
    rcs+=("$rc")
  done
  t1=$(now)
  local busy=$(($(busy_ticks) - busy0))
  for i in "${!cats[@]}"; do wait "${cats[$i]}" 2>/dev/null || true; done
  local wall
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  for i in "${!names[@]}"; do
    finish "${names[$i]}" "$config" "$run" "${rcs[$i]}" "$wall" "$load" "$busy"
  done
}

# ---------------------------------------------------------------------------- report
report() {
  local nproc cpu
  nproc=$(nproc)
  cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
  echo "## Live ABR transcoding: single-decode ladder vs per-rung ffmpeg ($(date -u -r "$CSV" '+%Y-%m-%d %H:%M UTC'))"
  echo
  echo "Machine: $nproc CPU(s), $cpu, $(awk '/MemTotal/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo)," \
    "$(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r); $(ffmpeg -version | head -1 | cut -d' ' -f1-3)," \
    "$(dpkg-query -W -f='${Package} ${Version}' 'libx264-*' 2>/dev/null | head -1)."
  echo "Commands: OnAir's \`LadderCommand.Arguments\` for the default ladder (${RUNGS[*]}), from $(cat "$(dirname "$BENCH_DLL")/BUILD-INFO" 2>/dev/null || echo "a bench tool build of unknown origin");" \
    "per-rung: the same call with one rung, one process per rung, run concurrently. Exact command lines: bench/out/logs/transcode/*.args."
  echo "Input: ${INPUT#"$ROOT"/} ($INPUT_INFO, GOP 2 s, $((INPUT_BITRATE / 1000)) kbit/s in all with AAC, ${SECONDS_IN} s, $INPUT_FRAMES frames; generating command beside it)," \
    "piped into ffmpeg's stdin as fast as it reads; output MPEG-TS to a temp file, then counted with ffprobe. $RUNS run(s)."
  echo
  echo "| Run | Configuration | Processes | CPU s (user + sys) | CPU s per min of input | Wall s | Speed (× real time) | Max RSS MiB | Video frames out per rung (height) | Other CPU s on the machine meanwhile | Load avg (1 min) at start |"
  echo "|---:|---|---:|---:|---:|---:|---:|---:|---|---:|---:|"
  awk -F, -v secs="$SECONDS_IN" -v tck="$CLK_TCK" -v want="$INPUT_FRAMES" '
    function label(c) { return c == "single" ? "**OnAir single-decode** (1 ffmpeg, all rungs)" : c == "per-rung" ? "**Per-rung total** (concurrent)" : "Decode only (reference)" }
    {
      key = $1 "," $2
      if (!(key in n)) order[++keys] = key
      run[key] = $1; conf[key] = $2; wall[key] = $5; load[key] = $13; busy[key] = $14
      n[key]++; c = $7 + $8; cpu[key] += c; rss[key] += $9
      note = ($4 == 0) ? "" : " **exit " $4 "**"
      cnt = split($11, f, "/")
      for (i = 1; i <= cnt; i++) if (f[i] != want) note = note " **≠ " want "**"
      if ($2 != "decode" && cnt == 0) note = note " **no video**"
      out = ($2 == "decode") ? "–" note : $11 " (" $12 ")" note
      frames[key] = frames[key] (frames[key] == "" ? "" : ", ") out
      if ($2 == "per-rung")
        sub_rows[key] = sub_rows[key] sprintf("| %s | ↳ %s | 1 | %.2f | %.2f | %.2f | %.2f | %.0f | %s | | |\n", $1, $3, c, c * 60 / secs, $6, secs / $6, $9 / 1024, out)
    }
    END {
      for (k = 1; k <= keys; k++) {
        key = order[k]
        printf "| %s | %s | %d | %.2f | %.2f | %.2f | %.2f | %.0f | %s | %.2f | %s |\n", run[key], label(conf[key]), n[key], cpu[key], cpu[key] * 60 / secs, \
          wall[key], secs / wall[key], rss[key] / 1024, frames[key], busy[key] / tck - cpu[key], load[key]
        printf "%s", sub_rows[key]
      }
    }' "$CSV"
  echo
  # Verdicts: means over the runs.
  # A configuration counts as disturbed when other processes took more than a tenth of the machine
  # while it ran: its wall time (speed), and to a lesser degree its CPU seconds, are then not its own.
  awk -F, -v secs="$SECONDS_IN" -v goal_ratio="$GOAL_RATIO" -v goal_speed="$GOAL_SPEED" -v rungs="${#RUNGS[@]}" \
    -v tck="$CLK_TCK" -v ncpu="$(nproc)" '
    { cpu[$2] += $7 + $8; runcpu[$1, $2] += $7 + $8
      if (!(($1, $2) in seen)) { seen[$1, $2] = 1; runs[$2]++; wall[$2] += $5; w[$1, $2] = $5; busy[$1, $2] = $14 } }
    END {
      for (k in seen) {
        split(k, kk, SUBSEP); share = (busy[k] / tck - runcpu[k]) / (w[k] * ncpu)
        if (share > other[kk[2]]) other[kk[2]] = share
      }
      s = cpu["single"] / runs["single"]; p = cpu["per-rung"] / runs["per-rung"]; d = cpu["decode"] / runs["decode"]
      ratio = s / p; speed = secs / (wall["single"] / runs["single"]); pspeed = secs / (wall["per-rung"] / runs["per-rung"])
      dist_s = other["single"] > 0.1 ? sprintf(" — **disturbed**: other processes used up to %.0f%% of the machine during it; rerun on an idle machine", other["single"] * 100) : ""
      dist_c = (other["single"] > 0.1 || other["per-rung"] > 0.1) ? sprintf(" — other processes used up to %.0f%% / %.0f%% of the machine meanwhile (single / per-rung): contention inflates CPU seconds somewhat", other["single"] * 100, other["per-rung"] * 100) : ""
      printf "| Goal (issue \"Live ABR transcoder\") | Measured | Verdict |\n|---|---:|---|\n"
      printf "| CPU: single-decode ≤ %.1f × per-rung total | %.2f × (%.2f vs %.2f CPU s per min of input) | %s%s |\n", goal_ratio, ratio, s * 60 / secs, p * 60 / secs, (ratio <= goal_ratio ? "met" : "**not met**"), dist_c
      printf "| Speed: single-decode ≥ %.1f × real time | %.2f × (per-rung, concurrent: %.2f ×) | %s%s |\n", goal_speed, speed, pspeed, (speed >= goal_speed ? "met" : "**not met**"), dist_s
      printf "\nCPU bound on the speed: at %.2f CPU s per min of input, single-decode cannot exceed %.2f × real time even with all %d cores busy; %.1f × needs ≤ %.1f CPU s per min.\n", \
        s * 60 / secs, ncpu * secs / s, ncpu, goal_speed, ncpu * 60 / goal_speed
      if (d > 0 && p > s) {
        rest = s - d
        printf "\nWhere the CPU goes: decoding the input once costs %.2f CPU s per min of input (decode-only run), so scale + encode of all rungs ≈ %.2f;" \
          " the per-rung processes spend %.2f more than single-decode (≈ %.1f decodes). With one decode saved per extra rung, the best ratio" \
          " for %d rungs is (D + E) / (%d D + E) with E the scale+encode cost: ≤ %.1f only if E ≤ %.1f D; here E ≈ %.1f D.\n", \
          d * 60 / secs, rest * 60 / secs, (p - s) * 60 / secs, (p - s) / d, rungs, rungs, goal_ratio, \
          (rungs * goal_ratio - 1) / (1 - goal_ratio), rest / d
      }
    }
  ' "$CSV"
  echo
  echo "CPU = user + sys of the ffmpeg process(es) (GNU time); speed = ${SECONDS_IN} s of input / wall time from starting the process(es) to the last exit."
  echo "\"Other CPU\" = the machine's busy CPU time during the run minus the ffmpeg processes' (cat, the shell, anything else running): high values mean the wall times (speed) were disturbed."
  echo
  [ "${BENCH_REPORT_ONLY:-0}" = 1 ] || echo -n "Total bench time: $(( $(date +%s) - STARTED )) s. "
  echo "Raw data and logs: bench/out/transcode.csv, bench/out/logs/transcode/."
}

# ---------------------------------------------------------------------------- main
setup
if [ "${BENCH_REPORT_ONLY:-0}" = 1 ]; then
  [ -s "$CSV" ] || die "BENCH_REPORT_ONLY=1: no $CSV to report"
  log "BENCH_REPORT_ONLY=1: the report of the last run ($CSV), no measurement"
else
  rm -f "$CSV"
  for ((r = 1; r <= RUNS; r++)); do
    run_config "$r" decode
    run_config "$r" single
    run_config "$r" per-rung
  done
fi
report | tee "$OUT/transcode.md"
