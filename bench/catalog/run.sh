#!/usr/bin/env bash
# Catalog load benchmark: bangfu against PostGraphile 5.1.5 on one
# PostgreSQL database, driven by wrk, interleaved, with ratios from the
# same run. See README "Catalog load benchmark".
#
#   bench/catalog/run.sh            # uses $DB (default catalog_bench), seeding it when it has no products
#   SEED=1 bench/catalog/run.sh     # (re)seed: 1,000,000 products (seed --scale 1 --products 1000000)
#   PLACE_SECONDS=600 bench/catalog/run.sh   # placeOrder burst length before the page is measured again
#   PLACE_ORDERS=100000 bench/catalog/run.sh # or: a burst of at least this many placeOrders
#   AB_ONLY=1 bench/catalog/run.sh          # only the before/after comparison (ABBA) of $DB
#                                           # against ${DB}_before, as left by an earlier run with a burst
#
# With a burst, the database is first copied to ${DB}_before (CREATE
# DATABASE … TEMPLATE): after the burst a second bangfu serves the copy, and
# the page is measured on both databases in alternation, so that the
# comparison before/after shares the machine's moment (on a shared VM the
# same page drifts by ±20% from one minute to the next).
#
# Needs go, psql, wrk (apt-get install wrk). PostGraphile runs when node and
# npm are present: it is installed once into ~/.cache/bangfu-postgraphile
# (not the repository); Node 20 gets a Promise.withResolvers polyfill
# through node --require (PostGraphile 5 wants Node 22).
set -euo pipefail
cd "$(dirname "$0")/../.."

PGURL_BASE=${PGURL_BASE:-postgres://postgres@127.0.0.1:5432}
DB=${DB:-catalog_bench}
URL="$PGURL_BASE/$DB?sslmode=disable"
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-8}
PLACE_SECONDS=${PLACE_SECONDS:-0}
PLACE_ORDERS=${PLACE_ORDERS:-0}
BANGFU_PORT=${BANGFU_PORT:-18081}
PGL_PORT=${PGL_PORT:-15678}
PGL_DIR=${PGL_DIR:-$HOME/.cache/bangfu-postgraphile}
WORK=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

psqlq() { psql "$URL" -XAtq -c "$1"; }

echo "== database $DB"
if [[ "${SEED:-}" == 1 ]] || ! psqlq "SELECT 1 FROM products LIMIT 1" 2>/dev/null | grep -q 1; then
  createdb -h 127.0.0.1 -U postgres "$DB" 2>/dev/null || true
  DATABASE_URL=$URL /usr/bin/time -f "seed: %e s wall, %U s user" go run ./seed --reset --scale 1 --products 1000000 --households 10000 --lines 100000 \
    < /dev/null > "$WORK/seed.log" 2>&1 || { cat "$WORK/seed.log"; exit 1; }
  tail -n 3 "$WORK/seed.log"
fi

BEFORE_DB=${DB}_before
if [[ "${AB_ONLY:-}" != 1 ]] && [[ "$PLACE_SECONDS" != 0 || "$PLACE_ORDERS" != 0 ]]; then
  echo "== copying $DB to $BEFORE_DB (the state before the burst)"
  dropdb -h 127.0.0.1 -U postgres --if-exists "$BEFORE_DB"
  # A template must have no other session: retry past an autovacuum worker.
  # FILE_COPY copies the files: the default (WAL_LOG, PostgreSQL 15) reads
  # the whole database through shared buffers and the WAL, and the
  # measurements after it would share the machine with its checkpoint.
  for try in 1 2 3 4 5 6 7 8 9 10; do
    createdb -h 127.0.0.1 -U postgres --strategy=file_copy -T "$DB" "$BEFORE_DB" 2> "$WORK/createdb.err" && break
    if [[ $try == 10 ]]; then cat "$WORK/createdb.err"; exit 1; fi
    sleep 3
  done
fi

echo "== bangfu"
go build -o "$WORK/server" ./server
start=$(date +%s.%N)
DATABASE_URL=$URL LOG_LEVEL=warn "$WORK/server" --addr "127.0.0.1:$BANGFU_PORT" > "$WORK/server.log" 2>&1 &
bangfu_pid=$!
pids+=($bangfu_pid)
until curl -sf "127.0.0.1:$BANGFU_PORT/readyz" > /dev/null; do sleep 0.05; done
echo "ready after $(echo "$(date +%s.%N) - $start" | bc) s (migrations included on a first start)"
echo "products: $(psqlq 'SELECT count(*) FROM products')"

