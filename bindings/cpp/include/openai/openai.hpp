// openai.hpp: a header-only C++17 wrapper over libopenai's C API (include/openai.h).
//
// - RAII handles: Client (shared, copyable), Response, ResponseFuture, Future, Queue, Stream,
//   Event, Pager, Upload (move-only, or shared where the C handle may be shared), each freeing
//   its C handle.
// - std::string_view in: arguments are copied to NUL-terminated strings for the call; an empty
//   optional argument (query, optional body, multipart fields) is passed as NULL.
// - Exceptions out: every failure throws a class of the official SDKs' hierarchy
//   (openai::Error > APIError > APIStatusError > BadRequestError, ...), carrying the code, HTTP
//   status, request id, and the API error's type, param, code and message.
// - Async: a ResponseFuture (std::future-like, and cancellable) or a callback with a cancellable
//   Future handle; a Queue waits on many calls at once.
// - Streams: `for (const openai::Event& event : stream)`; lists page by page or item by item:
//   `for (const openai::Item& item : pager.items())`.
// - Cancel tokens for blocking calls (CancelToken, Client::with_cancel_token), and the library's
//   log to a function (set_log_callback).
// - The SDKs' helpers: uploads().upload_file_chunked(), poll() and create_and_poll() of runs,
//   vector store files and file batches, batches, responses and videos (generated with the
//   operations), and webhook signatures (client.webhooks(): verify_signature, unwrap).
//
// The per-operation surface (client.chat().completions().create(body), ...) is generated from
// bindings/operations.json into openai/operations.hpp, included at the end of this header, after
// openai/realtime.hpp (WebSocket sessions: client.realtime().connect(...)).
//
// Strings returned by accessors as std::string_view are borrowed from their handle (Response,
// Event, Stream) and stay valid until it is destroyed.

#ifndef OPENAI_OPENAI_HPP
#define OPENAI_OPENAI_HPP

#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <future>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "openai.h"

namespace openai {

/// The result code of a call (openai_code: OPENAI_OK, OPENAI_NOT_FOUND, ...).
using Code = openai_code;

/// The name of a code ("OPENAI_NOT_FOUND").
inline const char *code_name(Code code) noexcept { return openai_code_name(static_cast<int>(code)); }

/// The version of the loaded library, "MAJOR.MINOR.PATCH".
inline std::string_view library_version() noexcept { return openai_version(); }

/// The version of the header this wrapper was compiled against.
inline std::string header_version() {
    return std::to_string(OPENAI_VERSION_MAJOR) + "." + std::to_string(OPENAI_VERSION_MINOR) + "." +
           std::to_string(OPENAI_VERSION_PATCH);
}

namespace json {

/// `s` as a JSON string literal, quotes included: for building request bodies by hand.
inline std::string quote(std::string_view s) {
    static const char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(s.size() + 2);
    out.push_back('"');
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            default:
                if (c < 0x20) {
                    out += "\\u00";
                    out.push_back(hex[c >> 4]);
                    out.push_back(hex[c & 15]);
                } else {
                    out.push_back(ch);
                }
        }
    }
    out.push_back('"');
    return out;
}

}  // namespace json

// ---------------------------------------------------------------------------------------------
// Errors

/// Everything known about a failure, shared by the copies of an exception.
struct ErrorDetails {
    Code code = OPENAI_INTERNAL;
    /// The HTTP status, 0 when no HTTP response came.
    std::uint16_t status = 0;
    /// The official SDK's text ("Error code: 404 - ...") or what went wrong.
    std::string message;
    std::optional<std::string> request_id;
    /// From the API error body {"error": {"message", "type", "param", "code"}}.
    std::optional<std::string> api_message;
    std::optional<std::string> type;
    std::optional<std::string> param;
    std::optional<std::string> api_code;
    /// The response body (the error document), empty when none came.
    std::string body;
    std::uint32_t retries = 0;
};

/// The base of every exception this wrapper throws (the SDKs' OpenAIError).
class Error : public std::runtime_error {
public:
    explicit Error(std::shared_ptr<const ErrorDetails> details)
        : std::runtime_error(details->message), details_(std::move(details)) {}
    /// The library's code for the failure.
    Code code() const noexcept { return details_->code; }
    const std::string &message() const noexcept { return details_->message; }
    const ErrorDetails &details() const noexcept { return *details_; }

private:
    std::shared_ptr<const ErrorDetails> details_;
};

/// An argument was unusable (NULL, invalid JSON, an empty path parameter, a missing file);
/// nothing was sent.
class InvalidArgumentError : public Error {
public:
    using Error::Error;
};

/// A bug in the library (a panic caught at its boundary).
class InternalError : public Error {
public:
    using Error::Error;
};

/// A blocking call was made on a thread that runs another async runtime.
class WouldDeadlockError : public Error {
public:
    using Error::Error;
};

/// A webhook request is not signed as OpenAI signs it (the SDKs' InvalidWebhookSignatureError):
/// a header is missing, its timestamp is malformed or outside the tolerance, or no signature
/// matches. message() says which. Do not trust its event.
class InvalidWebhookSignatureError : public Error {
public:
    using Error::Error;
};

/// A failure of a request (the SDKs' APIError): what the API said, when it said anything.
class APIError : public Error {
public:
    using Error::Error;
    /// The HTTP status, 0 when no HTTP response came.
    std::uint16_t status_code() const noexcept { return details().status; }
    const std::optional<std::string> &request_id() const noexcept { return details().request_id; }
    /// The API error's `type` ("invalid_request_error").
    const std::optional<std::string> &type() const noexcept { return details().type; }
    /// The API error's `param` ("model").
    const std::optional<std::string> &param() const noexcept { return details().param; }
    /// The API error's `code` ("model_not_found"); code() is the library's code.
    const std::optional<std::string> &api_code() const noexcept { return details().api_code; }
    /// The API error's `message`.
    const std::optional<std::string> &api_message() const noexcept { return details().api_message; }
    const std::string &body() const noexcept { return details().body; }
};

/// An HTTP error status (the SDKs' APIStatusError); 3xx, 402, 405, 413, ... come as this class.
class APIStatusError : public APIError {
public:
    using APIError::APIError;
};

#define OPENAI_HPP_STATUS_ERROR(Name)   \
    class Name : public APIStatusError { \
    public:                              \
        using APIStatusError::APIStatusError; \
    };
/// 400
OPENAI_HPP_STATUS_ERROR(BadRequestError)
/// 401
OPENAI_HPP_STATUS_ERROR(AuthenticationError)
/// 403
OPENAI_HPP_STATUS_ERROR(PermissionDeniedError)
/// 404
OPENAI_HPP_STATUS_ERROR(NotFoundError)
/// 409
OPENAI_HPP_STATUS_ERROR(ConflictError)
/// 422
OPENAI_HPP_STATUS_ERROR(UnprocessableEntityError)
/// 429
OPENAI_HPP_STATUS_ERROR(RateLimitError)
/// 500 and above
OPENAI_HPP_STATUS_ERROR(InternalServerError)
#undef OPENAI_HPP_STATUS_ERROR

/// The connection could not be made or broke (the SDKs' APIConnectionError).
class APIConnectionError : public APIError {
public:
    using APIError::APIError;
};

/// The request timed out (the SDKs' APITimeoutError).
class APITimeoutError : public APIConnectionError {
public:
    using APIConnectionError::APIConnectionError;
};

/// The call was cancelled (Future::cancel, a cancel token, a stream stopped by its handler).
class APIUserAbortError : public APIError {
public:
    using APIError::APIError;
};

/// A 2xx response whose body is not what the operation returns (the SDKs'
/// APIResponseValidationError); the body is kept.
class APIResponseValidationError : public APIError {
public:
    using APIError::APIError;
};

/// An event stream carried an error event.
class StreamError : public APIError {
public:
    using APIError::APIError;
};

/// The response (or one event of a stream) was larger than the client's `max_response_size`:
/// reading stopped there and the connection was closed.
class ResponseTooLargeError : public APIError {
public:
    using APIError::APIError;
};

/// A WebSocket session's send queue is full (it is reconnecting, or a handler sends faster than
/// the connection carries): the event was not queued. Try again later, or send less.
class QueueFullError : public Error {
public:
    using Error::Error;
};

