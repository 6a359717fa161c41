/* File search over your own documents: a file sent through the Uploads API in parts (a helper
 * that streams each part from disk, several at a time, with progress), a vector store made of
 * it (waiting until the file is processed), then a search of the store.
 *
 * Usage: vector_store_search [path [query]]
 *   (default: examples-c/data/returns_policy.md, from the repository root)
 * The client reads OPENAI_API_KEY (and OPENAI_BASE_URL) from the environment.
 */
#include <inttypes.h>
#include <stdio.h>

#include "openai.h"

static void show_progress(uint64_t sent, uint64_t total, void *userdata) {
    (void)userdata;
    fprintf(stderr, "\rsent %" PRIu64 " of %" PRIu64 " bytes", sent, total);
    if (sent == total)
        fputc('\n', stderr);
}

/* Reports a failed call and says whether it failed. */
static int failed(openai_code code, openai_response *r, const char *what) {
    if (code == OPENAI_OK)
        return 0;
    fprintf(stderr, "%s failed (%s): %s\n", what, openai_code_name(code), openai_response_error_message(r));
    openai_response_free(r);
    return 1;
}

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "examples-c/data/returns_policy.md";
    const char *query = argc > 2 ? argv[2] : "How long do refunds take?";
    openai_client *client = NULL;
    openai_response *r = NULL;
    openai_code code;
    char file_id[128], store_id[128], body[512];

    if (openai_client_new(NULL, &client) != OPENAI_OK) {
        fprintf(stderr, "cannot create the client: %s\n", openai_last_error());
        return 1;
    }

    /* 1. The file, in parts of at most 64 MiB (one part here; a large file goes in several, four
     *    at a time), each read from disk as it is sent. The response is the completed Upload; its
     *    file is ready to use. */
    code = openai_uploads_upload_file_chunked(client, path,
        "{\"purpose\": \"assistants\", \"mime_type\": \"text/markdown\"}", NULL, show_progress, NULL, &r);
    if (failed(code, r, "the upload"))
        goto done;
    snprintf(file_id, sizeof file_id, "%s", openai_response_json_string(r, "/file/id"));
    printf("uploaded %s as %s\n", openai_response_json_string(r, "/file/filename"), file_id);
    openai_response_free(r);

    /* 2. A vector store, and the file added to it: create_and_poll waits until the file is
     *    processed (as often as the server's openai-poll-after-ms says, at most two minutes). */
    code = openai_vector_stores_create(client, "{\"name\": \"Support documents\"}", &r);
    if (failed(code, r, "creating the vector store"))
        goto done;
    snprintf(store_id, sizeof store_id, "%s", openai_response_json_string(r, "/id"));
    openai_response_free(r);
    snprintf(body, sizeof body, "{\"file_id\": \"%s\"}", file_id);
    code = openai_vector_stores_files_create_and_poll(client, store_id, body, "{\"timeout_ms\": 120000}", &r);
    if (failed(code, r, "processing the file"))
        goto done;
    printf("file %s in %s: %s\n", file_id, store_id, openai_response_json_string(r, "/status"));
    openai_response_free(r);

    /* 3. The search: the best chunks with their files and scores. */
    snprintf(body, sizeof body, "{\"query\": \"%s\", \"max_num_results\": 3}", query);
    code = openai_vector_stores_search(client, store_id, body, &r);
    if (failed(code, r, "the search"))
        goto done;
    printf("search: %s\n", query);
    for (int i = 0; i < 3; i++) {
        char pointer[64];
        const char *filename, *score, *text;
        snprintf(pointer, sizeof pointer, "/data/%d/filename", i);
        if ((filename = openai_response_json_string(r, pointer)) == NULL)
            break;
        snprintf(pointer, sizeof pointer, "/data/%d/score", i);
        score = openai_response_json_value(r, pointer);
        snprintf(pointer, sizeof pointer, "/data/%d/content/0/text", i);
        text = openai_response_json_string(r, pointer);
        printf("  %s (score %s): %s\n", filename, score ? score : "?", text ? text : "");
    }
    openai_response_free(r);

done:
    openai_client_free(client);
    openai_shutdown(); /* optional: joins the library's threads (leak checkers then find nothing) */
    return code == OPENAI_OK ? 0 : 1;
}
