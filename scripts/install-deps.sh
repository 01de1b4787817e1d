#!/usr/bin/env bash
# Installs the Debian packages mnistbook builds against, only those that are missing.
set -euo pipefail
packages=(libdnnl-dev libgraphviz-dev libcmark-gfm-dev libcmark-gfm-extensions-dev libpng-dev libturbojpeg0-dev zlib1g-dev pkg-config)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q "${missing[@]}"
