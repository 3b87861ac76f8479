-- loadTable over uniformly random tables of the scale bench's catalog
-- (tests/bench/scale.sh; search_bench -t's layout: table i is t<i>, 7
-- digits, in namespace n00000 for the first N/5, round n00001 ..
-- n<N/100 - 1> after):  wrk -s scale_load.lua URL -- N
local n, nns, big

function init(args)
	n = tonumber(args[1])
	nns = math.max(math.floor(n / 100), 2)
	big = math.floor(n / 5)
	-- Each thread its own sequence.
	math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)") or "0", 16) or 0))
end

function request()
	local i = math.random(0, n - 1)
	local ns = 0
	if i >= big then
		ns = 1 + (i - big) % (nns - 1)
	end
	return wrk.format("GET", string.format(
	    "/v1/bench/namespaces/n%05d/tables/t%07d", ns, i))
end
