/* Walks every page of the files list, 2 files per page, and counts them: the pager asks for
 * each next page with after = the last file's id, while the page says has_more.
 *
 * The client reads OPENAI_API_KEY (and OPENAI_BASE_URL) from the environment.
 */
#include <stdio.h>

#include "openai.h"

int main(void) {
    openai_client *client = NULL;
    openai_pager *pager = NULL;
    openai_response *page = NULL;
    openai_code code;
    int pages = 0, files = 0;

    if (openai_client_new(NULL, &client) != OPENAI_OK) {
        fprintf(stderr, "cannot create the client: %s\n", openai_last_error());
        return 1;
    }
    if (openai_files_list_pages(client, "{\"limit\": 2}", &pager) != OPENAI_OK) {
        fprintf(stderr, "cannot list: %s\n", openai_last_error());
        openai_client_free(client);
        return 1;
    }
    /* OPENAI_OK with a page; OPENAI_OK with NULL after the last one; an error code ends it. */
    while ((code = openai_pager_next(pager, &page)) == OPENAI_OK && page != NULL) {
        char pointer[32];
        int i;
        pages++;
        for (i = 0;; i++) {
            const char *id;
            snprintf(pointer, sizeof pointer, "/data/%d/id", i);
            id = openai_response_json_string(page, pointer);
            if (!id)
                break;
            printf("page %d: %s\n", pages, id);
            files++;
        }
        openai_response_free(page);
    }
    if (code != OPENAI_OK) {
        fprintf(stderr, "a page failed: %s\n", openai_response_error_message(page));
        openai_response_free(page);
    }
    printf("%d files on %d pages\n", files, pages);
    openai_pager_free(pager);
    openai_client_free(client);
    openai_shutdown(); /* optional: joins the library's threads (leak checkers then find nothing) */
    return code == OPENAI_OK ? 0 : 1;
}
