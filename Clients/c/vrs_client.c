/*
 * vrs_client.c - implementation of vrs_client.h (docs/PROTOCOL.md, version 1).
 *
 * One non-blocking socket per connection, driven by pump(): it writes queued
 * frames (plaintext in conn->tx, handed to SSL_write in pieces), reads
 * everything that arrives into conn->rx, and cuts it into frames that are
 * dispatched at once: connection frames are handled, call frames queued on
 * their call. Every wait in this file is a loop around pump(), so reading
 * never stops while a caller waits for a write or for another call.
 */
#include "vrs_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "volunteer/wire/v1/frame.pb-c.h"

typedef Volunteer__Wire__V1__Frame Frame;

enum {
    DEFAULT_MAX_FRAME = 4194304,
    DEFAULT_MAX_CALLS = 256,
    DEFAULT_MAX_METADATA = 8192,
    DEFAULT_CONNECT_MS = 10000,
    TX_HIGH_WATER = 1 << 20,  /* queued plaintext before senders wait */
    READ_CHUNK = 16384,
    WRITE_CHUNK = 16384,
};
static const uint8_t PREFACE[8] = {'V', 'O', 'L', 'W', 'I', 'R', 'E', 1};
static const unsigned char ALPN[] = "\x05vrs/1";

/* ------------------------------------------------------------------ small utilities */

typedef struct buf {
    uint8_t *p;
    size_t len;  /* bytes held, starting at p + off */
    size_t off;
    size_t cap;
} buf;

static bool buf_reserve(buf *b, size_t extra) {
    if (b->off > 0 && (b->len == 0 || b->off >= b->cap / 2)) {
        memmove(b->p, b->p + b->off, b->len);
        b->off = 0;
    }
    if (extra > SIZE_MAX - b->len) return false;
    size_t need = b->len + extra;
    if (need <= b->cap - b->off) return true;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) return false;
        cap *= 2;
    }
    if (b->off > 0) {
        memmove(b->p, b->p + b->off, b->len);
        b->off = 0;
    }
    uint8_t *p = realloc(b->p, cap);
    if (!p) return false;
    b->p = p;
    b->cap = cap;
    return true;
}

static void buf_consume(buf *b, size_t n) {
    b->off += n;
    b->len -= n;
    if (b->len == 0) b->off = 0;
}

static void buf_free(buf *b) {
    free(b->p);
    memset(b, 0, sizeof *b);
}

static char *vformat(const char *fmt, va_list ap) {
    va_list aq;
    va_copy(aq, ap);
    int n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    if (n < 0) return NULL;
    char *s = malloc((size_t)n + 1);
    if (!s) return NULL;
    if (vsnprintf(s, (size_t)n + 1, fmt, ap) < 0) {
        free(s);
        return NULL;
    }
    return s;
}

static char *format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *format(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *s = vformat(fmt, ap);
    va_end(ap);
    return s;
}

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

