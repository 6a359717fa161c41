/* Event streams from C, consumed every way: next with a timeout, try-next with the stream's
 * descriptor in poll(2), and a push callback; tricky chunking, [DONE], error events, cuts,
 * stalls, HTTP errors before the first event, closing early, the assistant event stream. */
#define _POSIX_C_SOURCE 200809L
#include <poll.h>
#include <pthread.h>
#include <time.h>

#include "harness.h"

static const char *CHAT = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
static const char *REPLY = "Hello! How can I help you today?";

static void sleep_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* Appends the chunk's delta content to `text`. */
static void append_delta(char *text, size_t size, const openai_event *event) {
    const char *piece = openai_event_json_string(event, "/choices/0/delta/content");
    if (piece)
        strncat(text, piece, size - strlen(text) - 1);
}

static void pull_with_next(openai_client *client) {
    openai_stream *stream = NULL;
    openai_event *event = NULL;
    char text[256] = "";
    int events = 0;
    char *log;
    const openai_response *head;

    CHECK_CODE(openai_chat_completions_create_stream(client, CHAT, &stream), OPENAI_OK);
    head = openai_stream_response(stream);
    CHECK(head != NULL && openai_response_status(head) == 200);
    CHECK_CONTAINS(openai_response_header(head, "content-type"), "text/event-stream");
    CHECK(openai_response_request_id(head) != NULL);
    /* Still going, or already read to its end by the library (its events wait in the queue). */
    CHECK(openai_stream_code(stream) == OPENAI_PENDING || openai_stream_code(stream) == OPENAI_OK);
    while (openai_stream_next(stream, 10000, &event) == OPENAI_OK && event != NULL) {
        CHECK_STR(openai_event_name(event), "");
        CHECK_STR(openai_event_json_string(event, "/object"), "chat.completion.chunk");
        append_delta(text, sizeof text, event);
        events++;
        openai_event_free(event);
    }
    CHECK(event == NULL);
    CHECK_STR(text, REPLY);
    CHECK(events == 9); /* the role chunk, 7 words, the finish chunk */
    CHECK_CODE(openai_stream_code(stream), OPENAI_OK);
    CHECK(openai_stream_error_message(stream) == NULL);
    CHECK_CODE(openai_stream_next(stream, 0, &event), OPENAI_OK); /* the end again */
    CHECK(event == NULL);
    openai_stream_free(stream);

    log = mock_take_requests();
    /* "stream": true was added, the rest of the body kept byte for byte. */
    CHECK_CONTAINS(log, "\"body\":\"{\\\"stream\\\":true,\\\"model\\\":\\\"gpt-4o-mini\\\"");
    CHECK_CONTAINS(log, "[\"accept\",\"application/json\"]");
    free(log);
}

static void try_next_with_descriptor(openai_client *client) {
    openai_stream *stream = openai_chat_completions_create_stream_async(
        client, "{\"model\":\"gpt-4o-mini\",\"messages\":[],\"mock_delay_ms\":5}", NULL, NULL);
    struct pollfd pfd;
    char text[256] = "";
    int ended = 0, rounds = 0;
    pfd.fd = openai_stream_fd(stream);
    pfd.events = POLLIN;
    CHECK(pfd.fd >= 0);
    while (!ended && rounds++ < 1000) {
        openai_event *event = NULL;
        openai_code code;
        if (poll(&pfd, 1, 10000) != 1) {
            fprintf(stderr, "the stream descriptor never became readable\n");
            failures++;
            break;
        }
        while ((code = openai_stream_try_next(stream, &event)) == OPENAI_OK && event) {
            append_delta(text, sizeof text, event);
            openai_event_free(event);
        }
        if (code == OPENAI_OK) /* the end */
            ended = 1;
        else
            CHECK_CODE(code, OPENAI_PENDING);
    }
    CHECK(ended);
    CHECK_STR(text, REPLY);
    CHECK(openai_response_status(openai_stream_response(stream)) == 200);
    openai_stream_free(stream);
    free(mock_take_requests());
}

