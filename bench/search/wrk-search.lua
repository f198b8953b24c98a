-- wrk-search.lua - bench/search/run.sh's HTTP half: GET /api/v1/search for each query of
-- the file QB_QUERIES (one per line, as search_bench drew them), in turn, with the session
-- cookie QB_COOKIE. done() prints one RESULT line; latencies in microseconds.
local cookie = os.getenv("QB_COOKIE")
local queries = {}
for line in io.lines(os.getenv("QB_QUERIES")) do
  local q = line:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end)
  queries[#queries + 1] = "/api/v1/search?types=person&limit=20&q=" .. q
end

local threads = 0
function setup(thread)
  thread:set("tno", threads)
  threads = threads + 1
end

local i = 0
function init(args)
  i = (tno or 0) * 7919
  if cookie and cookie ~= "" then
    wrk.headers["Cookie"] = cookie
  end
end

function request()
  i = i + 1
  return wrk.format("GET", queries[(i % #queries) + 1])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d max_us=%d errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, e.connect + e.read + e.write + e.status + e.timeout))
end
