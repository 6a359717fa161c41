/* Speech in, speech out over the Realtime API: sends a WAV file's audio (16-bit PCM, resampled
 * to the API's 24 kHz mono), asks for a spoken response, and writes the audio of the reply to a
 * WAV file as it arrives, printing its transcript. The library does the base64 both ways.
 *
 * Usage: realtime_audio [input.wav] [reply.wav]
 *        (defaults: examples-c/data/hello.wav from the repository root, reply.wav in the
 *        temporary directory)
 * The client reads OPENAI_API_KEY (and OPENAI_BASE_URL) from the environment.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openai.h"

enum { RATE = 24000 };

static uint32_t le32(const unsigned char *p) { return p[0] | p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint16_t le16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }

/* Reads a PCM16 WAV file as 24 kHz mono samples (mixed down, linearly resampled). */
static int16_t *read_wav(const char *path, size_t *count) {
    FILE *f = fopen(path, "rb");
    unsigned char head[12], chunk[8], fmt[16];
    unsigned channels = 0, rate = 0, bits = 0;
    int16_t *samples = NULL, *out = NULL;
    size_t frames = 0;
    if (!f || fread(head, 1, 12, f) != 12 || memcmp(head, "RIFF", 4) || memcmp(head + 8, "WAVE", 4))
        goto done;
    while (fread(chunk, 1, 8, f) == 8) {
        uint32_t size = le32(chunk + 4);
        if (!memcmp(chunk, "fmt ", 4) && size >= 16) {
            if (fread(fmt, 1, 16, f) != 16 || le16(fmt) != 1)
                goto done; /* not PCM */
            channels = le16(fmt + 2), rate = le32(fmt + 4), bits = le16(fmt + 14);
            fseek(f, (long)(size - 16 + (size & 1)), SEEK_CUR);
        } else if (!memcmp(chunk, "data", 4) && channels && bits == 16) {
            unsigned char *raw = malloc(size ? size : 1);
            frames = fread(raw, 1, size, f) / (2 * channels);
            samples = malloc((frames ? frames : 1) * sizeof *samples);
            for (size_t i = 0; i < frames; i++) {
                long sum = 0;
                for (unsigned c = 0; c < channels; c++)
                    sum += (int16_t)le16(raw + 2 * (i * channels + c));
                samples[i] = (int16_t)(sum / (long)channels);
            }
            free(raw);
            break;
        } else {
            fseek(f, (long)(size + (size & 1)), SEEK_CUR);
        }
    }
    if (!samples || !rate)
        goto done;
    *count = (size_t)((double)frames * RATE / rate);
    out = malloc((*count ? *count : 1) * sizeof *out);
    for (size_t i = 0; i < *count; i++) {
        double at = (double)i * rate / RATE;
        size_t j = (size_t)at;
        double t = at - (double)j;
        int16_t a = samples[j], b = j + 1 < frames ? samples[j + 1] : a;
        out[i] = (int16_t)(a + (b - a) * t);
    }
done:
    free(samples);
    if (f)
        fclose(f);
    return out;
}

/* A WAV header for `bytes` bytes of 24 kHz mono PCM16. */
static void wav_header(unsigned char h[44], uint32_t bytes) {
    const uint32_t fields[] = {36 + bytes, 16, 1 | 1 << 16, RATE, RATE * 2, 2 | 16 << 16, bytes};
    memcpy(h, "RIFF", 4), memcpy(h + 8, "WAVEfmt ", 8), memcpy(h + 36, "data", 4);
    const int at[] = {4, 16, 20, 24, 28, 32, 40};
    for (int i = 0; i < 7; i++)
        for (int b = 0; b < 4; b++)
            h[at[i] + b] = (unsigned char)(fields[i] >> (8 * b));
}

int main(int argc, char **argv) {
    const char *input = argc > 1 ? argv[1] : "examples-c/data/hello.wav";
    char default_output[512];
    const char *output = argv[2];
    openai_client *client = NULL;
    openai_realtime *session = NULL;
    openai_event *event = NULL;
    unsigned char header[44] = {0};
    size_t count = 0, written = 0;
    int ok = 0;

    if (argc < 3) {
        const char *tmp = getenv("TMPDIR");
        snprintf(default_output, sizeof default_output, "%s/reply.wav", tmp && *tmp ? tmp : "/tmp");
        output = default_output;
    }
    int16_t *pcm = read_wav(input, &count);
    if (!pcm) {
        fprintf(stderr, "%s is not a 16-bit PCM WAV file\n", input);
        return 1;
    }
    FILE *out = fopen(output, "wb");
    if (!out || openai_client_new(NULL, &client) != OPENAI_OK) {
        fprintf(stderr, "cannot write %s or create the client: %s\n", output, openai_last_error());
        free(pcm);
        return 1;
    }
    fwrite(header, 1, sizeof header, out); /* filled in at the end */
    openai_code code = openai_realtime_connect(client, "{\"model\": \"gpt-realtime\"}", &session);
    if (code == OPENAI_OK) {
        /* Speech out; no voice activity detection: this program says when the input ends. */
        openai_realtime_send(session,
            "{\"type\": \"session.update\", \"session\": {\"type\": \"realtime\", \"output_modalities\": [\"audio\"],"
            " \"audio\": {\"input\": {\"turn_detection\": null}}}}");
        /* Raw samples in: the library splits them into input_audio_buffer.append events. The
         * samples are little-endian, as on every machine this example targets. */
        code = openai_realtime_append_audio(session, pcm, count * sizeof *pcm);
        openai_realtime_send(session, "{\"type\": \"input_audio_buffer.commit\"}");
        openai_realtime_send(session, "{\"type\": \"response.create\"}");
        printf("sent %.2f s of audio\n", (double)count / RATE);
    }
    free(pcm);
    while (code == OPENAI_OK && (code = openai_realtime_next(session, 60000, &event)) == OPENAI_OK && event) {
        const char *type = openai_event_name(event);
        size_t len = 0;
        const void *audio = openai_event_audio(event, &len); /* decoded PCM of an audio delta */
        if (audio)
            written += fwrite(audio, 1, len, out);
        else if (strcmp(type, "response.output_audio_transcript.delta") == 0)
            fputs(openai_event_json_string(event, "/delta"), stdout);
        else if (strcmp(type, "error") == 0)
            fprintf(stderr, "error event: %s\n", openai_event_json_string(event, "/error/message"));
        ok = strcmp(type, "response.done") == 0;
        openai_event_free(event);
        if (ok)
            break;
    }
    if (!ok)
        fprintf(stderr, "the session ended (%s): %s\n", openai_code_name(code), openai_realtime_error_message(session));
    wav_header(header, (uint32_t)written);
    fseek(out, 0, SEEK_SET);
    fwrite(header, 1, sizeof header, out);
    fclose(out);
    printf("\nwrote %s: %.2f s of audio\n", output, (double)written / (2 * RATE));
    openai_realtime_close(session, 0, NULL);
    while (openai_realtime_next(session, 5000, &event) == OPENAI_OK && event)
        openai_event_free(event);
    openai_realtime_free(session);
    openai_client_free(client);
    openai_shutdown(); /* optional: joins the library's threads (leak checkers then find nothing) */
    return ok ? 0 : 1;
}