/* What a push callback saw. */
typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    char text[512];
    char names[2048];
    int events;
    int ended;
    int end_calls;
    openai_code end_code;
    int stop_after; /* return false after this many events (0: never) */
} pushed_t;

static void pushed_init(pushed_t *p) {
    memset(p, 0, sizeof *p);
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->cond, NULL);
}

static void pushed_destroy(pushed_t *p) {
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->cond);
}

static bool on_event(openai_stream *stream, const openai_event *event, void *userdata) {
    pushed_t *p = userdata;
    bool go_on = true;
    pthread_mutex_lock(&p->lock);
    if (event) {
        const char *name = openai_event_name(event);
        const char *piece = openai_event_json_string(event, "/choices/0/delta/content");
        if (!piece)
            piece = openai_event_json_string(event, "/delta/content/0/text/value");
        if (piece)
            strncat(p->text, piece, sizeof p->text - strlen(p->text) - 1);
        if (*name) {
            strncat(p->names, name, sizeof p->names - strlen(p->names) - 2);
            strcat(p->names, ",");
        }
        p->events++;
        if (p->stop_after && p->events >= p->stop_after)
            go_on = false;
    } else {
        p->ended = 1;
        p->end_calls++;
        p->end_code = openai_stream_code(stream);
        pthread_cond_broadcast(&p->cond);
    }
    pthread_mutex_unlock(&p->lock);
    return go_on;
}

static void wait_for_end(pushed_t *p) {
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 10;
    pthread_mutex_lock(&p->lock);
    while (!p->ended && pthread_cond_timedwait(&p->cond, &p->lock, &deadline) == 0) {
    }
    pthread_mutex_unlock(&p->lock);
    CHECK(p->ended);
}

static void push_callback(openai_client *client) {
    pushed_t p;
    openai_stream *stream;
    pushed_init(&p);
    stream = openai_chat_completions_create_stream_async(client, CHAT, on_event, &p);
    wait_for_end(&p);
    CHECK_STR(p.text, REPLY);
    CHECK(p.events == 9);
    CHECK_CODE(p.end_code, OPENAI_OK);
    {
        openai_event *event = NULL;
        CHECK_CODE(openai_stream_next(stream, 0, &event), OPENAI_INVALID_ARGUMENT); /* events go to the callback */
    }
    openai_stream_free(stream);
    CHECK(p.end_calls == 1);
    pushed_destroy(&p);

    /* Returning false closes the stream; the last call says so. */
    pushed_init(&p);
    p.stop_after = 2;
    stream = openai_chat_completions_create_stream_async(
        client, "{\"model\":\"m\",\"messages\":[],\"mock_chunks\":1000,\"mock_delay_ms\":2}", on_event, &p);
    wait_for_end(&p);
    CHECK(p.events == 2);
    CHECK_CODE(p.end_code, OPENAI_CANCELLED);
    openai_stream_free(stream);
    pushed_destroy(&p);
    free(mock_take_requests());
}

/* Scripts a stream whose raw bytes arrive as the given chunks, then reads it all. Returns the
 * end code; `out` receives the event names and data, one per line, as "name|data". */
static openai_code read_scripted(openai_client *client, const char *script, char *out, size_t size) {
    openai_stream *stream = NULL;
    openai_event *event = NULL;
    openai_code code;
    out[0] = 0;
    mock_script(script);
    code = openai_chat_completions_create_stream(client, CHAT, &stream);
    if (code == OPENAI_OK) {
        while ((code = openai_stream_next(stream, 10000, &event)) == OPENAI_OK && event) {
            size_t len = 0;
            const char *data = openai_event_data(event, &len);
            strncat(out, openai_event_name(event), size - strlen(out) - 1);
            strncat(out, "|", size - strlen(out) - 1);
            strncat(out, data, size - strlen(out) - 1);
            strncat(out, "\n", size - strlen(out) - 1);
            CHECK(strlen(data) == len);
            openai_event_free(event);
        }
    }
    if (code != OPENAI_OK)
        CHECK(openai_stream_error_message(stream) != NULL);
    openai_stream_free(stream);
    free(mock_take_requests());
    return code;
}

