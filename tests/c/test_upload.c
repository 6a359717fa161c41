/* Uploads and binary bodies from C: files.upload from a path and from memory, images.edit with
 * an optional mask, a transcription in a text format, progress, a missing file, speech and file
 * content byte for byte, in memory and written to a file, blocking and async. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <unistd.h>

#include "harness.h"

static uint64_t last_done, last_total;
static int progress_calls;

static void on_progress(uint64_t done, uint64_t total, void *userdata) {
    (void)userdata;
    last_done = done;
    last_total = total;
    progress_calls++;
}

static void upload_from_path(openai_client *client) {
    char path[] = "/tmp/openai-upload-XXXXXX";
    int fd = mkstemp(path);
    char buffer[4096];
    openai_upload *upload;
    openai_response *response = NULL;
    char *log;
    int i;
    for (i = 0; i < (int)sizeof buffer; i++)
        buffer[i] = (char)('a' + i % 26);
    for (i = 0; i < 50; i++) /* 200 KiB */
        CHECK(write(fd, buffer, sizeof buffer) == (ssize_t)sizeof buffer);
    close(fd);

    upload = openai_upload_from_path(path, "train.jsonl", NULL);
    CHECK(upload != NULL);
    CHECK_CODE(openai_upload_set_progress(upload, on_progress, NULL), OPENAI_OK);
    CHECK_CODE(openai_files_upload(client, "{\"purpose\":\"fine-tune\"}", upload, &response), OPENAI_OK);
    CHECK_STR(openai_response_json_string(response, "/filename"), "train.jsonl");
    CHECK_STR(openai_response_json_value(response, "/bytes"), "204800");
    CHECK(last_done == 204800 && last_total == 204800 && progress_calls >= 2);
    openai_response_free(response);
    openai_upload_free(upload);
    unlink(path);

    log = mock_take_requests();
    CHECK_CONTAINS(log, "\"name\":\"purpose\"");
    CHECK_CONTAINS(log, "\"value\":\"fine-tune\"");
    CHECK_CONTAINS(log, "\"name\":\"file\",\"filename\":\"train.jsonl\",\"content_type\":\"application/octet-stream\",\"len\":204800");
    CHECK_CONTAINS(log, "multipart/form-data; boundary=");
    free(log);
}

static void upload_from_memory(openai_client *client) {
    static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13};
    openai_upload *image = openai_upload_from_memory(png, sizeof png, "otter.png", NULL);
    openai_upload *mask = openai_upload_from_memory(png, sizeof png, "mask.png", "image/png");
    openai_response *response = NULL;
    char *log;
    CHECK(image && mask);
    CHECK_CODE(openai_images_edit(client, "{\"prompt\":\"An otter\",\"n\":2,\"size\":\"256x256\"}", image, mask, &response), OPENAI_OK);
    CHECK(openai_response_json_string(response, "/data/0/url") != NULL);
    openai_response_free(response);
    log = mock_take_requests();
    CHECK_CONTAINS(log, "\"name\":\"n\",\"filename\":null,\"content_type\":null,\"len\":1");
    CHECK_CONTAINS(log, "\"name\":\"image\",\"filename\":\"otter.png\",\"content_type\":\"image/png\",\"len\":12");
    CHECK_CONTAINS(log, "\"name\":\"mask\",\"filename\":\"mask.png\"");
    free(log);

    /* Without the optional mask, and as a variation. */
    CHECK_CODE(openai_images_edit(client, "{\"prompt\":\"An otter\"}", image, NULL, &response), OPENAI_OK);
    openai_response_free(response);
    CHECK_CODE(openai_images_create_variation(client, NULL, image, &response), OPENAI_OK);
    openai_response_free(response);
    log = mock_take_requests();
    CHECK(count_requests(log) == 2);
    CHECK(strstr(log, "\"name\":\"mask\"") == NULL);
    free(log);
    openai_upload_free(image);
    openai_upload_free(mask);
}

static void transcription_as_text(openai_client *client) {
    static const char audio[] = "RIFF....WAVEfmt fake audio";
    openai_upload *upload = openai_upload_from_memory(audio, sizeof audio - 1, "hello.wav", NULL);
    openai_response *response = NULL;
    CHECK_CODE(openai_audio_transcriptions_create(client, "{\"model\":\"whisper-1\",\"response_format\":\"vtt\"}", upload, &response), OPENAI_OK);
    CHECK_CONTAINS(openai_response_header(response, "content-type"), "text/plain");
    CHECK(strncmp(openai_response_body(response, NULL), "WEBVTT", 6) == 0);
    openai_response_free(response);
    CHECK_CODE(openai_audio_translations_create(client, "{\"model\":\"whisper-1\"}", upload, &response), OPENAI_OK);
    CHECK(openai_response_json_string(response, "/text") != NULL);
    openai_response_free(response);
    openai_upload_free(upload);
    free(mock_take_requests());
}