static int64_t now_ms(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return 0;
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double now_ms_f(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return 0;
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Sets *err (if given) and returns code. The message is formatted. */
static vrs_code fail(vrs_error *err, vrs_code code, bool local, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static vrs_code fail(vrs_error *err, vrs_code code, bool local, const char *fmt, ...) {
    if (err) {
        free(err->message);
        va_list ap;
        va_start(ap, fmt);
        err->message = vformat(fmt, ap);
        va_end(ap);
        err->code = code;
        err->local = local;
    }
    return code;
}

/* The OpenSSL error queue as one string (consumed); "" when empty. */
static char *ssl_errors(void) {
    buf b = {0};
    unsigned long e;
    char line[256];
    while ((e = ERR_get_error()) != 0) {
        ERR_error_string_n(e, line, sizeof line);
        size_t n = strlen(line);
        if (!buf_reserve(&b, n + 3)) break;
        if (b.len) {
            memcpy(b.p + b.len, "; ", 2);
            b.len += 2;
        }
        memcpy(b.p + b.len, line, n);
        b.len += n;
    }
    if (!buf_reserve(&b, 1)) {
        buf_free(&b);
        return strdup("");
    }
    b.p[b.len] = '\0';
    return (char *)b.p;
}

static const char *const CODE_NAMES[] = {
    "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
    "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
    "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
};

const char *vrs_code_name(vrs_code code) {
    if ((unsigned)code > 16) return "UNKNOWN";
    return CODE_NAMES[code];
}

vrs_code vrs_code_from_wire(uint32_t code) { return code > 16 ? VRS_UNKNOWN : (vrs_code)code; }

void vrs_error_clear(vrs_error *err) {
    if (!err) return;
    free(err->message);
    err->message = NULL;
    err->code = VRS_OK;
    err->local = false;
}

/* ------------------------------------------------------------------ structures */

typedef struct qnode {
    struct qnode *next;
    Frame *frame;  /* a Message frame */
} qnode;

struct vrs_call {
    vrs_conn *conn;
    vrs_call *prev, *next;
    uint32_t id;
    char *method;
    int64_t deadline;  /* monotonic ms, 0 = none */
    bool counted;      /* open on the server: Open sent, no Status yet (§10) */
    bool cancel_sent;
    bool released;     /* vrs_call_free() was called: free when no longer counted */
    bool finished;     /* outcome known to the caller */
    bool half_closed;
    vrs_code code;     /* outcome, once finished */
    bool local;
    char *message;
    qnode *qhead, *qtail;
};

struct vrs_conn {
    int fd;
    SSL_CTX *ctx;
    SSL *ssl;
    char *peer;  /* "host:port" for messages */
    bool enforce_deadlines;
    buf tx, rx;
    bool want_write;  /* the last TLS operation needs the socket writable */
    vrs_settings settings;
    char *server_version;
    char tls_version[32];
    char alpn[32];
    bool closed;
    char *closed_reason;
    bool goaway;
    uint32_t goaway_last, goaway_code;
    char *goaway_reason;
    uint64_t next_id;
    size_t open_calls;
    vrs_call *calls;  /* every call not yet freed */
    uint64_t ping_seq;
    bool pong_seen;
    uint64_t pings_answered;
};

/* ------------------------------------------------------------------ call bookkeeping */

static void call_clear_queue(vrs_call *c) {
    qnode *q = c->qhead;
    while (q) {
        qnode *next = q->next;
        volunteer__wire__v1__frame__free_unpacked(q->frame, NULL);
        free(q);
        q = next;
    }
    c->qhead = c->qtail = NULL;
}

static void call_destroy(vrs_call *c) {
    vrs_conn *conn = c->conn;
    if (c->prev) c->prev->next = c->next;
    else conn->calls = c->next;
    if (c->next) c->next->prev = c->prev;
    if (c->counted && conn->open_calls > 0) conn->open_calls--;
    call_clear_queue(c);
    free(c->method);
    free(c->message);
    free(c);
}

/* Records the call's outcome (first one wins). message is taken over. */
static void call_finish(vrs_call *c, vrs_code code, bool local, char *message) {
    if (c->finished) {
        free(message);
        return;
    }
    c->finished = true;
    c->code = code;
    c->local = local;
    c->message = message;
}

/* The server no longer counts the call as open (its Status arrived, or the
 * connection is gone). Frees it if the caller released it. Returns true if
 * it was freed. */
static bool call_uncount(vrs_call *c) {
    if (c->counted) {
        c->counted = false;
        c->conn->open_calls--;
    }
    if (c->released) {
        call_destroy(c);
        return true;
    }
    return false;
}

static vrs_code call_outcome(const vrs_call *c, vrs_error *err) {
    if (c->code == VRS_OK) return VRS_OK;
    return fail(err, c->code, c->local, "%s", c->message ? c->message : "");
}

static vrs_call *find_call(vrs_conn *conn, uint32_t id) {
    for (vrs_call *c = conn->calls; c; c = c->next)
        if (c->id == id) return c;
    return NULL;
}

/* ------------------------------------------------------------------ connection failure */

/* Ends the connection: every call not yet ended gets code (UNAVAILABLE for a
 * loss, INTERNAL for a server protocol violation, §5.4, §7.6). */
static void conn_fail(vrs_conn *conn, vrs_code code, char *reason) {
    if (conn->closed) {
        free(reason);
        return;
    }
    conn->closed = true;
    if (!reason) reason = strdup("connection closed");
    if (conn->goaway && conn->goaway_code != 0) {
        char *r = format("%s after GoAway %s (%u): %s", reason ? reason : "",
                         vrs_code_name(vrs_code_from_wire(conn->goaway_code)), conn->goaway_code,
                         conn->goaway_reason ? conn->goaway_reason : "");
        if (r) {
            free(reason);
            reason = r;
        }
    }
    conn->closed_reason = reason;
    conn->tx.len = conn->tx.off = 0;
    vrs_call *c = conn->calls;
    while (c) {
        vrs_call *next = c->next;
        if (!c->finished) call_finish(c, code, true, dup_or_null(reason));
        call_uncount(c);
        c = next;
    }
}

static void violation(vrs_conn *conn, const char *what) {
    conn_fail(conn, VRS_INTERNAL, format("protocol violation by the server: %s", what));
}

/* ------------------------------------------------------------------ frame output */

/* Queues one frame (length prefix + body). Fails locally with
 * RESOURCE_EXHAUSTED if it exceeds the server's max_frame_size (§5.1). */
static vrs_code queue_frame(vrs_conn *conn, const Frame *f, vrs_error *err) {
    if (conn->closed)
        return fail(err, VRS_UNAVAILABLE, true, "connection closed: %s", conn->closed_reason);
    size_t n = protobuf_c_message_get_packed_size(&f->base);
    if (n > conn->settings.max_frame_size)
        return fail(err, VRS_RESOURCE_EXHAUSTED, true,
                    "frame of %zu bytes exceeds the server's limit of %u bytes", n,
                    conn->settings.max_frame_size);
    if (!buf_reserve(&conn->tx, 4 + n)) return fail(err, VRS_RESOURCE_EXHAUSTED, true, "out of memory");
    uint8_t *p = conn->tx.p + conn->tx.off + conn->tx.len;
    p[0] = (uint8_t)(n >> 24);
    p[1] = (uint8_t)(n >> 16);
    p[2] = (uint8_t)(n >> 8);
    p[3] = (uint8_t)n;
    size_t packed = protobuf_c_message_pack(&f->base, p + 4);
    if (packed != n) return fail(err, VRS_INTERNAL, true, "protobuf-c packed %zu of %zu bytes", packed, n);
    conn->tx.len += 4 + n;
    return VRS_OK;
}

static vrs_code queue_raw(vrs_conn *conn, const uint8_t *data, size_t n) {
    if (!buf_reserve(&conn->tx, n)) return VRS_RESOURCE_EXHAUSTED;
    memcpy(conn->tx.p + conn->tx.off + conn->tx.len, data, n);
    conn->tx.len += n;
    return VRS_OK;
}

/* ------------------------------------------------------------------ inbound frames */

static void apply_settings(vrs_conn *conn, const Volunteer__Wire__V1__Settings *s) {
    vrs_settings *d = &conn->settings;
    d->received = true;
    d->protocol_version = s->protocol_version ? s->protocol_version : 1;
    free(conn->server_version);
    conn->server_version = strdup(s->server_version ? s->server_version : "");
    d->server_version = conn->server_version ? conn->server_version : "";
    d->max_frame_size = s->max_frame_size ? s->max_frame_size : DEFAULT_MAX_FRAME;
    d->max_concurrent_calls = s->max_concurrent_calls ? s->max_concurrent_calls : DEFAULT_MAX_CALLS;
    d->max_metadata_size = s->max_metadata_size ? s->max_metadata_size : DEFAULT_MAX_METADATA;
    /* 0 means "never" here, not "default" (§6). */
    d->keepalive_interval_ms = s->keepalive_interval_ms;
    d->idle_timeout_ms = s->idle_timeout_ms;
}

static void on_goaway(vrs_conn *conn, const Volunteer__Wire__V1__GoAway *g) {
    conn->goaway = true;
    conn->goaway_last = g->last_call_id;
    conn->goaway_code = g->code;
    free(conn->goaway_reason);
    conn->goaway_reason = strdup(g->reason ? g->reason : "");
    /* Calls above last_call_id were never started: safe to retry (§12). */
    vrs_call *c = conn->calls;
    while (c) {
        vrs_call *next = c->next;
        if (c->id > g->last_call_id && c->counted) {
            call_finish(c, VRS_UNAVAILABLE, true,
                        format("the server sent GoAway (%s) and did not start this call; it is "
                               "safe to retry on a new connection",
                               conn->goaway_reason ? conn->goaway_reason : ""));
            call_clear_queue(c);
            call_uncount(c);
        }
        c = next;
    }
}

/* Takes ownership of f. */
static void dispatch(vrs_conn *conn, Frame *f) {
    int kind = f->kind_case;
    bool connection_kind = kind == VOLUNTEER__WIRE__V1__FRAME__KIND_SETTINGS ||
                           kind == VOLUNTEER__WIRE__V1__FRAME__KIND_PING ||
                           kind == VOLUNTEER__WIRE__V1__FRAME__KIND_PONG ||
                           kind == VOLUNTEER__WIRE__V1__FRAME__KIND_GOAWAY;
    char what[96];
    switch (kind) {
    case VOLUNTEER__WIRE__V1__FRAME__KIND__NOT_SET:
        violation(conn, "malformed frame: no kind set");
        goto done;
    case VOLUNTEER__WIRE__V1__FRAME__KIND_OPEN:
    case VOLUNTEER__WIRE__V1__FRAME__KIND_HALF_CLOSE:
    case VOLUNTEER__WIRE__V1__FRAME__KIND_CANCEL:
        snprintf(what, sizeof what, "a server may not send frame kind %d", kind);
        violation(conn, what);
        goto done;
    default:
        break;
    }
    if (connection_kind != (f->call_id == 0)) {
        snprintf(what, sizeof what, "frame kind %d with call id %u", kind, f->call_id);
        violation(conn, what);
        goto done;
    }
    switch (kind) {
    case VOLUNTEER__WIRE__V1__FRAME__KIND_SETTINGS:
        if (conn->settings.received) {
            violation(conn, "a second Settings frame");
            goto done;
        }
        apply_settings(conn, f->settings);
        break;
    case VOLUNTEER__WIRE__V1__FRAME__KIND_PING: {
        Volunteer__Wire__V1__Pong pong = VOLUNTEER__WIRE__V1__PONG__INIT;
        pong.opaque = f->ping->opaque;
        Frame out = VOLUNTEER__WIRE__V1__FRAME__INIT;
        out.kind_case = VOLUNTEER__WIRE__V1__FRAME__KIND_PONG;
        out.pong = &pong;
        if (queue_frame(conn, &out, NULL) != VRS_OK) conn_fail(conn, VRS_UNAVAILABLE, strdup("out of memory"));
        else conn->pings_answered++;
        break;
    }
    case VOLUNTEER__WIRE__V1__FRAME__KIND_PONG:
        if (f->pong->opaque == conn->ping_seq) conn->pong_seen = true;
        break; /* a Pong that matches no Ping is ignored (§11) */
    case VOLUNTEER__WIRE__V1__FRAME__KIND_GOAWAY:
        on_goaway(conn, f->goaway);
        break;
    default: {
        vrs_call *c = find_call(conn, f->call_id);
        if (!c) break; /* ended, or never opened: ignored (§7.2) */
        if (kind == VOLUNTEER__WIRE__V1__FRAME__KIND_STATUS) {
            if (!c->counted) break; /* already ended on the server side */
            const Volunteer__Wire__V1__Status *s = f->status;
            call_finish(c, vrs_code_from_wire(s->code), false, strdup(s->message ? s->message : ""));
            call_uncount(c);
        } else if (kind == VOLUNTEER__WIRE__V1__FRAME__KIND_MESSAGE) {
            if (c->finished || !c->counted) break; /* abandoned: dropped */
            qnode *q = malloc(sizeof *q);
            if (!q) {
                conn_fail(conn, VRS_UNAVAILABLE, strdup("out of memory"));
                break;
            }
            q->next = NULL;
            q->frame = f;
            if (c->qtail) c->qtail->next = q;
            else c->qhead = q;
            c->qtail = q;
            return; /* the queue owns f now */
        }
        /* Headers: response metadata is not exposed; a second one is ignored. */
        break;
    }
    }
done:
    volunteer__wire__v1__frame__free_unpacked(f, NULL);
}

/* Cuts conn->rx into frames. The length prefix is checked against the limit
 * as soon as its 4 bytes are there, before the body is read (§5.1). */
static void parse_frames(vrs_conn *conn) {
    while (!conn->closed && conn->rx.len >= 4) {
        const uint8_t *p = conn->rx.p + conn->rx.off;
        uint32_t n = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
        if (n > conn->settings.max_frame_size) {
            char what[128];
            snprintf(what, sizeof what, "frame of %u bytes exceeds the announced limit of %u bytes", n,
                     conn->settings.max_frame_size);
            violation(conn, what);
            return;
        }
        if (conn->rx.len - 4 < n) return;
        Frame *f = volunteer__wire__v1__frame__unpack(NULL, n, p + 4);
        buf_consume(&conn->rx, 4 + (size_t)n);
        if (!f) {
            violation(conn, "malformed frame: the body does not decode as a Frame");
            return;
        }
        dispatch(conn, f);
    }
}

/* ------------------------------------------------------------------ socket I/O */

/* A TLS I/O failure as a message (consumes the OpenSSL error queue). */
static char *tls_failure(const vrs_conn *conn, int ssl_err, const char *op) {
    char *errs = ssl_errors();
    char *msg;
    if (ssl_err == SSL_ERROR_ZERO_RETURN)
        msg = format("connection to %s closed by the server (close_notify)", conn->peer);
    else if (ssl_err == SSL_ERROR_SYSCALL && errno == 0 && (!errs || !*errs))
        msg = format("connection to %s closed by the server", conn->peer);
    else if (ssl_err == SSL_ERROR_SYSCALL && errno != 0 && (!errs || !*errs))
        msg = format("connection to %s lost during %s: %s", conn->peer, op, strerror(errno));
    else
        msg = format("connection to %s: TLS failed during %s: %s", conn->peer, op, errs ? errs : "");
    free(errs);
    return msg;
}

/* Non-blocking: writes what it can, reads everything available. */
static void do_io(vrs_conn *conn) {
    conn->want_write = false;
    while (!conn->closed && conn->tx.len > 0) {
        int n = conn->tx.len > WRITE_CHUNK ? WRITE_CHUNK : (int)conn->tx.len;
        ERR_clear_error();
        errno = 0;
        int w = SSL_write(conn->ssl, conn->tx.p + conn->tx.off, n);
        if (w > 0) {
            buf_consume(&conn->tx, (size_t)w);
            continue;
        }
        int e = SSL_get_error(conn->ssl, w);
        if (e == SSL_ERROR_WANT_WRITE) {
            conn->want_write = true;
            break;
        }
        if (e == SSL_ERROR_WANT_READ) break;
        conn_fail(conn, VRS_UNAVAILABLE, tls_failure(conn, e, "write"));
        return;
    }
    while (!conn->closed) {
        if (!buf_reserve(&conn->rx, READ_CHUNK)) {
            conn_fail(conn, VRS_UNAVAILABLE, strdup("out of memory"));
            return;
        }
        ERR_clear_error();
        errno = 0;
        int r = SSL_read(conn->ssl, conn->rx.p + conn->rx.off + conn->rx.len, READ_CHUNK);
        if (r > 0) {
            conn->rx.len += (size_t)r;
            parse_frames(conn);
            continue;
        }
        int e = SSL_get_error(conn->ssl, r);
        if (e == SSL_ERROR_WANT_READ) break;
        if (e == SSL_ERROR_WANT_WRITE) {
            conn->want_write = true;
            break;
        }
        conn_fail(conn, VRS_UNAVAILABLE, tls_failure(conn, e, "read"));
        return;
    }
    /* Pongs queued while reading go out now. */
    while (!conn->closed && conn->tx.len > 0 && !conn->want_write) {
        int n = conn->tx.len > WRITE_CHUNK ? WRITE_CHUNK : (int)conn->tx.len;
        ERR_clear_error();
        errno = 0;
        int w = SSL_write(conn->ssl, conn->tx.p + conn->tx.off, n);
        if (w > 0) {
            buf_consume(&conn->tx, (size_t)w);
            continue;
        }
        int e = SSL_get_error(conn->ssl, w);
        if (e == SSL_ERROR_WANT_WRITE) conn->want_write = true;
        else if (e != SSL_ERROR_WANT_READ) conn_fail(conn, VRS_UNAVAILABLE, tls_failure(conn, e, "write"));
        break;
    }
}

/* Does the I/O that is ready, then waits up to timeout_ms for the socket and
 * does it again. */
static void pump(vrs_conn *conn, int timeout_ms) {
    if (conn->closed) return;
    do_io(conn);
    if (conn->closed || timeout_ms <= 0) return;
    struct pollfd pfd = {.fd = conn->fd, .events = POLLIN};
    if (conn->want_write || conn->tx.len > 0) pfd.events |= POLLOUT;
    int r = poll(&pfd, 1, timeout_ms);
    if (r < 0 && errno != EINTR) {
        conn_fail(conn, VRS_UNAVAILABLE, format("poll failed: %s", strerror(errno)));
        return;
    }
    if (r > 0) do_io(conn);
}

/* Milliseconds to wait in one pump: until deadline (0 = none), at most 1 s. */
static int wait_ms(int64_t deadline) {
    if (deadline == 0) return 1000;
    int64_t left = deadline - now_ms();
    if (left <= 0) return 0;
    return left > 1000 ? 1000 : (int)left;
}

/* ------------------------------------------------------------------ connect / close */

static bool is_ip_literal(const char *s) {
    unsigned char tmp[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, s, tmp) == 1 || inet_pton(AF_INET6, s, tmp) == 1;
}

static int tcp_connect(const char *host, uint16_t port, int64_t deadline, char **why) {
    char service[8];
    snprintf(service, sizeof service, "%u", (unsigned)port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    int gai = getaddrinfo(host, service, &hints, &res);
    if (gai != 0) {
        *why = format("cannot resolve %s: %s", host, gai_strerror(gai));
        return -1;
    }
    int fd = -1;
    int last_errno = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            last_errno = errno;
            continue;
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
        if (errno == EINPROGRESS) {
            struct pollfd pfd = {.fd = fd, .events = POLLOUT};
            int r;
            do {
                r = poll(&pfd, 1, wait_ms(deadline));
            } while ((r == 0 && now_ms() < deadline) || (r < 0 && errno == EINTR));
            if (r > 0) {
                int soerr = 0;
                socklen_t len = sizeof soerr;
                if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 && soerr == 0) break;
                last_errno = soerr ? soerr : errno;
            } else {
                last_errno = r == 0 ? ETIMEDOUT : errno;
            }
        } else {
            last_errno = errno;
        }
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        *why = format("%s", strerror(last_errno ? last_errno : ECONNREFUSED));
        return -1;
    }
    int one = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) {
        /* not fatal: only latency */
    }
    return fd;
}

static SSL_CTX *make_ctx(const vrs_conn_config *cfg, char **why) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) goto ssl_fail;
    if (!SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION)) goto ssl_fail;
    if (cfg->tls12_only && !SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION)) goto ssl_fail;
    /* §2: TLS 1.2 ECDHE with AEAD only; the three TLS 1.3 suites. */
    if (!SSL_CTX_set_cipher_list(ctx, "ECDHE+AESGCM:ECDHE+CHACHA20")) goto ssl_fail;
    if (!SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:"
                                       "TLS_CHACHA20_POLY1305_SHA256"))
        goto ssl_fail;
    if (SSL_CTX_load_verify_locations(ctx, cfg->ca_file, NULL) != 1) {
        char *e = ssl_errors();
        *why = format("cannot load CA %s: %s", cfg->ca_file, e ? e : "");
        free(e);
        SSL_CTX_free(ctx);
        return NULL;
    }
    if (SSL_CTX_use_certificate_chain_file(ctx, cfg->cert_file) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, cfg->key_file, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
        char *e = ssl_errors();
        *why = format("cannot load certificate %s / key %s: %s", cfg->cert_file, cfg->key_file, e ? e : "");
        free(e);
        SSL_CTX_free(ctx);
        return NULL;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    return ctx;
ssl_fail: {
    char *e = ssl_errors();
    *why = format("TLS setup failed: %s", e ? e : "");
    free(e);
    SSL_CTX_free(ctx);
    return NULL;
}
}

