/* A tool-call loop: a chat completion offered one function tool; when the model calls it, the
 * program runs the function, sends its result back, and prints the model's final answer.
 *
 * Bodies are built with openai_json_* (every string escaped by the library, no buffers sized by
 * hand), tool calls read with openai_response_json_array_len and JSON Pointers, and their
 * arguments (JSON inside a string) with openai_item_parse.
 *
 * The client reads OPENAI_API_KEY (and OPENAI_BASE_URL) from the environment. Against the bundled
 * mock server (MOCK_URL set, as examples-c/run.sh and the tests do), the mock is first scripted
 * to answer with a tool call, as the real API would.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openai.h"

#define MAX_MESSAGES 32

/* A copy of `text` the caller frees (NULL for NULL). */
static char *copy_of(const char *text) {
    char *copy = text ? malloc(strlen(text) + 1) : NULL;
    return copy ? strcpy(copy, text) : NULL;
}

/* The tool: the weather of a city, as the JSON text the model reads. */
static char *get_weather(const char *arguments) {
    openai_item *args = NULL;
    openai_json *result = openai_json_new_object();
    char *text;
    if (openai_item_parse(arguments, &args) == OPENAI_OK && openai_item_json_string(args, "/city")) {
        openai_json_add_string(result, "city", openai_item_json_string(args, "/city"));
        openai_json_add_int(result, "temperature_c", 18);
        openai_json_add_string(result, "sky", "clear");
    } else {
        openai_json_add_string(result, "error", "arguments without a city");
    }
    openai_json_end(result);
    text = copy_of(openai_json_text(result));
    openai_json_free(result);
    openai_item_free(args);
    return text;
}

/* The conversation so far: each message as JSON text, owned here. */
static char *messages[MAX_MESSAGES];
static int message_count = 0;

/* Adds a finished message to the conversation and frees its builder; a builder that failed
 * (a NULL string somewhere, say) gives NULL text and is reported, never sent half-built. */
static int add_message(openai_json *message) {
    const char *text = openai_json_text(message);
    if (!text || message_count == MAX_MESSAGES) {
        fprintf(stderr, "cannot add the message: %s\n", text ? "too many" : openai_last_error());
        openai_json_free(message);
        return 1;
    }
    messages[message_count++] = copy_of(text);
    openai_json_free(message);
    return 0;
}

/* The request: the conversation and the tool's description (its parameters a JSON Schema). */
static openai_json *request_body(void) {
    int i;
    openai_json *body = openai_json_new_object();
    openai_json_add_string(body, "model", "gpt-4o-mini");
    openai_json_begin_array(body, "messages");
    for (i = 0; i < message_count; i++)
        openai_json_add_raw(body, NULL, messages[i]);
    openai_json_end(body);
    openai_json_begin_array(body, "tools");
    openai_json_begin_object(body, NULL);
    openai_json_add_string(body, "type", "function");
    openai_json_begin_object(body, "function");
    openai_json_add_string(body, "name", "get_weather");
    openai_json_add_string(body, "description", "The current weather in a city");
    openai_json_add_raw(body, "parameters",
        "{\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}}, \"required\": [\"city\"]}");
    openai_json_end(body); /* function */
    openai_json_end(body); /* the tool */
    openai_json_end(body); /* tools */
    openai_json_end(body); /* the body */
    return body;
}