# jobs_idle URL: waits until no scheduled job runs on that database. A
# server runs its daily jobs (integrity scan, monitoring scan) when it first
# starts on a database that day; on a million products they take a while,
# and measured meanwhile they would count against whichever page was being
# measured then (a fresh server on the copy from before the burst runs them,
# the copy having no run of the day).
jobs_idle() {
  local busy
  for _ in $(seq 1200); do
    busy=$(psql "$1" -XAtq -c "SELECT count(*) FROM job_runs WHERE finished_at IS NULL")
    [[ "$busy" == 0 ]] && break
    sleep 0.5
  done
  psql "$1" -XAtq -F ' ' -c "SELECT '  job ' || job || ': ' || round(EXTRACT(EPOCH FROM finished_at - started_at)::numeric, 1) || ' s; ' || coalesce(outcome, '')
    FROM job_runs WHERE started_at > now() - interval '30 minutes' ORDER BY started_at"
}
sleep 1 # the jobs claim their period as the server starts
jobs_idle "$URL"

# A product that is listed, well stocked, of an approved supplier: node(id:) target.
pid=$(psqlq "SELECT p.id FROM products p JOIN product_sales s ON s.product_id = p.id WHERE p.status = 'LISTED' ORDER BY s.units_sold DESC, s.product_id DESC LIMIT 1")
gid=$(printf 'Product:%s' "$pid" | base64 -w0 | tr '+/' '-_' | tr -d '=')

body() { python3 -c 'import json,sys; print(json.dumps({"query": sys.argv[1]}))' "$1" > "$WORK/$2.json"; }
body '{ catalog(first: 50, sort: BEST_SELLING) { edges { node { id name priceFen unitsSold supplier { name } originCounty { name } currentCertification { certificateNumber validUntil } } } pageInfo { hasNextPage endCursor } } }' bangfu_page
body "{ node(id: \"$gid\") { id ... on Product { name priceFen stock } } }" bangfu_node

have_pgl=0
if [[ "${AB_ONLY:-}" != 1 ]] && command -v node > /dev/null && command -v npm > /dev/null; then
  echo "== PostGraphile 5.1.5"
  if [[ ! -x "$PGL_DIR/node_modules/.bin/postgraphile" ]]; then
    mkdir -p "$PGL_DIR"
    (cd "$PGL_DIR" && npm init -y > /dev/null && npm install --no-audit --no-fund postgraphile@5.1.5 > /dev/null)
  fi
  cat > "$PGL_DIR/polyfill.cjs" <<'EOF'
// Node 20 lacks Promise.withResolvers (Node 22), which PostGraphile 5 uses.
if (typeof Promise.withResolvers !== "function") {
  Promise.withResolvers = function () {
    let resolve, reject;
    const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
    return { promise, resolve, reject };
  };
}
EOF
  (cd "$PGL_DIR" && GRAPHILE_ENV=production exec node --require ./polyfill.cjs node_modules/.bin/postgraphile \
    -P postgraphile/presets/amber -c "$URL" -s public -n 127.0.0.1 -p "$PGL_PORT") > "$WORK/pgl.log" 2>&1 &
  pgl_pid=$! # the subshell execs node: this is PostGraphile's process
  pids+=($pgl_pid)
  for _ in $(seq 600); do curl -s -o /dev/null "127.0.0.1:$PGL_PORT/graphql" -H 'Content-Type: application/json' -d '{"query":"{__typename}"}' && break; sleep 0.1; done
  # The same page: the 50 best sellers (the counters, in their index's
  # order) with name, price, units sold, supplier name, origin county and
  # the current certificate (CERTIFIED, valid longest).
  body '{ allProductSales(first: 50, orderBy: [UNITS_SOLD_DESC, PRODUCT_ID_DESC]) { nodes { unitsSold productByProductId { id name priceFen organizationBySupplierId { name } regionByOriginCountyId { name } certificationsByProductId(first: 1, condition: {status: "CERTIFIED"}, orderBy: [VALID_UNTIL_DESC, ROW_ID_DESC]) { nodes { certificateNumber validUntil } } } } pageInfo { hasNextPage endCursor } } }' pgl_page
  pnode=$(curl -s "127.0.0.1:$PGL_PORT/graphql" -H 'Content-Type: application/json' \
    -d "{\"query\":\"{ productByRowId(rowId: \\\"$pid\\\") { id } }\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["productByRowId"]["id"])')
  body "{ node(id: \"$pnode\") { id ... on Product { name priceFen stock } } }" pgl_node
  have_pgl=1
fi

# check NAME PORT: one request, no errors.
check() {
  local out
  out=$(curl -s "127.0.0.1:$2/graphql" -H 'Content-Type: application/json' -d @"$WORK/$1.json")
  if [[ "$out" == *'"errors"'* || "$out" != *'"data"'* ]]; then echo "$1: $out" | head -c 2000; echo; exit 1; fi
}
check bangfu_page "$BANGFU_PORT"; check bangfu_node "$BANGFU_PORT"
if [[ $have_pgl == 1 ]]; then check pgl_page "$PGL_PORT"; check pgl_node "$PGL_PORT"; fi

# cpu_ticks PID: the process's user + system CPU so far, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# pg_ticks: the same, summed over PostgreSQL's processes (the server's
# backends among them: both servers keep their connections open).
pg_ticks() {
  local p t=0
  for p in $( (pgrep -x postgres; pgrep -f '^postgres:') | sort -u); do
    t=$(( t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0) ))
  done
  echo "$t"
}
TICKS_PER_S=$(getconf CLK_TCK)

