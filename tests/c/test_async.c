/* Futures from C, in every completion mode: callback, poll loop, wait with a timeout, the
 * future's descriptor in poll(2), a queue descriptor with 1,000 futures in flight, a queue taken in
 * batches; cancel before,
 * during and after completion; free while pending; a blocking call inside a callback. */
#define _POSIX_C_SOURCE 200809L
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "harness.h"

static const char *CHAT = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

/* What a callback saw; the test thread waits on `cond` for `calls` to change. */
typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int calls;
    openai_code code;
    openai_response *response;
    int blocking_code; /* the code of a blocking call made inside the callback, when asked */
    int make_blocking_call;
    openai_client *client;
} seen_t;

static void seen_init(seen_t *s) {
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->cond, NULL);
    s->blocking_code = -1;
}

static void seen_destroy(seen_t *s) {
    openai_response_free(s->response);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->cond);
}

static void on_complete(openai_response *response, void *userdata) {
    seen_t *s = userdata;
    int blocking = -1;
    if (s->make_blocking_call) {
        openai_response *inner = NULL;
        blocking = openai_models_list(s->client, &inner);
        openai_response_free(inner);
    }
    pthread_mutex_lock(&s->lock);
    s->calls++;
    s->code = openai_response_code(response);
    openai_response_free(s->response);
    s->response = response;
    s->blocking_code = blocking;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
}

/* Waits (up to 10 s) until the callback ran at least once; returns how often it ran. */
static int wait_for_callback(seen_t *s) {
    struct timespec deadline;
    int calls;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 10;
    pthread_mutex_lock(&s->lock);
    while (s->calls == 0 && pthread_cond_timedwait(&s->cond, &s->lock, &deadline) == 0) {
    }
    calls = s->calls;
    pthread_mutex_unlock(&s->lock);
    return calls;
}

static void sleep_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* Waits until the mock has logged `n` requests (the request is on the server). */
static void wait_for_requests(int n) {
    int i;
    for (i = 0; i < 500; i++) {
        openai_client *control = control_client();
        openai_response *response = NULL;
        int count;
        openai_request(control, "GET", "/__mock/requests", NULL, NULL, &response);
        count = count_requests(openai_response_body(response, NULL));
        openai_response_free(response);
        openai_client_free(control);
        if (count >= n)
            return;
        sleep_ms(10);
    }
    fprintf(stderr, "the mock never saw %d request(s)\n", n);
    failures++;
}

static void callback_mode(openai_client *client) {
    seen_t seen;
    openai_future *future;
    openai_response *response = NULL;
    seen_init(&seen);
    future = openai_chat_completions_create_async(client, CHAT, on_complete, &seen);
    CHECK(future != NULL);
    CHECK(wait_for_callback(&seen) == 1);
    CHECK_CODE(seen.code, OPENAI_OK);
    CHECK_STR(openai_response_json_string(seen.response, "/object"), "chat.completion");
    CHECK_CODE(openai_future_wait(future, -1), OPENAI_OK);
    CHECK(openai_future_ready(future));
    /* The callback owns the response: there is nothing left to take. */
    CHECK_CODE(openai_future_take(future, &response), OPENAI_INVALID_ARGUMENT);
    CHECK(response == NULL);
    CHECK(openai_future_userdata(future) == &seen);
    openai_future_free(future);
    CHECK(seen.calls == 1);
    seen_destroy(&seen);
}

static void poll_loop(openai_client *client) {
    openai_future *future = openai_models_retrieve_async(client, "gpt-4o", NULL, NULL);
    openai_response *response = NULL;
    int spins = 0;
    while (!openai_future_ready(future) && spins < 10000) {
        sleep_ms(1);
        spins++;
    }
    CHECK(openai_future_ready(future));
    CHECK_CODE(openai_future_take(future, &response), OPENAI_OK);
    CHECK_STR(openai_response_json_string(response, "/id"), "gpt-4o");
    openai_response_free(response);
    CHECK_CODE(openai_future_take(future, &response), OPENAI_INVALID_ARGUMENT); /* taken once */
    openai_future_free(future);
}

