-- KEYS: due, leases, inflight, hostdue, stats, queue of the host
-- ARGV: host, lease id, next due
local function fmt(x) return string.format('%.0f', x) end
local host = ARGV[1]
local v = redis.call('HGET', KEYS[3], host)
if not v then return 0 end
local p1 = string.find(v, '\n', 1, true)
if not p1 or string.sub(v, 1, p1 - 1) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[3], host)
redis.call('ZREM', KEYS[2], host)
redis.call('HINCRBY', KEYS[5], 'inflight', -1)
redis.call('HINCRBY', KEYS[5], 'done', 1)
local due = tonumber(redis.call('HGET', KEYS[4], host) or '0') or 0
local nd = tonumber(ARGV[3])
if nd > due then
  due = nd
  redis.call('HSET', KEYS[4], host, ARGV[3])
end
if redis.call('ZCARD', KEYS[6]) > 0 then
  redis.call('ZADD', KEYS[1], fmt(due), host)
end
return 1
