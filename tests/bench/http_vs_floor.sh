#!/bin/sh
# BENCHMARKS.md section 8: the HTTP API beside the floor (a minimal axum server answering a
# fixed body of the same size: ../shared/tools/axum-floor), alternately, `wrk -t2 -c64 -d8s
# --latency`, twice; the server's CPU per request from /proc/PID/stat (utime + stime).
#
#   cargo build --release -p api
#   CARGO_TARGET_DIR=/tmp/irisops-axum-floor cargo build --release \
#       --manifest-path ../shared/tools/axum-floor/Cargo.toml
#   tests/bench/http_vs_floor.sh [IRISOPS] [FLOOR]
set -eu
BIN=${1:-target/release/irisops}
FLOOR=${2:-/tmp/irisops-axum-floor/release/axum-floor}
W=$(mktemp -d)
PIDS=""
trap 'kill $PIDS 2>/dev/null || true' EXIT
start() { setsid "$@" >>"$W/log" 2>&1 & PIDS="$PIDS $!"; LAST=$!; }

# The demo writes its data, config (simulator port included) and tokens; stopped after that.
"$BIN" demo --listen 127.0.0.1:18471 --data "$W/data" >"$W/demo.log" 2>&1 &
DEMO=$!
sleep 15
kill -INT $DEMO; wait $DEMO || true
# The same config with the per-token rate raised: the limiter still runs on every request,
# but its 429s (2,000/s by default) would measure the limit, not the server.
awk '/^\[\[api.token\]\]/ && !done { print "[api]\nrate_per_second = 1000000"; done = 1 } { print }' \
    "$W/data/irisops-demo.toml" >"$W/bench.toml"
SIM=$(sed -n 's/^address = "127.0.0.1:\([0-9]*\)"$/\1/p' "$W/bench.toml" | head -1)
start "$BIN" simulate --listen "127.0.0.1:$SIM" --devices 20 --ports 24 --cadastre "$W/data/cadastre"
start "$BIN" serve --config "$W/bench.toml" --listen 127.0.0.1:18471
SERVE=$LAST
sleep 30 # a few polls
T=$(awk '$1 == "admin" { print $2 }' "$W/data/tokens")
size() { curl -s -H "Authorization: Bearer $T" "http://127.0.0.1:18471$1" | wc -c; }
# The floor answers {"devices": [n entries of 59 bytes]}: 13 + 59 n bytes.
start "$FLOOR" 127.0.0.1:18998 $(( ($(size /api/v1/devices) - 13 + 29) / 59 ))
FLOOR_DEVICES=$LAST
start "$FLOOR" 127.0.0.1:18997 $(( ($(size /api/v1/cadastre/layers/sites) - 13 + 29) / 59 ))
FLOOR_SITES=$LAST
sleep 1

run() { # PID NAME wrk-args...
    pid=$1; name=$2; shift 2
    t0=$(awk '{ print $14 + $15 }' /proc/$pid/stat)
    out=$(wrk -t2 -c64 -d8s --latency "$@" 2>&1)
    t1=$(awk '{ print $14 + $15 }' /proc/$pid/stat)
    n=$(echo "$out" | awk '/requests in/ { print $1 }')
    rps=$(echo "$out" | awk '/Requests\/sec/ { print $2 }')
    p50=$(echo "$out" | awk '$1 == "50%" { print $2 }')
    p99=$(echo "$out" | awk '$1 == "99%" { print $2 }')
    bad=$(echo "$out" | awk '/Non-2xx/ { print $5 }')
    tick=$(getconf CLK_TCK)
    echo "$name: $rps req/s, p50 $p50, p99 $p99, server CPU $(( (t1 - t0) * 1000000000 / tick / n )) ns/request, non-2xx ${bad:-0}"
}
for i in 1 2; do
    run $SERVE "irisops /api/v1/devices ($(size /api/v1/devices) B)" \
        -H "Authorization: Bearer $T" http://127.0.0.1:18471/api/v1/devices
    run $FLOOR_DEVICES "floor ($(curl -s http://127.0.0.1:18998/ | wc -c) B)" http://127.0.0.1:18998/
    run $SERVE "irisops /api/v1/cadastre/layers/sites ($(size /api/v1/cadastre/layers/sites) B)" \
        -H "Authorization: Bearer $T" http://127.0.0.1:18471/api/v1/cadastre/layers/sites
    run $FLOOR_SITES "floor ($(curl -s http://127.0.0.1:18997/ | wc -c) B)" http://127.0.0.1:18997/
done
uptime
