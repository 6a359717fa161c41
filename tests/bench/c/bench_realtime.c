/* The Realtime benchmarks of libopenai: one result line (JSON) per measurement on stdout.
 *
 *   bench_realtime rate <events>        server events per second, pulled and pushed to a
 *                                       callback (a text response of <events> deltas), and
 *                                       client events per second sent
 *   bench_realtime latency <events>     the latency the library adds per event, against a
 *                                       minimal WebSocket server in this program that stamps
 *                                       each frame with CLOCK_MONOTONIC: send to wire (from the
 *                                       call of openai_realtime_send to the frame's arrival in
 *                                       the server's read) and wire to callback (from the
 *                                       server's write to the callback), next to the same
 *                                       measurement over a bare TCP socket (the loopback's own
 *                                       cost, which no library can avoid)
 *   bench_realtime soak <seconds>       a session streaming audio both ways at real-time rate
 *                                       (20 ms of 24 kHz PCM16 every 20 ms, echoed by the
 *                                       mock), with the resident set size sampled every second
 *
 * `rate` and `soak` use the mock server at OPENAI_BASE_URL (tests/bench/realtime.sh starts it).
 */
#include "bench_common.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <unistd.h>

#include "openai.h"

static openai_client *new_client(void) {
    openai_client *client = NULL;
    if (openai_client_new("{\"max_retries\":0}", &client) != OPENAI_OK) {
        fprintf(stderr, "client: %s\n", openai_last_error());
        exit(2);
    }
    return client;
}

/* ------------------------------------------------------------------ rate */

struct counted {
    atomic_long events;
    atomic_int done;
};

static bool count_event(openai_realtime *s, const openai_event *event, void *userdata) {
    struct counted *c = userdata;
    (void)s;
    if (!event) {
        atomic_store(&c->done, 1);
        return true;
    }
    atomic_fetch_add(&c->events, 1);
    if (strcmp(openai_event_name(event), "response.done") == 0)
        atomic_store(&c->done, 1);
    return true;
}

static void rate(long deltas) {
    openai_client *client = new_client();
    char query[256];
    snprintf(query, sizeof query, "{\"model\":\"gpt-realtime\",\"mock_chunks\":\"%ld\"}", deltas);
    const char *turn = "{\"type\":\"response.create\",\"response\":{\"output_modalities\":[\"text\"]}}";

    /* Pulled. */
    openai_realtime *s = NULL;
    openai_event *event = NULL;
    if (openai_realtime_connect(client, query, &s) != OPENAI_OK) {
        fprintf(stderr, "connect: %s\n", openai_realtime_error_message(s));
        exit(1);
    }
    openai_realtime_next(s, -1, &event); /* session.created */
    openai_event_free(event);
    long n = 0;
    double t0 = now_us();
    openai_realtime_send(s, turn);
    while (openai_realtime_next(s, 60000, &event) == OPENAI_OK && event) {
        n++;
        int done = strcmp(openai_event_name(event), "response.done") == 0;
        openai_event_free(event);
        if (done)
            break;
    }
    double t = now_us() - t0;
    printf("{\"bench\":\"realtime_rate\",\"mode\":\"pulled\",\"events\":%ld,\"seconds\":%.3f,\"events_per_s\":%.0f}\n", n, t / 1e6, n / (t / 1e6));
    openai_realtime_free(s);

    /* Pushed to a callback. */
    struct counted c = {0, 0};
    openai_realtime_options *options = NULL;
    openai_realtime_options_new(NULL, &options);
    openai_realtime_options_set_callback(options, count_event, &c);
    s = openai_realtime_connect_async(client, query, options);
    openai_realtime_options_free(options);
    while (atomic_load(&c.events) < 1)
        usleep(100);
    atomic_store(&c.events, 0);
    t0 = now_us();
    openai_realtime_send(s, turn);
    while (!atomic_load(&c.done))
        usleep(100);
    t = now_us() - t0;
    n = atomic_load(&c.events);
    printf("{\"bench\":\"realtime_rate\",\"mode\":\"callback\",\"events\":%ld,\"seconds\":%.3f,\"events_per_s\":%.0f}\n", n, t / 1e6, n / (t / 1e6));
    openai_realtime_free(s);

    /* Sent: small client events, until the server has them all (a commit answered after them). */
    if (openai_realtime_connect(client, "{\"model\":\"gpt-realtime\"}", &s) != OPENAI_OK)
        exit(1);
    openai_realtime_next(s, -1, &event);
    openai_event_free(event);
    short pcm[240] = {0}; /* 10 ms */
    t0 = now_us();
    for (long i = 0; i < deltas; i++)
        openai_realtime_append_audio(s, pcm, sizeof pcm);
    openai_realtime_send(s, "{\"type\":\"input_audio_buffer.commit\"}");
    while (openai_realtime_next(s, 60000, &event) == OPENAI_OK && event) {
        int done = strcmp(openai_event_name(event), "input_audio_buffer.committed") == 0;
        openai_event_free(event);
        if (done)
            break;
    }
    t = now_us() - t0;
    printf("{\"bench\":\"realtime_rate\",\"mode\":\"sent\",\"events\":%ld,\"seconds\":%.3f,\"events_per_s\":%.0f}\n", deltas, t / 1e6, deltas / (t / 1e6));
    openai_realtime_free(s);
    openai_client_free(client);
}

