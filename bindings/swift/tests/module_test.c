/* Proves the COpenAI module map (Sources/COpenAI/module.modulemap) with clang: this file imports
 * the module, never the header, and is compiled twice by bindings/swift/test.sh with -fmodules:
 * as Objective-C (`@import COpenAI;`, what Swift's importer does with the same module map) and as
 * C (`#pragma clang module import`). It then runs against the mock server (OPENAI_BASE_URL,
 * OPENAI_API_KEY) through the same C functions the Swift layer calls: the client, a chat
 * completion by the async callback form (what `withCheckedThrowingContinuation` wraps), a stream
 * by the async callback form (what the AsyncThrowingStream wraps), a blocking stream, an API
 * error's fields, the version macros the module exports, and WebSocket sessions as
 * RealtimeSession opens them (options with an event and a reconnection callback, a non-blocking
 * connect, send, PCM append, a close from inside the callback; Realtime and Responses), and the
 * helpers Sources/OpenAI/Helpers.swift wraps (a chunked upload with progress, a create-and-poll,
 * webhook verification and unwrap). */
#ifdef __OBJC__
@import COpenAI;
#else
#pragma clang module import COpenAI
#endif

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;
#define CHECK(cond)                                                              \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                          \
        }                                                                        \
    } while (0)

static const char *const REPLY = "Hello! How can I help you today?";
static const char *const CHAT = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

/* A one-shot latch, as a Swift continuation is resumed once. */
struct latch {
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    int done;
};
static void latch_init(struct latch *l) {
    pthread_mutex_init(&l->mutex, NULL);
    pthread_cond_init(&l->cond, NULL);
    l->done = 0;
}
static void latch_open(struct latch *l) {
    pthread_mutex_lock(&l->mutex);
    l->done = 1;
    pthread_cond_signal(&l->cond);
    pthread_mutex_unlock(&l->mutex);
}
static void latch_wait(struct latch *l) {
    pthread_mutex_lock(&l->mutex);
    while (!l->done) pthread_cond_wait(&l->cond, &l->mutex);
    pthread_mutex_unlock(&l->mutex);
}

struct call {
    struct latch latch;
    openai_code code;
    char content[256];
};

/* The completion callback: owns the response, runs once on a library thread. */
static void on_response(openai_response *response, void *userdata) {
    struct call *call = userdata;
    const char *content = openai_response_json_string(response, "/choices/0/message/content");
    call->code = openai_response_code(response);
    snprintf(call->content, sizeof call->content, "%s", content ? content : "");
    openai_response_free(response);
    latch_open(&call->latch);
}

/* A helper's completion callback (Swift: Helpers.swift through the same continuation): the
 * object's `status`, and its `/file/bytes` for a chunked upload. */
struct helper_call {
    struct latch latch;
    openai_code code;
    char status[32];
    char bytes[32];
    uint64_t progress_sent, progress_total;
};
static void on_helper_response(openai_response *response, void *userdata) {
    struct helper_call *call = userdata;
    const char *status = openai_response_json_string(response, "/status");
    const char *bytes = openai_response_json_value(response, "/file/bytes");
    call->code = openai_response_code(response);
    snprintf(call->status, sizeof call->status, "%s", status ? status : "");
    snprintf(call->bytes, sizeof call->bytes, "%s", bytes ? bytes : "");
    openai_response_free(response);
    latch_open(&call->latch);
}
/* The progress callback of a chunked upload (Swift: ProgressBox), one report at a time. */
static void on_progress(uint64_t sent, uint64_t total, void *userdata) {
    struct helper_call *call = userdata;
    call->progress_sent = sent;
    call->progress_total = total;
}

struct streamed {
    struct latch latch;
    openai_code end;
    int events;
    char text[256];
};

/* The stream callback: each event borrowed, then a last call with NULL. */
static bool on_event(openai_stream *stream, const openai_event *event, void *userdata) {
    struct streamed *s = userdata;
    if (event) {
        const char *piece = openai_event_json_string(event, "/choices/0/delta/content");
        if (piece) strncat(s->text, piece, sizeof s->text - strlen(s->text) - 1);
        s->events++;
        return true;
    }
    s->end = openai_stream_code(stream);
    latch_open(&s->latch);
    return false;
}

struct session_events {
    struct latch latch;
    openai_code end;
    int close_code;
    char first[64];
    char text[256];
    size_t audio_bytes;
};

/* The session callback (Swift: RealtimeSession's AsyncSequence): each event borrowed, then a
 * last call with NULL; a response's end closes the session properly, from inside the callback. */
