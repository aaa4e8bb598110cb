-- Sends one request body (BENCH_BODY) with optional Authorization (BENCH_AUTH); a body holding
-- "{n}" gets a number unique to the thread and request. Prints one JSON line at the end.
local body = os.getenv("BENCH_BODY")
local auth = os.getenv("BENCH_AUTH")
local path = os.getenv("BENCH_PATH") or "/graphql"
local method = os.getenv("BENCH_METHOD") or "POST"
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  thread_id = id or 0
end

function request()
  local headers = {["Content-Type"] = "application/json", ["Accept"] = "application/json"}
  if auth and auth ~= "" then headers["Authorization"] = auth end
  local text = body
  if text and string.find(text, "{n}", 1, true) then
    counter = counter + 1
    text = string.gsub(text, "{n}", tostring(thread_id) .. "x" .. tostring(counter))
  end
  if method == "GET" then text = nil end
  return wrk.format(method, path, headers, text)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"socket_errors":%d,"status_errors":%d,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean))
end
