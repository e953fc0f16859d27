-- wrk script for bench/serve_bench.sh: one POST /t/<token>/onderteken per token, no token twice.
--
--   wrk -t T -c C -d D --latency -s sign.lua URL -- FORMS T
--
-- FORMS has one line per token: "<path> <urlencoded body>" (path /t/<token>/onderteken, body
-- csrf=…&bevestig=ja&naam=…, prefetched from the page: csrf is an HMAC only the server can make).
-- Thread i of T takes the i-th contiguous slice of the lines. When a thread's slice is used up,
-- its connections send nothing more (delay() parks them), and once every POST it sent has been
-- answered the thread stops, so wrk's histogram holds signing requests only. wrk divides by the
-- whole -d duration, so done() prints its own count and the wall time from the first request to
-- the last response (CLOCK_MONOTONIC through LuaJIT's FFI):
--   SIGN sent=… answered=… signed=… other=… elapsed_s=… p50_ms=… p99_ms=… max_ms=…

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } sto_bench_timespec;
  int clock_gettime(int clock, sto_bench_timespec* ts);
]]
local ts = ffi.new("sto_bench_timespec")
local function now_ns()
  ffi.C.clock_gettime(1, ts)  -- CLOCK_MONOTONIC: the same clock in every thread
  return tonumber(ts.tv_sec) * 1e9 + tonumber(ts.tv_nsec)
end

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_index", counter)
  table.insert(threads, thread)
end

local requests = {}
local reserved = 0  -- requests promised to a connection by delay()
sent = 0
answered = 0
signed = 0
other = 0
start_ns = 0
last_ns = 0

function init(args)
  local forms, nthreads = args[1], tonumber(args[2])
  local lines = {}
  for line in io.lines(forms) do
    if line ~= "" then table.insert(lines, line) end
  end
  local per = math.floor(#lines / nthreads)
  local first = (thread_index - 1) * per + 1
  local last = thread_index == nthreads and #lines or thread_index * per
  local headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Sec-Fetch-Site"] = "same-origin",
  }
  for i = first, last do
    local path, body = lines[i]:match("^(%S+) (%S+)$")
    table.insert(requests, wrk.format("POST", path, headers, body))
  end
end

-- Called before every request of a connection: 0 to go on, or park the connection for an hour
-- (longer than any -d) when the slice is used up.
function delay()
  if reserved >= #requests then return 3600 * 1000 end
  reserved = reserved + 1
  return 0
end

-- wrk calls request() once in its main thread before the run, to check the request it makes
-- (script_verify_request): that call, and any without a reservation from delay(), gets a harmless
-- GET / (404, counted as "other" should it ever be sent) and uses no token.
function request()
  if sent >= reserved or sent >= #requests then return wrk.format("GET", "/") end
  if sent == 0 then start_ns = now_ns() end
  sent = sent + 1
  return requests[sent]
end

function response(status, headers, body)
  answered = answered + 1
  last_ns = now_ns()
  if status == 303 then signed = signed + 1 else other = other + 1 end
  if sent >= #requests and answered >= sent then wrk.thread:stop() end
end

function done(summary, latency, requests_)
  local first, last = nil, 0
  local s, a, ok, o = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    local st = t:get("start_ns")
    if st > 0 and (first == nil or st < first) then first = st end
    if t:get("last_ns") > last then last = t:get("last_ns") end
    s = s + t:get("sent")
    a = a + t:get("answered")
    ok = ok + t:get("signed")
    o = o + t:get("other")
  end
  io.write(string.format(
    "SIGN sent=%d answered=%d signed=%d other=%d elapsed_s=%.3f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
    s, a, ok, o, first and (last - first) / 1e9 or 0, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