/* Non-blocking TLS handshake until done or the deadline. */
static bool handshake(vrs_conn *conn, int64_t deadline, char **why) {
    for (;;) {
        ERR_clear_error();
        errno = 0;
        int r = SSL_connect(conn->ssl);
        if (r == 1) return true;
        int e = SSL_get_error(conn->ssl, r);
        struct pollfd pfd = {.fd = conn->fd};
        if (e == SSL_ERROR_WANT_READ) pfd.events = POLLIN;
        else if (e == SSL_ERROR_WANT_WRITE) pfd.events = POLLOUT;
        else {
            char *errs = ssl_errors();
            long vr = SSL_get_verify_result(conn->ssl);
            if (vr != X509_V_OK)
                *why = format("TLS failed: server certificate: %s (%s)", X509_verify_cert_error_string(vr),
                              errs ? errs : "");
            else if (e == SSL_ERROR_SYSCALL && (!errs || !*errs))
                *why = format("TLS failed: %s", errno ? strerror(errno) : "connection closed during the handshake");
            else
                *why = format("TLS failed: %s", errs ? errs : "");
            free(errs);
            return false;
        }
        int left = wait_ms(deadline);
        if (left == 0) {
            *why = strdup("TLS handshake timed out");
            return false;
        }
        if (poll(&pfd, 1, left) < 0 && errno != EINTR) {
            *why = format("poll failed: %s", strerror(errno));
            return false;
        }
    }
}

