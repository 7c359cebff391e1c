#!/usr/bin/env bash
# GUI performance figures for BENCHMARKS.md, measured on the real window:
# the release binary under Xvfb against a standalone `satchel sim` seeded
# with 100,000 received keysends (no traffic), loopback only.
#
# Four launches:
#   1. cold-gpu: empty profile, `--renderer gpu` (wgpu; under Xvfb it runs on
#      Mesa llvmpipe, i.e. OpenGL emulated on the CPU); then the profile is
#      deleted;
#   2. cold: empty profile, default renderer choice ("auto": the CPU renderer
#      when the machine has no GPU device, as here), so the app syncs the
#      whole history;
#   3. restart: 100,000 entries already indexed, incremental sync only;
#   4. restart-gpu: the same with `--renderer gpu`.
# Each launch also prints how long boot (settings, contacts, keyring probe)
# took before iced started, from the app's debug log.
# For each launch it prints:
#   - exec -> window mapped      (xdotool search --onlyvisible, polled every
#                                 10 ms: the X server mapped the window; iced
#                                 maps it once it is created, the first frame
#                                 follows)
#   - exec -> first painted frame (first screenshot of the window that is not
#                                 one flat colour; polled, resolution ~0.1 s)
#   - exec -> inbox shown        (title becomes "Satchel (N unread)": the
#                                 session is connected and rows were counted
#                                 from the index; during a first sync this
#                                 happens as soon as the first rows are stored)
#   - close watch (scripts/bench-gui-watch.py, one process polling the
#     window's title and picture through libX11 every ~10 ms, from the
#     window's mapping on): exec -> first painted frame, -> unread title,
#     -> the first picture after the title that differs from the one before
#     it (the rows on screen); the coarse polls above take ~0.1 s a sample
#   - app log: exec -> first rows in the inbox (the app's debug line when the
#     inbox first holds rows, millisecond timestamps; drawn at the next frame)
#   - exec -> history indexed    (the profile's index.db holds all N keysends;
#                                 read with python3's sqlite3, read-only)
#   - resident memory (VmRSS, VmHWM) of the GUI process once everything is indexed
#   - idle CPU over 10 s with nothing changing (utime+stime, /proc/<pid>/stat),
#     after the process has been quiet (< 5 % CPU over 2 s) or 120 s passed
#
# Usage: scripts/bench-gui.sh [path/to/satchel] [--entries N] [--only LAUNCHES]
# --only runs just the launches named (comma-separated, in the order above),
# e.g. `--only cold` for the first sync alone (quick iteration); a restart
# launch needs a launch before it that indexed the history.
# The million scenario of issue 19: --entries 1000000 (seeding takes ~15 s;
# the history-indexed wait below allows 900 s).
# BENCH_GUI_LOGS=DIR keeps each launch's log (stderr) there, headed by its exec time,
# and a screenshot of the window as the inbox is shown (inbox-shown-LABEL.png).
# --alt BIN2 --rounds K: K rounds of cold then restart, for the binary and
# BIN2 in turn (labels cold-<name>-<round>), to compare two builds on one sim
# under the same load (this machine's window timings swing by ~0.2 s); these
# replace the cold and restart launches, cold-gpu still runs unless --only
# leaves it out (`--only none` for the rounds alone).
# Default binary: $CARGO_TARGET_DIR/release/satchel, else /work/target-release/release/satchel.
set -euo pipefail

cd "$(dirname "$0")/.."
bin=""
entries=100000
only="cold-gpu,cold,restart,restart-gpu"
alt="" rounds=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --entries) entries=$2; shift ;;
        --only) only=$2; shift ;;
        --alt) alt=$2; shift ;;
        --rounds) rounds=$2; shift ;;
        *) bin=$1 ;;
    esac
    shift
done
if [[ -z "$bin" ]]; then
    bin="${CARGO_TARGET_DIR:-/work/target-release}/release/satchel"
fi
[[ -x "$bin" ]] || { echo "bench-gui: no binary at $bin (cargo build --release first)" >&2; exit 2; }

need() { command -v "$1" >/dev/null 2>&1; }
if ! need Xvfb || ! need xdotool || ! need import; then
    echo "bench-gui: installing xvfb xdotool imagemagick" >&2
    apt-get install -y xvfb xdotool imagemagick >/dev/null
fi

