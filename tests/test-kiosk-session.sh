#!/usr/bin/env bash
# test-kiosk-session.sh SESSION UNIT CHECK_STORAGE ADMIN OUT_PNG
#
# The kiosk machine's session (docs/kiosk-machine.md), run as deployed:
# SESSION (the build tree's intake-kiosk-session) as the unprivileged user
# intake-kiosk, cage showing intake-kiosk on wlroots' X11 backend nested in
# Xvfb (its headless backend paints nothing on these machines), grim taking
# the screenshot through cage's screencopy. Needs root to run the session as
# that user (CI runs as root; the user is made if missing, as the runbook
# does). TAP output.
set -euo pipefail

session=$1
unit=$2
check_storage=$3
admin=$4
out_png=$5

if [ "$(id -u)" != 0 ]; then
  echo "1..0 # SKIP needs root: the session runs as the user intake-kiosk, as deployed"
  exit 0
fi
for program in cage grim Xvfb runuser findmnt lsblk dbus-run-session systemd-analyze python3; do
  if ! command -v "$program" >/dev/null 2>&1; then
    echo "Bail out! $program is missing: run scripts/install-deps (cage, grim, xwayland, xvfb, dbus, util-linux, systemd)"
    exit 1
  fi
done

echo "1..6"
n=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); echo "not ok $n - $1"; shift; for line in "$@"; do echo "# $line"; done; failed=1; }
failed=0

id intake-kiosk >/dev/null 2>&1 ||
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin intake-kiosk

