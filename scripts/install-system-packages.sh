#!/usr/bin/env bash
# Installs the Debian packages RecordRoute and its tests use, if any is missing:
# ffmpeg (decoding media), chromium (browser tests of the dashboards), fonts-nanum (Hangul).
set -euo pipefail
packages=(ffmpeg chromium fonts-nanum)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing system packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
