-- wrk script for bench/sqs.py, SQS's JSON protocol with a fixed signature
-- (accepted by Stratus's permissive mode and by moto). SQS_OP=send sends
-- SendMessageBatch requests of 10 messages of 200 bytes; SQS_OP=consume
-- alternates ReceiveMessage (10 at a time) with a DeleteMessageBatch of the
-- handles just received. done() prints latency, requests and messages moved.
local op = os.getenv("SQS_OP") or "send"
local url = os.getenv("SQS_QUEUE_URL")
local threads = {}

local function headers(action)
  return {
    ["Content-Type"] = "application/x-amz-json-1.0",
    ["X-Amz-Target"] = "AmazonSQS." .. action,
    ["X-Amz-Date"] = "20250101T000000Z",
    ["Authorization"] = "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/sqs/aws4_request, SignedHeaders=host;x-amz-date, Signature=00",
  }
end

local send_headers, receive_headers, delete_headers =
  headers("SendMessageBatch"), headers("ReceiveMessage"), headers("DeleteMessageBatch")
local entries = {}
for i = 1, 10 do
  entries[i] = string.format('{"Id":"m%d","MessageBody":"%s"}', i, string.rep("x", 200))
end
local send_body = string.format('{"QueueUrl":"%s","Entries":[%s]}', url, table.concat(entries, ","))
local receive_body = string.format('{"QueueUrl":"%s","MaxNumberOfMessages":10}', url)

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  moved = 0
  deletes = {}
end

function request()
  if op == "send" then
    return wrk.format("POST", "/", send_headers, send_body)
  end
  local pending = table.remove(deletes)
  if pending then
    return wrk.format("POST", "/", delete_headers, pending)
  end
  return wrk.format("POST", "/", receive_headers, receive_body)
end

function response(status, hdrs, body)
  if status ~= 200 then
    return
  end
  if op == "send" then
    moved = moved + 10
    return
  end
  local items, n = {}, 0
  for handle in body:gmatch('"ReceiptHandle":"(.-)"') do
    n = n + 1
    items[n] = string.format('{"Id":"%d","ReceiptHandle":"%s"}', n, handle)
  end
  if n > 0 then
    moved = moved + n
    table.insert(deletes, string.format('{"QueueUrl":"%s","Entries":[%s]}', url, table.concat(items, ",")))
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do
    total = total + t:get("moved")
  end
  io.write(string.format("LATENCY_US p50=%d p90=%d p99=%d max=%d\n",
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
  local e = summary.errors
  io.write(string.format("THROUGHPUT requests=%d duration_us=%d non2xx=%d socket_errors=%d messages=%d\n",
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout, total))
end
