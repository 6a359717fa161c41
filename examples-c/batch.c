/* A batch of requests: their JSONL file uploaded, the batch created, then waited for until it
 * ends (the helper retrieves it as often as the server's openai-poll-after-ms says), and its
 * results printed, one line per request.
 *
 * Usage: batch [requests.jsonl]   (default: examples-c/data/batch_requests.jsonl, from the
 *   repository root)
 * The client reads OPENAI_API_KEY (and OPENAI_BASE_URL) from the environment.
 */
#include <stdio.h>

#include "openai.h"

/* Reports a failed call and says whether it failed. */
static int failed(openai_code code, openai_response *r, const char *what) {
    if (code == OPENAI_OK)
        return 0;
    fprintf(stderr, "%s failed (%s): %s\n", what, openai_code_name(code), openai_response_error_message(r));
    openai_response_free(r);
    return 1;
}

int main(int argc, char **argv) {
    const char *requests = argc > 1 ? argv[1] : "examples-c/data/batch_requests.jsonl";
    openai_client *client = NULL;
    openai_upload *upload = NULL;
    openai_response *r = NULL;
    openai_code code;
    char file_id[128], batch_id[128], output_id[128], body[512];

    if (openai_client_new(NULL, &client) != OPENAI_OK) {
        fprintf(stderr, "cannot create the client: %s\n", openai_last_error());
        return 1;
    }

    /* 1. The requests, one JSON object per line, as a file for the batch API. */
    upload = openai_upload_from_path(requests, NULL, NULL);
    if (!upload) {
        fprintf(stderr, "cannot read %s: %s\n", requests, openai_last_error());
        openai_client_free(client);
        return 1;
    }
    code = openai_files_create(client, "{\"purpose\": \"batch\"}", upload, &r);
    openai_upload_free(upload);
    if (failed(code, r, "the upload"))
        goto done;
    snprintf(file_id, sizeof file_id, "%s", openai_response_json_string(r, "/id"));
    openai_response_free(r);

    /* 2. The batch. */
    snprintf(body, sizeof body,
             "{\"input_file_id\": \"%s\", \"endpoint\": \"/v1/responses\", \"completion_window\": \"24h\"}", file_id);
    code = openai_batches_create(client, body, &r);
    if (failed(code, r, "creating the batch"))
        goto done;
    snprintf(batch_id, sizeof batch_id, "%s", openai_response_json_string(r, "/id"));
    printf("batch %s: %s\n", batch_id, openai_response_json_string(r, "/status"));
    openai_response_free(r);

    /* 3. Waiting until it ends (completed, failed, expired or cancelled). A real batch can take
     *    hours: a deadline (timeout_ms) gives back OPENAI_TIMEOUT with the batch as last seen. */
    code = openai_batches_poll(client, batch_id, "{\"timeout_ms\": 86400000}", &r);
    if (failed(code, r, "waiting for the batch"))
        goto done;
    printf("batch %s: %s, %s of %s requests completed\n", batch_id, openai_response_json_string(r, "/status"),
           openai_response_json_value(r, "/request_counts/completed"), openai_response_json_value(r, "/request_counts/total"));
    if (!openai_response_json_string(r, "/output_file_id")) {
        fprintf(stderr, "the batch has no results\n");
        openai_response_free(r);
        code = OPENAI_INVALID_RESPONSE;
        goto done;
    }
    snprintf(output_id, sizeof output_id, "%s", openai_response_json_string(r, "/output_file_id"));
    openai_response_free(r);

    /* 4. The results: one JSON line per request, with its custom_id (a large file would rather go
     *    to disk as it downloads, with openai_files_content_to_file). */
    code = openai_files_content(client, output_id, &r);
    if (failed(code, r, "downloading the results"))
        goto done;
    printf("results (%zu bytes):\n%s", openai_response_body_len(r), openai_response_body(r, NULL));
    openai_response_free(r);

done:
    openai_client_free(client);
    openai_shutdown(); /* optional: joins the library's threads (leak checkers then find nothing) */
    return code == OPENAI_OK ? 0 : 1;
}
