-- wrk script for plain GET requests: prints one line "RESULT <requests/s> <p50 ms> <p99 ms>
-- <errors>", as ocsp-post.lua does, for the bench scripts.
function done(summary, latency, _)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.status + e.timeout
  io.write(string.format("RESULT %.0f %.3f %.3f %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors))
end
