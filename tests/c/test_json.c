/* JSON from C without a JSON library: a request body built with openai_json_* (escaping,
 * nesting, raw values), misuse refused with a code and never a crash, openai_json_escape into
 * buffers of every size, array lengths, and a list walked item by item across pages. */
#include "harness.h"

static void builds_a_body_the_server_receives_as_built(void) {
    openai_client *client = test_client("");
    openai_response *response = NULL;
    openai_json *body = openai_json_new_object();
    const char *text;
    char *log;

    CHECK_CODE(openai_json_add_string(body, "model", "gpt-4o-mini"), OPENAI_OK);
    CHECK_CODE(openai_json_begin_array(body, "messages"), OPENAI_OK);
    CHECK_CODE(openai_json_begin_object(body, NULL), OPENAI_OK);
    CHECK_CODE(openai_json_add_string(body, "role", "user"), OPENAI_OK);
    CHECK_CODE(openai_json_add_string(body, "content", "a \"quote\"\\ and\na line\x01\tend"), OPENAI_OK);
    CHECK_CODE(openai_json_end(body), OPENAI_OK);
    CHECK_CODE(openai_json_end(body), OPENAI_OK);
    CHECK_CODE(openai_json_add_double(body, "temperature", 0.5), OPENAI_OK);
    CHECK_CODE(openai_json_add_int(body, "n", 2), OPENAI_OK);
    CHECK_CODE(openai_json_add_bool(body, "store", true), OPENAI_OK);
    CHECK_CODE(openai_json_add_null(body, "user"), OPENAI_OK);
    CHECK_CODE(openai_json_add_raw(body, "metadata", "{\"k\": [1, \"v\"]}"), OPENAI_OK);
    CHECK(openai_json_text(body) == NULL); /* still open */
    CHECK_CONTAINS(openai_last_error(), "1 object(s) or array(s) still open");
    CHECK_CODE(openai_json_end(body), OPENAI_OK);
    text = openai_json_text(body);
    CHECK_STR(text, "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":"
                    "\"a \\\"quote\\\"\\\\ and\\na line\\u0001\\tend\"}],\"temperature\":0.5,"
                    "\"n\":2,\"store\":true,\"user\":null,\"metadata\":{\"k\": [1, \"v\"]}}");

    CHECK_CODE(openai_chat_completions_create(client, text, &response), OPENAI_OK);
    CHECK_STR(openai_response_json_string(response, "/model"), "gpt-4o-mini");
    size_t choices = 0;
    CHECK_CODE(openai_response_json_array_len(response, "/choices", &choices), OPENAI_OK);
    CHECK(choices == 2);
    openai_response_free(response);

    /* The log holds the body as a JSON string: the built text, escaped once more. */
    log = mock_take_requests();
    CHECK_CONTAINS(log, "\"body\":\"{\\\"model\\\":\\\"gpt-4o-mini\\\",\\\"messages\\\":[{\\\"role\\\"");
    CHECK_CONTAINS(log, "a line\\\\u0001\\\\tend");
    free(log);
    openai_json_free(body);
    openai_client_free(client);
}

static void misuse_is_refused_with_a_code(void) {
    openai_json *j = openai_json_new_array();
    CHECK_CODE(openai_json_add_int(j, NULL, 1), OPENAI_OK);
    /* A key inside an array. */
    CHECK_CODE(openai_json_add_int(j, "key", 2), OPENAI_INVALID_ARGUMENT);
    CHECK_STR(openai_last_error(), "an element of an array has no key (key must be NULL)");
    /* The builder stays failed: a valid call repeats the first failure, the text is withheld. */
    CHECK_CODE(openai_json_add_int(j, NULL, 3), OPENAI_INVALID_ARGUMENT);
    CHECK_CONTAINS(openai_last_error(), "failed earlier: an element of an array has no key");
    CHECK_CODE(openai_json_end(j), OPENAI_INVALID_ARGUMENT);
    CHECK(openai_json_text(j) == NULL);
    openai_json_free(j);

    /* A value added to a closed (complete) document. */
    j = openai_json_new_object();
    CHECK_CODE(openai_json_end(j), OPENAI_OK);
    CHECK_STR(openai_json_text(j), "{}");
    CHECK_CODE(openai_json_add_string(j, "late", "x"), OPENAI_INVALID_ARGUMENT);
    CHECK_CONTAINS(openai_last_error(), "the JSON document is complete");
    CHECK(openai_json_text(j) == NULL);
    openai_json_free(j);

    /* Invalid UTF-8 is refused, never replaced; raw text must be JSON; numbers finite. */
    j = openai_json_new_object();
    CHECK_CODE(openai_json_add_string(j, "bad", "caf\xe9"), OPENAI_INVALID_ARGUMENT);
    CHECK_STR(openai_last_error(), "value is not valid UTF-8 (byte 3)");
    openai_json_free(j);
    j = openai_json_new_object();
    CHECK_CODE(openai_json_add_raw(j, "raw", "{\"unclosed\": "), OPENAI_INVALID_ARGUMENT);
    CHECK_CONTAINS(openai_last_error(), "the raw value is not JSON");
    openai_json_free(j);
    j = openai_json_new_object();
    CHECK_CODE(openai_json_add_string(j, NULL, "no key"), OPENAI_INVALID_ARGUMENT);
    CHECK_STR(openai_last_error(), "a member of an object needs a key (key is NULL)");
    openai_json_free(j);
    j = openai_json_new_object();
    CHECK_CODE(openai_json_add_string(j, "k", NULL), OPENAI_INVALID_ARGUMENT);
    CHECK_STR(openai_last_error(), "value is NULL");
    openai_json_free(j);

    /* NULL handles. */
    CHECK_CODE(openai_json_add_string(NULL, "k", "v"), OPENAI_INVALID_ARGUMENT);
    CHECK_STR(openai_last_error(), "json is NULL");
    CHECK_CODE(openai_json_end(NULL), OPENAI_INVALID_ARGUMENT);
    CHECK(openai_json_text(NULL) == NULL);
    openai_json_free(NULL);
}

