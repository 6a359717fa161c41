/* Uploading a 1 GiB file from a path keeps the process's peak resident size under 64 MiB: the
 * file is read in 64 KiB pieces while it is sent, never whole. (A sparse file: nothing is
 * written to disk.)
 *
 * modes: plain (under the sanitizers and valgrind, RSS means something else and 1 GiB takes too long) */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <unistd.h>

#include "harness.h"

int main(void) {
    const long long size = 1LL << 30;
    const long bound_kib = 64 * 1024;
    char path[] = "/tmp/openai-big-upload-XXXXXX";
    int fd = mkstemp(path);
    openai_client *client = test_client("\"timeout\":600");
    openai_upload *upload;
    openai_response *response = NULL;

    mock_control("POST", "/__mock/config", "{\"log\":false}");
    CHECK(ftruncate(fd, (off_t)size) == 0);
    close(fd);
    upload = openai_upload_from_path(path, "big.jsonl", NULL);
    CHECK_CODE(openai_files_upload(client, "{\"purpose\":\"batch\"}", upload, &response), OPENAI_OK);
    CHECK_STR(openai_response_json_value(response, "/bytes"), "1073741824");
    printf("uploaded %lld bytes; peak RSS %ld KiB (bound %ld KiB)\n", size, peak_rss_kib(), bound_kib);
    CHECK(peak_rss_kib() > 0 && peak_rss_kib() < bound_kib);
    openai_response_free(response);
    openai_upload_free(upload);
    unlink(path);
    openai_client_free(client);
    return finish("test_upload_memory");
}
