#!/usr/bin/env bash
# Installs what is missing, builds Release, and starts onair (default: `serve` on the embedded defaults).
# Usage: ./run.sh [ARGS...]   e.g. ./run.sh serve --http-port 8081
set -euo pipefail
cd "$(dirname "$0")"

scripts/install-deps.sh ffmpeg:ffmpeg libsrt1.5-gnutls nodejs:node npm:npm  # libsrt: SRT ingest; node and npm install hls.js for the web player at build time

if ! command -v dotnet >/dev/null 2>&1; then
  echo "onair: the .NET 10 SDK is required (https://dot.net); 'dotnet' is not on PATH" >&2
  exit 1
fi

dotnet build src/OnAir.Server -c Release -nologo -v quiet -clp:ErrorsOnly -o artifacts/onair >/dev/null || {
  dotnet build src/OnAir.Server -c Release -nologo -v quiet -clp:ErrorsOnly -o artifacts/onair
  exit 1
}

if [ $# -eq 0 ]; then
  set -- serve
fi
# Two glibc malloc arenas instead of 8 per core: the runtime's native allocations otherwise spread over
# an arena per thread and keep RSS stepping up as the thread pool grows (docs/performance.md, soak).
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
exec dotnet artifacts/onair/onair.dll "$@"