namespace detail {

inline std::optional<std::string> opt_string(const char *s) {
    if (!s) return std::nullopt;
    return std::string(s);
}

/// The details of a failure: `code`, the message (else the response's, else the thread's last
/// error), and what the response (may be NULL) says.
inline std::shared_ptr<const ErrorDetails> error_details(Code code, const char *message,
                                                         const openai_response *response) {
    auto d = std::make_shared<ErrorDetails>();
    d->code = code;
    if (!message && response) message = openai_response_error_message(response);
    if (!message) message = openai_last_error();
    d->message = message ? message : code_name(code);
    if (response) {
        d->status = openai_response_status(response);
        d->request_id = opt_string(openai_response_request_id(response));
        d->api_message = opt_string(openai_response_api_error_message(response));
        d->type = opt_string(openai_response_api_error_type(response));
        d->param = opt_string(openai_response_api_error_param(response));
        d->api_code = opt_string(openai_response_api_error_code(response));
        std::size_t len = 0;
        const char *body = openai_response_body(response, &len);
        if (body) d->body.assign(body, len);
        d->retries = openai_response_retries(response);
    }
    return d;
}

/// Throws the exception class of `details->code`.
[[noreturn]] inline void throw_error(std::shared_ptr<const ErrorDetails> details) {
    switch (details->code) {
        case OPENAI_INVALID_ARGUMENT: throw InvalidArgumentError(std::move(details));
        case OPENAI_WOULD_DEADLOCK: throw WouldDeadlockError(std::move(details));
        case OPENAI_CONNECTION: throw APIConnectionError(std::move(details));
        case OPENAI_TIMEOUT: throw APITimeoutError(std::move(details));
        case OPENAI_CANCELLED: throw APIUserAbortError(std::move(details));
        case OPENAI_STREAM_ERROR: throw StreamError(std::move(details));
        case OPENAI_OTHER_STATUS: throw APIStatusError(std::move(details));
        case OPENAI_INVALID_RESPONSE: throw APIResponseValidationError(std::move(details));
        case OPENAI_RESPONSE_TOO_LARGE: throw ResponseTooLargeError(std::move(details));
        case OPENAI_QUEUE_FULL: throw QueueFullError(std::move(details));
        case OPENAI_INVALID_WEBHOOK_SIGNATURE: throw InvalidWebhookSignatureError(std::move(details));
        case OPENAI_BAD_REQUEST: throw BadRequestError(std::move(details));
        case OPENAI_AUTHENTICATION: throw AuthenticationError(std::move(details));
        case OPENAI_PERMISSION_DENIED: throw PermissionDeniedError(std::move(details));
        case OPENAI_NOT_FOUND: throw NotFoundError(std::move(details));
        case OPENAI_CONFLICT: throw ConflictError(std::move(details));
        case OPENAI_UNPROCESSABLE_ENTITY: throw UnprocessableEntityError(std::move(details));
        case OPENAI_RATE_LIMIT: throw RateLimitError(std::move(details));
        case OPENAI_INTERNAL_SERVER: throw InternalServerError(std::move(details));
        case OPENAI_OK:
        case OPENAI_PENDING:
        case OPENAI_INTERNAL:
        default: break;
    }
    if (details->status >= 400) throw APIStatusError(std::move(details));
    throw InternalError(std::move(details));
}

/// The exception of a failure, as a std::exception_ptr (for promises and stream handlers).
inline std::exception_ptr error_ptr(std::shared_ptr<const ErrorDetails> details) noexcept {
    try {
        throw_error(std::move(details));
    } catch (...) {
        return std::current_exception();
    }
}

/// Throws the thread's last error for a call without a response that returned `code`.
[[noreturn]] inline void throw_last_error(Code code) { throw_error(error_details(code, nullptr, nullptr)); }

/// A NUL-terminated copy of a required string argument.
class Arg {
public:
    explicit Arg(std::string_view s) : s_(s) {}
    const char *c_str() const noexcept { return s_.c_str(); }

private:
    std::string s_;
};

/// A NUL-terminated copy of an optional string argument: NULL when empty.
class OptArg {
public:
    explicit OptArg(std::string_view s) : null_(s.empty()), s_(s) {}
    const char *c_str() const noexcept { return null_ ? nullptr : s_.c_str(); }

private:
    bool null_;
    std::string s_;
};

inline std::optional<std::string_view> opt_view(const char *s) noexcept {
    if (!s) return std::nullopt;
    return std::string_view(s);
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// Responses

/// A borrowed view of a response: accessors only, no ownership.
class ResponseView {
public:
    ResponseView() noexcept = default;
    explicit ResponseView(const openai_response *response) noexcept : r_(response) {}

    const openai_response *get() const noexcept { return r_; }
    explicit operator bool() const noexcept { return r_ != nullptr; }

    /// OPENAI_OK for a 2xx status, else why the call failed.
    Code code() const noexcept { return openai_response_code(r_); }
    bool ok() const noexcept { return r_ && code() == OPENAI_OK; }
    /// The HTTP status, 0 when no HTTP response came.
    std::uint16_t status() const noexcept { return openai_response_status(r_); }
    /// The body bytes (they may contain NUL bytes).
    std::string_view body() const noexcept {
        std::size_t len = 0;
        const char *body = openai_response_body(r_, &len);
        return body ? std::string_view(body, len) : std::string_view();
    }
    /// A copy of the body.
    std::string text() const { return std::string(body()); }
    /// The first header named `name` (any case).
    std::optional<std::string_view> header(std::string_view name) const {
        const detail::Arg n(name);
        return detail::opt_view(openai_response_header(r_, n.c_str()));
    }
    /// Every header, in received order, names in lower case.
    std::vector<std::pair<std::string_view, std::string_view>> headers() const {
        std::vector<std::pair<std::string_view, std::string_view>> out;
        const std::size_t n = openai_response_header_count(r_);
        out.reserve(n);
        for (std::size_t i = 0; i < n; i++) {
            const char *name = nullptr;
            const char *value = nullptr;
            if (openai_response_header_at(r_, i, &name, &value) == OPENAI_OK) out.emplace_back(name, value);
        }
        return out;
    }
    std::optional<std::string_view> request_id() const noexcept {
        return detail::opt_view(openai_response_request_id(r_));
    }
    std::uint32_t retries() const noexcept { return openai_response_retries(r_); }
    /// Why the call failed, or nullopt when it succeeded.
    std::optional<std::string_view> error_message() const noexcept {
        return detail::opt_view(openai_response_error_message(r_));
    }
    std::optional<std::string_view> api_error_message() const noexcept {
        return detail::opt_view(openai_response_api_error_message(r_));
    }
    std::optional<std::string_view> api_error_type() const noexcept {
        return detail::opt_view(openai_response_api_error_type(r_));
    }
    std::optional<std::string_view> api_error_param() const noexcept {
        return detail::opt_view(openai_response_api_error_param(r_));
    }
    std::optional<std::string_view> api_error_code() const noexcept {
        return detail::opt_view(openai_response_api_error_code(r_));
    }
    /// The string at a JSON Pointer ("/choices/0/message/content") in the body.
    std::optional<std::string_view> json_string(std::string_view pointer) const {
        const detail::Arg p(pointer);
        return detail::opt_view(openai_response_json_string(r_, p.c_str()));
    }
    /// The value at a JSON Pointer in the body, as compact JSON text.
    std::optional<std::string_view> json_value(std::string_view pointer) const {
        const detail::Arg p(pointer);
        return detail::opt_view(openai_response_json_value(r_, p.c_str()));
    }
    /// Throws the error this response carries, if any.
    void raise_for_status() const {
        if (!ok()) detail::throw_error(detail::error_details(r_ ? code() : OPENAI_INVALID_ARGUMENT, nullptr, r_));
    }

protected:
    const openai_response *r_ = nullptr;
};

/// The response of one call, owned: freed when destroyed.
class Response : public ResponseView {
public:
    Response() noexcept = default;
    /// Takes ownership of `response`.
    explicit Response(openai_response *response) noexcept : ResponseView(response) {}
    Response(const Response &) = delete;
    Response &operator=(const Response &) = delete;
    Response(Response &&other) noexcept : ResponseView(other.release()) {}
    Response &operator=(Response &&other) noexcept {
        if (this != &other) reset(other.release());
        return *this;
    }
    ~Response() { reset(); }

    openai_response *get() const noexcept { return const_cast<openai_response *>(r_); }
    /// Gives up ownership of the C handle.
    openai_response *release() noexcept {
        openai_response *r = get();
        r_ = nullptr;
        return r;
    }
    void reset(openai_response *response = nullptr) noexcept {
        openai_response_free(get());
        r_ = response;
    }
    /// *this, after throwing the error it carries, if any.
    Response &&checked() && {
        raise_for_status();
        return std::move(*this);
    }
};

namespace detail {

/// The response of a blocking call, or its exception.
inline Response checked(Code code, openai_response *out) {
    Response response(out);
    if (code != OPENAI_OK) throw_error(error_details(code, nullptr, response.get()));
    return response;
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// Uploads

/// Progress of a transfer: bytes sent or received so far, and the total (0 when unknown).
/// It may run on any thread; keep it short, and do not throw.
using Progress = std::function<void(std::uint64_t done, std::uint64_t total)>;

/// A file to send in a multipart operation. Copies share one C handle (freed with the last);
/// async calls keep a copy until they complete.
class Upload {
public:
    /// No file (passed as NULL: for an optional file argument).
    Upload() noexcept = default;

    /// The file at `path`, read while it is sent. `filename`: the name the server sees (empty:
    /// the path's last component); `content_type` (empty: guessed from the name).
    static Upload from_path(std::string_view path, std::string_view filename = {},
                            std::string_view content_type = {}) {
        const detail::Arg p(path);
        const detail::OptArg f(filename), t(content_type);
        openai_upload *u = openai_upload_from_path(p.c_str(), f.c_str(), t.c_str());
        if (!u) detail::throw_last_error(OPENAI_INVALID_ARGUMENT);
        return Upload(u);
    }

    /// `len` bytes at `data`, copied. `filename` (empty: "file"), `content_type` as above.
    static Upload from_memory(const void *data, std::size_t len, std::string_view filename = {},
                              std::string_view content_type = {}) {
        const detail::OptArg f(filename), t(content_type);
        openai_upload *u = openai_upload_from_memory(data, len, f.c_str(), t.c_str());
        if (!u) detail::throw_last_error(OPENAI_INVALID_ARGUMENT);
        return Upload(u);
    }

    /// The bytes of `data`, copied.
    static Upload from_memory(std::string_view data, std::string_view filename = {},
                              std::string_view content_type = {}) {
        return from_memory(data.data(), data.size(), filename, content_type);
    }

    /// Sets (or, with an empty function, removes) the progress handler of every later send.
    /// It may run on any thread, also on several at once when several calls send this file.
    Upload &on_progress(Progress progress) {
        if (!state_) detail::throw_error(detail::error_details(OPENAI_INVALID_ARGUMENT, "empty upload", nullptr));
        state_->progress = std::move(progress);
        const Code code = state_->progress
                              ? openai_upload_set_progress(state_->upload, &State::trampoline, state_.get())
                              : openai_upload_set_progress(state_->upload, nullptr, nullptr);
        if (code != OPENAI_OK) detail::throw_last_error(code);
        return *this;
    }

    const openai_upload *get() const noexcept { return state_ ? state_->upload : nullptr; }
    explicit operator bool() const noexcept { return state_ != nullptr; }

private:
    struct State {
        openai_upload *upload = nullptr;
        Progress progress;
        explicit State(openai_upload *u) noexcept : upload(u) {}
        State(const State &) = delete;
        State &operator=(const State &) = delete;
        ~State() { openai_upload_free(upload); }
        static void trampoline(std::uint64_t done, std::uint64_t total, void *userdata) noexcept {
            auto *self = static_cast<State *>(userdata);
            if (self->progress) self->progress(done, total);
        }
    };
    explicit Upload(openai_upload *u) : state_(std::make_shared<State>(u)) {}
    std::shared_ptr<State> state_;
};

// ---------------------------------------------------------------------------------------------
// Futures

/// Receives the response of an async call, failed or not (check Response::ok(), or call
/// raise_for_status()). It runs once, on a library thread, and must not throw.
using Callback = std::function<void(Response)>;

namespace detail {

/// What an async call needs until it has completed: the uploads it sends (their progress
/// handlers run on the library's threads) and the progress handler of a download.
struct KeepAlive {
    std::vector<Upload> uploads;
    std::shared_ptr<const Progress> progress;

    void add(const Upload &upload) {
        if (upload) uploads.push_back(upload);
    }
    void add(const std::vector<Upload> &more) { uploads.insert(uploads.end(), more.begin(), more.end()); }
};

/// A wait as the C API's milliseconds: rounded up (a wait never ends early), 0 for a negative
/// one, and -1 (no limit) past what any program waits.
template <class Rep, class Period>
std::int64_t timeout_ms(const std::chrono::duration<Rep, Period> &timeout) noexcept {
    const std::chrono::duration<double, std::milli> ms = timeout;
    if (!(ms.count() > 0)) return 0;
    if (ms.count() >= 1e15) return -1;
    return static_cast<std::int64_t>(std::ceil(ms.count()));
}

}  // namespace detail

/// An async call started with a callback. Destroying it (or reset()) cancels the call if it is
/// still running (the callback then runs with OPENAI_CANCELLED); detach() lets it run to its end.
class Future {
public:
    Future() noexcept = default;
    explicit Future(openai_future *future) noexcept : f_(future) {}
    Future(const Future &) = delete;
    Future &operator=(const Future &) = delete;
    Future(Future &&other) noexcept : f_(other.release()) {}
    Future &operator=(Future &&other) noexcept {
        if (this != &other) reset(other.release());
        return *this;
    }
    ~Future() { reset(); }

    /// Whether the call has completed (its callback has returned).
    bool ready() const noexcept { return openai_future_ready(f_); }
    /// Waits until the call completes.
    void wait() const { (void)openai_future_wait(f_, -1); }
    /// Waits up to `timeout`; true once complete.
    bool wait_for(std::chrono::milliseconds timeout) const {
        return openai_future_wait(f_, detail::timeout_ms(timeout)) == OPENAI_OK;
    }
    /// Cancels the call (thread-safe; nothing happens to a completed call). The callback runs
    /// with OPENAI_CANCELLED, possibly after this returns.
    void cancel() const noexcept { openai_future_cancel(f_); }
    /// A descriptor readable once the call completes (for poll/epoll loops); -1 on failure.
    int fd() const noexcept { return openai_future_fd(f_); }
    /// Lets the call run to completion without this handle.
    void detach() noexcept {
        openai_future_detach(f_);
        f_ = nullptr;
    }
    openai_future *get() const noexcept { return f_; }
    openai_future *release() noexcept {
        openai_future *f = f_;
        f_ = nullptr;
        return f;
    }
    void reset(openai_future *future = nullptr) noexcept {
        openai_future_free(f_);
        f_ = future;
    }
    explicit operator bool() const noexcept { return f_ != nullptr; }

private:
    openai_future *f_ = nullptr;
};

class Queue;

/// An async call without a callback, used like a std::future<Response> (get, valid, wait,
/// wait_for, wait_until) that can also be cancelled: cancel() from any thread, also while
/// another thread waits in get() or wait(), which then return at once (get() throwing
/// APIUserAbortError). It can be polled (ready), watched by an event loop (fd) or handed to a
/// Queue with other calls.
///
/// Unlike a std::future, destroying it while the call is still running cancels the call: keep
/// it (or move it into a Queue) for as long as the call should run. Move-only; one thread at a
/// time, except cancel(), which any thread may call while the object lives (not while it is
/// destroyed or moved from).
class [[nodiscard]] ResponseFuture {
public:
    /// No call (valid() is false).
    ResponseFuture() noexcept = default;
    /// Takes ownership of `future`, a call started without a callback; `keep` lives until the
    /// call has completed.
    explicit ResponseFuture(openai_future *future, detail::KeepAlive keep = {}) noexcept
        : f_(future), keep_(std::move(keep)) {}
    ResponseFuture(const ResponseFuture &) = delete;
    ResponseFuture &operator=(const ResponseFuture &) = delete;
    ResponseFuture(ResponseFuture &&other) noexcept
        : f_(std::exchange(other.f_, nullptr)), keep_(std::move(other.keep_)), tag_(other.tag_),
          retrieved_(other.retrieved_) {}
    ResponseFuture &operator=(ResponseFuture &&other) noexcept {
        if (this != &other) {
            reset();
            f_ = std::exchange(other.f_, nullptr);
            keep_ = std::move(other.keep_);
            tag_ = other.tag_;
            retrieved_ = other.retrieved_;
        }
        return *this;
    }
    /// Cancels the call if it is still running, and frees it.
    ~ResponseFuture() { reset(); }

    /// Whether this holds a call whose result is still to be taken (false once get() returned
    /// or threw, after a move, or when default-constructed).
    bool valid() const noexcept { return f_ != nullptr && !retrieved_; }

    /// Waits for the call to complete and returns its response, or throws its error
    /// (APIUserAbortError once cancelled). Once only, like std::future::get(): afterwards
    /// valid() is false. Throws std::future_error (no_state) when !valid().
    Response get() {
        check_valid();
        (void)openai_future_wait(f_, -1);
        openai_response *out = nullptr;
        const Code code = openai_future_take(f_, &out);
        // The C handle stays until this object goes: another thread may still be inside
        // cancel() (which is what completed the call).
        retrieved_ = true;
        if (!out) detail::throw_last_error(code == OPENAI_OK ? OPENAI_INTERNAL : code);
        return detail::checked(code, out);
    }

    /// Waits until the call completes (it may have been cancelled).
    void wait() const {
        check_valid();
        (void)openai_future_wait(f_, -1);
    }
    /// Waits up to `timeout`: std::future_status::ready once complete, else timeout (the call
    /// goes on).
    template <class Rep, class Period>
    std::future_status wait_for(const std::chrono::duration<Rep, Period> &timeout) const {
        check_valid();
        return openai_future_wait(f_, detail::timeout_ms(timeout)) == OPENAI_OK ? std::future_status::ready
                                                                                : std::future_status::timeout;
    }
    /// Waits until `deadline` at most, as wait_for().
    template <class Clock, class Duration>
    std::future_status wait_until(const std::chrono::time_point<Clock, Duration> &deadline) const {
        std::future_status status;
        do {
            status = wait_for(deadline - Clock::now());
        } while (status == std::future_status::timeout && Clock::now() < deadline);
        return status;
    }

    /// Whether the call has completed. Never blocks; false without a call.
    bool ready() const noexcept { return openai_future_ready(f_); }
    /// Cancels the call: its request and connection are dropped, and it is complete when this
    /// returns (get() throws APIUserAbortError, unless the response had arrived first). Thread-
    /// safe; nothing happens to a completed call or without a call.
    void cancel() const noexcept { openai_future_cancel(f_); }
    /// A descriptor that becomes readable when the call completes (for poll/epoll/libuv/GLib
    /// loops); it belongs to this object. -1 when none can be made.
    int fd() const noexcept { return openai_future_fd(f_); }
    /// The tag given to Queue::add (0 otherwise).
    std::uint64_t tag() const noexcept { return tag_; }
    /// The C handle (still owned by this object).
    openai_future *handle() const noexcept { return f_; }

private:
    friend class Queue;
    void check_valid() const {
        if (!valid()) throw std::future_error(std::future_errc::no_state);
    }
    void reset() noexcept {
        if (f_) {
            // A call without a callback is complete when cancel returns: nothing it kept is
            // used after this.
            openai_future_cancel(f_);
            openai_future_free(f_);
            f_ = nullptr;
        }
        keep_ = {};
        retrieved_ = false;
    }

    openai_future *f_ = nullptr;
    detail::KeepAlive keep_;
    std::uint64_t tag_ = 0;
    bool retrieved_ = false;
};

/// A completion queue (openai_queue): many calls in flight, one place, or one descriptor, to
/// wait for whichever completes next. Calls come back in the order they completed, as the
/// ResponseFuture given to add(), ready for get() (next_many() takes many at once):
///
///     openai::Queue queue;
///     for (int i = 0; i < 100; i++) queue.add(client.embeddings().create_async(body), i);
///     while (std::optional<openai::ResponseFuture> done = queue.next())
///         use(done->tag(), done->get());
///
/// Its functions may be called from any thread. Destroying it cancels the calls it still holds.
class Queue {
public:
    /// Throws (InternalError) when the queue's descriptor cannot be made.
    Queue() : s_(std::make_unique<State>()) {}
    Queue(const Queue &) = delete;
    Queue &operator=(const Queue &) = delete;
    Queue(Queue &&) noexcept = default;
    Queue &operator=(Queue &&) noexcept = default;
    ~Queue() = default;

    /// Hands a call to the queue, which owns it until next() returns it with `tag`. Throws
    /// std::future_error (no_state) for an empty future.
    void add(ResponseFuture future, std::uint64_t tag = 0) {
        future.check_valid();
        const std::lock_guard<std::mutex> guard(s_->lock);
        const Code code = openai_queue_add(s_->queue, future.f_);
        if (code != OPENAI_OK) detail::throw_last_error(code);
        s_->owned.emplace(future.f_, Entry{std::move(future.keep_), tag});
        future.f_ = nullptr;
    }

    /// The next completed call, waiting as long as it takes; nullopt when the queue holds no
    /// call (so that `while (auto done = queue.next())` drains it).
    std::optional<ResponseFuture> next() {
        if (empty()) return std::nullopt;
        return next_impl(-1);
    }
    /// The next completed call, waiting up to `timeout`; nullopt when none completed in time.
    template <class Rep, class Period>
    std::optional<ResponseFuture> next_for(const std::chrono::duration<Rep, Period> &timeout) {
        return next_impl(detail::timeout_ms(timeout));
    }
    /// The next completed call if there is one, without waiting.
    std::optional<ResponseFuture> try_next() { return next_impl(0); }

    /// Every completed call, up to `max`, in the order they completed, waiting up to `timeout`
    /// for the first: one lock and one wake-up for all of them (for a program with many calls
    /// in flight). Empty when none completed in time (or `max` is 0).
    template <class Rep, class Period>
    std::vector<ResponseFuture> next_many(std::size_t max, const std::chrono::duration<Rep, Period> &timeout) {
        std::vector<ResponseFuture> done;
        if (max == 0) return done;
        std::vector<openai_future *> slots(max);
        std::size_t count = 0;
        const Code code = openai_queue_next_many(s_->queue, detail::timeout_ms(timeout), slots.data(), max, &count);
        if (code == OPENAI_PENDING) return done;
        if (code != OPENAI_OK) detail::throw_last_error(code);
        done.reserve(count);
        const std::lock_guard<std::mutex> guard(s_->lock);
        for (std::size_t i = 0; i < count; i++) done.push_back(s_->claim(slots[i]));
        return done;
    }

    /// A descriptor readable while a completed call waits in the queue: add it to an event loop,
    /// and on readiness call try_next() until it gives nullopt. It belongs to the queue.
    int fd() const noexcept { return s_ ? openai_queue_fd(s_->queue) : -1; }
    /// How many calls the queue holds: in flight, and complete but not yet returned.
    std::size_t size() const noexcept { return s_ ? openai_queue_len(s_->queue) : 0; }
    bool empty() const noexcept { return size() == 0; }
    /// The C handle (owned by this object; NULL after a move).
    openai_queue *handle() const noexcept { return s_ ? s_->queue : nullptr; }

private:
    struct Entry {
        detail::KeepAlive keep;
        std::uint64_t tag = 0;
    };
    struct State {
        openai_queue *queue = nullptr;
        std::mutex lock;
        // The calls the queue owns, by handle, with what they keep alive.
        std::unordered_map<openai_future *, Entry> owned;

        State() : queue(openai_queue_new()) {
            if (!queue) detail::throw_last_error(OPENAI_INTERNAL);
        }
        State(const State &) = delete;
        State &operator=(const State &) = delete;

        /// A call the queue gave back, with what it kept and its tag; `lock` is held (add()
        /// holds it from openai_queue_add until the call's entry is in the map).
        ResponseFuture claim(openai_future *f) {
            ResponseFuture done(f);
            const auto it = owned.find(f);
            if (it != owned.end()) {
                done.keep_ = std::move(it->second.keep);
                done.tag_ = it->second.tag;
                owned.erase(it);
            }
            return done;
        }

        ~State() {
            const std::lock_guard<std::mutex> guard(lock);
            // Cancelling a call without a callback completes it before returning, so that what
            // it kept may go; openai_queue_free only asks the pending ones to stop.
            for (const auto &entry : owned) openai_future_cancel(entry.first);
            openai_queue_free(queue);
        }
    };

    std::optional<ResponseFuture> next_impl(std::int64_t wait_ms) {
        openai_future *f = nullptr;
        const Code code = openai_queue_next(s_->queue, wait_ms, &f);
        if (code == OPENAI_PENDING || (code == OPENAI_OK && !f)) return std::nullopt;
        if (code != OPENAI_OK) detail::throw_last_error(code);
        const std::lock_guard<std::mutex> guard(s_->lock);
        return s_->claim(f);
    }

    std::unique_ptr<State> s_;
};

namespace detail {

struct CallbackState {
    Callback callback;
    KeepAlive keep;
};

inline void callback_trampoline(openai_response *response, void *userdata) noexcept {
    std::unique_ptr<CallbackState> state(static_cast<CallbackState *>(userdata));
    Response r(response);
    if (state->callback) state->callback(std::move(r));
}

template <class Start>
Future start_callback(Start &&start, Callback callback, KeepAlive keep = {}) {
    auto state = std::make_unique<CallbackState>();
    state->callback = std::move(callback);
    state->keep = std::move(keep);
    openai_future *f = start(&callback_trampoline, static_cast<void *>(state.get()));
    state.release();
    return Future(f);
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// Stream events

/// A borrowed view of an event of a stream or of a WebSocket session.
class EventView {
public:
    EventView() noexcept = default;
    explicit EventView(const openai_event *event) noexcept : e_(event) {}
    const openai_event *get() const noexcept { return e_; }
    explicit operator bool() const noexcept { return e_ != nullptr; }

    /// The `event:` name ("thread.message.delta"), "" for unnamed events (chat chunks); for a
    /// WebSocket session's event, its `type` ("response.output_text.delta").
    std::string_view name() const noexcept {
        const char *n = openai_event_name(e_);
        return n ? std::string_view(n) : std::string_view();
    }
    /// The data (its `data:` lines joined with "\n").
    std::string_view data() const noexcept {
        std::size_t len = 0;
        const char *d = openai_event_data(e_, &len);
        return d ? std::string_view(d, len) : std::string_view();
    }
    /// The last `id:` the stream sent up to this event.
    std::optional<std::string_view> id() const noexcept { return detail::opt_view(openai_event_id(e_)); }
    /// The PCM bytes of a Realtime session's audio delta (`response.output_audio.delta`), its
    /// base64 decoded by the library; empty for any other event.
    std::string_view audio() const noexcept {
        std::size_t len = 0;
        const void *pcm = openai_event_audio(e_, &len);
        return pcm ? std::string_view(static_cast<const char *>(pcm), len) : std::string_view();
    }
    /// The string at a JSON Pointer in the data ("/choices/0/delta/content").
    std::optional<std::string_view> json_string(std::string_view pointer) const {
        const detail::Arg p(pointer);
        return detail::opt_view(openai_event_json_string(e_, p.c_str()));
    }
    /// The value at a JSON Pointer in the data, as compact JSON text.
    std::optional<std::string_view> json_value(std::string_view pointer) const {
        const detail::Arg p(pointer);
        return detail::opt_view(openai_event_json_value(e_, p.c_str()));
    }

protected:
    const openai_event *e_ = nullptr;
};

/// A stream event, owned.
class Event : public EventView {
public:
    Event() noexcept = default;
    explicit Event(openai_event *event) noexcept : EventView(event) {}
    Event(const Event &) = delete;
    Event &operator=(const Event &) = delete;
    Event(Event &&other) noexcept : EventView(other.release()) {}
    Event &operator=(Event &&other) noexcept {
        if (this != &other) reset(other.release());
        return *this;
    }
    ~Event() { reset(); }
    openai_event *release() noexcept {
        auto *e = const_cast<openai_event *>(e_);
        e_ = nullptr;
        return e;
    }
    void reset(openai_event *event = nullptr) noexcept {
        openai_event_free(const_cast<openai_event *>(e_));
        e_ = event;
    }
};

// ---------------------------------------------------------------------------------------------
// Streams

/// Receives each event of a callback stream, borrowed for the call; return false to stop.
/// An exception it throws stops the stream and goes to the DoneHandler.
using EventHandler = std::function<bool(const EventView &)>;

/// Receives the end of a callback stream: nullptr after a clean end, else the exception (the
/// stream's error, APIUserAbortError when the handler stopped it, or what the handler threw).
/// It runs on a library thread and must not throw.
using DoneHandler = std::function<void(std::exception_ptr)>;

namespace detail {

/// An input iterator over whatever `source->next()` returns until it returns nothing: the events
/// of a stream or of a Realtime session, the pages of a list. The end is a null source.
template <class Source, class Value>
class NextIterator {
public:
    using iterator_category = std::input_iterator_tag;
    using value_type = Value;
    using difference_type = std::ptrdiff_t;
    using pointer = Value *;
    using reference = Value &;

    NextIterator() noexcept = default;
    explicit NextIterator(Source *source) : source_(source) { advance(); }
    Value &operator*() noexcept { return current_; }
    Value *operator->() noexcept { return &current_; }
    NextIterator &operator++() {
        advance();
        return *this;
    }
    void operator++(int) { advance(); }
    friend bool operator==(const NextIterator &a, const NextIterator &b) noexcept { return a.source_ == b.source_; }
    friend bool operator!=(const NextIterator &a, const NextIterator &b) noexcept { return a.source_ != b.source_; }

private:
    void advance() {
        std::optional<Value> next = source_->next();
        if (next) {
            current_ = std::move(*next);
        } else {
            current_.reset();
            source_ = nullptr;
        }
    }
    Source *source_ = nullptr;
    Value current_;
};

struct StreamCallbackState {
    EventHandler on_event;
    DoneHandler on_done;
    std::exception_ptr thrown;
    KeepAlive keep;
};

inline std::shared_ptr<const ErrorDetails> stream_error_details(const openai_stream *stream) {
    return error_details(openai_stream_code(stream), openai_stream_error_message(stream),
                         openai_stream_response(stream));
}

inline bool stream_trampoline(openai_stream *stream, const openai_event *event, void *userdata) noexcept {
    auto *state = static_cast<StreamCallbackState *>(userdata);
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
    if (!error && openai_stream_code(stream) != OPENAI_OK) error = error_ptr(stream_error_details(stream));
    if (state->on_done) state->on_done(error);
    return false;
}

}  // namespace detail

/// A stream of server-sent events, owned: destroying it (or close()) drops the connection at
/// once. Iterate it with range-for; iteration throws the stream's error if it ends with one.
class Stream {
public:
    Stream() noexcept = default;
    explicit Stream(openai_stream *stream) noexcept : s_(stream) {}
    Stream(openai_stream *stream, std::unique_ptr<detail::StreamCallbackState> state) noexcept
        : s_(stream), state_(std::move(state)) {}
    Stream(const Stream &) = delete;
    Stream &operator=(const Stream &) = delete;
    Stream(Stream &&other) noexcept : s_(other.s_), state_(std::move(other.state_)) { other.s_ = nullptr; }
    Stream &operator=(Stream &&other) noexcept {
        if (this != &other) {
            close();
            s_ = other.s_;
            other.s_ = nullptr;
            state_ = std::move(other.state_);
        }
        return *this;
    }
    ~Stream() { close(); }

    /// Closes the connection and frees the stream (its handler is never called afterwards).
    void close() noexcept {
        openai_stream_free(s_);
        s_ = nullptr;
        state_.reset();
    }

    /// The next event, waiting as long as it takes; nullopt after a clean end. Throws the
    /// error that ended the stream.
    std::optional<Event> next() { return next_impl(-1); }
    /// The next event, waiting up to `timeout`; nullopt when none came in time or the stream
    /// ended cleanly (done() tells which). Throws the error that ended the stream.
    std::optional<Event> next_for(std::chrono::milliseconds timeout) {
        return next_impl(static_cast<std::int64_t>(timeout.count()));
    }
    /// The next event if one is ready.
    std::optional<Event> try_next() { return next_impl(0); }

    /// OPENAI_PENDING while the stream goes on, OPENAI_OK after a clean end, else its error.
    Code code() const noexcept { return openai_stream_code(s_); }
    bool done() const noexcept { return code() != OPENAI_PENDING; }
    std::optional<std::string_view> error_message() const noexcept {
        return detail::opt_view(openai_stream_error_message(s_));
    }
    /// The response (status, headers, request id) once it began; empty before.
    ResponseView response() const noexcept { return ResponseView(openai_stream_response(s_)); }
    /// A descriptor readable while try_next() has something.
    int fd() const noexcept { return openai_stream_fd(s_); }
    openai_stream *get() const noexcept { return s_; }
    explicit operator bool() const noexcept { return s_ != nullptr; }

    /// Input iterator over the events (range-for).
    using iterator = detail::NextIterator<Stream, Event>;

    iterator begin() { return iterator(this); }
    iterator end() noexcept { return iterator(); }

private:
    std::optional<Event> next_impl(std::int64_t timeout_ms) {
        openai_event *event = nullptr;
        const Code code = openai_stream_next(s_, timeout_ms, &event);
        if (code == OPENAI_OK) {
            if (!event) return std::nullopt;
            return Event(event);
        }
        if (code == OPENAI_PENDING) return std::nullopt;
        if (!s_) detail::throw_last_error(code);
        detail::throw_error(detail::stream_error_details(s_));
    }

    openai_stream *s_ = nullptr;
    std::unique_ptr<detail::StreamCallbackState> state_;  // freed after the stream
};

namespace detail {

/// The stream of a blocking `_stream` call, or its exception.
inline Stream checked_stream(Code code, openai_stream *out) {
    Stream stream(out);
    if (code != OPENAI_OK) {
        if (!out) throw_last_error(code);
        throw_error(error_details(code, openai_stream_error_message(out), openai_stream_response(out)));
    }
    return stream;
}

/// Starts a callback stream: `start(callback, userdata)` calls the C `_stream_async` function.
template <class Start>
Stream start_stream(Start &&start, EventHandler on_event, DoneHandler on_done, KeepAlive keep = {}) {
    auto state = std::make_unique<StreamCallbackState>();
    state->on_event = std::move(on_event);
    state->on_done = std::move(on_done);
    state->keep = std::move(keep);
    void *userdata = state.get();
    openai_stream *s = start(&stream_trampoline, userdata);
    return Stream(s, std::move(state));
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// Pagers

class Items;

/// Every page of a list, fetched one at a time: range-for over its Response pages, or over
/// every item of every page with items().
class Pager {
public:
    Pager() noexcept = default;
    explicit Pager(openai_pager *pager) noexcept : p_(pager) {}
    Pager(const Pager &) = delete;
    Pager &operator=(const Pager &) = delete;
    Pager(Pager &&other) noexcept : p_(other.p_) { other.p_ = nullptr; }
    Pager &operator=(Pager &&other) noexcept {
        if (this != &other) {
            openai_pager_free(p_);
            p_ = other.p_;
            other.p_ = nullptr;
        }
        return *this;
    }
    ~Pager() { openai_pager_free(p_); }

    /// The next page (blocking), nullopt after the last. Throws a failed page's error.
    std::optional<Response> next() {
        openai_response *out = nullptr;
        const Code code = openai_pager_next(p_, &out);
        if (!out) {
            if (code != OPENAI_OK) detail::throw_last_error(code);
            return std::nullopt;
        }
        return detail::checked(code, out);
    }

    openai_pager *get() const noexcept { return p_; }

    /// Input iterator over the pages (range-for).
    using iterator = detail::NextIterator<Pager, Response>;

    iterator begin() { return iterator(this); }
    iterator end() noexcept { return iterator(); }

    /// The items of every page (the elements of each page's `data`), fetched page by page as
    /// the iteration reaches them: `for (const openai::Item &file : client.files().list_pages().items())`.
    /// On a temporary Pager the range takes it over; on a named one it iterates that one.
    Items items() &;
    Items items() &&;

private:
    openai_pager *p_ = nullptr;
};

/// One item of a list (an element of its page's `data` array), read through JSON Pointers
/// relative to the item (`item.json_string("/id")`). Copies share the page, which lives as long
/// as any of its items; the string_views returned live as long as the item.
class Item {
public:
    Item() noexcept = default;
    Item(std::shared_ptr<const Response> page, std::size_t index, std::string_view json) noexcept
        : page_(std::move(page)), index_(index), json_(json) {}

    /// The item as compact JSON text.
    std::string_view json() const noexcept { return json_; }
    /// The string at a JSON Pointer within the item ("/filename").
    std::optional<std::string_view> json_string(std::string_view pointer) const {
        return page_ ? page_->json_string(absolute(pointer)) : std::nullopt;
    }
    /// The value at a JSON Pointer within the item, as compact JSON text ("" is the item).
    std::optional<std::string_view> json_value(std::string_view pointer) const {
        return page_ ? page_->json_value(absolute(pointer)) : std::nullopt;
    }
    /// Its `id`, which every listed object of the API has.
    std::optional<std::string_view> id() const { return json_string("/id"); }
    /// Its position in its page's `data`.
    std::size_t index() const noexcept { return index_; }
    /// The page it came from (status, headers, request id, `has_more`, ...); empty for a
    /// default-constructed Item.
    ResponseView page() const noexcept { return page_ ? ResponseView(page_->get()) : ResponseView(); }
    explicit operator bool() const noexcept { return page_ != nullptr; }

private:
    std::string absolute(std::string_view pointer) const {
        return "/data/" + std::to_string(index_) + std::string(pointer);
    }
    std::shared_ptr<const Response> page_;
    std::size_t index_ = 0;
    std::string_view json_;
};

/// The items of every page of a Pager, as an input range (iterate it once). Pages are fetched
/// as the iteration reaches them; a page that fails throws its error from the iteration.
class Items {
public:
    /// Iterates `pager`, which must outlive this range.
    explicit Items(Pager &pager) noexcept : pager_(&pager) {}
    /// Takes `pager` over.
    explicit Items(Pager &&pager) noexcept : owned_(std::move(pager)), pager_(&owned_) {}
    Items(const Items &) = delete;
    Items &operator=(const Items &) = delete;
    Items(Items &&other) noexcept
        : owned_(std::move(other.owned_)), pager_(other.pager_ == &other.owned_ ? &owned_ : other.pager_) {}
    Items &operator=(Items &&) = delete;
    ~Items() = default;

    class iterator {
    public:
        using iterator_category = std::input_iterator_tag;
        using value_type = Item;
        using difference_type = std::ptrdiff_t;
        using pointer = const Item *;
        using reference = const Item &;

        iterator() noexcept = default;
        explicit iterator(Pager *pager) : pager_(pager) { next_page(); }
        const Item &operator*() const noexcept { return current_; }
        const Item *operator->() const noexcept { return &current_; }
        iterator &operator++() {
            if (!load(current_.index() + 1)) next_page();
            return *this;
        }
        void operator++(int) { ++*this; }
        friend bool operator==(const iterator &a, const iterator &b) noexcept { return a.pager_ == b.pager_; }
        friend bool operator!=(const iterator &a, const iterator &b) noexcept { return a.pager_ != b.pager_; }

    private:
        /// The first item of the next page that has one; the end after the last page.
        void next_page() {
            for (;;) {
                std::optional<Response> page = pager_->next();
                if (!page) {
                    pager_ = nullptr;
                    current_ = Item();
                    page_.reset();
                    return;
                }
                page_ = std::make_shared<const Response>(std::move(*page));
                if (load(0)) return;
            }
        }
        /// Item `index` of the current page, if it has one.
        bool load(std::size_t index) {
            const std::optional<std::string_view> json = page_->json_value("/data/" + std::to_string(index));
            if (!json) return false;
            current_ = Item(page_, index, *json);
            return true;
        }
        Pager *pager_ = nullptr;
        std::shared_ptr<const Response> page_;
        Item current_;
    };

    iterator begin() { return iterator(pager_); }
    iterator end() noexcept { return iterator(); }

private:
    Pager owned_;
    Pager *pager_ = nullptr;
};

inline Items Pager::items() & { return Items(*this); }
inline Items Pager::items() && { return Items(std::move(*this)); }

namespace detail {

inline Pager checked_pager(Code code, openai_pager *out) {
    if (code != OPENAI_OK || !out) {
        openai_pager_free(out);
        throw_last_error(code == OPENAI_OK ? OPENAI_INTERNAL : code);
    }
    return Pager(out);
}

/// The progress handler of a `_to_file` call.
inline void progress_trampoline(std::uint64_t done, std::uint64_t total, void *userdata) noexcept {
    auto *progress = static_cast<const Progress *>(userdata);
    (*progress)(done, total);
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// Clients

/// The options of a client, as a builder of the JSON object openai_client_new takes.
/// Options left unset come from the environment (OPENAI_API_KEY, OPENAI_BASE_URL, ...) or
/// default.
class ClientOptions {
public:
    ClientOptions &api_key(std::string_view v) { return set("api_key", json::quote(v)); }
    ClientOptions &base_url(std::string_view v) { return set("base_url", json::quote(v)); }
    ClientOptions &organization(std::string_view v) { return set("organization", json::quote(v)); }
    ClientOptions &project(std::string_view v) { return set("project", json::quote(v)); }
    /// Per attempt, in seconds.
    ClientOptions &timeout(double seconds) { return set("timeout", number(seconds)); }
    /// No timeout at all.
    ClientOptions &no_timeout() { return set("timeout", "null"); }
    ClientOptions &connect_timeout(double seconds) { return set("connect_timeout", number(seconds)); }
    ClientOptions &max_retries(unsigned retries) { return set("max_retries", std::to_string(retries)); }
    /// The longest wait for the next bytes of a stream.
    ClientOptions &stream_idle_timeout(double seconds) { return set("stream_idle_timeout", number(seconds)); }
    /// The longest a whole stream may last.
    ClientOptions &stream_timeout(double seconds) { return set("stream_timeout", number(seconds)); }
    /// The largest response (or stream event) held in memory; larger ones fail with
    /// ResponseTooLargeError. Downloads to a file have no such limit.
    ClientOptions &max_response_size(std::uint64_t bytes) { return set("max_response_size", std::to_string(bytes)); }
    /// Connections open at once, past which calls wait for one.
    ClientOptions &max_connections(unsigned connections) { return set("max_connections", std::to_string(connections)); }
    /// Idle connections kept for reuse.
    ClientOptions &max_idle_connections(unsigned connections) {
        return set("max_idle_connections", std::to_string(connections));
    }
    /// How long an idle connection is kept.
    ClientOptions &idle_connection_timeout(double seconds) { return set("idle_connection_timeout", number(seconds)); }
    /// HTTP/1.1 only (no HTTP/2 offered over TLS).
    ClientOptions &http1_only(bool only = true) { return set("http1_only", only ? "true" : "false"); }
    ClientOptions &default_header(std::string_view name, std::string_view value) {
        headers_[std::string(name)] = json::quote(value);
        return *this;
    }
    /// Removes a header the library would send.
    ClientOptions &remove_header(std::string_view name) {
        headers_[std::string(name)] = "null";
        return *this;
    }
    /// A JSON object of query parameters added to every request.
    ClientOptions &default_query(std::string_view query_json) { return set("default_query", std::string(query_json)); }
    ClientOptions &openai_beta(std::string_view v) { return set("openai_beta", json::quote(v)); }
    ClientOptions &proxy(std::string_view url) { return set("proxy", json::quote(url)); }
    ClientOptions &ca_bundle(std::string_view path) { return set("ca_bundle", json::quote(path)); }
    /// Any option, as JSON text (for options newer than this wrapper).
    ClientOptions &set(std::string_view name, std::string json_value) {
        values_[std::string(name)] = std::move(json_value);
        return *this;
    }

    /// The JSON object.
    std::string json() const {
        std::string out = "{";
        bool first = true;
        auto add = [&](const std::string &name, const std::string &value) {
            if (!first) out += ",";
            first = false;
            out += json::quote(name);
            out += ":";
            out += value;
        };
        for (const auto &[name, value] : values_) add(name, value);
        if (!headers_.empty()) {
            std::string h = "{";
            bool first_header = true;
            for (const auto &[name, value] : headers_) {
                if (!first_header) h += ",";
                first_header = false;
                h += json::quote(name) + ":" + value;
            }
            add("default_headers", h + "}");
        }
        return out + "}";
    }

private:
    static std::string number(double v) {
        std::string s = std::to_string(v);  // "%f": always a valid JSON number
        return s;
    }
    std::map<std::string, std::string> values_;
    std::map<std::string, std::string> headers_;
};

/// A cancel token: cancel() aborts every call of the clients bound to it (Client::with_cancel_token).
class CancelToken {
public:
    CancelToken() : t_(openai_cancel_token_new(), &openai_cancel_token_free) {
        if (!t_) detail::throw_last_error(OPENAI_INTERNAL);
    }
    void cancel() const noexcept { openai_cancel_token_cancel(t_.get()); }
    bool cancelled() const noexcept { return openai_cancel_token_is_cancelled(t_.get()); }
    const openai_cancel_token *get() const noexcept { return t_.get(); }

private:
    std::shared_ptr<openai_cancel_token> t_;
};

// ---------------------------------------------------------------------------------------------
// Webhooks

/// Checks that webhook requests came from OpenAI, as the official SDKs' `client.webhooks`
/// (`client.webhooks()`, or an `openai::Webhooks` of its own: it needs no client and sends
/// nothing). Its functions may be called from any thread.
///
/// `headers` is the request's headers as any range of (name, value) pairs whose members convert
/// to std::string_view: a std::map<std::string, std::string>, a vector of pairs, ... Any headers
/// may be given (webhook-id, webhook-timestamp and webhook-signature are needed); names are
/// compared without case, the first of a repeated name is used. `secret` is the endpoint's
/// signing secret as the dashboard shows it (`whsec_` and the key in base64; a secret without the
/// prefix is used as it is), empty for the environment variable OPENAI_WEBHOOK_SECRET.
/// `tolerance` is how far the webhook-timestamp may lie from now, either way (nullopt: the SDKs'
/// 300 s).
class Webhooks {
public:
    /// Throws InvalidWebhookSignatureError unless `payload` (the body exactly as received) is
    /// signed by the secret (the HMAC-SHA256 of `<webhook-id>.<webhook-timestamp>.<payload>` one
    /// of the header's `v1,<base64>` signatures) within the tolerance; InvalidArgumentError for
    /// no secret, or one that is not base64 after `whsec_`. C: `openai_webhooks_verify_signature`.
    template <class Headers>
    void verify_signature(std::string_view payload, const Headers &headers, std::string_view secret = {},
                          std::optional<std::chrono::seconds> tolerance = std::nullopt) const {
        const Call call(headers, secret);
        const Code code = openai_webhooks_verify_signature(payload.data(), payload.size(), call.names.data(),
                                                           call.values.data(), call.names.size(), call.secret.c_str(),
                                                           seconds(tolerance));
        if (code != OPENAI_OK) detail::throw_last_error(code);
    }

    /// Verifies the request as verify_signature() does (and throws as it does), then returns its
    /// event, as the SDKs' `webhooks.unwrap`: its name() is the event's `type`
    /// ("response.completed", "batch.failed", ...), its data() the payload (json_string("/data/id"))
    /// and its id() the webhook-id (a delivery may come twice: the id tells). Throws
    /// InvalidArgumentError for a genuine payload that is not a JSON object.
    /// C: `openai_webhooks_unwrap`.
    template <class Headers>
    Event unwrap(std::string_view payload, const Headers &headers, std::string_view secret = {},
                 std::optional<std::chrono::seconds> tolerance = std::nullopt) const {
        const Call call(headers, secret);
        openai_event *out = nullptr;
        const Code code = openai_webhooks_unwrap(payload.data(), payload.size(), call.names.data(), call.values.data(),
                                                 call.names.size(), call.secret.c_str(), seconds(tolerance), &out);
        if (code != OPENAI_OK || !out) {
            openai_event_free(out);
            detail::throw_last_error(code == OPENAI_OK ? OPENAI_INTERNAL : code);
        }
        return Event(out);
    }

private:
    /// The C arguments: NUL-terminated copies of the headers, arrays pointing at them.
    struct Call {
        std::vector<std::string> strings;
        std::vector<const char *> names, values;
        detail::OptArg secret;
        template <class Headers>
        Call(const Headers &headers, std::string_view secret_) : secret(secret_) {
            for (const auto &header : headers) {
                strings.emplace_back(std::string_view(header.first));
                strings.emplace_back(std::string_view(header.second));
            }
            // The copies are complete: their buffers no longer move.
            for (std::size_t i = 0; i < strings.size(); i += 2) {
                names.push_back(strings[i].c_str());
                values.push_back(strings[i + 1].c_str());
            }
        }
    };
    static std::int64_t seconds(std::optional<std::chrono::seconds> tolerance) noexcept {
        return tolerance ? static_cast<std::int64_t>(tolerance->count()) : -1;
    }
};

// ---------------------------------------------------------------------------------------------
// The library's log

/// The level of a log message: Error (a call failed for good), Warn (a retry), Info (a call
/// completed), Debug (every request and response).
enum class LogLevel { Error = OPENAI_LOG_ERROR, Warn = OPENAI_LOG_WARN, Info = OPENAI_LOG_INFO, Debug = OPENAI_LOG_DEBUG };

/// Receives a log message, borrowed for the call.
using LogHandler = std::function<void(LogLevel, std::string_view)>;

namespace detail {

inline void log_trampoline(openai_log_level level, const char *message, void *userdata) noexcept {
    try {
        (*static_cast<const LogHandler *>(userdata))(static_cast<LogLevel>(level), message ? message : "");
    } catch (...) {
        // An exception must not cross into C.
    }
}

}  // namespace detail

/// Sends the library's log messages up to `max_level` to `handler`, for the whole process
/// (openai_set_log_callback). An empty handler restores the default: stderr when OPENAI_LOG names
/// a level, else nothing. The handler runs on whichever thread logs, several at once possibly
/// (the library's worker threads included); it must not call the library, and an exception it
/// throws is swallowed. Credentials never reach it (`[redacted]`). Every handler given is kept
/// until the process ends, since a library thread may still be inside the previous one.
inline void set_log_callback(LogHandler handler, LogLevel max_level = LogLevel::Info) {
    static std::mutex lock;
    // Reachable for the life of the process; never destroyed, so that no static destructor
    // runs while a library thread logs.
    static auto *kept = new std::vector<std::unique_ptr<LogHandler>>();
    const std::lock_guard<std::mutex> guard(lock);
    if (!handler) {
        openai_set_log_callback(nullptr, static_cast<int>(max_level), nullptr);
        return;
    }
    kept->push_back(std::make_unique<LogHandler>(std::move(handler)));
    openai_set_log_callback(&detail::log_trampoline, static_cast<int>(max_level), kept->back().get());
}

/// Stops the library at the end of a program (openai_shutdown): its threads are joined and its
/// process-wide state freed, so that a leak checker sees a clean exit. Optional. Call it from a
/// thread of the program, not inside a callback, after every handle is gone; calls still in
/// flight end cancelled. Throws WouldDeadlockError on a library thread.
inline void shutdown() {
    const Code code = openai_shutdown();
    if (code != OPENAI_OK) detail::throw_last_error(code);
}

class Client;

}  // namespace openai

#include "realtime.hpp"
#include "operations.hpp"

namespace openai {

/// A client: options, credentials and a connection pool. Copies share the C handle (freed
/// with the last copy); a client may be used from many threads at once. Calls in flight keep
/// what they need, so a client may be destroyed while its async calls run.
///
/// Every operation of the API is a method of a resource (generated, openai/operations.hpp):
/// `client.chat().completions().create(body)`, `client.beta().threads().runs().list(thread_id)`.
class Client : public Resources<Client> {
public:
    /// A client configured from the environment (OPENAI_API_KEY, OPENAI_BASE_URL, ...).
    Client() : Client(std::string_view()) {}
    /// A client with options given as a JSON object (see openai_client_new).
    explicit Client(std::string_view options_json) {
        const detail::OptArg options(options_json);
        openai_client *c = nullptr;
        const Code code = openai_client_new(options.c_str(), &c);
        if (code != OPENAI_OK) detail::throw_last_error(code);
        c_.reset(c, &openai_client_free);
    }
    explicit Client(const ClientOptions &options) : Client(std::string_view(options.json())) {}

    /// A client with some options replaced (sharing the connection pool when possible).
    Client with_options(std::string_view options_json) const {
        const detail::OptArg options(options_json);
        openai_client *c = nullptr;
        const Code code = openai_client_with_options(c_.get(), options.c_str(), &c);
        if (code != OPENAI_OK) detail::throw_last_error(code);
        return Client(c);
    }
    Client with_options(const ClientOptions &options) const { return with_options(std::string_view(options.json())); }

    /// A client like this one whose calls `token` cancels.
    Client with_cancel_token(const CancelToken &token) const {
        openai_client *c = nullptr;
        const Code code = openai_client_with_cancel_token(c_.get(), token.get(), &c);
        if (code != OPENAI_OK) detail::throw_last_error(code);
        return Client(c);
    }

    /// Calls any endpoint: `method` ("GET", "POST", ...), `path` relative to the base URL
    /// ("/responses"), a JSON object of query parameters and a JSON body (empty: none).
    Response request(std::string_view method, std::string_view path, std::string_view query_json = {},
                     std::string_view body = {}) const {
        const detail::Arg m(method), p(path);
        const detail::OptArg q(query_json), b(body);
        openai_response *out = nullptr;
        const Code code = openai_request(c_.get(), m.c_str(), p.c_str(), q.c_str(), b.c_str(), &out);
        return detail::checked(code, out);
    }

    /// The async form of request(), as a cancellable future (get() throws the call's error).
    ResponseFuture request_async(std::string_view method, std::string_view path, std::string_view query_json = {},
                                 std::string_view body = {}) const {
        const detail::Arg m(method), p(path);
        const detail::OptArg q(query_json), b(body);
        return ResponseFuture(openai_request_async(c_.get(), m.c_str(), p.c_str(), q.c_str(), b.c_str(), nullptr, nullptr));
    }

    /// The async form of request() with a callback.
    [[nodiscard]] Future request_async(std::string_view method, std::string_view path, std::string_view query_json,
                                       std::string_view body, Callback callback) const {
        const detail::Arg m(method), p(path);
        const detail::OptArg q(query_json), b(body);
        return detail::start_callback(
            [&](openai_callback cb, void *ud) {
                return openai_request_async(c_.get(), m.c_str(), p.c_str(), q.c_str(), b.c_str(), cb, ud);
            },
            std::move(callback));
    }

    /// Calls any streaming endpoint (the body must ask for a stream itself).
    Stream request_stream(std::string_view method, std::string_view path, std::string_view query_json = {},
                          std::string_view body = {}) const {
        const detail::Arg m(method), p(path);
        const detail::OptArg q(query_json), b(body);
        openai_stream *out = nullptr;
        const Code code = openai_request_stream(c_.get(), m.c_str(), p.c_str(), q.c_str(), b.c_str(), &out);
        return detail::checked_stream(code, out);
    }

    /// The callback form of request_stream(): events go to `on_event` on a library thread.
    Stream request_stream_async(std::string_view method, std::string_view path, std::string_view query_json,
                                std::string_view body, EventHandler on_event, DoneHandler on_done = {}) const {
        const detail::Arg m(method), p(path);
        const detail::OptArg q(query_json), b(body);
        return detail::start_stream(
            [&](openai_event_callback cb, void *ud) {
                return openai_request_stream_async(c_.get(), m.c_str(), p.c_str(), q.c_str(), b.c_str(), cb, ud);
            },
            std::move(on_event), std::move(on_done));
    }

    /// Every page of any cursor list endpoint ("/vector_stores").
    Pager request_pages(std::string_view path, std::string_view query_json = {}) const {
        const detail::Arg p(path);
        const detail::OptArg q(query_json);
        openai_pager *out = nullptr;
        const Code code = openai_request_pages(c_.get(), p.c_str(), q.c_str(), &out);
        return detail::checked_pager(code, out);
    }

    /// Webhook signatures (verify_signature, unwrap), as the SDKs' `client.webhooks`.
    Webhooks webhooks() const noexcept { return Webhooks(); }

    const openai_client *get() const noexcept { return c_.get(); }
    /// The shared C handle (resources keep a copy).
    const std::shared_ptr<openai_client> &handle() const noexcept { return c_; }

private:
    explicit Client(openai_client *c) : c_(c, &openai_client_free) {}
    std::shared_ptr<openai_client> c_;
};

}  // namespace openai

#endif  // OPENAI_OPENAI_HPP