static void escape_into_buffers(void) {
    char buffer[64];
    char small[8];
    size_t length = 0;
    const char *literal = "\"tab\\there \\\"q\\\"\"";

    CHECK_CODE(openai_json_escape("tab\there \"q\"", buffer, sizeof buffer, &length), OPENAI_OK);
    CHECK_STR(buffer, literal);
    CHECK(length == strlen(literal));
    CHECK_CODE(openai_json_escape("tab\there \"q\"", NULL, 0, &length), OPENAI_OK);
    CHECK(length == strlen(literal));
    memset(small, 'x', sizeof small);
    CHECK_CODE(openai_json_escape("tab\there \"q\"", small, sizeof small, &length), OPENAI_INVALID_ARGUMENT);
    CHECK(small[0] == '\0' && small[1] == 'x'); /* "" and nothing else: never a cut literal */
    CHECK(length == strlen(literal));
    CHECK_CODE(openai_json_escape("\xff", buffer, sizeof buffer, &length), OPENAI_INVALID_ARGUMENT);
    CHECK_STR(openai_last_error(), "text is not valid UTF-8 (byte 0)");
    CHECK_CODE(openai_json_escape(NULL, buffer, sizeof buffer, NULL), OPENAI_INVALID_ARGUMENT);
}

static void items_across_pages(void) {
    openai_client *client = test_client("");
    openai_pager *pager = NULL;
    openai_item *item = NULL;
    char expected[32];
    int n = 0;
    openai_code code;

    CHECK_CODE(openai_files_list_pages(client, "{\"limit\": 3}", &pager), OPENAI_OK);
    /* Each item is the caller's: freed after each turn of the loop. */
    for (; (code = openai_pager_next_item(pager, &item)) == OPENAI_OK && item; openai_item_free(item)) {
        n++;
        snprintf(expected, sizeof expected, "file-abc%03d", n);
        CHECK_STR(openai_item_json_string(item, "/id"), expected);
        CHECK_STR(openai_item_json_value(item, "/object"), "\"file\"");
        CHECK(openai_item_json(item) != NULL && openai_item_json(item)[0] == '{');
        CHECK(openai_response_status(openai_pager_page(pager)) == 200);
    }
    CHECK_CODE(code, OPENAI_OK);
    CHECK(n == 7);
    openai_pager_free(pager);
    free(mock_take_requests());

    /* A failing page ends the walk with its code; the page is kept for its details. */
    CHECK_CODE(openai_files_list_pages(client, "{\"limit\": 2}", &pager), OPENAI_OK);
    CHECK_CODE(openai_pager_next_item(pager, &item), OPENAI_OK);
    openai_item_free(item);
    CHECK_CODE(openai_pager_next_item(pager, &item), OPENAI_OK);
    openai_item_free(item);
    mock_script("{\"status\": 500, \"body_json\": {\"error\": {\"message\": \"down\", \"type\": \"server_error\"}}}");
    CHECK_CODE(openai_pager_next_item(pager, &item), OPENAI_INTERNAL_SERVER);
    CHECK(item == NULL);
    CHECK_STR(openai_last_error(), "Error code: 500 - down");
    CHECK_STR(openai_response_api_error_type(openai_pager_page(pager)), "server_error");
    openai_pager_free(pager);
    free(mock_take_requests());
    openai_client_free(client);
}

static void tool_arguments_are_parsed(void) {
    openai_item *arguments = NULL;
    size_t days = 0;
    CHECK_CODE(openai_item_parse("{\"city\": \"Paris\", \"days\": [1, 2]}", &arguments), OPENAI_OK);
    CHECK_STR(openai_item_json_string(arguments, "/city"), "Paris");
    CHECK_CODE(openai_item_json_array_len(arguments, "/days", &days), OPENAI_OK);
    CHECK(days == 2);
    openai_item_free(arguments);
    CHECK_CODE(openai_item_parse("{\"city\": ", &arguments), OPENAI_INVALID_ARGUMENT);
    CHECK(arguments == NULL);
    CHECK_CONTAINS(openai_last_error(), "json_text is not JSON: EOF while parsing");
}

int main(void) {
    builds_a_body_the_server_receives_as_built();
    misuse_is_refused_with_a_code();
    escape_into_buffers();
    items_across_pages();
    tool_arguments_are_parsed();
    return finish("test_json");
}
