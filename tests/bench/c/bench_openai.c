/* The benchmarks of libopenai called from C, against the mock server.
 *
 *   bench_openai MODE [ARGS]      (BENCH_BASE_URL = the mock's <url>/v1)
 *
 * Modes (one result line each, see bench_common.h):
 *   seq N WARMUP          sequential blocking calls: median and p99 microseconds per call
 *   queue INFLIGHT TOTAL  futures through one openai_queue, the window kept full: calls per second
 *   stream CHUNKS         one stream of CHUNKS chat chunks pulled with openai_stream_next
 *   stream-cb CHUNKS      the same stream pushed to a callback (no hand-off to the caller's thread)
 *   mem-inflight N HOLD_MS   RSS before, with N futures in flight (the mock holds each answer;
 *                         see run.sh), and the peak (VmHWM)
 *   mem-seq N             VmRSS before and after N sequential calls, with samples along the way
 *   client-new N          openai_client_new + openai_client_free, N times: mean and median cost
 *   first-call            in a fresh process: client_new, the first call, the second call
 */
#include "bench_common.h"

#include <pthread.h>
#include <unistd.h>

#include "openai.h"

static const char *IMPL = "libopenai";
static char options[1024];
/* The same mock under a path prefix whose answers the mock holds (see run.sh), for mem-inflight. */
static char hold_options[1024];

static openai_client *client_with(const char *opts) {
    openai_client *client = NULL;
    if (openai_client_new(opts, &client) != OPENAI_OK)
        DIE("openai_client_new: %s", openai_last_error());
    return client;
}

static openai_client *new_client(void) {
    return client_with(options);
}

/* One blocking call; returns 0 on success. */
static int call(openai_client *client) {
    openai_response *response = NULL;
    size_t len = 0;
    openai_code code = openai_chat_completions_create(client, BENCH_BODY, &response);
    const char *body = openai_response_body(response, &len);
    int failed = code != OPENAI_OK || body == NULL || len == 0;
    if (failed)
        fprintf(stderr, "call failed: %d %s\n", (int)code, openai_response_error_message(response));
    openai_response_free(response);
    return failed;
}

static void bench_seq(long n, long warmup) {
    openai_client *client = new_client();
    double *lat = malloc(sizeof(double) * (size_t)n);
    long errors = 0;
    for (long i = 0; i < warmup; i++)
        errors += call(client);
    double start = now_us();
    for (long i = 0; i < n; i++) {
        double t0 = now_us();
        errors += call(client);
        lat[i] = now_us() - t0;
    }
    double total = now_us() - start;
    lat_stats s = latency_stats(lat, (size_t)n);
    result("seq", IMPL, "\"n\":%ld,\"median_us\":%.2f,\"p99_us\":%.2f,\"mean_us\":%.2f,\"min_us\":%.2f,"
                        "\"calls_per_s\":%.1f,\"errors\":%ld",
           n, s.median, s.p99, s.mean, s.min, n / (total / 1e6), errors);
    free(lat);
    openai_client_free(client);
}

static openai_future *start(openai_client *client) {
    return openai_chat_completions_create_async(client, BENCH_BODY, NULL, NULL);
}

/* Runs `total` calls with `inflight` of them in flight at all times; returns the errors. */
static long run_window(openai_client *client, openai_queue *queue, long inflight, long total) {
    long started = 0, done = 0, errors = 0;
    while (started < inflight && started < total) {
        openai_queue_add(queue, start(client));
        started++;
    }
    while (done < total) {
        openai_future *future = NULL;
        openai_response *response = NULL;
        if (openai_queue_next(queue, -1, &future) != OPENAI_OK)
            DIE("openai_queue_next: %s", openai_last_error());
        if (openai_future_take(future, &response) != OPENAI_OK) {
            if (errors < 5)
                fprintf(stderr, "async call failed: %s\n", openai_response_error_message(response));
            errors++;
        }
        openai_response_free(response);
        openai_future_free(future);
        done++;
        if (started < total) {
            openai_queue_add(queue, start(client));
            started++;
        }
    }
    return errors;
}

static void bench_queue(long inflight, long total) {
    openai_client *client = new_client();
    openai_queue *queue = openai_queue_new();
    /* Warm-up: opens the connections the window needs. */
    long errors = run_window(client, queue, inflight, inflight * 2);
    double t0 = now_us();
    errors += run_window(client, queue, inflight, total);
    double seconds = (now_us() - t0) / 1e6;
    result("throughput", IMPL, "\"inflight\":%ld,\"n\":%ld,\"seconds\":%.3f,\"rps\":%.1f,\"errors\":%ld",
           inflight, total, seconds, total / seconds, errors);
    openai_queue_free(queue);
    openai_client_free(client);
}

static char *stream_body(long chunks) {
    static char body[512];
    snprintf(body, sizeof body,
             "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}],"
             "\"mock_chunks\":%ld}",
             chunks);
    return body;
}

