#!/usr/bin/env bash
# with-keyring.sh COMMAND [ARGS…]
#
# Runs COMMAND against a private, unlocked gnome-keyring on a private D-Bus session bus, so keychain tests
# neither touch nor depend on the developer's own keyring, and work headless (CI, containers).
#   bash test/tools/with-keyring.sh npx vitest run --project integration test/integration/vault-keytar.test.ts
# COMMAND sees APIARY_TEST_KEYRING=1 and DBUS_SESSION_BUS_ADDRESS of the private bus. Everything lives in one
# temporary directory that is removed afterwards. Quiet on success; the exit code is COMMAND's.
set -euo pipefail

readonly INNER_MARK=--apiary-keyring-inner # first argument of the second stage, which runs inside the bus
readonly PASSWORD=apiary-test              # password of the throwaway "login" keyring (not a secret)
readonly READY_TRIES=100                   # × 0.05 s: how long the daemon may take to own its bus name

die() {
  echo "with-keyring: $*" >&2
  exit 70
}

# ---------------------------------------------------------------------------------------------------------
# Stage 1 (outside): make the temporary directory and bus config, run stage 2 under dbus-run-session, clean up.
if [[ "${1:-}" != "$INNER_MARK" ]]; then
  if (($# == 0)); then
    echo "usage: $0 COMMAND [ARGS…]" >&2
    exit 2
  fi
  for tool in dbus-run-session dbus-daemon gnome-keyring-daemon gdbus; do
    command -v "$tool" >/dev/null 2>&1 ||
      { echo "with-keyring: '$tool' not found (Debian: apt install dbus gnome-keyring libglib2.0-bin)" >&2; exit 127; }
  done

  tmp=$(mktemp -d "${TMPDIR:-/tmp}/apiary-keyring.XXXXXX")
  cleanup() {
    # The daemon leaves when its bus closes; wait a little for that, then end it ourselves (by its pid only).
    if [[ -s "$tmp/daemon.pid" ]]; then
      local pid tries=40
      pid=$(<"$tmp/daemon.pid")
      while kill -0 "$pid" 2>/dev/null && ((tries-- > 0)); do sleep 0.05; done
      kill "$pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
  }
  trap cleanup EXIT

  # A session bus that listens in our directory and activates nothing: no service directories means no
  # password prompter (gcr-prompter) ever pops up or hangs, and no second keyring daemon gets started.
  cat >"$tmp/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=$tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF

  # dbus-daemon chatters on stderr (e.g. "Failed to set fd limit" as root): send it to a log, and hand the
  # real stderr to stage 2 on fd 3 so COMMAND's own stderr is untouched.
  exec 3>&2
  set +e
  dbus-run-session --config-file="$tmp/bus.conf" -- bash "${BASH_SOURCE[0]}" "$INNER_MARK" "$tmp" "$@" \
    2>"$tmp/bus.log"
  rc=$?
  set -e
  if [[ ! -e "$tmp/started" && -s "$tmp/bus.log" ]]; then
    echo "with-keyring: the private D-Bus session did not start:" >&2
    cat "$tmp/bus.log" >&2
  fi
  exit "$rc"
fi

# ---------------------------------------------------------------------------------------------------------
# Stage 2 (inside the private bus): start and unlock gnome-keyring, check it answers, then become COMMAND.
shift
tmp=$1
shift
exec 2>&3 3>&-

export XDG_DATA_HOME="$tmp/data"      # where the keyrings are written (not ~/.local/share)
export XDG_RUNTIME_DIR="$tmp/run"     # the daemon's control socket
mkdir -p "$XDG_DATA_HOME" "$tmp/config"
mkdir -m 700 "$XDG_RUNTIME_DIR"

# --unlock reads the password on stdin and creates the default "login" keyring with it when there is none,
# so no prompt is needed. It daemonizes and prints VAR=value lines (e.g. GNOME_KEYRING_CONTROL) to export.
daemon_out=$(printf %s "$PASSWORD" |
  env -u DISPLAY -u WAYLAND_DISPLAY XDG_CONFIG_HOME="$tmp/config" \
    gnome-keyring-daemon --unlock --components=secrets 2>>"$tmp/daemon.log") ||
  { cat "$tmp/daemon.log" >&2; die "gnome-keyring-daemon failed to start"; }
while IFS= read -r line; do
  if [[ "$line" =~ ^[A-Z_][A-Z0-9_]*= ]]; then export "${line?}"; fi
done <<<"$daemon_out"

secrets() { # secrets OBJECT-PATH METHOD ARGS… — one call to the Secret Service, quiet on failure
  gdbus call --session --timeout 5 --dest org.freedesktop.secrets --object-path "$1" --method "${@:2}" 2>/dev/null
}

# Ready = the default alias names a collection and that collection is unlocked.
ready=""
for ((i = 0; i < READY_TRIES; i++)); do
  default=$(secrets /org/freedesktop/secrets org.freedesktop.Secret.Service.ReadAlias default || true)
  if [[ "$default" =~ objectpath\ \'(/org/freedesktop/secrets/collection/[A-Za-z0-9_]+)\' ]]; then
    locked=$(secrets "${BASH_REMATCH[1]}" org.freedesktop.DBus.Properties.Get \
      org.freedesktop.Secret.Collection Locked || true)
    if [[ "$locked" == *false* ]]; then
      ready=1
      break
    fi
  fi
  sleep 0.05
done
if [[ -z "$ready" ]]; then
  cat "$tmp/daemon.log" >&2
  die "gnome-keyring did not offer an unlocked default keyring on the private bus"
fi

# Remember the daemon's pid so stage 1 can make sure it is gone.
owner=$(gdbus call --session --timeout 5 --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
  --method org.freedesktop.DBus.GetConnectionUnixProcessID org.freedesktop.secrets 2>/dev/null || true)
if [[ "$owner" =~ uint32\ ([0-9]+) ]]; then echo "${BASH_REMATCH[1]}" >"$tmp/daemon.pid"; fi

export APIARY_TEST_KEYRING=1
touch "$tmp/started"
exec "$@"
