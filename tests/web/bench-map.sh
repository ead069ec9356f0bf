#!/usr/bin/env bash
# The web map's benchmark (BENCHMARKS.md §12): a 10,000-route cadastre (the demo's 671 routes
# copied aside to 10,000), served by `irisops serve`, opened in headless Chromium: the time to the
# map's first full paint, the page's weight, and the API calls of each view on the demo's own
# cadastre. Run from the repository's root after `cargo build --release`:
#   tests/web/bench-map.sh            (BIN=target/release/irisops, RUNS=5)
set -euo pipefail
BIN=${BIN:-$PWD/target/release/irisops}
RUNS=${RUNS:-5}
W=$(mktemp -d /tmp/irisops-bench-map.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$W"' EXIT
"$BIN" cadastre generate-demo --out "$W/demo" --seed 3 >/dev/null
"$BIN" cadastre export --data "$W/demo" --to geojson --out "$W/geo" >/dev/null
python3 - "$W/geo/routes.geojson" 10000 <<'PY'
import json, sys
path, n = sys.argv[1], int(sys.argv[2])
d = json.load(open(path)); base = d['features']; out = list(base); k = 0
while len(out) < n:
    f = json.loads(json.dumps(base[k % len(base)])); k += 1
    shift = 0.00003 * (k // len(base) + 1)
    f['id'] = f['properties']['id'] = f"r-x{k:05d}"
    f['geometry']['coordinates'] = [[x + shift, y + shift] for x, y in f['geometry']['coordinates']]
    out.append(f)
d['features'] = out
json.dump(d, open(path, 'w'))
PY
"$BIN" cadastre import --data "$W/big" --from geojson "$W"/geo/*.geojson >/dev/null
TOKEN=$("$BIN" token new --name bench --role admin | sed -n 2p)
HASH=$(printf '%s' "$TOKEN" | sha256sum | cut -c1-64)
P=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
cat >"$W/serve.toml" <<TOML
[store]
path = "$W/store"
[cadastre]
data = "$W/big"
[api]
rate_per_second = 1000000
[[api.token]]
name = "bench"
role = "admin"
sha256 = "$HASH"
TOML
"$BIN" serve --config "$W/serve.toml" --listen "127.0.0.1:$P" >"$W/serve.log" 2>&1 &
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$P/healthz" >/dev/null && break; sleep 0.2; done
# The server builds its cadastre snapshot as it starts: wait for it, so the runs measure the page.
for path in cadastre/layers/routes spare wifi/plan; do
  curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$P/api/v1/$path"
done
node "$(dirname "$0")/bench-map.js" "http://127.0.0.1:$P" "$TOKEN" "$RUNS"
