/* Realtime sessions from C against the mock's WebSocket endpoints: a text turn and its close
 * frame, an audio turn decoded to PCM, 8 threads sending at once (frames whole and in each
 * thread's order), a 10 MB append split into 32 KiB events, a refused upgrade, final and
 * recoverable closes, a drop, a silent server, reconnection, the Responses API, cancel and free
 * from another thread and from inside callbacks (two callbacks freeing each other's sessions).
 * Runs plainly, under ASan+UBSan and under valgrind. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "harness.h"

#define REPLY "Hello! How can I help you today?"
#define MODEL "{\"model\":\"gpt-realtime\"}"
#define TEXT_TURN "{\"type\":\"response.create\",\"response\":{\"output_modalities\":[\"text\"]}}"

static void sleep_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* The next event's type into `type` (empty at the end); returns the code. Frees the event. */
static openai_code next_type(openai_realtime *s, char *type, size_t size) {
    openai_event *event = NULL;
    openai_code code = openai_realtime_next(s, 30000, &event);
    type[0] = 0;
    if (code == OPENAI_OK && event)
        snprintf(type, size, "%s", openai_event_name(event));
    openai_event_free(event);
    return code;
}

/* Reads events until one of `type`; returns 1 if found, 0 if the session ended first. */
static int until(openai_realtime *s, const char *type) {
    char got[128];
    while (next_type(s, got, sizeof got) == OPENAI_OK && got[0])
        if (strcmp(got, type) == 0)
            return 1;
    return 0;
}

/* The mock's record of its WebSocket sessions (free it). */
static openai_response *websockets(void) {
    openai_client *control = control_client();
    openai_response *response = NULL;
    if (openai_request(control, "GET", "/__mock/websockets", NULL, NULL, &response) != OPENAI_OK) {
        fprintf(stderr, "mock websockets: %s\n", openai_response_error_message(response));
        exit(2);
    }
    openai_client_free(control);
    return response;
}

static openai_realtime *connect_or_die(openai_client *client) {
    openai_realtime *s = NULL;
    openai_code code = openai_realtime_connect(client, MODEL, &s);
    if (code != OPENAI_OK) {
        fprintf(stderr, "connect: %s: %s\n", openai_code_name(code), openai_realtime_error_message(s));
        exit(2);
    }
    return s;
}

static void text_turn_and_close(openai_client *client) {
    openai_realtime *s = connect_or_die(client);
    openai_event *event = NULL;
    char text[256] = "";
    CHECK_CODE(openai_realtime_next(s, 30000, &event), OPENAI_OK);
    CHECK_STR(openai_event_name(event), "session.created");
    CHECK_STR(openai_event_json_string(event, "/session/model"), "gpt-realtime");
    openai_event_free(event);
    CHECK_CODE(openai_realtime_send(s, TEXT_TURN), OPENAI_OK);
    for (;;) {
        openai_code code = openai_realtime_next(s, 30000, &event);
        CHECK_CODE(code, OPENAI_OK);
        if (code != OPENAI_OK || !event)
            break;
        const char *type = openai_event_name(event);
        if (strcmp(type, "response.output_text.delta") == 0)
            strncat(text, openai_event_json_string(event, "/delta"), sizeof text - strlen(text) - 1);
        int done = strcmp(type, "response.done") == 0;
        openai_event_free(event);
        if (done)
            break;
    }
    CHECK_STR(text, REPLY);
    CHECK_CODE(openai_realtime_close(s, 0, "bye"), OPENAI_OK);
    CHECK_CODE(openai_realtime_next(s, 30000, &event), OPENAI_OK);
    CHECK(event == NULL);
    CHECK_CODE(openai_realtime_code(s), OPENAI_OK);
    CHECK(openai_realtime_close_code(s) == 1000);
    CHECK(openai_realtime_error_message(s) == NULL);
    CHECK(openai_response_status(openai_realtime_response(s)) == 101);
    CHECK_CODE(openai_realtime_send(s, TEXT_TURN), OPENAI_CONNECTION);
    openai_realtime_free(s);
}

