/* The benchmarks of libopenai called from C, against the mock server.
 *
 *   bench_openai MODE [ARGS]      (BENCH_BASE_URL = the mock's <url>/v1)
 *
 * Modes (one result line each, see bench_common.h):
 *   seq N WARMUP          sequential blocking calls: median and p99 microseconds per call
 *   queue INFLIGHT TOTAL  futures through one openai_queue, the window kept full: calls per second
 *   queue-many INFLIGHT TOTAL BATCH   the same, completions taken up to BATCH at a time with
 *                         openai_queue_next_many
 *   stream CHUNKS         one stream of CHUNKS chat chunks pulled with openai_stream_next
 *   stream-cb CHUNKS      the same stream pushed to a callback (no hand-off to the caller's thread)
 *   mem-inflight N HOLD_MS [unbounded]   RSS before and with N futures in flight (the mock
 *                         holds each answer HOLD_MS; see run.sh), sampled once the mock has them
 *                         all (the default max_connections: 256 of them; "unbounded": the
 *                         option null, one connection per call) and none has completed
 *   embed N COMPRESS      N embeddings calls with a large answer (BENCH_EMBED_INPUTS inputs of
 *                         BENCH_EMBED_DIMS dimensions); COMPRESS 0 sends Accept-Encoding:
 *                         identity, 1 the library's default (gzip, deflate): time per call and
 *                         bytes on the wire (the mock's bytes_sent)
 *   latency EVENTS DELAY_MS   a stream of EVENTS chunks written DELAY_MS apart, each stamped
 *                         by the mock as it leaves: how long until openai_stream_next returns it
 *   latency-cb EVENTS DELAY_MS   the same, until the callback receives it
 *   streams N CHUNKS DELAY_MS WINDOW_MS   N streams open at once (callbacks), each CHUNKS chunks
 *                         DELAY_MS apart: RSS per open stream, CPU per event over WINDOW_MS
 *   mem-seq N             VmRSS before and after N sequential calls, with samples along the way
 *   client-new N          openai_client_new + openai_client_free, N times: mean and median cost
 *   first-call            in a fresh process: client_new, the first call, the second call
 *
 * Environment: BENCH_BASE_URL; BENCH_MOCK_URL (the plain mock, for its counters);
 * BENCH_HOLD_BASE_URL (mem-inflight); BENCH_CA_FILE (TLS: the mock's CA, as ca_bundle) with
 * BENCH_HTTP=1.1 (http1_only) or 2 (HTTP/2 by ALPN); BENCH_TRANSPORT tags the results;
 * BENCH_OPENAI_OPTIONS adds client options.
 */
#include "bench_common.h"

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "openai.h"

static const char *IMPL = "libopenai";
static char options[2048];
/* The same mock under a path prefix whose answers the mock holds (see run.sh), for mem-inflight. */
static char hold_base[1024];
/* The client options every mode shares after the base URL: TLS, BENCH_OPENAI_OPTIONS. */
static char common_options[1536];

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

/* run_window with completions taken up to `batch` at a time (openai_queue_next_many). */
static long run_window_many(openai_client *client, openai_queue *queue, long inflight, long total, size_t batch) {
    openai_future **done_futures = calloc(batch, sizeof *done_futures);
    long started = 0, done = 0, errors = 0;
    while (started < inflight && started < total) {
        openai_queue_add(queue, start(client));
        started++;
    }
    while (done < total) {
        size_t count = 0;
        if (openai_queue_next_many(queue, -1, done_futures, batch, &count) != OPENAI_OK || count == 0)
            DIE("openai_queue_next_many: %s", openai_last_error());
        for (size_t i = 0; i < count; i++) {
            openai_response *response = NULL;
            if (openai_future_take(done_futures[i], &response) != OPENAI_OK) {
                if (errors < 5)
                    fprintf(stderr, "async call failed: %s\n", openai_response_error_message(response));
                errors++;
            }
            openai_response_free(response);
            openai_future_free(done_futures[i]);
            done++;
            if (started < total) {
                openai_queue_add(queue, start(client));
                started++;
            }
        }
    }
    free(done_futures);
    return errors;
}

