/* The libcurl baseline: what a C programmer would write instead of libopenai. The same request
 * (body byte for byte, the same headers) against the mock server.
 *
 *   bench_curl MODE [ARGS]      (BENCH_BASE_URL = the mock's <url>/v1)
 *
 *   seq N WARMUP          easy interface, one reused handle (keep-alive): median, p99 per call
 *   multi INFLIGHT TOTAL  multi interface, INFLIGHT handles reused, the window kept full
 *   mem-inflight N HOLD_MS   RSS with N transfers in flight (the mock holds each answer),
 *                         sampled once the mock has all N and none has completed
 *   embed N COMPRESS      N calls of the large embeddings request; COMPRESS 1 asks for
 *                         "gzip, deflate" (CURLOPT_ACCEPT_ENCODING, decoded by libcurl)
 *   first-call            curl_easy_init and the first and second perform, in a fresh process
 *
 * TLS (BENCH_CA_FILE set): the mock's CA as CURLOPT_CAINFO; BENCH_HTTP=2 asks for HTTP/2 by
 * ALPN (CURL_HTTP_VERSION_2TLS; the multi handle multiplexes, CURLPIPE_MULTIPLEX, and a new
 * transfer waits for a connection that can take it, CURLOPT_PIPEWAIT), otherwise HTTP/1.1.
 * Every transfer is checked: status 200, a body, and the HTTP version asked for.
 */
#include "bench_common.h"

#include <curl/curl.h>
#include <unistd.h>

static const char *IMPL = "libcurl";
static char url[512];
static const char *ca_file;
static long want_version = CURL_HTTP_VERSION_1_1;
/* The same mock under a path prefix whose answers the mock holds (see run.sh), for mem-inflight. */
static char hold_url[512];
static struct curl_slist *headers;

typedef struct {
    char *data;
    size_t len, cap;
} buffer;

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata) {
    buffer *b = userdata;
    size_t n = size * nmemb;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *data = realloc(b->data, cap);
        if (!data)
            return 0;
        b->data = data;
        b->cap = cap;
    }
    memcpy(b->data + b->len, ptr, n);
    b->len += n;
    b->data[b->len] = 0;
    return n;
}

static CURL *new_handle(buffer *b) {
    CURL *h = curl_easy_init();
    if (!h)
        DIE("curl_easy_init failed");
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, BENCH_BODY);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(BENCH_BODY));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, b);
    if (ca_file) {
        curl_easy_setopt(h, CURLOPT_CAINFO, ca_file);
        curl_easy_setopt(h, CURLOPT_HTTP_VERSION, want_http2() ? (long)CURL_HTTP_VERSION_2TLS : (long)CURL_HTTP_VERSION_1_1);
        if (want_http2())
            curl_easy_setopt(h, CURLOPT_PIPEWAIT, 1L);
    } else {
        curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    }
    curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 60L);
    return h;
}

/* Whether a finished transfer is what was asked for: 200, a body, the HTTP version. */
static int transfer_ok(CURL *h, CURLcode rc, const buffer *b, int quiet) {
    long status = 0, version = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(h, CURLINFO_HTTP_VERSION, &version);
    if (rc != CURLE_OK || status != 200 || b->len == 0 || version != want_version) {
        if (!quiet)
            fprintf(stderr, "curl call failed: %s, status %ld, CURL_HTTP_VERSION %ld (asked %ld)\n", curl_easy_strerror(rc),
                    status, version, want_version);
        return 0;
    }
    return 1;
}

/* One call on a reused handle; 0 on success. */
static int perform(CURL *h, buffer *b) {
    b->len = 0;
    CURLcode rc = curl_easy_perform(h);
    return !transfer_ok(h, rc, b, 0);
}

