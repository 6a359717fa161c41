/* A large file through the Uploads API from C (openai_uploads_upload_file_chunked and its _async
 * form) against the mock, which checks that the parts' bytes add up: a part that fails once and
 * is sent again, progress to the whole file, a part that fails for good (the Upload cancelled),
 * cancelling a future (the Upload cancelled in the background), bad arguments. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

static const char *CREATE = "{\"purpose\":\"batch\",\"mime_type\":\"text/jsonl\"}";

typedef struct {
    int reports;
    uint64_t done, total;
} progress_t;

static void on_progress(uint64_t done, uint64_t total, void *userdata) {
    progress_t *p = userdata;
    p->reports++;
    p->done = done;
    p->total = total;
}

/* Whether the mock's log holds a request to a path ending in `suffix` (the log is read, not
 * cleared: a request arriving meanwhile is not lost). */
static int logged(const char *suffix) {
    openai_client *control = control_client();
    openai_response *response = NULL;
    char needle[64];
    int found;
    snprintf(needle, sizeof needle, "%s\"", suffix);
    CHECK_CODE(openai_request(control, "GET", "/__mock/requests", NULL, NULL, &response), OPENAI_OK);
    found = strstr(openai_response_body(response, NULL), needle) != NULL;
    openai_response_free(response);
    openai_client_free(control);
    return found;
}

/* Waits (up to 10 s) for the mock to have received a request to a path ending in `suffix`. */
static int wait_for_request(const char *suffix) {
    struct timespec pause = {0, 10000000};
    for (int i = 0; i < 1000; i++) {
        if (logged(suffix))
            return 1;
        nanosleep(&pause, NULL);
    }
    return 0;
}

int main(void) {
    char path[] = "/tmp/openai-chunked-XXXXXX";
    int fd = mkstemp(path);
    char data[5000];
    openai_client *client = test_client("\"max_retries\":1");
    openai_response *response = NULL;
    progress_t progress = {0, 0, 0};
    char *log;

    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (char)('a' + i % 26);
    CHECK(fd >= 0 && write(fd, data, sizeof data) == (ssize_t)sizeof data);
    close(fd);

    /* Three parts of 2,000 bytes at most; the first part request fails once and is sent again. */
    mock_script("{\"match\":{\"method\":\"POST\",\"path_prefix\":\"/v1/uploads/\"},\"status\":500,"
                "\"headers\":{\"retry-after-ms\":\"1\"}}");
    CHECK_CODE(openai_uploads_upload_file_chunked(client, path, CREATE, "{\"part_size\":2000,\"parallel\":2}", on_progress,
                                                  &progress, &response),
               OPENAI_OK);
    CHECK_STR(openai_response_json_string(response, "/status"), "completed");
    CHECK_STR(openai_response_json_value(response, "/file/bytes"), "5000");
    CHECK_CONTAINS(openai_response_json_string(response, "/file/id"), "file-");
    CHECK(progress.reports > 0 && progress.done == 5000 && progress.total == 5000);
    openai_response_free(response);
    log = mock_take_requests();
    /* create, 3 parts and the one sent again, complete */
    CHECK(count_requests(log) == 6);
    CHECK_CONTAINS(log, "\"body\":\"{\\\"purpose\\\":\\\"batch\\\",\\\"mime_type\\\":\\\"text/jsonl\\\",\\\"bytes\\\":5000,");
    free(log);

    /* The second part is refused: the upload is cancelled and the part's failure returned. */
    mock_script("[{\"match\":{\"method\":\"POST\",\"path_prefix\":\"/v1/uploads/\"},\"body_json\":{\"id\":\"part_a\"}},"
                "{\"match\":{\"method\":\"POST\",\"path_prefix\":\"/v1/uploads/\"},\"status\":400,"
                "\"body_json\":{\"error\":{\"message\":\"Part refused\",\"type\":\"invalid_request_error\"}}}]");
    CHECK_CODE(openai_uploads_upload_file_chunked(client, path, CREATE, "{\"part_size\":2000,\"parallel\":1}", NULL, NULL,
                                                  &response),
               OPENAI_BAD_REQUEST);
    CHECK_STR(openai_response_error_message(response), "Error code: 400 - Part refused");
    openai_response_free(response);
    log = mock_take_requests();
    CHECK(count_requests(log) == 4); /* create, 2 parts, cancel */
    CHECK_CONTAINS(log, "/cancel\"");
    free(log);

    /* The async form, then a cancelled one: the parts stall, the future is cancelled at once and
     * the Upload cancelled in the background. */
    {
        openai_future *future = openai_uploads_upload_file_chunked_async(client, path, CREATE, NULL, NULL, NULL, NULL, NULL);
        CHECK_CODE(openai_future_wait(future, 20000), OPENAI_OK);
        CHECK_CODE(openai_future_take(future, &response), OPENAI_OK);
        CHECK_STR(openai_response_json_value(response, "/file/bytes"), "5000");
        openai_response_free(response);
        openai_future_free(future);
        free(mock_take_requests());

        mock_script("{\"match\":{\"method\":\"POST\",\"path_prefix\":\"/v1/uploads/\"},\"delay_ms\":60000,\"times\":3}");
        future = openai_uploads_upload_file_chunked_async(client, path, CREATE, "{\"part_size\":2000}", NULL, NULL, NULL, NULL);
        CHECK(wait_for_request("/parts"));
        openai_future_cancel(future);
        CHECK_CODE(openai_future_take(future, &response), OPENAI_CANCELLED);
        openai_response_free(response);
        openai_future_free(future);
        CHECK(wait_for_request("/cancel"));
        mock_control("DELETE", "/__mock/script", NULL);
    }

    /* Bad arguments send nothing. */
    CHECK_CODE(openai_uploads_upload_file_chunked(client, NULL, CREATE, NULL, NULL, NULL, &response), OPENAI_INVALID_ARGUMENT);
    CHECK_STR(openai_response_error_message(response), "path is NULL");
    openai_response_free(response);
    CHECK_CODE(openai_uploads_upload_file_chunked(client, path, "{\"purpose\":\"batch\"}", NULL, NULL, NULL, &response),
               OPENAI_INVALID_ARGUMENT);
    openai_response_free(response);
    CHECK_CODE(openai_uploads_upload_file_chunked(client, path, CREATE, NULL, NULL, NULL, NULL), OPENAI_INVALID_ARGUMENT);

    unlink(path);
    openai_client_free(client);
    return finish("test_chunked_upload");
}
