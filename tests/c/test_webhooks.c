/* Webhook signature verification from C, with no crypto library of the program's own: a
 * genuine request, a tampered one, one too old and one too new. The signatures come from the
 * test runner (tests/c_suite.rs, over tests/common/webhooks.rs), made for timestamps of now,
 * 400 s ago and 400 s ahead. */
#include "harness.h"

static const char *SECRET = "whsec_dGVzdC13ZWJob29rLWtleS0wMTIzNDU2Nzg5";
static const char *ID = "wh_685342e6c53c8190a1be43f081506c52";
static const char *PAYLOAD = "{\"id\":\"evt_685343a1381c819085d44c354e1b330e\",\"type\":\"response.completed\","
                             "\"created_at\":1750287018,\"data\":{\"id\":\"resp_abc123\"}}";

/* Verifies `payload` with the id, the timestamp and the signature of the environment's `which`
 * (NOW, OLD, NEW). */
static openai_code verify(const char *payload, const char *which) {
    char timestamp_name[64], signature_name[64];
    const char *names[] = {"Content-Type", "webhook-id", "webhook-timestamp", "webhook-signature"};
    const char *values[4];
    snprintf(timestamp_name, sizeof timestamp_name, "WEBHOOK_TIMESTAMP_%s", which);
    snprintf(signature_name, sizeof signature_name, "WEBHOOK_SIGNATURE_%s", which);
    values[0] = "application/json";
    values[1] = ID;
    values[2] = env_or_die(timestamp_name);
    values[3] = env_or_die(signature_name);
    return openai_webhooks_verify_signature(payload, strlen(payload), names, values, 4, SECRET, -1);
}

int main(void) {
    char *tampered = malloc(strlen(PAYLOAD) + 1);
    const char *names[] = {"webhook-id", "webhook-timestamp", "webhook-signature"};
    const char *values[3];
    openai_event *event = NULL;

    CHECK_CODE(verify(PAYLOAD, "NOW"), OPENAI_OK);

    strcpy(tampered, PAYLOAD);
    memcpy(strstr(tampered, "resp_abc123"), "resp_abc999", 11);
    CHECK_CODE(verify(tampered, "NOW"), OPENAI_INVALID_WEBHOOK_SIGNATURE);
    CHECK_STR(openai_last_error(), "The given webhook signature does not match the expected signature");

    CHECK_CODE(verify(PAYLOAD, "OLD"), OPENAI_INVALID_WEBHOOK_SIGNATURE);
    CHECK_STR(openai_last_error(), "Webhook timestamp is too old");
    CHECK_CODE(verify(PAYLOAD, "NEW"), OPENAI_INVALID_WEBHOOK_SIGNATURE);
    CHECK_STR(openai_last_error(), "Webhook timestamp is too new");

    /* The event of a genuine request. */
    values[0] = ID;
    values[1] = env_or_die("WEBHOOK_TIMESTAMP_NOW");
    values[2] = env_or_die("WEBHOOK_SIGNATURE_NOW");
    CHECK_CODE(openai_webhooks_unwrap(PAYLOAD, strlen(PAYLOAD), names, values, 3, SECRET, 300, &event), OPENAI_OK);
    CHECK_STR(openai_event_name(event), "response.completed");
    CHECK_STR(openai_event_id(event), ID);
    CHECK_STR(openai_event_json_string(event, "/data/id"), "resp_abc123");
    openai_event_free(event);
    event = NULL;
    CHECK_CODE(openai_webhooks_unwrap(tampered, strlen(tampered), names, values, 3, SECRET, 300, &event),
               OPENAI_INVALID_WEBHOOK_SIGNATURE);
    CHECK(event == NULL);
    /* Only two headers: the signature's is missing. */
    CHECK_CODE(openai_webhooks_verify_signature(PAYLOAD, strlen(PAYLOAD), names, values, 2, SECRET, -1),
               OPENAI_INVALID_WEBHOOK_SIGNATURE);
    CHECK_STR(openai_last_error(), "Could not find webhook-signature header");
    CHECK_CODE(openai_webhooks_verify_signature(PAYLOAD, strlen(PAYLOAD), NULL, values, 3, SECRET, -1), OPENAI_INVALID_ARGUMENT);

    free(tampered);
    return finish("test_webhooks");
}
