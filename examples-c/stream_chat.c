/* A chat completion streamed: tokens are printed as they arrive.
 *
 * The client reads OPENAI_API_KEY (and OPENAI_BASE_URL) from the environment.
 */
#include <stdio.h>

#include "openai.h"

int main(void) {
    openai_client *client = NULL;
    openai_stream *stream = NULL;
    openai_event *event = NULL;
    openai_code code;

    if (openai_client_new(NULL, &client) != OPENAI_OK) {
        fprintf(stderr, "cannot create the client: %s\n", openai_last_error());
        return 1;
    }

    /* "stream": true is added to the body; the call returns once the response has begun. */
    code = openai_chat_completions_create_stream(client,
        "{\"model\": \"gpt-4o-mini\","
        " \"messages\": [{\"role\": \"user\", \"content\": \"Write a haiku about C.\"}]}",
        &stream);
    if (code != OPENAI_OK) {
        fprintf(stderr, "the stream failed (%s): %s\n", openai_code_name(code), openai_stream_error_message(stream));
        openai_stream_free(stream);
        openai_client_free(client);
        return 1;
    }

    /* Each event is one chunk; its delta holds the next piece of the reply. */
    while ((code = openai_stream_next(stream, -1, &event)) == OPENAI_OK && event != NULL) {
        const char *piece = openai_event_json_string(event, "/choices/0/delta/content");
        if (piece) {
            fputs(piece, stdout);
            fflush(stdout);
        }
        openai_event_free(event);
    }
    putchar('\n');
    if (code != OPENAI_OK)
        fprintf(stderr, "the stream ended with %s: %s\n", openai_code_name(code), openai_stream_error_message(stream));

    openai_stream_free(stream); /* also closes the connection of a stream abandoned midway */
    openai_client_free(client);
    openai_shutdown(); /* optional: joins the library's threads (leak checkers then find nothing) */
    return code == OPENAI_OK ? 0 : 1;
}
