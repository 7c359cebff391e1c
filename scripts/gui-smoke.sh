#!/usr/bin/env bash
# Smoke test of the real window: start `satchel --demo` under Xvfb, wait for
# the window, screenshot it (the window only) and fail unless the picture has
# real content (many colours, not uniform).
#
# With --screens, also drives the app with xdotool (there is no window
# manager, so the window is focused explicitly) and saves the README pictures
# to assets/screenshots/:
#   inbox.png             the inbox as it opens
#   inbox-detail.png      a tip from a verified sender, detail pane open
#   inbox-boostagram.png  a podcast boostagram (podcast, episode, app fields)
#   send.png              mid-flow: contact chosen, amount, message, byte
#                         meter and fee estimate
#   contacts.png, sent.png (after sending that tip), podcasts.png, streams.png,
#   channels.png, settings.png
#   inbox-dark.png        the inbox in the dark theme
# Screen switches use the shortcuts (Ctrl+1..4, Ctrl+,), one of them while
# the message editor has focus; each switch is checked to change the picture.
#
# Always, at the end: the repaint checks. The CPU renderer (tiny-skia, the
# default without a GPU) repaints only the regions that changed, so a look
# that draws outside its bounds (a soft shadow) or stacks translucent layers
# leaves traces that build up over time. After each path, the window as it
# is must match the same window fully repainted (resized by a pixel and
# back). The paths: hovering rows, typing, switching screens and a live demo
# tip; a sender filter picked then cleared; Contacts then Send.
#
# Coordinates are the app's layout at its default 1200x780 window size.
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

# Pictures for people: messages carry emoji, so have an emoji font (best effort).
if $screens && ! fc-list 2>/dev/null | grep -qi emoji; then
    apt-get install -y fonts-noto-color-emoji >/dev/null 2>&1 \
        || echo "gui-smoke: no emoji font; emoji will show as boxes" >&2
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
    window=$(xdotool search --onlyvisible --name Satchel 2>/dev/null | head -1 || true)
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

# Two pictures of different screens differ in many pixels.
differs() {
    local changed
    changed=$(compare -metric AE "$1" "$2" null: 2>&1 || true)
    changed=${changed%% *}
    if awk "BEGIN { exit !(${changed:-0} < 20000) }"; then
        echo "gui-smoke: $2 is (nearly) the same picture as $1: the shortcut did nothing" >&2
        return 1
    fi
}

# Park the pointer on the empty sidebar (no hover highlights), wait, and
# capture the app window only.
shot() {
    xdotool mousemove --window "$window" 105 600
    sleep "${2:-1.5}"
    import -window "$window" "$1"
    check "$1"
}

click() {
    xdotool mousemove --window "$window" "$1" "$2" click 1
    sleep 0.4
}

typed() {
    xdotool type --delay 25 "$1"
    sleep 0.3
}

key() {
    xdotool key "$1"
    sleep 0.8
}

# Search the inbox for $1 and open the first row.
open_first() {
    click 372 186          # search field
    key ctrl+a
    typed "$1"
    sleep 1.2
    click 700 302          # first row (below the filters and the view, date and order row)
}

# The Send screen mid-flow: contact picked from the suggestions, amount,
# message (which keeps the focus), signing on; the fee estimate is debounced.
compose() {
    click 600 226          # To
    typed "Dave"
    click 350 274          # the suggestion "Dave's Bitcoin Podcast"
    click 600 327          # Amount
    typed "1000"
    click 274 542          # Sign with my node identity
    click 600 470          # Message
    typed "Loved episode 55, the part on keysend inboxes was great. Keep going!"
}