static void tricky_chunking(openai_client *client) {
    char out[1024];
    /* Events split across TCP writes (mid-field, mid-CRLF), comments, multi-line data, CR-only
     * line ends, an id, and events after [DONE] that must not be seen. */
    CHECK_CODE(read_scripted(client,
        "{\"headers\":{\"content-type\":\"text/event-stream\"},\"chunks\":["
        "{\"data\":\": keep-alive\\r\\n\\r\\nda\"},"
        "{\"data\":\"ta: {\\\"a\\\":\", \"delay_ms\":20},"
        "{\"data\":\"1}\\r\"},"
        "{\"data\":\"\\n\\r\"},"
        "{\"data\":\"\\nevent: multi\\ndata: line one\\ndata: line two\\nid: 42\\n\\n\"},"
        "{\"data\":\"data: cr\\r\\r\"},"
        "{\"data\":\"data: [DONE]\\n\\ndata: after\\n\\n\"}]}",
        out, sizeof out), OPENAI_OK);
    CHECK_STR(out, "|{\"a\":1}\nmulti|line one\nline two\n|cr\n");
}

static void endings(openai_client *client) {
    char out[1024];
    /* An error object in the data ends the stream with its message, after the earlier events. */
    CHECK_CODE(read_scripted(client,
        "{\"chunks\":[{\"data\":\"data: {\\\"n\\\":1}\\n\\n\"},"
        "{\"data\":\"data: {\\\"error\\\":{\\\"message\\\":\\\"The server had an error\\\",\\\"type\\\":\\\"server_error\\\"}}\\n\\n\"}]}",
        out, sizeof out), OPENAI_STREAM_ERROR);
    CHECK_STR(out, "|{\"n\":1}\n");
    CHECK_STR(openai_last_error(), "The server had an error");

    /* event: error, as the assistants stream sends it. */
    CHECK_CODE(read_scripted(client,
        "{\"chunks\":[{\"data\":\"event: error\\ndata: {\\\"message\\\":\\\"run failed hard\\\"}\\n\\n\"}]}",
        out, sizeof out), OPENAI_STREAM_ERROR);
    CHECK_STR(openai_last_error(), "run failed hard");

    /* A connection reset once the stream began is a connection error, never a clean end. */
    CHECK_CODE(read_scripted(client, "{\"chunked\":true,\"action\":\"reset_after_headers\"}", out, sizeof out),
               OPENAI_CONNECTION);

    /* A truncated body (the connection closes early) too. */
    CHECK_CODE(read_scripted(client,
        "{\"chunked\":false,\"content_length\":1000,\"chunks\":[{\"data\":\"data: {\\\"n\\\":1}\\n\\n\"}]}",
        out, sizeof out), OPENAI_CONNECTION);
    CHECK_STR(out, "|{\"n\":1}\n");

    /* A clean end without [DONE] and without the last blank line still delivers the event. */
    CHECK_CODE(read_scripted(client, "{\"chunks\":[{\"data\":\"data: last\"}]}", out, sizeof out), OPENAI_OK);
    CHECK_STR(out, "|last\n");
}

static void stall_and_idle_timeout(void) {
    openai_client *client = test_client("\"stream_idle_timeout\":0.3");
    openai_stream *stream = NULL;
    openai_event *event = NULL;
    mock_script("{\"action\":\"stall\",\"chunks\":[{\"data\":\"data: {\\\"n\\\":1}\\n\\n\"}]}");
    CHECK_CODE(openai_chat_completions_create_stream(client, CHAT, &stream), OPENAI_OK);
    CHECK_CODE(openai_stream_next(stream, 10000, &event), OPENAI_OK);
    CHECK(event != NULL);
    openai_event_free(event);
    CHECK_CODE(openai_stream_next(stream, 10000, &event), OPENAI_TIMEOUT);
    CHECK(event == NULL);
    CHECK_CONTAINS(openai_stream_error_message(stream), "sent no event");
    openai_stream_free(stream);
    openai_client_free(client);
    free(mock_take_requests());
}

