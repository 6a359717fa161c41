// realtime.hpp: WebSocket sessions of the C++ binding, the Realtime API
// (client.realtime().connect(...)) and the Responses API over a persistent WebSocket
// (client.responses().connect(...)). Included by <openai/openai.hpp>; include that.
//
//     openai::RealtimeSession session = client.realtime().connect(R"({"model":"gpt-realtime"})");
//     session.send(R"({"type":"response.create"})");
//     for (const openai::Event &event : session) {          // until the session closes
//         if (event.name() == "response.output_text.delta") std::cout << event.json_string("/delta").value_or("");
//         if (event.name() == "response.done") session.close();
//     }
//
// A session is an RAII handle: destroying it drops the connection at once (close() first sends
// a proper close frame). send() and append_audio() may be called from any thread, also at the
// same time; events are pulled (next, next_for, try_next, range-for, fd) by one thread at a
// time, or pushed to a handler on the session's own library thread.

#include "openai.hpp"

#ifndef OPENAI_REALTIME_HPP
#define OPENAI_REALTIME_HPP

namespace openai {

/// What a reconnection handler is told about the next attempt, and how it changes the next
/// connection. Valid only during the handler's call.
class Reconnect {
public:
    Reconnect(openai_reconnect *next, std::uint32_t attempt, std::uint32_t max_attempts, std::uint64_t delay_ms,
              int close_code) noexcept
        : next_(next), attempt_(attempt), max_attempts_(max_attempts), delay_ms_(delay_ms), close_code_(close_code) {}

    /// This attempt's number, from 1 up to max_attempts().
    std::uint32_t attempt() const noexcept { return attempt_; }
    std::uint32_t max_attempts() const noexcept { return max_attempts_; }
    /// How long the session waits before connecting again.
    std::chrono::milliseconds delay() const noexcept {
        return std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(delay_ms_));
    }
    /// The close code that ended the connection (1006: it dropped without a close frame).
    int close_code() const noexcept { return close_code_; }
    /// The query of the next connection, as a JSON object's text.
    std::string_view query() const noexcept {
        const char *q = openai_reconnect_query(next_);
        return q ? std::string_view(q) : std::string_view();
    }
    /// Replaces the query of the next connection (and later ones) with a JSON object.
    void set_query(std::string_view query_json) {
        const detail::Arg q(query_json);
        const Code code = openai_reconnect_set_query(next_, q.c_str());
        if (code != OPENAI_OK) detail::throw_last_error(code);
    }
    /// Sets a handshake header of the next connection (and later ones).
    void set_header(std::string_view name, std::string_view value) {
        const detail::Arg n(name), v(value);
        const Code code = openai_reconnect_set_header(next_, n.c_str(), v.c_str());
        if (code != OPENAI_OK) detail::throw_last_error(code);
    }
    /// Sends no such header on the next connection (and later ones), also one the library sends.
    void remove_header(std::string_view name) {
        const detail::Arg n(name);
        const Code code = openai_reconnect_set_header(next_, n.c_str(), nullptr);
        if (code != OPENAI_OK) detail::throw_last_error(code);
    }

private:
    openai_reconnect *next_;
    std::uint32_t attempt_;
    std::uint32_t max_attempts_;
    std::uint64_t delay_ms_;
    int close_code_;
};

/// Decides whether a session reconnects after a recoverable close (1001, 1005, 1006, 1011, 1012,
/// 1013, 1015): true to connect again, false to end the session. It may change the next
/// connection's query and headers. It runs on a library thread, never at the same time as the
/// session's event handler, and must not throw (an exception ends the session).
using ReconnectHandler = std::function<bool(Reconnect &)>;