/* ------------------------------------------------------------------ latency */

/* SHA-1 (FIPS 180-1) and base64, for the server's Sec-WebSocket-Accept. */
static uint32_t rol(uint32_t x, int n) { return x << n | x >> (32 - n); }

static void sha1(const unsigned char *msg, size_t len, unsigned char out[20]) {
    uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    size_t total = ((len + 8) / 64 + 1) * 64;
    unsigned char *m = calloc(total, 1);
    memcpy(m, msg, len);
    m[len] = 0x80;
    for (int i = 0; i < 8; i++)
        m[total - 1 - i] = (unsigned char)((uint64_t)len * 8 >> (8 * i));
    for (size_t off = 0; off < total; off += 64) {
        uint32_t w[80], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
        for (int i = 0; i < 16; i++)
            w[i] = (uint32_t)m[off + 4 * i] << 24 | m[off + 4 * i + 1] << 16 | m[off + 4 * i + 2] << 8 | m[off + 4 * i + 3];
        for (int i = 16; i < 80; i++)
            w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
        for (int i = 0; i < 80; i++) {
            uint32_t f, k;
            if (i < 20) f = (b & c) | (~b & d), k = 0x5A827999;
            else if (i < 40) f = b ^ c ^ d, k = 0x6ED9EBA1;
            else if (i < 60) f = (b & c) | (b & d) | (c & d), k = 0x8F1BBCDC;
            else f = b ^ c ^ d, k = 0xCA62C1D6;
            uint32_t t = rol(a, 5) + f + e + k + w[i];
            e = d, d = c, c = rol(b, 30), b = a, a = t;
        }
        h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
    }
    free(m);
    for (int i = 0; i < 20; i++)
        out[i] = (unsigned char)(h[i / 4] >> (24 - 8 * (i % 4)));
}

static void base64(const unsigned char *in, size_t len, char *out) {
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < len ? in[i + 1] << 8 : 0) | (i + 2 < len ? in[i + 2] : 0);
        out[o++] = t[v >> 18 & 63], out[o++] = t[v >> 12 & 63];
        out[o++] = i + 1 < len ? t[v >> 6 & 63] : '=';
        out[o++] = i + 2 < len ? t[v & 63] : '=';
    }
    out[o] = 0;
}

static int listen_loopback(int *port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a = {0};
    socklen_t len = sizeof a;
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, 4) || getsockname(fd, (struct sockaddr *)&a, &len)) {
        perror("listen");
        exit(1);
    }
    *port = ntohs(a.sin_port);
    return fd;
}

