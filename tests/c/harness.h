/* What the C tests share: checks that report and count failures, a client of the mock server
 * the test runner started (OPENAI_BASE_URL, OPENAI_API_KEY), and its control endpoints
 * (MOCK_URL), reached through the library's own generic call. */
#ifndef OPENAI_TEST_HARNESS_H
#define OPENAI_TEST_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openai.h"

static int failures = 0;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                              \
        }                                                                            \
    } while (0)

#define CHECK_CODE(got, want)                                                              \
    do {                                                                                   \
        int got_ = (int)(got), want_ = (int)(want);                                        \
        if (got_ != want_) {                                                               \
            fprintf(stderr, "%s:%d: %s is %s, expected %s (last error: %s)\n", __FILE__,   \
                    __LINE__, #got, openai_code_name(got_), openai_code_name(want_),        \
                    openai_last_error() ? openai_last_error() : "none");                   \
            failures++;                                                                    \
        }                                                                                  \
    } while (0)

#define CHECK_STR(got, want)                                                               \
    do {                                                                                   \
        const char *got_ = (got), *want_ = (want);                                         \
        if (!got_ || strcmp(got_, want_) != 0) {                                           \
            fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__, __LINE__,  \
                    #got, got_ ? got_ : "(null)", want_);                                  \
            failures++;                                                                    \
        }                                                                                  \
    } while (0)

#define CHECK_CONTAINS(haystack, needle)                                                   \
    do {                                                                                   \
        const char *h_ = (haystack), *n_ = (needle);                                       \
        if (!h_ || !strstr(h_, n_)) {                                                      \
            fprintf(stderr, "%s:%d: %s (\"%s\") does not contain \"%s\"\n", __FILE__,     \
                    __LINE__, #haystack, h_ ? h_ : "(null)", n_);                          \
            failures++;                                                                    \
        }                                                                                  \
    } while (0)

/* Ends the test: stops the library (so that valgrind finds nothing of it left, possibly lost
 * included), prints the verdict and gives the exit status. */
static inline int finish(const char *name) {
    if (openai_shutdown() != OPENAI_OK) {
        fprintf(stderr, "%s: openai_shutdown: %s\n", name, openai_last_error());
        failures++;
    }
    if (failures) {
        fprintf(stderr, "%s: %d check(s) failed\n", name, failures);
        return 1;
    }
    printf("%s: ok\n", name);
    return 0;
}

static inline const char *env_or_die(const char *name) {
    const char *value = getenv(name);
    if (!value || !*value) {
        fprintf(stderr, "%s is not set: run this test through the test runner\n", name);
        exit(2);
    }
    return value;
}

/* A client of the mock server, with `extra` options (a JSON object body without braces, or
 * ""), no retries unless `extra` sets them. */
static inline openai_client *test_client(const char *extra) {
    char options[1024];
    openai_client *client = NULL;
    snprintf(options, sizeof options, "{\"max_retries\":0%s%s}", *extra ? "," : "", extra);
    if (openai_client_new(options, &client) != OPENAI_OK) {
        fprintf(stderr, "test client: %s\n", openai_last_error());
        exit(2);
    }
    return client;
}

/* A client of the mock's control endpoints (outside /v1). */
static inline openai_client *control_client(void) {
    char options[512];
    openai_client *client = NULL;
    snprintf(options, sizeof options, "{\"api_key\":\"control\",\"max_retries\":0,\"base_url\":\"%s\"}",
             env_or_die("MOCK_URL"));
    if (openai_client_new(options, &client) != OPENAI_OK) {
        fprintf(stderr, "control client: %s\n", openai_last_error());
        exit(2);
    }
    return client;
}

/* Sends one control request and checks that it succeeded. */
static inline void mock_control(const char *method, const char *path, const char *body) {
    openai_client *control = control_client();
    openai_response *response = NULL;
    if (openai_request(control, method, path, NULL, body, &response) != OPENAI_OK) {
        fprintf(stderr, "mock control %s %s: %s\n", method, path,
                openai_response_error_message(response));
        exit(2);
    }
    openai_response_free(response);
    openai_client_free(control);
}

/* Queues a scripted response (see tests/mock_server/README.md). */
static inline void mock_script(const char *json) { mock_control("POST", "/__mock/script", json); }

/* The requests the mock received since the last call, as JSON text (free it), then clears the
 * log. */
static inline char *mock_take_requests(void) {
    openai_client *control = control_client();
    openai_response *response = NULL;
    size_t len = 0;
    char *copy;
    if (openai_request(control, "GET", "/__mock/requests", NULL, NULL, &response) != OPENAI_OK) {
        fprintf(stderr, "mock requests: %s\n", openai_response_error_message(response));
        exit(2);
    }
    const char *body = openai_response_body(response, &len);
    copy = malloc(len + 1);
    memcpy(copy, body, len + 1);
    openai_response_free(response);
    openai_client_free(control);
    mock_control("DELETE", "/__mock/requests", NULL);
    return copy;
}

/* The process's peak resident set size in KiB (VmHWM), or -1 where /proc is missing. */
static inline long peak_rss_kib(void) {
    char line[256];
    long kib = -1;
    FILE *status = fopen("/proc/self/status", "r");
    if (!status)
        return -1;
    while (fgets(line, sizeof line, status))
        if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
            break;
    fclose(status);
    return kib;
}

/* How many requests a log holds. */
static inline int count_requests(const char *log) {
    int n = 0;
    const char *p = log;
    while ((p = strstr(p, "\"seq\"")) != NULL) {
        n++;
        p += 5;
    }
    return n;
}

#endif