/// The options of a session, as a builder of the JSON object openai_realtime_options_new takes,
/// plus the reconnection handler (giving one turns reconnection on, as in the official SDK).
class RealtimeOptions {
public:
    /// Reconnection attempts (default 5).
    RealtimeOptions &max_retries(unsigned attempts) { return set("max_retries", std::to_string(attempts)); }
    /// The first reconnection delay and the largest, in seconds (default 0.5 and 8).
    RealtimeOptions &initial_delay(double seconds) { return set("initial_delay", number(seconds)); }
    RealtimeOptions &max_delay(double seconds) { return set("max_delay", number(seconds)); }
    /// Seconds without anything from the server before the connection counts as dead
    /// (default 40).
    RealtimeOptions &idle_timeout(double seconds) { return set("idle_timeout", number(seconds)); }
    RealtimeOptions &no_idle_timeout() { return set("idle_timeout", "null"); }
    /// Seconds of silence before a keepalive ping (default 20).
    RealtimeOptions &ping_interval(double seconds) { return set("ping_interval", number(seconds)); }
    RealtimeOptions &no_ping() { return set("ping_interval", "null"); }
    /// An extra handshake header.
    RealtimeOptions &header(std::string_view name, std::string_view value) {
        headers_[std::string(name)] = json::quote(value);
        return *this;
    }
    /// Sends no such header, also one the library would send.
    RealtimeOptions &remove_header(std::string_view name) {
        headers_[std::string(name)] = "null";
        return *this;
    }
    /// An ephemeral client secret, sent instead of the client's API key.
    RealtimeOptions &client_secret(std::string_view secret) { return set("client_secret", json::quote(secret)); }
    /// Client events waiting to be written (default 4 MiB), and while reconnecting (1 MiB).
    RealtimeOptions &max_send_queue_bytes(std::uint64_t bytes) { return set("max_send_queue_bytes", std::to_string(bytes)); }
    RealtimeOptions &max_reconnect_queue_bytes(std::uint64_t bytes) {
        return set("max_reconnect_queue_bytes", std::to_string(bytes));
    }
    /// Server events waiting for the consumer (default 256 events, 4 MiB).
    RealtimeOptions &max_queued_events(std::uint64_t events) { return set("max_queued_events", std::to_string(events)); }
    RealtimeOptions &max_queued_bytes(std::uint64_t bytes) { return set("max_queued_bytes", std::to_string(bytes)); }
    /// Any option, as JSON text (for options newer than this wrapper).
    RealtimeOptions &set(std::string_view name, std::string json_value) {
        values_[std::string(name)] = std::move(json_value);
        return *this;
    }
    /// Turns reconnection on (see ReconnectHandler); an empty function turns it off.
    RealtimeOptions &on_reconnect(ReconnectHandler handler) {
        reconnect_ = std::move(handler);
        return *this;
    }

    /// The JSON object.
    std::string json() const {
        std::string out = "{";
        auto add = [&](const std::string &name, const std::string &value) {
            if (out.size() > 1) out += ",";
            out += json::quote(name) + ":" + value;
        };
        for (const auto &[name, value] : values_) add(name, value);
        if (!headers_.empty()) {
            std::string h = "{";
            for (const auto &[name, value] : headers_) h += (h.size() > 1 ? "," : "") + json::quote(name) + ":" + value;
            add("headers", h + "}");
        }
        return out + "}";
    }
    const ReconnectHandler &reconnect_handler() const noexcept { return reconnect_; }

private:
    static std::string number(double v) { return std::to_string(v); }
    std::map<std::string, std::string> values_;
    std::map<std::string, std::string> headers_;
    ReconnectHandler reconnect_;
};

namespace detail {

/// What a session's callbacks need; owned by the session, freed after openai_realtime_free.
struct RealtimeState {
    EventHandler on_event;
    DoneHandler on_done;
    ReconnectHandler on_reconnect;
    std::exception_ptr thrown;
};

inline std::shared_ptr<const ErrorDetails> realtime_error_details(const openai_realtime *session, Code code) {
    const openai_response *response = openai_realtime_response(session);
    // A refused upgrade carries the HTTP error; an open connection's handshake says 101.
    return error_details(code, openai_realtime_error_message(session),
                         response && openai_response_status(response) >= 300 ? response : nullptr);
}

inline bool realtime_trampoline(openai_realtime *session, const openai_event *event, void *userdata) noexcept {
    auto *state = static_cast<RealtimeState *>(userdata);
    if (event) {
        if (state->thrown) return false;
        if (!state->on_event) return true;
        try {
            return state->on_event(EventView(event));
        } catch (...) {
            state->thrown = std::current_exception();
            return false;
        }
    }
    std::exception_ptr error = state->thrown;
    const Code code = openai_realtime_code(session);
    if (!error && code != OPENAI_OK) error = error_ptr(realtime_error_details(session, code));
    if (state->on_done) state->on_done(error);
    return false;
}

inline bool reconnect_trampoline(openai_realtime *, std::uint32_t attempt, std::uint32_t max_attempts,
                                 std::uint64_t delay_ms, int close_code, openai_reconnect *next,
                                 void *userdata) noexcept {
    auto *state = static_cast<RealtimeState *>(userdata);
    Reconnect reconnect(next, attempt, max_attempts, delay_ms, close_code);
    try {
        return state->on_reconnect && state->on_reconnect(reconnect);
    } catch (...) {
        return false;
    }
}

}  // namespace detail