static void audio_turn(openai_client *client) {
    openai_realtime *s = NULL;
    openai_event *event = NULL;
    size_t total = 0, bad = 0;
    CHECK_CODE(openai_realtime_connect(client, "{\"model\":\"gpt-realtime\",\"mock_audio_bytes\":\"48000\"}", &s), OPENAI_OK);
    CHECK_CODE(openai_realtime_send(s, "{\"type\":\"response.create\"}"), OPENAI_OK);
    while (openai_realtime_next(s, 30000, &event) == OPENAI_OK && event) {
        size_t len = 0;
        const unsigned char *pcm = openai_event_audio(event, &len);
        int done = strcmp(openai_event_name(event), "response.done") == 0;
        if (pcm)
            for (size_t i = 0; i < len; i++, total++)
                bad += pcm[i] != (unsigned char)((total * 31 + 7) % 256);
        else
            CHECK(len == 0);
        openai_event_free(event);
        if (done)
            break;
    }
    CHECK(total == 48000);
    CHECK(bad == 0);
    openai_realtime_free(s);
}

#define THREADS 8
#define EACH 100

struct sender {
    openai_realtime *session;
    int thread;
    int failed;
};

static void *send_many(void *arg) {
    struct sender *sender = arg;
    char event[256];
    for (int i = 0; i < EACH; i++) {
        snprintf(event, sizeof event,
                 "{\"type\":\"conversation.item.create\",\"item\":{\"type\":\"message\",\"role\":\"user\","
                 "\"content\":[{\"type\":\"input_text\",\"text\":\"%d-%d\"}]}}",
                 sender->thread, i);
        if (openai_realtime_send(sender->session, event) != OPENAI_OK)
            sender->failed++;
    }
    return NULL;
}

static void eight_threads_send_in_order(openai_client *client) {
    openai_realtime *s = connect_or_die(client);
    pthread_t threads[THREADS];
    struct sender senders[THREADS];
    int next[THREADS] = {0}, created = 0;
    char type[128], pointer[64];
    for (int t = 0; t < THREADS; t++) {
        senders[t] = (struct sender){s, t, 0};
        pthread_create(&threads[t], NULL, send_many, &senders[t]);
    }
    for (int t = 0; t < THREADS; t++) {
        pthread_join(threads[t], NULL);
        CHECK(senders[t].failed == 0);
    }
    while (created < THREADS * EACH && next_type(s, type, sizeof type) == OPENAI_OK && type[0])
        created += strcmp(type, "conversation.item.created") == 0;
    CHECK(created == THREADS * EACH);
    openai_response *record = websockets();
    for (int i = 0; i < THREADS * EACH; i++) {
        int t = -1, n = -1;
        snprintf(pointer, sizeof pointer, "/0/events/%d", i);
        const char *text = openai_response_json_string(record, pointer);
        const char *at = text ? strstr(text, "\"text\":\"") : NULL;
        CHECK(at != NULL);
        if (!at || sscanf(at + 8, "%d-%d", &t, &n) != 2 || t < 0 || t >= THREADS) {
            failures++;
            continue;
        }
        CHECK(n == next[t]); /* each thread's events in its order, each frame one whole event */
        next[t] = n + 1;
    }
    for (int t = 0; t < THREADS; t++)
        CHECK(next[t] == EACH);
    openai_response_free(record);
    openai_realtime_free(s);
}