vrs_code vrs_connect(const vrs_conn_config *cfg, vrs_conn **out, vrs_error *err) {
    *out = NULL;
    if (!cfg || !cfg->host || !cfg->cert_file || !cfg->key_file || !cfg->ca_file)
        return fail(err, VRS_INVALID_ARGUMENT, true, "host, cert_file, key_file and ca_file are required");
    vrs_conn *conn = calloc(1, sizeof *conn);
    if (!conn) return fail(err, VRS_UNAVAILABLE, true, "out of memory");
    conn->fd = -1;
    conn->next_id = 1;
    conn->enforce_deadlines = !cfg->no_local_deadlines;
    conn->settings = (vrs_settings){false, 1, "", DEFAULT_MAX_FRAME, DEFAULT_MAX_CALLS, DEFAULT_MAX_METADATA,
                                    60000, 300000};
    conn->peer = format("%s:%u", cfg->host, (unsigned)cfg->port);
    int64_t deadline = now_ms() + (cfg->connect_timeout_ms > 0 ? cfg->connect_timeout_ms : DEFAULT_CONNECT_MS);
    const char *name = cfg->server_name ? cfg->server_name : cfg->host;
    char *why = NULL;
    vrs_code code = VRS_UNAVAILABLE;

    if (!conn->peer) {
        why = strdup("out of memory");
        goto failed;
    }
    conn->ctx = make_ctx(cfg, &why);
    if (!conn->ctx) goto failed;
    conn->fd = tcp_connect(cfg->host, cfg->port, deadline, &why);
    if (conn->fd < 0) goto failed;
    conn->ssl = SSL_new(conn->ctx);
    if (!conn->ssl || !SSL_set_fd(conn->ssl, conn->fd)) goto ssl_setup;
    X509_VERIFY_PARAM *param = SSL_get0_param(conn->ssl);
    if (is_ip_literal(name)) {
        if (!X509_VERIFY_PARAM_set1_ip_asc(param, name)) goto ssl_setup;
    } else {
        if (!SSL_set1_host(conn->ssl, name) || !SSL_set_tlsext_host_name(conn->ssl, name)) goto ssl_setup;
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    }
    if (SSL_set_alpn_protos(conn->ssl, ALPN, sizeof ALPN - 1) != 0) goto ssl_setup;
    if (!handshake(conn, deadline, &why)) goto failed;
    snprintf(conn->tls_version, sizeof conn->tls_version, "%s", SSL_get_version(conn->ssl));
    {
        const unsigned char *alpn = NULL;
        unsigned int alpn_len = 0;
        SSL_get0_alpn_selected(conn->ssl, &alpn, &alpn_len);
        if (alpn_len >= sizeof conn->alpn) alpn_len = sizeof conn->alpn - 1;
        if (alpn_len) memcpy(conn->alpn, alpn, alpn_len);
        conn->alpn[alpn_len] = '\0';
    }
    /* §4: the preface, then wait for Settings (frames could go right away,
     * but the limits are better known first). */
    if (queue_raw(conn, PREFACE, sizeof PREFACE) != VRS_OK) {
        why = strdup("out of memory");
        goto failed;
    }
    while (!conn->settings.received && !conn->closed && now_ms() < deadline) pump(conn, wait_ms(deadline));
    if (conn->settings.received) {
        *out = conn;
        return VRS_OK;
    }
    if (conn->goaway && conn->goaway_code != 0) code = vrs_code_from_wire(conn->goaway_code);
    why = conn->closed ? strdup(conn->closed_reason ? conn->closed_reason : "connection closed")
                       : strdup("no Settings frame within the connect timeout");
    goto failed;
ssl_setup: {
    char *e = ssl_errors();
    why = format("TLS setup failed: %s", e ? e : "");
    free(e);
}
failed:
    fail(err, code, true, "could not connect to %s:%u: %s", cfg->host, (unsigned)cfg->port,
         why ? why : "out of memory");
    free(why);
    conn->closed = true; /* no close_notify on a failed connection */
    vrs_conn_close(conn);
    return code;
}

