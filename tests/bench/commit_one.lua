-- wrk: commits to one table (set-properties writes a new metadata file,
-- swaps the pointer and records a catalog commit each time).
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
	n = n + 1
	local body = string.format(
	    '{"updates":[{"action":"set-properties","updates":{"k":"%d-%d"}}]}',
	    math.random(1, 1000000000), n)
	return wrk.format(nil, wrk.path, nil, body)
end
