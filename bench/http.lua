-- wrk script for `make bench`: one request line per row of the file named by the
-- first script argument ("METHOD<TAB>PATH<TAB>TOKEN<TAB>BODY"). Each thread walks
-- its own share of the rows; every non-2xx answer is counted and reported.
local rows = {}
local index = 0
local threads = {}
non2xx = 0

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    local method, path, token, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    table.insert(rows, {method, path, token, body})
  end
  step = tonumber(args[2])
  index = id
end

function request()
  local row = rows[(index % #rows) + 1]
  index = index + step
  local headers = {["Content-Type"] = "application/json", ["Accept"] = "application/json"}
  if row[3] ~= "" then headers["Authorization"] = "Bearer " .. row[3] end
  local body = nil
  if row[4] ~= "" then body = row[4] end
  return wrk.format(row[1], row[2], headers, body)
end

function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + thread:get("non2xx") end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"non2xx": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    bad, e.connect + e.read + e.write + e.timeout))
end
