/* The core calls from C: a chat completion, an API error, headers, JSON accessors, a derived
 * client, pagination, and the exact request the server received. */
#include "harness.h"

static void chat_completion(void) {
    openai_client *client = test_client("");
    openai_response *response = NULL;
    const char *body = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
    size_t len = 0;
    char *log;

    CHECK_CODE(openai_chat_completions_create(client, body, &response), OPENAI_OK);
    CHECK(openai_response_status(response) == 200);
    CHECK(openai_response_body(response, &len) != NULL && len > 0);
    CHECK_STR(openai_response_json_string(response, "/object"), "chat.completion");
    CHECK_STR(openai_response_json_string(response, "/model"), "gpt-4o-mini");
    CHECK(openai_response_json_string(response, "/choices/0/message/content") != NULL);
    CHECK_STR(openai_response_json_value(response, "/choices/0/index"), "0");
    CHECK(openai_response_json_string(response, "/choices/7") == NULL);
    CHECK(openai_response_request_id(response) != NULL);
    CHECK(openai_response_error_message(response) == NULL);
    CHECK_STR(openai_response_header(response, "Content-Type"), "application/json");
    openai_response_free(response);

    log = mock_take_requests();
    CHECK(count_requests(log) == 1);
    CHECK_CONTAINS(log, "\"method\":\"POST\"");
    CHECK_CONTAINS(log, "\"path\":\"/v1/chat/completions\"");
    CHECK_CONTAINS(log, "[\"content-type\",\"application/json\"]");
    CHECK_CONTAINS(log, "[\"accept\",\"application/json\"]");
    free(log);
    openai_client_free(client);
}

static void api_error(void) {
    openai_client *client = test_client("");
    openai_response *response = NULL;
    CHECK_CODE(openai_models_retrieve(client, "missing-model", &response), OPENAI_NOT_FOUND);
    CHECK(openai_response_status(response) == 404);
    CHECK_CONTAINS(openai_response_error_message(response), "Error code: 404 - ");
    CHECK_CONTAINS(openai_response_api_error_message(response), "missing-model");
    CHECK_STR(openai_response_api_error_type(response), "invalid_request_error");
    CHECK_STR(openai_last_error(), openai_response_error_message(response));
    openai_response_free(response);
    free(mock_take_requests());
    openai_client_free(client);
}

static void headers_by_index(void) {
    openai_client *client = test_client("");
    openai_response *response = NULL;
    size_t i, count;
    int saw_request_id = 0;
    CHECK_CODE(openai_models_list(client, &response), OPENAI_OK);
    count = openai_response_header_count(response);
    CHECK(count >= 2);
    for (i = 0; i < count; i++) {
        const char *name = NULL, *value = NULL;
        CHECK_CODE(openai_response_header_at(response, i, &name, &value), OPENAI_OK);
        CHECK(name != NULL && value != NULL);
        if (name && strcmp(name, "x-request-id") == 0) {
            saw_request_id = 1;
            CHECK_STR(value, openai_response_request_id(response));
        }
    }
    CHECK(saw_request_id);
    CHECK_CODE(openai_response_header_at(response, count, NULL, NULL), OPENAI_INVALID_ARGUMENT);
    openai_response_free(response);
    free(mock_take_requests());
    openai_client_free(client);
}

static void derived_client(void) {
    openai_client *client = test_client("");
    openai_client *child = NULL;
    openai_response *response = NULL;
    char *log;
    CHECK_CODE(openai_client_with_options(client, "{\"project\":\"proj_child\"}", &child), OPENAI_OK);
    openai_client_free(client); /* the child outlives its parent */
    CHECK_CODE(openai_models_list(child, &response), OPENAI_OK);
    openai_response_free(response);
    log = mock_take_requests();
    CHECK_CONTAINS(log, "[\"openai-project\",\"proj_child\"]");
    free(log);
    CHECK_CODE(openai_client_with_options(child, "{\"colour\":1}", &client), OPENAI_INVALID_ARGUMENT);
    CHECK(client == NULL);
    CHECK_CONTAINS(openai_last_error(), "unknown option \"colour\"");
    openai_client_free(child);
}

static void every_page(void) {
    openai_client *client = test_client("");
    openai_pager *pager = NULL;
    openai_response *page = NULL;
    int pages = 0;
    char *log;
    CHECK_CODE(openai_files_list_pages(client, "{\"limit\":2}", &pager), OPENAI_OK);
    while (openai_pager_next(pager, &page) == OPENAI_OK && page != NULL) {
        pages++;
        CHECK_STR(openai_response_json_string(page, "/object"), "list");
        openai_response_free(page);
    }
    CHECK(page == NULL);
    CHECK(pages == 4); /* 7 files, 2 per page */
    openai_pager_free(pager);
    log = mock_take_requests();
    CHECK(count_requests(log) == 4);
    CHECK_CONTAINS(log, "limit=2&after=");
    free(log);
    openai_client_free(client);
}

static void client_errors(void) {
    openai_client *client = (openai_client *)1;
    CHECK_CODE(openai_client_new("{\"api_key\":\"\"}", &client), OPENAI_INVALID_ARGUMENT);
    CHECK(client == NULL);
    CHECK_CONTAINS(openai_last_error(), "OPENAI_API_KEY");
    CHECK_CODE(openai_client_new("{\"api_key\":\"k\",\"timout\":3}", &client), OPENAI_INVALID_ARGUMENT);
    CHECK_CONTAINS(openai_last_error(), "unknown option \"timout\"");
    CHECK_STR(openai_code_name(OPENAI_RATE_LIMIT), "OPENAI_RATE_LIMIT");
    CHECK_STR(openai_code_name(12345), "OPENAI_UNKNOWN_CODE");
    {
        char version[32];
        snprintf(version, sizeof version, "%d.%d.%d", OPENAI_VERSION_MAJOR, OPENAI_VERSION_MINOR,
                 OPENAI_VERSION_PATCH);
        CHECK_STR(openai_version(), version);
    }
}

int main(void) {
    chat_completion();
    api_error();
    headers_by_index();
    derived_client();
    every_page();
    client_errors();
    return finish("test_basics");
}