static void wait_with_timeout(openai_client *client) {
    openai_future *future;
    openai_response *response = NULL;
    mock_script("{\"match\":{\"path\":\"/v1/models\"},\"delay_ms\":400,\"status\":200,\"body\":\"{\\\"object\\\":\\\"list\\\",\\\"data\\\":[]}\"}");
    future = openai_models_list_async(client, NULL, NULL);
    CHECK_CODE(openai_future_wait(future, 50), OPENAI_PENDING);
    CHECK(!openai_future_ready(future));
    CHECK_CODE(openai_future_take(future, &response), OPENAI_PENDING);
    CHECK(response == NULL);
    CHECK_CODE(openai_future_wait(future, 10000), OPENAI_OK);
    CHECK_CODE(openai_future_take(future, &response), OPENAI_OK);
    CHECK_STR(openai_response_json_string(response, "/object"), "list");
    openai_response_free(response);
    openai_future_free(future);
}

static void descriptor_in_poll(openai_client *client) {
    openai_future *future = openai_embeddings_create_async(client, "{\"model\":\"text-embedding-3-small\",\"input\":\"x\"}", NULL, NULL);
    openai_response *response = NULL;
    struct pollfd pfd;
    pfd.fd = openai_future_fd(future);
    pfd.events = POLLIN;
    CHECK(pfd.fd >= 0);
    CHECK(poll(&pfd, 1, 10000) == 1);
    CHECK(pfd.revents & POLLIN);
    CHECK(openai_future_ready(future));
    CHECK_CODE(openai_future_take(future, &response), OPENAI_OK);
    CHECK_STR(openai_response_json_string(response, "/object"), "list");
    openai_response_free(response);
    /* Asking for the descriptor of a complete future gives a readable one. */
    pfd.fd = openai_future_fd(future);
    CHECK(poll(&pfd, 1, 0) == 1);
    openai_future_free(future);
}

static void queue_of_a_thousand(openai_client *client) {
    enum { N = 1000 };
    static char seen[N];
    openai_queue *queue = openai_queue_new();
    struct pollfd pfd;
    int i, returned = 0, ok = 0;
    char id[32];
    memset(seen, 0, sizeof seen);
    for (i = 0; i < N; i++) {
        openai_future *future;
        snprintf(id, sizeof id, "model-%d", i);
        future = openai_models_retrieve_async(client, id, NULL, (void *)(intptr_t)i);
        CHECK_CODE(openai_queue_add(queue, future), OPENAI_OK);
    }
    CHECK(openai_queue_len(queue) > 0);
    pfd.fd = openai_queue_fd(queue);
    pfd.events = POLLIN;
    while (openai_queue_len(queue) > 0) {
        openai_future *future = NULL;
        if (poll(&pfd, 1, 10000) != 1) {
            fprintf(stderr, "the queue descriptor never became readable\n");
            failures++;
            break;
        }
        while (openai_queue_next(queue, 0, &future) == OPENAI_OK) {
            openai_response *response = NULL;
            int index = (int)(intptr_t)openai_future_userdata(future);
            CHECK(index >= 0 && index < N && !seen[index]);
            seen[index] = 1;
            if (openai_future_take(future, &response) == OPENAI_OK) {
                snprintf(id, sizeof id, "model-%d", index);
                CHECK_STR(openai_response_json_string(response, "/id"), id);
                ok++;
            }
            openai_response_free(response);
            openai_future_free(future);
            returned++;
        }
    }
    CHECK(returned == N);
    CHECK(ok == N);
    /* Drained: the descriptor is no longer readable and next finds nothing. */
    CHECK(poll(&pfd, 1, 0) == 0);
    {
        openai_future *none = NULL;
        CHECK_CODE(openai_queue_next(queue, 0, &none), OPENAI_PENDING);
        CHECK(none == NULL);
    }
    openai_queue_free(queue);
    free(mock_take_requests());
}

/* openai_queue_next_many: 500 futures taken in batches, each returned once, in completion
 * order; bad arguments refused. */
