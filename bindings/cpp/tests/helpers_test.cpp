// The SDKs' helpers through the C++ binding, against the mock's objects that change
// (tests/mock_server/src/lifecycle.rs): a chunked upload whose parts must add up, objects that are
// in_progress for two retrievals and then completed, and webhook signatures.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "harness.hpp"

namespace {

using namespace openai;
using openai_test::MockTest;

/// The requests of a log as "METHOD path", in order.
std::vector<std::string> requests(const ResponseView &log) {
    std::vector<std::string> out;
    for (int i = 0; i < MockTest::log_size(log); i++) {
        const std::string base = "/" + std::to_string(i);
        out.push_back(std::string(*log.json_string(base + "/method")) + " " + std::string(*log.json_string(base + "/path")));
    }
    return out;
}

/// Waits (up to 10 s) until the mock has received a request whose path ends with `suffix`.
bool received(std::string_view suffix) {
    for (int i = 0; i < 500; i++) {
        for (const std::string &r : requests(MockTest::control().request("GET", "/__mock/requests")))
            if (r.size() >= suffix.size() && r.compare(r.size() - suffix.size(), suffix.size(), suffix) == 0) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

/// A temporary file holding `data`, removed with the object.
struct TempFile {
    std::string path;
    explicit TempFile(const std::string &data) {
        char tmpl[] = "/tmp/openai-cpp-chunked-XXXXXX";
        const int fd = mkstemp(tmpl);
        close(fd);
        path = tmpl;
        std::ofstream(path, std::ios::binary) << data;
    }
    TempFile(const TempFile &) = delete;
    TempFile &operator=(const TempFile &) = delete;
    ~TempFile() { std::remove(path.c_str()); }
};

constexpr std::string_view kCreate = R"({"purpose":"batch","mime_type":"text/jsonl","filename":"train.jsonl"})";

TEST_F(MockTest, UploadFileChunkedSendsEveryRangeAndCompletes) {
    // Three parts of 1,000, 1,000 and 500 bytes, each of its own letter.
    const TempFile file(std::string(1000, 'a') + std::string(1000, 'b') + std::string(500, 'c'));
    std::mutex lock;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> heard;
    const Response upload = client().uploads().upload_file_chunked(
        file.path, kCreate, R"({"part_size":1000,"parallel":2})", [&](std::uint64_t sent, std::uint64_t total) {
            const std::lock_guard<std::mutex> guard(lock);
            heard.emplace_back(sent, total);
        });
    EXPECT_EQ(upload.json_string("/status"), "completed");
    EXPECT_EQ(upload.json_value("/file/bytes"), "2500");
    const std::string id(*upload.json_string("/id"));

    const Response log = take_requests();
    const std::vector<std::string> sent = requests(log);
    ASSERT_EQ(sent.size(), 5u) << log.body();
    EXPECT_EQ(sent[0], "POST /v1/uploads");
    EXPECT_EQ(log.json_string("/0/body"), R"({"purpose":"batch","mime_type":"text/jsonl","filename":"train.jsonl","bytes":2500})");
    // Each part is one range of the file, byte for byte (the mock logs its length and SHA-256).
    std::vector<std::string> parts, want = {
        "1000 41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3",  // 1,000 a
        "1000 f6f118e120e52be0bd0cfdf2794cd12c07686cc871235ac2f11459378e6d235b",  // 1,000 b
        "500 7c6f8c01dedcb774f794755b54de21d9f6cfe53ee742a4f0d43edc339831acbb",   // 500 c
    };
    for (int i = 1; i <= 3; i++) {
        const std::string base = "/" + std::to_string(i);
        EXPECT_EQ(sent[static_cast<std::size_t>(i)], "POST /v1/uploads/" + id + "/parts");
        EXPECT_EQ(log.json_string(base + "/parts/0/name"), "data");
        EXPECT_EQ(log.json_value(base + "/parts/1"), std::nullopt);
        parts.push_back(std::string(*log.json_value(base + "/parts/0/len")) + " " + std::string(*log.json_string(base + "/parts/0/sha256")));
    }
    std::sort(parts.begin(), parts.end());
    std::sort(want.begin(), want.end());
    EXPECT_EQ(parts, want);
    // Complete: the three part ids (the mock checked that their lengths add up).
    EXPECT_EQ(sent[4], "POST /v1/uploads/" + id + "/complete");
    const std::string complete(*log.json_string("/4/body"));
    std::size_t ids = 0;
    for (std::size_t at = complete.find("\"part_mock_"); at != std::string::npos; at = complete.find("\"part_mock_", at + 1)) ids++;
    EXPECT_EQ(ids, 3u) << complete;
    EXPECT_EQ(complete.rfind("{\"part_ids\":[", 0), 0u) << complete;
    const std::lock_guard<std::mutex> guard(lock);
    ASSERT_FALSE(heard.empty());
    EXPECT_EQ(heard.back(), std::make_pair(std::uint64_t{2500}, std::uint64_t{2500}));
}

TEST_F(MockTest, UploadFileChunkedAsyncCancelsTheUpload) {
    const TempFile file(std::string(2000, 'x'));
    // The first part would be answered after a minute.
    script(R"({"match":{"method":"POST","path_prefix":"/v1/uploads/upload_mock_"},"delay_ms":60000})");
    ResponseFuture f = client().uploads().upload_file_chunked_async(file.path, kCreate, R"({"part_size":1000,"parallel":1})");
    ASSERT_TRUE(received("/parts"));
    const auto start = std::chrono::steady_clock::now();
    f.cancel();
    EXPECT_THROW(f.get(), APIUserAbortError);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
    // The library cancels the Upload on the server.
    EXPECT_TRUE(received("/cancel"));
    // The callback form completes with the upload.
    std::promise<Response> done;
    Future cb = client().uploads().upload_file_chunked_async(file.path, kCreate, "", {}, [&](Response r) { done.set_value(std::move(r)); });
    EXPECT_EQ(done.get_future().get().json_string("/status"), "completed");
}

TEST_F(MockTest, PollsTakeObjectsToTheirTerminalStatus) {
    // Blocking: created, retrieved twice in_progress and once completed.
    const Response file = client().vector_stores().files().create_and_poll("vs_1", R"({"file_id":"file-abc"})");
    EXPECT_EQ(file.json_string("/status"), "completed");
    EXPECT_EQ(file.json_string("/id"), "file-abc");
    const std::string get = "GET /v1/vector_stores/vs_1/files/file-abc";
    EXPECT_EQ(requests(take_requests()), (std::vector<std::string>{"POST /v1/vector_stores/vs_1/files", get, get, get}));

    // As a ResponseFuture, with an interval of our own.
    ResponseFuture batch = client().vector_stores().file_batches().create_and_poll_async(
        "vs_1", R"({"file_ids":["file-a","file-b"]})", R"({"interval_ms":5})");
    const Response done = batch.get();
    EXPECT_EQ(done.json_string("/status"), "completed");
    EXPECT_EQ(done.json_value("/file_counts/completed"), "2");
    EXPECT_EQ(log_size(take_requests()), 4);

    // With a callback: a video.
    std::promise<Response> video;
    Future f = client().videos().create_and_poll_async(R"({"prompt":"a cat","model":"sora-2"})", Upload(), "",
                                                       [&](Response r) { video.set_value(std::move(r)); });
    EXPECT_EQ(video.get_future().get().json_string("/status"), "completed");
    EXPECT_EQ(log_size(take_requests()), 4);

    // A batch and a background response, created, then polled.
    const std::string batch_id(*client().batches().create(
        R"({"input_file_id":"file-in","endpoint":"/v1/chat/completions","completion_window":"24h"})").json_string("/id"));
    EXPECT_EQ(client().batches().poll(batch_id).json_string("/status"), "completed");
    const std::string response_id(*client().responses().create(R"({"model":"gpt-4o","input":"Hi","background":true})").json_string("/id"));
    EXPECT_EQ(client().responses().poll_async(response_id).get().json_string("/status"), "completed");
    EXPECT_EQ(requests(take_requests()), (std::vector<std::string>{
        "POST /v1/batches", "GET /v1/batches/" + batch_id, "GET /v1/batches/" + batch_id, "GET /v1/batches/" + batch_id,
        "POST /v1/responses", "GET /v1/responses/" + response_id, "GET /v1/responses/" + response_id, "GET /v1/responses/" + response_id}));

    // A run, whose statuses are scripted (runs are not among the mock's changing objects).
    for (const char *status : {"queued", "in_progress", "requires_action"})
        script(std::string(R"({"match":{"path_prefix":"/v1/threads/thread_1/runs"},"headers":{"openai-poll-after-ms":"1"},)")
               + R"("body_json":{"id":"run_1","object":"thread.run","status":")" + status + R"("}})");
    EXPECT_EQ(client().beta().threads().runs().create_and_poll("thread_1", R"({"assistant_id":"asst_1"})").json_string("/status"),
              "requires_action");
    EXPECT_EQ(requests(take_requests()), (std::vector<std::string>{"POST /v1/threads/thread_1/runs",
                                                                    "GET /v1/threads/thread_1/runs/run_1",
                                                                    "GET /v1/threads/thread_1/runs/run_1"}));
}

TEST_F(MockTest, PollsAreCancelledAndTimedOut) {
    // A minute between two retrievals: cancelled once the file is created.
    ResponseFuture f = client().vector_stores().files().create_and_poll_async("vs_1", R"({"file_id":"file-slow"})",
                                                                               R"({"interval_ms":60000})");
    ASSERT_TRUE(received("/vector_stores/vs_1/files"));
    const auto start = std::chrono::steady_clock::now();
    f.cancel();
    EXPECT_THROW(f.get(), APIUserAbortError);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
    // timeout_ms bounds the whole wait.
    try {
        (void)client().vector_stores().files().poll("vs_1", "file-slow", R"({"interval_ms":60000,"timeout_ms":50})");
        ADD_FAILURE() << "the poll did not time out";
    } catch (const APITimeoutError &e) {
        EXPECT_NE(e.message().find("in_progress"), std::string::npos) << e.message();
    }
    EXPECT_THROW((void)client().batches().poll(""), InvalidArgumentError);
}

// The test secret and a request signed with it at 1750287018 (tests/common/webhooks.rs's).
constexpr std::string_view kSecret = "whsec_dGVzdC13ZWJob29rLWtleS0wMTIzNDU2Nzg5";
constexpr std::string_view kPayload =
    R"({"id":"evt_685343a1381c819085d44c354e1b330e","type":"response.completed","created_at":1750287018,"data":{"id":"resp_abc123"}})";
const std::map<std::string, std::string> kHeaders = {
    {"Content-Type", "application/json"},
    {"webhook-id", "wh_685342e6c53c8190a1be43f081506c52"},
    {"webhook-timestamp", "1750287018"},
    {"webhook-signature", "v1,fFjAVoOPIJp5BDNMBhyG1L4puz8Njq8xvzdjQ/kr/sQ="},
};
// The signature is of a fixed time: a tolerance of a century accepts it.
constexpr std::chrono::seconds kCentury(100LL * 366 * 24 * 3600);

template <class F>
std::string refusal(F &&f) {
    try {
        f();
    } catch (const InvalidWebhookSignatureError &e) {
        EXPECT_EQ(e.code(), OPENAI_INVALID_WEBHOOK_SIGNATURE);
        return e.message();
    }
    return "(accepted)";
}

TEST_F(MockTest, WebhooksVerifyAndUnwrapSignedRequests) {
    const Webhooks webhooks = client().webhooks();
    webhooks.verify_signature(kPayload, kHeaders, kSecret, kCentury);
    const Event event = webhooks.unwrap(kPayload, kHeaders, kSecret, kCentury);
    EXPECT_EQ(event.name(), "response.completed");
    EXPECT_EQ(event.id(), "wh_685342e6c53c8190a1be43f081506c52");
    EXPECT_EQ(event.data(), kPayload);
    EXPECT_EQ(event.json_string("/data/id"), "resp_abc123");
    // Headers as a vector of pairs, in another case.
    const std::vector<std::pair<const char *, std::string>> pairs = {
        {"Webhook-Signature", kHeaders.at("webhook-signature")}, {"Webhook-Id", kHeaders.at("webhook-id")},
        {"Webhook-Timestamp", kHeaders.at("webhook-timestamp")}};
    Webhooks().verify_signature(kPayload, pairs, kSecret, kCentury);

    // Tampered, another secret, a missing header, the default tolerance (300 s).
    std::string tampered(kPayload);
    tampered.replace(tampered.find("resp_abc123"), 11, "resp_abc999");
    const std::string no_match = "The given webhook signature does not match the expected signature";
    EXPECT_EQ(refusal([&] { webhooks.verify_signature(tampered, kHeaders, kSecret, kCentury); }), no_match);
    EXPECT_EQ(refusal([&] { (void)webhooks.unwrap(tampered, kHeaders, kSecret, kCentury); }), no_match);
    EXPECT_EQ(refusal([&] { webhooks.verify_signature(kPayload, kHeaders, "whsec_b3RoZXIta2V5", kCentury); }), no_match);
    auto partial = kHeaders;
    partial.erase("webhook-signature");
    EXPECT_EQ(refusal([&] { webhooks.verify_signature(kPayload, partial, kSecret, kCentury); }),
              "Could not find webhook-signature header");
    EXPECT_EQ(refusal([&] { webhooks.verify_signature(kPayload, kHeaders, kSecret); }), "Webhook timestamp is too old");
    EXPECT_THROW(webhooks.verify_signature(kPayload, kHeaders, "whsec_!!", kCentury), InvalidArgumentError);
    EXPECT_EQ(log_size(take_requests()), 0);  // nothing sent
}

}  // namespace
