-- wrk -s bench/wrk_report.lua URL -- MARKER MIN_BODY: prints one JSON line with the run's exact
-- totals (wrk's own summary rounds them) and how many answers were not the page asked for (a
-- search answered "busy", a page signed out): a plain body without MARKER, or a compressed one
-- (which Lua can't read) shorter than MIN_BODY bytes.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  marker = args[1] or ""
  min_body = tonumber(args[2] or "0")
  unexpected = 0
end

function response(status, headers, body)
  body = body or ""
  local encoding = headers["Content-Encoding"] or headers["content-encoding"]
  if #body < min_body or (not encoding and not string.find(body, marker, 1, true)) then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local missing = 0
  for _, thread in ipairs(threads) do
    missing = missing + thread:get("unexpected")
  end
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"unexpected": %d, "errors": %d, "non_2xx_3xx": %d}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(99),
    missing, errors.connect + errors.read + errors.write + errors.timeout, errors.status))
end
