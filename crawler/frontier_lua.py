"""The shared frontier's atomic steps, as Lua scripts run inside Redis.

Keys of one crawl start with ``KEYS[1]`` (``diancang:JOB:``); the scripts build the others from
it, so the frontier needs one Redis server (not Redis Cluster). Time is Redis's own ``TIME``,
one clock for every worker. An entry is ``"ID HOST JSON"`` (crawler/request_json.py).

    q:HOST    list of the host's queued entries; a lease that expires goes back to its front
    ready     sorted set: hosts with queued entries and a free slot, scored by the time
              (ms) their politeness delay lets the next request start
    busy      hash HOST -> requests claimed and not yet fetched (per-host concurrency)
    next      hash HOST -> earliest start (ms) of the host's next request: the end of its
              previous fetch plus the delay
    leases    hash ID -> "OWNER ENTRY" of each claimed request
    expiry    sorted set ID -> lease expiry (ms)
    fetching  hash ID -> HOST while the claimed request still holds its host's slot
    pending   entries queued or leased: 0 means the crawl is done
    seen      set of the fingerprints of every request queued (one per collection and URL)
    nextid    the last entry id given
    robots    hash HOST -> its robots.txt as fetched by one worker (crawler/shared_state.py)
    robots-wait  set of hosts whose robots.txt no worker has stored yet
    stats     hash name -> the crawl report's count, summed over the workers
    workers   hash OWNER -> when (unix s) the worker last sent its counts (every renewal)
    done      hash OWNER -> requests the worker has done
    rate:MIN  hash OWNER -> requests the worker did in minute MIN (Redis time), kept 3 min
"""

RATE_MINUTES_KEPT = 3

# shared by every script: now in ms; put HOST in `ready` when it has work and a free slot
_COMMON = f"""
local p = KEYS[1]
local RATE_KEPT_MS = {RATE_MINUTES_KEPT * 60000}
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function mark_ready(host, conc)
  local busy = tonumber(redis.call('HGET', p .. 'busy', host) or '0')
  -- until its robots.txt is known, one request of a host at a time: the one that fetches it
  if redis.call('SISMEMBER', p .. 'robots-wait', host) == 1 then conc = 1 end
  if busy < conc and redis.call('LLEN', p .. 'q:' .. host) > 0 then
    local at = tonumber(redis.call('HGET', p .. 'next', host) or '0')
    redis.call('ZADD', p .. 'ready', at, host)
  else
    redis.call('ZREM', p .. 'ready', host)
  end
end
local function host_of(entry)
  return string.match(entry, '^%d+ (%S+) ')
end
-- the host's slot, held since the claim, is given back when its fetch ended
local function release(id, host, conc, delay, now)
  if redis.call('HDEL', p .. 'fetching', id) == 1 then
    redis.call('HINCRBY', p .. 'busy', host, -1)
    local at = tonumber(redis.call('HGET', p .. 'next', host) or '0')
    if now + delay > at then redis.call('HSET', p .. 'next', host, now + delay) end
  end
  mark_ready(host, conc)
end
local function lease_of(id, owner)
  local lease = redis.call('HGET', p .. 'leases', id)
  if not lease then return nil end
  local space = string.find(lease, ' ', 1, true)
  if string.sub(lease, 1, space - 1) ~= owner then return nil end
  return string.sub(lease, space + 1)
end
-- ARGV[first], ARGV[first + 1]...: name and increment of each count of the crawl report
local function add_counts(first)
  for i = first, #ARGV, 2 do
    redis.call('HINCRBY', p .. 'stats', ARGV[i], ARGV[i + 1])
  end
end
-- the console's throughput per worker (crawler/frontier_status.py)
local function count_done(owner, n, now)
  redis.call('HINCRBY', p .. 'done', owner, n)
  local rate = p .. 'rate:' .. math.floor(now / 60000)
  redis.call('HINCRBY', rate, owner, n)
  redis.call('PEXPIRE', rate, RATE_KEPT_MS)
end
local function drop_lease(id)
  redis.call('HDEL', p .. 'leases', id)
  redis.call('ZREM', p .. 'expiry', id)
end
"""

