-- KEYS: due, inflight, hostdue, stats, seq
-- ARGV: now, queue prefix, then (host, priority, item json) triples
local function fmt(x) return string.format('%.0f', x) end
local n = (#ARGV - 2) / 3
if n < 1 then return 0 end
local seq = redis.call('INCRBY', KEYS[5], n) - n
local added = 0
local touched = {}
for i = 3, #ARGV, 3 do
  local host = ARGV[i]
  seq = seq + 1
  local score = tonumber(ARGV[i + 1]) * 1099511627776 + seq
  added = added + redis.call('ZADD', ARGV[2] .. host, 'NX', fmt(score), ARGV[i + 2])
  touched[host] = true
end
if added > 0 then redis.call('HINCRBY', KEYS[4], 'queued', added) end
for host, _ in pairs(touched) do
  if redis.call('HEXISTS', KEYS[2], host) == 0 and not redis.call('ZSCORE', KEYS[1], host) then
    local due = redis.call('HGET', KEYS[3], host)
    if not due then
      due = ARGV[1]
      redis.call('HSET', KEYS[3], host, due)
    end
    redis.call('ZADD', KEYS[1], due, host)
  end
end
return added
