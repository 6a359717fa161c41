/* One chat completion: create a client, ask, print the reply and the request id, free all.
 *
 * The client reads OPENAI_API_KEY (and OPENAI_BASE_URL, when set) from the environment.
 * Build: cc chat.c -I../include -L../target/debug -lopenai -o chat
 */
#include <stdio.h>

#include "openai.h"

int main(void) {
    openai_client *client = NULL;
    openai_response *response = NULL;
    openai_code code;
    const char *reply;

    if (openai_client_new(NULL, &client) != OPENAI_OK) {
        fprintf(stderr, "cannot create the client: %s\n", openai_last_error());
        return 1;
    }

    code = openai_chat_completions_create(client,
        "{\"model\": \"gpt-4o-mini\","
        " \"messages\": [{\"role\": \"user\", \"content\": \"Say hello in five words.\"}]}",
        &response);

    if (code != OPENAI_OK) {
        /* The response says why: "Error code: 401 - Incorrect API key provided", or a
         * connection error. */
        fprintf(stderr, "chat completion failed (%s): %s\n", openai_code_name(code),
                openai_response_error_message(response));
        openai_response_free(response);
        openai_client_free(client);
        return 1;
    }

    /* A JSON Pointer into the body: no JSON library needed for the common case. */
    reply = openai_response_json_string(response, "/choices/0/message/content");
    printf("reply: %s\n", reply ? reply : "(none)");
    printf("request id: %s\n", openai_response_request_id(response));

    openai_response_free(response);
    openai_client_free(client);
    openai_shutdown(); /* optional: joins the library's threads (leak checkers then find nothing) */
    return 0;
}
