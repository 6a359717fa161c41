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
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The small chat completion every implementation sends, byte for byte. */
#define BENCH_BODY                                                                               \
    "{\"model\":\"gpt-4o-mini\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\","            \
    "\"content\":\"Say hello.\"}]}"

static inline double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
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

/* Prints one result line: `fields` is the inside of a JSON object, printf-formatted. */
static inline void result(const char *bench, const char *impl, const char *fields, ...) {
    va_list ap;
    printf("{\"bench\":\"%s\",\"impl\":\"%s\",", bench, impl);
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