# run NAME PORT PID: wrk at $CONNS connections; prints "rps p50 cpu pg",
# cpu and pg being the server process's and PostgreSQL's CPU milliseconds
# per request.
run() {
  local r t0 t1 g0 g1
  t0=$(cpu_ticks "$3") g0=$(pg_ticks)
  r=$(BODY_FILE="$WORK/$1.json" wrk -t2 -c"$CONNS" -d"$DURATION" -s bench/catalog/post.lua "http://127.0.0.1:$2/graphql" | grep RESULT)
  t1=$(cpu_ticks "$3") g1=$(pg_ticks)
  if [[ "$r" != *" bad=0"* ]]; then echo "$1: bad responses: $r" >&2; exit 1; fi
  local rps p50 n
  rps=$(sed -E 's/.*rps=([0-9.]+).*/\1/' <<< "$r"); p50=$(sed -E 's/.*p50_ms=([0-9.]+).*/\1/' <<< "$r")
  n=$(sed -E 's/.*requests=([0-9]+).*/\1/' <<< "$r")
  echo "$rps $p50 $(python3 -c "print(f'{($t1 - $t0) * 1000 / $TICKS_PER_S / max($n, 1):.2f}')")" \
    "$(python3 -c "print(f'{($g1 - $g0) * 1000 / $TICKS_PER_S / max($n, 1):.2f}')")"
}

# measure LABEL: ROUNDS interleaved rounds; per-round ratios.
measure() {
  echo "== $1: $ROUNDS rounds of $DURATION at $CONNS connections, interleaved"
  echo "(req/s, p50, and CPU per request: the server process's, then PostgreSQL's)"
  printf '%-6s %-34s %-34s %-8s %-34s %-34s %-8s\n' round "bangfu page" "PostGraphile page" ratio "bangfu node(id:)" "PostGraphile node(id:)" ratio
  for i in $(seq "$ROUNDS"); do
    read -r bp bpl bpc bpg <<< "$(run bangfu_page "$BANGFU_PORT" "$bangfu_pid")"
    pp=0 ppl=0 ppc=0 ppg=0 np=0 npl=0 npc=0 npg=0
    if [[ $have_pgl == 1 ]]; then read -r pp ppl ppc ppg <<< "$(run pgl_page "$PGL_PORT" "$pgl_pid")"; fi
    read -r bn bnl bnc bng <<< "$(run bangfu_node "$BANGFU_PORT" "$bangfu_pid")"
    if [[ $have_pgl == 1 ]]; then read -r np npl npc npg <<< "$(run pgl_node "$PGL_PORT" "$pgl_pid")"; fi
    printf '%-6s %-34s %-34s %-8s %-34s %-34s %-8s\n' "$i" "$bp (${bpl} ms; ${bpc}+${bpg} ms)" "$pp (${ppl} ms; ${ppc}+${ppg} ms)" \
      "$(python3 -c "print(f'{$bp/$pp:.2f}x' if $pp else '-')")" "$bn (${bnl} ms; ${bnc}+${bng} ms)" "$np (${npl} ms; ${npc}+${npg} ms)" \
      "$(python3 -c "print(f'{$bn/$np:.2f}x' if $np else '-')")"
  done
}

