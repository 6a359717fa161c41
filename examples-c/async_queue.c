/* 100 chat completions in flight at once, all completing through one descriptor watched by
 * poll(2): the pattern for an event loop (epoll, libuv, GLib, asyncio) with no thread of its own.
 *
 * The client reads OPENAI_API_KEY (and OPENAI_BASE_URL) from the environment.
 */
#define _POSIX_C_SOURCE 200809L
#include <poll.h>
#include <stdint.h>
#include <stdio.h>

#include "openai.h"

enum { CALLS = 100 };

int main(void) {
    openai_client *client = NULL;
    openai_queue *queue = NULL;
    struct pollfd pfd;
    int i, succeeded = 0, failed = 0;
    char body[256];

    if (openai_client_new(NULL, &client) != OPENAI_OK) {
        fprintf(stderr, "cannot create the client: %s\n", openai_last_error());
        return 1;
    }
    queue = openai_queue_new();

    /* Start every call; none blocks. The future's userdata tags it with its index. */
    for (i = 0; i < CALLS; i++) {
        snprintf(body, sizeof body,
                 "{\"model\": \"gpt-4o-mini\", \"max_tokens\": 16,"
                 " \"messages\": [{\"role\": \"user\", \"content\": \"Give me fact number %d.\"}]}",
                 i);
        openai_queue_add(queue, openai_chat_completions_create_async(client, body, NULL, (void *)(intptr_t)i));
    }

    /* One descriptor for all of them. */
    pfd.fd = openai_queue_fd(queue);
    pfd.events = POLLIN;
    while (openai_queue_len(queue) > 0) {
        openai_future *future = NULL;
        if (poll(&pfd, 1, -1) < 0)
            break;
        /* Drain everything that completed. */
        while (openai_queue_next(queue, 0, &future) == OPENAI_OK) {
            openai_response *response = NULL;
            int index = (int)(intptr_t)openai_future_userdata(future);
            if (openai_future_take(future, &response) == OPENAI_OK) {
                const char *reply = openai_response_json_string(response, "/choices/0/message/content");
                if (succeeded < 3)
                    printf("call %d: %s\n", index, reply ? reply : "(no content)");
                succeeded++;
            } else {
                fprintf(stderr, "call %d failed: %s\n", index, openai_response_error_message(response));
                failed++;
            }
            openai_response_free(response);
            openai_future_free(future);
        }
    }
    printf("%d of %d calls succeeded, %d failed\n", succeeded, CALLS, failed);

    openai_queue_free(queue);
    openai_client_free(client);
    openai_shutdown(); /* optional: joins the library's threads (leak checkers then find nothing) */
    return failed == 0 && succeeded == CALLS ? 0 : 1;
}