void vrs_conn_close(vrs_conn *conn) {
    if (!conn) return;
    if (!conn->closed && conn->ssl) {
        int64_t deadline = now_ms() + 2000;
        while (!conn->closed && conn->tx.len > 0 && now_ms() < deadline) pump(conn, wait_ms(deadline));
        if (!conn->closed) {
            /* TLS close_notify, best effort on the non-blocking socket. */
            deadline = now_ms() + 1000;
            for (;;) {
                ERR_clear_error();
                int r = SSL_shutdown(conn->ssl);
                if (r != 0 && r != -1) break;
                if (r == 0) break; /* our close_notify is sent; not waiting for theirs */
                int e = SSL_get_error(conn->ssl, r);
                if ((e != SSL_ERROR_WANT_WRITE && e != SSL_ERROR_WANT_READ) || now_ms() >= deadline) break;
                struct pollfd pfd = {.fd = conn->fd, .events = e == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN};
                if (poll(&pfd, 1, wait_ms(deadline)) < 0 && errno != EINTR) break;
            }
            ERR_clear_error();
        }
    }
    while (conn->calls) call_destroy(conn->calls);
    if (conn->ssl) SSL_free(conn->ssl);
    if (conn->fd >= 0) close(conn->fd);
    SSL_CTX_free(conn->ctx);
    buf_free(&conn->tx);
    buf_free(&conn->rx);
    free(conn->peer);
    free(conn->server_version);
    free(conn->closed_reason);
    free(conn->goaway_reason);
    free(conn);
}