static int read_exact(int fd, unsigned char *buf, size_t n) {
    for (size_t got = 0; got < n;) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

/* Reads one client frame (masked); returns its payload length, -1 at the end. */
static long read_frame(int fd, unsigned char *payload, size_t cap, int *opcode) {
    unsigned char h[14];
    if (read_exact(fd, h, 2))
        return -1;
    uint64_t len = h[1] & 127;
    size_t extra = len == 126 ? 2 : len == 127 ? 8 : 0;
    if (read_exact(fd, h + 2, extra + 4))
        return -1;
    if (len == 126)
        len = (uint64_t)h[2] << 8 | h[3];
    else if (len == 127) {
        len = 0;
        for (int i = 0; i < 8; i++)
            len = len << 8 | h[2 + i];
    }
    if (len > cap || read_exact(fd, payload, len))
        return -1;
    for (uint64_t i = 0; i < len; i++)
        payload[i] ^= h[2 + extra + i % 4];
    *opcode = h[0] & 15;
    return (long)len;
}

/* One unmasked server text frame. */
static void write_text(int fd, const char *text) {
    unsigned char frame[512];
    size_t len = strlen(text);
    frame[0] = 0x81, frame[1] = (unsigned char)len;
    memcpy(frame + 2, text, len);
    if (write(fd, frame, len + 2) != (ssize_t)(len + 2))
        perror("write");
}

struct server {
    int listener;
    long events;
    double *wire_in; /* when each client frame arrived (µs, CLOCK_MONOTONIC) */
    double *wire_out; /* when each server frame was written */
    sem_t ready; /* the handshake is done */
    sem_t acked; /* one client frame was read */
    sem_t go; /* send the next server frame */
};

/* The WebSocket server of the latency benchmark: answers the handshake, sends one event whenever
 * `go` grows (stamping its write), and stamps each client frame as it arrives. */
static void *serve(void *arg) {
    struct server *s = arg;
    char head[4096] = "", *key, accept_src[128], accept_key[64], reply[256];
    unsigned char digest[20], payload[4096];
    int fd = accept(s->listener, NULL, NULL), one = 1, opcode;
    size_t got = 0;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    while (!strstr(head, "\r\n\r\n") && got < sizeof head - 1) {
        ssize_t r = read(fd, head + got, sizeof head - 1 - got);
        if (r <= 0)
            return NULL;
        got += (size_t)r;
        head[got] = 0;
    }
    key = strstr(head, "sec-websocket-key: ");
    if (!key)
        key = strstr(head, "Sec-WebSocket-Key: ");
    if (!key)
        return NULL;
    key += 19;
    snprintf(accept_src, sizeof accept_src, "%.*s258EAFA5-E914-47DA-95CA-C5AB0DC85B11", (int)strcspn(key, "\r\n"), key);
    sha1((unsigned char *)accept_src, strlen(accept_src), digest);
    base64(digest, 20, accept_key);
    snprintf(reply, sizeof reply,
             "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", accept_key);
    if (write(fd, reply, strlen(reply)) < 0)
        return NULL;
    sem_post(&s->ready);
    /* Phase 1: client frames in, stamped as they arrive. */
    for (long i = 0; i < s->events; i++) {
        if (read_frame(fd, payload, sizeof payload, &opcode) < 0)
            return NULL;
        s->wire_in[i] = now_us();
        sem_post(&s->acked);
    }
    /* Phase 2: server frames out, one per request, stamped as written. */
    for (long i = 0; i < s->events; i++) {
        sem_wait(&s->go);
        s->wire_out[i] = now_us();
        write_text(fd, "{\"type\":\"response.output_text.delta\",\"delta\":\"x\"}");
    }
    /* Wait for the client to go. */
    while (read_frame(fd, payload, sizeof payload, &opcode) >= 0 && opcode != 8)
        ;
    close(fd);
    return NULL;
}

struct stamps {
    double *at;
    long seen;
    sem_t arrived;
};

static bool stamp_event(openai_realtime *s, const openai_event *event, void *userdata) {
    struct stamps *st = userdata;
    (void)s;
    if (event) {
        st->at[st->seen++] = now_us();
        sem_post(&st->arrived);
    }
    return true;
}

static void report(const char *what, double *v, long n, const char *impl) {
    lat_stats s = latency_stats(v, (size_t)n);
    printf("{\"bench\":\"realtime_latency\",\"path\":\"%s\",\"impl\":\"%s\",\"n\":%ld,\"median_us\":%.1f,\"p99_us\":%.1f,\"mean_us\":%.1f}\n",
           what, impl, n, s.median, s.p99, s.mean);
}

/* The floor: one byte written on a bare TCP connection and read by another thread blocked in
 * read(), as the benchmark's server reads (the loopback and one thread wake-up). */
struct floor_reader {
    int fd;
    long n;
    double *read_at;
    sem_t done;
};

static void *read_bytes(void *arg) {
    struct floor_reader *r = arg;
    unsigned char byte;
    for (long i = 0; i < r->n; i++) {
        if (read(r->fd, &byte, 1) != 1)
            break;
        r->read_at[i] = now_us();
        sem_post(&r->done);
    }
    return NULL;
}

static void loopback_floor(long n) {
    int port, listener = listen_loopback(&port), one = 1;
    int client = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET, a.sin_port = htons((uint16_t)port), a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(client, (struct sockaddr *)&a, sizeof a)) {
        perror("connect");
        exit(1);
    }
    struct floor_reader r = {accept(listener, NULL, NULL), n, calloc((size_t)n, sizeof(double)), {{0}}};
    sem_init(&r.done, 0, 0);
    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    pthread_t thread;
    pthread_create(&thread, NULL, read_bytes, &r);
    double *lat = malloc((size_t)n * sizeof *lat);
    unsigned char byte = 1;
    for (long i = 0; i < n; i++) {
        double t0 = now_us();
        if (write(client, &byte, 1) != 1)
            exit(1);
        sem_wait(&r.done);
        lat[i] = r.read_at[i] - t0;
    }
    pthread_join(thread, NULL);
    report("one_way", lat, n, "bare_tcp");
    free(lat), free(r.read_at);
    close(client), close(r.fd), close(listener);
}

