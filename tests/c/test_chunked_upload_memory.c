/* A chunked upload of a 512 MiB file in parts of 64 MiB, four at a time, keeps the process's
 * peak resident size under 64 MiB: each part is read from its range of the file in 64 KiB pieces
 * while it is sent, never whole (reading the parts whole would take 256 MiB). (A sparse file:
 * nothing is written to disk.)
 *
 * modes: plain (under the sanitizers and valgrind, RSS means something else and 512 MiB takes too long) */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <unistd.h>

#include "harness.h"

int main(void) {
    const long long size = 512LL << 20;
    const long bound_kib = 64 * 1024;
    char path[] = "/tmp/openai-big-chunked-XXXXXX";
    int fd = mkstemp(path);
    openai_client *client = test_client("\"timeout\":600");
    openai_response *response = NULL;

    mock_control("POST", "/__mock/config", "{\"log\":false}");
    CHECK(ftruncate(fd, (off_t)size) == 0);
    close(fd);
    CHECK_CODE(openai_uploads_upload_file_chunked(client, path, "{\"purpose\":\"batch\",\"mime_type\":\"text/jsonl\"}",
                                                  "{\"parallel\":4}", NULL, NULL, &response),
               OPENAI_OK);
    CHECK_STR(openai_response_json_value(response, "/file/bytes"), "536870912");
    printf("uploaded %lld bytes in 8 parts; peak RSS %ld KiB (bound %ld KiB)\n", size, peak_rss_kib(), bound_kib);
    CHECK(peak_rss_kib() > 0 && peak_rss_kib() < bound_kib);
    openai_response_free(response);
    unlink(path);
    openai_client_free(client);
    return finish("test_chunked_upload_memory");
}
