#!/usr/bin/env bash
# irisops vs prometheus-snmp-exporter on the same agent: same 4 ifXTable columns (ifName,
# ifHCInOctets, ifHCOutOctets, ifHighSpeed), same max-repetitions, PDU counts checked equal.
#
# Builds a network namespace with PAIRS veth pairs (2 x PAIRS + 1 interfaces), runs snmpd in it
# on 127.0.0.1:161 with its caches pinned, then measures CPU time (not wall time) from /proc:
#   1. `irisops bench poll --layout column` (one column per walk, like the exporter),
#   2. `irisops bench poll --layout table` (the 4 columns in each PDU, like the collector),
#   3. prometheus-snmp-exporter scraped SCRAPES times with curl.
# PDUs and varbinds are counted by the agent (snmpInPkts, snmpInTotalReqVars) before/after.
#
# Needs root, iproute2, snmpd + snmp, prometheus-snmp-exporter, curl, jq, and a release build:
#   cargo build --release -p api && sudo tests/bench/poll_vs_exporter.sh
# Knobs (environment): IRISOPS (binary), PAIRS=1000, ROUNDS=50, SCRAPES=20, REPS=25, and
# PIN=split (agent on CPU 0, the poller on CPU 1), PIN=same (both on CPU 0) or PIN=none (the
# scheduler decides). A poller that sleeps on every PDU pays for how its wake-ups travel, so
# placement moves the figures of both tools; split is the default: the agent is on another
# machine in production.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
IRISOPS=${IRISOPS:-$root/target/release/irisops}
PAIRS=${PAIRS:-1000}
ROUNDS=${ROUNDS:-50}
SCRAPES=${SCRAPES:-20}
REPS=${REPS:-25}
PIN=${PIN:-split}
case "$PIN" in
    split) agent_cpu=(taskset -c 0); poller_cpu=(taskset -c 1) ;;
    same) agent_cpu=(taskset -c 0); poller_cpu=(taskset -c 0) ;;
    none) agent_cpu=(); poller_cpu=() ;;
    *) echo "poll_vs_exporter: PIN must be split, same or none" >&2; exit 1 ;;
esac
NS=irisops-bench-$$
TMP=$(mktemp -d /tmp/irisops-bench.XXXXXX)
AGENT=127.0.0.1:161
EXPORTER_ADDR=127.0.0.1:9116
snmpd_pid=""
exporter_pid=""

die() { echo "poll_vs_exporter: $*" >&2; exit 1; }
for b in ip snmpd snmpget snmpset snmpwalk prometheus-snmp-exporter curl jq taskset; do
    command -v "$b" >/dev/null || die "$b not found (apt-get install iproute2 snmpd snmp prometheus-snmp-exporter curl jq)"
done
[ -x "$IRISOPS" ] || die "$IRISOPS not found: cargo build --release -p api"
[ "$(id -u)" = 0 ] || die "needs root (network namespaces)"

