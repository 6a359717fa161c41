/* Testing an application against the bundled mock server: a test scripts the mock to answer
 * the next chat completion with 429 (rate limited), then checks that the application's call
 * still succeeded, after exactly one retry, and that the server saw two requests.
 *
 * Needs the mock: start it (target/debug/openai-mock prints OPENAI_MOCK_URL=<url>), then run
 * this program with MOCK_URL=<url>, OPENAI_BASE_URL=<url>/v1 and any OPENAI_API_KEY;
 * `examples-c/run.sh mock_testing` does all of it. Exits 0 when every check passed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openai.h"

static int failures = 0;

static void check(int ok, const char *what) {
    printf("%s: %s\n", ok ? "ok" : "FAILED", what);
    failures += !ok;
}

/* One request to the mock's control endpoints (outside /v1: no key needed). The response is
 * the caller's. */
static openai_response *mock_control(const char *method, const char *path, const char *body) {
    char options[512];
    openai_client *control = NULL;
    openai_response *response = NULL;
    snprintf(options, sizeof options, "{\"api_key\": \"unused\", \"max_retries\": 0, \"base_url\": \"%s\"}",
             getenv("MOCK_URL"));
    if (openai_client_new(options, &control) == OPENAI_OK)
        openai_request(control, method, path, NULL, body, &response);
    openai_client_free(control);
    return response;
}

/* The code under test: the application's own call. */
static openai_code ask(openai_client *client, openai_response **response) {
    return openai_chat_completions_create(client,
        "{\"model\": \"gpt-4o-mini\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}",
        response);
}

int main(void) {
    openai_client *client = NULL;
    openai_response *response = NULL, *log = NULL;
    size_t requests = 0;
    openai_code code;

    if (!getenv("MOCK_URL")) {
        fprintf(stderr, "MOCK_URL is not set: this program tests against the mock server\n");
        return 2;
    }
    /* A clean slate: no scripts pending, an empty request log. */
    openai_response_free(mock_control("POST", "/__mock/reset", NULL));

    /* The next chat completion gets a 429 that asks for a retry after 10 ms; the one after it
     * is answered as usual. */
    response = mock_control("POST", "/__mock/script",
        "{\"match\": {\"method\": \"POST\", \"path\": \"/v1/chat/completions\"},"
        " \"status\": 429, \"headers\": {\"retry-after-ms\": \"10\"},"
        " \"body_json\": {\"error\": {\"message\": \"Rate limit reached\", \"type\": \"requests\","
        " \"code\": \"rate_limit_exceeded\"}}}");
    check(openai_response_code(response) == OPENAI_OK, "the mock took the script");
    openai_response_free(response);

    if (openai_client_new("{\"max_retries\": 2}", &client) != OPENAI_OK) {
        fprintf(stderr, "cannot create the client: %s\n", openai_last_error());
        return 1;
    }
    code = ask(client, &response);
    check(code == OPENAI_OK, "the call succeeded despite the 429");
    check(openai_response_retries(response) == 1, "after exactly one retry");
    check(openai_response_json_string(response, "/choices/0/message/content") != NULL, "with the reply");
    openai_response_free(response);

    /* What the server received: two identical requests. */
    log = mock_control("GET", "/__mock/requests", NULL);
    openai_response_json_array_len(log, "", &requests);
    check(requests == 2, "the mock received two requests");
    check(openai_response_json_string(log, "/1/path") &&
              strcmp(openai_response_json_string(log, "/1/path"), "/v1/chat/completions") == 0,
          "the second one to /v1/chat/completions");
    check(openai_response_json_string(log, "/0/body_sha256") && openai_response_json_string(log, "/1/body_sha256") &&
              strcmp(openai_response_json_string(log, "/0/body_sha256"),
                     openai_response_json_string(log, "/1/body_sha256")) == 0,
          "with the same body");
    openai_response_free(log);

    /* Without retries, the application sees the 429 itself. */
    openai_response_free(mock_control("POST", "/__mock/script",
        "{\"status\": 429, \"body_json\": {\"error\": {\"message\": \"Rate limit reached\", \"type\": \"requests\"}}}"));
    {
        openai_client *no_retries = NULL;
        openai_client_with_options(client, "{\"max_retries\": 0}", &no_retries);
        code = ask(no_retries, &response);
        check(code == OPENAI_RATE_LIMIT, "without retries the call fails with OPENAI_RATE_LIMIT");
        check(openai_response_status(response) == 429, "and status 429");
        openai_response_free(response);
        openai_client_free(no_retries);
    }

    openai_client_free(client);
    openai_shutdown(); /* optional: joins the library's threads (leak checkers then find nothing) */
    printf("%s\n", failures ? "some checks failed" : "all checks passed");
    return failures ? 1 : 0;
}
