-- wrk: commits spread round-robin over 64 tables c0..c63.
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
	n = n + 1
	local path = string.format("/v1/bench/namespaces/b/tables/c%d", n % 64)
	local body = string.format(
	    '{"updates":[{"action":"set-properties","updates":{"k":"%d-%d"}}]}',
	    math.random(1, 1000000000), n)
	return wrk.format(nil, path, nil, body)
end