const vrs_settings *vrs_conn_settings(const vrs_conn *conn) { return &conn->settings; }
const char *vrs_conn_tls_version(const vrs_conn *conn) { return conn->tls_version; }
const char *vrs_conn_alpn(const vrs_conn *conn) { return conn->alpn; }
uint64_t vrs_conn_next_call_id(const vrs_conn *conn) { return conn->next_id; }
uint64_t vrs_conn_pings_answered(const vrs_conn *conn) { return conn->pings_answered; }

bool vrs_conn_usable(const vrs_conn *conn) {
    return !conn->closed && !conn->goaway && conn->next_id <= UINT32_MAX;
}

bool vrs_conn_goaway(const vrs_conn *conn, uint32_t *last_call_id, uint32_t *code, const char **reason) {
    if (!conn->goaway) return false;
    if (last_call_id) *last_call_id = conn->goaway_last;
    if (code) *code = conn->goaway_code;
    if (reason) *reason = conn->goaway_reason ? conn->goaway_reason : "";
    return true;
}

vrs_code vrs_conn_poll(vrs_conn *conn, int timeout_ms, vrs_error *err) {
    int64_t deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    do {
        pump(conn, wait_ms(deadline));
    } while (!conn->closed && now_ms() < deadline);
    if (conn->closed) return fail(err, VRS_UNAVAILABLE, true, "connection closed: %s", conn->closed_reason);
    return VRS_OK;
}

vrs_code vrs_conn_ping(vrs_conn *conn, int timeout_ms, double *rtt_ms, vrs_error *err) {
    Volunteer__Wire__V1__Ping ping = VOLUNTEER__WIRE__V1__PING__INIT;
    ping.opaque = ++conn->ping_seq;
    conn->pong_seen = false;
    Frame f = VOLUNTEER__WIRE__V1__FRAME__INIT;
    f.kind_case = VOLUNTEER__WIRE__V1__FRAME__KIND_PING;
    f.ping = &ping;
    double start = now_ms_f();
    vrs_code code = queue_frame(conn, &f, err);
    if (code != VRS_OK) return code;
    int64_t deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 10000);
    while (!conn->pong_seen && !conn->closed && now_ms() < deadline) pump(conn, wait_ms(deadline));
    if (!conn->pong_seen)
        return fail(err, VRS_UNAVAILABLE, true, "no Pong%s%s", conn->closed ? ": " : " in time",
                    conn->closed ? conn->closed_reason : "");
    if (rtt_ms) *rtt_ms = now_ms_f() - start;
    return VRS_OK;
}

/* ------------------------------------------------------------------ calls */

/* A grpc-timeout value (§8.3): at most 8 digits and a unit, never shorter
 * than asked. */
static void encode_timeout(int64_t ms, char out[32]) {
    static const struct {
        char unit;
        int64_t per;
    } units[] = {{'H', 3600000}, {'M', 60000}, {'S', 1000}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (ms % units[i].per == 0 && ms / units[i].per <= 99999999) {
            snprintf(out, 32, "%lld%c", (long long)(ms / units[i].per), units[i].unit);
            return;
        }
    if (ms <= 99999999) snprintf(out, 32, "%lldm", (long long)ms);
    else if ((ms + 999) / 1000 <= 99999999) snprintf(out, 32, "%lldS", (long long)((ms + 999) / 1000));
    else if ((ms + 59999) / 60000 <= 99999999) snprintf(out, 32, "%lldM", (long long)((ms + 59999) / 60000));
    else snprintf(out, 32, "99999999H");
}

static bool valid_key(const char *k) {
    size_t n = strlen(k);
    if (n < 1 || n > 255) return false;
    for (size_t i = 0; i < n; i++) {
        char ch = k[i];
        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || ch == '_' || ch == '.' || ch == '-'))
            return false;
    }
    return true;
}

static bool ends_with_bin(const char *k) {
    size_t n = strlen(k);
    return n >= 4 && memcmp(k + n - 4, "-bin", 4) == 0;
}