/* Only against the mock: its next chat completion answers with a call of get_weather. */
static int script_the_mock(void) {
    const char *mock_url = getenv("MOCK_URL");
    char options[512];
    openai_client *control = NULL;
    openai_response *response = NULL;
    openai_code code;
    if (!mock_url)
        return 0;
    snprintf(options, sizeof options, "{\"api_key\": \"unused\", \"base_url\": \"%s\"}", mock_url);
    if (openai_client_new(options, &control) != OPENAI_OK)
        return 1;
    code = openai_request(control, "POST", "/__mock/script", NULL,
        "{\"match\": {\"method\": \"POST\", \"path\": \"/v1/chat/completions\"},"
        " \"body_json\": {\"id\": \"chatcmpl-tool\", \"object\": \"chat.completion\", \"created\": 1700000000,"
        " \"model\": \"gpt-4o-mini\", \"choices\": [{\"index\": 0, \"finish_reason\": \"tool_calls\","
        " \"message\": {\"role\": \"assistant\", \"content\": null, \"tool_calls\": [{\"id\": \"call_1\","
        " \"type\": \"function\", \"function\": {\"name\": \"get_weather\","
        " \"arguments\": \"{\\\"city\\\": \\\"Paris\\\"}\"}}]}}]}}",
        &response);
    openai_response_free(response);
    openai_client_free(control);
    return code != OPENAI_OK;
}

int main(void) {
    openai_client *client = NULL;
    openai_response *response = NULL;
    int round, i, status = 1;

    if (script_the_mock() != 0 || openai_client_new(NULL, &client) != OPENAI_OK) {
        fprintf(stderr, "cannot start: %s\n", openai_last_error());
        return 1;
    }
    {
        openai_json *question = openai_json_new_object();
        openai_json_add_string(question, "role", "user");
        openai_json_add_string(question, "content", "What is the weather in Paris?");
        openai_json_end(question);
        add_message(question);
    }

    for (round = 0; round < 5; round++) {
        openai_json *body = request_body();
        openai_code code = openai_chat_completions_create(client, openai_json_text(body), &response);
        size_t calls = 0;
        openai_json_free(body);
        if (code != OPENAI_OK) {
            fprintf(stderr, "chat completion failed (%s): %s\n", openai_code_name(code),
                    openai_response_error_message(response));
            break;
        }
        /* No tool calls (an absent array counts as none): the answer is final. */
        openai_response_json_array_len(response, "/choices/0/message/tool_calls", &calls);
        if (calls == 0) {
            printf("answer: %s\n", openai_response_json_string(response, "/choices/0/message/content"));
            status = 0;
            break;
        }
        /* The assistant's turn goes back with its tool calls, then one tool message per call. */
        {
            openai_json *turn = openai_json_new_object();
            openai_json_add_string(turn, "role", "assistant");
            openai_json_add_raw(turn, "content", openai_response_json_value(response, "/choices/0/message/content"));
            openai_json_add_raw(turn, "tool_calls", openai_response_json_value(response, "/choices/0/message/tool_calls"));
            openai_json_end(turn);
            if (add_message(turn) != 0)
                break;
        }
        for (i = 0; i < (int)calls; i++) {
            char pointer[96];
            const char *id, *name, *arguments;
            char *result;
            openai_json *reply = openai_json_new_object();
            snprintf(pointer, sizeof pointer, "/choices/0/message/tool_calls/%d/id", i);
            id = openai_response_json_string(response, pointer);
            snprintf(pointer, sizeof pointer, "/choices/0/message/tool_calls/%d/function/name", i);
            name = openai_response_json_string(response, pointer);
            snprintf(pointer, sizeof pointer, "/choices/0/message/tool_calls/%d/function/arguments", i);
            arguments = openai_response_json_string(response, pointer);
            result = name && strcmp(name, "get_weather") == 0 ? get_weather(arguments)
                                                              : copy_of("{\"error\": \"no such tool\"}");
            printf("tool call %s: %s(%s) -> %s\n", id, name, arguments, result);
            openai_json_add_string(reply, "role", "tool");
            openai_json_add_string(reply, "tool_call_id", id);
            openai_json_add_string(reply, "content", result);
            openai_json_end(reply);
            free(result);
            if (add_message(reply) != 0)
                break;
        }
        if (i < (int)calls)
            break;
        openai_response_free(response);
        response = NULL;
    }

    openai_response_free(response);
    for (i = 0; i < message_count; i++)
        free(messages[i]);
    openai_client_free(client);
    openai_shutdown(); /* optional: joins the library's threads (leak checkers then find nothing) */
    return status;
}
