#!/usr/bin/env bash
# Fuzz every target in fuzz/ for a bounded time and print a table:
# target, executions, exec/s, new corpus units, crashes.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]     (default 60)
#
# Environment:
#   FUZZ_TARGETS    space-separated subset of targets (default: all, from `cargo fuzz list`)
#   FUZZ_SANITIZER  libFuzzer sanitizer (default: none; Satchel forbids unsafe code, so
#                   AddressSanitizer mostly costs build and run time; use `address` to
#                   check the dependencies' unsafe code too)
#   FUZZ_FEATURES   cargo features to enable in the fuzz build (none by default: the
#                   targets use satchel without its `gui` feature, so iced is not built)
#   FUZZ_NO_BUILD   set to 1 to run the targets built last time without rebuilding
#
# cargo-fuzz needs nightly features; on a stable toolchain RUSTC_BOOTSTRAP=1 unlocks them.
# A target may have a libFuzzer dictionary in fuzz/dicts/<target>.dict.
# New corpus entries go to fuzz/corpus/<target> (not committed); the committed seeds in
# fuzz/seeds/<target> are only read. A crash leaves its input in fuzz/artifacts/<target>/;
# replay it with `RUSTC_BOOTSTRAP=1 cargo fuzz run -O -s none <target> <file>` (or run
# fuzz/target/<host>/release/<target> <file>).
# Exits non-zero when a build fails or any target crashes.

set -euo pipefail

seconds="${1:-60}"
case "$seconds" in
'' | *[!0-9]*) echo "usage: $0 [SECONDS_PER_TARGET]" >&2 && exit 2 ;;
esac
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sanitizer="${FUZZ_SANITIZER:-none}"
flags=(-O -s "$sanitizer")
if [ -n "${FUZZ_FEATURES:-}" ]; then
    flags+=(--features "$FUZZ_FEATURES")
fi
logs="$root/fuzz/target/fuzz-logs"
export RUSTC_BOOTSTRAP=1
cd "$root"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz..." >&2
    nice -n 19 cargo install cargo-fuzz --locked
fi

read -r -a targets <<<"${FUZZ_TARGETS:-$(cargo fuzz list | tr '\n' ' ')}"
mkdir -p "$logs"
if [ "${FUZZ_NO_BUILD:-0}" != 1 ]; then
    echo "building ${#targets[@]} targets (sanitizer: $sanitizer)..." >&2
    nice -n 19 cargo fuzz build "${flags[@]}" >"$logs/build.log" 2>&1 || {
        tail -n 30 "$logs/build.log" >&2
        echo "fuzz build failed; full log: $logs/build.log" >&2
        exit 1
    }
fi

bin_dir="$root/fuzz/target/$(rustc -vV | sed -n 's/^host: //p')/release"

# The last value of a libFuzzer statistic, e.g. `stat::number_of_executed_units: 123`.
final_stat() { sed -n "s/^stat::$1: *\([0-9]*\).*/\1/p" "$2" | tail -n 1 || true; }
# From the last progress line (`#1234 pulse cov: ... exec/s: 56 ...`), when a crash cut the run short.
last_progress() { grep -E '^#[0-9]+' "$1" | tail -n 1 || true; }
# Files libFuzzer leaves for a failing input.
count_findings() { find "$1" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) 2>/dev/null | wc -l; }

failed=0
rows=()
for target in "${targets[@]}"; do
    corpus="$root/fuzz/corpus/$target"
    artifacts="$root/fuzz/artifacts/$target"
    log="$logs/$target.log"
    mkdir -p "$corpus" "$artifacts"
    before="$(count_findings "$artifacts")"
    echo "fuzzing $target for ${seconds}s..." >&2
    dict=()
    if [ -f "$root/fuzz/dicts/$target.dict" ]; then
        dict=(-dict="$root/fuzz/dicts/$target.dict")
    fi
    status=0
    # The binary cargo fuzz built above, run directly: `cargo fuzz run` would rebuild
    # first, and the tree may change while the targets run.
    nice -n 19 "$bin_dir/$target" "$corpus" "$root/fuzz/seeds/$target" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$artifacts/" "${dict[@]}" >"$log" 2>&1 || status=$?
    execs="$(final_stat number_of_executed_units "$log")"
    rate="$(final_stat average_exec_per_sec "$log")"
    added="$(final_stat new_units_added "$log")"
    progress="$(last_progress "$log")"
    execs="${execs:-$(sed -n 's/^#\([0-9]*\).*/\1/p' <<<"$progress")}"
    rate="${rate:-$(sed -n 's/.*exec\/s: \([0-9]*\).*/\1/p' <<<"$progress")}"
    crashes=$(($(count_findings "$artifacts") - before))
    if [ "$status" -ne 0 ] && [ "$crashes" -eq 0 ]; then
        crashes=1 # died without an artifact (e.g. the binary failed to start): count it
    fi
    if [ "$crashes" -gt 0 ]; then
        failed=1
        echo "  $target FAILED (exit $status); log: $log" >&2
        grep -E "panicked at|^thread '|Test unit written to|SUMMARY" "$log" | head -n 6 >&2 || true
    fi
    rows+=("$(printf '%-16s %14s %10s %8s %8s' "$target" "${execs:-?}" "${rate:-?}" "${added:-?}" "$crashes")")
done

printf '\n%-16s %14s %10s %8s %8s\n' target executions exec/s new crashes
printf '%s\n' "${rows[@]}"
printf '(%ss per target, sanitizer %s; logs in %s)\n' "$seconds" "$sanitizer" "$logs"
exit "$failed"
