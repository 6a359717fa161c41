/* Text to speech, written to a file as it downloads, with a progress line.
 *
 * Usage: speech [output path]   (default: speech.mp3 in the temporary directory)
 * The client reads OPENAI_API_KEY (and OPENAI_BASE_URL) from the environment.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "openai.h"

static void show_progress(uint64_t received, uint64_t total, void *userdata) {
    (void)userdata;
    if (total)
        fprintf(stderr, "\rreceived %" PRIu64 " of %" PRIu64 " bytes", received, total);
}

int main(int argc, char **argv) {
    char default_path[512];
    const char *path = argv[1];
    openai_client *client = NULL;
    openai_response *response = NULL;
    openai_code code;

    if (argc < 2) {
        const char *tmp = getenv("TMPDIR");
        snprintf(default_path, sizeof default_path, "%s/speech.mp3", tmp && *tmp ? tmp : "/tmp");
        path = default_path;
    }
    if (openai_client_new(NULL, &client) != OPENAI_OK) {
        fprintf(stderr, "cannot create the client: %s\n", openai_last_error());
        return 1;
    }
    /* The audio streams to `path` (through path.part, renamed once complete). */
    code = openai_audio_speech_create_to_file(client,
        "{\"model\": \"tts-1\", \"voice\": \"alloy\", \"input\": \"Hello from libopenai.\"}",
        path, show_progress, NULL, &response);
    fputc('\n', stderr);
    if (code == OPENAI_OK)
        printf("wrote %s (%s)\n", path, openai_response_header(response, "content-type"));
    else
        fprintf(stderr, "speech failed (%s): %s\n", openai_code_name(code), openai_response_error_message(response));
    openai_response_free(response);
    openai_client_free(client);
    openai_shutdown(); /* optional: joins the library's threads (leak checkers then find nothing) */
    return code == OPENAI_OK ? 0 : 1;
}