/// A WebSocket session (Realtime, or Responses over a WebSocket), owned: destroying it drops
/// the connection at once and its handlers are never called afterwards (do not destroy it inside
/// its own handlers). Iterate it with range-for: the events until the session closes cleanly;
/// the iteration throws the error that ended it otherwise (APIConnectionError when the
/// connection dropped, an APIStatusError class for a refused upgrade, ...). `error` events of
/// the API come as events: the session goes on after them.
class RealtimeSession {
public:
    RealtimeSession() noexcept = default;
    /// Takes ownership of `session`; `state` (its handlers) is freed after it.
    explicit RealtimeSession(openai_realtime *session, std::unique_ptr<detail::RealtimeState> state = {}) noexcept
        : s_(session), state_(std::move(state)) {}
    RealtimeSession(const RealtimeSession &) = delete;
    RealtimeSession &operator=(const RealtimeSession &) = delete;
    RealtimeSession(RealtimeSession &&other) noexcept
        : s_(std::exchange(other.s_, nullptr)), state_(std::move(other.state_)) {}
    RealtimeSession &operator=(RealtimeSession &&other) noexcept {
        if (this != &other) {
            reset();
            s_ = std::exchange(other.s_, nullptr);
            state_ = std::move(other.state_);
        }
        return *this;
    }
    ~RealtimeSession() { reset(); }

    /// Sends one client event, a JSON object (`{"type":"response.create"}`), as one text frame.
    /// Thread-safe and ordered. Waits for room when the send queue is full, except inside a
    /// handler and while reconnecting, where it throws QueueFullError. Throws
    /// InvalidArgumentError for text that is not a JSON object, and the session's error after
    /// it ended.
    void send(std::string_view event_json) {
        const detail::Arg e(event_json);
        check_send(openai_realtime_send(s_, e.c_str()));
    }
    /// Appends raw PCM16 audio (16-bit little-endian samples, 24 kHz mono by default) to the
    /// input audio buffer: the library base64-encodes it into `input_audio_buffer.append` events.
    /// `len` is in bytes and must be even. Results as send().
    void append_audio(const void *pcm, std::size_t len) { check_send(openai_realtime_append_audio(s_, pcm, len)); }
    void append_audio(std::string_view pcm) { append_audio(pcm.data(), pcm.size()); }
    void append_audio(const std::vector<std::int16_t> &samples) {
        append_audio(samples.data(), samples.size() * sizeof(std::int16_t));
    }

    /// The next server event, waiting as long as it takes; nullopt after a clean close. Throws
    /// the error that ended the session.
    std::optional<Event> next() { return next_impl(-1); }
    /// The next event, waiting up to `timeout`; nullopt when none came in time or the session
    /// closed cleanly (done() tells which).
    template <class Rep, class Period>
    std::optional<Event> next_for(const std::chrono::duration<Rep, Period> &timeout) {
        return next_impl(detail::timeout_ms(timeout));
    }
    /// The next event if one is ready.
    std::optional<Event> try_next() {
        openai_event *event = nullptr;
        const Code code = openai_realtime_try_next(s_, &event);
        return take(code, event);
    }
    /// A descriptor readable while try_next() has something (an event, or the end).
    int fd() const noexcept { return openai_realtime_fd(s_); }

    /// Closes the session properly: a close frame with `code` (1000, or 3000 to 4999) and
    /// `reason` goes out after the events already queued; the session ends cleanly once the
    /// server answers (the iteration then ends). Returns at once. Nothing can be sent after it.
    void close(int code = 1000, std::string_view reason = {}) {
        const detail::OptArg r(reason);
        const Code result = openai_realtime_close(s_, code, r.c_str());
        if (result == OPENAI_INVALID_ARGUMENT) detail::throw_last_error(result);
    }
    /// Ends the session at once (no close frame): it ends with APIUserAbortError. Thread-safe.
    void cancel() const noexcept { openai_realtime_cancel(s_); }

