#!/usr/bin/env bash
# Soak (issue 13): BENCH_SOAK_STREAMS (10) real-time publishers and BENCH_SOAK_VIEWERS (100)
# simulated viewers for BENCH_SOAK_SECONDS (3600). Every 10 s: the server's RSS, open file
# descriptors, threads, and the data directory's size, and RSS split into anonymous memory (the GC heap
# and native allocations) and shared memory (the JIT's code, double-mapped for W^X), so growth can be
# told apart: a leak grows the first, the JIT still tiering up methods grows the second. And from the
# server's /metrics (the runtime's meter, as of the last collection): the GC heap's live size, its gen2
# part, its fragmentation and the memory the GC has committed, so anonymous growth can be told apart
# again: a leak grows the live heap, the GC settling grows only what it commits. After a warm-up of BENCH_SOAK_WARMUP_SECONDS
# (600), each should stay flat: growth from the first to the last 10 minutes under 5 %. Writes
# bench/out/soak.csv, bench/out/soak.svg (the four series over time) and bench/out/soak.md.
# Not for CI: an hour. Ports BENCH_PORT_BASE..+1 (29390).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=$ROOT/bench/out
LOGS=$OUT/logs
STREAMS=${BENCH_SOAK_STREAMS:-10}
VIEWERS=${BENCH_SOAK_VIEWERS:-100}
DURATION=${BENCH_SOAK_SECONDS:-3600}
WARMUP=${BENCH_SOAK_WARMUP_SECONDS:-600}
PORT_BASE=${BENCH_PORT_BASE:-29390}
RTMP_PORT=$PORT_BASE
HTTP_PORT=$((PORT_BASE + 1))
SERVER_BUILD=${BENCH_SERVER_BUILD:-/tmp/onair-bench-build}
BENCH_DLL=$ROOT/bench/OnAir.Benchmarks/bin/Release/net10.0/OnAir.Benchmarks.dll
INPUT=$OUT/input-360p30.flv
CSV=$OUT/soak.csv

# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

mkdir -p "$OUT" "$LOGS"
"$ROOT/scripts/install-deps.sh" ffmpeg:ffmpeg curl:curl python3:python3
[ -s "$INPUT" ] || die "$INPUT is missing: bench/load.sh makes it (run it once)"
ports_free "$RTMP_PORT" "$HTTP_PORT"
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD) # what was built: the tree may move on during the hour
build_onair "$LOGS/soak-build.log" with-bench
WORK=$(mktemp -d /tmp/onair-soak-bench.XXXXXX)

start_onair_server "$WORK" "$LOGS/soak-onair.log" "$HTTP_PORT" --rtmp-port "$RTMP_PORT" --http-port "$HTTP_PORT" --ladder passthrough
SERVER=$ONAIR_PID
start_publishers "$STREAMS" "$INPUT" "$RTMP_PORT" "$LOGS/soak-publisher"
sleep 10
dotnet "$BENCH_DLL" viewers "http://127.0.0.1:$HTTP_PORT/" "$STREAMS" "$VIEWERS" "$DURATION" >"$WORK/viewers.json" 2>"$LOGS/soak-viewers.log" &
VIEWER_TOOL=$!
STARTED_PIDS+=("$VIEWER_TOOL")

log "$STREAMS streams, $VIEWERS viewers, $DURATION s: sampling every 10 s into $CSV"
echo "seconds,rss_mib,fds,threads,data_mib,rss_anon_mib,rss_shmem_mib,gc_heap_mib,gc_gen2_mib,gc_fragmentation_mib,gc_committed_mib" >"$CSV"
start=$(date +%s)
while alive "$VIEWER_TOOL"; do
  alive "$SERVER" || die "the server exited during the soak ($LOGS/soak-onair.log)"
  echo "$(($(date +%s) - start)),$(($(rss_kb "$SERVER") / 1024)),$(ls "/proc/$SERVER/fd" | wc -l),$(awk '/^Threads:/ { print $2 }' "/proc/$SERVER/status"),$(($(du -sk "$WORK/data" 2>/dev/null | cut -f1) / 1024)),$(status_mib "$SERVER" RssAnon RssShmem),$(gc_mib "http://127.0.0.1:$HTTP_PORT/metrics")" >>"$CSV"
  sleep 10
done
wait "$VIEWER_TOOL" || die "the viewer tool failed ($LOGS/soak-viewers.log)"
[ "$DURATION" -gt "$((WARMUP + 600))" ] || log "the run is shorter than the warm-up plus 10 minutes: the growth compares overlapping windows"

python3 - "$CSV" "$WARMUP" "$OUT/soak.svg" "$OUT/soak.md" "$STREAMS" "$VIEWERS" "$COMMIT" <<'PY'
import csv, sys
path, warmup, svg_path, md_path, streams, viewers, commit = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7]
rows = [{k: float(v) for k, v in r.items()} for r in csv.DictReader(open(path))]
series = ["rss_mib", "fds", "threads", "data_mib", "rss_anon_mib", "rss_shmem_mib", "gc_heap_mib", "gc_gen2_mib", "gc_fragmentation_mib", "gc_committed_mib"]
after = [r for r in rows if r["seconds"] >= warmup]
window = 600
first = [r for r in after if r["seconds"] < warmup + window]
last = [r for r in after if r["seconds"] >= rows[-1]["seconds"] - window]
def mean(rs, k): return sum(r[k] for r in rs) / max(1, len(rs))
lines = [f"## Soak (`bench/soak.sh`, commit {commit})", "",
         f"{streams} streams, {viewers} viewers, {rows[-1]['seconds']:.0f} s, sampled every 10 s; growth = last 10 minutes against the first 10 after a {warmup} s warm-up (goal < 5 %). Plot: bench/out/soak.svg.", "",
         "| Series | first 10 min | last 10 min | growth |", "|---|---:|---:|---:|"]
for k in series:
    a, b = mean(first, k), mean(last, k)
    lines.append(f"| {k} | {a:.1f} | {b:.1f} | {(b - a) / a * 100 if a else 0:+.1f} % |")
open(md_path, "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
# The plot: each series scaled to its own maximum, one polyline each.
w, h, pad = 900, 320, 40
colors = {"rss_mib": "#c0392b", "fds": "#2980b9", "threads": "#27ae60", "data_mib": "#8e44ad", "rss_anon_mib": "#d35400", "rss_shmem_mib": "#7f8c8d",
          "gc_heap_mib": "#16a085", "gc_gen2_mib": "#2c3e50", "gc_fragmentation_mib": "#f1c40f", "gc_committed_mib": "#e84393"}
t_max = max(r["seconds"] for r in rows) or 1
out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">',
       f'<rect width="{w}" height="{h}" fill="white"/>',
       f'<line x1="{pad}" y1="{h - pad}" x2="{w - 10}" y2="{h - pad}" stroke="black"/>',
       f'<text x="{w // 2}" y="{h - 8}">seconds (0 to {t_max:.0f}); each series scaled to its maximum</text>']
for i, k in enumerate(series):
    top = max(r[k] for r in rows) or 1
    points = " ".join(f"{pad + r['seconds'] / t_max * (w - pad - 10):.1f},{h - pad - r[k] / top * (h - 2 * pad):.1f}" for r in rows)
    out.append(f'<polyline fill="none" stroke="{colors[k]}" stroke-width="1.5" points="{points}"/>')
    out.append(f'<text x="{pad + 10 + (i % 3) * 280}" y="{20 + (i // 3) * 16}" fill="{colors[k]}">{k} (max {top:.0f})</text>')
out.append("</svg>")
open(svg_path, "w").write("\n".join(out))
PY
