-- wrk script for `make bench`: one request line per row of the file named by the
-- first script argument ("METHOD<TAB>PATH<TAB>TOKEN<TAB>BODY[<TAB>THEN]"). Each
-- thread walks its own share of the rows; every non-2xx answer is counted and
-- reported. A row with THEN ("METHOD /path/{id}", e.g. a booking's cancel) tags
-- its body with "bench-row-<n>" (n: the row's 1-based line): when a 2xx answer
-- carries that tag and the row is awaiting it, THEN is queued with the answer's
-- first "id" and the row's token, and sent before the next row.
local rows = {}
local index = 0
local threads = {}
local waiting = {}
local queue = {}
non2xx = 0

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    local method, path, token, rest = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    local body, after = rest:match("^([^\t]*)\t(.*)$")
    if body == nil then body, after = rest, "" end
    table.insert(rows, {method, path, token, body, after})
  end
  step = tonumber(args[2])
  index = id
end

local function format(method, path, token, body)
  local headers = {["Content-Type"] = "application/json", ["Accept"] = "application/json"}
  if token ~= "" then headers["Authorization"] = "Bearer " .. token end
  if body == "" then body = nil end
  return wrk.format(method, path, headers, body)
end

function request()
  if #queue > 0 then
    local item = table.remove(queue, 1)
    return format(item[1], item[2], item[3], "")
  end
  local n = (index % #rows) + 1
  local row = rows[n]
  index = index + step
  if row[5] ~= "" then waiting[n] = true end
  return format(row[1], row[2], row[3], row[4])
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    return
  end
  if body == nil then return end
  local tag = body:match("bench%-row%-(%d+)")
  if tag == nil then return end
  local n = tonumber(tag)
  if not waiting[n] then return end
  waiting[n] = nil
  local method, path = rows[n][5]:match("^(%S+) (.*)$")
  local id = body:match('"id":(%d+)')
  table.insert(queue, {method, (path:gsub("{id}", id)), rows[n][3]})
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