static void bad_files(openai_client *client) {
    openai_response *response = NULL;
    CHECK(openai_upload_from_path("/nonexistent/speech.mp3", NULL, NULL) == NULL);
    CHECK_CONTAINS(openai_last_error(), "/nonexistent/speech.mp3\" cannot be read");
    CHECK(openai_upload_from_path(NULL, NULL, NULL) == NULL);
    CHECK_CONTAINS(openai_last_error(), "path is NULL");
    CHECK_CODE(openai_files_upload(client, "{\"purpose\":\"fine-tune\"}", NULL, &response), OPENAI_INVALID_ARGUMENT);
    CHECK_STR(openai_response_error_message(response), "file is NULL");
    openai_response_free(response);
    CHECK(openai_upload_from_memory(NULL, 5, "x", NULL) == NULL);
    CHECK_CODE(openai_upload_set_progress(NULL, NULL, NULL), OPENAI_INVALID_ARGUMENT);
    openai_upload_free(NULL);
    {
        char *log = mock_take_requests();
        CHECK(count_requests(log) == 0);
        free(log);
    }
}

static void binary_bodies(openai_client *client) {
    openai_response *response = NULL;
    size_t len = 0, i;
    const unsigned char *bytes;
    int exact = 1;
    char path[] = "/tmp/openai-speech-XXXXXX";
    FILE *file;
    int fd;

    CHECK_CODE(openai_audio_speech_create(client, "{\"model\":\"tts-1\",\"input\":\"Hi\",\"voice\":\"alloy\",\"mock_bytes\":70000}", &response), OPENAI_OK);
    bytes = (const unsigned char *)openai_response_body(response, &len);
    CHECK(len == 70000);
    for (i = 0; i < len; i++)
        exact &= bytes[i] == (unsigned char)((i * 31 + 7) % 256); /* the mock's documented pattern */
    CHECK(exact);
    CHECK_STR(openai_response_header(response, "content-type"), "audio/mpeg");
    openai_response_free(response);

    CHECK_CODE(openai_files_retrieve_content(client, "file-xyz", &response), OPENAI_OK);
    CHECK_STR(openai_response_body(response, NULL),
              "{\"id\":\"file-xyz\",\"line\":0}\n{\"id\":\"file-xyz\",\"line\":1}\n{\"id\":\"file-xyz\",\"line\":2}\n");
    openai_response_free(response);

    /* To a file, with progress. */
    fd = mkstemp(path);
    close(fd);
    progress_calls = 0;
    CHECK_CODE(openai_audio_speech_create_to_file(client, "{\"model\":\"tts-1\",\"input\":\"Hi\",\"voice\":\"alloy\",\"mock_bytes\":200000}",
                                                  path, on_progress, NULL, &response), OPENAI_OK);
    CHECK(openai_response_body_len(response) == 0);
    openai_response_free(response);
    CHECK(last_done == 200000 && last_total == 200000 && progress_calls >= 1);
    file = fopen(path, "rb");
    CHECK(file != NULL);
    if (file) {
        int c, n = 0;
        exact = 1;
        while ((c = fgetc(file)) != EOF) {
            exact &= c == (n * 31 + 7) % 256;
            n++;
        }
        CHECK(exact && n == 200000);
        fclose(file);
    }
    unlink(path);
    free(mock_take_requests());
}

/* The async form of a download: the file is complete, and no partial file is left, once the
 * future is; the progress callback runs on a library thread meanwhile. */
static void async_download(openai_client *client) {
    static const char expected[] =
        "{\"id\":\"file-xyz\",\"line\":0}\n{\"id\":\"file-xyz\",\"line\":1}\n{\"id\":\"file-xyz\",\"line\":2}\n";
    char path[] = "/tmp/openai-download-XXXXXX";
    char partial[64], content[256];
    openai_future *future;
    openai_response *response = NULL;
    FILE *file;
    size_t n = 0;
    int fd = mkstemp(path);
    close(fd);
    progress_calls = 0;
    last_done = last_total = 0;
    future = openai_files_retrieve_content_to_file_async(client, "file-xyz", path, on_progress, NULL, NULL, NULL);
    CHECK(future != NULL);
    CHECK_CODE(openai_future_wait(future, 10000), OPENAI_OK);
    CHECK_CODE(openai_future_take(future, &response), OPENAI_OK);
    CHECK(openai_response_status(response) == 200);
    CHECK(openai_response_body_len(response) == 0);
    openai_response_free(response);
    openai_future_free(future);
    CHECK(progress_calls >= 1 && last_done == sizeof expected - 1);
    file = fopen(path, "rb");
    CHECK(file != NULL);
    if (file) {
        n = fread(content, 1, sizeof content - 1, file);
        fclose(file);
    }
    content[n] = '\0';
    CHECK_STR(content, expected);
    snprintf(partial, sizeof partial, "%s.part", path);
    CHECK(access(partial, F_OK) != 0);
    unlink(path);
    free(mock_take_requests());

    /* A path that cannot be written: the future completes with the reason, nothing is sent. */
    future = openai_audio_speech_create_to_file_async(client, "{\"model\":\"tts-1\",\"input\":\"Hi\",\"voice\":\"alloy\"}",
                                                      "/nonexistent/dir/x.mp3", NULL, NULL, NULL, NULL);
    CHECK_CODE(openai_future_wait(future, 10000), OPENAI_OK);
    CHECK_CODE(openai_future_take(future, &response), OPENAI_INVALID_ARGUMENT);
    CHECK(strstr(openai_response_error_message(response), "cannot be written") != NULL);
    openai_response_free(response);
    openai_future_free(future);
}

int main(void) {
    openai_client *client = test_client("");
    upload_from_path(client);
    upload_from_memory(client);
    transcription_as_text(client);
    bad_files(client);
    binary_bodies(client);
    async_download(client);
    openai_client_free(client);
    return finish("test_upload");
}
