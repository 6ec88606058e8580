#!/usr/bin/env bash
# Installs the Debian packages OnAir needs, only those missing. Quiet when nothing is missing.
# Usage: scripts/install-deps.sh PACKAGE...   (each argument: a package, or package:command to probe)
set -euo pipefail

missing=()
for spec in "$@"; do
  pkg=${spec%%:*}
  probe=${spec#*:}
  if [ "$probe" != "$spec" ]; then
    command -v "$probe" >/dev/null 2>&1 && continue
  else
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" && continue
  fi
  missing+=("$pkg")
done

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=sudo
  else
    echo "onair: missing packages: ${missing[*]}" >&2
    echo "onair: install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
else
  SUDO=
fi

echo "onair: installing ${missing[*]} (apt)..." >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
