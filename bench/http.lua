-- wrk script for `make bench`: one request line per row of the file named by the
-- first script argument ("METHOD<TAB>PATH<TAB>TOKEN<TAB>BODY[<TAB>THEN]"). Thread
-- k of n walks only the rows k+1, k+1+n, ... over and over; every non-2xx answer
-- is counted and reported (by status, with the first error code seen).
--
-- A row with THEN ("METHOD /path/{id}", e.g. a booking's cancel) holds a
-- resource (a therapist's slot) until THEN has been answered. "{row}" in its body
-- becomes the row's line number; the answer carries it back ("bench-row-<n>" in
-- the booking's note) with the new object's id, and THEN is sent with that id
-- and the row's token before the thread's next row. Until THEN's own answer has
-- come back the row is busy, and the thread skips to its next free row: wrk
-- gives a script no connection of its own, so this is how a slot is never
-- booked again before its previous booking was cancelled, at any speed.
local rows = {}
local mine = {}
local cursor = 0
local threads = {}
local busy = {}
local queue = {}
non2xx = 0
statuses = {}
first_error = ""
overlapped = 0

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
  local step = tonumber(args[2])
  for n = id + 1, #rows, step do table.insert(mine, n) end
  -- A thread with no row of its own (fewer rows than threads) shares them all.
  if #mine == 0 then for n = 1, #rows do table.insert(mine, n) end end
end

local function format(method, path, token, body)
  local headers = {["Content-Type"] = "application/json", ["Accept"] = "application/json"}
  if token ~= "" then headers["Authorization"] = "Bearer " .. token end
  if body == "" then body = nil end
  return wrk.format(method, path, headers, body)
end

local function next_row()
  for _ = 1, #mine do
    cursor = cursor % #mine + 1
    local n = mine[cursor]
    if not busy[n] then return n end
  end
  -- Every row of this thread is busy (more connections than rows): send one
  -- anyway, counted, so the run reports it instead of stalling.
  overlapped = overlapped + 1
  return mine[cursor]
end

function request()
  if #queue > 0 then
    local item = table.remove(queue, 1)
    return format(item[1], item[2], item[3], "")
  end
  local n = next_row()
  local row = rows[n]
  local body = row[4]
  if row[5] ~= "" then
    busy[n] = "made"
    body = body:gsub("{row}", tostring(n))
  end
  return format(row[1], row[2], row[3], body)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    statuses[status] = (statuses[status] or 0) + 1
    if first_error == "" and body ~= nil then
      first_error = body:match('"code":"([^"]*)"') or ""
    end
    return
  end
  if body == nil then return end
  local tag = body:match("bench%-row%-(%d+)")
  if tag == nil then return end
  local n = tonumber(tag)
  if busy[n] == "made" then
    busy[n] = "undoing"
    local method, path = rows[n][5]:match("^(%S+) (.*)$")
    local id = body:match('"id":(%d+)')
    table.insert(queue, {method, (path:gsub("{id}", id)), rows[n][3]})
  elseif busy[n] == "undoing" then
    busy[n] = nil
  end
end

function done(summary, latency, requests)
  local bad, overlaps, by_status, code = 0, 0, {}, ""
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
    overlaps = overlaps + thread:get("overlapped")
    for status, count in pairs(thread:get("statuses")) do
      by_status[status] = (by_status[status] or 0) + count
    end
    if code == "" then code = thread:get("first_error") end
  end
  local parts = {}
  for status, count in pairs(by_status) do
    table.insert(parts, string.format('"%d": %d', status, count))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"non2xx": %d, "non2xx_by_status": {%s}, "first_error_code": "%s", ' ..
    '"overlapped": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    bad, table.concat(parts, ", "), code:gsub('[^%w_]', ''), overlaps,
    e.connect + e.read + e.write + e.timeout))
end
