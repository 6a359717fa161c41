/* A soak: 4 threads x 5,000 calls sharing one client, mixing successes, API errors,
 * cancellations and timeouts. Every call's outcome is checked; at the end the process has as
 * many open descriptors as before, and (under the sanitizers) nothing leaked.
 *
 * modes: plain, sanitizers (under valgrind 20,000 calls take too long; test_async and
 * test_threads cover the same paths there) */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <pthread.h>
#include <time.h>

#include "harness.h"

enum { THREADS = 4, CALLS = 5000 };

typedef struct {
    openai_client *client;
    openai_client *impatient; /* the same client with a 10 ms timeout */
    int index;
    int ok, not_found, cancelled, timed_out, wrong;
} worker_t;

static int open_descriptors(void) {
    int n = 0;
    DIR *dir = opendir("/proc/self/fd");
    struct dirent *entry;
    if (!dir)
        return -1;
    while ((entry = readdir(dir)) != NULL)
        if (entry->d_name[0] != '.')
            n++;
    closedir(dir);
    return n - 1; /* the directory's own descriptor */
}

static void sleep_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

static void *work(void *arg) {
    worker_t *w = arg;
    char id[64];
    int i;
    for (i = 0; i < CALLS; i++) {
        openai_response *response = NULL;
        openai_code code;
        switch (i % 4) {
        case 0: /* success */
            snprintf(id, sizeof id, "model-%d-%d", w->index, i);
            code = openai_models_retrieve(w->client, id, &response);
            if (code == OPENAI_OK && strcmp(openai_response_json_string(response, "/id"), id) == 0)
                w->ok++;
            else
                w->wrong++;
            break;
        case 1: /* an API error */
            snprintf(id, sizeof id, "missing-%d-%d", w->index, i);
            code = openai_models_retrieve(w->client, id, &response);
            if (code == OPENAI_NOT_FOUND && openai_response_status(response) == 404)
                w->not_found++;
            else
                w->wrong++;
            break;
        case 2: { /* a cancellation */
            openai_future *future;
            snprintf(id, sizeof id, "slow-%d-%d", w->index, i);
            future = openai_models_retrieve_async(w->client, id, NULL, NULL);
            openai_future_cancel(future);
            openai_future_wait(future, -1);
            code = openai_future_take(future, &response);
            if (code == OPENAI_CANCELLED)
                w->cancelled++;
            else
                w->wrong++;
            openai_future_free(future);
            break;
        }
        default: /* a timeout */
            snprintf(id, sizeof id, "slow-%d-%d", w->index, i);
            code = openai_models_retrieve(w->impatient, id, &response);
            if (code == OPENAI_TIMEOUT)
                w->timed_out++;
            else
                w->wrong++;
            break;
        }
        openai_response_free(response);
    }
    return NULL;
}

int main(void) {
    pthread_t threads[THREADS];
    worker_t workers[THREADS];
    openai_client *client, *impatient = NULL;
    openai_response *response = NULL;
    int i, before, after = -1, ok = 0, not_found = 0, cancelled = 0, timed_out = 0, wrong = 0;

    mock_control("POST", "/__mock/config", "{\"log\":false}");
    mock_script("{\"match\":{\"path_prefix\":\"/v1/models/slow\"},\"delay_ms\":200,\"status\":200,\"body\":\"{}\",\"times\":1000000}");

    /* The baseline: after the library's runtime started, with no client alive. */
    client = test_client("");
    openai_models_list(client, &response);
    openai_response_free(response);
    openai_client_free(client);
    sleep_ms(200);
    before = open_descriptors();

    client = test_client("");
    CHECK_CODE(openai_client_with_options(client, "{\"timeout\":0.01}", &impatient), OPENAI_OK);
    for (i = 0; i < THREADS; i++) {
        memset(&workers[i], 0, sizeof workers[i]);
        workers[i].client = client;
        workers[i].impatient = impatient;
        workers[i].index = i;
        CHECK(pthread_create(&threads[i], NULL, work, &workers[i]) == 0);
    }
    for (i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        ok += workers[i].ok;
        not_found += workers[i].not_found;
        cancelled += workers[i].cancelled;
        timed_out += workers[i].timed_out;
        wrong += workers[i].wrong;
    }
    printf("%d calls: %d ok, %d not found, %d cancelled, %d timed out, %d wrong\n", THREADS * CALLS, ok, not_found,
           cancelled, timed_out, wrong);
    CHECK(ok == THREADS * CALLS / 4);
    CHECK(not_found == THREADS * CALLS / 4);
    CHECK(cancelled == THREADS * CALLS / 4);
    CHECK(timed_out == THREADS * CALLS / 4);
    CHECK(wrong == 0);
    openai_client_free(impatient);
    openai_client_free(client);

    /* Connections close as the pool goes away: give the runtime a moment. */
    for (i = 0; i < 50 && after != before; i++) {
        sleep_ms(100);
        after = open_descriptors();
    }
    printf("open descriptors: %d before, %d after\n", before, after);
    CHECK(after == before);
    return finish("test_soak");
}