work=$(mktemp -d)
display=":$((500 + RANDOM % 400))"
port=$((20000 + RANDOM % 20000))
app_pid="" sim_pid="" xvfb_pid=""
stop() { # pid: TERM, then KILL after 5 s
    [[ -n "$1" ]] && kill -0 "$1" 2>/dev/null || return 0
    kill "$1" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
    kill -9 "$1" 2>/dev/null || true
}
cleanup() {
    stop "$app_pid"; stop "$sim_pid"; stop "$xvfb_pid"
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
# wait_for SECONDS COMMAND...: retry every 50 ms until it succeeds.
wait_for() {
    local deadline=$(( $(date +%s) + $1 )); shift
    until "$@" >/dev/null 2>&1; do
        (( $(date +%s) < deadline )) || return 1
        sleep 0.05
    done
}

echo "bench-gui: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
     "$(free -m | awk '/Mem:/ { print $2 }') MB RAM; load: $(cut -d' ' -f1-3 /proc/loadavg)"

Xvfb "$display" -screen 0 1280x860x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
export DISPLAY="$display" SATCHEL_HOME="$work/home" XDG_RUNTIME_DIR="$work/run" RUST_LOG=${BENCH_GUI_RUST_LOG:-error,satchel::gui=debug}
unset WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
wait_for 10 xdpyinfo -display "$display" || wait_for 10 xdotool getmouselocation ||
    { echo "bench-gui: Xvfb did not start" >&2; exit 1; }

seeded=$(now)
"$bin" sim --dir "$work/sim" --listen "127.0.0.1:$port" --seed-history "$entries" --seed-all-signed >"$work/sim.log" 2>&1 &
sim_pid=$!
wait_for 600 grep -q "Press Ctrl-C" "$work/sim.log" ||
    { echo "bench-gui: the simulator did not come up" >&2; cat "$work/sim.log" >&2; exit 1; }
echo "bench-gui: sim with $entries keysends up in $(since "$seeded") s (pid $sim_pid)"

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
status_kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }
painted() { # the window's picture has more than a few colours
    local colours
    colours=$(import -window "$1" -format '%k' info: 2>/dev/null || echo 0)
    (( colours > 16 ))
}
unread_title() { xdotool search --onlyvisible --name '^Satchel \([0-9]+ unread\)'; }
indexed() { # the GUI's index (in the node's data folder) holds every seeded keysend
    local db
    db=$(find "$SATCHEL_HOME" -name index.db 2>/dev/null | head -1)
    [[ -n "$db" ]] || return 1
    python3 - "$db" "$entries" <<'PY'
import sqlite3, sys
try:
    db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True, timeout=1)
    n = db.execute("SELECT count(*) FROM received").fetchone()[0]
except sqlite3.Error:
    sys.exit(1)
sys.exit(0 if n >= int(sys.argv[2]) else 1)
PY
}
quiet() { # under 5 % of a core over 2 s
    local before
    before=$(cpu_ticks "$1"); sleep 2
    (( ($(cpu_ticks "$1") - before) * 100 < 5 * 2 * $(getconf CLK_TCK) ))
}