# ARGV: fingerprint, host, request JSON, front (1/0), dont_filter (1/0), concurrency,
# obeys robots.txt (1/0). Returns the new entry's id, or 0 for a request already seen.
ADD = (
    _COMMON
    + """
local added = redis.call('SADD', p .. 'seen', ARGV[1])
if added == 0 and ARGV[5] ~= '1' then return 0 end
if ARGV[7] == '1' and redis.call('HEXISTS', p .. 'robots', ARGV[2]) == 0 then
  redis.call('SADD', p .. 'robots-wait', ARGV[2])
end
local id = redis.call('INCR', p .. 'nextid')
local entry = id .. ' ' .. ARGV[2] .. ' ' .. ARGV[3]
if ARGV[4] == '1' then
  redis.call('LPUSH', p .. 'q:' .. ARGV[2], entry)
else
  redis.call('RPUSH', p .. 'q:' .. ARGV[2], entry)
end
redis.call('INCR', p .. 'pending')
mark_ready(ARGV[2], tonumber(ARGV[6]))
return id
"""
)

# ARGV: owner, concurrency, delay ms, lease ttl ms, how many to claim, then the count and ids
# of the worker's requests whose fetch ended, the count and ids of its requests done, then
# counts as add_counts reads them. One round trip for all a worker has to say and ask:
# - fetch ended: the host's slot is free, and its next request waits the delay from now;
# - done (everything the request led to is queued): the lease ends, pending goes down, and
#   the worker's counts since it last sent them are the crawl's in the same step; a lease
#   lost (expired and given to another worker, who does it again) is counted in `lost`;
# - claim: expired leases go back to the front of their hosts' queues first, then up to the
#   number asked are claimed from ready hosts.
# Returns {pending (after the dones), ms until a host may be ready (-1: none queued; 0 when
# something was claimed), lost, claimed entries...}.
STEP = (
    _COMMON
    + """
local owner, conc = ARGV[1], tonumber(ARGV[2])
local delay, ttl, want = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local now = now_ms()
local at = 6
local fetched = tonumber(ARGV[at])
for i = at + 1, at + fetched do
  local entry = lease_of(ARGV[i], owner)
  if entry then release(ARGV[i], host_of(entry), conc, delay, now) end
end
at = at + fetched + 1
local done, lost, finished = tonumber(ARGV[at]), 0, 0
for i = at + 1, at + done do
  local entry = lease_of(ARGV[i], owner)
  if entry then
    release(ARGV[i], host_of(entry), conc, delay, now)
    drop_lease(ARGV[i])
    finished = finished + 1
  else
    lost = lost + 1
  end
end
add_counts(at + done + 1)
if finished > 0 then
  redis.call('DECRBY', p .. 'pending', finished)
  count_done(owner, finished, now)
end
local pending = tonumber(redis.call('GET', p .. 'pending') or '0')
local result = {pending, 0, lost}
if want == 0 then return result end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', p .. 'expiry', '-inf', now, 'LIMIT', 0, 100)) do
  local lease = redis.call('HGET', p .. 'leases', id)
  drop_lease(id)
  if lease then
    local entry = string.sub(lease, string.find(lease, ' ', 1, true) + 1)
    local host = host_of(entry)
    redis.call('LPUSH', p .. 'q:' .. host, entry)
    -- the dead worker's request may have been sent: the host waits the delay all the same
    release(id, host, conc, delay, now)
  end
end
while #result - 3 < want do
  local hosts = redis.call('ZRANGEBYSCORE', p .. 'ready', '-inf', now, 'LIMIT', 0, 1)
  if #hosts == 0 then
    if #result == 3 then
      local first = redis.call('ZRANGE', p .. 'ready', 0, 0, 'WITHSCORES')
      result[2] = -1
      if #first > 0 then result[2] = math.max(0, tonumber(first[2]) - now) end
    end
    return result
  end
  local host = hosts[1]
  local entry = redis.call('LPOP', p .. 'q:' .. host)
  if entry then
    local id = string.match(entry, '^(%d+) ')
    redis.call('HINCRBY', p .. 'busy', host, 1)
    redis.call('HSET', p .. 'leases', id, owner .. ' ' .. entry)
    redis.call('ZADD', p .. 'expiry', now + ttl, id)
    redis.call('HSET', p .. 'fetching', id, host)
    mark_ready(host, conc)
    result[#result + 1] = entry
  else
    redis.call('ZREM', p .. 'ready', host)
  end
end
return result
"""
)

