/* What the C benchmark programs share: clocks, percentiles, /proc/self/status readings, the
 * request body and the result line format.
 *
 * Every result is one line on stdout, a JSON object that tests/bench/report.py collects:
 *   {"bench":"seq","impl":"libopenai","n":20000,"median_us":41.2,"p99_us":80.3,...}
 * Anything else (progress, errors) goes to stderr.
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* The small chat completion every implementation sends, byte for byte. */
#define BENCH_BODY                                                                               \
    "{\"model\":\"gpt-4o-mini\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\","            \
    "\"content\":\"Say hello.\"}]}"

static inline double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* CLOCK_MONOTONIC in nanoseconds: the clock of the mock's `mock_stamp` (one clock for every
 * process of the machine on Linux). */
static inline uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* User + system CPU time of the whole process (every thread), in microseconds. */
static inline double cpu_us(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

static inline long env_long(const char *name, long fallback) {
    const char *v = getenv(name);
    if (!v || !*v)
        return fallback;
    return strtol(v, NULL, 10);
}

static inline long arg_long(int argc, char **argv, int i, long fallback) {
    return i < argc ? strtol(argv[i], NULL, 10) : fallback;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts `v` and returns the value at quantile q (nearest rank). */
static inline double quantile_sorted(const double *v, size_t n, double q) {
    if (n == 0)
        return 0;
    size_t rank = (size_t)(q * (double)n + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return v[rank - 1];
}

typedef struct {
    double median, p99, mean, min, max;
} lat_stats;

static inline lat_stats latency_stats(double *v, size_t n) {
    lat_stats s = {0, 0, 0, 0, 0};
    if (n == 0)
        return s;
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    qsort(v, n, sizeof *v, cmp_double);
    s.median = quantile_sorted(v, n, 0.5);
    s.p99 = quantile_sorted(v, n, 0.99);
    s.mean = sum / (double)n;
    s.min = v[0];
    s.max = v[n - 1];
    return s;
}

/* A field of /proc/self/status in kB (VmRSS, VmHWM), or -1. */
static inline long proc_status_kb(const char *field) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    size_t len = strlen(field);
    long kb = -1;
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, field, len) == 0 && line[len] == ':') {
            kb = strtol(line + len + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return kb;
}

/* The mock's counters (GET /__mock/connections on BENCH_MOCK_URL, http://127.0.0.1:PORT), over
 * a connection of its own so that no client under test is involved: API requests in progress
 * at the mock, and bytes it has written in answer to API requests. 0 on success. */
static inline int mock_counters(long *in_progress, long long *bytes_sent) {
    const char *url = getenv("BENCH_MOCK_URL");
    const char *colon = url ? strrchr(url, ':') : NULL;
    if (!colon)
        return -1;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)atoi(colon + 1));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    char buf[4096];
    size_t len = 0;
    const char *request = "GET /__mock/connections HTTP/1.0\r\n\r\n";
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        write(fd, request, strlen(request)) != (ssize_t)strlen(request)) {
        close(fd);
        return -1;
    }
    for (ssize_t n; len < sizeof buf - 1 && (n = read(fd, buf + len, sizeof buf - 1 - len)) > 0;)
        len += (size_t)n;
    close(fd);
    buf[len] = 0;
    const char *p = strstr(buf, "\"requests_in_progress\":");
    const char *q = strstr(buf, "\"bytes_sent\":");
    if (!p || !q)
        return -1;
    if (in_progress)
        *in_progress = strtol(p + strlen("\"requests_in_progress\":"), NULL, 10);
    if (bytes_sent)
        *bytes_sent = strtoll(q + strlen("\"bytes_sent\":"), NULL, 10);
    return 0;
}

static inline long mock_in_progress(void) {
    long n = -1;
    mock_counters(&n, NULL);
    return n;
}

static inline long long mock_bytes_sent(void) {
    long long n = -1;
    mock_counters(NULL, &n);
    return n;
}

/* The stamp in a chat chunk of a `mock_stamp` stream (`"content":"<20 digits>"`), or 0. */
static inline uint64_t chunk_stamp(const char *data, size_t len) {
    static const char key[] = "\"content\":\"";
    const char *p = memmem(data, len, key, sizeof key - 1);
    if (!p || (size_t)(p - data) + sizeof key - 1 + 20 > len)
        return 0;
    return strtoull(p + sizeof key - 1, NULL, 10);
}

/* BENCH_TRANSPORT (set by run.sh: "tls-h1", "tls-h2"; unset: plain HTTP/1.1) tags every result. */
static inline const char *bench_transport(void) {
    const char *t = getenv("BENCH_TRANSPORT");
    return t && *t ? t : NULL;
}

/* BENCH_HTTP=2: the TLS rows' HTTP/2; otherwise HTTP/1.1. */
static inline int want_http2(void) {
    const char *v = getenv("BENCH_HTTP");
    return v && strcmp(v, "2") == 0;
}

/* Prints one result line: `fields` is the inside of a JSON object, printf-formatted. */
static inline void result(const char *bench, const char *impl, const char *fields, ...) {
    va_list ap;
    printf("{\"bench\":\"%s\",\"impl\":\"%s\",", bench, impl);
    if (bench_transport())
        printf("\"transport\":\"%s\",", bench_transport());
    va_start(ap, fields);
    vprintf(fields, ap);
    va_end(ap);
    printf("}\n");
    fflush(stdout);
}

#define DIE(...)                                                                                 \
    do {                                                                                         \
        fprintf(stderr, __VA_ARGS__);                                                            \
        fputc('\n', stderr);                                                                     \
        exit(1);                                                                                 \
    } while (0)

#endif