static void bench_stream(long chunks) {
    openai_client *client = new_client();
    openai_stream *stream = NULL;
    openai_event *event = NULL;
    long events = 0;
    size_t bytes = 0;
    call(client); /* connection and runtime up */
    double t0 = now_us();
    openai_code code = openai_chat_completions_create_stream(client, stream_body(chunks), &stream);
    if (code != OPENAI_OK)
        DIE("stream: %d %s", (int)code, openai_last_error());
    while ((code = openai_stream_next(stream, -1, &event)) == OPENAI_OK && event != NULL) {
        size_t len = 0;
        openai_event_data(event, &len);
        bytes += len;
        events++;
        openai_event_free(event);
    }
    double seconds = (now_us() - t0) / 1e6;
    result("stream", IMPL, "\"chunks\":%ld,\"events\":%ld,\"bytes\":%zu,\"seconds\":%.3f,\"events_per_s\":%.1f,"
                           "\"mb_per_s\":%.2f,\"errors\":%d",
           chunks, events, bytes, seconds, events / seconds, bytes / seconds / 1e6, code != OPENAI_OK);
    openai_stream_free(stream);
    openai_client_free(client);
}

static struct {
    pthread_mutex_t lock;
    pthread_cond_t ended;
    int done;
    long events;
    size_t bytes;
} cb_state = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0};

static bool on_event(openai_stream *stream, const openai_event *event, void *userdata) {
    (void)stream;
    (void)userdata;
    if (event == NULL) {
        pthread_mutex_lock(&cb_state.lock);
        cb_state.done = 1;
        pthread_cond_signal(&cb_state.ended);
        pthread_mutex_unlock(&cb_state.lock);
        return true;
    }
    size_t len = 0;
    openai_event_data(event, &len);
    cb_state.bytes += len;
    cb_state.events++;
    return true;
}

static void bench_stream_cb(long chunks) {
    openai_client *client = new_client();
    call(client);
    double t0 = now_us();
    openai_stream *stream = openai_chat_completions_create_stream_async(client, stream_body(chunks), on_event, NULL);
    pthread_mutex_lock(&cb_state.lock);
    while (!cb_state.done)
        pthread_cond_wait(&cb_state.ended, &cb_state.lock);
    pthread_mutex_unlock(&cb_state.lock);
    double seconds = (now_us() - t0) / 1e6;
    int failed = openai_stream_code(stream) != OPENAI_OK;
    result("stream_cb", IMPL, "\"chunks\":%ld,\"events\":%ld,\"bytes\":%zu,\"seconds\":%.3f,\"events_per_s\":%.1f,"
                              "\"mb_per_s\":%.2f,\"errors\":%d",
           chunks, cb_state.events, cb_state.bytes, seconds, cb_state.events / seconds, cb_state.bytes / seconds / 1e6,
           failed);
    openai_stream_free(stream);
    openai_client_free(client);
}

static void bench_mem_inflight(long n, long hold_ms) {
    if (!hold_options[0])
        DIE("mem-inflight needs BENCH_HOLD_BASE_URL");
    openai_client *client = new_client();
    openai_client *held = client_with(hold_options);
    openai_queue *queue = openai_queue_new();
    long errors = 0;
    /* Runtime, worker threads and a few connections up before the baseline. */
    for (int i = 0; i < 100; i++)
        errors += call(client);
    errors += run_window(client, queue, 16, 64);
    long before = proc_status_kb("VmRSS");
    double t0 = now_us();
    for (long i = 0; i < n; i++)
        openai_queue_add(queue, start(held));
    double started_ms = (now_us() - t0) / 1e3;
    /* The mock holds every answer hold_ms: sample while they are all in flight. */
    long inflight_kb = 0;
    for (long waited = 0; waited < hold_ms * 3 / 4; waited += 50) {
        usleep(50 * 1000);
        long kb = proc_status_kb("VmRSS");
        if (kb > inflight_kb)
            inflight_kb = kb;
    }
    long done = 0;
    while (openai_queue_len(queue) > 0) {
        openai_future *future = NULL;
        openai_response *response = NULL;
        if (openai_queue_next(queue, -1, &future) != OPENAI_OK)
            break;
        if (openai_future_take(future, &response) != OPENAI_OK) {
            if (errors < 5)
                fprintf(stderr, "in-flight call failed: %s\n", openai_response_error_message(response));
            errors++;
        }
        openai_response_free(response);
        openai_future_free(future);
        done++;
    }
    double seconds = (now_us() - t0) / 1e6;
    long hwm = proc_status_kb("VmHWM");
    long after = proc_status_kb("VmRSS");
    result("mem_inflight", IMPL,
           "\"n\":%ld,\"rss_before_kb\":%ld,\"rss_inflight_kb\":%ld,\"hwm_kb\":%ld,\"rss_after_kb\":%ld,"
           "\"bytes_per_call\":%.0f,\"bytes_per_call_peak\":%.0f,\"start_ms\":%.1f,\"seconds\":%.3f,"
           "\"completed\":%ld,\"errors\":%ld",
           n, before, inflight_kb, hwm, after, (inflight_kb - before) * 1024.0 / n, (hwm - before) * 1024.0 / n,
           started_ms, seconds, done, errors);
    openai_queue_free(queue);
    openai_client_free(held);
    openai_client_free(client);
}

