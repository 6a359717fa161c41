/* A Responses stream: the reply is printed as its response.output_text.delta events arrive;
 * the other events (response.created, response.in_progress, ..., response.completed) are named
 * on stderr, and the finished response's usage comes with response.completed.
 *
 * The client reads OPENAI_API_KEY (and OPENAI_BASE_URL) from the environment.
 */
#include <stdio.h>
#include <string.h>

#include "openai.h"

int main(void) {
    openai_client *client = NULL;
    openai_stream *stream = NULL;
    openai_event *event = NULL;
    openai_code code;
    int deltas = 0;

    if (openai_client_new(NULL, &client) != OPENAI_OK) {
        fprintf(stderr, "cannot create the client: %s\n", openai_last_error());
        return 1;
    }

    /* "stream": true is added to the body; the call returns once the response has begun. */
    code = openai_responses_create_stream(client,
        "{\"model\": \"gpt-4o-mini\", \"input\": \"Write a haiku about C.\"}", &stream);
    if (code != OPENAI_OK) {
        fprintf(stderr, "the stream failed (%s): %s\n", openai_code_name(code), openai_stream_error_message(stream));
        openai_stream_free(stream);
        openai_client_free(client);
        return 1;
    }

    /* Each event has its name (the event: field) and its data, a JSON object. */
    while ((code = openai_stream_next(stream, -1, &event)) == OPENAI_OK && event != NULL) {
        const char *name = openai_event_name(event);
        if (strcmp(name, "response.output_text.delta") == 0) {
            fputs(openai_event_json_string(event, "/delta"), stdout);
            fflush(stdout);
            deltas++;
        } else if (strcmp(name, "response.completed") == 0) {
            const char *tokens = openai_event_json_value(event, "/response/usage/total_tokens");
            fprintf(stderr, "\n[%s: %s tokens]\n", name, tokens ? tokens : "?");
        } else {
            fprintf(stderr, "[%s]", name);
        }
        openai_event_free(event);
    }
    putchar('\n');
    if (code != OPENAI_OK)
        fprintf(stderr, "the stream ended with %s: %s\n", openai_code_name(code), openai_stream_error_message(stream));

    openai_stream_free(stream);
    openai_client_free(client);
    openai_shutdown(); /* optional: joins the library's threads (leak checkers then find nothing) */
    return code == OPENAI_OK && deltas > 0 ? 0 : 1;
}
