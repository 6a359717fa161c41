# Sourced by run.sh and profile.sh: starting and stopping the mock server.
# Needs TARGET (the cargo target dir), OUT (a scratch directory) and a log function.

# Starts the release mock on an ephemeral loopback port with its request log off, and its TLS
# front (HTTP/2 or HTTP/1.1 by ALPN, relayed to it) on another; sets URL, TLS_URL, CA_FILE (the
# front's certificate authority) and MOCK_PID, exports BENCH_MOCK_URL (the programs read the
# mock's counters there), and arranges for it to stop when the calling script exits. Its stdin
# is a FIFO that this script holds open on descriptor 9: however the script ends, even killed,
# the mock ends too. Arguments after the first two go to the mock (e.g. --tls-max-streams N).
start_mock() {
    local threads=$1 hold_ms=$2
    shift 2
    MOCK_LOG=$OUT/mock.log
    FIFO=$OUT/mock.stdin.$$
    CA_FILE=$OUT/mock-ca.pem
    rm -f "$FIFO"
    mkfifo "$FIFO"
    "$TARGET/release/openai-mock" --quiet --threads "$threads" --exit-on-stdin-eof --tls "$CA_FILE" "$@" \
        <"$FIFO" >"$MOCK_LOG" 2>&1 &
    MOCK_PID=$!
    exec 9>"$FIFO"
    trap stop_mock EXIT
    trap 'exit 130' INT TERM
    local i
    for i in $(seq 100); do
        grep -q '^OPENAI_MOCK_TLS_URL=' "$MOCK_LOG" && break
        sleep 0.1
    done
    URL=$(sed -n 's/^OPENAI_MOCK_URL=//p' "$MOCK_LOG")
    TLS_URL=$(sed -n 's/^OPENAI_MOCK_TLS_URL=//p' "$MOCK_LOG")
    [ -n "$URL" ] && [ -n "$TLS_URL" ] || { log "the mock server did not start"; cat "$MOCK_LOG" >&2; exit 1; }
    curl -sf -X POST "$URL/__mock/config" -d '{"log":false}' >/dev/null
    # Answers under /hold are held hold_ms, so that the memory benchmark's calls are all in
    # flight at once when RSS is read.
    curl -sf -X POST "$URL/__mock/script" -d "{\"name\":\"hold\",
      \"match\":{\"method\":\"POST\",\"path\":\"/hold/v1/chat/completions\"},\"delay_ms\":$hold_ms,
      \"times\":1000000000,\"body_json\":{\"id\":\"chatcmpl-abc123\",\"object\":\"chat.completion\",
      \"created\":1700000000,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",
      \"content\":\"Hello! How can I help you today?\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],
      \"usage\":{\"prompt_tokens\":2,\"completion_tokens\":7,\"total_tokens\":9}}}" >/dev/null
    export BENCH_BASE_URL=$URL/v1 BENCH_HOLD_BASE_URL=$URL/hold/v1 BENCH_MOCK_URL=$URL
    log "mock server at $URL, TLS front at $TLS_URL (pid $MOCK_PID, $threads threads, request log off${*:+, $*})"
}

# Starts a second TLS front, alone in a process of its own (`--tls-backend`), for the mock
# started by start_mock, allowing MAX_STREAMS HTTP/2 streams per connection; sets FRONT_URL and
# FRONT_CA. Its relayed connections take its own descriptors, not the mock's. It ends with the
# mock (stop_mock), its stdin being a FIFO held on descriptor 8.
start_front() {
    local max_streams=$1
    FRONT_LOG=$OUT/front.log
    FRONT_FIFO=$OUT/front.stdin.$$
    FRONT_CA=$OUT/front-ca.pem
    rm -f "$FRONT_FIFO"
    mkfifo "$FRONT_FIFO"
    "$TARGET/release/openai-mock" --exit-on-stdin-eof --tls "$FRONT_CA" --tls-backend "${URL##*:}" \
        --tls-max-streams "$max_streams" <"$FRONT_FIFO" >"$FRONT_LOG" 2>&1 &
    FRONT_PID=$!
    exec 8>"$FRONT_FIFO"
    local i
    for i in $(seq 100); do
        grep -q '^OPENAI_MOCK_TLS_URL=' "$FRONT_LOG" && break
        sleep 0.1
    done
    FRONT_URL=$(sed -n 's/^OPENAI_MOCK_TLS_URL=//p' "$FRONT_LOG")
    [ -n "$FRONT_URL" ] || { log "the TLS front did not start"; cat "$FRONT_LOG" >&2; exit 1; }
    log "TLS front at $FRONT_URL for $URL (pid $FRONT_PID, $max_streams HTTP/2 streams per connection)"
}

stop_mock() {
    exec 8>&- 2>/dev/null || true
    if [ -n "${FRONT_PID:-}" ]; then
        kill "$FRONT_PID" 2>/dev/null || true
        wait "$FRONT_PID" 2>/dev/null || true
        FRONT_PID=
    fi
    rm -f "${FRONT_FIFO:-}"
    exec 9>&- 2>/dev/null || true
    if [ -n "${MOCK_PID:-}" ]; then
        kill "$MOCK_PID" 2>/dev/null || true
        wait "$MOCK_PID" 2>/dev/null || true
        MOCK_PID=
    fi
    rm -f "${FIFO:-}"
}
