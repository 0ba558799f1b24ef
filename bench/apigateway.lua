-- wrk script for bench/apigateway.py: GETs of an API Gateway invoke URL
-- (the path given to wrk). done() prints latency percentiles and counts.
function done(summary, latency, requests)
  io.write(string.format("LATENCY_US p50=%d p90=%d p99=%d max=%d\n",
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
  local e = summary.errors
  io.write(string.format("THROUGHPUT requests=%d duration_us=%d non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout))
end
