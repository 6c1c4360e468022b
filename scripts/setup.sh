#!/usr/bin/env bash
# Installs everything Apiary needs on this machine, then `npm ci`. The README's Quick start and CI both run it.
#   bash scripts/setup.sh          what running Apiary needs (a C++ toolchain and libsecret to build keytar)
#   bash scripts/setup.sh --test   also what the tests use (chromium, mosquitto, socat, gnome-keyring, xvfb, …)
# Only the npm registry and the distribution's packages are needed: keytar builds from source (its prebuilt binary
# comes from a host many offices cannot reach); the other native addons ship inside npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."

with_tests=0
for arg in "$@"; do
  case "$arg" in
    --test) with_tests=1 ;;
    -h|--help) sed -n 2,6p "$0"; exit 0 ;;
    *) echo "setup: unknown option $arg (see --help)" >&2; exit 2 ;;
  esac
done

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "setup: Apiary needs Node 20.19 or newer (found: $(node -v 2>/dev/null || echo none)). Install Node first." >&2
  exit 1
fi

# keytar's build: g++, make, python3, pkg-config and libsecret's headers
run_pkgs=(g++ make python3 pkg-config libsecret-1-dev)
test_pkgs=(chromium socat mosquitto mosquitto-clients gnome-keyring dbus dbus-x11 xvfb imagemagick python3-paho-mqtt openssl)

if command -v apt-get >/dev/null 2>&1; then
  want=("${run_pkgs[@]}")
  [ "$with_tests" = 1 ] && want+=("${test_pkgs[@]}")
  missing=()
  for p in "${want[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    sudo=()
    if [ "$(id -u)" != 0 ]; then
      echo "setup: installing ${missing[*]} with sudo (apt-get)"
      sudo=(sudo)
    else
      echo "setup: apt-get install ${missing[*]}"
    fi
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  # the tests start their own brokers on free ports; the packaged service would only hold port 1883
  if [ "$with_tests" = 1 ] && [ "$(id -u)" = 0 ]; then systemctl disable --now mosquitto >/dev/null 2>&1 || true; fi
elif [ "$(uname)" = Darwin ]; then
  xcode-select -p >/dev/null 2>&1 || { echo "setup: run 'xcode-select --install' first (keytar builds with the Command Line Tools)" >&2; exit 1; }
else
  echo "setup: no apt-get here; install a C++ toolchain, make, python3, pkg-config and libsecret's headers (Linux) yourself, then run npm ci" >&2
fi

# node-gyp would download Node's headers; use the ones installed with Node when they are there
if [ -z "${npm_config_nodedir:-}" ]; then
  nodedir=$(node -p 'require("path").resolve(process.execPath, "../..")')
  [ -f "$nodedir/include/node/node_api.h" ] && export npm_config_nodedir="$nodedir"
fi
# Electron's binary downloads on first `npm start` where it can; an install must not depend on it
export ELECTRON_SKIP_BINARY_DOWNLOAD=${ELECTRON_SKIP_BINARY_DOWNLOAD:-1}

echo "setup: npm ci"
npm ci --no-audit --no-fund
echo "setup: done. 'npm start' runs Apiary on the embedded sandbox; 'npm test' runs every test."
