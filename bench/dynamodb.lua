-- wrk script for the DynamoDB benchmarks (bench/dynamodb.py). The operation
-- comes from the environment: DDB_OP=get (GetItem of one of DDB_KEYS seeded
-- keys), put (PutItem of a fresh random key, ~100-byte item) or query (Query
-- of one random partition of DDB_PARTS, 10 items each). The fixed signature
-- is accepted by Stratus's permissive mode and by moto.
local op = os.getenv("DDB_OP") or "get"
local table_name = os.getenv("DDB_TABLE") or "bench"
local keys = tonumber(os.getenv("DDB_KEYS") or "1000")
local parts = tonumber(os.getenv("DDB_PARTS") or "1000")
local targets = { get = "GetItem", put = "PutItem", query = "Query" }

wrk.method = "POST"
wrk.path = "/"
wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
wrk.headers["X-Amz-Target"] = "DynamoDB_20120810." .. targets[op]
wrk.headers["X-Amz-Date"] = "20250101T000000Z"
wrk.headers["Authorization"] =
  "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=00"

local payload = string.rep("x", 80)
local counter = 0

function setup(thread)
  thread:set("tid", tostring(math.random(1, 1e9)))
end

function request()
  counter = counter + 1
  local body
  if op == "get" then
    body = string.format('{"TableName":"%s","Key":{"pk":{"S":"k%d"},"sk":{"N":"0"}}}', table_name, counter % keys)
  elseif op == "put" then
    body = string.format('{"TableName":"%s","Item":{"pk":{"S":"w%s-%d"},"sk":{"N":"0"},"v":{"S":"%s"}}}', table_name, tid, counter, payload)
  else
    body = string.format('{"TableName":"%s","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"k%d"}}}', table_name, math.random(0, parts - 1))
  end
  return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
  io.write(string.format("LATENCY_US p50=%d p90=%d p99=%d max=%d\n",
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
  local e = summary.errors
  io.write(string.format("THROUGHPUT requests=%d duration_us=%d non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout))
end