static void http_errors_before_the_first_event(void) {
    openai_client *client = test_client("\"max_retries\":1");
    openai_stream *stream = NULL;
    openai_event *event = NULL;
    char *log;
    const openai_response *head;

    /* Not retried: a 400 comes back as a failed stream with its error body. */
    mock_script("{\"status\":400,\"body_json\":{\"error\":{\"message\":\"messages is required\",\"type\":\"invalid_request_error\",\"param\":\"messages\"}}}");
    CHECK_CODE(openai_chat_completions_create_stream(client, CHAT, &stream), OPENAI_BAD_REQUEST);
    head = openai_stream_response(stream);
    CHECK(openai_response_status(head) == 400);
    CHECK_STR(openai_response_api_error_param(head), "messages");
    CHECK_STR(openai_stream_error_message(stream), "Error code: 400 - messages is required");
    CHECK_CODE(openai_stream_code(stream), OPENAI_BAD_REQUEST);
    CHECK_CODE(openai_stream_next(stream, 0, &event), OPENAI_BAD_REQUEST);
    openai_stream_free(stream);
    log = mock_take_requests();
    CHECK(count_requests(log) == 1);
    free(log);

    /* Retried: a 503 first, then the stream. */
    mock_script("{\"status\":503,\"headers\":{\"retry-after-ms\":\"10\"},\"body\":\"busy\"}");
    CHECK_CODE(openai_chat_completions_create_stream(client, CHAT, &stream), OPENAI_OK);
    CHECK(openai_response_retries(openai_stream_response(stream)) == 1);
    while (openai_stream_next(stream, 10000, &event) == OPENAI_OK && event)
        openai_event_free(event);
    CHECK_CODE(openai_stream_code(stream), OPENAI_OK);
    openai_stream_free(stream);
    log = mock_take_requests();
    CHECK(count_requests(log) == 2);
    free(log);
    openai_client_free(client);
}

static void closing_early_closes_the_connection(openai_client *client) {
    openai_stream *stream = NULL;
    openai_event *event = NULL;
    char *log;
    CHECK_CODE(openai_chat_completions_create_stream(client,
        "{\"model\":\"m\",\"messages\":[],\"mock_chunks\":100000,\"mock_delay_ms\":5}", &stream), OPENAI_OK);
    CHECK_CODE(openai_stream_next(stream, 10000, &event), OPENAI_OK);
    openai_event_free(event);
    openai_stream_free(stream);
    sleep_ms(300);
    log = mock_take_requests();
    CHECK_CONTAINS(log, "\"client_closed_early\":true");
    free(log);
}