# ARGV: id, owner, fingerprint, host, request JSON, front, dont_filter, concurrency, delay ms,
# then counts as for DONE. A leased request replaced by another under the same id (a
# redirect, a retry): the lease ends and the new request is queued. Returns 1 queued, 0 lease
# lost (dropped: its other copy is done again), -1 a redirect to a URL already seen (done,
# nothing queued).
REPLACE = (
    _COMMON
    + """
add_counts(10)
local id, owner, host = ARGV[1], ARGV[2], ARGV[4]
local conc, delay = tonumber(ARGV[8]), tonumber(ARGV[9])
local entry = lease_of(id, owner)
if not entry then return 0 end
local now = now_ms()
release(id, host_of(entry), conc, delay, now)
drop_lease(id)
if redis.call('SADD', p .. 'seen', ARGV[3]) == 0 and ARGV[7] ~= '1' then
  redis.call('DECR', p .. 'pending')
  return -1
end
local new = id .. ' ' .. host .. ' ' .. ARGV[5]
if ARGV[6] == '1' then
  redis.call('LPUSH', p .. 'q:' .. host, new)
else
  redis.call('RPUSH', p .. 'q:' .. host, new)
end
mark_ready(host, conc)
return 1
"""
)

# ARGV: owner, ttl ms, ids... The live worker's leases run ttl more. Returns how many.
RENEW = (
    _COMMON
    + """
local owner, expires = ARGV[1], now_ms() + tonumber(ARGV[2])
local renewed = 0
for i = 3, #ARGV do
  if lease_of(ARGV[i], owner) then
    redis.call('ZADD', p .. 'expiry', 'XX', expires, ARGV[i])
    renewed = renewed + 1
  end
end
return renewed
"""
)

# ARGV: seed id, page limit. Takes one page of the seed's limit: 1, or 0 when spent.
TAKE_PAGE = """
local key = KEYS[1] .. 'budget:pages'
if tonumber(redis.call('HGET', key, ARGV[1]) or '0') >= tonumber(ARGV[2]) then return 0 end
redis.call('HINCRBY', key, ARGV[1], 1)
return 1
"""

# ARGV: seed id. The seed's start (ms, Redis time; kept if set); returns its age in ms.
SEED_AGE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSETNX', KEYS[1] .. 'budget:started', ARGV[1], now)
return now - tonumber(redis.call('HGET', KEYS[1] .. 'budget:started', ARGV[1]))
"""

# ARGV: host+path, URL, limit. The trap guard's query variants of one path, crawl-wide:
# 1 the URL may be followed, 0 the path has its limit of variants.
QUERY_VARIANT = """
local key = KEYS[1] .. 'variants:' .. ARGV[1]
if redis.call('SISMEMBER', key, ARGV[2]) == 1 then return 1 end
if redis.call('SCARD', key) >= tonumber(ARGV[3]) then return 0 end
redis.call('SADD', key, ARGV[2])
return 1
"""

# ARGV: host, stored robots.txt, concurrency, delay ms. The first worker's robots.txt of the host is
# kept; the host may now have its full concurrency.
ROBOTS_STORED = (
    _COMMON
    + """
redis.call('HSETNX', p .. 'robots', ARGV[1], ARGV[2])
redis.call('SREM', p .. 'robots-wait', ARGV[1])
-- the request that waited for it starts now: the host's next one waits the delay from now
local at = now_ms() + tonumber(ARGV[4])
if at > tonumber(redis.call('HGET', p .. 'next', ARGV[1]) or '0') then
  redis.call('HSET', p .. 'next', ARGV[1], at)
end
mark_ready(ARGV[1], tonumber(ARGV[3]))
return 1
"""
)
