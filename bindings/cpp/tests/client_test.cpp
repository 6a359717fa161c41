// The C++ binding against the mock server: exact requests, realistic responses, the exception
// hierarchy, ResponseFuture (std::future-like, cancellable), callbacks and the Queue, streams by
// range-for and by callback, uploads, pages and their items, downloads and RAII.
#include <poll.h>
#include <sys/stat.h>

#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "harness.hpp"

namespace {

using namespace openai;
using openai_test::mock_options;
using openai_test::MockTest;

constexpr std::string_view kChat =
    R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi \u00e9 \"there\""}],"temperature":0.2})";
constexpr std::string_view kReply = "Hello! How can I help you today?";

// ---------------------------------------------------------------------------------------------
// RAII

static_assert(!std::is_copy_constructible_v<Response> && std::is_nothrow_move_constructible_v<Response>);
static_assert(!std::is_copy_constructible_v<Stream> && std::is_nothrow_move_constructible_v<Stream>);
static_assert(!std::is_copy_constructible_v<Event> && std::is_nothrow_move_constructible_v<Event>);
static_assert(!std::is_copy_constructible_v<Future> && std::is_nothrow_move_constructible_v<Future>);
static_assert(!std::is_copy_constructible_v<Pager> && std::is_nothrow_move_constructible_v<Pager>);
static_assert(std::is_copy_constructible_v<Client> && std::is_copy_constructible_v<Upload>);
static_assert(std::is_base_of_v<APIStatusError, NotFoundError> && std::is_base_of_v<APIError, APIStatusError> &&
              std::is_base_of_v<Error, APIError> && std::is_base_of_v<std::runtime_error, Error> &&
              std::is_base_of_v<APIConnectionError, APITimeoutError>);

TEST(Version, HeaderMatchesLibrary) { EXPECT_EQ(library_version(), header_version()); }

TEST(Json, Quote) {
    EXPECT_EQ(json::quote("a\"b\\c\n\x01"), R"("a\"b\\c\n\u0001")");
    EXPECT_EQ(json::quote("é"), "\"é\"");
}

TEST(ClientOptionsTest, BuildsJson) {
    EXPECT_EQ(ClientOptions().json(), "{}");
    EXPECT_EQ(ClientOptions().api_key("k").max_retries(3).default_header("X-A", "1").remove_header("User-Agent").json(),
              R"({"api_key":"k","max_retries":3,"default_headers":{"User-Agent":null,"X-A":"1"}})");
    const std::string all = ClientOptions()
                                .stream_timeout(2)
                                .max_response_size(1000)
                                .max_connections(4)
                                .max_idle_connections(1)
                                .idle_connection_timeout(3)
                                .http1_only()
                                .json();
    EXPECT_EQ(all, R"({"http1_only":true,"idle_connection_timeout":3.000000,"max_connections":4,"max_idle_connections":1,)"
                   R"("max_response_size":1000,"stream_timeout":2.000000})");
    EXPECT_NO_THROW(Client(ClientOptions(ClientOptions().api_key("k")).stream_timeout(2).max_response_size(1000)
                               .max_connections(4).max_idle_connections(1).idle_connection_timeout(3).http1_only(false)));
}

TEST(ClientTest, CreationErrorsThrowInvalidArgument) {
    EXPECT_THROW(Client(R"({"api_key":"k","no_such_option":1})"), InvalidArgumentError);
    EXPECT_THROW(Client("not json"), InvalidArgumentError);
    try {
        Client c(R"({"api_key":"k","no_such_option":1})");
        FAIL();
    } catch (const Error &e) {
        EXPECT_EQ(e.code(), OPENAI_INVALID_ARGUMENT);
        EXPECT_NE(std::string(e.what()).find("no_such_option"), std::string::npos) << e.what();
    }
}

TEST_F(MockTest, HandlesOutliveTheClientAndMovesAreSafe) {
    Response response;
    Stream stream;
    {
        Client c = client();
        response = c.models().retrieve("gpt-4o");
        stream = c.chat().completions().create_stream(kChat);
    }
    EXPECT_EQ(response.json_string("/id"), "gpt-4o");
    std::string text;
    for (const Event &event : stream) text += event.json_string("/choices/0/delta/content").value_or("");
    EXPECT_EQ(text, kReply);

    Response moved = std::move(response);
    EXPECT_FALSE(response);  // NOLINT(bugprone-use-after-move): a moved-from handle is empty
    EXPECT_TRUE(moved);
    Response &alias = moved;
    moved = std::move(alias);  // self-move keeps the handle
    EXPECT_TRUE(moved.ok());
    Stream other = std::move(stream);
    other.close();
    other.close();
    EXPECT_FALSE(other);
}

// ---------------------------------------------------------------------------------------------
// Exact requests

TEST_F(MockTest, ChatCompletionSendsTheExactRequest) {
    const Response r = client().chat().completions().create(kChat);
    EXPECT_EQ(r.status(), 200);
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r.code(), OPENAI_OK);
    EXPECT_EQ(r.json_string("/object"), "chat.completion");
    EXPECT_EQ(r.json_string("/choices/0/message/content"), kReply);
    EXPECT_EQ(r.json_value("/choices/0/index"), "0");
    EXPECT_EQ(r.json_string("/no/such/thing"), std::nullopt);
    EXPECT_EQ(r.error_message(), std::nullopt);
    ASSERT_TRUE(r.request_id());
    EXPECT_EQ(r.request_id()->substr(0, 4), "req_");
    EXPECT_EQ(r.header("Content-Type"), "application/json");
    EXPECT_EQ(r.header("X-REQUEST-ID"), r.request_id());
    bool seen = false;
    for (const auto &[name, value] : r.headers()) seen |= name == "openai-version" && value == "2020-10-01";
    EXPECT_TRUE(seen);
    EXPECT_EQ(r.retries(), 0u);

    const Response log = take_requests();
    ASSERT_EQ(log_size(log), 1);
    EXPECT_EQ(log.json_string("/0/method"), "POST");
    EXPECT_EQ(log.json_string("/0/path"), "/v1/chat/completions");
    EXPECT_EQ(log.json_string("/0/body"), kChat);  // byte for byte
    EXPECT_EQ(logged_header(log, 0, "authorization"), "Bearer sk-test");
    EXPECT_EQ(logged_header(log, 0, "content-type"), "application/json");
    EXPECT_EQ(logged_header(log, 0, "accept"), "application/json");
    EXPECT_EQ(logged_header(log, 0, "openai-beta"), std::nullopt);
}

