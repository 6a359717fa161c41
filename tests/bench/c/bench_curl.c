/* The libcurl baseline: what a C programmer would write instead of libopenai. The same request
 * (body byte for byte, the same headers) against the mock server.
 *
 *   bench_curl MODE [ARGS]      (BENCH_BASE_URL = the mock's <url>/v1)
 *
 *   seq N WARMUP          easy interface, one reused handle (keep-alive): median, p99 per call
 *   multi INFLIGHT TOTAL  multi interface, INFLIGHT handles reused, the window kept full
 *   mem-inflight N HOLD_MS   RSS with N transfers in flight (the mock holds each answer)
 *   first-call            curl_easy_init and the first and second perform, in a fresh process
 */
#include "bench_common.h"

#include <curl/curl.h>
#include <unistd.h>

static const char *IMPL = "libcurl";
static char url[512];
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
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 60L);
    return h;
}

/* One call on a reused handle; 0 on success. */
static int perform(CURL *h, buffer *b) {
    long status = 0;
    b->len = 0;
    CURLcode rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (rc != CURLE_OK || status != 200 || b->len == 0) {
        fprintf(stderr, "curl call failed: %s, status %ld\n", curl_easy_strerror(rc), status);
        return 1;
    }
    return 0;
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

/* Runs `total` transfers with the pool's handles all in flight at once; returns the errors.
 * `on_idle`, when set, is called after each wait (the memory benchmark samples there). */
static long run_window(pool *p, long total, void (*on_idle)(void)) {
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
            long status = 0;
            curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)&index);
            curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
            if (rc != CURLE_OK || status != 200 || p->buffers[index].len == 0) {
                if (errors < 5)
                    fprintf(stderr, "curl multi transfer failed: %s, status %ld\n", curl_easy_strerror(rc), status);
                errors++;
            }
            curl_multi_remove_handle(p->multi, h);
            done++;
            if (started < total) {
                p->buffers[index].len = 0;
                curl_multi_add_handle(p->multi, h);
                started++;
            }
        }
        if (done < total) {
            curl_multi_poll(p->multi, NULL, 0, 1000, NULL);
            if (on_idle)
                on_idle();
        }
    }
    return errors;
}

static void bench_multi(long inflight, long total) {
    pool p = pool_new(inflight);
    long errors = run_window(&p, inflight * 2, NULL);
    double t0 = now_us();
    errors += run_window(&p, total, NULL);
    double seconds = (now_us() - t0) / 1e6;
    result("throughput", "libcurl-multi", "\"inflight\":%ld,\"n\":%ld,\"seconds\":%.3f,\"rps\":%.1f,\"errors\":%ld",
           inflight, total, seconds, total / seconds, errors);
    pool_free(&p);
}

static long inflight_peak_kb;
static double sample_until_us;

static void sample_rss(void) {
    if (now_us() < sample_until_us) {
        long kb = proc_status_kb("VmRSS");
        if (kb > inflight_peak_kb)
            inflight_peak_kb = kb;
    }
}

static void bench_mem_inflight(long n, long hold_ms) {
    long errors = 0;
    {
        /* A first small window: libcurl's own one-time set-up before the baseline. */
        pool warm = pool_new(16);
        errors += run_window(&warm, 64, NULL);
        pool_free(&warm);
    }
    long before = proc_status_kb("VmRSS");
    double t0 = now_us();
    memcpy(url, hold_url, sizeof url);
    pool p = pool_new(n);
    sample_until_us = t0 + hold_ms * 1000.0 * 3 / 4;
    errors += run_window(&p, n, sample_rss);
    double seconds = (now_us() - t0) / 1e6;
    long hwm = proc_status_kb("VmHWM");
    long after = proc_status_kb("VmRSS");
    result("mem_inflight", "libcurl-multi",
           "\"n\":%ld,\"rss_before_kb\":%ld,\"rss_inflight_kb\":%ld,\"hwm_kb\":%ld,\"rss_after_kb\":%ld,"
           "\"bytes_per_call\":%.0f,\"bytes_per_call_peak\":%.0f,\"seconds\":%.3f,\"errors\":%ld",
           n, before, inflight_peak_kb, hwm, after, (inflight_peak_kb - before) * 1024.0 / n,
           (hwm - before) * 1024.0 / n, seconds, errors);
    pool_free(&p);
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
    else if (strcmp(mode, "first-call") == 0)
        bench_first_call();
    else
        DIE("unknown mode %s", mode);
    curl_slist_free_all(headers);
    curl_global_cleanup();
    return 0;
}