# launch LABEL [ARGS...]: start the window with extra ARGS, print its figures, stop it.
launch() {
    local label=$1 start window mapped first loaded indexed_at ticks hz
    shift
    # The close watch (one process reading the window's title and picture
    # every ~10 ms) starts first, then waits for the window.
    local watch_pid watch_start
    watch_start=$(now)
    python3 scripts/bench-gui-watch.py "$display" "$watch_start" \
        '^Satchel \([0-9]+ unread\)' 300 >"$work/watch-$label.txt" 2>&1 &
    watch_pid=$!
    sleep 1 # its own start-up, before the app's exec
    start=$(now)
    "$bin" "$@" --rpcserver "127.0.0.1:$port" --tlscertpath "$work/sim/tls.cert" \
        --macaroonpath "$work/sim/data/chain/bitcoin/regtest/admin.macaroon" \
        >"$work/app-$label.log" 2>&1 &
    app_pid=$!
    # Polled every 10 ms: `xdotool search --sync` retries only every 0.5 s,
    # which made every start look like ~0.53 s.
    window=""
    for _ in $(seq 1 3000); do
        window=$(xdotool search --onlyvisible --name '^Satchel' 2>/dev/null | head -1) || true
        [[ -n "$window" ]] && break
        sleep 0.01
    done
    [[ -n "$window" ]] || { echo "bench-gui: no window" >&2; cat "$work/app-$label.log" >&2; exit 1; }
    mapped=$(since "$start")
    wait_for 30 painted "$window" || { echo "bench-gui: the window stayed blank" >&2; exit 1; }
    first=$(since "$start")
    wait_for 300 unread_title ||
        { echo "bench-gui: the inbox never loaded" >&2; cat "$work/app-$label.log" >&2; exit 1; }
    loaded=$(since "$start")
    if [[ -n "${BENCH_GUI_LOGS:-}" ]]; then # what the window shows then (a first sync: mid-way)
        mkdir -p "$BENCH_GUI_LOGS"
        import -window "$window" "$BENCH_GUI_LOGS/inbox-shown-$label.png" 2>/dev/null || true
    fi
    wait "$watch_pid" || true
    # The watch's times count from its own start: shift them to the exec.
    echo "bench-gui: [$label] close watch: exec -> $(awk -v d="$(awk -v a="$watch_start" -v b="$start" \
        'BEGIN { print b - a }')" '$2 != "none" { $2 = sprintf("%.3f s;", $2 - d) } { printf "%s ", $0 }' \
        "$work/watch-$label.txt" | sed 's/mapped/window mapped/; s/painted/first painted frame/;
        s/title/unread title/; s/rows/rows painted after the title/')"
    # When the inbox first held rows (the app's debug log, milliseconds;
    # the next frame draws them).
    local rows_at
    rows_at=$(grep -m1 -o '^\[[^ ]*Z DEBUG satchel::gui::screen::inbox\] inbox: [1-9][0-9]* rows' \
        "$work/app-$label.log" | cut -c2-25 || true)
    if [[ -n "$rows_at" ]]; then
        echo "bench-gui: [$label] app log: exec -> first rows in the inbox" \
             "$(awk -v a="$start" -v b="$(date -d "$rows_at" +%s.%N)" 'BEGIN { printf "%.3f", b - a }') s"
    fi
    wait_for 900 indexed || { echo "bench-gui: the history was not indexed in 900 s" >&2; exit 1; }
    indexed_at=$(since "$start")
    echo "bench-gui: [$label] exec -> window mapped ${mapped} s; -> first painted frame ${first} s;" \
         "-> inbox shown ${loaded} s; -> history indexed ${indexed_at} s"
    grep -ho 'boot: .*' "$work/app-$label.log" | sed "s/^/bench-gui: [$label] /" || true
    local waited=0
    until quiet "$app_pid" || (( waited >= 60 )); do waited=$((waited + 1)); done
    echo "bench-gui: [$label] busy after indexing for another ~$((waited * 2)) s"
    local db
    db=$(find "$SATCHEL_HOME" -name index.db | head -1)
    echo "bench-gui: [$label] index.db: $(du -m "$db" | cut -f1) MiB ($(stat -c %s "$db") bytes)"
    python3 - "$db" <<'PY' || true # bytes per row of the largest tables and indexes (dbstat)
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True, timeout=5)
rows = max(1, db.execute("SELECT count(*) FROM received").fetchone()[0])
free = db.execute("PRAGMA freelist_count").fetchone()[0] * db.execute("PRAGMA page_size").fetchone()[0]
top = db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 8").fetchall()
print("bench-gui: B/row:", ", ".join(f"{n} {b / rows:.1f}" for n, b in top), f"; free pages {free / rows:.1f}")
PY
    echo "bench-gui: [$label] resident memory: $(( $(status_kb "$app_pid" VmRSS) / 1024 )) MB" \
         "(peak $(( $(status_kb "$app_pid" VmHWM) / 1024 )) MB)"
    hz=$(getconf CLK_TCK)
    ticks=$(cpu_ticks "$app_pid")
    sleep 10
    ticks=$(( $(cpu_ticks "$app_pid") - ticks ))
    echo "bench-gui: [$label] idle CPU over 10 s: $ticks ticks of 1/$hz s" \
         "= $(awk -v t="$ticks" -v h="$hz" 'BEGIN { printf "%.2f", 100 * t / h / 10 }') % of one core"
    stop "$app_pid"
    app_pid=""
    if [[ -n "${BENCH_GUI_LOGS:-}" ]]; then # keep the app's log, with its exec time
        mkdir -p "$BENCH_GUI_LOGS"
        { echo "exec at $start"; cat "$work/app-$label.log"; } >"$BENCH_GUI_LOGS/app-$label.log"
    fi
}

wanted() { [[ ",$only," == *",$1,"* ]]; }
unset ICED_BACKEND
if wanted cold-gpu; then
    launch cold-gpu --renderer gpu
    rm -rf "$SATCHEL_HOME"
fi
if [[ "$rounds" -gt 0 ]]; then
    first_bin=$bin
    for round in $(seq "$rounds"); do
        for bin in "$first_bin" ${alt:+"$alt"}; do
            name=$(basename "$bin")
            rm -rf "$SATCHEL_HOME"
            launch "cold-$name-$round"
            launch "restart-$name-$round"
        done
    done
else
    wanted cold && launch cold
    wanted restart && launch restart
    wanted restart-gpu && launch restart-gpu --renderer gpu
fi
echo "bench-gui: load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