vrs_code vrs_call_start(vrs_conn *conn, const char *method, const vrs_call_options *options, vrs_call **out,
                        vrs_error *err) {
    *out = NULL;
    vrs_call_options none = {0};
    const vrs_call_options *o = options ? options : &none;
    if (!method) return fail(err, VRS_INVALID_ARGUMENT, true, "no method");
    if (o->n_metadata > 0 && !o->metadata) return fail(err, VRS_INVALID_ARGUMENT, true, "metadata is NULL");
    int64_t deadline = o->timeout_ms > 0 ? now_ms() + o->timeout_ms : 0;

    /* Request metadata, validated as §8.1 requires; its §8.2 size. */
    size_t n_entries = o->n_metadata + (o->timeout_ms > 0 ? 1 : 0);
    Volunteer__Wire__V1__MetadataEntry *entries = calloc(n_entries ? n_entries : 1, sizeof *entries);
    Volunteer__Wire__V1__MetadataEntry **ptrs = calloc(n_entries ? n_entries : 1, sizeof *ptrs);
    char **texts = calloc(n_entries ? n_entries : 1, sizeof *texts);
    vrs_call *c = NULL;
    vrs_code code = VRS_OK;
    char timeout_text[32];
    size_t md_size = 0, k = 0;
    if (!entries || !ptrs || !texts) {
        code = fail(err, VRS_RESOURCE_EXHAUSTED, true, "out of memory");
        goto out;
    }
    if (o->timeout_ms > 0) {
        encode_timeout(o->timeout_ms, timeout_text);
        volunteer__wire__v1__metadata_entry__init(&entries[k]);
        entries[k].key = (char *)"grpc-timeout";
        entries[k].value_case = VOLUNTEER__WIRE__V1__METADATA_ENTRY__VALUE_TEXT;
        entries[k].text = timeout_text;
        md_size += strlen("grpc-timeout") + strlen(timeout_text);
        ptrs[k] = &entries[k];
        k++;
    }
    for (size_t i = 0; i < o->n_metadata; i++, k++) {
        const vrs_metadata *m = &o->metadata[i];
        if (!m->key || !valid_key(m->key)) {
            code = fail(err, VRS_INVALID_ARGUMENT, true, "invalid metadata key \"%s\"", m->key ? m->key : "(null)");
            goto out;
        }
        if (m->value_len > 0 && !m->value) {
            code = fail(err, VRS_INVALID_ARGUMENT, true, "metadata \"%s\": value is NULL", m->key);
            goto out;
        }
        volunteer__wire__v1__metadata_entry__init(&entries[k]);
        entries[k].key = (char *)m->key;
        if (ends_with_bin(m->key)) {
            entries[k].value_case = VOLUNTEER__WIRE__V1__METADATA_ENTRY__VALUE_BINARY;
            entries[k].binary.data = (uint8_t *)m->value;
            entries[k].binary.len = m->value_len;
        } else {
            for (size_t j = 0; j < m->value_len; j++)
                if (m->value[j] < 0x20 || m->value[j] > 0x7e) {
                    code = fail(err, VRS_INVALID_ARGUMENT, true, "metadata \"%s\" needs printable ASCII text",
                                m->key);
                    goto out;
                }
            texts[k] = malloc(m->value_len + 1);
            if (!texts[k]) {
                code = fail(err, VRS_RESOURCE_EXHAUSTED, true, "out of memory");
                goto out;
            }
            if (m->value_len) memcpy(texts[k], m->value, m->value_len);
            texts[k][m->value_len] = '\0';
            entries[k].value_case = VOLUNTEER__WIRE__V1__METADATA_ENTRY__VALUE_TEXT;
            entries[k].text = texts[k];
        }
        md_size += strlen(m->key) + m->value_len;
        ptrs[k] = &entries[k];
    }

    /* §10: count calls from Open to Status; wait locally rather than exceed. */
    while (!conn->closed && conn->open_calls >= conn->settings.max_concurrent_calls) {
        if (deadline && now_ms() >= deadline) {
            code = fail(err, VRS_DEADLINE_EXCEEDED, true, "the deadline expired waiting for a call slot");
            goto out;
        }
        pump(conn, wait_ms(deadline));
    }
    if (md_size > conn->settings.max_metadata_size) {
        code = fail(err, VRS_RESOURCE_EXHAUSTED, true, "metadata of %zu bytes exceeds the limit of %u bytes",
                    md_size, conn->settings.max_metadata_size);
        goto out;
    }
    if (!vrs_conn_usable(conn)) {
        if (conn->closed)
            code = fail(err, VRS_UNAVAILABLE, true, "connection closed: %s; use a new connection", conn->closed_reason);
        else if (conn->goaway)
            code = fail(err, VRS_UNAVAILABLE, true, "the server sent GoAway (%s); use a new connection",
                        conn->goaway_reason ? conn->goaway_reason : "");
        else code = fail(err, VRS_UNAVAILABLE, true, "call ids exhausted; use a new connection");
        goto out;
    }
    c = calloc(1, sizeof *c);
    if (!c || !(c->method = strdup(method))) {
        code = fail(err, VRS_RESOURCE_EXHAUSTED, true, "out of memory");
        goto out;
    }
    c->conn = conn;
    c->id = (uint32_t)conn->next_id++;
    c->deadline = deadline;
    Volunteer__Wire__V1__Open open = VOLUNTEER__WIRE__V1__OPEN__INIT;
    open.method = (char *)method;
    open.n_metadata = n_entries;
    open.metadata = ptrs;
    Frame f = VOLUNTEER__WIRE__V1__FRAME__INIT;
    f.call_id = c->id;
    f.kind_case = VOLUNTEER__WIRE__V1__FRAME__KIND_OPEN;
    f.open = &open;
    code = queue_frame(conn, &f, err);
    if (code != VRS_OK) goto out; /* never sent: the id is skipped (allowed, §7.1) */
    c->counted = true;
    conn->open_calls++;
    c->next = conn->calls;
    if (conn->calls) conn->calls->prev = c;
    conn->calls = c;
    *out = c;
    c = NULL;
out:
    if (c) {
        free(c->method);
        free(c);
    }
    for (size_t i = 0; texts && i < n_entries; i++) free(texts[i]);
    free(texts);
    free(ptrs);
    free(entries);
    return code;
}

uint32_t vrs_call_id(const vrs_call *call) { return call->id; }

/* Sends Cancel if the server still counts the call (§7.4). */
static void send_cancel(vrs_call *c) {
    if (c->cancel_sent || !c->counted || c->conn->closed) return;
    c->cancel_sent = true;
    Volunteer__Wire__V1__Cancel cancel = VOLUNTEER__WIRE__V1__CANCEL__INIT;
    Frame f = VOLUNTEER__WIRE__V1__FRAME__INIT;
    f.call_id = c->id;
    f.kind_case = VOLUNTEER__WIRE__V1__FRAME__KIND_CANCEL;
    f.cancel = &cancel;
    (void)queue_frame(c->conn, &f, NULL); /* a Cancel frame always fits */
}

/* Ends the call locally with code: Cancel sent, queued responses dropped. */
static vrs_code abandon(vrs_call *c, vrs_code code, char *message, vrs_error *err) {
    send_cancel(c);
    call_finish(c, code, true, message);
    call_clear_queue(c);
    return call_outcome(c, err);
}

/* True (and the outcome reported) if the call can no longer send. */
static bool call_ended_for_send(vrs_call *c, vrs_code *code, vrs_error *err) {
    if (!c->finished && c->conn->enforce_deadlines && c->deadline && now_ms() >= c->deadline)
        abandon(c, VRS_DEADLINE_EXCEEDED,
                format("the deadline expired before %s ended (client side)", c->method), NULL);
    if (c->finished) {
        *code = call_outcome(c, err);
        return true;
    }
    if (c->half_closed) {
        *code = fail(err, VRS_INTERNAL, true, "%s: the call is already half-closed", c->method);
        return true;
    }
    return false;
}