static void ten_megabytes_of_audio(openai_client *client) {
    openai_realtime *s = connect_or_die(client);
    size_t len = 10 * 1000 * 1000;
    unsigned char *pcm = malloc(len);
    for (size_t i = 0; i < len; i++)
        pcm[i] = (unsigned char)(i * 7 + (i >> 13));
    CHECK_CODE(openai_realtime_append_audio(s, pcm, len), OPENAI_OK);
    free(pcm);
    CHECK_CODE(openai_realtime_append_audio(s, "x", 1), OPENAI_INVALID_ARGUMENT); /* half a sample */
    CHECK_CODE(openai_realtime_send(s, "{\"type\":\"input_audio_buffer.commit\"}"), OPENAI_OK);
    CHECK(until(s, "input_audio_buffer.committed"));
    openai_response *record = websockets();
    CHECK_STR(openai_response_json_value(record, "/0/audio_bytes"), "10000000");
    CHECK_STR(openai_response_json_value(record, "/0/appends/0"), "32768");
    CHECK_STR(openai_response_json_value(record, "/0/appends/304"), "32768");
    CHECK_STR(openai_response_json_value(record, "/0/appends/305"), "5760"); /* 10,000,000 - 305 x 32,768 */
    CHECK(openai_response_json_value(record, "/0/appends/306") == NULL);
    openai_response_free(record);
    openai_realtime_free(s);
}

static void failures_end_sessions_with_their_codes(void) {
    openai_realtime *s = NULL;
    openai_client *bad = test_client("\"api_key\":\"sk-invalid-key-for-c\"");
    CHECK_CODE(openai_realtime_connect(bad, MODEL, &s), OPENAI_AUTHENTICATION);
    CHECK(openai_response_status(openai_realtime_response(s)) == 401);
    CHECK_CONTAINS(openai_realtime_error_message(s), "Error code: 401 - Incorrect API key provided");
    CHECK(strstr(openai_realtime_error_message(s), "sk-invalid-key-for-c") == NULL);
    openai_realtime_free(s);
    openai_client_free(bad);

    openai_client *client = test_client("");
    mock_script("{\"match\":{\"path\":\"/v1/realtime\"},\"websocket\":{\"after_events\":1,\"action\":\"close\",\"code\":1008,\"reason\":\"policy\"}}");
    s = connect_or_die(client);
    CHECK(until(s, "never") == 0);
    CHECK_CODE(openai_realtime_code(s), OPENAI_CONNECTION);
    CHECK(openai_realtime_close_code(s) == 1008);
    CHECK_STR(openai_realtime_close_reason(s), "policy");
    openai_realtime_free(s);

    mock_script("{\"match\":{\"path\":\"/v1/realtime\"},\"websocket\":{\"after_events\":1,\"action\":\"drop\"}}");
    s = connect_or_die(client);
    CHECK(until(s, "never") == 0);
    CHECK_CODE(openai_realtime_code(s), OPENAI_CONNECTION);
    CHECK(openai_realtime_close_code(s) == 1006);
    openai_realtime_free(s);

    openai_realtime_options *options = NULL;
    mock_script("{\"match\":{\"path\":\"/v1/realtime\"},\"websocket\":{\"after_events\":1,\"action\":\"silent\"}}");
    CHECK_CODE(openai_realtime_options_new("{\"idle_timeout\":0.5,\"ping_interval\":0.1}", &options), OPENAI_OK);
    s = openai_realtime_connect_async(client, MODEL, options);
    openai_realtime_options_free(options);
    CHECK(until(s, "never") == 0);
    CHECK_CODE(openai_realtime_code(s), OPENAI_TIMEOUT);
    openai_realtime_free(s);
    openai_client_free(client);
}

static int reconnects = 0;

static bool on_reconnect(openai_realtime *s, uint32_t attempt, uint32_t max_attempts, uint64_t delay_ms,
                         int close_code, openai_reconnect *next, void *userdata) {
    (void)s, (void)userdata;
    reconnects++;
    CHECK(attempt == 1 && max_attempts == 5 && delay_ms == 10 && close_code == 1012);
    CHECK_STR(openai_reconnect_query(next), MODEL);
    CHECK_CODE(openai_reconnect_set_header(next, "x-retry", "1"), OPENAI_OK);
    return true;
}