static bool on_session_event(openai_realtime *session, const openai_event *event, void *userdata) {
    struct session_events *s = userdata;
    if (event) {
        const char *type = openai_event_name(event);
        size_t audio = 0;
        if (!s->first[0]) snprintf(s->first, sizeof s->first, "%s", type);
        if (strcmp(type, "response.output_text.delta") == 0) {
            const char *delta = openai_event_json_string(event, "/delta");
            if (delta) strncat(s->text, delta, sizeof s->text - strlen(s->text) - 1);
        }
        if (openai_event_audio(event, &audio)) s->audio_bytes += audio;
        if (strcmp(type, "response.done") == 0 || strcmp(type, "response.completed") == 0)
            CHECK(openai_realtime_close(session, 1000, "done") == OPENAI_OK);
        return true;
    }
    s->end = openai_realtime_code(session);
    s->close_code = openai_realtime_close_code(session);
    latch_open(&s->latch);
    return false;
}

/* The reconnection callback the Swift layer installs when asked (never called here: no
 * recoverable close happens). */
static bool on_reconnect(openai_realtime *session, uint32_t attempt, uint32_t max_attempts, uint64_t delay_ms,
                         int close_code, openai_reconnect *next, void *userdata) {
    (void)session, (void)attempt, (void)max_attempts, (void)delay_ms, (void)close_code, (void)userdata;
    return openai_reconnect_query(next) != NULL;
}

/* A session as the Swift layer opens it: options with the event callback (and the reconnection
 * callback), connected without blocking; `turn` sent at once (it waits for the connection). */
static void run_session(openai_client *client, bool responses, const char *turn, struct session_events *s) {
    openai_realtime_options *options = NULL;
    memset(s, 0, sizeof *s);
    latch_init(&s->latch);
    CHECK(openai_realtime_options_new("{\"max_retries\":2}", &options) == OPENAI_OK);
    CHECK(openai_realtime_options_set_callback(options, on_session_event, s) == OPENAI_OK);
    CHECK(openai_realtime_options_set_reconnect(options, on_reconnect, s) == OPENAI_OK);
    openai_realtime *session = responses ? openai_responses_connect_async(client, NULL, options)
                                         : openai_realtime_connect_async(client, "{\"model\":\"gpt-realtime\"}", options);
    openai_realtime_options_free(options);
    CHECK(openai_realtime_send(session, turn) == OPENAI_OK);
    if (!responses) {
        static const short pcm[480];
        CHECK(openai_realtime_append_audio(session, pcm, sizeof pcm) == OPENAI_OK);
    }
    latch_wait(&s->latch);
    openai_realtime_free(session);
}