static void assistant_events(openai_client *client) {
    openai_stream *stream = NULL;
    openai_event *event = NULL;
    char names[2048] = "", text[256] = "";
    char *log;
    CHECK_CODE(openai_beta_threads_runs_create_and_stream(client, "thread_1", "{\"assistant_id\":\"asst_1\"}", &stream), OPENAI_OK);
    while (openai_stream_next(stream, 10000, &event) == OPENAI_OK && event) {
        const char *piece = openai_event_json_string(event, "/delta/content/0/text/value");
        strncat(names, openai_event_name(event), sizeof names - strlen(names) - 2);
        strcat(names, ",");
        if (piece && strcmp(openai_event_name(event), "thread.message.delta") == 0)
            strncat(text, piece, sizeof text - strlen(text) - 1);
        openai_event_free(event);
    }
    CHECK_CODE(openai_stream_code(stream), OPENAI_OK);
    CHECK(strncmp(names, "thread.run.created,thread.run.queued,thread.run.in_progress,", 60) == 0);
    CHECK_CONTAINS(names, "thread.message.delta,thread.message.completed,thread.run.step.completed,thread.run.completed,");
    CHECK(strstr(names, "done") == NULL); /* `event: done` / `data: [DONE]` ends the stream */
    CHECK_STR(text, REPLY);
    openai_stream_free(stream);
    log = mock_take_requests();
    CHECK_CONTAINS(log, "\"path\":\"/v1/threads/thread_1/runs\"");
    CHECK_CONTAINS(log, "[\"openai-beta\",\"assistants=v2\"]");
    CHECK_CONTAINS(log, "\"body\":\"{\\\"stream\\\":true,\\\"assistant_id\\\":\\\"asst_1\\\"}\"");
    free(log);

    /* The tool-outputs stream, pushed to a callback. */
    {
        pushed_t p;
        pushed_init(&p);
        stream = openai_beta_threads_runs_submit_tool_outputs_stream_async(client, "thread_1", "run_1",
            "{\"tool_outputs\":[{\"tool_call_id\":\"call_1\",\"output\":\"42\"}],\"stream\":true}", on_event, &p);
        wait_for_end(&p);
        CHECK_CODE(p.end_code, OPENAI_OK);
        CHECK_CONTAINS(p.names, "thread.run.completed,");
        CHECK_STR(p.text, REPLY);
        openai_stream_free(stream);
        pushed_destroy(&p);
        log = mock_take_requests();
        CHECK_CONTAINS(log, "\"path\":\"/v1/threads/thread_1/runs/run_1/submit_tool_outputs\"");
        free(log);
    }
}

static void generic_stream_and_bad_input(openai_client *client) {
    openai_stream *stream = NULL;
    openai_event *event = NULL;
    int events = 0;
    CHECK_CODE(openai_request_stream(client, "POST", "/chat/completions", NULL,
                                     "{\"model\":\"m\",\"messages\":[],\"stream\":true}", &stream), OPENAI_OK);
    while (openai_stream_next(stream, 10000, &event) == OPENAI_OK && event) {
        events++;
        openai_event_free(event);
    }
    CHECK(events == 9);
    openai_stream_free(stream);

    CHECK_CODE(openai_chat_completions_create_stream(client, "{\"stream\":false}", &stream), OPENAI_INVALID_ARGUMENT);
    CHECK_CONTAINS(openai_stream_error_message(stream), "stream");
    openai_stream_free(stream);
    CHECK_CODE(openai_beta_threads_runs_create_and_stream(client, "", "{}", &stream), OPENAI_INVALID_ARGUMENT);
    CHECK_CONTAINS(openai_stream_error_message(stream), "thread_id must not be empty");
    openai_stream_free(stream);
    CHECK_CODE(openai_chat_completions_create_stream(client, NULL, &stream), OPENAI_INVALID_ARGUMENT);
    openai_stream_free(stream);
    CHECK_CODE(openai_chat_completions_create_stream(client, CHAT, NULL), OPENAI_INVALID_ARGUMENT);
    stream = openai_chat_completions_create_stream_async(NULL, CHAT, NULL, NULL);
    CHECK_CODE(openai_stream_next(stream, 10000, &event), OPENAI_INVALID_ARGUMENT);
    CHECK_CONTAINS(openai_stream_error_message(stream), "client is NULL");
    openai_stream_free(stream);
    CHECK_CODE(openai_stream_next(NULL, 0, &event), OPENAI_INVALID_ARGUMENT);
    CHECK(openai_stream_fd(NULL) == -1);
    CHECK(openai_event_name(NULL) == NULL);
    openai_stream_free(NULL);
    openai_event_free(NULL);
    free(mock_take_requests());
}

int main(void) {
    openai_client *client = test_client("");
    pull_with_next(client);
    try_next_with_descriptor(client);
    push_callback(client);
    tricky_chunking(client);
    endings(client);
    stall_and_idle_timeout();
    http_errors_before_the_first_event();
    closing_early_closes_the_connection(client);
    assistant_events(client);
    generic_stream_and_bad_input(client);
    openai_client_free(client);
    sleep_ms(100);
    return finish("test_stream");
}