static void queue_taken_in_batches(openai_client *client) {
    enum { N = 500, BATCH = 64 };
    static char seen[N];
    openai_queue *queue = openai_queue_new();
    openai_future *batch[BATCH];
    size_t count = 99;
    int i, returned = 0, largest = 0;
    memset(seen, 0, sizeof seen);
    for (i = 0; i < N; i++)
        CHECK_CODE(openai_queue_add(queue, openai_models_list_async(client, NULL, (void *)(intptr_t)i)), OPENAI_OK);
    while (openai_queue_len(queue) > 0) {
        if (openai_queue_next_many(queue, 10000, batch, BATCH, &count) != OPENAI_OK) {
            fprintf(stderr, "no completed future within 10 s\n");
            failures++;
            break;
        }
        CHECK(count >= 1 && count <= BATCH);
        if ((int)count > largest) largest = (int)count;
        for (size_t k = 0; k < count; k++) {
            openai_response *response = NULL;
            int index = (int)(intptr_t)openai_future_userdata(batch[k]);
            CHECK(index >= 0 && index < N && !seen[index]);
            seen[index] = 1;
            CHECK_CODE(openai_future_take(batch[k], &response), OPENAI_OK);
            openai_response_free(response);
            openai_future_free(batch[k]);
            returned++;
        }
    }
    CHECK(returned == N);
    CHECK(largest > 1); /* futures completed while the previous batch was handled came together */
    CHECK_CODE(openai_queue_next_many(queue, 0, batch, BATCH, &count), OPENAI_PENDING);
    CHECK(count == 0);
    CHECK_CODE(openai_queue_next_many(queue, 0, batch, 0, &count), OPENAI_INVALID_ARGUMENT);
    CHECK_CODE(openai_queue_next_many(queue, 0, NULL, BATCH, &count), OPENAI_INVALID_ARGUMENT);
    CHECK_CODE(openai_queue_next_many(queue, 0, batch, BATCH, NULL), OPENAI_INVALID_ARGUMENT);
    CHECK_CODE(openai_queue_next_many(NULL, 0, batch, BATCH, &count), OPENAI_INVALID_ARGUMENT);
    openai_queue_free(queue);
    free(mock_take_requests());
}

static void cancel_before(openai_client *client) {
    seen_t seen;
    openai_future *future;
    seen_init(&seen);
    future = openai_chat_completions_create_async(client, CHAT, on_complete, &seen);
    openai_future_cancel(future);
    openai_future_cancel(future); /* idempotent */
    CHECK_CODE(openai_future_wait(future, 10000), OPENAI_OK);
    CHECK(wait_for_callback(&seen) == 1);
    /* Either the cancellation won, or the call had already completed. */
    CHECK(seen.code == OPENAI_CANCELLED || seen.code == OPENAI_OK);
    openai_future_free(future);
    sleep_ms(50);
    CHECK(seen.calls == 1);
    seen_destroy(&seen);
    free(mock_take_requests());
}

static void cancel_during(openai_client *client) {
    seen_t seen;
    openai_future *future;
    char *log;
    seen_init(&seen);
    free(mock_take_requests());
    mock_script("{\"match\":{\"path\":\"/v1/chat/completions\"},\"delay_ms\":5000,\"status\":200,\"body\":\"{}\"}");
    future = openai_chat_completions_create_async(client, CHAT, on_complete, &seen);
    wait_for_requests(1);
    openai_future_cancel(future);
    CHECK_CODE(openai_future_wait(future, 2000), OPENAI_OK); /* well before the 5 s delay */
    CHECK(wait_for_callback(&seen) == 1);
    CHECK_CODE(seen.code, OPENAI_CANCELLED);
    CHECK(openai_response_status(seen.response) == 0);
    CHECK_CONTAINS(openai_response_error_message(seen.response), "cancelled");
    openai_future_free(future);
    /* The server saw the connection closed while it was still answering. */
    sleep_ms(200);
    log = mock_take_requests();
    CHECK_CONTAINS(log, "\"client_closed_early\":true");
    free(log);
    CHECK(seen.calls == 1);
    seen_destroy(&seen);
}

static void cancel_after(openai_client *client) {
    seen_t seen;
    openai_future *future;
    seen_init(&seen);
    future = openai_models_list_async(client, on_complete, &seen);
    CHECK_CODE(openai_future_wait(future, 10000), OPENAI_OK);
    openai_future_cancel(future);
    CHECK(seen.calls == 1);
    CHECK_CODE(seen.code, OPENAI_OK);
    openai_future_free(future);
    seen_destroy(&seen);
}

static void free_while_pending(openai_client *client) {
    seen_t seen;
    openai_future *future;
    seen_init(&seen);
    mock_script("{\"match\":{\"path\":\"/v1/models\"},\"delay_ms\":5000,\"status\":200,\"body\":\"{}\"}");
    future = openai_models_list_async(client, on_complete, &seen);
    wait_for_requests(1);
    openai_future_free(future);
    CHECK(wait_for_callback(&seen) == 1);
    CHECK_CODE(seen.code, OPENAI_CANCELLED);
    sleep_ms(50);
    CHECK(seen.calls == 1);
    seen_destroy(&seen);
    free(mock_take_requests());

    /* A pending future without a callback, freed: nothing to observe but leaks (the sanitizers
     * and valgrind runs check those). */
    mock_script("{\"match\":{\"path\":\"/v1/models\"},\"delay_ms\":5000,\"status\":200,\"body\":\"{}\"}");
    future = openai_models_list_async(client, NULL, NULL);
    openai_future_free(future);
}

