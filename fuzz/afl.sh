#!/usr/bin/env bash
# One target under AFL++ (Debian's afl-fuzz) instead of the in-process engine: slower per execution
# (a pipe round trip each), AFL's own mutations and scheduling. `fuzz/afl.sh amf0 600` fuzzes amf0
# for 600 s from its seeds; AFL's state and findings go to fuzz/out/afl/TARGET.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: fuzz/afl.sh TARGET [SECONDS]}
seconds=${2:-60}

scripts/install-deps.sh afl++:afl-fuzz
fuzz/run.sh --list >/dev/null # builds and instruments fuzz/out/bin
seeds=fuzz/out/afl/$target-seeds
rm -rf "$seeds" && mkdir -p "$seeds"
dotnet fuzz/out/bin/OnAir.Fuzz.dll "$target" --write-seeds "$seeds"
AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
  afl-fuzz -V "$seconds" -t 5000 -m none -i "$seeds" -o "fuzz/out/afl/$target" -- dotnet fuzz/out/bin/OnAir.Fuzz.dll "$target" --afl