xdotool windowfocus --sync "$window" 2>/dev/null || true
shot "$work/first.png"
if $screens; then
    cp "$work/first.png" "$out/inbox.png"
    # "Coffee" finds a signed tip first; the demo's live traffic only sends
    # another "Coffee" tip (a boostagram) 40 s after start, so do this first.
    open_first "Coffee"
    shot "$out/inbox-detail.png"
    open_first "Demo Cast"
    shot "$out/inbox-boostagram.png"
    key ctrl+2
    compose
    shot "$out/send.png" 2.5
    click 600 470          # back into the message editor: it has the focus
    key ctrl+3
    shot "$out/contacts.png"
    differs "$out/send.png" "$out/contacts.png"
    key ctrl+2
    click 480 366          # into the Amount field, then Enter submits the form:
    key Return             # the tip is sent and then shows in Sent
    sleep 3
    key ctrl+4
    shot "$out/sent.png"
    differs "$out/contacts.png" "$out/sent.png"
    click 105 258          # Podcasts (sidebar): the demo feed opens with its boost form
    shot "$out/podcasts.png" 2.5
    differs "$out/sent.png" "$out/podcasts.png"
    click 105 300          # Streams (sidebar)
    shot "$out/streams.png" 2.5
    differs "$out/podcasts.png" "$out/streams.png"
    click 105 341          # Channels (sidebar): balances per channel, the rebalance form
    shot "$out/channels.png" 2.5
    differs "$out/streams.png" "$out/channels.png"
    key ctrl+comma
    shot "$out/settings.png"
    click 863 473          # Theme: Dark (below the "Your node" card)
    key ctrl+1
    click 1153 186         # Clear the search (the detail pane stays open)
    shot "$out/inbox-dark.png"
    differs "$out/inbox-boostagram.png" "$out/inbox-dark.png"
fi
# The repaint check (see the top): partial repaints must leave no traces.
repaint_differences() { # pixels that differ once the window is fully repainted
    local geometry width height
    xdotool mousemove --window "$window" 105 600
    sleep 1.5
    import -window "$window" "$work/partial.png"
    geometry=$(xdotool getwindowgeometry "$window" | awk '/Geometry/ { print $2 }')
    width=${geometry%x*} height=${geometry#*x}
    xdotool windowsize "$window" $((width + 1)) "$height"
    sleep 0.5
    xdotool windowsize "$window" "$width" "$height"
    sleep 1.5
    import -window "$window" "$work/full.png"
    local changed
    # 2 %: an antialiased corner pixel at a fractional position may be
    # blended 3/255 differently (the Send card's corner); a trace left
    # behind (text, a line) differs by far more.
    changed=$(compare -metric AE -fuzz 2% "$work/partial.png" "$work/full.png" null: 2>&1 || true)
    echo "${changed%% *}"
}
hover_rows() {
    for y in 260 330 400 470 540 610; do
        xdotool mousemove --window "$window" 700 "$y"
        sleep 0.3
    done
}
# One repaint check: do the path `$2` (again on each attempt: a full repaint
# clears the traces it made), then compare. A live tip landing between the
# two pictures also changes pixels, so a difference is tried again.
repaint_check() {
    local label=$1 path=$2 differences=""
    for attempt in 1 2 3 4 5; do
        "$path"
        differences=$(repaint_differences)
        echo "gui-smoke: repaint check ($label) $attempt: ${differences:-?} pixels differ after a full repaint"
        [[ "$differences" == "0" ]] && return 0
    done
    cp "$work/partial.png" "/tmp/gui-smoke-$label-partial.png"
    cp "$work/full.png" "/tmp/gui-smoke-$label-full.png"
    echo "gui-smoke: partial repaints left traces after $label (see /tmp/gui-smoke-$label-partial.png vs /tmp/gui-smoke-$label-full.png)" >&2
    exit 1
}
# Hovering rows, typing, switching screens and live demo tips.
everyday_path() {
    hover_rows
    key ctrl+1
    click 372 186              # search, type, clear
    typed "lightning"
    sleep 1
    key ctrl+a
    key BackSpace
    key ctrl+2
    click 600 226              # Send: To
    typed "Da"
    key ctrl+3
    key ctrl+4
    key ctrl+1
    hover_rows
}
# A sender picked in the inbox filter, then Clear: the drop-down's label
# goes back to "Any sender" (it left the longer name's top half behind).
filter_cleared_path() {
    key ctrl+1
    click 632 189              # the sender filter
    sleep 0.5
    click 620 335              # "Dave's Bitcoin Podcast"
    sleep 1
    click 1153 188             # Clear
}
# From Contacts to Send (a line of the contact list stayed on Send).
contacts_then_send_path() {
    key ctrl+3
    sleep 1
    key ctrl+2
}
started=$SECONDS
everyday_path
# Demo nodes tip about every 8 s: let at least one arrive and redraw the list.
(( SECONDS - started < 10 )) && sleep $(( 10 - (SECONDS - started) ))
repaint_check everyday hover_rows
repaint_check filter-cleared filter_cleared_path
repaint_check contacts-then-send contacts_then_send_path
kill -0 "$app_pid" 2>/dev/null || { echo "gui-smoke: satchel crashed" >&2; cat "$work/app.log" >&2; exit 1; }
echo "gui-smoke: ok"
