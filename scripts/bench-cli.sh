#!/usr/bin/env bash
# CLI figures for BENCHMARKS.md ("Fast at a million", issue 19): the release
# binary against a standalone `satchel sim --seed-history N` (default mix),
# loopback only, each step a fresh process:
#   1. seeding the sim (exec -> "Press Ctrl-C")
#   2. sync only: `inbox --limit 1` on an empty profile
#   3. complete verified JSON listing on an empty profile (`inbox --json --limit all`:
#      sync + sender checks + print), with peak RSS (/usr/bin/time)
#   4. the same again (everything indexed and checked)
#   5. restart to the first page: `inbox --limit 50` with everything indexed
#   6. `inbox --search keysend` (a word in a third of the seeded messages)
#   7. the profile's size on disk
#   8. (with --npm) the same complete listing with the npm `lightning`
#      client (the one ThunderHub and Balance of Satoshis use), installed with
#      npm into a temporary directory, talking to the same sim over gRPC with
#      its certificate and admin macaroon; run side by side with step 3.
#
# Usage: scripts/bench-cli.sh [path/to/satchel] [--entries N] [--npm]
# Default binary: $CARGO_TARGET_DIR/release/satchel.
set -euo pipefail

cd "$(dirname "$0")/.."
bin="" entries=100000 npm=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --entries) entries=$2; shift ;;
        --npm) npm=1 ;;
        *) bin=$1 ;;
    esac
    shift
done
[[ -n "$bin" ]] || bin="${CARGO_TARGET_DIR:-/work/target-release}/release/satchel"
[[ -x "$bin" ]] || { echo "bench-cli: no binary at $bin (cargo build --release first)" >&2; exit 2; }

work=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
sim_pid=""
cleanup() {
    if [[ -n "$sim_pid" ]] && kill -0 "$sim_pid" 2>/dev/null; then
        kill "$sim_pid" 2>/dev/null || true
        wait "$sim_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }

echo "bench-cli: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $entries entries"
started=$(now)
"$bin" sim --dir "$work/sim" --listen "127.0.0.1:$port" --seed-history "$entries" >"$work/sim.log" 2>&1 &
sim_pid=$!
until grep -q "Press Ctrl-C" "$work/sim.log" 2>/dev/null; do
    kill -0 "$sim_pid" 2>/dev/null || { echo "bench-cli: the sim died" >&2; cat "$work/sim.log" >&2; exit 1; }
    sleep 0.05
done
echo "seed $entries: $(since "$started") s"

satchel() { # profile, arguments...
    local home=$1; shift
    SATCHEL_HOME="$home" RUST_LOG=error "$bin" --lnddir "$work/sim" --network regtest \
        --rpcserver "127.0.0.1:$port" "$@"
}
# timed LABEL PROFILE ARGS...: wall time and peak RSS, output to $work/out
timed() {
    local label=$1; shift
    /usr/bin/time -f "%e %M" -o "$work/time" bash -c "$(declare -f satchel); bin='$bin' work='$work' port='$port'; satchel \"\$@\"" _ "$@" >"$work/out"
    read -r wall rss <"$work/time"
    echo "$label: ${wall} s, peak RSS $((rss / 1024)) MB, $(wc -c <"$work/out") bytes out"
}

timed "sync only (inbox --limit 1), empty profile" "$work/p1" inbox --limit 1
timed "complete JSON listing, empty profile" "$work/p2" inbox --json --limit all
python3 -c "import json,sys; rows=json.load(open(sys.argv[1])); print('  rows listed:', len(rows), ' verified:', sum(r['sender']['status']=='verified' for r in rows))" "$work/out"
timed "complete JSON listing again" "$work/p2" inbox --json --limit all
timed "restart + first page (inbox --limit 50)" "$work/p2" inbox --limit 50
timed "inbox --search keysend" "$work/p2" inbox --search keysend
db=$(find "$work/p2" -name index.db | head -1)
echo "profile on disk: $(du -sm "$work/p2" | cut -f1) MB (index.db $(du -m "$db" | cut -f1) MB)"
# What each table and index of the index costs (issue 19's size target), in
# bytes per received row, when the sqlite3 shell (with dbstat) is installed.
if command -v sqlite3 >/dev/null; then
    sqlite3 "$db" "SELECT '  ' || name || ': ' || (sum(pgsize) / 1048576) || ' MB, ' || \
        (sum(pgsize) / max(1, (SELECT count(*) FROM received))) || ' B/row' \
        FROM dbstat GROUP BY name ORDER BY sum(pgsize) DESC LIMIT 12" 2>/dev/null || true
fi

if [[ $npm == 1 ]]; then
    npmdir=${BENCH_NPM_DIR:-$work/npm}
    if [[ ! -d "$npmdir/node_modules/lightning" ]]; then
        mkdir -p "$npmdir"
        (cd "$npmdir" && npm install --no-audit --no-fund --silent lightning >/dev/null)
    fi
    cat >"$npmdir/list.js" <<'JS'
// Every settled keysend with its records, newest first, as one JSON array:
// what `satchel inbox --json --limit all` prints, without sender checks.
const fs = require('fs');
const {authenticatedLndGrpc, getInvoices} = require('lightning');
const [dir, socket] = process.argv.slice(2);
const {lnd} = authenticatedLndGrpc({
  cert: fs.readFileSync(`${dir}/tls.cert`).toString('base64'),
  macaroon: fs.readFileSync(`${dir}/data/chain/bitcoin/regtest/admin.macaroon`).toString('base64'),
  socket,
});
(async () => {
  const rows = [];
  let token;
  do {
    const page = await getInvoices(token ? {lnd, token} : {lnd, limit: 1000});
    for (const inv of page.invoices) {
      if (!inv.is_confirmed) continue;
      for (const p of inv.payments) {
        rows.push({hash: inv.id, amount_msat: p.mtokens, settled_at: p.confirmed_at,
                   messages: p.messages});
      }
    }
    token = page.next;
  } while (token);
  process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
})().catch(e => { console.error(e); process.exit(1); });
JS
    /usr/bin/time -f "%e %M" -o "$work/time" node --no-deprecation "$npmdir/list.js" "$work/sim" "127.0.0.1:$port" >"$work/out"
    read -r wall rss <"$work/time"
    echo "npm lightning client, complete listing: ${wall} s, peak RSS $((rss / 1024)) MB, $(wc -c <"$work/out") bytes out"
    timed "satchel complete JSON listing, empty profile (side by side)" "$work/p3" inbox --json --limit all
fi