TEST_F(MockTest, PathParametersAreEncodedAndQueriesSent) {
    EXPECT_EQ(client().models().retrieve("ft:gpt 4o/x").json_string("/id"), "ft:gpt 4o/x");
    Response log = take_requests();
    EXPECT_EQ(log.json_string("/0/method"), "GET");
    EXPECT_EQ(log.json_string("/0/path"), "/v1/models/ft:gpt%204o%2Fx");

    const Response list = client().beta().threads().messages().list("thread_1", R"({"limit":2,"order":"desc"})");
    EXPECT_EQ(list.json_string("/data/0/id"), "msg_abc007");
    log = take_requests();
    EXPECT_EQ(log.json_string("/0/path"), "/v1/threads/thread_1/messages");
    EXPECT_EQ(log.json_string("/0/query"), "limit=2&order=desc");
    EXPECT_EQ(logged_header(log, 0, "openai-beta"), "assistants=v2");
}

TEST_F(MockTest, ClientOptionsReachTheWire) {
    const Client c(mock_options().organization("org-1").project("proj-1").default_header("X-Extra", "yes"));
    c.models().list();
    const Response log = take_requests();
    EXPECT_EQ(logged_header(log, 0, "openai-organization"), "org-1");
    EXPECT_EQ(logged_header(log, 0, "openai-project"), "proj-1");
    EXPECT_EQ(logged_header(log, 0, "x-extra"), "yes");

    const Client derived = c.with_options(ClientOptions().default_header("X-Extra", "no"));
    derived.models().list();
    EXPECT_EQ(logged_header(take_requests(), 0, "x-extra"), "no");
}

TEST_F(MockTest, GenericRequestReachesAnyEndpoint) {
    const Response r = client().request("GET", "/models/gpt-4o", R"({"x":"1 2"})");
    EXPECT_EQ(r.json_string("/owned_by"), "openai");
    const Response log = take_requests();
    EXPECT_EQ(log.json_string("/0/raw_target"), "/v1/models/gpt-4o?x=1%202");

    std::string text;
    for (const Event &event : client().request_stream("POST", "/chat/completions", {},
                                                      R"({"model":"m","messages":[],"stream":true})"))
        text += event.json_string("/choices/0/delta/content").value_or("");
    EXPECT_EQ(text, kReply);
}

TEST_F(MockTest, InvalidArgumentsThrowAndSendNothing) {
    EXPECT_THROW(client().chat().completions().create("not json"), InvalidArgumentError);
    EXPECT_THROW(client().models().retrieve(""), InvalidArgumentError);
    EXPECT_THROW(Upload::from_path("/no/such/file.mp3"), InvalidArgumentError);
    EXPECT_THROW(client().chat().completions().create_async("{").get(), InvalidArgumentError);
    EXPECT_EQ(log_size(take_requests()), 0);
}

// ---------------------------------------------------------------------------------------------
// Exceptions

template <class E>
void expect_status_error(int status, Code code) {
    MockTest::script(R"({"status":)" + std::to_string(status) +
                     R"(,"body_json":{"error":{"message":"Scripted failure","type":"test_error","param":"model","code":"scripted_code"}}})");
    try {
        (void)MockTest::client().chat().completions().create(kChat);
        ADD_FAILURE() << status << " did not throw";
    } catch (const E &e) {
        EXPECT_TRUE(typeid(e) == typeid(E)) << status << ": " << typeid(e).name();
        EXPECT_EQ(e.code(), code);
        EXPECT_EQ(e.status_code(), status);
        ASSERT_TRUE(e.request_id());
        EXPECT_EQ(e.request_id()->substr(0, 4), "req_");
        EXPECT_EQ(e.type(), "test_error");
        EXPECT_EQ(e.param(), "model");
        EXPECT_EQ(e.api_code(), "scripted_code");
        EXPECT_EQ(e.api_message(), "Scripted failure");
        EXPECT_EQ(std::string(e.what()), "Error code: " + std::to_string(status) + " - Scripted failure");
        EXPECT_NE(e.body().find("scripted_code"), std::string::npos);
    }
}

TEST_F(MockTest, EveryStatusThrowsItsClass) {
    expect_status_error<BadRequestError>(400, OPENAI_BAD_REQUEST);
    expect_status_error<AuthenticationError>(401, OPENAI_AUTHENTICATION);
    expect_status_error<PermissionDeniedError>(403, OPENAI_PERMISSION_DENIED);
    expect_status_error<NotFoundError>(404, OPENAI_NOT_FOUND);
    expect_status_error<ConflictError>(409, OPENAI_CONFLICT);
    expect_status_error<UnprocessableEntityError>(422, OPENAI_UNPROCESSABLE_ENTITY);
    expect_status_error<RateLimitError>(429, OPENAI_RATE_LIMIT);
    expect_status_error<InternalServerError>(500, OPENAI_INTERNAL_SERVER);
    expect_status_error<InternalServerError>(503, OPENAI_INTERNAL_SERVER);
    expect_status_error<APIStatusError>(402, OPENAI_OTHER_STATUS);
}