int main(void) {
    char version[32];
    snprintf(version, sizeof version, "%d.%d.%d", OPENAI_VERSION_MAJOR, OPENAI_VERSION_MINOR, OPENAI_VERSION_PATCH);
    CHECK(strcmp(openai_version(), version) == 0);
    CHECK(strcmp(openai_code_name(OPENAI_NOT_FOUND), "OPENAI_NOT_FOUND") == 0);

    openai_client *client = NULL;
    if (openai_client_new("{\"max_retries\":0}", &client) != OPENAI_OK) {
        fprintf(stderr, "client: %s\n", openai_last_error());
        return 2;
    }

    /* The async callback form (Swift: withCheckedThrowingContinuation). */
    struct call call;
    latch_init(&call.latch);
    openai_future *future = openai_chat_completions_create_async(client, CHAT, on_response, &call);
    latch_wait(&call.latch);
    CHECK(call.code == OPENAI_OK);
    CHECK(strcmp(call.content, REPLY) == 0);
    openai_future_free(future);

    /* The stream callback form (Swift: AsyncThrowingStream). */
    struct streamed streamed;
    memset(&streamed, 0, sizeof streamed);
    latch_init(&streamed.latch);
    openai_stream *stream = openai_chat_completions_create_stream_async(client, CHAT, on_event, &streamed);
    latch_wait(&streamed.latch);
    openai_stream_free(stream);
    CHECK(streamed.end == OPENAI_OK);
    CHECK(streamed.events == 9);
    CHECK(strcmp(streamed.text, REPLY) == 0);

    /* A blocking stream. */
    char text[256] = "";
    openai_event *event = NULL;
    CHECK(openai_chat_completions_create_stream(client, CHAT, &stream) == OPENAI_OK);
    while (openai_stream_next(stream, -1, &event) == OPENAI_OK && event) {
        const char *piece = openai_event_json_string(event, "/choices/0/delta/content");
        if (piece) strncat(text, piece, sizeof text - strlen(text) - 1);
        openai_event_free(event);
    }
    CHECK(openai_stream_code(stream) == OPENAI_OK);
    CHECK(strcmp(text, REPLY) == 0);
    openai_stream_free(stream);

    /* An API error and its fields (Swift: OpenAIError). */
    openai_response *response = NULL;
    CHECK(openai_models_retrieve(client, "missing-model", &response) == OPENAI_NOT_FOUND);
    CHECK(openai_response_status(response) == 404);
    CHECK(openai_response_api_error_code(response) && strcmp(openai_response_api_error_code(response), "model_not_found") == 0);
    CHECK(openai_response_request_id(response) != NULL);
    openai_response_free(response);

    /* A Realtime session and a Responses WebSocket session (Swift: client.realtime.connect,
     * client.responses.connect), closed properly from inside the callback. */
    struct session_events session;
    run_session(client, false, "{\"type\":\"response.create\",\"response\":{\"output_modalities\":[\"text\"]}}",
                &session);
    CHECK(strcmp(session.first, "session.created") == 0);
    CHECK(strcmp(session.text, REPLY) == 0);
    CHECK(session.end == OPENAI_OK);
    CHECK(session.close_code == 1000);
    run_session(client, false, "{\"type\":\"response.create\"}", &session);  /* an audio reply */
    CHECK(session.audio_bytes == 48000);
    CHECK(session.end == OPENAI_OK);
    run_session(client, true, "{\"type\":\"response.create\",\"model\":\"gpt-4o-mini\",\"input\":\"Hi\"}", &session);
    CHECK(strcmp(session.first, "response.created") == 0);
    CHECK(strcmp(session.text, REPLY) == 0);
    CHECK(session.end == OPENAI_OK);

    /* The helpers Swift wraps by hand (Sources/OpenAI/Helpers.swift), by their async callback
     * forms: a chunked upload with progress, a create-and-poll, webhooks. */
    struct helper_call helper;
    char upload_path[512];
    const char *tmpdir = getenv("TMPDIR");
    /* Standard C only (-std=c11): a name of each variant's own, the two run one after the other. */
    snprintf(upload_path, sizeof upload_path, "%s/openai-swift-module-%s.jsonl", tmpdir && *tmpdir ? tmpdir : "/tmp",
#ifdef __OBJC__
             "objc"
#else
             "c"
#endif
    );
    FILE *upload_file = fopen(upload_path, "wb");
    CHECK(upload_file != NULL);
    if (upload_file) {
        for (int i = 0; i < 2500; i++) fputc('a', upload_file);
        fclose(upload_file);
    }
    memset(&helper, 0, sizeof helper);
    latch_init(&helper.latch);
    future = openai_uploads_upload_file_chunked_async(client, upload_path,
                                                      "{\"purpose\":\"batch\",\"mime_type\":\"text/jsonl\"}",
                                                      "{\"part_size\":1000}", on_progress, &helper, on_helper_response, &helper);
    latch_wait(&helper.latch);
    openai_future_free(future);
    remove(upload_path);
    CHECK(helper.code == OPENAI_OK);
    CHECK(strcmp(helper.status, "completed") == 0);
    CHECK(strcmp(helper.bytes, "2500") == 0);
    CHECK(helper.progress_sent == 2500 && helper.progress_total == 2500);

    memset(&helper, 0, sizeof helper);
    latch_init(&helper.latch);
    future = openai_vector_stores_files_create_and_poll_async(client, "vs_module", "{\"file_id\":\"file-module\"}",
                                                              "{\"interval_ms\":5}", on_helper_response, &helper);
    latch_wait(&helper.latch);
    openai_future_free(future);
    CHECK(helper.code == OPENAI_OK);
    CHECK(strcmp(helper.status, "completed") == 0);

    /* Signed with the test secret at 1750287018 (tests/common/webhooks.rs): a century of
     * tolerance accepts it, the default 300 s (-1) does not. */
    static const char *const payload = "{\"id\":\"evt_685343a1381c819085d44c354e1b330e\",\"type\":\"response.completed\","
                                       "\"created_at\":1750287018,\"data\":{\"id\":\"resp_abc123\"}}";
    const char *names[] = {"webhook-id", "webhook-timestamp", "webhook-signature"};
    const char *values[] = {"wh_685342e6c53c8190a1be43f081506c52", "1750287018",
                            "v1,fFjAVoOPIJp5BDNMBhyG1L4puz8Njq8xvzdjQ/kr/sQ="};
    const char *secret = "whsec_dGVzdC13ZWJob29rLWtleS0wMTIzNDU2Nzg5";
    const int64_t century = 100LL * 366 * 24 * 3600;
    CHECK(openai_webhooks_verify_signature(payload, strlen(payload), names, values, 3, secret, century) == OPENAI_OK);
    CHECK(openai_webhooks_verify_signature(payload, strlen(payload), names, values, 3, secret, -1) ==
          OPENAI_INVALID_WEBHOOK_SIGNATURE);
    CHECK(strcmp(openai_last_error(), "Webhook timestamp is too old") == 0);
    CHECK(openai_webhooks_unwrap(payload, strlen(payload), names, values, 3, secret, century, &event) == OPENAI_OK);
    CHECK(event && strcmp(openai_event_name(event), "response.completed") == 0);
    CHECK(event && strcmp(openai_event_id(event), values[0]) == 0);
    openai_event_free(event);

    openai_client_free(client);
    if (failures) {
        fprintf(stderr, "module_test: %d check(s) failed\n", failures);
        return 1;
    }
    printf("module_test (%s): ok\n",
#ifdef __OBJC__
           "Objective-C, @import COpenAI"
#else
           "C, #pragma clang module import COpenAI"
#endif
    );
    return 0;
}