static void a_recoverable_close_reconnects(openai_client *client) {
    openai_realtime_options *options = NULL;
    char type[128];
    mock_script("{\"match\":{\"path\":\"/v1/realtime\"},\"websocket\":{\"after_events\":1,\"action\":\"close\",\"code\":1012}}");
    CHECK_CODE(openai_realtime_options_new("{\"initial_delay\":0.01}", &options), OPENAI_OK);
    CHECK_CODE(openai_realtime_options_set_reconnect(options, on_reconnect, NULL), OPENAI_OK);
    openai_realtime *s = openai_realtime_connect_async(client, MODEL, options);
    openai_realtime_options_free(options);
    CHECK_CODE(next_type(s, type, sizeof type), OPENAI_OK);
    CHECK_STR(type, "session.created");
    CHECK_CODE(next_type(s, type, sizeof type), OPENAI_OK); /* on the new connection */
    CHECK_STR(type, "session.created");
    CHECK(reconnects == 1);
    char *log = mock_take_requests();
    CHECK_CONTAINS(log, "[\"x-retry\",\"1\"]");
    free(log);
    openai_realtime_free(s);
}

static void responses_over_a_websocket(openai_client *client) {
    openai_realtime *s = NULL;
    CHECK_CODE(openai_responses_connect(client, NULL, &s), OPENAI_OK);
    CHECK_CODE(openai_realtime_send(s, "{\"type\":\"response.create\",\"model\":\"gpt-4o-mini\",\"input\":\"Hi\"}"), OPENAI_OK);
    CHECK(until(s, "response.completed"));
    openai_realtime_free(s);
}

struct canceller {
    openai_realtime *session;
};

static void *cancel_later(void *arg) {
    sleep_ms(100);
    openai_realtime_cancel(((struct canceller *)arg)->session);
    return NULL;
}

static void cancel_from_another_thread(openai_client *client) {
    openai_realtime *s = connect_or_die(client);
    openai_event *event = NULL;
    pthread_t thread;
    struct canceller c = {s};
    CHECK(until(s, "session.created"));
    pthread_create(&thread, NULL, cancel_later, &c);
    CHECK_CODE(openai_realtime_next(s, -1, &event), OPENAI_CANCELLED);
    pthread_join(thread, NULL);
    openai_realtime_free(s);
}

/* Callback sessions: freeing inside their own callback, from another thread while a callback
 * runs, and two callbacks freeing each other's sessions. A callback waits for `release`. */
struct pushed {
    atomic_int entered;
    atomic_int release;
    atomic_int events;
    int free_self_after;
    openai_realtime *_Atomic other; /* freed from inside this session's callback */
};

static bool on_event(openai_realtime *s, const openai_event *event, void *userdata) {
    struct pushed *p = userdata;
    atomic_fetch_add(&p->entered, 1);
    while (!atomic_load(&p->release))
        sleep_ms(1);
    if (event) {
        int n = atomic_fetch_add(&p->events, 1) + 1;
        openai_realtime *other = atomic_exchange(&p->other, NULL);
        if (other)
            openai_realtime_free(other);
        if (n == p->free_self_after)
            openai_realtime_free(s);
    }
    return true;
}

static openai_realtime *pushed_session(openai_client *client, struct pushed *p) {
    openai_realtime_options *options = NULL;
    openai_realtime_options_new(NULL, &options);
    openai_realtime_options_set_callback(options, on_event, p);
    openai_realtime *s = openai_realtime_connect_async(client, MODEL, options);
    openai_realtime_options_free(options);
    return s;
}

static void wait_entered(struct pushed *p, int n) {
    for (int i = 0; i < 3000 && atomic_load(&p->entered) < n; i++)
        sleep_ms(10);
    CHECK(atomic_load(&p->entered) >= n);
}

static void *release_later(void *arg) {
    sleep_ms(200);
    atomic_store(&((struct pushed *)arg)->release, 1);
    return NULL;
}

