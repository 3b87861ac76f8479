-- wrk: a login flood (wrong password) against the rate-limited server.
-- Past the limit every answer is 429 before any argon2id work, so the
-- flood is bounded by the limiter, not by the CPU.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"username":"benchadmin","password":"wrong-password-123",' ..
    '"tenant-id":"00000000-0000-0000-0000-000000000000"}'
