/* Memory stays bounded when the consumer is slow: 1 GiB of chat chunks (16,384 chunks of
 * 64 KiB) read by a consumer that pauses regularly, while the process's peak resident size
 * stays under 64 MiB. The stream's queue is bounded (4 MiB), so the reader stops reading and TCP
 * holds the server back.
 *
 * modes: plain (under the sanitizers and valgrind, RSS means something else and 1 GiB takes too long) */
#define _POSIX_C_SOURCE 200809L
#include <time.h>

#include "harness.h"

int main(void) {
    enum { CHUNKS = 16384, CHUNK_BYTES = 65536 };
    const long bound_kib = 64 * 1024;
    openai_client *client = test_client("");
    openai_stream *stream = NULL;
    openai_event *event = NULL;
    char body[256];
    long long content = 0;
    int events = 0;
    struct timespec pause = {0, 2000000}; /* 2 ms every 64 events: a consumer slower than the server */

    mock_control("POST", "/__mock/config", "{\"log\":false}");
    snprintf(body, sizeof body,
             "{\"model\":\"m\",\"messages\":[],\"mock_chunks\":%d,\"mock_chunk_bytes\":%d}", CHUNKS, CHUNK_BYTES);
    CHECK_CODE(openai_chat_completions_create_stream(client, body, &stream), OPENAI_OK);
    while (openai_stream_next(stream, 30000, &event) == OPENAI_OK && event) {
        const char *piece = openai_event_json_string(event, "/choices/0/delta/content");
        if (piece)
            content += (long long)strlen(piece);
        openai_event_free(event);
        if (++events % 64 == 0)
            nanosleep(&pause, NULL);
    }
    CHECK_CODE(openai_stream_code(stream), OPENAI_OK);
    CHECK(content == (long long)CHUNKS * CHUNK_BYTES);
    printf("streamed %lld bytes of content in %d events; peak RSS %ld KiB (bound %ld KiB)\n", content, events,
           peak_rss_kib(), bound_kib);
    CHECK(peak_rss_kib() > 0 && peak_rss_kib() < bound_kib);
    openai_stream_free(stream);
    openai_client_free(client);
    return finish("test_stream_memory");
}