static void free_inside_and_across_callbacks(openai_client *client) {
    /* Inside its own callback, after the first event: never called again. */
    struct pushed self = {0, 1, 0, 1, NULL};
    pushed_session(client, &self);
    wait_entered(&self, 1);
    sleep_ms(200);
    CHECK(atomic_load(&self.entered) == 1);

    /* From another thread while the callback runs: free waits for it to return. */
    struct pushed running = {0, 0, 0, 0, NULL};
    pthread_t releaser;
    openai_realtime *s = pushed_session(client, &running);
    wait_entered(&running, 1);
    pthread_create(&releaser, NULL, release_later, &running);
    openai_realtime_free(s);
    CHECK(atomic_load(&running.release) == 1); /* it waited for the callback */
    pthread_join(releaser, NULL);
    int after = atomic_load(&running.entered);
    sleep_ms(100);
    CHECK(atomic_load(&running.entered) == after);

    /* Two callbacks freeing each other's sessions, at once: no deadlock. */
    for (int round = 0; round < 5; round++) {
        struct pushed a = {0, 0, 0, 0, NULL}, b = {0, 0, 0, 0, NULL};
        openai_realtime *sa = pushed_session(client, &a);
        openai_realtime *sb = pushed_session(client, &b);
        atomic_store(&a.other, sb);
        atomic_store(&b.other, sa);
        wait_entered(&a, 1);
        wait_entered(&b, 1);
        atomic_store(&a.release, 1);
        atomic_store(&b.release, 1);
        for (int i = 0; i < 3000 && (atomic_load(&a.other) || atomic_load(&b.other)); i++)
            sleep_ms(10);
        CHECK(!atomic_load(&a.other) && !atomic_load(&b.other));
        sleep_ms(100); /* a callback still finishing on its thread ends before `a`, `b` go */
    }
}

/* openai_shutdown with a callback session still open: the session ends (its callback's last
 * call sees OPENAI_CANCELLED) and its thread is joined before shutdown returns. */
static atomic_int last_code = -1, shutdown_events = 0;

static bool on_shutdown_event(openai_realtime *s, const openai_event *event, void *userdata) {
    (void)userdata;
    if (event)
        atomic_fetch_add(&shutdown_events, 1);
    else
        atomic_store(&last_code, openai_realtime_code(s));
    return true;
}

static void shutdown_ends_open_sessions(void) {
    openai_client *client = test_client("");
    openai_realtime_options *options = NULL;
    openai_realtime_options_new(NULL, &options);
    openai_realtime_options_set_callback(options, on_shutdown_event, NULL);
    openai_realtime *s = openai_realtime_connect_async(client, MODEL, options);
    openai_realtime_options_free(options);
    for (int i = 0; i < 3000 && atomic_load(&shutdown_events) < 1; i++)
        sleep_ms(10);
    CHECK_CODE(openai_shutdown(), OPENAI_OK);
    CHECK_CODE(atomic_load(&last_code), OPENAI_CANCELLED);
    CHECK_CODE(openai_realtime_code(s), OPENAI_CANCELLED);
    CHECK_CONTAINS(openai_realtime_error_message(s), "openai_shutdown");
    openai_realtime_free(s);
    openai_client_free(client);
}

int main(void) {
    openai_client *client = test_client("");
    text_turn_and_close(client);
    audio_turn(client);
    mock_control("DELETE", "/__mock/websockets", NULL);
    eight_threads_send_in_order(client);
    mock_control("DELETE", "/__mock/websockets", NULL);
    ten_megabytes_of_audio(client);
    failures_end_sessions_with_their_codes();
    free(mock_take_requests());
    a_recoverable_close_reconnects(client);
    responses_over_a_websocket(client);
    cancel_from_another_thread(client);
    free_inside_and_across_callbacks(client);
    openai_client_free(client);
    shutdown_ends_open_sessions();
    return finish("test_realtime");
}