static void latency(long n) {
    struct server srv = {0};
    int port;
    char options_json[256], base[128];
    srv.listener = listen_loopback(&port);
    srv.events = n;
    srv.wire_in = calloc((size_t)n, sizeof(double));
    srv.wire_out = calloc((size_t)n, sizeof(double));
    double *sent = calloc((size_t)n, sizeof(double)), *lat = calloc((size_t)n, sizeof(double));
    struct stamps st = {calloc((size_t)n, sizeof(double)), 0, {{0}}};
    pthread_t thread;
    sem_init(&srv.ready, 0, 0), sem_init(&srv.acked, 0, 0), sem_init(&srv.go, 0, 0), sem_init(&st.arrived, 0, 0);
    pthread_create(&thread, NULL, serve, &srv);

    openai_client *client = NULL;
    snprintf(base, sizeof base, "http://127.0.0.1:%d/v1", port);
    snprintf(options_json, sizeof options_json, "{\"api_key\":\"sk-bench\",\"base_url\":\"%s\",\"max_retries\":0}", base);
    if (openai_client_new(options_json, &client) != OPENAI_OK)
        exit(1);
    openai_realtime_options *options = NULL;
    openai_realtime_options_new("{\"ping_interval\":null,\"idle_timeout\":null}", &options);
    openai_realtime_options_set_callback(options, stamp_event, &st);
    openai_realtime *s = openai_realtime_connect_async(client, "{\"model\":\"bench\"}", options);
    openai_realtime_options_free(options);
    sem_wait(&srv.ready);
    usleep(50000);
    /* Send to wire: one event at a time, the next once the server has the previous. */
    for (long i = 0; i < n; i++) {
        sent[i] = now_us();
        openai_realtime_send(s, "{\"type\":\"input_audio_buffer.clear\"}");
        sem_wait(&srv.acked);
    }
    for (long i = 0; i < n; i++)
        lat[i] = srv.wire_in[i] - sent[i];
    report("send_to_wire", lat, n, "libopenai");
    /* Wire to callback: one event at a time, the next once the callback has the previous. */
    for (long i = 0; i < n; i++) {
        sem_post(&srv.go);
        sem_wait(&st.arrived);
    }
    for (long i = 0; i < n; i++)
        lat[i] = st.at[i] - srv.wire_out[i];
    report("wire_to_callback", lat, n, "libopenai");
    openai_realtime_close(s, 0, NULL);
    pthread_join(thread, NULL);
    openai_realtime_free(s);
    openai_client_free(client);
    loopback_floor(n);
    free(srv.wire_in), free(srv.wire_out), free(sent), free(lat), free(st.at);
    close(srv.listener);
}

