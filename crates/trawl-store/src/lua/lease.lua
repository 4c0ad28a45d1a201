-- KEYS: due, leases, inflight, hostdue, stats
-- ARGV: now, ttl, queue prefix, recover limit, then one fresh lease id per lease wanted
local function fmt(x) return string.format('%.0f', x) end
local now = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local qp = ARGV[3]
local max = #ARGV - 4
-- (a) expired leases: the item goes back into its queue (original score, attempt+1),
-- the host is due now (or later if deferred).
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[4]))
for _, host in ipairs(expired) do
  redis.call('ZREM', KEYS[2], host)
  local v = redis.call('HGET', KEYS[3], host)
  if v then
    redis.call('HDEL', KEYS[3], host)
    redis.call('HINCRBY', KEYS[5], 'inflight', -1)
    local p1 = string.find(v, '\n', 1, true)
    local p2 = p1 and string.find(v, '\n', p1 + 1, true)
    if p2 then
      local score = string.sub(v, p1 + 1, p2 - 1)
      local ok, item = pcall(cjson.decode, string.sub(v, p2 + 1))
      local json = string.sub(v, p2 + 1)
      if ok and type(item) == 'table' then
        item['attempt'] = (tonumber(item['attempt']) or 0) + 1
        json = cjson.encode(item)
      end
      local added = redis.call('ZADD', qp .. host, 'NX', score, json)
      if added > 0 then redis.call('HINCRBY', KEYS[5], 'queued', added) end
    end
    local due = tonumber(redis.call('HGET', KEYS[4], host) or '0') or 0
    if due < now then
      due = now
      redis.call('HSET', KEYS[4], host, fmt(due))
    end
    if redis.call('ZCARD', qp .. host) > 0 then
      redis.call('ZADD', KEYS[1], fmt(due), host)
    end
  end
end
-- (b) due hosts, longest waiting first: pop the most urgent URL of each.
local out = {}
if max < 1 then return out end
local hosts = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, max)
local used = 0
for _, host in ipairs(hosts) do
  redis.call('ZREM', KEYS[1], host)
  local popped = redis.call('ZPOPMIN', qp .. host)
  if #popped == 2 then
    used = used + 1
    local id = ARGV[4 + used]
    redis.call('ZADD', KEYS[2], fmt(now + ttl), host)
    redis.call('HSET', KEYS[3], host, id .. '\n' .. popped[2] .. '\n' .. popped[1])
    redis.call('HINCRBY', KEYS[5], 'queued', -1)
    redis.call('HINCRBY', KEYS[5], 'inflight', 1)
    out[#out + 1] = host
    out[#out + 1] = id
    out[#out + 1] = popped[1]
  end
end
return out
