-- KEYS: id key, aliases of this id, the 4 band sets of this simhash
-- ARGV: article id, url, simhash (16 hex), max distance, aliases key prefix, band entry
local owner = redis.call('GET', KEYS[1])
if owner then
  if owner == ARGV[2] then return {'new'} end
  redis.call('SADD', KEYS[2], ARGV[2])
  return {'dup', ARGV[1], owner}
end
local POP = {0,1,1,2,1,2,2,3,1,2,2,3,2,3,3,4}
local function dist(a, b)
  local d = 0
  for i = 1, 16 do
    local x = tonumber(string.sub(a, i, i), 16)
    local y = tonumber(string.sub(b, i, i), 16)
    if not x or not y then return 65 end
    d = d + POP[bit.bxor(x, y) + 1]
  end
  return d
end
local maxd = tonumber(ARGV[4])
local best_aid, best_url, best_d = nil, nil, 65
for b = 3, 6 do
  local entries = redis.call('SMEMBERS', KEYS[b])
  for _, e in ipairs(entries) do
    local rest = string.sub(e, 18)
    local c = string.find(rest, ':', 1, true)
    if c then
      local url = string.sub(rest, c + 1)
      if url ~= ARGV[2] then
        local d = dist(string.sub(e, 1, 16), ARGV[3])
        if d <= maxd and d < best_d then
          best_aid, best_url, best_d = string.sub(rest, 1, c - 1), url, d
        end
      end
    end
  end
end
if best_aid then
  redis.call('SADD', ARGV[5] .. best_aid, ARGV[2])
  return {'dup', best_aid, best_url}
end
redis.call('SET', KEYS[1], ARGV[2])
for b = 3, 6 do redis.call('SADD', KEYS[b], ARGV[6]) end
return {'new'}
