/* Uploads a file for fine-tuning, streamed from disk with a progress callback, then lists the
 * organisation's files and reads back the uploaded file's content.
 *
 * Usage: upload_file [path]   (default: examples-c/data/train.jsonl, from the repository root)
 * The client reads OPENAI_API_KEY (and OPENAI_BASE_URL) from the environment.
 */
#include <inttypes.h>
#include <stdio.h>

#include "openai.h"

static void show_progress(uint64_t sent, uint64_t total, void *userdata) {
    (void)userdata;
    fprintf(stderr, "\ruploaded %" PRIu64 " of %" PRIu64 " bytes", sent, total);
    if (sent == total)
        fputc('\n', stderr);
}

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "examples-c/data/train.jsonl";
    openai_client *client = NULL;
    openai_upload *upload = NULL;
    openai_response *response = NULL;
    openai_code code;
    char file_id[128];

    if (openai_client_new(NULL, &client) != OPENAI_OK) {
        fprintf(stderr, "cannot create the client: %s\n", openai_last_error());
        return 1;
    }
    /* NULL, NULL: the server sees the file's own name; the type is guessed from it. */
    upload = openai_upload_from_path(path, NULL, NULL);
    if (!upload) {
        fprintf(stderr, "cannot upload %s: %s\n", path, openai_last_error());
        openai_client_free(client);
        return 1;
    }
    openai_upload_set_progress(upload, show_progress, NULL);

    code = openai_files_upload(client, "{\"purpose\": \"fine-tune\"}", upload, &response);
    openai_upload_free(upload); /* the call is done with it */
    if (code != OPENAI_OK) {
        fprintf(stderr, "upload failed (%s): %s\n", openai_code_name(code), openai_response_error_message(response));
        openai_response_free(response);
        openai_client_free(client);
        return 1;
    }
    snprintf(file_id, sizeof file_id, "%s", openai_response_json_string(response, "/id"));
    printf("uploaded %s as %s (%s bytes)\n", openai_response_json_string(response, "/filename"), file_id,
           openai_response_json_value(response, "/bytes"));
    openai_response_free(response);

    code = openai_files_retrieve_content(client, file_id, &response);
    if (code == OPENAI_OK) {
        size_t len = 0;
        openai_response_body(response, &len);
        printf("its content: %zu bytes\n", len);
    } else {
        /* The real API refuses to return the content of fine-tune files: that is expected. */
        printf("its content is not downloadable: %s\n", openai_response_error_message(response));
    }
    openai_response_free(response);
    openai_client_free(client);
    openai_shutdown(); /* optional: joins the library's threads (leak checkers then find nothing) */
    return 0;
}
