-- wrk.lua - the request mix for bench/run.sh, set through the environment:
--   QB_MAX_ID=N    GET QB_PREFIX..id..QB_SUFFIX with a random id in 1..N per request
--   QB_PATH=/p     otherwise, GET this path every time
--   QB_COOKIE=...  a Cookie header for every request (qiao's session)
--   QB_DONATE=1,5,9 POST /api/v1/donation instead, each recording a donation to one of
--                  these programmes at random (QB_CSRF: the session's X-CSRF-Token)
-- done() prints one machine-readable RESULT line for run.sh; latencies in microseconds.
local max_id = tonumber(os.getenv("QB_MAX_ID") or "0")
local prefix = os.getenv("QB_PREFIX") or "/api/v1/org/"
local suffix = os.getenv("QB_SUFFIX") or ""
local path = os.getenv("QB_PATH") or "/"
local cookie = os.getenv("QB_COOKIE")
local donate = {}
for id in string.gmatch(os.getenv("QB_DONATE") or "", "[0-9]+") do
  donate[#donate + 1] = id
end

local threads = 0
function setup(thread)
  thread:set("tno", threads)
  threads = threads + 1
end

local fixed
function init(args)
  math.randomseed(os.time() * 1000 + (tno or 0) * 7919)
  if cookie and cookie ~= "" then
    wrk.headers["Cookie"] = cookie
  end
  if #donate > 0 then
    wrk.headers["Content-Type"] = "application/json"
    wrk.headers["X-CSRF-Token"] = os.getenv("QB_CSRF")
  elseif max_id == 0 then
    fixed = wrk.format("GET", path)
  end
end

local n = 0
function request()
  if fixed then
    return fixed
  end
  if #donate > 0 then
    n = n + 1
    return wrk.format("POST", "/api/v1/donation", nil, string.format(
      '{"programme_id":%s,"received_on":"2025-12-01","donor_type":"name",' ..
      '"donor_name":"基准捐赠人%d","amount":%d}', donate[math.random(1, #donate)], tno or 0, 10000 + n))
  end
  return wrk.format("GET", prefix .. math.random(1, max_id) .. suffix)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d bytes=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d " ..
    "err_connect=%d err_read=%d err_write=%d err_status=%d err_timeout=%d\n",
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
