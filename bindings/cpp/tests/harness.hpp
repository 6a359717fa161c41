// What the C++ binding's tests share: the mock server (started once per test program on an
// ephemeral port, from the path in OPENAI_MOCK_BIN), clients of it, its control endpoints (read
// through the binding's own generic request on a client whose base URL is the mock's root), and
// checks of the exact request it received.
#ifndef OPENAI_CPP_TEST_HARNESS_HPP
#define OPENAI_CPP_TEST_HARNESS_HPP

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <openai/openai.hpp>

extern char **environ;

namespace openai_test {

/// A child program with a pipe on its stdin and stdout.
struct Child {
    pid_t pid = -1;
    int in = -1;   // its stdin, ours to write
    int out = -1;  // its stdout, ours to read
};

/// Starts `argv[0]` with `env` (or ours when empty).
inline Child spawn(const std::vector<std::string> &args, const std::vector<std::string> &env = {}) {
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
        perror("pipe2");
        std::exit(2);
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    std::vector<char *> argv;
    for (const auto &a : args) argv.push_back(const_cast<char *>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<char *> envp;
    for (const auto &e : env) envp.push_back(const_cast<char *>(e.c_str()));
    envp.push_back(nullptr);
    Child child;
    const int rc = posix_spawn(&child.pid, argv[0], &actions, nullptr, argv.data(), env.empty() ? environ : envp.data());
    posix_spawn_file_actions_destroy(&actions);
    close(in[0]);
    close(out[1]);
    if (rc != 0) {
        std::fprintf(stderr, "cannot start %s: %s\n", argv[0], std::strerror(rc));
        std::exit(2);
    }
    child.in = in[1];
    child.out = out[0];
    return child;
}

/// Reads one line (without its newline) from `fd`.
inline std::string read_line(int fd) {
    std::string line;
    char c;
    while (read(fd, &c, 1) == 1 && c != '\n') line.push_back(c);
    return line;
}

/// Reads everything from `fd`.
inline std::string read_all(int fd) {
    std::string text;
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
    return text;
}

/// The exit status of a child (after closing our ends of its pipes).
inline int wait_child(Child &child) {
    if (child.in >= 0) close(child.in);
    if (child.out >= 0) close(child.out);
    child.in = child.out = -1;
    int status = 0;
    waitpid(child.pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/// The mock server of this test program: `http://127.0.0.1:PORT`.
inline std::string &mock_url() {
    static std::string url;
    return url;
}

/// The clients the tests share (creating one takes a while: it loads the system's root
/// certificates), freed before the mock stops.
inline std::map<std::string, openai::Client> &shared_clients() {
    static std::map<std::string, openai::Client> clients;
    return clients;
}

/// Starts the mock before the first test and stops it (by closing its stdin) after the last.
class MockEnvironment : public ::testing::Environment {
public:
    void SetUp() override {
        const char *bin = std::getenv("OPENAI_MOCK_BIN");
        if (!bin || !*bin) {
            std::fprintf(stderr, "OPENAI_MOCK_BIN is not set: run the tests through ctest (bindings/cpp/test.sh)\n");
            std::exit(2);
        }
        mock_ = spawn({bin, "--quiet", "--exit-on-stdin-eof"});
        const std::string line = read_line(mock_.out);
        const std::string prefix = "OPENAI_MOCK_URL=";
        if (line.compare(0, prefix.size(), prefix) != 0) {
            std::fprintf(stderr, "the mock server printed \"%s\"\n", line.c_str());
            std::exit(2);
        }
        mock_url() = line.substr(prefix.size());
    }
    void TearDown() override {
        shared_clients().clear();
        wait_child(mock_);
    }

private:
    Child mock_;
};

inline openai::ClientOptions mock_options() {
    return openai::ClientOptions().api_key("sk-test").base_url(mock_url() + "/v1").max_retries(0);
}

/// The bytes of script_bytes().
constexpr std::string_view kScriptedBytes = std::string_view("scripted\0bytes\xff", 15);

/// The fixture of every test: a fresh mock (scripts and log cleared) and helpers.
class MockTest : public ::testing::Test {
public:
    void SetUp() override { control().request("POST", "/__mock/reset"); }

    /// A client of the mock's API (no retries).
    static openai::Client client() { return shared("api", mock_options()); }
    /// A client of the mock's control endpoints (outside /v1).
    static openai::Client control() {
        return shared("control", openai::ClientOptions().api_key("control").base_url(mock_url()).max_retries(0));
    }
    static openai::Client shared(const std::string &name, const openai::ClientOptions &options) {
        static std::mutex lock;
        const std::lock_guard<std::mutex> guard(lock);
        auto &clients = shared_clients();
        auto it = clients.find(name);
        if (it == clients.end()) it = clients.emplace(name, openai::Client(options)).first;
        return it->second;
    }
    /// Queues a script (see tests/mock_server/README.md).
    static void script(std::string_view json) { control().request("POST", "/__mock/script", {}, json); }
    static void script_json() { script(R"({"status":200,"body_json":{"scripted":"yes"}})"); }
    static void script_sse() {
        script(R"({"status":200,"headers":{"content-type":"text/event-stream"},)"
               R"("body":"data: {\"n\":1}\n\nevent: named\ndata: {\"n\":2}\n\ndata: [DONE]\n\n"})");
    }
    static void script_page() {
        script(R"({"status":200,"body_json":{"object":"list","data":[{"id":"x1"}],"first_id":"x1","last_id":"x1","has_more":false}})");
    }
    static void script_bytes() {
        script(R"({"status":200,"headers":{"content-type":"application/octet-stream"},"body_base64":"c2NyaXB0ZWQAYnl0ZXP/"})");
    }

    /// The requests the mock logged since the last call (a JSON array), then clears the log.
    static openai::Response take_requests() {
        openai::Response log = control().request("GET", "/__mock/requests");
        control().request("DELETE", "/__mock/requests");
        return log;
    }

    /// How many entries a log holds.
    static int log_size(const openai::ResponseView &log) {
        int n = 0;
        while (log.json_value("/" + std::to_string(n))) n++;
        return n;
    }

    /// The value of the header `name` of entry `i` of a log.
    static std::optional<std::string> logged_header(const openai::ResponseView &log, int i, std::string_view name) {
        const std::string base = "/" + std::to_string(i) + "/headers/";
        for (int h = 0;; h++) {
            auto n = log.json_string(base + std::to_string(h) + "/0");
            if (!n) return std::nullopt;
            if (*n == name) return std::string(*log.json_string(base + std::to_string(h) + "/1"));
        }
    }

    /// The part named `name` of entry 0 of a log: its index, or -1.
    static int logged_part(const openai::ResponseView &log, std::string_view name) {
        for (int p = 0;; p++) {
            auto n = log.json_string("/0/parts/" + std::to_string(p) + "/name");
            if (!n) return -1;
            if (*n == name) return p;
        }
    }

    /// Checks that the mock received exactly one request since the last check, and what it was.
    static void expect_request(std::string_view method, std::string_view path, std::optional<std::string_view> beta,
                               std::optional<std::string_view> query, std::optional<std::string_view> body,
                               const std::vector<std::string> &files) {
        const openai::Response log = take_requests();
        ASSERT_EQ(log_size(log), 1) << log.body();
        EXPECT_EQ(log.json_string("/0/method"), method);
        EXPECT_EQ(log.json_string("/0/path"), path);
        if (query) {
            EXPECT_EQ(log.json_string("/0/query"), *query);
        } else {
            EXPECT_EQ(log.json_value("/0/query"), "null");
        }
        if (body) {
            EXPECT_EQ(log.json_string("/0/body"), *body);
        }
        EXPECT_EQ(logged_header(log, 0, "authorization"), "Bearer sk-test");
        if (beta) {
            EXPECT_EQ(logged_header(log, 0, "openai-beta"), std::optional<std::string>(*beta));
        } else {
            EXPECT_EQ(logged_header(log, 0, "openai-beta"), std::nullopt);
        }
        for (const auto &file : files) {
            // An array of files is sent as `name[]` parts.
            const int p = logged_part(log, file);
            ASSERT_GE(p, 0) << "no part " << file << " in " << log.body();
            const std::string base = file.size() > 2 && file.compare(file.size() - 2, 2, "[]") == 0 ? file.substr(0, file.size() - 2) : file;
            EXPECT_EQ(log.json_string("/0/parts/" + std::to_string(p) + "/filename"), base + ".bin");
        }
        if (!files.empty()) {
            const int p = logged_part(log, "purpose");
            ASSERT_GE(p, 0);
            EXPECT_EQ(log.json_string("/0/parts/" + std::to_string(p) + "/value"), "assistants");
        }
    }

    static int event_count(openai::Stream &&stream) {
        int n = 0;
        for (const openai::Event &event : stream) {
            EXPECT_EQ(event.json_value("/n"), std::to_string(n + 1));
            n++;
        }
        return n;
    }

    /// Starts a callback stream with `start(on_event, on_done)` and counts what it pushes.
    template <class Start>
    static int pushed_event_count(Start &&start) {
        std::atomic<int> count{0};
        std::promise<void> done;
        openai::Stream stream = start([&](const openai::EventView &) { return ++count, true; },
                                      [&](std::exception_ptr error) {
                                          if (error) done.set_exception(error);
                                          else done.set_value();
                                      });
        done.get_future().get();
        return count;
    }

    static int page_count(openai::Pager &&pager) {
        int n = 0;
        for (const openai::Response &page : pager) {
            EXPECT_EQ(page.json_string("/data/0/id"), "x1");
            n++;
        }
        return n;
    }

    /// The ids of every item of a list, joined with ",".
    static std::string item_ids(openai::Items &&items) {
        std::string ids;
        for (const openai::Item &item : items) {
            if (!ids.empty()) ids += ",";
            ids += item.id().value_or("(no id)");
        }
        return ids;
    }

    /// Runs `call(path, progress)`, which downloads to `path`, and returns the file's bytes.
    template <class Call>
    static std::string download(Call &&call) {
        char tmpl[] = "/tmp/openai-cpp-download-XXXXXX";
        const int fd = mkstemp(tmpl);
        close(fd);
        std::uint64_t last = 0;
        openai::Response r = call(std::string(tmpl), [&](std::uint64_t done, std::uint64_t) { last = done; });
        EXPECT_EQ(r.status(), 200);
        std::ifstream in(tmpl, std::ios::binary);
        std::stringstream text;
        text << in.rdbuf();
        std::remove(tmpl);
        EXPECT_EQ(last, text.str().size());
        return text.str();
    }
};

}  // namespace openai_test

#endif