static void bench_seq(long n, long warmup) {
    buffer b = {0};
    CURL *h = new_handle(&b);
    double *lat = malloc(sizeof(double) * (size_t)n);
    long errors = 0;
    for (long i = 0; i < warmup; i++)
        errors += perform(h, &b);
    double start = now_us();
    for (long i = 0; i < n; i++) {
        double t0 = now_us();
        errors += perform(h, &b);
        lat[i] = now_us() - t0;
    }
    double total = now_us() - start;
    lat_stats s = latency_stats(lat, (size_t)n);
    result("seq", IMPL, "\"n\":%ld,\"median_us\":%.2f,\"p99_us\":%.2f,\"mean_us\":%.2f,\"min_us\":%.2f,"
                        "\"calls_per_s\":%.1f,\"errors\":%ld",
           n, s.median, s.p99, s.mean, s.min, n / (total / 1e6), errors);
    curl_easy_cleanup(h);
    free(b.data);
    free(lat);
}

typedef struct {
    CURLM *multi;
    CURL **handles;
    buffer *buffers;
    long count;
} pool;

static pool pool_new(long count) {
    pool p;
    p.multi = curl_multi_init();
    p.count = count;
    p.handles = calloc((size_t)count, sizeof(CURL *));
    p.buffers = calloc((size_t)count, sizeof(buffer));
    for (long i = 0; i < count; i++) {
        p.handles[i] = new_handle(&p.buffers[i]);
        curl_easy_setopt(p.handles[i], CURLOPT_PRIVATE, (void *)(intptr_t)i);
    }
    /* Keep every connection of the window alive between transfers. */
    curl_multi_setopt(p.multi, CURLMOPT_MAXCONNECTS, count + 16);
    curl_multi_setopt(p.multi, CURLMOPT_PIPELINING, want_http2() ? CURLPIPE_MULTIPLEX : CURLPIPE_NOTHING);
    return p;
}

static void pool_free(pool *p) {
    for (long i = 0; i < p->count; i++) {
        curl_easy_cleanup(p->handles[i]);
        free(p->buffers[i].data);
    }
    curl_multi_cleanup(p->multi);
    free(p->handles);
    free(p->buffers);
}

/* Connections libcurl opened, summed over the transfers (CURLINFO_NUM_CONNECTS). */
static long connections_opened;

/* Runs `total` transfers with the pool's handles all in flight at once; returns the errors. */
static long run_window(pool *p, long total) {
    long started = 0, done = 0, errors = 0;
    for (long i = 0; i < p->count && started < total; i++, started++) {
        p->buffers[i].len = 0;
        curl_multi_add_handle(p->multi, p->handles[i]);
    }
    while (done < total) {
        int running = 0, queued = 0;
        curl_multi_perform(p->multi, &running);
        CURLMsg *msg;
        while ((msg = curl_multi_info_read(p->multi, &queued)) != NULL) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            CURL *h = msg->easy_handle;
            CURLcode rc = msg->data.result;
            intptr_t index = 0;
            long connects = 0;
            curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)&index);
            curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &connects);
            connections_opened += connects;
            if (!transfer_ok(h, rc, &p->buffers[index], errors >= 5))
                errors++;
            curl_multi_remove_handle(p->multi, h);
            done++;
            if (started < total) {
                p->buffers[index].len = 0;
                curl_multi_add_handle(p->multi, h);
                started++;
            }
        }
        if (done < total)
            curl_multi_poll(p->multi, NULL, 0, 1000, NULL);
    }
    return errors;
}

static void bench_multi(long inflight, long total) {
    pool p = pool_new(inflight);
    long errors = run_window(&p, inflight * 2);
    double t0 = now_us();
    errors += run_window(&p, total);
    double seconds = (now_us() - t0) / 1e6;
    result("throughput", "libcurl-multi",
           "\"inflight\":%ld,\"n\":%ld,\"seconds\":%.3f,\"rps\":%.1f,\"connections\":%ld,\"errors\":%ld", inflight,
           total, seconds, total / seconds, connections_opened, errors);
    pool_free(&p);
}

