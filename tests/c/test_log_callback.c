/* The log callback's userdata may be freed as soon as openai_set_log_callback returns: threads
 * log all the time (debug level) while the callback is replaced again and again and the old
 * userdata freed at once. A thread still inside the old callback after the setter returned would
 * read and write freed memory, which AddressSanitizer and valgrind report. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "harness.h"

typedef struct {
    char tag[64];
    long calls;
} sink_t;

static void on_log(openai_log_level level, const char *message, void *userdata) {
    sink_t *sink = userdata;
    (void)level;
    (void)message;
    /* Linger inside, touching the userdata before and after. */
    volatile char first = sink->tag[0];
    (void)first;
    struct timespec pause = {0, 100000};
    nanosleep(&pause, NULL);
    sink->calls++;
}

static atomic_int stop;
static openai_client *client;

static void *caller(void *unused) {
    (void)unused;
    while (!atomic_load(&stop)) {
        openai_response *response = NULL;
        if (openai_models_list(client, &response) != OPENAI_OK) failures++;
        openai_response_free(response);
    }
    return NULL;
}

int main(void) {
    client = test_client("");
    pthread_t threads[4];
    for (int i = 0; i < 4; i++) pthread_create(&threads[i], NULL, caller, NULL);
    sink_t *current = NULL;
    for (int round = 0; round < 300; round++) {
        sink_t *next = calloc(1, sizeof *next);
        snprintf(next->tag, sizeof next->tag, "sink %d", round);
        openai_set_log_callback(on_log, OPENAI_LOG_DEBUG, next);
        free(current); /* the header allows it: nobody is inside the old callback any more */
        current = next;
        struct timespec pause = {0, 300000};
        nanosleep(&pause, NULL);
    }
    openai_set_log_callback(NULL, OPENAI_LOG_ERROR, NULL);
    CHECK(current->calls >= 0);
    free(current);
    atomic_store(&stop, 1);
    for (int i = 0; i < 4; i++) pthread_join(threads[i], NULL);
    openai_client_free(client);
    return finish("test_log_callback");
}
