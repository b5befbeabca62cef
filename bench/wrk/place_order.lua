-- placeOrder load for wrk: one-line carts of random products, each with
-- a fresh idempotency key. BenchmarkPlaceOrderVsPgbench
-- (internal/httpapi/bench_test.go) runs it against the real handler:
--
--   BANGFU_TOKEN=<a buyer's access token> BANGFU_PRODUCTS=<global IDs, comma-separated> \
--     wrk -t2 -c8 -d10s -s bench/wrk/place_order.lua http://127.0.0.1:8080/graphql
--
-- A response with GraphQL errors is counted as failed ("failed N").

local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

local products, token, counter = {}, "", 0
failed = 0 -- a global: done() reads it from each thread

function init(args)
  token = os.getenv("BANGFU_TOKEN")
  for id in string.gmatch(os.getenv("BANGFU_PRODUCTS"), "[^,]+") do
    products[#products + 1] = id
  end
  math.randomseed(os.time() * 1000 + tid)
end

function request()
  counter = counter + 1
  local p = products[math.random(#products)]
  local body = '{"query":"mutation($in: PlaceOrderInput!) { placeOrder(input: $in) { id } }",' ..
    '"variables":{"in":{"idempotencyKey":"wrk-' .. tid .. '-' .. counter .. '-' .. math.random(1000000000) ..
    '","items":[{"productId":"' .. p .. '","quantity":1}]}}}'
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end

function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then
    failed = failed + 1
  end
end

function done(summary, latency, requests)
  local n = 0
  for _, t in ipairs(threads) do
    n = n + t:get("failed")
  end
  io.write(string.format("failed %d\n", n))
  io.write(string.format("p50 %.3f ms, p99 %.3f ms\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