static void bench_mem_inflight(long n, long hold_ms) {
    long errors = 0;
    {
        /* A first small window: libcurl's own one-time set-up before the baseline. */
        pool warm = pool_new(16);
        errors += run_window(&warm, 64);
        pool_free(&warm);
    }
    long before = proc_status_kb("VmRSS");
    double t0 = now_us();
    memcpy(url, hold_url, sizeof url);
    pool p = pool_new(n);
    for (long i = 0; i < n; i++)
        curl_multi_add_handle(p.multi, p.handles[i]);
    /* Sampled once the mock holds all N requests and none has completed: then every transfer
     * is in flight. A few samples 50 ms apart, the largest kept. */
    long done = 0, early = 0, inflight_kb = 0, at_mock = 0;
    /* 0: not sampled yet; 1: sampled, and what completes by the next read counts as before it;
     * 2: after. */
    int phase = 0;
    double next_check = 0, sampled_ms = 0;
    while (done < n) {
        int running = 0, queued = 0;
        curl_multi_perform(p.multi, &running);
        CURLMsg *msg;
        while ((msg = curl_multi_info_read(p.multi, &queued)) != NULL) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            intptr_t index = 0;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&index);
            if (!transfer_ok(msg->easy_handle, msg->data.result, &p.buffers[index], errors >= 5))
                errors++;
            curl_multi_remove_handle(p.multi, msg->easy_handle);
            done++;
            if (phase < 2)
                early++;
        }
        if (phase == 1)
            phase = 2;
        if (phase == 0 && now_us() >= next_check) {
            next_check = now_us() + 10e3;
            if (mock_in_progress() >= n) {
                for (int i = 0; i < 5; i++) {
                    long kb = proc_status_kb("VmRSS");
                    if (kb > inflight_kb)
                        inflight_kb = kb;
                    if (i < 4) {
                        /* Keep the transfers moving meanwhile. */
                        curl_multi_poll(p.multi, NULL, 0, 50, NULL);
                        curl_multi_perform(p.multi, &running);
                    }
                }
                at_mock = mock_in_progress();
                sampled_ms = (now_us() - t0) / 1e3;
                phase = 1;
            } else if (now_us() - t0 > hold_ms * 1000.0) {
                phase = 2;
            }
        }
        if (done < n)
            curl_multi_poll(p.multi, NULL, 0, 10, NULL);
    }
    int sampled = inflight_kb > 0 && early == 0 && at_mock >= n;
    double seconds = (now_us() - t0) / 1e6;
    long hwm = proc_status_kb("VmHWM");
    long after = proc_status_kb("VmRSS");
    result("mem_inflight", "libcurl-multi",
           "\"n\":%ld,\"rss_before_kb\":%ld,\"rss_inflight_kb\":%ld,\"hwm_kb\":%ld,\"rss_after_kb\":%ld,"
           "\"bytes_per_call\":%.0f,\"bytes_per_call_peak\":%.0f,\"sampled_at_ms\":%.1f,\"mock_in_progress\":%ld,"
           "\"expected_at_mock\":%ld,\"completed_before_sample\":%ld,\"all_in_flight\":%s,\"seconds\":%.3f,"
           "\"completed\":%ld,\"errors\":%ld",
           n, before, inflight_kb, hwm, after, (inflight_kb - before) * 1024.0 / n, (hwm - before) * 1024.0 / n,
           sampled_ms, at_mock, n, early, sampled ? "true" : "false", seconds, done, errors + !sampled);
    pool_free(&p);
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
    buffer b = {0};
    CURL *h = new_handle(&b);
    long errors = perform(h, &b); /* connection up */
    char embed_url[600];
    snprintf(embed_url, sizeof embed_url, "%s/embeddings", getenv("BENCH_BASE_URL"));
    char *body = embed_body();
    curl_easy_setopt(h, CURLOPT_URL, embed_url);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    if (compress)
        curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "gzip, deflate");
    long expect_len = env_long("BENCH_EMBED_LEN", 0);
    double *lat = malloc(sizeof(double) * (size_t)n);
    long long wire = 0;
    for (long i = 0; i < n; i++) {
        long long sent0 = mock_bytes_sent();
        double t0 = now_us();
        int failed = perform(h, &b);
        lat[i] = now_us() - t0;
        wire += mock_bytes_sent() - sent0;
        if (failed || (expect_len && (long)b.len != expect_len)) {
            fprintf(stderr, "embeddings call failed: %zu bytes (expected %ld)\n", b.len, expect_len);
            errors++;
        }
    }
    lat_stats s = latency_stats(lat, (size_t)n);
    result("embed", IMPL, "\"compress\":%s,\"n\":%ld,\"median_ms\":%.2f,\"min_ms\":%.2f,\"wire_bytes\":%lld,"
                          "\"body_bytes\":%zu,\"errors\":%ld",
           compress ? "true" : "false", n, s.median / 1e3, s.min / 1e3, wire / n, b.len, errors);
    curl_easy_cleanup(h);
    free(body);
    free(b.data);
    free(lat);
}

