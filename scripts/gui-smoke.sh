#!/usr/bin/env bash
# Smoke test of the real window: start `satchel --demo` under Xvfb, wait for
# the window, screenshot it and fail unless the picture has real content
# (many colours, not uniform). With --screens, also visits each screen
# (Ctrl+1..4, Settings) and saves assets/screenshots/<screen>.png.
#
# Usage: scripts/gui-smoke.sh [path/to/satchel] [--screens]
# Default binary: target/release/satchel (falls back to target/debug/satchel).
set -euo pipefail

cd "$(dirname "$0")/.."
bin=""
screens=false
for arg in "$@"; do
    case "$arg" in
        --screens) screens=true ;;
        *) bin="$arg" ;;
    esac
done
if [[ -z "$bin" ]]; then
    bin=target/release/satchel
    [[ -x "$bin" ]] || bin=target/debug/satchel
fi
[[ -x "$bin" ]] || { echo "gui-smoke: no binary at $bin (build it first)" >&2; exit 2; }

need() { command -v "$1" >/dev/null 2>&1; }
if ! need Xvfb || ! need import || ! need xdotool; then
    echo "gui-smoke: installing xvfb imagemagick xdotool" >&2
    apt-get install -y xvfb imagemagick xdotool >/dev/null
fi

work=$(mktemp -d)
display=":$((90 + RANDOM % 400))"
out=assets/screenshots
mkdir -p "$out"
cleanup() {
    [[ -n "${app_pid:-}" ]] && kill "$app_pid" 2>/dev/null || true
    [[ -n "${xvfb_pid:-}" ]] && kill "$xvfb_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

Xvfb "$display" -screen 0 1280x860x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
sleep 1
export DISPLAY="$display" SATCHEL_HOME="$work/home" XDG_RUNTIME_DIR="$work/run"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
unset WAYLAND_DISPLAY
"$bin" --demo >"$work/app.log" 2>&1 &
app_pid=$!

window=""
for _ in $(seq 1 60); do
    window=$(xdotool search --name '^Satchel' 2>/dev/null | head -1 || true)
    [[ -n "$window" ]] && break
    kill -0 "$app_pid" 2>/dev/null || { echo "gui-smoke: satchel exited early" >&2; cat "$work/app.log" >&2; exit 1; }
    sleep 1
done
[[ -n "$window" ]] || { echo "gui-smoke: no window appeared" >&2; cat "$work/app.log" >&2; exit 1; }
sleep 6 # connect to the demo node and read its history

# A picture with content has many colours and is not one flat tone.
check() {
    local file=$1 colours deviation
    colours=$(identify -format '%k' "$file")
    deviation=$(identify -format '%[fx:standard_deviation]' "$file")
    echo "gui-smoke: $file: $colours colours, std dev $deviation"
    if (( colours < 64 )) || awk "BEGIN { exit !($deviation < 0.02) }"; then
        echo "gui-smoke: $file looks blank" >&2
        return 1
    fi
}

shot() {
    sleep 2
    import -window root "$1"
    check "$1"
}

shot "$work/first.png"
if $screens; then
    xdotool windowfocus --sync "$window" 2>/dev/null || true
    cp "$work/first.png" "$out/inbox.png"
    names=(inbox send contacts sent)
    for i in 2 3 4; do
        xdotool key --window "$window" "ctrl+$i"
        shot "$out/${names[$((i - 1))]}.png"
    done
    xdotool key --window "$window" "ctrl+comma"
    shot "$out/settings.png"
    xdotool key --window "$window" "ctrl+1"
fi
kill -0 "$app_pid" 2>/dev/null || { echo "gui-smoke: satchel crashed" >&2; cat "$work/app.log" >&2; exit 1; }
echo "gui-smoke: ok"
