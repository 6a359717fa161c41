/* Bad input from C: NULL client, NULL out pointer, invalid UTF-8, invalid JSON and empty path
 * parameters each return OPENAI_INVALID_ARGUMENT with a message, send nothing, never crash. */
#include "harness.h"

static void expect_invalid(openai_code code, openai_response *response, const char *message) {
    CHECK_CODE(code, OPENAI_INVALID_ARGUMENT);
    CHECK(response != NULL);
    CHECK(openai_response_status(response) == 0);
    CHECK_CODE(openai_response_code(response), OPENAI_INVALID_ARGUMENT);
    CHECK_CONTAINS(openai_response_error_message(response), message);
    CHECK_CONTAINS(openai_last_error(), message);
    openai_response_free(response);
}

/* Runs `call`, which hands its response to `&response`, and checks it was refused. */
#define EXPECT_INVALID(call, message)                  \
    do {                                               \
        openai_response *response = NULL;              \
        openai_code code = (call);                     \
        expect_invalid(code, response, message);       \
    } while (0)

int main(void) {
    openai_client *client = test_client("");
    openai_response *response = NULL; /* for the calls below that must not hand one back */
    const char bad_utf8[] = {'g', 'p', 't', (char)0xC3, (char)0x28, 0};
    char *log;

    EXPECT_INVALID(openai_models_list(NULL, &response), "client is NULL");
    EXPECT_INVALID(openai_models_retrieve(client, NULL, &response), "model is NULL");
    EXPECT_INVALID(openai_models_retrieve(client, bad_utf8, &response), "model is not valid UTF-8");
    EXPECT_INVALID(openai_models_retrieve(client, "", &response), "model must not be empty");
    EXPECT_INVALID(openai_beta_threads_messages_retrieve(client, "thread_1", "", &response),
                   "message_id must not be empty");
    EXPECT_INVALID(openai_chat_completions_create(client, "{\"model\": gpt}", &response),
                   "body_json is not valid JSON");
    EXPECT_INVALID(openai_chat_completions_create(client, bad_utf8, &response),
                   "body_json is not valid UTF-8");
    EXPECT_INVALID(openai_embeddings_create(client, NULL, &response), "body_json is NULL");
    EXPECT_INVALID(openai_files_list(client, "{\"limit\":", &response), "query_json is not valid JSON");
    EXPECT_INVALID(openai_request(client, "GET", "models", NULL, NULL, &response), "must start with '/'");
    EXPECT_INVALID(openai_request(client, NULL, "/models", NULL, NULL, &response), "method is NULL");

    /* A NULL out pointer: nothing to hand the response to. */
    CHECK_CODE(openai_models_list(client, NULL), OPENAI_INVALID_ARGUMENT);
    CHECK_CONTAINS(openai_last_error(), "out is NULL");
    CHECK_CODE(openai_client_new(NULL, NULL), OPENAI_INVALID_ARGUMENT);

    /* NULL handles everywhere else. */
    CHECK(openai_response_status(NULL) == 0);
    CHECK(openai_response_body(NULL, NULL) == NULL);
    CHECK(openai_response_json_string(NULL, "/x") == NULL);
    CHECK_CODE(openai_pager_next(NULL, &response), OPENAI_INVALID_ARGUMENT);
    openai_response_free(NULL);
    openai_pager_free(NULL);
    openai_client_free(NULL);

    log = mock_take_requests();
    CHECK(count_requests(log) == 0);
    free(log);
    openai_client_free(client);
    return finish("test_invalid_arguments");
}