/* ------------------------------------------------------------------ soak */

struct echo {
    atomic_llong received;
};

static bool count_audio(openai_realtime *s, const openai_event *event, void *userdata) {
    struct echo *e = userdata;
    size_t len = 0;
    (void)s;
    if (event && openai_event_audio(event, &len))
        atomic_fetch_add(&e->received, (long long)len);
    return true;
}

static void soak(long seconds) {
    openai_client *client = new_client();
    struct echo e = {0};
    openai_realtime_options *options = NULL;
    openai_realtime_options_new(NULL, &options);
    openai_realtime_options_set_callback(options, count_audio, &e);
    openai_realtime *s = openai_realtime_connect_async(client, "{\"model\":\"gpt-realtime\",\"mock_audio_echo\":\"true\"}", options);
    openai_realtime_options_free(options);
    enum { RATE = 24000, CHUNK_MS = 20, SAMPLES = RATE * CHUNK_MS / 1000 };
    short pcm[SAMPLES];
    long long sent = 0;
    long samples_rss[3600];
    long n_rss = 0;
    double start = now_us(), next_sample = start + 1e6;
    for (long chunk = 0; (double)chunk * CHUNK_MS < (double)seconds * 1000; chunk++) {
        for (int i = 0; i < SAMPLES; i++)
            pcm[i] = (short)((chunk * SAMPLES + i) * 37 % 20000 - 10000);
        if (openai_realtime_append_audio(s, pcm, sizeof pcm) != OPENAI_OK) {
            fprintf(stderr, "append: %s\n", openai_last_error());
            exit(1);
        }
        sent += sizeof pcm;
        double due = start + (double)(chunk + 1) * CHUNK_MS * 1000;
        while (now_us() < due) {
            if (now_us() >= next_sample && n_rss < 3600) {
                samples_rss[n_rss++] = proc_status_kb("VmRSS");
                next_sample += 1e6;
            }
            usleep(1000);
        }
    }
    for (int i = 0; i < 2000 && atomic_load(&e.received) < sent; i++)
        usleep(1000);
    long min = samples_rss[0], max = samples_rss[0], min_late = -1, max_late = -1;
    for (long i = 0; i < n_rss; i++) {
        min = samples_rss[i] < min ? samples_rss[i] : min;
        max = samples_rss[i] > max ? samples_rss[i] : max;
        if (i >= n_rss / 2) {
            min_late = min_late < 0 || samples_rss[i] < min_late ? samples_rss[i] : min_late;
            max_late = samples_rss[i] > max_late ? samples_rss[i] : max_late;
        }
    }
    printf("{\"bench\":\"realtime_soak\",\"seconds\":%ld,\"sent_bytes\":%lld,\"echoed_bytes\":%lld,\"rss_first_kib\":%ld,"
           "\"rss_last_kib\":%ld,\"rss_min_kib\":%ld,\"rss_max_kib\":%ld,\"rss_second_half_min_kib\":%ld,"
           "\"rss_second_half_max_kib\":%ld,\"samples\":%ld,\"rss_each_s\":[",
           seconds, sent, (long long)atomic_load(&e.received), samples_rss[0], samples_rss[n_rss - 1], min, max, min_late,
           max_late, n_rss);
    for (long i = 0; i < n_rss; i++)
        printf("%s%ld", i ? "," : "", samples_rss[i]);
    printf("]}\n");
    openai_realtime_close(s, 0, NULL);
    usleep(100000);
    openai_realtime_free(s);
    openai_client_free(client);
}

int main(int argc, char **argv) {
    const char *what = argc > 1 ? argv[1] : "";
    if (strcmp(what, "rate") == 0)
        rate(arg_long(argc, argv, 2, 200000));
    else if (strcmp(what, "latency") == 0)
        latency(arg_long(argc, argv, 2, 20000));
    else if (strcmp(what, "soak") == 0)
        soak(arg_long(argc, argv, 2, 60));
    else {
        fprintf(stderr, "usage: bench_realtime rate|latency|soak [n]\n");
        return 2;
    }
    return 0;
}
