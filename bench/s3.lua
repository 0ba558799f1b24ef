-- wrk script for bench/s3.py: PUTs of 4 KiB objects under fresh keys
-- (S3_BUCKET/small/<thread>/<n>), unsigned, as Stratus's permissive mode and
-- moto accept. Reports latency percentiles and totals like dynamodb.lua.
local bucket = os.getenv("S3_BUCKET") or "bench"
local body = string.rep("x", 4096)
local counter = 0

wrk.method = "PUT"
wrk.headers["Content-Type"] = "application/octet-stream"
wrk.headers["X-Amz-Content-Sha256"] = "UNSIGNED-PAYLOAD"
wrk.headers["X-Amz-Date"] = "20250101T000000Z"
wrk.headers["Authorization"] =
  "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=00"

function setup(thread)
  thread:set("tid", tostring(math.random(1, 1e9)))
end

function request()
  counter = counter + 1
  return wrk.format("PUT", string.format("/%s/small/%s/%d", bucket, tid, counter), nil, body)
end

function done(summary, latency, requests)
  io.write(string.format("LATENCY_US p50=%d p90=%d p99=%d max=%d\n",
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
  local e = summary.errors
  io.write(string.format("THROUGHPUT requests=%d duration_us=%d non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout))
end