    /// OPENAI_PENDING while the session goes on, OPENAI_OK after a clean close, else its error.
    Code code() const noexcept { return openai_realtime_code(s_); }
    bool done() const noexcept { return code() != OPENAI_PENDING; }
    std::optional<std::string_view> error_message() const noexcept {
        return detail::opt_view(openai_realtime_error_message(s_));
    }
    /// The close code that ended the last connection (0 while it goes on).
    int close_code() const noexcept { return openai_realtime_close_code(s_); }
    std::optional<std::string_view> close_reason() const noexcept {
        return detail::opt_view(openai_realtime_close_reason(s_));
    }
    /// The latest handshake response (101 and its headers, or a refused upgrade's error).
    ResponseView response() const noexcept { return ResponseView(openai_realtime_response(s_)); }
    openai_realtime *handle() const noexcept { return s_; }
    explicit operator bool() const noexcept { return s_ != nullptr; }

    /// Input iterator over the events (range-for).
    using iterator = detail::NextIterator<RealtimeSession, Event>;
    iterator begin() { return iterator(this); }
    iterator end() noexcept { return iterator(); }

private:
    void reset() noexcept {
        openai_realtime_free(s_);  // waits for a handler running on another thread
        s_ = nullptr;
        state_.reset();
    }
    std::optional<Event> next_impl(std::int64_t wait_ms) {
        openai_event *event = nullptr;
        const Code code = openai_realtime_next(s_, wait_ms, &event);  // before `event` is read
        return take(code, event);
    }
    std::optional<Event> take(Code code, openai_event *event) {
        if (code == OPENAI_OK) {
            if (!event) return std::nullopt;
            return Event(event);
        }
        if (code == OPENAI_PENDING) return std::nullopt;
        if (!s_ || code == OPENAI_INVALID_ARGUMENT) detail::throw_last_error(code);
        detail::throw_error(detail::realtime_error_details(s_, code));
    }
    void check_send(Code code) const {
        if (code == OPENAI_OK) return;
        if (!s_ || code == OPENAI_INVALID_ARGUMENT || code == OPENAI_QUEUE_FULL) detail::throw_last_error(code);
        detail::throw_error(detail::realtime_error_details(s_, code));
    }

    openai_realtime *s_ = nullptr;
    std::unique_ptr<detail::RealtimeState> state_;
};

namespace detail {

using RealtimeConnect = openai_code (*)(const openai_client *, const char *, openai_realtime **);
using RealtimeConnectAsync = openai_realtime *(*)(const openai_client *, const char *, const openai_realtime_options *);

/// A session opened by a blocking connect function, or the handshake's failure.
inline RealtimeSession realtime_connect(RealtimeConnect connect, const openai_client *client, std::string_view query_json) {
    const OptArg q(query_json);
    openai_realtime *out = nullptr;
    const Code code = connect(client, q.c_str(), &out);
    RealtimeSession session(out);
    if (code != OPENAI_OK) {
        if (!out) throw_last_error(code);
        throw_error(realtime_error_details(out, code));
    }
    return session;
}

/// A session started by a non-blocking connect function with `options` and, when `on_event`
/// is set, its events pushed to it.
inline RealtimeSession realtime_connect_async(RealtimeConnectAsync connect, const openai_client *client,
                                              std::string_view query_json, const RealtimeOptions &options,
                                              EventHandler on_event, DoneHandler on_done) {
    const OptArg q(query_json);
    const Arg json(options.json());
    openai_realtime_options *c_options = nullptr;
    Code code = openai_realtime_options_new(json.c_str(), &c_options);
    if (code != OPENAI_OK) throw_last_error(code);
    const std::unique_ptr<openai_realtime_options, void (*)(openai_realtime_options *)> owned(
        c_options, &openai_realtime_options_free);
    auto state = std::make_unique<RealtimeState>();
    state->on_event = std::move(on_event);
    state->on_done = std::move(on_done);
    state->on_reconnect = options.reconnect_handler();
    if (state->on_event) code = openai_realtime_options_set_callback(c_options, &realtime_trampoline, state.get());
    if (code == OPENAI_OK && state->on_reconnect)
        code = openai_realtime_options_set_reconnect(c_options, &reconnect_trampoline, state.get());
    if (code != OPENAI_OK) throw_last_error(code);
    openai_realtime *session = connect(client, q.c_str(), c_options);
    return RealtimeSession(session, std::move(state));
}

}  // namespace detail

}  // namespace openai

#endif  // OPENAI_REALTIME_HPP