dir=$(mktemp -d "${TMPDIR:-/tmp}/intake-kiosk-session.XXXXXX")
xvfb_pid=""
session_pid=""
cleanup () {
  [ -n "$session_pid" ] && kill "$session_pid" 2>/dev/null || true
  pkill -KILL -u intake-kiosk 2>/dev/null || true
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
chmod 0755 "$dir"
mkdir -m 0700 "$dir/state" "$dir/run"

# A kiosk as an operator leaves it before enrollment: its device key and the
# office's public key.
printf 'kiosk session test passphrase\n' >"$dir/passphrase"
"$admin" office init "$dir/office" --passphrase-file "$dir/passphrase" >/dev/null
"$admin" device init "$dir/state" >/dev/null
cp "$dir/office/office.pub" "$dir/state/office.pub"
chown -R intake-kiosk "$dir/state" "$dir/run"

# 1. The storage check: this machine's answer agrees with lsblk's view of
# the device below the state directory.
source=$(findmnt -n -o SOURCE --target "$dir/state" | head -n 1)
encrypted=no
if [[ "$source" == /dev/* ]] && lsblk -n -s -o TYPE "$source" 2>/dev/null | grep -qx crypt; then
  encrypted=yes
fi
if message=$("$check_storage" "$dir/state" 2>&1); then check=0; else check=$?; fi
if [ "$encrypted" = no ] && [ "$check" = 1 ] && [[ "$message" == *"$dir/state"*"LUKS"* ]]; then
  ok "the state directory on unencrypted storage ($source) is refused, naming the directory"
elif [ "$encrypted" = yes ] && [ "$check" = 0 ]; then
  ok "the state directory on encrypted storage ($source) is accepted"
else
  not_ok "the storage check" "encrypted=$encrypted exit=$check: $message"
fi

# 2. On this machine's storage the session does not start without the
# test machine's explicit permission (and with it, below, it warns).
if [ "$encrypted" = no ]; then
  if runuser -u intake-kiosk -- env XDG_RUNTIME_DIR="$dir/run" "$session" "$dir/state" >"$dir/refused.log" 2>&1; then
    not_ok "the session refuses unencrypted storage" "it started: $(cat "$dir/refused.log")"
  elif grep -q "intake-kiosk-check-storage: .*LUKS" "$dir/refused.log" && ! pgrep -u intake-kiosk cage >/dev/null; then
    ok "the session refuses unencrypted storage before cage starts"
  else
    not_ok "the session refuses unencrypted storage" "$(cat "$dir/refused.log")"
  fi
else
  ok "# SKIP the storage here is encrypted: nothing to refuse"
fi

# 3. The session: cage and the kiosk, full screen, as intake-kiosk.
exec 5>"$dir/display"
Xvfb -displayfd 5 -screen 0 1280x800x24 -nolisten tcp >"$dir/xvfb.log" 2>&1 &
xvfb_pid=$!
exec 5>&-
for _ in $(seq 1 100); do
  [ -s "$dir/display" ] && break
  sleep 0.1
done
display=":$(head -n 1 "$dir/display")"
runuser -u intake-kiosk -- env DISPLAY="$display" XDG_RUNTIME_DIR="$dir/run" \
  WLR_BACKENDS=x11 WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1 \
  GSK_RENDERER=cairo GDK_DEBUG=gl-disable GSETTINGS_BACKEND=memory \
  INTAKE_KIOSK_ALLOW_UNENCRYPTED=1 WAYLAND_DEBUG=client \
  "$session" "$dir/state" >"$dir/session.log" 2>&1 &
session_pid=$!

# Wait for the kiosk's first frame: a screenshot whose corners are no longer
# cage's black background.
shot_ok=no
for _ in $(seq 1 60); do
  sleep 0.5
  [ -S "$dir/run/wayland-0" ] || continue
  if runuser -u intake-kiosk -- env XDG_RUNTIME_DIR="$dir/run" WAYLAND_DISPLAY=wayland-0 \
       grim -t ppm "$dir/run/shot.ppm" 2>>"$dir/grim.log"; then
    if verdict=$(python3 - "$dir/run/shot.ppm" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
# P6 header: magic, width, height, maxval, each separated by whitespace.
fields = data.split(maxsplit=4)
assert fields[0] == b"P6", fields[0]
width, height = int(fields[1]), int(fields[2])
pixels = fields[4]
def at(x, y):
    i = (y * width + x) * 3
    return tuple(pixels[i:i + 3])
corners = [at(0, 0), at(width - 1, 0), at(0, height - 1), at(width - 1, height - 1)]
colours = {at(x, y) for x in range(0, width, 16) for y in range(0, height, 16)}
full = all(c != (0, 0, 0) for c in corners)
print(f"{width}x{height} corners={corners} colours={len(colours)}")
sys.exit(0 if full and len(colours) > 20 else 1)
EOF
    ); then
      shot_ok=yes
      break
    fi
  fi
done
if [ "$shot_ok" = yes ]; then
  # The screenshot stays in the build tree for a person to look at.
  runuser -u intake-kiosk -- env XDG_RUNTIME_DIR="$dir/run" WAYLAND_DISPLAY=wayland-0 \
    grim "$dir/run/welcome.png" && cp "$dir/run/welcome.png" "$out_png"
  ok "cage shows the kiosk full screen as intake-kiosk ($verdict; $out_png)"
else
  not_ok "cage shows the kiosk full screen" "last: ${verdict:-no screenshot}" \
    "$(tail -n 5 "$dir/session.log" | grep -v '^\[' || true)"
fi

# 4. The screen stays on: the kiosk holds an idle inhibitor on its surface
# (the protocol's own request, from the client's protocol log).
if grep -q "zwp_idle_inhibit_manager_v1@[0-9]*\.create_inhibitor" "$dir/session.log"; then
  ok "the kiosk asks the compositor to keep the screen on (zwp_idle_inhibitor_v1)"
else
  not_ok "the kiosk asks the compositor to keep the screen on" "no create_inhibitor in the session's protocol log"
fi
# The storage warning the test machine was allowed.
grep -q "warning: .*INTAKE_KIOSK_ALLOW_UNENCRYPTED" "$dir/session.log" || [ "$encrypted" = yes ] ||
  echo "# note: no storage warning in the session log"

# 5. No way out: when the kiosk ends (the staff screen's exit, a crash), the
# whole session ends with it (cage, its bus), for the unit to start it again;
# nothing of the session is left to fall back to.
kiosk_pid=$(pgrep -u intake-kiosk -x intake-kiosk | head -n 1 || true)
if [ -z "$kiosk_pid" ]; then
  not_ok "the session ends with the kiosk" "no intake-kiosk process"
else
  kill -TERM "$kiosk_pid"
  ended=no
  for _ in $(seq 1 100); do
    if ! kill -0 "$session_pid" 2>/dev/null; then ended=yes; break; fi
    sleep 0.1
  done
  if [ "$ended" = yes ] && ! pgrep -u intake-kiosk -x cage >/dev/null; then
    ok "the session ends with the kiosk (cage gone; the unit restarts it)"
    session_pid=""
  else
    not_ok "the session ends with the kiosk" "session ended: $ended; $(pgrep -a -u intake-kiosk || true)"
  fi
fi

# 6. The unit: systemd accepts it, and it restarts the session for ever.
cp "$unit" "$dir/intake-kiosk-session@tty1.service"
if verify=$(systemd-analyze verify "$dir/intake-kiosk-session@tty1.service" 2>&1) &&
   grep -qx "Restart=always" "$unit" && grep -qx "StartLimitIntervalSec=0" "$unit" &&
   grep -qx "User=intake-kiosk" "$unit"; then
  ok "systemd-analyze verify accepts the unit; Restart=always without a start limit, as intake-kiosk"
else
  not_ok "the unit" "$verify"
fi

exit $failed
