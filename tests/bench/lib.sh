# Sourced by run.sh and profile.sh: starting and stopping the mock server.
# Needs TARGET (the cargo target dir), OUT (a scratch directory) and a log function.

# Starts the release mock on an ephemeral loopback port with its request log off, sets URL and
# MOCK_PID, and arranges for it to stop when the calling script exits. Its stdin is a FIFO that
# this script holds open on descriptor 9: however the script ends, even killed, the mock ends too.
start_mock() {
    local threads=$1 hold_ms=$2
    MOCK_LOG=$OUT/mock.log
    FIFO=$OUT/mock.stdin.$$
    rm -f "$FIFO"
    mkfifo "$FIFO"
    "$TARGET/release/openai-mock" --quiet --threads "$threads" --exit-on-stdin-eof <"$FIFO" >"$MOCK_LOG" 2>&1 &
    MOCK_PID=$!
    exec 9>"$FIFO"
    trap stop_mock EXIT
    trap 'exit 130' INT TERM
    local i
    for i in $(seq 100); do
        grep -q '^OPENAI_MOCK_URL=' "$MOCK_LOG" && break
        sleep 0.1
    done
    URL=$(sed -n 's/^OPENAI_MOCK_URL=//p' "$MOCK_LOG")
    [ -n "$URL" ] || { log "the mock server did not start"; cat "$MOCK_LOG" >&2; exit 1; }
    curl -sf -X POST "$URL/__mock/config" -d '{"log":false}' >/dev/null
    # Answers under /hold are held hold_ms, so that the memory benchmark's calls are all in
    # flight at once when RSS is read.
    curl -sf -X POST "$URL/__mock/script" -d "{\"name\":\"hold\",
      \"match\":{\"method\":\"POST\",\"path\":\"/hold/v1/chat/completions\"},\"delay_ms\":$hold_ms,
      \"times\":1000000000,\"body_json\":{\"id\":\"chatcmpl-abc123\",\"object\":\"chat.completion\",
      \"created\":1700000000,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",
      \"content\":\"Hello! How can I help you today?\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],
      \"usage\":{\"prompt_tokens\":2,\"completion_tokens\":7,\"total_tokens\":9}}}" >/dev/null
    export BENCH_BASE_URL=$URL/v1 BENCH_HOLD_BASE_URL=$URL/hold/v1
    log "mock server at $URL (pid $MOCK_PID, $threads threads, request log off)"
}

stop_mock() {
    exec 9>&- 2>/dev/null || true
    if [ -n "${MOCK_PID:-}" ]; then
        kill "$MOCK_PID" 2>/dev/null || true
        wait "$MOCK_PID" 2>/dev/null || true
    fi
    rm -f "${FIFO:-}"
}
