/* Memory stays bounded when the consumer of a Realtime session is slow: 64 MiB of audio deltas
 * (1,024 deltas of 64 KiB of PCM, 87 MiB of JSON on the wire) read by a consumer that pauses
 * regularly and decodes each delta, while the process's peak resident size stays under 40 MiB.
 * The session's queue is bounded (256 events, 4 MiB), so the session stops reading and TCP holds
 * the server back.
 *
 * modes: plain (under the sanitizers and valgrind, RSS means something else and 64 MiB take too long) */
#define _POSIX_C_SOURCE 200809L
#include <time.h>

#include "harness.h"

int main(void) {
    enum { DELTAS = 1024, DELTA_BYTES = 65536 };
    const long bound_kib = 40 * 1024;
    openai_client *client = test_client("");
    openai_realtime *session = NULL;
    openai_event *event = NULL;
    char query[256];
    long long audio = 0, bad = 0;
    int events = 0;
    struct timespec pause = {0, 2000000}; /* 2 ms every 16 events: a consumer slower than the server */

    mock_control("POST", "/__mock/config", "{\"log\":false}");
    snprintf(query, sizeof query,
             "{\"model\":\"gpt-realtime\",\"mock_audio_bytes\":\"%d\",\"mock_audio_chunk_bytes\":\"%d\"}",
             DELTAS * DELTA_BYTES, DELTA_BYTES);
    CHECK_CODE(openai_realtime_connect(client, query, &session), OPENAI_OK);
    CHECK_CODE(openai_realtime_send(session, "{\"type\":\"response.create\"}"), OPENAI_OK);
    while (openai_realtime_next(session, 30000, &event) == OPENAI_OK && event) {
        size_t len = 0;
        const unsigned char *pcm = openai_event_audio(event, &len);
        for (size_t i = 0; pcm && i < len; i++, audio++)
            bad += pcm[i] != (unsigned char)((audio * 31 + 7) % 256);
        int done = strcmp(openai_event_name(event), "response.done") == 0;
        openai_event_free(event);
        if (++events % 16 == 0)
            nanosleep(&pause, NULL);
        if (done)
            break;
    }
    CHECK(audio == (long long)DELTAS * DELTA_BYTES);
    CHECK(bad == 0);
    long peak = peak_rss_kib();
    printf("%lld bytes of audio in %d events, peak RSS %ld KiB\n", audio, events, peak);
    CHECK(peak < 0 || peak < bound_kib);
    openai_realtime_free(session);
    openai_client_free(client);
    return finish("test_realtime_memory");
}