static void bench_first_call(void) {
    buffer b = {0};
    double t0 = now_us();
    CURL *h = new_handle(&b);
    double t1 = now_us();
    int errors = perform(h, &b);
    double t2 = now_us();
    errors += perform(h, &b);
    double t3 = now_us();
    result("first_call", IMPL, "\"client_new_us\":%.1f,\"first_call_us\":%.1f,\"second_call_us\":%.1f,\"errors\":%d",
           t1 - t0, t2 - t1, t3 - t2, errors);
    curl_easy_cleanup(h);
    free(b.data);
}

int main(int argc, char **argv) {
    const char *base = getenv("BENCH_BASE_URL");
    if (!base || argc < 2)
        DIE("usage: BENCH_BASE_URL=http://127.0.0.1:PORT/v1 %s MODE [ARGS]", argv[0]);
    snprintf(url, sizeof url, "%s/chat/completions", base);
    const char *hold = getenv("BENCH_HOLD_BASE_URL");
    snprintf(hold_url, sizeof hold_url, "%s/chat/completions", hold ? hold : base);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    ca_file = getenv("BENCH_CA_FILE");
    if (ca_file && !*ca_file)
        ca_file = NULL;
    if (ca_file && want_http2()) {
        if (!(curl_version_info(CURLVERSION_NOW)->features & CURL_VERSION_HTTP2))
            DIE("this libcurl has no HTTP/2 (curl-config --features lacks HTTP2)");
        want_version = CURL_HTTP_VERSION_2_0;
    }
    headers = curl_slist_append(headers, "Authorization: Bearer sk-bench");
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Accept: application/json");
    headers = curl_slist_append(headers, "User-Agent: bench-libcurl");
    headers = curl_slist_append(headers, "Expect:");
    const char *mode = argv[1];
    if (strcmp(mode, "seq") == 0)
        bench_seq(arg_long(argc, argv, 2, 20000), arg_long(argc, argv, 3, 2000));
    else if (strcmp(mode, "multi") == 0)
        bench_multi(arg_long(argc, argv, 2, 64), arg_long(argc, argv, 3, 50000));
    else if (strcmp(mode, "mem-inflight") == 0)
        bench_mem_inflight(arg_long(argc, argv, 2, 10000), arg_long(argc, argv, 3, 3000));
    else if (strcmp(mode, "embed") == 0)
        bench_embed(arg_long(argc, argv, 2, 5), (int)arg_long(argc, argv, 3, 1));
    else if (strcmp(mode, "first-call") == 0)
        bench_first_call();
    else
        DIE("unknown mode %s", mode);
    curl_slist_free_all(headers);
    curl_global_cleanup();
    return 0;
}
