-- wrk script for ops/bench-ocsp: POSTs the DER OCSP request OCSP_REQ_DIR/1.der (static, the
-- cheapest for wrk), or with OCSP_ROTATE=1 the requests 1.der .. N.der in turn; prints one
-- machine-readable line: RESULT requests/s p50-ms p99-ms errors.
local dir = os.getenv("OCSP_REQ_DIR")
local count = tonumber(os.getenv("OCSP_REQ_COUNT"))
local requests = {}
local next_request = 0
local rotate = os.getenv("OCSP_ROTATE") == "1"

if not rotate then
  local f = assert(io.open(dir .. "/1.der", "rb"))
  wrk.method = "POST"
  wrk.body = f:read("*a")
  wrk.headers["Content-Type"] = "application/ocsp-request"
  f:close()
end

function init(args)
  if not rotate then return end
  local headers = { ["Content-Type"] = "application/ocsp-request" }
  for k, v in pairs(wrk.headers) do headers[k] = v end
  for i = 1, count do
    local f = assert(io.open(dir .. "/" .. i .. ".der", "rb"))
    local body = f:read("*a")
    f:close()
    requests[i] = wrk.format("POST", nil, headers, body)
  end
  next_request = math.random(count) - 1
end

if rotate then
  function request()
    next_request = next_request % count + 1
    return requests[next_request]
  end
end

function done(summary, latency, _)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.status + e.timeout
  io.write(string.format("RESULT %.0f %.3f %.3f %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors))
end
