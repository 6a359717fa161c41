// The C++ binding's WebSocket sessions against the mock server's /v1/realtime and /v1/responses:
// the handshake, a text turn by range-for, audio in and out as PCM, pushed events, a proper
// close, the failures (a refused upgrade, a final close code, a dropped connection), the
// reconnection handler, cancellation from another thread, the descriptor, and the Responses API
// over the same session type.
#include <poll.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

#include "harness.hpp"

namespace {

using namespace openai;
using openai_test::MockTest;

static_assert(!std::is_copy_constructible_v<RealtimeSession> && std::is_nothrow_move_constructible_v<RealtimeSession>);

constexpr std::string_view kModel = R"({"model":"gpt-realtime"})";
constexpr std::string_view kTextTurn = R"({"type":"response.create","response":{"output_modalities":["text"]}})";
constexpr std::string_view kReply = "Hello! How can I help you today?";

class Realtime : public MockTest {
protected:
    /// The WebSocket sessions the mock recorded (a JSON array).
    static Response websockets() { return control().request("GET", "/__mock/websockets"); }

    /// Waits until the mock's record of session `i` says `ended` is `how`.
    static std::string wait_until_ended(int i, std::string_view how) {
        std::string ended;
        for (int tries = 0; tries < 250; tries++) {
            ended = std::string(websockets().json_string("/" + std::to_string(i) + "/ended").value_or(""));
            if (ended == how) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return ended;
    }

    /// The names of the events up to and including the first named `last`, and the text of
    /// their `delta` fields named `delta_event`.
    static std::pair<std::vector<std::string>, std::string> until(RealtimeSession &session, std::string_view last,
                                                                  std::string_view delta_event) {
        std::vector<std::string> names;
        std::string text;
        for (const Event &event : session) {
            names.emplace_back(event.name());
            if (event.name() == delta_event) text += event.json_string("/delta").value_or("");
            if (event.name() == last) break;
        }
        return {names, text};
    }
};

TEST_F(Realtime, ATextTurnByRangeForThenAProperClose) {
    RealtimeSession session = client().realtime().connect(kModel);
    EXPECT_EQ(session.response().status(), 101);
    ASSERT_TRUE(session.response().request_id());
    EXPECT_EQ(session.response().request_id()->substr(0, 4), "req_");
    EXPECT_EQ(session.code(), OPENAI_PENDING);

    // The handshake, as the mock logged it: the key only in Authorization.
    const Response log = take_requests();
    ASSERT_EQ(log_size(log), 1) << log.body();
    EXPECT_EQ(log.json_string("/0/method"), "GET");
    EXPECT_EQ(log.json_string("/0/path"), "/v1/realtime");
    EXPECT_EQ(log.json_value("/0/query_pairs"), R"([["model","gpt-realtime"]])");
    EXPECT_EQ(logged_header(log, 0, "authorization"), "Bearer sk-test");
    EXPECT_EQ(logged_header(log, 0, "upgrade"), "websocket");

    std::optional<Event> created = session.next();
    ASSERT_TRUE(created);
    EXPECT_EQ(created->name(), "session.created");
    EXPECT_EQ(created->json_string("/session/id"), "sess_mock001");
    EXPECT_EQ(created->audio(), "");

    const std::string item =
        R"({"type":"conversation.item.create","item":{"type":"message","role":"user","content":[{"type":"input_text","text":"Hello"}]}})";
    session.send(item);
    session.send(kTextTurn);
    const auto [names, text] = until(session, "response.done", "response.output_text.delta");
    ASSERT_GE(names.size(), 5u);
    EXPECT_EQ(std::vector<std::string>(names.begin(), names.begin() + 4),
              (std::vector<std::string>{"conversation.item.created", "response.created", "response.output_item.added",
                                        "response.content_part.added"}));
    EXPECT_EQ(text, kReply);

    session.close(1000, "done");
    int after_close = 0;
    for (const Event &event : session) {  // ends cleanly once the server answers the close
        (void)event;
        after_close++;
    }
    EXPECT_EQ(after_close, 0);
    EXPECT_EQ(session.code(), OPENAI_OK);
    EXPECT_EQ(session.close_code(), 1000);
    EXPECT_EQ(session.error_message(), std::nullopt);
    EXPECT_THROW(session.send(kTextTurn), APIConnectionError);  // nothing is sent after a close

    EXPECT_EQ(wait_until_ended(0, "client_closed"), "client_closed");
    const Response record = websockets();
    EXPECT_EQ(record.json_value("/0/client_close"), R"({"code":1000,"reason":"done"})");
    EXPECT_EQ(record.json_string("/0/events/0"), item);
    EXPECT_EQ(record.json_string("/0/events/1"), kTextTurn);
    EXPECT_EQ(record.json_value("/0/events/2"), std::nullopt);
}

TEST_F(Realtime, AudioGoesOutAsPcmAndComesBackDecoded) {
    RealtimeSession session = client().realtime().connect(
        R"({"model":"gpt-realtime","mock_audio_echo":"true"})");
    ASSERT_EQ(session.next()->name(), "session.created");
    std::vector<std::int16_t> samples(24000);  // one second at 24 kHz
    for (std::size_t i = 0; i < samples.size(); i++) samples[i] = static_cast<std::int16_t>(i * 7 - 30000);
    session.append_audio(samples);
    std::string echoed;
    for (const Event &event : session) {
        if (event.name() == "response.output_audio.delta") echoed += event.audio();
        if (echoed.size() >= samples.size() * 2) break;
    }
    EXPECT_EQ(echoed, std::string(reinterpret_cast<const char *>(samples.data()), samples.size() * 2));
    EXPECT_THROW(session.append_audio("odd", 3), InvalidArgumentError);  // whole samples only
    session.close();
    while (session.next()) {
    }
    const Response record = websockets();
    EXPECT_EQ(record.json_value("/0/audio_bytes"), "48000");
}

TEST_F(Realtime, EventsPushedToAHandlerThenTheEnd) {
    std::mutex lock;
    std::vector<std::string> names;
    std::promise<std::exception_ptr> done;
    std::atomic<RealtimeSession *> self{nullptr};
    RealtimeSession session = client().realtime().connect(
        kModel, RealtimeOptions(),
        [&](const EventView &event) {
            const std::lock_guard<std::mutex> guard(lock);
            names.emplace_back(event.name());
            if (event.name() == "response.done") self.load()->close();
            return true;
        },
        [&](std::exception_ptr error) { done.set_value(error); });
    self = &session;
    session.send(kTextTurn);  // waits for the connection, then goes out
    EXPECT_EQ(done.get_future().get(), nullptr);  // a clean close
    EXPECT_EQ(session.code(), OPENAI_OK);
    const std::lock_guard<std::mutex> guard(lock);
    ASSERT_FALSE(names.empty());
    EXPECT_EQ(names.front(), "session.created");
    EXPECT_EQ(names.back(), "response.done");
    EXPECT_THROW(session.next(), InvalidArgumentError);  // its events go to the handler
}

TEST_F(Realtime, AHandlerThatThrowsEndsTheSessionWithItsException) {
    std::promise<std::exception_ptr> done;
    RealtimeSession session = client().realtime().connect(
        kModel, RealtimeOptions(), [](const EventView &) -> bool { throw std::logic_error("handler failed"); },
        [&](std::exception_ptr error) { done.set_value(error); });
    EXPECT_THROW(std::rethrow_exception(done.get_future().get()), std::logic_error);
}

TEST_F(Realtime, ARefusedUpgradeThrowsItsStatusClass) {
    const Client bad = client().with_options(ClientOptions().api_key("sk-invalid-cpp"));
    try {
        bad.realtime().connect(kModel);
        FAIL() << "no exception";
    } catch (const AuthenticationError &e) {
        EXPECT_EQ(e.status_code(), 401);
        EXPECT_EQ(e.api_code(), "invalid_api_key");
        EXPECT_EQ(std::string(e.what()).find("sk-invalid-cpp"), std::string::npos) << e.what();
    }
    script(R"({"match":{"path":"/v1/realtime"},"status":503,"body_json":{"error":{"message":"overloaded","type":"server_error"}}})");
    try {
        client().realtime().connect(kModel);
        FAIL() << "no exception";
    } catch (const InternalServerError &e) {
        EXPECT_EQ(e.status_code(), 503);
        EXPECT_STREQ(e.what(), "Error code: 503 - overloaded");
    }
    EXPECT_THROW(client().realtime().connect("{}"), BadRequestError);  // no model

    // The non-blocking form: the failure ends the session, and its events throw it.
    RealtimeSession later = bad.realtime().connect(kModel, RealtimeOptions());
    EXPECT_THROW(later.next(), AuthenticationError);
    EXPECT_EQ(later.code(), OPENAI_AUTHENTICATION);
}

TEST_F(Realtime, AFinalCloseAndADroppedConnectionEndTheIteration) {
    script(R"({"match":{"path":"/v1/realtime"},"websocket":{"after_events":1,"action":"close","code":1008,"reason":"policy violated"}})");
    RealtimeSession closed = client().realtime().connect(kModel);
    std::vector<std::string> names;
    try {
        for (const Event &event : closed) names.emplace_back(event.name());
        FAIL() << "no exception";
    } catch (const APIConnectionError &e) {
        EXPECT_STREQ(e.what(), "the server closed the session with code 1008: policy violated");
    }
    EXPECT_EQ(names, std::vector<std::string>{"session.created"});
    EXPECT_EQ(closed.close_code(), 1008);
    EXPECT_EQ(closed.close_reason(), "policy violated");

    script(R"({"match":{"path":"/v1/realtime"},"websocket":{"after_events":1,"action":"drop"}})");
    RealtimeSession dropped = client().realtime().connect(kModel);
    EXPECT_EQ(dropped.next()->name(), "session.created");
    EXPECT_THROW(dropped.next(), APIConnectionError);
    EXPECT_EQ(dropped.close_code(), 1006);
    EXPECT_THROW(dropped.next(), APIConnectionError);  // later calls say the same
}

TEST_F(Realtime, TheReconnectionHandlerDecidesAndChangesTheNextConnection) {
    script(R"({"match":{"path":"/v1/realtime"},"websocket":{"after_events":0,"action":"close","code":1011,"reason":"boom"},"times":2})");
    std::mutex lock;
    std::vector<std::string> told;
    RealtimeSession session = client().realtime().connect(
        kModel, RealtimeOptions().initial_delay(0.05).max_delay(0.08).on_reconnect([&](Reconnect &next) {
            const std::lock_guard<std::mutex> guard(lock);
            told.push_back(std::to_string(next.attempt()) + "/" + std::to_string(next.max_attempts()) + " " +
                           std::to_string(next.delay().count()) + "ms " + std::to_string(next.close_code()) + " " +
                           std::string(next.query()));
            if (next.attempt() == 2) {
                next.set_query(R"({"model":"gpt-realtime-2"})");
                next.set_header("X-Attempt", "2");
                EXPECT_THROW(next.set_query("nope"), InvalidArgumentError);
            }
            return true;
        }));
    std::optional<Event> created = session.next();
    ASSERT_TRUE(created);
    EXPECT_EQ(created->name(), "session.created");
    {
        const std::lock_guard<std::mutex> guard(lock);
        EXPECT_EQ(told, (std::vector<std::string>{R"(1/5 50ms 1011 {"model":"gpt-realtime"})",
                                                  R"(2/5 80ms 1011 {"model":"gpt-realtime"})"}));
    }
    const Response log = take_requests();
    ASSERT_EQ(log_size(log), 3) << log.body();
    EXPECT_EQ(log.json_value("/2/query_pairs"), R"([["model","gpt-realtime-2"]])");
    EXPECT_EQ(logged_header(log, 2, "x-attempt"), "2");
    EXPECT_EQ(logged_header(log, 1, "x-attempt"), std::nullopt);

    // A handler that says no ends the session; without one there is no reconnection at all.
    script(R"({"match":{"path":"/v1/realtime"},"websocket":{"after_events":1,"action":"close","code":1012}})");
    std::atomic<int> asked{0};
    RealtimeSession refused = client().realtime().connect(kModel, RealtimeOptions().on_reconnect([&](Reconnect &) {
        asked++;
        return false;
    }));
    EXPECT_EQ(refused.next()->name(), "session.created");
    EXPECT_THROW(refused.next(), APIConnectionError);
    EXPECT_EQ(asked, 1);
    script(R"({"match":{"path":"/v1/realtime"},"websocket":{"after_events":1,"action":"close","code":1012}})");
    RealtimeSession without = client().realtime().connect(kModel, RealtimeOptions());
    EXPECT_EQ(without.next()->name(), "session.created");
    EXPECT_THROW(without.next(), APIConnectionError);
    EXPECT_EQ(without.close_code(), 1012);
}

TEST_F(Realtime, CancelFromAnotherThreadEndsAWaitingIteration) {
    RealtimeSession session = client().realtime().connect(kModel);
    ASSERT_EQ(session.next()->name(), "session.created");
    std::thread canceller([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        session.cancel();
    });
    EXPECT_THROW(session.next(), APIUserAbortError);  // nothing else comes: it waits until cancelled
    canceller.join();
    EXPECT_EQ(session.code(), OPENAI_CANCELLED);
    EXPECT_EQ(wait_until_ended(0, "client_dropped"), "client_dropped");
}

TEST_F(Realtime, TheDescriptorIsReadableWhileAnEventWaits) {
    RealtimeSession session = client().realtime().connect(kModel, RealtimeOptions());
    pollfd p{session.fd(), POLLIN, 0};
    ASSERT_GE(p.fd, 0);
    ASSERT_EQ(poll(&p, 1, 30000), 1);
    std::optional<Event> created = session.try_next();
    ASSERT_TRUE(created);
    EXPECT_EQ(created->name(), "session.created");
    EXPECT_EQ(session.try_next(), std::nullopt);
    EXPECT_EQ(session.next_for(std::chrono::milliseconds(20)), std::nullopt);
    EXPECT_FALSE(session.done());
}

TEST_F(Realtime, BadEventsAreRefusedAndApiErrorsComeAsEvents) {
    RealtimeSession session = client().realtime().connect(kModel);
    EXPECT_THROW(session.send("not json"), InvalidArgumentError);
    EXPECT_THROW(session.send("[1,2]"), InvalidArgumentError);  // an event is a JSON object
    EXPECT_THROW(session.close(1006), InvalidArgumentError);     // a code no endpoint may send
    session.send(R"({"type":"no.such.event"})");
    const auto [names, text] = until(session, "error", "");
    EXPECT_EQ(names.back(), "error");
    session.send(kTextTurn);  // the session goes on after an error event
    EXPECT_EQ(until(session, "response.done", "response.output_text.delta").second, kReply);
}

TEST_F(Realtime, TheResponsesApiOverAWebSocket) {
    RealtimeSession session = client().responses().connect();
    session.send(R"({"type":"response.create","model":"gpt-4o-mini","input":"Hello"})");
    const auto [names, text] = until(session, "response.completed", "response.output_text.delta");
    ASSERT_GE(names.size(), 4u);
    EXPECT_EQ(std::vector<std::string>(names.begin(), names.begin() + 4),
              (std::vector<std::string>{"response.created", "response.in_progress", "response.output_item.added",
                                        "response.content_part.added"}));
    EXPECT_EQ(text, kReply);
    const Response log = take_requests();
    EXPECT_EQ(log.json_string("/0/path"), "/v1/responses");
}

TEST(RealtimeOptionsTest, BuildsJson) {
    EXPECT_EQ(RealtimeOptions().json(), "{}");
    EXPECT_EQ(RealtimeOptions().max_retries(2).no_ping().header("X-A", "1").remove_header("User-Agent").client_secret("ek_1").json(),
              R"({"client_secret":"ek_1","max_retries":2,"ping_interval":null,"headers":{"User-Agent":null,"X-A":"1"}})");
}

}  // namespace
