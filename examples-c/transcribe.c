/* Transcribes an audio file to text, then as SRT subtitles from the same upload handle.
 *
 * Usage: transcribe [audio file]   (default: examples-c/data/hello.wav, from the repository root)
 * The client reads OPENAI_API_KEY (and OPENAI_BASE_URL) from the environment.
 */
#include <stdio.h>

#include "openai.h"

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "examples-c/data/hello.wav";
    openai_client *client = NULL;
    openai_upload *audio = NULL;
    openai_response *response = NULL;
    openai_code code;
    int status = 0;

    if (openai_client_new(NULL, &client) != OPENAI_OK) {
        fprintf(stderr, "cannot create the client: %s\n", openai_last_error());
        return 1;
    }
    audio = openai_upload_from_path(path, NULL, NULL); /* audio/wav, from the extension */
    if (!audio) {
        fprintf(stderr, "cannot read %s: %s\n", path, openai_last_error());
        openai_client_free(client);
        return 1;
    }

    /* The JSON format: the text is a field of the response. */
    code = openai_audio_transcriptions_create(client, "{\"model\": \"whisper-1\", \"temperature\": 0}", audio, &response);
    if (code == OPENAI_OK)
        printf("text: %s\n", openai_response_json_string(response, "/text"));
    else {
        fprintf(stderr, "transcription failed: %s\n", openai_response_error_message(response));
        status = 1;
    }
    openai_response_free(response);

    /* The srt format: the body is the subtitles themselves. */
    code = openai_audio_transcriptions_create(client, "{\"model\": \"whisper-1\", \"response_format\": \"srt\"}", audio, &response);
    if (code == OPENAI_OK)
        printf("subtitles:\n%s", openai_response_body(response, NULL));
    else {
        fprintf(stderr, "transcription failed: %s\n", openai_response_error_message(response));
        status = 1;
    }
    openai_response_free(response);

    openai_upload_free(audio);
    openai_client_free(client);
    openai_shutdown(); /* optional: joins the library's threads (leak checkers then find nothing) */
    return status;
}
