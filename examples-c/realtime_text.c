/* A text conversation turn over the Realtime API: one user message, the reply printed as it
 * streams in, then a proper close.
 *
 * Usage: realtime_text [message]   (default: "Hello!")
 * The client reads OPENAI_API_KEY (and OPENAI_BASE_URL) from the environment.
 */
#include <stdio.h>
#include <string.h>

#include "openai.h"

int main(int argc, char **argv) {
    const char *message = argc > 1 ? argv[1] : "Hello!";
    openai_client *client = NULL;
    openai_realtime *session = NULL;
    openai_event *event = NULL;
    char item[1024];
    int ok = 0;

    if (openai_client_new(NULL, &client) != OPENAI_OK) {
        fprintf(stderr, "cannot create the client: %s\n", openai_last_error());
        return 1;
    }
    /* Blocks until the WebSocket is open (or says why it is not). */
    openai_code code = openai_realtime_connect(client, "{\"model\": \"gpt-realtime\"}", &session);
    if (code != OPENAI_OK) {
        fprintf(stderr, "connect failed (%s): %s\n", openai_code_name(code), openai_realtime_error_message(session));
        openai_realtime_free(session);
        openai_client_free(client);
        return 1;
    }
    /* Text out instead of speech, one user message, then ask for a response. A real program
     * builds this JSON with its JSON library; the message here must not need escaping. */
    openai_realtime_send(session, "{\"type\": \"session.update\", \"session\": {\"type\": \"realtime\", \"output_modalities\": [\"text\"]}}");
    snprintf(item, sizeof item,
             "{\"type\": \"conversation.item.create\", \"item\": {\"type\": \"message\", \"role\": \"user\","
             " \"content\": [{\"type\": \"input_text\", \"text\": \"%s\"}]}}",
             message);
    openai_realtime_send(session, item);
    openai_realtime_send(session, "{\"type\": \"response.create\"}");

    while ((code = openai_realtime_next(session, 60000, &event)) == OPENAI_OK && event) {
        const char *type = openai_event_name(event);
        if (strcmp(type, "response.output_text.delta") == 0) {
            fputs(openai_event_json_string(event, "/delta"), stdout);
            fflush(stdout);
        } else if (strcmp(type, "error") == 0) {
            fprintf(stderr, "error event: %s\n", openai_event_json_string(event, "/error/message"));
        } else if (strcmp(type, "response.done") == 0) {
            ok = 1;
            printf("\n(response %s, status %s)\n", openai_event_json_string(event, "/response/id"),
                   openai_event_json_string(event, "/response/status"));
        }
        openai_event_free(event);
        if (ok)
            break;
    }
    if (!ok)
        fprintf(stderr, "the session ended (%s): %s\n", openai_code_name(code), openai_realtime_error_message(session));
    /* A close frame; the session ends when the server answers. */
    openai_realtime_close(session, 0, NULL);
    while (openai_realtime_next(session, 5000, &event) == OPENAI_OK && event)
        openai_event_free(event);
    printf("closed with code %d\n", openai_realtime_close_code(session));
    openai_realtime_free(session);
    openai_client_free(client);
    openai_shutdown(); /* optional: joins the library's threads (leak checkers then find nothing) */
    return ok ? 0 : 1;
}
