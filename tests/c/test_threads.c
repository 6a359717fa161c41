/* 16 threads share one client and make 10,000 blocking calls in total; every response is
 * checked (each asks for its own model id and must get that id back). */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>

#include "harness.h"

enum { THREADS = 16, CALLS_PER_THREAD = 625 };

typedef struct {
    openai_client *client;
    int index;
    int ok;
} worker_t;

static void *work(void *arg) {
    worker_t *w = arg;
    char id[64];
    int i;
    for (i = 0; i < CALLS_PER_THREAD; i++) {
        openai_response *response = NULL;
        snprintf(id, sizeof id, "model-%d-%d", w->index, i);
        if (openai_models_retrieve(w->client, id, &response) == OPENAI_OK) {
            const char *got = openai_response_json_string(response, "/id");
            if (got && strcmp(got, id) == 0)
                w->ok++;
            else
                fprintf(stderr, "thread %d call %d: asked for %s, got %s\n", w->index, i, id, got ? got : "(none)");
        } else {
            fprintf(stderr, "thread %d call %d: %s\n", w->index, i, openai_response_error_message(response));
        }
        openai_response_free(response);
    }
    return NULL;
}

int main(void) {
    openai_client *client = test_client("");
    pthread_t threads[THREADS];
    worker_t workers[THREADS];
    int i, ok = 0;
    mock_control("POST", "/__mock/config", "{\"log\":false}");
    for (i = 0; i < THREADS; i++) {
        workers[i].client = client;
        workers[i].index = i;
        workers[i].ok = 0;
        CHECK(pthread_create(&threads[i], NULL, work, &workers[i]) == 0);
    }
    for (i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        ok += workers[i].ok;
    }
    CHECK(ok == THREADS * CALLS_PER_THREAD);
    printf("%d of %d calls answered correctly\n", ok, THREADS * CALLS_PER_THREAD);
    openai_client_free(client);
    return finish("test_threads");
}
