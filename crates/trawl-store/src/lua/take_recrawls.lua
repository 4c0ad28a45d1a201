-- KEYS: recrawl (url -> due), recrawl items (url -> json)   ARGV: now, max
local urls = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, u in ipairs(urls) do
  redis.call('ZREM', KEYS[1], u)
  local j = redis.call('HGET', KEYS[2], u)
  if j then
    redis.call('HDEL', KEYS[2], u)
    out[#out + 1] = j
  end
end
return out