static void blocking_call_inside_a_callback(openai_client *client) {
    seen_t seen;
    openai_future *future;
    seen_init(&seen);
    seen.make_blocking_call = 1;
    seen.client = client;
    future = openai_models_list_async(client, on_complete, &seen);
    CHECK(wait_for_callback(&seen) == 1);
    CHECK_CODE(seen.code, OPENAI_OK);
    CHECK_CODE(seen.blocking_code, OPENAI_OK);
    openai_future_free(future);
    seen_destroy(&seen);
}

static void detached_and_invalid(openai_client *client) {
    seen_t seen;
    openai_future *future;
    openai_response *response = NULL;
    seen_init(&seen);
    openai_future_detach(openai_models_list_async(client, on_complete, &seen));
    CHECK(wait_for_callback(&seen) == 1);
    CHECK_CODE(seen.code, OPENAI_OK);
    seen_destroy(&seen);

    /* Invalid arguments complete the future at once, and the callback still runs once. */
    seen_init(&seen);
    future = openai_models_retrieve_async(client, "", on_complete, &seen);
    CHECK(wait_for_callback(&seen) == 1);
    CHECK_CODE(seen.code, OPENAI_INVALID_ARGUMENT);
    CHECK_CONTAINS(openai_response_error_message(seen.response), "model must not be empty");
    openai_future_free(future);
    seen_destroy(&seen);

    future = openai_models_list_async(NULL, NULL, NULL);
    CHECK_CODE(openai_future_wait(future, 10000), OPENAI_OK);
    CHECK_CODE(openai_future_take(future, &response), OPENAI_INVALID_ARGUMENT);
    CHECK_CONTAINS(openai_response_error_message(response), "client is NULL");
    openai_response_free(response);
    openai_future_free(future);

    /* A future with a callback cannot join a queue; it stays the caller's. */
    {
        openai_queue *queue = openai_queue_new();
        seen_init(&seen);
        future = openai_models_list_async(client, on_complete, &seen);
        CHECK_CODE(openai_queue_add(queue, future), OPENAI_INVALID_ARGUMENT);
        CHECK(wait_for_callback(&seen) == 1);
        openai_future_free(future);
        openai_queue_free(queue);
        seen_destroy(&seen);
    }
    CHECK(!openai_future_ready(NULL));
    CHECK_CODE(openai_future_wait(NULL, 0), OPENAI_INVALID_ARGUMENT);
    CHECK(openai_future_fd(NULL) == -1);
    openai_future_cancel(NULL);
    openai_future_free(NULL);
    openai_queue_free(NULL);
    free(mock_take_requests());
}

static void queue_freed_with_futures_in_flight(openai_client *client) {
    openai_queue *queue = openai_queue_new();
    int i;
    mock_script("{\"match\":{\"path\":\"/v1/models\"},\"delay_ms\":5000,\"status\":200,\"body\":\"{}\",\"times\":5}");
    for (i = 0; i < 5; i++)
        CHECK_CODE(openai_queue_add(queue, openai_models_list_async(client, NULL, NULL)), OPENAI_OK);
    CHECK_CODE(openai_queue_add(queue, openai_models_retrieve_async(client, "", NULL, NULL)), OPENAI_OK);
    openai_queue_free(queue); /* cancels and frees all six */
    free(mock_take_requests());
}

int main(void) {
    openai_client *client = test_client("");
    callback_mode(client);
    poll_loop(client);
    wait_with_timeout(client);
    descriptor_in_poll(client);
    queue_of_a_thousand(client);
    queue_taken_in_batches(client);
    cancel_before(client);
    cancel_during(client);
    cancel_after(client);
    free_while_pending(client);
    blocking_call_inside_a_callback(client);
    detached_and_invalid(client);
    queue_freed_with_futures_in_flight(client);
    openai_client_free(client);
    /* Give cancelled calls a moment to release what they hold before the leak checks. */
    sleep_ms(100);
    return finish("test_async");
}