TEST_F(MockTest, TheMocksOwnErrorsCarryTheirFields) {
    try {
        (void)client().models().retrieve("missing-model");
        FAIL();
    } catch (const APIStatusError &e) {  // caught by a base class
        EXPECT_NE(dynamic_cast<const NotFoundError *>(&e), nullptr);
        EXPECT_EQ(e.status_code(), 404);
        EXPECT_EQ(e.api_code(), "model_not_found");
        EXPECT_EQ(e.type(), "invalid_request_error");
    }
    try {
        (void)Client(mock_options().api_key("sk-invalid-1")).models().list();
        FAIL();
    } catch (const AuthenticationError &e) {
        EXPECT_EQ(e.api_code(), "invalid_api_key");
    }
}

TEST_F(MockTest, ConnectionTimeoutAndValidationErrors) {
    const Client nowhere(ClientOptions().api_key("k").base_url("http://127.0.0.1:1/v1").max_retries(0));
    try {
        (void)nowhere.models().list();
        FAIL();
    } catch (const APIConnectionError &e) {
        EXPECT_TRUE(typeid(e) == typeid(APIConnectionError));
        EXPECT_EQ(e.code(), OPENAI_CONNECTION);
        EXPECT_EQ(e.status_code(), 0);
    }

    script(R"({"delay_ms":3000,"body_json":{}})");
    const Client impatient(mock_options().timeout(0.2));
    EXPECT_THROW((void)impatient.models().list(), APITimeoutError);

    script(R"({"status":200,"headers":{"content-type":"text/plain"},"body":"not json"})");
    try {
        (void)client().models().list();
        FAIL();
    } catch (const APIResponseValidationError &e) {
        EXPECT_EQ(e.status_code(), 200);
        EXPECT_EQ(e.body(), "not json");
    }
}

TEST_F(MockTest, ResponseTooLargeThrowsItsClass) {
    const Client small = client().with_options(ClientOptions().max_response_size(16));
    try {
        small.chat().completions().create(kChat);
        FAIL() << "no exception";
    } catch (const ResponseTooLargeError &e) {
        EXPECT_EQ(e.code(), OPENAI_RESPONSE_TOO_LARGE);
        EXPECT_EQ(e.status_code(), 200);
    }
}

TEST_F(MockTest, RaiseForStatusAndRetries) {
    script(R"({"status":500,"body_json":{"error":{"message":"flaky"}},"times":1})");
    const Response r = client().with_options(R"({"max_retries":1})").models().list();
    EXPECT_EQ(r.retries(), 1u);
    EXPECT_NO_THROW(r.raise_for_status());
}

// ---------------------------------------------------------------------------------------------
// Async

static_assert(!std::is_copy_constructible_v<ResponseFuture> && std::is_nothrow_move_constructible_v<ResponseFuture>);
static_assert(!std::is_copy_constructible_v<Queue> && std::is_nothrow_move_constructible_v<Queue>);