static void bench_mem_seq(long n) {
    openai_client *client = new_client();
    long errors = 0;
    for (int i = 0; i < 10000 && i < n; i++)
        errors += call(client);
    long before = proc_status_kb("VmRSS");
    long samples[11];
    int ns = 0;
    samples[ns++] = before;
    double t0 = now_us();
    for (long i = 1; i <= n; i++) {
        errors += call(client);
        if (i % (n / 10 > 0 ? n / 10 : 1) == 0 && ns < 11)
            samples[ns++] = proc_status_kb("VmRSS");
    }
    double seconds = (now_us() - t0) / 1e6;
    long after = proc_status_kb("VmRSS");
    char list[256];
    size_t off = 0;
    for (int i = 0; i < ns; i++)
        off += (size_t)snprintf(list + off, sizeof list - off, "%s%ld", i ? "," : "", samples[i]);
    result("mem_seq", IMPL, "\"n\":%ld,\"rss_before_kb\":%ld,\"rss_after_kb\":%ld,\"growth_kb\":%ld,"
                            "\"samples_kb\":[%s],\"seconds\":%.1f,\"errors\":%ld",
           n, before, after, after - before, list, seconds, errors);
    openai_client_free(client);
}

static void bench_client_new(long n) {
    double *lat = malloc(sizeof(double) * (size_t)n);
    for (long i = 0; i < n; i++) {
        double t0 = now_us();
        openai_client *client = new_client();
        lat[i] = now_us() - t0;
        openai_client_free(client);
    }
    lat_stats s = latency_stats(lat, (size_t)n);
    result("client_new", IMPL, "\"n\":%ld,\"mean_us\":%.1f,\"median_us\":%.1f,\"min_us\":%.1f,\"max_us\":%.1f", n,
           s.mean, s.median, s.min, s.max);
    free(lat);
}

static void bench_first_call(void) {
    double t0 = now_us();
    openai_client *client = new_client();
    double t1 = now_us();
    int errors = call(client);
    double t2 = now_us();
    errors += call(client);
    double t3 = now_us();
    result("first_call", IMPL, "\"client_new_us\":%.1f,\"first_call_us\":%.1f,\"second_call_us\":%.1f,\"errors\":%d",
           t1 - t0, t2 - t1, t3 - t2, errors);
    openai_client_free(client);
}

int main(int argc, char **argv) {
    const char *base = getenv("BENCH_BASE_URL");
    if (!base || argc < 2)
        DIE("usage: BENCH_BASE_URL=http://127.0.0.1:PORT/v1 %s MODE [ARGS]", argv[0]);
    /* BENCH_OPENAI_OPTIONS: more client options for experiments, e.g. "timeout":null */
    const char *extra = getenv("BENCH_OPENAI_OPTIONS");
    snprintf(options, sizeof options, "{\"api_key\":\"sk-bench\",\"base_url\":\"%s\"%s%s}", base,
             extra && *extra ? "," : "", extra ? extra : "");
    const char *hold = getenv("BENCH_HOLD_BASE_URL");
    if (hold)
        snprintf(hold_options, sizeof hold_options,
                 "{\"api_key\":\"sk-bench\",\"base_url\":\"%s\",\"connect_timeout\":60}", hold);
    const char *mode = argv[1];
    if (strcmp(mode, "seq") == 0)
        bench_seq(arg_long(argc, argv, 2, 20000), arg_long(argc, argv, 3, 2000));
    else if (strcmp(mode, "queue") == 0)
        bench_queue(arg_long(argc, argv, 2, 64), arg_long(argc, argv, 3, 50000));
    else if (strcmp(mode, "stream") == 0)
        bench_stream(arg_long(argc, argv, 2, 1000000));
    else if (strcmp(mode, "stream-cb") == 0)
        bench_stream_cb(arg_long(argc, argv, 2, 1000000));
    else if (strcmp(mode, "mem-inflight") == 0)
        bench_mem_inflight(arg_long(argc, argv, 2, 10000), arg_long(argc, argv, 3, 3000));
    else if (strcmp(mode, "mem-seq") == 0)
        bench_mem_seq(arg_long(argc, argv, 2, 1000000));
    else if (strcmp(mode, "client-new") == 0)
        bench_client_new(arg_long(argc, argv, 2, 200));
    else if (strcmp(mode, "first-call") == 0)
        bench_first_call();
    else
        DIE("unknown mode %s", mode);
    return 0;
}
