/* fork(): a child of a process whose library is running gets a library of its own: its blocking
 * calls open new connections (never the parent's kept-alive one), its async calls complete, a
 * stream honours its timeouts, and a call the parent had in flight at the fork completes at once
 * in the child, cancelled. The parent goes on unaffected.
 *
 * modes: plain, sanitizers (under valgrind a fork()ed child is checked as a process of its own,
 * with the parent's runtime, which the child keeps aside unused, counted as its memory) */
#define _POSIX_C_SOURCE 200809L
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

/* The connection ids of the requests in a mock log (JSON text), up to `max`. */
static int connection_ids(const char *log, long *ids, int max) {
    int n = 0;
    for (const char *p = strstr(log, "\"connection_id\":"); p && n < max; p = strstr(p + 1, "\"connection_id\":"))
        ids[n++] = strtol(p + strlen("\"connection_id\":"), NULL, 10);
    return n;
}

static int in(long id, const long *ids, int n) {
    for (int i = 0; i < n; i++)
        if (ids[i] == id) return 1;
    return 0;
}

/* What the child checks; its exit status is the number of failed checks. */
static int child(openai_client *client, openai_future *in_flight) {
    openai_response *response = NULL;
    /* A blocking call: on a connection of the child's own. */
    CHECK_CODE(openai_models_list(client, &response), OPENAI_OK);
    openai_response_free(response);
    /* An async call completes. */
    openai_future *future = openai_models_list_async(client, NULL, NULL);
    CHECK_CODE(openai_future_wait(future, 10000), OPENAI_OK);
    CHECK_CODE(openai_future_take(future, &response), OPENAI_OK);
    openai_response_free(response);
    openai_future_free(future);
    /* The parent's call in flight at the fork: complete at once, cancelled. */
    CHECK_CODE(openai_future_wait(in_flight, 0), OPENAI_OK);
    CHECK_CODE(openai_future_take(in_flight, &response), OPENAI_CANCELLED);
    CHECK_CONTAINS(openai_response_error_message(response), "before fork()");
    openai_response_free(response);
    openai_future_free(in_flight);
    /* A stream that stalls ends with its idle timeout. */
    mock_script("{\"match\":{\"path\":\"/v1/chat/completions\"},\"headers\":{\"content-type\":\"text/event-stream\"},"
                "\"chunks\":[{\"data\":\"data: {\\\"n\\\":1}\\n\\n\"}],\"action\":\"stall\"}");
    openai_client *idle = test_client("\"stream_idle_timeout\":0.3");
    openai_stream *stream = NULL;
    openai_event *event = NULL;
    CHECK_CODE(openai_chat_completions_create_stream(idle, "{\"model\":\"m\",\"messages\":[]}", &stream), OPENAI_OK);
    CHECK_CODE(openai_stream_next(stream, 10000, &event), OPENAI_OK);
    openai_event_free(event);
    CHECK_CODE(openai_stream_next(stream, 10000, &event), OPENAI_TIMEOUT);
    openai_stream_free(stream);
    openai_client_free(idle);
    openai_client_free(client);
    CHECK_CODE(openai_shutdown(), OPENAI_OK);
    return failures;
}

int main(void) {
    alarm(180); /* a hang anywhere is a failure, not a stuck test run */
    openai_client *client = test_client("");
    openai_response *response = NULL;
    long parent_ids[16], child_ids[16];

    /* The parent: a blocking call (its connection kept alive) and an async call (the runtime's
     * threads started), then a call left in flight. */
    free(mock_take_requests());
    CHECK_CODE(openai_models_list(client, &response), OPENAI_OK);
    openai_response_free(response);
    openai_future *future = openai_models_list_async(client, NULL, NULL);
    CHECK_CODE(openai_future_wait(future, 10000), OPENAI_OK);
    openai_future_free(future);
    mock_script("{\"match\":{\"path\":\"/v1/models/slow\"},\"delay_ms\":1500,\"body\":\"{\\\"id\\\":\\\"slow\\\"}\"}");
    openai_future *in_flight = openai_models_retrieve_async(client, "slow", NULL, NULL);
    char *log = mock_take_requests();
    int parents = connection_ids(log, parent_ids, 16);
    free(log);
    CHECK(parents >= 2);

    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        alarm(60); /* a child that hangs (as it did before the fix) is killed: a failure, not a hang */
        _exit(child(client, in_flight) ? 1 : 0);
    }
    CHECK(pid > 0);
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    /* The child's requests came on connections of its own. */
    log = mock_take_requests();
    int children = connection_ids(log, child_ids, 16);
    CHECK(children >= 3);
    for (int i = 0; i < children; i++) {
        if (in(child_ids[i], parent_ids, parents)) {
            fprintf(stderr, "the child used the parent's connection %ld\n", child_ids[i]);
            failures++;
        }
    }
    free(log);

    /* The parent is unaffected: its call in flight completes, and it calls on. */
    CHECK_CODE(openai_future_wait(in_flight, 10000), OPENAI_OK);
    CHECK_CODE(openai_future_take(in_flight, &response), OPENAI_OK);
    CHECK_STR(openai_response_json_string(response, "/id"), "slow");
    openai_response_free(response);
    openai_future_free(in_flight);
    CHECK_CODE(openai_models_list(client, &response), OPENAI_OK);
    openai_response_free(response);
    openai_client_free(client);
    return finish("test_fork");
}