# page_buffers: the buffers the page's scan reads (the best sellers by the
# counters' index, each product by id), as EXPLAIN (ANALYZE, BUFFERS) counts
# them: index bloat from a write burst shows here first.
page_buffers() {
  psqlq "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT s.product_id FROM product_sales s JOIN products p ON p.id = s.product_id
    WHERE p.status = 'LISTED' ORDER BY s.units_sold DESC, s.product_id DESC LIMIT 51" |
    python3 -c 'import json,sys; p=json.load(sys.stdin)[0]["Plan"]; print(p["Shared Hit Blocks"] + p["Shared Read Blocks"])'
}

# ab_compare: the page on the database after the burst against the copy
# from before it.
ab_compare() {
  # The same page on the copy taken before the burst against the database
  # after it: two fresh bangfu processes of the same build, measured in
  # alternation (ABBA), then restarted with their places swapped (start
  # order and port: on this VM the first-started of two identical servers
  # measured ~5% slower), so that neither the machine's drift nor a
  # server's place counts as a difference between the databases.
  # serve_pair URL_A URL_B: starts a server on each, on ports +1 and +2.
  serve_pair() {
    DATABASE_URL=$1 LOG_LEVEL=warn "$WORK/server" --addr "127.0.0.1:$((BANGFU_PORT + 1))" > "$WORK/server-a.log" 2>&1 &
    pa=$!
    DATABASE_URL=$2 LOG_LEVEL=warn "$WORK/server" --addr "127.0.0.1:$((BANGFU_PORT + 2))" > "$WORK/server-b.log" 2>&1 &
    pb=$!
    pids+=($pa $pb)
    until curl -sf "127.0.0.1:$((BANGFU_PORT + 1))/readyz" > /dev/null && curl -sf "127.0.0.1:$((BANGFU_PORT + 2))/readyz" > /dev/null; do sleep 0.05; done
    sleep 1
    jobs_idle "$1"; jobs_idle "$2"
    check bangfu_page "$((BANGFU_PORT + 1))"; check bangfu_page "$((BANGFU_PORT + 2))"
    DURATION=3s run bangfu_page "$((BANGFU_PORT + 1))" "$pa" > /dev/null # warm both
    DURATION=3s run bangfu_page "$((BANGFU_PORT + 2))" "$pb" > /dev/null
  }
  AB_ROUNDS=${AB_ROUNDS:-12}
  echo "== the page after the burst against the copy from before it: $AB_ROUNDS rounds of 5s, alternating (ABBA), places swapped halfway"
  printf '%-6s %-34s %-34s %-8s\n' round "after the burst" "before it (copy)" "after/before"
  AFTER_URL=$URL BEFORE_URL="$PGURL_BASE/$BEFORE_DB?sslmode=disable"
  ratios=()
  for i in $(seq "$AB_ROUNDS"); do
    if (( i == 1 || i == AB_ROUNDS / 2 + 1 )); then
      if (( i > 1 )); then kill "$pa" "$pb"; wait "$pa" "$pb" 2> /dev/null || true; fi
      if (( i == 1 )); then serve_pair "$AFTER_URL" "$BEFORE_URL"; ap=$((BANGFU_PORT + 1)) apid=$pa bport=$((BANGFU_PORT + 2)) bpid=$pb
      else serve_pair "$BEFORE_URL" "$AFTER_URL"; ap=$((BANGFU_PORT + 2)) apid=$pb bport=$((BANGFU_PORT + 1)) bpid=$pa; fi
    fi
    if (( i % 2 )); then
      read -r xa xal xac xag <<< "$(DURATION=5s run bangfu_page "$ap" "$apid")"
      read -r xb xbl xbc xbg <<< "$(DURATION=5s run bangfu_page "$bport" "$bpid")"
    else
      read -r xb xbl xbc xbg <<< "$(DURATION=5s run bangfu_page "$bport" "$bpid")"
      read -r xa xal xac xag <<< "$(DURATION=5s run bangfu_page "$ap" "$apid")"
    fi
    r=$(python3 -c "print(f'{$xa/$xb:.2f}')")
    ratios+=("$r")
    printf '%-6s %-34s %-34s %-8s\n' "$i" "$xa (${xal} ms; ${xac}+${xag} ms)" "$xb (${xbl} ms; ${xbc}+${xbg} ms)" "$r"
  done
  echo "after/before: median $(printf '%s\n' "${ratios[@]}" | sort -n | python3 -c 'import sys,statistics; print(statistics.median(float(x) for x in sys.stdin))')," \
    "geometric mean $(printf '%s\n' "${ratios[@]}" | python3 -c 'import sys,math; v=[float(x) for x in sys.stdin]; print(f"{math.exp(sum(map(math.log, v))/len(v)):.3f}")')"
}