/// Waits until the mock counts `n` connections its client closed before the response was
/// complete (a cancelled call drops its connection).
static std::string wait_for_dropped_connections(int n) {
    Response counters;
    for (int i = 0; i < 250; i++) {
        counters = MockTest::control().request("GET", "/__mock/connections");
        if (counters.json_value("/closed_by_client_mid_response") == std::to_string(n)) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return std::string(counters.json_value("/closed_by_client_mid_response").value_or("?"));
}

TEST_F(MockTest, ResponseFutureResolvesAndThrowsLikeAStdFuture) {
    ResponseFuture ok = client().chat().completions().create_async(kChat);
    ResponseFuture missing = client().models().retrieve_async("missing-x");
    EXPECT_TRUE(ok.valid());
    EXPECT_EQ(ok.wait_for(std::chrono::seconds(30)), std::future_status::ready);
    EXPECT_TRUE(ok.ready());
    EXPECT_EQ(ok.get().json_string("/choices/0/message/content"), kReply);
    EXPECT_FALSE(ok.valid());
    EXPECT_THROW(ok.get(), std::future_error);  // once only, as std::future::get()
    missing.wait();
    try {
        missing.get();
        FAIL() << "no exception";
    } catch (const NotFoundError &e) {
        EXPECT_EQ(e.status_code(), 404);
        EXPECT_EQ(e.api_code(), "model_not_found");
    }
    EXPECT_FALSE(missing.valid());
    ResponseFuture empty;
    EXPECT_FALSE(empty.valid());
    EXPECT_FALSE(empty.ready());
    EXPECT_THROW(empty.wait(), std::future_error);
    empty.cancel();  // nothing to cancel: no effect

    // The generic request too, and wait_until on any clock.
    ResponseFuture generic = client().request_async("GET", "/models/gpt-4o");
    EXPECT_EQ(generic.wait_until(std::chrono::system_clock::now() + std::chrono::seconds(30)), std::future_status::ready);
    EXPECT_EQ(generic.get().json_string("/id"), "gpt-4o");
}

TEST_F(MockTest, ResponseFutureCancelsFromAnotherThreadWhileGetWaits) {
    script(R"({"delay_ms":10000,"body_json":{"late":true}})");
    ResponseFuture f = client().models().list_async();
    EXPECT_EQ(f.wait_for(std::chrono::milliseconds(20)), std::future_status::timeout);
    EXPECT_EQ(f.wait_until(std::chrono::steady_clock::now() + std::chrono::milliseconds(20)), std::future_status::timeout);
    EXPECT_FALSE(f.ready());
    EXPECT_GE(f.fd(), 0);
    std::thread canceller([&] {
        // Cancels once the mock has received the request (it answers only after 10 s).
        while (log_size(control().request("GET", "/__mock/requests")) == 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        f.cancel();
    });
    EXPECT_THROW(f.get(), APIUserAbortError);  // had the call gone on, get() would return {"late":true}
    canceller.join();
    EXPECT_FALSE(f.valid());
    EXPECT_EQ(wait_for_dropped_connections(1), "1");
}

TEST_F(MockTest, DestroyingARunningResponseFutureCancelsIt) {
    script(R"({"delay_ms":10000,"body_json":{}})");
    {
        ResponseFuture f = client().models().list_async();
        while (log_size(control().request("GET", "/__mock/requests")) == 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_EQ(wait_for_dropped_connections(1), "1");
    // Moving keeps it running: the moved-to future gets the response.
    script(R"({"delay_ms":50,"body_json":{"kept":"yes"}})");
    ResponseFuture outer;
    {
        ResponseFuture inner = client().models().list_async();
        outer = std::move(inner);
    }
    EXPECT_EQ(outer.get().json_string("/kept"), "yes");
}

TEST_F(MockTest, ResponseFutureDescriptorBecomesReadable) {
    ResponseFuture f = client().models().retrieve_async("gpt-4o");
    pollfd p{f.fd(), POLLIN, 0};
    ASSERT_GE(p.fd, 0);
    ASSERT_EQ(poll(&p, 1, 30000), 1);
    EXPECT_TRUE(f.ready());
    EXPECT_EQ(f.get().json_string("/id"), "gpt-4o");
}

TEST_F(MockTest, QueueReturnsCallsAsTheyCompleteWithTheirTags) {
    Queue queue;
    EXPECT_TRUE(queue.empty());
    EXPECT_EQ(queue.next(), std::nullopt);  // empty: nothing to wait for
    const Client c = client();
    for (std::uint64_t i = 0; i < 20; i++)
        queue.add(c.chat().completions().create_async(R"({"model":"m)" + std::to_string(i) + R"(","messages":[]})"), i);
    EXPECT_EQ(queue.size(), 20u);
    std::vector<bool> seen(20);
    int returned = 0;
    while (std::optional<ResponseFuture> done = queue.next()) {
        ASSERT_TRUE(done->valid());
        EXPECT_TRUE(done->ready());
        const std::uint64_t tag = done->tag();
        ASSERT_LT(tag, 20u);
        EXPECT_FALSE(seen[tag]);
        seen[tag] = true;
        EXPECT_EQ(done->get().json_string("/model"), "m" + std::to_string(tag));
        returned++;
    }
    EXPECT_EQ(returned, 20);
    EXPECT_EQ(queue.size(), 0u);
    EXPECT_EQ(log_size(take_requests()), 20);
    EXPECT_THROW(queue.add(ResponseFuture()), std::future_error);
}

TEST_F(MockTest, QueueGivesManyAtOnce) {
    Queue queue;
    const Client c = client();
    for (std::uint64_t i = 0; i < 50; i++) queue.add(c.models().retrieve_async("m" + std::to_string(i)), i);
    EXPECT_TRUE(queue.next_many(0, std::chrono::seconds(0)).empty());
    std::vector<bool> seen(50);
    std::size_t total = 0;
    while (!queue.empty()) {
        std::vector<ResponseFuture> batch = queue.next_many(16, std::chrono::seconds(30));
        ASSERT_FALSE(batch.empty());
        ASSERT_LE(batch.size(), 16u);
        for (ResponseFuture &done : batch) {
            ASSERT_LT(done.tag(), 50u);
            EXPECT_FALSE(seen[done.tag()]);
            seen[done.tag()] = true;
            EXPECT_EQ(done.get().json_string("/id"), "m" + std::to_string(done.tag()));
        }
        total += batch.size();
    }
    EXPECT_EQ(total, 50u);
    EXPECT_TRUE(queue.next_many(4, std::chrono::milliseconds(10)).empty());
}

TEST_F(MockTest, QueueDescriptorTimeoutsAndFailures) {
    Queue queue;
    script(R"({"delay_ms":10000,"body_json":{}})");
    queue.add(client().models().list_async(), 1);
    EXPECT_EQ(queue.try_next(), std::nullopt);
    EXPECT_EQ(queue.next_for(std::chrono::milliseconds(20)), std::nullopt);
    queue.add(client().models().retrieve_async("missing-x"), 2);
    pollfd p{queue.fd(), POLLIN, 0};
    ASSERT_GE(p.fd, 0);
    ASSERT_EQ(poll(&p, 1, 30000), 1);
    std::optional<ResponseFuture> done = queue.try_next();
    ASSERT_TRUE(done);
    EXPECT_EQ(done->tag(), 2u);
    EXPECT_THROW(done->get(), NotFoundError);
    EXPECT_EQ(queue.size(), 1u);
    EXPECT_EQ(queue.try_next(), std::nullopt);
}

TEST_F(MockTest, DestroyingAQueueCancelsItsCalls) {
    script(R"({"delay_ms":10000,"body_json":{}})");
    {
        Queue queue;
        queue.add(client().models().list_async());
        while (log_size(control().request("GET", "/__mock/requests")) == 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        Queue moved = std::move(queue);
        EXPECT_EQ(queue.size(), 0u);  // NOLINT(bugprone-use-after-move): a moved-from queue is empty
        EXPECT_EQ(moved.size(), 1u);
    }
    EXPECT_EQ(wait_for_dropped_connections(1), "1");
}

TEST_F(MockTest, QueuedUploadKeepsItsFileAndProgressAlive) {
    Queue queue;
    std::atomic<std::uint64_t> sent{0};
    {
        Upload image = Upload::from_memory(std::string(100000, 'x'), "in.png");
        image.on_progress([&](std::uint64_t done, std::uint64_t) { sent = done; });
        queue.add(client().images().create_variation_async(R"({"n":2})", image), 7);
    }
    std::optional<ResponseFuture> done = queue.next();
    ASSERT_TRUE(done);
    EXPECT_EQ(done->tag(), 7u);
    EXPECT_TRUE(done->get().json_string("/data/0/url"));
    EXPECT_EQ(sent, 100000u);
}

TEST_F(MockTest, CallbackReceivesTheResponseOnALibraryThread) {
    std::promise<std::pair<std::string, std::thread::id>> done;
    Future future = client().embeddings().create_async(R"({"model":"m","input":"x"})", [&](Response r) {
        done.set_value({std::string(r.json_value("/data/0/embedding/0").value_or("")), std::this_thread::get_id()});
    });
    const auto [value, thread] = done.get_future().get();
    EXPECT_EQ(value, "-0.5");
    EXPECT_NE(thread, std::this_thread::get_id());
    EXPECT_TRUE(future.wait_for(std::chrono::seconds(5)));
    EXPECT_TRUE(future.ready());
}

TEST_F(MockTest, CancellingAFutureCancelsTheCall) {
    script(R"({"delay_ms":5000,"body_json":{}})");
    std::promise<Code> code;
    Future future = client().models().list_async([&](Response r) { code.set_value(r.code()); });
    EXPECT_GE(future.fd(), 0);
    EXPECT_FALSE(future.wait_for(std::chrono::milliseconds(50)));
    future.cancel();
    EXPECT_EQ(code.get_future().get(), OPENAI_CANCELLED);

    // Destroying a pending Future cancels it too; the callback still runs once.
    script(R"({"delay_ms":5000,"body_json":{}})");
    std::promise<Code> dropped;
    { Future f = client().models().list_async([&](Response r) { dropped.set_value(r.code()); }); }
    EXPECT_EQ(dropped.get_future().get(), OPENAI_CANCELLED);

    // A detached future runs to its end.
    std::promise<Code> detached;
    client().models().list_async([&](Response r) { detached.set_value(r.code()); }).detach();
    EXPECT_EQ(detached.get_future().get(), OPENAI_OK);
}

TEST_F(MockTest, ShutdownIsRefusedOnALibraryThread) {
    std::promise<std::string> result;
    Future f = client().models().retrieve_async("m", [&](Response) {
        try {
            openai::shutdown();
            result.set_value("no exception");
        } catch (const WouldDeadlockError &) {
            result.set_value("WouldDeadlockError");
        } catch (...) {
            result.set_value("another exception");
        }
    });
    EXPECT_EQ(result.get_future().get(), "WouldDeadlockError");
}

TEST_F(MockTest, CancelTokenAbortsCallsInFlight) {
    script(R"({"delay_ms":5000,"body_json":{}})");
    const CancelToken token;
    const Client c = client().with_cancel_token(token);
    ResponseFuture f = c.models().list_async();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    token.cancel();
    EXPECT_TRUE(token.cancelled());
    EXPECT_THROW(f.get(), APIUserAbortError);
}

TEST_F(MockTest, CancelTokenAbortsABlockingCallFromAnotherThread) {
    script(R"({"delay_ms":10000,"body_json":{}})");
    const CancelToken token;
    const Client c = client().with_cancel_token(token);
    std::thread canceller([&] {
        // Cancels once the mock has received the request, which it answers only after 10 s.
        while (log_size(control().request("GET", "/__mock/requests")) == 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        token.cancel();
    });
    EXPECT_THROW(c.models().retrieve("m1"), APIUserAbortError);
    canceller.join();
    // Later calls through the bound client fail before sending; the original client still works.
    EXPECT_THROW(c.models().retrieve("m2"), APIUserAbortError);
    EXPECT_EQ(log_size(take_requests()), 1);
    EXPECT_EQ(client().models().retrieve("m3").json_string("/id"), "m3");
}

TEST_F(MockTest, LogCallbackHearsRequestsWithCredentialsRedacted) {
    std::mutex lock;
    std::vector<std::pair<LogLevel, std::string>> heard;
    set_log_callback(
        [&](LogLevel level, std::string_view message) {
            const std::lock_guard<std::mutex> guard(lock);
            heard.emplace_back(level, std::string(message));
        },
        LogLevel::Debug);
    EXPECT_EQ(client().models().retrieve("m1").json_string("/id"), "m1");
    set_log_callback(nullptr);
    const std::size_t count = heard.size();
    (void)client().models().retrieve("m2");  // after the reset: not heard
    const std::lock_guard<std::mutex> guard(lock);
    EXPECT_EQ(heard.size(), count);
    int sending = 0;
    for (const auto &[level, message] : heard) {
        EXPECT_EQ(message.find("sk-test"), std::string::npos) << message;
        if (level == LogLevel::Debug && message.rfind("sending GET ", 0) == 0) {
            sending++;
            EXPECT_NE(message.find("/v1/models/m1"), std::string::npos) << message;
            EXPECT_NE(message.find("authorization: [redacted]"), std::string::npos) << message;
        }
    }
    EXPECT_EQ(sending, 1);
}

TEST_F(MockTest, ManyConcurrentFutures) {
    const Client c = client();
    std::vector<ResponseFuture> futures;
    for (int i = 0; i < 200; i++)
        futures.push_back(c.chat().completions().create_async(R"({"model":"m)" + std::to_string(i) + R"(","messages":[]})"));
    for (int i = 0; i < 200; i++) {
        const Response r = futures[static_cast<std::size_t>(i)].get();
        EXPECT_EQ(r.json_string("/model"), "m" + std::to_string(i));
        EXPECT_EQ(r.json_string("/choices/0/message/content"), kReply);
    }
    EXPECT_EQ(log_size(take_requests()), 200);
}

TEST_F(MockTest, OneClientFromManyThreads) {
    const Client c = client();
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; t++)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 10; i++)
                if (c.models().retrieve("model-" + std::to_string(t)).json_string("/id") == "model-" + std::to_string(t)) ok++;
        });
    for (auto &t : threads) t.join();
    EXPECT_EQ(ok, 80);
}

// ---------------------------------------------------------------------------------------------
// Streams

TEST_F(MockTest, RangeForOverAChatStream) {
    Stream stream = client().chat().completions().create_stream(kChat);
    EXPECT_EQ(stream.response().status(), 200);
    EXPECT_TRUE(stream.response().request_id());
    std::string text;
    int events = 0;
    for (const Event &event : stream) {
        EXPECT_EQ(event.name(), "");
        EXPECT_EQ(event.json_string("/object"), "chat.completion.chunk");
        text += event.json_string("/choices/0/delta/content").value_or("");
        events++;
    }
    EXPECT_EQ(text, kReply);
    EXPECT_EQ(events, 9);  // the role chunk, 7 pieces, the finish chunk
    EXPECT_EQ(stream.code(), OPENAI_OK);
    EXPECT_TRUE(stream.done());
    EXPECT_EQ(stream.next(), std::nullopt);  // stays ended

    const Response log = take_requests();
    EXPECT_NE(log.json_string("/0/body")->find(R"("stream":true)"), std::string::npos) << log.body();
}

TEST_F(MockTest, AssistantRunStreamEvents) {
    std::vector<std::string> names;
    std::string text;
    for (const Event &event :
         client().beta().threads().runs().create_and_stream("thread_abc123", R"({"assistant_id":"asst_abc123"})")) {
        names.emplace_back(event.name());
        if (event.name() == "thread.message.delta") text += *event.json_string("/delta/content/0/text/value");
        if (event.name() == "thread.run.completed") {
            EXPECT_EQ(event.json_string("/status"), "completed");
        }
    }
    const std::vector<std::string> expected = {
        "thread.run.created", "thread.run.queued", "thread.run.in_progress", "thread.run.step.created",
        "thread.run.step.in_progress", "thread.message.created", "thread.message.in_progress",
        "thread.message.delta", "thread.message.delta", "thread.message.delta", "thread.message.delta",
        "thread.message.delta", "thread.message.delta", "thread.message.delta", "thread.message.completed",
        "thread.run.step.completed", "thread.run.completed"};
    EXPECT_EQ(names, expected);
    EXPECT_EQ(text, kReply);
    const Response log = take_requests();
    EXPECT_EQ(log.json_string("/0/path"), "/v1/threads/thread_abc123/runs");
    EXPECT_EQ(logged_header(log, 0, "openai-beta"), "assistants=v2");
}

TEST_F(MockTest, StreamErrorsThrow) {
    EXPECT_THROW(client().chat().completions().create_stream(R"({"model":"missing-model","messages":[]})"), NotFoundError);

    script(R"({"status":200,"headers":{"content-type":"text/event-stream"},)"
           R"("body":"data: {\"n\":1}\n\ndata: {\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}\n\n"})");
    Stream stream = client().chat().completions().create_stream(kChat);
    int events = 0;
    try {
        for (const Event &event : stream) {
            (void)event;
            events++;
        }
        FAIL();
    } catch (const StreamError &e) {
        EXPECT_EQ(e.code(), OPENAI_STREAM_ERROR);
        EXPECT_EQ(std::string(e.what()), "boom");
    }
    EXPECT_EQ(events, 1);
    EXPECT_EQ(stream.code(), OPENAI_STREAM_ERROR);
    EXPECT_EQ(stream.error_message(), "boom");
}

TEST_F(MockTest, CallbackStreams) {
    std::string text;
    std::promise<std::exception_ptr> done;
    Stream stream = client().chat().completions().create_stream_async(
        kChat,
        [&](const EventView &event) {
            text += event.json_string("/choices/0/delta/content").value_or("");
            return true;
        },
        [&](std::exception_ptr error) { done.set_value(error); });
    EXPECT_EQ(done.get_future().get(), nullptr);
    EXPECT_EQ(text, kReply);

    // A handler that returns false stops the stream: the end says so.
    int seen = 0;
    std::promise<std::exception_ptr> stopped;
    Stream s2 = client().chat().completions().create_stream_async(
        kChat, [&](const EventView &) { return ++seen < 2; }, [&](std::exception_ptr e) { stopped.set_value(e); });
    EXPECT_THROW(std::rethrow_exception(stopped.get_future().get()), APIUserAbortError);
    EXPECT_EQ(seen, 2);

    // What a handler throws stops the stream and reaches the end.
    std::promise<std::exception_ptr> thrown;
    Stream s3 = client().chat().completions().create_stream_async(
        kChat, [&](const EventView &) -> bool { throw std::logic_error("handler failed"); },
        [&](std::exception_ptr e) { thrown.set_value(e); });
    EXPECT_THROW(std::rethrow_exception(thrown.get_future().get()), std::logic_error);

    // The pull form of the async stream.
    std::string pulled;
    for (const Event &event : client().chat().completions().create_stream_async(kChat))
        pulled += event.json_string("/choices/0/delta/content").value_or("");
    EXPECT_EQ(pulled, kReply);
}

TEST_F(MockTest, AbandonedStreamClosesItsConnection) {
    Stream stream = client().chat().completions().create_stream(
        R"({"model":"m","messages":[],"mock_chunks":100000,"mock_delay_ms":5})");
    ASSERT_TRUE(stream.next());
    stream.close();
    Response counters;
    for (int i = 0; i < 100; i++) {
        counters = control().request("GET", "/__mock/connections");
        if (counters.json_value("/closed_by_client_mid_response") != "0") break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_EQ(counters.json_value("/closed_by_client_mid_response"), "1") << counters.body();
}

TEST_F(MockTest, StreamPollingForms) {
    Stream stream = client().chat().completions().create_stream_async(kChat);
    EXPECT_GE(stream.fd(), 0);
    std::string text;
    for (;;) {
        std::optional<Event> event = stream.next_for(std::chrono::milliseconds(100));
        if (event) text += event->json_string("/choices/0/delta/content").value_or("");
        else if (stream.done()) break;
    }
    EXPECT_EQ(text, kReply);
    EXPECT_EQ(stream.try_next(), std::nullopt);
}

// ---------------------------------------------------------------------------------------------
// Uploads, downloads, pages

TEST_F(MockTest, UploadFromMemory) {
    const std::string data = "{\"prompt\":\"a\",\"completion\":\"b\"}\n";
    const Response r = client().files().upload(R"({"purpose":"fine-tune"})", Upload::from_memory(data, "train.jsonl"));
    EXPECT_EQ(r.json_string("/filename"), "train.jsonl");
    EXPECT_EQ(r.json_value("/bytes"), std::to_string(data.size()));
    EXPECT_EQ(r.json_string("/purpose"), "fine-tune");
    const Response log = take_requests();
    const int p = logged_part(log, "file");
    ASSERT_GE(p, 0);
    EXPECT_EQ(log.json_value("/0/parts/" + std::to_string(p) + "/len"), std::to_string(data.size()));
    EXPECT_EQ(logged_header(log, 0, "content-type")->substr(0, 30), "multipart/form-data; boundary=");
}

TEST_F(MockTest, UploadFromPathWithProgress) {
    char path[] = "/tmp/openai-cpp-upload-XXXXXX.mp3";
    const int fd = mkstemps(path, 4);
    ASSERT_GE(fd, 0);
    const std::string data(300 * 1024, 'x');
    ASSERT_EQ(write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
    close(fd);
    std::atomic<std::uint64_t> sent{0}, total{0};
    Upload audio = Upload::from_path(path);
    audio.on_progress([&](std::uint64_t done, std::uint64_t all) {
        sent = done;
        total = all;
    });
    const Response r = client().audio().transcriptions().create(R"({"model":"whisper-1"})", audio);
    EXPECT_TRUE(r.json_string("/text"));
    EXPECT_EQ(sent, data.size());
    EXPECT_EQ(total, data.size());
    const Response log = take_requests();
    const int p = logged_part(log, "file");
    ASSERT_GE(p, 0);
    EXPECT_EQ(log.json_string("/0/parts/" + std::to_string(p) + "/content_type"), "audio/mpeg");
    std::remove(path);
}

TEST_F(MockTest, AsyncUploadKeepsItsFileAlive) {
    ResponseFuture f;
    {
        Upload image = Upload::from_memory(std::string("\x89PNG", 4), "in.png");
        image.on_progress([](std::uint64_t, std::uint64_t) {});
        f = client().images().create_variation_async(R"({"n":2})", image);
    }
    EXPECT_TRUE(f.get().json_string("/data/0/url"));
}

TEST_F(MockTest, PagesWalkTheWholeList) {
    std::vector<std::string> ids;
    int pages = 0;
    for (const Response &page : client().files().list_pages(R"({"limit":2})")) {
        pages++;
        for (int i = 0; page.json_string("/data/" + std::to_string(i) + "/id"); i++)
            ids.emplace_back(*page.json_string("/data/" + std::to_string(i) + "/id"));
    }
    EXPECT_EQ(pages, 4);
    EXPECT_EQ(ids, (std::vector<std::string>{"file-abc001", "file-abc002", "file-abc003", "file-abc004", "file-abc005",
                                             "file-abc006", "file-abc007"}));
    const Response log = take_requests();
    EXPECT_EQ(log.json_string("/1/query"), "limit=2&after=file-abc002");

    Pager generic = client().request_pages("/assistants", R"({"limit":5})");
    std::optional<Response> first = generic.next();
    ASSERT_TRUE(first);
    EXPECT_EQ(first->json_string("/data/0/id"), "asst_abc001");
    std::optional<Response> second = generic.next();
    ASSERT_TRUE(second);
    EXPECT_EQ(second->json_string("/data/0/id"), "asst_abc006");
    EXPECT_EQ(generic.next(), std::nullopt);
}

TEST_F(MockTest, ItemsAcrossPages) {
    // A temporary pager: the range takes it over.
    std::vector<std::string> ids;
    for (const Item &file : client().files().list_pages(R"({"limit":2})").items()) {
        ids.emplace_back(file.id().value_or(""));
        EXPECT_EQ(file.json_string("/object"), "file");
        EXPECT_EQ(file.json_value(""), file.json());
        EXPECT_EQ(file.json().front(), '{');
        EXPECT_NE(file.json().find(R"("id":")" + ids.back() + "\""), std::string_view::npos) << file.json();
        EXPECT_EQ(file.page().status(), 200);
        EXPECT_EQ(file.index(), (ids.size() - 1) % 2);
    }
    EXPECT_EQ(ids, (std::vector<std::string>{"file-abc001", "file-abc002", "file-abc003", "file-abc004", "file-abc005",
                                             "file-abc006", "file-abc007"}));
    const Response log = take_requests();
    EXPECT_EQ(log_size(log), 4);
    EXPECT_EQ(log.json_string("/0/query"), "limit=2");
    EXPECT_EQ(log.json_string("/3/query"), "limit=2&after=file-abc006");

    // A named pager, items kept after the iteration (they hold their page), empty pages skipped.
    script(R"({"status":200,"body_json":{"object":"list","data":[],"has_more":true}})");
    Pager pager = client().request_pages("/vector_stores", R"({"limit":3})");
    std::vector<Item> kept;
    for (const Item &store : pager.items()) kept.push_back(store);
    EXPECT_EQ(kept.size(), 0u);  // an empty page with has_more has no cursor: the walk ends
    Items stores = client().vector_stores().list_pages(R"({"limit":3})").items();
    for (const Item &store : stores) kept.push_back(store);
    ASSERT_FALSE(kept.empty());
    EXPECT_EQ(kept.front().json_string("/object"), "vector_store");
    EXPECT_EQ(kept.front().id(), kept.front().page().json_string("/data/0/id"));
    EXPECT_FALSE(Item());
    EXPECT_EQ(Item().json_string("/id"), std::nullopt);
}

TEST_F(MockTest, ItemsThrowAFailedPagesError) {
    script(R"([{"status":200,"body_json":{"object":"list","data":[{"id":"a"}],"has_more":true}},)"
           R"({"status":500,"body_json":{"error":{"message":"boom"}}}])");
    std::vector<std::string> ids;
    try {
        for (const Item &item : client().files().list_pages().items()) ids.emplace_back(item.id().value_or(""));
        FAIL() << "no exception";
    } catch (const InternalServerError &e) {
        EXPECT_EQ(e.api_message(), "boom");
    }
    EXPECT_EQ(ids, std::vector<std::string>{"a"});
}

TEST_F(MockTest, FailedPageThrows) {
    script(R"({"status":429,"body_json":{"error":{"message":"slow down"}}})");
    Pager pager = client().files().list_pages();
    EXPECT_THROW(pager.next(), RateLimitError);
}

TEST_F(MockTest, DownloadToFileAsyncAndCancelled) {
    char path[] = "/tmp/openai-cpp-speech-async-XXXXXX";
    close(mkstemp(path));
    std::atomic<std::uint64_t> received{0};
    ResponseFuture f = client().audio().speech().create_to_file_async(
        R"({"model":"tts-1","input":"hi","voice":"alloy","mock_bytes":100000})", path,
        [&](std::uint64_t done, std::uint64_t) { received = done; });
    const Response r = f.get();
    EXPECT_EQ(r.status(), 200);
    struct stat st {};
    ASSERT_EQ(stat(path, &st), 0);
    EXPECT_EQ(st.st_size, 100000);
    EXPECT_EQ(received, 100000u);

    // Cancelled before the body comes: the file is left as it was (here: as the first download
    // wrote it) and no partial file stays behind.
    script(R"({"delay_ms":10000,"headers":{"content-type":"audio/mpeg"},"body":"never"})");
    ResponseFuture cancelled = client().audio().speech().create_to_file_async(
        R"({"model":"tts-1","input":"hi","voice":"alloy"})", path, [](std::uint64_t, std::uint64_t) {});
    while (log_size(control().request("GET", "/__mock/requests")) < 2)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    cancelled.cancel();
    EXPECT_TRUE(cancelled.ready());
    EXPECT_THROW(cancelled.get(), APIUserAbortError);
    ASSERT_EQ(stat(path, &st), 0);
    EXPECT_EQ(st.st_size, 100000);
    std::remove(path);
}

TEST_F(MockTest, DownloadToFile) {
    char path[] = "/tmp/openai-cpp-speech-XXXXXX";
    close(mkstemp(path));
    std::uint64_t received = 0;
    const Response r = client().audio().speech().create_to_file(
        R"({"model":"tts-1","input":"hi","voice":"alloy","mock_bytes":100000})", path,
        [&](std::uint64_t done, std::uint64_t) { received = done; });
    EXPECT_EQ(r.status(), 200);
    EXPECT_EQ(r.header("content-type"), "audio/mpeg");
    struct stat st {};
    ASSERT_EQ(stat(path, &st), 0);
    EXPECT_EQ(st.st_size, 100000);
    EXPECT_EQ(received, 100000u);
    std::ifstream in(path, std::ios::binary);
    char head[4] = {};
    in.read(head, 4);
    EXPECT_EQ(std::string(head, 4), std::string("\x07\x26\x45\x64", 4));
    std::remove(path);

    const Response content = client().files().retrieve_content("file-xyz");
    EXPECT_EQ(content.body().substr(0, 27), R"({"id":"file-xyz","line":0})" "\n");
}

// ---------------------------------------------------------------------------------------------
// The README's example, run against the mock

TEST_F(MockTest, ReadmeExampleRuns) {
    openai_test::Child example =
        openai_test::spawn({OPENAI_CPP_EXAMPLE}, {"OPENAI_API_KEY=sk-example", "OPENAI_BASE_URL=" + openai_test::mock_url() + "/v1"});
    close(example.in);
    example.in = -1;
    const std::string output = openai_test::read_all(example.out);
    EXPECT_EQ(openai_test::wait_child(example), 0);
    EXPECT_EQ(output, std::string(kReply) + "\n" + std::string(kReply) + "\n");
}

}  // namespace
