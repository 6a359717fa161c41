/* An assistants workflow: create an assistant and a thread, add a message, start a run and wait
 * until it is done, then list the thread's messages; clean up.
 *
 * The client reads OPENAI_API_KEY (and OPENAI_BASE_URL) from the environment.
 */
#include <stdio.h>
#include <string.h>

#include "openai.h"

/* Keeps a copy of a string field of a response (ids outlive their responses). */
static void copy_field(char *dst, size_t size, const openai_response *r, const char *pointer) {
    const char *value = openai_response_json_string(r, pointer);
    snprintf(dst, size, "%s", value ? value : "");
}

/* Reports a failed call and says whether it failed. */
static int failed(openai_code code, openai_response *r, const char *what) {
    if (code == OPENAI_OK)
        return 0;
    fprintf(stderr, "%s failed (%s): %s\n", what, openai_code_name(code), openai_response_error_message(r));
    openai_response_free(r);
    return 1;
}

int main(void) {
    openai_client *client = NULL;
    openai_response *r = NULL;
    char assistant[128], thread[128], run[128], status[64] = "";

    if (openai_client_new(NULL, &client) != OPENAI_OK) {
        fprintf(stderr, "cannot create the client: %s\n", openai_last_error());
        return 1;
    }

    if (failed(openai_beta_assistants_create(client,
            "{\"model\": \"gpt-4o-mini\", \"name\": \"Math Tutor\","
            " \"instructions\": \"You are a personal math tutor. Answer briefly.\"}", &r), r, "assistant"))
        goto out;
    copy_field(assistant, sizeof assistant, r, "/id");
    openai_response_free(r);

    if (failed(openai_beta_threads_create(client, NULL, &r), r, "thread"))
        goto out;
    copy_field(thread, sizeof thread, r, "/id");
    openai_response_free(r);

    if (failed(openai_beta_threads_messages_create(client, thread,
            "{\"role\": \"user\", \"content\": \"What is 3x + 11 = 14 solved for x?\"}", &r), r, "message"))
        goto out;
    openai_response_free(r);

    /* Start a run and wait until it leaves queued / in_progress: the helper retrieves it as
     * often as the server's openai-poll-after-ms says (at most two minutes here). */
    {
        char body[256];
        snprintf(body, sizeof body, "{\"assistant_id\": \"%s\"}", assistant);
        if (failed(openai_beta_threads_runs_create_and_poll(client, thread, body, "{\"timeout_ms\": 120000}", &r), r, "run"))
            goto out;
    }
    copy_field(run, sizeof run, r, "/id");
    copy_field(status, sizeof status, r, "/status");
    openai_response_free(r);
    printf("assistant %s, thread %s, run %s: %s\n", assistant, thread, run, status);

    if (failed(openai_beta_threads_messages_list(client, thread, "{\"order\": \"asc\"}", &r), r, "messages"))
        goto out;
    {
        char pointer[64];
        int i;
        for (i = 0;; i++) {
            const char *role, *text;
            snprintf(pointer, sizeof pointer, "/data/%d/role", i);
            role = openai_response_json_string(r, pointer);
            if (!role)
                break;
            snprintf(pointer, sizeof pointer, "/data/%d/content/0/text/value", i);
            text = openai_response_json_string(r, pointer);
            printf("%s: %s\n", role, text ? text : "(no text)");
        }
    }
    openai_response_free(r);

    /* Clean up what this example created. */
    if (!failed(openai_beta_threads_delete(client, thread, &r), r, "delete thread"))
        openai_response_free(r);
    if (!failed(openai_beta_assistants_delete(client, assistant, &r), r, "delete assistant"))
        openai_response_free(r);
out:
    openai_client_free(client);
    openai_shutdown(); /* optional: joins the library's threads (leak checkers then find nothing) */
    return strcmp(status, "completed") == 0 ? 0 : 1;
}
