-- wrk script: every request is the signed STS GetCallerIdentity form POST
-- (the fixed signature is accepted by Stratus's permissive mode and by moto).
-- No response() hook (it would make wrk hand every body to Lua and cost client
-- CPU); non-2xx answers are counted by wrk itself ("Non-2xx or 3xx responses").
wrk.method = "POST"
wrk.path = "/"
wrk.body = "Action=GetCallerIdentity&Version=2011-06-15"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
wrk.headers["X-Amz-Date"] = "20250101T000000Z"
wrk.headers["Authorization"] =
  "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=00"

function done(summary, latency, requests)
  io.write(string.format("LATENCY_US p50=%d p90=%d p99=%d max=%d\n",
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
  local e = summary.errors
  io.write(string.format("THROUGHPUT requests=%d duration_us=%d non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout))
end