cleanup() {
    local pid
    for pid in $exporter_pid $snmpd_pid; do
        kill "$pid" 2>/dev/null || true
        # snmpd saves its persistent state into $TMP as it exits: wait before removing it.
        wait "$pid" 2>/dev/null || true
    done
    ip netns del "$NS" 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

inns() { timeout 120 ip netns exec "$NS" "$@"; }

# CPU nanoseconds of a process: live threads from schedstat; "stat" adds exited threads at 10 ms
# resolution (utime + stime, USER_HZ = 100).
cpu_ns() {
    local t=0 a rest f
    for f in /proc/"$1"/task/*/schedstat; do
        read -r a rest <"$f" || true
        t=$((t + a))
    done
    echo "$t"
}
stat_ns() {
    local rest
    rest=$(sed 's/.*) //' /proc/"$1"/stat)
    set -- $rest
    echo $(( (${12} + ${13}) * 10000000 ))
}

# snmpInPkts, snmpOutGetResponses, snmpInTotalReqVars of the agent, on one line.
agent_counters() {
    inns snmpget -v2c -c public -Oqv "$AGENT" \
        .1.3.6.1.2.1.11.1.0 .1.3.6.1.2.1.11.28.0 .1.3.6.1.2.1.11.13.0 | tr '\n' ' '
}

echo "== namespace $NS: $PAIRS veth pairs"
ip netns add "$NS"
ip -n "$NS" link set lo up
for i in $(seq 1 "$PAIRS"); do
    echo "link add va$i type veth peer name vb$i"
    echo "link set va$i up"
done >"$TMP/links"
ip -n "$NS" -batch "$TMP/links"
n_if=$(ip -n "$NS" -o link | wc -l)
echo "   $n_if interfaces"

cat >"$TMP/snmpd.conf" <<EOF
agentAddress udp:$AGENT
rocommunity public 127.0.0.1
rwcommunity private 127.0.0.1 .1.3.6.1.4.1.8072.1.5
EOF
SNMP_PERSISTENT_DIR=$TMP MIBS= ip netns exec "$NS" "${agent_cpu[@]}" \
    snmpd -f -C -c "$TMP/snmpd.conf" -Lf "$TMP/snmpd.log" &
snmpd_pid=$!
for _ in $(seq 50); do
    inns snmpget -v2c -c public -t 0.2 -r 0 "$AGENT" .1.3.6.1.2.1.1.3.0 >/dev/null 2>&1 && break
    sleep 0.1
done
[ "$(cat /proc/$snmpd_pid/comm)" = snmpd ] || die "snmpd is not pid $snmpd_pid"
echo "== snmpd pid $snmpd_pid; pinning its caches (nsCacheTimeout = 3600)"
for oid in $(inns snmpwalk -v2c -c private -On -Oq "$AGENT" .1.3.6.1.4.1.8072.1.5.3.1.2 | awk '{print $1}'); do
    inns snmpset -v2c -c private -Oq "$AGENT" "$oid" i 3600 >/dev/null
done
# Fill the caches once (the first walk of a 2,001-row table loads it).
inns snmpbulkwalk -v2c -c public -Cr"$REPS" "$AGENT" .1.3.6.1.2.1.31.1.1.1.1 >/dev/null
rows=$(inns snmpbulkwalk -v2c -c public -Cr"$REPS" "$AGENT" .1.3.6.1.2.1.31.1.1.1.6 | wc -l)
echo "   ifHCInOctets rows: $rows"

# What reading the counters costs the counters themselves.
c1=$(agent_counters); c2=$(agent_counters)
read -r p1 _ v1 <<<"$c1"; read -r p2 _ v2 <<<"$c2"
self_pkts=$((p2 - p1)); self_vars=$((v2 - v1))

# delta "<before>" "<after>" -> "pdus varbinds" net of the counters' own read.
delta() {
    local bp bv ap av
    read -r bp _ bv <<<"$1"; read -r ap _ av <<<"$2"
    echo "$((ap - bp - self_pkts)) $((av - bv - self_vars))"
}

run_irisops() { # layout
    local before after d json
    before=$(agent_counters)
    json=$(inns "${poller_cpu[@]}" "$IRISOPS" bench poll --target "$AGENT" --community public \
        --max-repetitions "$REPS" --rounds "$ROUNDS" --agent-pid "$snmpd_pid" --layout "$1")
    after=$(agent_counters)
    d=$(delta "$before" "$after")
    echo "$json" >"$TMP/irisops-$1.json"
    echo "$json" >&2
    # The warm-up round is one more round the agent saw.
    read -r pk vb <<<"$d"
    echo "$json" | jq -c --argjson pk "$pk" --argjson vb "$vb" --argjson n $((ROUNDS + 1)) \
        '. + {agent_pdus_per_round: ($pk / $n), agent_varbinds_per_round: ($vb / $n)}'
}

echo "== irisops bench poll --layout column ($ROUNDS rounds + 1 warm-up)"
col=$(run_irisops column)
echo "== irisops bench poll --layout table"
tab=$(run_irisops table)

echo "== prometheus-snmp-exporter, module irisops_bench (same 4 columns, max_repetitions $REPS)"
{
    echo "irisops_bench:"
    echo "  walk:"
    for c in 1 6 10 15; do echo "  - 1.3.6.1.2.1.31.1.1.1.$c"; done
    echo "  version: 2"
    echo "  max_repetitions: $REPS"
    echo "  retries: 1"
    echo "  timeout: 5s"
    echo "  auth:"
    echo "    community: public"
    echo "  metrics:"
    for m in "ifName 1 DisplayString" "ifHCInOctets 6 counter" "ifHCOutOctets 10 counter" "ifHighSpeed 15 gauge"; do
        set -- $m
        cat <<EOF
  - name: $1
    oid: 1.3.6.1.2.1.31.1.1.1.$2
    type: $3
    indexes:
    - labelname: ifIndex
      type: gauge
    lookups:
    - labels: [ifIndex]
      labelname: ifName
      oid: 1.3.6.1.2.1.31.1.1.1.1
      type: DisplayString
EOF
    done
} >"$TMP/snmp.yml"
ip netns exec "$NS" "${poller_cpu[@]}" prometheus-snmp-exporter --config.file="$TMP/snmp.yml" \
    --web.listen-address="$EXPORTER_ADDR" --log.level=warn 2>"$TMP/exporter.log" &
exporter_pid=$!
url="http://$EXPORTER_ADDR/snmp?target=$AGENT&module=irisops_bench"
for _ in $(seq 50); do
    inns curl -sf -o /dev/null "http://$EXPORTER_ADDR/" && break
    sleep 0.1
done
[ "$(cat /proc/$exporter_pid/comm)" = prometheus-snmp ] || die "exporter is not pid $exporter_pid"
# Warm-up (Go runtime, first allocations); check the answer is complete.
inns curl -sf -o "$TMP/scrape.txt" "$url"
n_series=$(grep -c '^ifHCInOctets{' "$TMP/scrape.txt" || true)
[ "$n_series" = "$rows" ] || die "the exporter returned $n_series ifHCInOctets series, want $rows"
before=$(agent_counters)
e_cpu0=$(cpu_ns "$exporter_pid"); e_stat0=$(stat_ns "$exporter_pid"); a_cpu0=$(cpu_ns "$snmpd_pid")
t0=$(date +%s%N)
for _ in $(seq "$SCRAPES"); do
    inns curl -sf -o /dev/null "$url"
done
t1=$(date +%s%N)
sleep 1 # let the Go runtime finish the scrapes' garbage collection: it is their cost too
e_cpu1=$(cpu_ns "$exporter_pid"); e_stat1=$(stat_ns "$exporter_pid"); a_cpu1=$(cpu_ns "$snmpd_pid")
after=$(agent_counters)
read -r e_pk e_vb <<<"$(delta "$before" "$after")"
exp=$(jq -nc --argjson n "$SCRAPES" --argjson pk "$e_pk" --argjson vb "$e_vb" \
    --argjson cpu $((e_cpu1 - e_cpu0)) --argjson stat $((e_stat1 - e_stat0)) \
    --argjson agent $((a_cpu1 - a_cpu0)) --argjson wall $((t1 - t0)) '{
      agent_pdus_per_round: ($pk / $n), agent_varbinds_per_round: ($vb / $n),
      exporter_cpu_ms_schedstat: ($cpu / $n / 1e6), exporter_cpu_ms_stat: ($stat / $n / 1e6),
      poller_cpu_ms_per_round: ([$cpu, $stat] | max / $n / 1e6),
      poller_cpu_us_per_varbind: ([$cpu, $stat] | max / $vb / 1e3),
      agent_cpu_us_per_varbind: ($agent / $vb / 1e3),
      wall_ms_per_round: ($wall / $n / 1e6)}')
echo "$exp" >&2

echo
echo "== $n_if interfaces, 4 columns, max-repetitions $REPS, PIN=$PIN; CPU from /proc (schedstat)"
jq -rn --argjson c "$col" --argjson t "$tab" --argjson e "$exp" '
  def f(x; d): (x * pow(10; d) | round) / pow(10; d) | tostring;
  def row(name; k; d): [name, f($c[k]; d), f($t[k]; d), f($e[k]; d)] | @tsv;
  (["", "irisops column", "irisops table", "exporter"] | @tsv),
  row("PDUs per poll (agent)"; "agent_pdus_per_round"; 1),
  row("varbinds per poll (agent)"; "agent_varbinds_per_round"; 1),
  row("poller CPU ms per poll"; "poller_cpu_ms_per_round"; 2),
  row("poller CPU us per varbind"; "poller_cpu_us_per_varbind"; 3),
  row("agent CPU us per varbind"; "agent_cpu_us_per_varbind"; 2),
  row("wall ms per poll"; "wall_ms_per_round"; 1),
  (["exporter / irisops CPU", f($e.poller_cpu_us_per_varbind / $c.poller_cpu_us_per_varbind; 1),
    f($e.poller_cpu_us_per_varbind / $t.poller_cpu_us_per_varbind; 1), "1"] | @tsv)
' | column -t -s $'\t'

c_pk=$(jq -r .agent_pdus_per_round <<<"$col")
e_pk_r=$(jq -r .agent_pdus_per_round <<<"$exp")
if [ "$c_pk" != "$e_pk_r" ]; then
    die "PDU counts differ: irisops (column) $c_pk per poll, exporter $e_pk_r per scrape"
fi
echo "PDU counts equal: $c_pk per poll (irisops column layout) and per scrape (exporter)"