vrs_code vrs_call_send(vrs_call *c, const ProtobufCMessage *message, vrs_error *err) {
    vrs_conn *conn = c->conn;
    vrs_code code;
    if (call_ended_for_send(c, &code, err)) return code;
    size_t n = protobuf_c_message_get_packed_size(message);
    /* Checked before packing: the frame around it is larger still. */
    if (n > conn->settings.max_frame_size)
        return abandon(c, VRS_RESOURCE_EXHAUSTED,
                       format("request message of %zu bytes exceeds the server's frame limit of %u bytes", n,
                              conn->settings.max_frame_size),
                       err);
    uint8_t *data = malloc(n ? n : 1);
    if (!data) return abandon(c, VRS_RESOURCE_EXHAUSTED, strdup("out of memory"), err);
    protobuf_c_message_pack(message, data);
    Volunteer__Wire__V1__Message m = VOLUNTEER__WIRE__V1__MESSAGE__INIT;
    m.data.data = data;
    m.data.len = n;
    Frame f = VOLUNTEER__WIRE__V1__FRAME__INIT;
    f.call_id = c->id;
    f.kind_case = VOLUNTEER__WIRE__V1__FRAME__KIND_MESSAGE;
    f.message = &m;
    vrs_error local = {0};
    code = queue_frame(conn, &f, &local);
    free(data);
    if (code != VRS_OK) {
        char *msg = local.message;
        local.message = NULL;
        return abandon(c, code, msg, err);
    }
    /* Back pressure: keep reading while the socket drains. */
    while (!conn->closed && conn->tx.len > TX_HIGH_WATER) pump(conn, 1000);
    if (conn->closed && !c->finished) return call_outcome(c, err);
    return VRS_OK;
}

vrs_code vrs_call_half_close(vrs_call *c, vrs_error *err) {
    vrs_code code;
    if (call_ended_for_send(c, &code, err)) return code;
    Volunteer__Wire__V1__HalfClose hc = VOLUNTEER__WIRE__V1__HALF_CLOSE__INIT;
    Frame f = VOLUNTEER__WIRE__V1__FRAME__INIT;
    f.call_id = c->id;
    f.kind_case = VOLUNTEER__WIRE__V1__FRAME__KIND_HALF_CLOSE;
    f.half_close = &hc;
    code = queue_frame(c->conn, &f, err);
    if (code == VRS_OK) c->half_closed = true;
    return code;
}

vrs_code vrs_call_recv(vrs_call *c, const ProtobufCMessageDescriptor *type, ProtobufCMessage **out,
                       vrs_error *err) {
    vrs_conn *conn = c->conn;
    *out = NULL;
    for (;;) {
        if (c->qhead) {
            qnode *q = c->qhead;
            c->qhead = q->next;
            if (!c->qhead) c->qtail = NULL;
            const Volunteer__Wire__V1__Message *m = q->frame->message;
            ProtobufCMessage *msg = protobuf_c_message_unpack(type, NULL, m->data.len, m->data.data);
            volunteer__wire__v1__frame__free_unpacked(q->frame, NULL);
            free(q);
            if (!msg)
                return abandon(c, VRS_INTERNAL,
                               format("%s: the response does not decode as %s", c->method, type->name), err);
            *out = msg;
            return VRS_OK;
        }
        if (c->finished) return call_outcome(c, err);
        if (conn->enforce_deadlines && c->deadline && now_ms() >= c->deadline)
            return abandon(c, VRS_DEADLINE_EXCEEDED,
                           format("the deadline expired before %s ended (client side)", c->method), err);
        pump(conn, conn->enforce_deadlines ? wait_ms(c->deadline) : 1000);
    }
}

void vrs_call_cancel(vrs_call *c) {
    if (!c || c->finished) return;
    abandon(c, VRS_CANCELLED, strdup("cancelled by the client"), NULL);
}

void vrs_call_free(vrs_call *c) {
    if (!c) return;
    if (!c->finished) vrs_call_cancel(c);
    else send_cancel(c); /* ended locally but still open on the server: nothing if not */
    call_clear_queue(c);
    c->released = true;
    if (!c->counted) call_destroy(c);
}

/* Reads exactly one response and Status OK (unary and client streaming). */
static vrs_code single_response(vrs_call *c, const ProtobufCMessageDescriptor *type, ProtobufCMessage **out,
                                vrs_error *err) {
    ProtobufCMessage *resp = NULL, *next = NULL;
    vrs_code code = vrs_call_recv(c, type, &resp, err);
    if (code != VRS_OK) return code;
    if (!resp) return fail(err, VRS_INTERNAL, true, "%s: Status OK without a response message", c->method);
    code = vrs_call_recv(c, type, &next, err);
    if (code == VRS_OK && next) {
        protobuf_c_message_free_unpacked(next, NULL);
        code = abandon(c, VRS_INTERNAL, format("%s: more than one response message", c->method), err);
    }
    if (code != VRS_OK) {
        protobuf_c_message_free_unpacked(resp, NULL);
        return code;
    }
    *out = resp;
    return VRS_OK;
}

vrs_code vrs_unary(vrs_conn *conn, const char *method, const ProtobufCMessage *request,
                   const ProtobufCMessageDescriptor *response_type, int64_t timeout_ms, ProtobufCMessage **out,
                   vrs_error *err) {
    return vrs_client_stream(conn, method, &request, 1, response_type, timeout_ms, out, err);
}

vrs_code vrs_client_stream(vrs_conn *conn, const char *method, const ProtobufCMessage *const *requests, size_t n,
                           const ProtobufCMessageDescriptor *response_type, int64_t timeout_ms,
                           ProtobufCMessage **out, vrs_error *err) {
    *out = NULL;
    vrs_call *c = NULL;
    vrs_call_options o = {.timeout_ms = timeout_ms};
    vrs_code code = vrs_call_start(conn, method, &o, &c, err);
    if (code != VRS_OK) return code;
    bool stopped = false;
    for (size_t i = 0; i < n && code == VRS_OK; i++) {
        if ((i & 63) == 63) pump(conn, 0); /* notice an early Status (§7.2) */
        if (c->finished) {
            stopped = true;
            break;
        }
        code = vrs_call_send(c, requests[i], err);
    }
    if (code == VRS_OK && !stopped) code = vrs_call_half_close(c, err);
    if (code == VRS_OK) code = single_response(c, response_type, out, err);
    vrs_call_free(c);
    return code;
}

vrs_code vrs_server_stream(vrs_conn *conn, const char *method, const ProtobufCMessage *request,
                           const vrs_call_options *options, vrs_call **out, vrs_error *err) {
    vrs_call *c = NULL;
    vrs_code code = vrs_call_start(conn, method, options, &c, err);
    if (code != VRS_OK) return code;
    code = vrs_call_send(c, request, err);
    if (code == VRS_OK) code = vrs_call_half_close(c, err);
    if (code != VRS_OK) {
        vrs_call_free(c);
        *out = NULL;
        return code;
    }
    *out = c;
    return VRS_OK;
}