/* batch 0: one at a time with openai_queue_next; otherwise openai_queue_next_many. */
static void bench_queue(long inflight, long total, long batch) {
    openai_client *client = new_client();
    openai_queue *queue = openai_queue_new();
    /* Warm-up: opens the connections the window needs. */
    long errors = batch ? run_window_many(client, queue, inflight, inflight * 2, (size_t)batch)
                        : run_window(client, queue, inflight, inflight * 2);
    double t0 = now_us();
    errors += batch ? run_window_many(client, queue, inflight, total, (size_t)batch)
                    : run_window(client, queue, inflight, total);
    double seconds = (now_us() - t0) / 1e6;
    result("throughput", batch ? "libopenai-many" : IMPL,
           "\"inflight\":%ld,\"n\":%ld,\"batch\":%ld,\"seconds\":%.3f,\"rps\":%.1f,\"errors\":%ld", inflight,
           total, batch, seconds, total / seconds, errors);
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

/* Takes every completed future of the queue without waiting; returns how many, counting the
 * failed ones in *errors. */
static long drain_completed(openai_queue *queue, long *errors) {
    long n = 0;
    openai_future *future = NULL;
    while (openai_queue_next(queue, 0, &future) == OPENAI_OK) {
        openai_response *response = NULL;
        if (openai_future_take(future, &response) != OPENAI_OK) {
            if (*errors < 5)
                fprintf(stderr, "in-flight call failed: %s\n", openai_response_error_message(response));
            (*errors)++;
        }
        openai_response_free(response);
        openai_future_free(future);
        n++;
    }
    return n;
}

static void bench_mem_inflight(long n, long hold_ms, int unbounded) {
    if (!hold_base[0])
        DIE("mem-inflight needs BENCH_HOLD_BASE_URL");
    /* The default max_connections (256): the calls past it wait for a connection. */
    const long limit = 256;
    char opts[4096];
    snprintf(opts, sizeof opts, "{\"api_key\":\"sk-bench\",\"base_url\":\"%s\",\"connect_timeout\":60%s%s}", hold_base,
             unbounded ? ",\"max_connections\":null" : "", common_options);
    const char *impl = unbounded ? "libopenai-unbounded" : "libopenai";
    long on_wire = unbounded || n < limit ? n : limit;
    openai_client *client = new_client();
    openai_client *held = client_with(opts);
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
    /* Sampled once the mock holds every call that can be on the wire (all N, or the 256 of the
     * limit) and none has completed: then every call is in flight. A few samples 50 ms apart,
     * the largest kept. */
    long early = 0, at_mock = 0, inflight_kb = 0, at_mock_after = 0;
    int sampled = 0;
    while (now_us() - t0 < hold_ms * 1000.0) {
        early += drain_completed(queue, &errors);
        at_mock = mock_in_progress();
        if (at_mock >= on_wire) {
            for (int i = 0; i < 5; i++) {
                long kb = proc_status_kb("VmRSS");
                if (kb > inflight_kb)
                    inflight_kb = kb;
                usleep(50 * 1000);
            }
            early += drain_completed(queue, &errors);
            at_mock_after = mock_in_progress();
            sampled = early == 0 && at_mock_after >= on_wire;
            break;
        }
        usleep(10 * 1000);
    }
    double sampled_ms = (now_us() - t0) / 1e3;
    /* Every call on the wire is then checked; with the limit, once the first 256 have completed
     * the rest are cancelled (they would take N / 256 hold periods). */
    long done = early, cancelled = 0;
    while (done < (unbounded ? n : on_wire)) {
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
    cancelled = (long)openai_queue_len(queue);
    double seconds = (now_us() - t0) / 1e6;
    long hwm = proc_status_kb("VmHWM");
    openai_queue_free(queue);
    long after = proc_status_kb("VmRSS");
    result("mem_inflight", impl,
           "\"n\":%ld,\"max_connections\":%s,\"rss_before_kb\":%ld,\"rss_inflight_kb\":%ld,\"hwm_kb\":%ld,"
           "\"rss_after_kb\":%ld,\"bytes_per_call\":%.0f,\"bytes_per_call_peak\":%.0f,\"start_ms\":%.1f,"
           "\"sampled_at_ms\":%.1f,\"mock_in_progress\":%ld,\"expected_at_mock\":%ld,\"completed_before_sample\":%ld,"
           "\"all_in_flight\":%s,\"seconds\":%.3f,\"completed\":%ld,\"cancelled_after\":%ld,\"errors\":%ld",
           n, unbounded ? "null" : "256", before, inflight_kb, hwm, after, (inflight_kb - before) * 1024.0 / n,
           (hwm - before) * 1024.0 / n, started_ms, sampled_ms, at_mock_after, on_wire, early,
           sampled ? "true" : "false", seconds, done, cancelled, errors + (sampled ? 0 : 1));
    openai_client_free(held);
    openai_client_free(client);
}

/* The large embeddings request: BENCH_EMBED_INPUTS inputs, BENCH_EMBED_DIMS dimensions. */
static char *embed_body(void) {
    long inputs = env_long("BENCH_EMBED_INPUTS", 2048), dims = env_long("BENCH_EMBED_DIMS", 1536);
    size_t cap = (size_t)inputs * 24 + 256, len = 0;
    char *body = malloc(cap);
    len += (size_t)snprintf(body + len, cap - len, "{\"model\":\"text-embedding-3-small\",\"input\":[");
    for (long i = 0; i < inputs; i++)
        len += (size_t)snprintf(body + len, cap - len, "%s\"input %ld\"", i ? "," : "", i);
    snprintf(body + len, cap - len, "],\"dimensions\":%ld}", dims);
    return body;
}

static void bench_embed(long n, int compress) {
    char opts[4096];
    snprintf(opts, sizeof opts, "{\"api_key\":\"sk-bench\",\"base_url\":\"%s\"%s%s}", getenv("BENCH_BASE_URL"),
             compress ? "" : ",\"default_headers\":{\"accept-encoding\":\"identity\"}", common_options);
    openai_client *client = client_with(opts);
    char *body = embed_body();
    long expect_len = env_long("BENCH_EMBED_LEN", 0);
    double *lat = malloc(sizeof(double) * (size_t)n);
    long long wire = 0;
    size_t body_len = 0;
    long errors = call(client); /* connection up */
    for (long i = 0; i < n; i++) {
        long long sent0 = mock_bytes_sent();
        double t0 = now_us();
        openai_response *response = NULL;
        openai_code code = openai_embeddings_create(client, body, &response);
        lat[i] = now_us() - t0;
        wire += mock_bytes_sent() - sent0;
        openai_response_body(response, &body_len);
        if (code != OPENAI_OK || (expect_len && (long)body_len != expect_len)) {
            fprintf(stderr, "embeddings call failed: %d %s, %zu bytes (expected %ld)\n", (int)code,
                    openai_response_error_message(response), body_len, expect_len);
            errors++;
        }
        openai_response_free(response);
    }
    lat_stats s = latency_stats(lat, (size_t)n);
    result("embed", IMPL, "\"compress\":%s,\"n\":%ld,\"median_ms\":%.2f,\"min_ms\":%.2f,\"wire_bytes\":%lld,"
                          "\"body_bytes\":%zu,\"errors\":%ld",
           compress ? "true" : "false", n, s.median / 1e3, s.min / 1e3, wire / n, body_len, errors);
    free(lat);
    free(body);
    openai_client_free(client);
}

static char *latency_body(long events, long delay_ms) {
    static char body[512];
    snprintf(body, sizeof body,
             "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}],"
             "\"mock_chunks\":%ld,\"mock_delay_ms\":%ld,\"mock_stamp\":true}",
             events, delay_ms);
    return body;
}

static void latency_result(const char *bench, double *lat, long n, long events, long delay_ms, long errors) {
    lat_stats s = latency_stats(lat, (size_t)n);
    result(bench, IMPL, "\"events\":%ld,\"delay_ms\":%ld,\"n\":%ld,\"median_us\":%.1f,\"p99_us\":%.1f,\"mean_us\":%.1f,"
                        "\"min_us\":%.1f,\"max_us\":%.1f,\"errors\":%ld",
           events, delay_ms, n, s.median, s.p99, s.mean, s.min, s.max, errors + (n != events));
}

static void bench_latency(long events, long delay_ms) {
    openai_client *client = new_client();
    openai_stream *stream = NULL;
    openai_event *event = NULL;
    double *lat = malloc(sizeof(double) * (size_t)events);
    long n = 0, errors = call(client);
    openai_code code = openai_chat_completions_create_stream(client, latency_body(events, delay_ms), &stream);
    if (code != OPENAI_OK)
        DIE("stream: %d %s", (int)code, openai_last_error());
    while ((code = openai_stream_next(stream, -1, &event)) == OPENAI_OK && event != NULL) {
        uint64_t seen = now_ns();
        size_t len = 0;
        const char *data = openai_event_data(event, &len);
        uint64_t stamp = chunk_stamp(data, len);
        if (stamp && n < events)
            lat[n++] = (double)(seen - stamp) / 1e3;
        openai_event_free(event);
    }
    errors += code != OPENAI_OK;
    latency_result("latency", lat, n, events, delay_ms, errors);
    free(lat);
    openai_stream_free(stream);
    openai_client_free(client);
}

static struct {
    pthread_mutex_t lock;
    pthread_cond_t ended;
    int done;
    double *lat;
    long n, cap;
} lat_state = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, NULL, 0, 0};

static bool on_stamped_event(openai_stream *stream, const openai_event *event, void *userdata) {
    (void)stream;
    (void)userdata;
    if (event == NULL) {
        pthread_mutex_lock(&lat_state.lock);
        lat_state.done = 1;
        pthread_cond_signal(&lat_state.ended);
        pthread_mutex_unlock(&lat_state.lock);
        return true;
    }
    uint64_t seen = now_ns();
    size_t len = 0;
    const char *data = openai_event_data(event, &len);
    uint64_t stamp = chunk_stamp(data, len);
    if (stamp && lat_state.n < lat_state.cap)
        lat_state.lat[lat_state.n++] = (double)(seen - stamp) / 1e3;
    return true;
}

static void bench_latency_cb(long events, long delay_ms) {
    openai_client *client = new_client();
    long errors = call(client);
    lat_state.lat = malloc(sizeof(double) * (size_t)events);
    lat_state.cap = events;
    openai_stream *stream =
        openai_chat_completions_create_stream_async(client, latency_body(events, delay_ms), on_stamped_event, NULL);
    pthread_mutex_lock(&lat_state.lock);
    while (!lat_state.done)
        pthread_cond_wait(&lat_state.ended, &lat_state.lock);
    pthread_mutex_unlock(&lat_state.lock);
    errors += openai_stream_code(stream) != OPENAI_OK;
    latency_result("latency_cb", lat_state.lat, lat_state.n, events, delay_ms, errors);
    free(lat_state.lat);
    openai_stream_free(stream);
    openai_client_free(client);
}

/* One of the many open streams: what its callback has seen. */
typedef struct {
    atomic_long events;
    atomic_int ended;
    atomic_long bad;
} open_stream;

static atomic_long streams_started, streams_ended, stream_events;

static bool on_open_stream_event(openai_stream *stream, const openai_event *event, void *userdata) {
    (void)stream;
    open_stream *s = userdata;
    if (event == NULL) {
        atomic_store(&s->ended, 1);
        atomic_fetch_add(&streams_ended, 1);
        return true;
    }
    size_t len = 0;
    openai_event_data(event, &len);
    if (len == 0)
        atomic_fetch_add(&s->bad, 1);
    if (atomic_fetch_add(&s->events, 1) == 0)
        atomic_fetch_add(&streams_started, 1);
    atomic_fetch_add(&stream_events, 1);
    return true;
}

static void bench_streams(long n, long chunks, long delay_ms, long window_ms) {
    /* Over HTTP/1.1 one connection per stream (max_connections null); over HTTP/2 the streams
     * share the front's connection. */
    char opts[4096];
    snprintf(opts, sizeof opts, "{\"api_key\":\"sk-bench\",\"base_url\":\"%s\",\"connect_timeout\":60%s%s}",
             getenv("BENCH_BASE_URL"), want_http2() ? "" : ",\"max_connections\":null", common_options);
    openai_client *client = client_with(opts);
    char body[512];
    snprintf(body, sizeof body,
             "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi.\"}],"
             "\"mock_chunks\":%ld,\"mock_delay_ms\":%ld}",
             chunks, delay_ms);
    open_stream *slots = calloc((size_t)n, sizeof *slots);
    openai_stream **streams = calloc((size_t)n, sizeof *streams);
    long errors = call(client); /* runtime and a connection up */
    long before = proc_status_kb("VmRSS");
    double cpu0 = cpu_us(), t0 = now_us();
    for (long i = 0; i < n; i++)
        streams[i] = openai_chat_completions_create_stream_async(client, body, on_open_stream_event, &slots[i]);
    /* Open: every stream has had its first event. */
    double limit_us = t0 + (double)(chunks * delay_ms) * 1000.0;
    while (atomic_load(&streams_started) < n && now_us() < limit_us)
        usleep(5 * 1000);
    double open_s = (now_us() - t0) / 1e6;
    double cpu_open = cpu_us() - cpu0;
    long open_kb = proc_status_kb("VmRSS");
    long started_at_open = atomic_load(&streams_started);
    long ended_at_open = atomic_load(&streams_ended);
    long at_mock = mock_in_progress();
    /* CPU per event while they all stay open. */
    long e1 = atomic_load(&stream_events);
    double cpu1 = cpu_us(), t1 = now_us();
    usleep((useconds_t)window_ms * 1000);
    long e2 = atomic_load(&stream_events);
    double cpu2 = cpu_us(), t2 = now_us();
    long ended_in_window = atomic_load(&streams_ended);
    while (atomic_load(&streams_ended) < n && now_us() < t0 + 600e6)
        usleep(10 * 1000);
    double seconds = (now_us() - t0) / 1e6;
    long short_streams = 0, bad = 0;
    for (long i = 0; i < n; i++) {
        if (!atomic_load(&slots[i].ended) || openai_stream_code(streams[i]) != OPENAI_OK ||
            atomic_load(&slots[i].events) != chunks + 2) {
            if (short_streams < 3)
                fprintf(stderr, "stream %ld: code %d after %ld events: %s\n", i, (int)openai_stream_code(streams[i]),
                        atomic_load(&slots[i].events), openai_stream_error_message(streams[i]));
            short_streams++;
        }
        bad += atomic_load(&slots[i].bad);
        openai_stream_free(streams[i]);
    }
    if (short_streams)
        fprintf(stderr, "%ld of %ld streams did not end cleanly with %ld events\n", short_streams, n, chunks + 2);
    /* Valid when every stream had begun at the memory sample and none ended before the CPU
     * window closed. */
    int all_open = started_at_open == n && ended_in_window == 0;
    if (!all_open)
        fprintf(stderr, "streams: %ld of %ld open at the sample, %ld ended by the end of the window\n", started_at_open,
                n, ended_in_window);
    result("streams", IMPL,
           "\"n\":%ld,\"chunks\":%ld,\"delay_ms\":%ld,\"rss_before_kb\":%ld,\"rss_open_kb\":%ld,"
           "\"bytes_per_stream\":%.0f,\"open_seconds\":%.3f,\"cpu_open_us_per_stream\":%.1f,\"mock_in_progress\":%ld,"
           "\"window_s\":%.3f,\"window_events\":%ld,\"cpu_us_per_event\":%.2f,\"cpu_share\":%.3f,"
           "\"all_open\":%s,\"ended_before_window\":%ld,\"events\":%ld,\"seconds\":%.3f,\"errors\":%ld",
           n, chunks, delay_ms, before, open_kb, (open_kb - before) * 1024.0 / n, open_s, cpu_open / n, at_mock,
           (t2 - t1) / 1e6, e2 - e1, e2 > e1 ? (cpu2 - cpu1) / (double)(e2 - e1) : 0.0, (cpu2 - cpu1) / (t2 - t1),
           all_open ? "true" : "false", ended_at_open, atomic_load(&stream_events), seconds,
           errors + short_streams + bad + !all_open);
    free(streams);
    free(slots);
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
    /* TLS: the mock's certificate authority, and HTTP/1.1 offered alone unless BENCH_HTTP=2. */
    const char *ca = getenv("BENCH_CA_FILE");
    size_t off = 0;
    if (ca && *ca)
        off += (size_t)snprintf(common_options + off, sizeof common_options - off, ",\"ca_bundle\":\"%s\"%s", ca,
                                want_http2() ? "" : ",\"http1_only\":true");
    /* BENCH_OPENAI_OPTIONS: more client options for experiments, e.g. "timeout":null */
    const char *extra = getenv("BENCH_OPENAI_OPTIONS");
    if (extra && *extra)
        snprintf(common_options + off, sizeof common_options - off, ",%s", extra);
    snprintf(options, sizeof options, "{\"api_key\":\"sk-bench\",\"base_url\":\"%s\"%s}", base, common_options);
    const char *hold = getenv("BENCH_HOLD_BASE_URL");
    if (hold)
        snprintf(hold_base, sizeof hold_base, "%s", hold);
    const char *mode = argv[1];
    if (strcmp(mode, "seq") == 0)
        bench_seq(arg_long(argc, argv, 2, 20000), arg_long(argc, argv, 3, 2000));
    else if (strcmp(mode, "queue") == 0)
        bench_queue(arg_long(argc, argv, 2, 64), arg_long(argc, argv, 3, 50000), 0);
    else if (strcmp(mode, "queue-many") == 0)
        bench_queue(arg_long(argc, argv, 2, 64), arg_long(argc, argv, 3, 50000), arg_long(argc, argv, 4, 64));
    else if (strcmp(mode, "stream") == 0)
        bench_stream(arg_long(argc, argv, 2, 1000000));
    else if (strcmp(mode, "stream-cb") == 0)
        bench_stream_cb(arg_long(argc, argv, 2, 1000000));
    else if (strcmp(mode, "mem-inflight") == 0)
        bench_mem_inflight(arg_long(argc, argv, 2, 10000), arg_long(argc, argv, 3, 3000),
                           argc > 4 && strcmp(argv[4], "unbounded") == 0);
    else if (strcmp(mode, "embed") == 0)
        bench_embed(arg_long(argc, argv, 2, 5), (int)arg_long(argc, argv, 3, 1));
    else if (strcmp(mode, "latency") == 0)
        bench_latency(arg_long(argc, argv, 2, 2000), arg_long(argc, argv, 3, 1));
    else if (strcmp(mode, "latency-cb") == 0)
        bench_latency_cb(arg_long(argc, argv, 2, 2000), arg_long(argc, argv, 3, 1));
    else if (strcmp(mode, "streams") == 0)
        bench_streams(arg_long(argc, argv, 2, 10000), arg_long(argc, argv, 3, 40), arg_long(argc, argv, 4, 500),
                      arg_long(argc, argv, 5, 5000));
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
