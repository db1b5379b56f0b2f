-- wrk script: every request carries new events, each with its own random event id.
--
-- wrk ... URL -- TAG EVENTS_PER_REQUEST CONTAINER_ID TIMESTAMP CLIENTS [USERS [USER_PREFIX [LEDGER]]]
--   TAG                 8 hex digits: the first 32 bits of every event id of this run, so the
--                       events of one run can be counted by an index range scan afterwards
--   EVENTS_PER_REQUEST  0 for a single-event body, N for {"events": [N events]}
--   CONTAINER_ID        the adaptor's container id (sent as properties.container_id)
--   TIMESTAMP           the client timestamp written into every event
--   CLIENTS             a file of lines "user agent TAB address TAB referrer TAB url": each
--                       request speaks as one of them (User-Agent, X-Forwarded-For), and its
--                       events carry that page's url and referrer
--   USERS               how many visitors the events are drawn from (default 20000), each
--                       with one session and the user id USER_PREFIX and its number; 0: no
--                       user id at all (the tracker's cookieless events), 20000 sessions
--   USER_PREFIX         default "user_1732780000000_" (the seed snippet's)
--   LEDGER              a path prefix: each thread N writes the id of every event it sends to
--                       LEDGER.N.sent, one a line, and every 2xx answer's body to
--                       LEDGER.N.acked, one a line (EventLens answers in one line of JSON);
--                       `bench.loadgen.wrk` finds the accepted ids in them and merges both
--                       into a ledger for `bench.ledger`. Without it no answer is read at all.
--                       The script only writes (one call a request and one an answer, so the
--                       request loop stays compiled): wrk's CPU is part of the measurement.
-- On exit it prints one line: BENCH_RESULT {json}.
--
-- wrk never closes a thread's Lua state, so the ledger files are not closed by the script: they
-- are C streams, fully buffered, and exit() flushes every open stream when wrk returns from
-- main. `bench.loadgen.wrk` checks the merged counts against wrk's own, so a file cut short
-- (wrk killed) fails the run instead of passing as fewer events.

local threads = {}

local function ledger_file(prefix, kind)
   local file = assert(io.open(string.format("%s.%d.%s", prefix, thread_index, kind), "w"))
   file:setvbuf("full", 65536)
   return file
end

function setup(thread)
   thread:set("thread_index", #threads + 1)
   table.insert(threads, thread)
end

function init(args)
   tag = args[1]
   per_request = tonumber(args[2])
   container = args[3]
   stamp = args[4]
   sent_requests = 0
   math.randomseed(os.time() * 1000 + thread_index * 7919 + math.floor(os.clock() * 1e6))
   clients = {}
   for line in io.lines(args[5]) do
      local agent, address, referrer, url = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
      if agent then
         local page = ',"url":"' .. url .. '","referrer":'
            .. (referrer == "" and "null" or '"' .. referrer .. '"') .. ',"screen_width":1440}'
         table.insert(clients, {
            headers = { ["Content-Type"] = "application/json", ["User-Agent"] = agent,
                        ["X-Forwarded-For"] = address },
            page = page })
      end
   end
   users = tonumber(args[6] or "20000")
   visitors = users > 0 and users or 20000
   user_prefix = users > 0 and ',"user_id":"' .. (args[7] or "user_1732780000000_") or nil
   if args[8] then
      sent_file = ledger_file(args[8], "sent")
      acked_file = ledger_file(args[8], "acked")
   else
      response = nil  -- wrk reads answers only when the script has a response()
   end
   head = '","schema_id":"portfolio_events","event_type":"page_view"'
   tail = '","timestamp":"' .. stamp .. '","properties":{"page_title":"Home","tracked_at":"'
      .. stamp .. '","page_url":"http://localhost:8080/","page_path":"/","container_id":"'
      .. container .. '"},"metadata":{}'
end

local random, format = math.random, string.format

local function event_id()
   -- a version-4 UUID whose first 32 bits are the run's tag; the other 90 bits are random
   return format("%s-%04x-4%03x-%04x-%04x%04x%04x", tag, random(0, 0xffff), random(0, 0xfff),
      random(0x8000, 0xbfff), random(0, 0xffff), random(0, 0xffff), random(0, 0xffff))
end

local function event(client, id)
   -- the seed snippet's body, with the page's url and referrer; one session a visitor
   local visitor = format("%09d", random(1, visitors))
   local user = user_prefix and user_prefix .. visitor .. '"' or ""
   return '{"event_id":"' .. id .. head .. user .. ',"session_id":"session_1732780000000_'
      .. visitor .. tail .. client.page
end

function request()
   sent_requests = sent_requests + 1
   local client = clients[random(1, #clients)]
   local body
   if per_request == 0 then
      local id = event_id()
      body = event(client, id)
      if sent_file then
         sent_file:write(id, "\n")
      end
   else
      local events, ids = {}, {}
      for i = 1, per_request do
         ids[i] = event_id()
         events[i] = event(client, ids[i])
      end
      body = '{"events":[' .. table.concat(events, ",") .. "]}"
      if sent_file then
         sent_file:write(table.concat(ids, "\n"), "\n")
      end
   end
   return wrk.format("POST", nil, client.headers, body)
end

function response(status, headers, body)
   if status >= 200 and status <= 299 then
      acked_file:write(body, "\n")
   end
end

function done(summary, latency, requests)
   local sent = 0
   for _, thread in ipairs(threads) do
      sent = sent + thread:get("sent_requests")
   end
   local e = summary.errors
   io.write(format(
      'BENCH_RESULT {"requests":%d,"sent":%d,"duration_us":%d,"connect_errors":%d,'
         .. '"read_errors":%d,"write_errors":%d,"status_errors":%d,"timeouts":%d,'
         .. '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f}\n',
      summary.requests, sent, summary.duration, e.connect, e.read, e.write, e.status,
      e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency.max, latency.mean))
end
