-- wrk script: GET /contents/topic-K, where topic K (1..BENCH_TOPICS) is
-- requested with probability proportional to 1/K^BENCH_ZIPF_S (Zipf-like
-- popularity: a few hot topics, a long tail). Each wrk thread draws its own
-- fixed pseudo-random sequence, so every app gets the same request mix.
local n = tonumber(os.getenv("BENCH_TOPICS") or "1000")
local s = tonumber(os.getenv("BENCH_ZIPF_S") or "1.0")

local cdf, total = {}, 0
for k = 1, n do
  total = total + 1 / k ^ s
  cdf[k] = total
end
for k = 1, n do
  cdf[k] = cdf[k] / total
end

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("seed", threads)
end

function init(args)
  math.randomseed(7919 * (seed or 1))
end

function request()
  local u, lo, hi = math.random(), 1, n
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if cdf[mid] < u then lo = mid + 1 else hi = mid end
  end
  return wrk.format("GET", "/contents/topic-" .. lo)
end
