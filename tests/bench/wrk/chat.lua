-- wrk script: the benchmark's small chat completion, as POST with the same headers and body.
-- (No response() hook: it would make wrk run Lua per response; wrk itself reports any
-- "Non-2xx or 3xx responses", which run.sh counts as errors.)
wrk.method = "POST"
wrk.body = '{"model":"gpt-4o-mini","max_tokens":16,"messages":[{"role":"user","content":"Say hello."}]}'
wrk.headers["Authorization"] = "Bearer sk-bench"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