if [[ "${AB_ONLY:-}" == 1 ]]; then
  ab_compare
  exit 0
fi

echo "page scan buffers: $(page_buffers)"
# Warm both servers' caches and PostgreSQL's buffers with the pages first.
DURATION=3s run bangfu_page "$BANGFU_PORT" "$bangfu_pid" > /dev/null
if [[ $have_pgl == 1 ]]; then DURATION=3s run pgl_page "$PGL_PORT" "$pgl_pid" > /dev/null; fi
measure "before the write burst"

if [[ "$PLACE_SECONDS" != 0 || "$PLACE_ORDERS" != 0 ]]; then
  if [[ "$PLACE_ORDERS" != 0 ]]; then
    echo "== placeOrder burst: at least $PLACE_ORDERS orders at $CONNS connections (autovacuum off on products and product_sales, no VACUUM)"
  else
    echo "== placeOrder burst: $PLACE_SECONDS s at $CONNS connections (autovacuum off on products and product_sales, no VACUUM)"
  fi
  psqlq "ALTER TABLE products SET (autovacuum_enabled = off); ALTER TABLE product_sales SET (autovacuum_enabled = off)"
  token=$(curl -s "127.0.0.1:$BANGFU_PORT/graphql" -H 'Content-Type: application/json' \
    -d '{"query":"mutation { login(email: \"buyer@bangfu.example\", password: \"bangfu-demo-2026\") { accessToken } }"}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["login"]["accessToken"])')
  # 2,000 random listed, well stocked products of approved suppliers, as global IDs.
  products=$(psqlq "SELECT string_agg(rtrim(translate(encode(convert_to('Product:' || id, 'UTF8'), 'base64'), '+/', '-_'), '='), ',')
    FROM (SELECT p.id FROM products p JOIN supplier_profiles sp ON sp.organization_id = p.supplier_id AND sp.status = 'APPROVED'
      WHERE p.status = 'LISTED' AND p.stock >= 500 ORDER BY random() LIMIT 2000) t")
  read -r upd0 hot0 <<< "$(psqlq "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'products'" | tr '|' ' ')"
  # Tokens live 15 minutes: renew for long bursts.
  left=$PLACE_SECONDS placed=0 started=$SECONDS
  if [[ "$PLACE_ORDERS" != 0 ]]; then left=1; fi
  while (( left > 0 )); do
    chunk=$(( left < 600 ? left : 600 ))
    if [[ "$PLACE_ORDERS" != 0 ]]; then chunk=60; fi
    out=$(BANGFU_TOKEN=$token BANGFU_PRODUCTS=$products wrk -t2 -c"$CONNS" -d"${chunk}s" -s bench/wrk/place_order.lua \
      "http://127.0.0.1:$BANGFU_PORT/graphql")
    n=$(grep -E '^ +[0-9]+ requests' <<< "$out" | awk '{print $1}')
    placed=$(( placed + n ))
    grep -E 'Requests/sec|failed' <<< "$out" || true
    if [[ "$PLACE_ORDERS" != 0 ]]; then
      left=$(( placed < PLACE_ORDERS ? 1 : 0 ))
    else
      left=$(( left - chunk ))
    fi
  done
  sleep 2
  read -r upd1 hot1 <<< "$(psqlq "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'products'" | tr '|' ' ')"
  echo "placeOrder requests: $placed in $(( SECONDS - started )) s; product updates: $((upd1 - upd0)), HOT: $((hot1 - hot0))"
  # Let the log's sealer finish the burst's backlog and PostgreSQL write out
  # its dirty pages (a CHECKPOINT, not a VACUUM: no dead row is removed), so
  # that what follows measures the tables and indexes, not work left over.
  for _ in $(seq 240); do
    [[ "$(psqlq "SELECT (SELECT max(id) FROM audit_events) = (SELECT max(ref_id) FROM log_leaves WHERE kind = 'AUDIT_EVENT')")" == t ]] && break
    sleep 0.5
  done
  psqlq "CHECKPOINT"
  echo "page scan buffers: $(page_buffers)"
  measure "after the write burst"

  ab_compare
  psqlq "ALTER TABLE products RESET (autovacuum_enabled); ALTER TABLE product_sales RESET (autovacuum_enabled)"
fi
