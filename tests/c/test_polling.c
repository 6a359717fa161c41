/* Waiting for a terminal status from C: a batch that takes three polls (the server's interval
 * honoured), the async form with a callback, a deadline, create-and-poll against the mock's
 * vector store file, bad options. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>

#include "harness.h"

static const char *IN_PROGRESS =
    "{\"match\":{\"method\":\"GET\",\"path\":\"/v1/batches/batch_c\"},\"times\":2,\"headers\":{\"openai-poll-after-ms\":\"10\"},"
    "\"body_json\":{\"id\":\"batch_c\",\"object\":\"batch\",\"status\":\"in_progress\"}}";
static const char *COMPLETED =
    "{\"match\":{\"method\":\"GET\",\"path\":\"/v1/batches/batch_c\"},"
    "\"body_json\":{\"id\":\"batch_c\",\"object\":\"batch\",\"status\":\"completed\"}}";

typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    openai_response *response;
} done_t;

static void on_done(openai_response *response, void *userdata) {
    done_t *d = userdata;
    pthread_mutex_lock(&d->lock);
    d->response = response;
    pthread_cond_signal(&d->cond);
    pthread_mutex_unlock(&d->lock);
}

int main(void) {
    openai_client *client = test_client("");
    openai_response *response = NULL;
    char script[1024];
    char *log;

    /* In progress twice, then completed: three looks, the status of the last. */
    snprintf(script, sizeof script, "[%s,%s]", IN_PROGRESS, COMPLETED);
    mock_script(script);
    CHECK_CODE(openai_batches_poll(client, "batch_c", "{\"timeout_ms\":5000}", &response), OPENAI_OK);
    CHECK_STR(openai_response_json_string(response, "/status"), "completed");
    openai_response_free(response);
    log = mock_take_requests();
    CHECK(count_requests(log) == 3);
    free(log);

    /* The same as a future whose callback receives the response. */
    {
        done_t done = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL};
        openai_future *future;
        mock_script(script);
        future = openai_batches_poll_async(client, "batch_c", NULL, on_done, &done);
        pthread_mutex_lock(&done.lock);
        while (!done.response)
            pthread_cond_wait(&done.cond, &done.lock);
        pthread_mutex_unlock(&done.lock);
        CHECK_CODE(openai_response_code(done.response), OPENAI_OK);
        CHECK_STR(openai_response_json_string(done.response, "/status"), "completed");
        openai_response_free(done.response);
        openai_future_free(future);
        free(mock_take_requests());
    }

    /* A deadline shorter than the server's interval: the batch as last read, with OPENAI_TIMEOUT. */
    mock_script("{\"match\":{\"method\":\"GET\",\"path\":\"/v1/batches/batch_c\"},\"headers\":{\"openai-poll-after-ms\":\"60000\"},"
                "\"body_json\":{\"id\":\"batch_c\",\"status\":\"finalizing\"}}");
    CHECK_CODE(openai_batches_poll(client, "batch_c", "{\"timeout_ms\":100}", &response), OPENAI_TIMEOUT);
    CHECK_STR(openai_response_json_string(response, "/status"), "finalizing");
    CHECK_CONTAINS(openai_response_error_message(response), "still \"finalizing\" when timeout_ms (100 ms) passed");
    openai_response_free(response);
    free(mock_take_requests());

    /* Attach a file to a vector store and wait for it: the mock processes it in three looks. */
    CHECK_CODE(openai_vector_stores_files_create_and_poll(client, "vs_c", "{\"file_id\":\"file-c\"}", NULL, &response), OPENAI_OK);
    CHECK_STR(openai_response_json_string(response, "/status"), "completed");
    CHECK_STR(openai_response_json_string(response, "/vector_store_id"), "vs_c");
    openai_response_free(response);
    log = mock_take_requests();
    CHECK(count_requests(log) == 4);
    CHECK_CONTAINS(log, "\"path\":\"/v1/vector_stores/vs_c/files/file-c\"");
    free(log);

    CHECK_CODE(openai_batches_poll(client, "batch_c", "{\"interval_ms\":\"soon\"}", &response), OPENAI_INVALID_ARGUMENT);
    openai_response_free(response);
    CHECK_CODE(openai_batches_poll(NULL, "batch_c", NULL, &response), OPENAI_INVALID_ARGUMENT);
    openai_response_free(response);
    log = mock_take_requests();
    CHECK(count_requests(log) == 0);
    free(log);

    openai_client_free(client);
    return finish("test_polling");
}
