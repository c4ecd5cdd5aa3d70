/*
 * vrs_client.h - C client of the Volunteer Records wire protocol, version 1
 * (docs/PROTOCOL.md). OpenSSL 3 for TLS, protobuf-c for the messages
 * (generated/ by generate.sh from Proto/).
 *
 * Model: one connection (vrs_conn) is a single TLS socket driven by the
 * thread that uses it. Several calls (vrs_call) may be in flight on it at
 * once: every function that waits reads the socket continuously, answers
 * the server's Pings and queues each call's frames until that call's owner
 * asks for them, so one slow consumer never stalls the others (§10). A
 * connection and its calls must not be used from two threads at once.
 *
 * Errors: functions that can fail return a vrs_code (VRS_OK on success) and,
 * when the caller passes a vrs_error, fill it with the code, the server's
 * (or this client's) message and whether the error was produced locally.
 * Free the message with vrs_error_clear().
 *
 * Writing to a socket the server has closed raises SIGPIPE: programs using
 * this library should ignore it (signal(SIGPIPE, SIG_IGN)).
 */
#ifndef VRS_CLIENT_H
#define VRS_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#ifdef __cplusplus
extern "C" {
#endif

/* gRPC status codes (PROTOCOL.md §9). Codes above 16 from the server are
 * reported as VRS_UNKNOWN (§7.5). */
typedef enum vrs_code {
    VRS_OK = 0,
    VRS_CANCELLED = 1,
    VRS_UNKNOWN = 2,
    VRS_INVALID_ARGUMENT = 3,
    VRS_DEADLINE_EXCEEDED = 4,
    VRS_NOT_FOUND = 5,
    VRS_ALREADY_EXISTS = 6,
    VRS_PERMISSION_DENIED = 7,
    VRS_RESOURCE_EXHAUSTED = 8,
    VRS_FAILED_PRECONDITION = 9,
    VRS_ABORTED = 10,
    VRS_OUT_OF_RANGE = 11,
    VRS_UNIMPLEMENTED = 12,
    VRS_INTERNAL = 13,
    VRS_UNAVAILABLE = 14,
    VRS_DATA_LOSS = 15,
    VRS_UNAUTHENTICATED = 16
} vrs_code;

/* The outcome of a failed operation. */
typedef struct vrs_error {
    vrs_code code;  /* VRS_OK when nothing failed */
    bool local;     /* true: produced by this client (deadline, connection
                       loss, oversize request, ...), not a server Status */
    char *message;  /* malloc'd human-readable text, or NULL */
} vrs_error;

/* Returns the upper-case name of a code ("NOT_FOUND"); "UNKNOWN" for values
 * outside 0..16. The string is static. */
const char *vrs_code_name(vrs_code code);

/* Maps a status code number from the wire to a vrs_code (> 16: VRS_UNKNOWN). */
vrs_code vrs_code_from_wire(uint32_t code);

/* Frees err->message and resets *err to VRS_OK. Safe on a cleared error
 * and on NULL. */
void vrs_error_clear(vrs_error *err);

/* Where and how to connect. Strings are copied by vrs_connect(). */
typedef struct vrs_conn_config {
    const char *host;        /* host name or IP literal to connect to */
    uint16_t port;           /* TCP port of the service */
    const char *server_name; /* name or IP checked in the server certificate
                                (and sent as SNI if a name); NULL = host */
    const char *cert_file;   /* client certificate chain, PEM */
    const char *key_file;    /* client private key, PEM */
    const char *ca_file;     /* CA that signed the server certificate, PEM */
    int connect_timeout_ms;  /* TCP + TLS + Settings; 0 = 10000 */
    bool tls12_only;         /* cap the TLS version at 1.2 (tests) */
    bool no_local_deadlines; /* rely on the server's deadline only (tests);
                                default: deadlines are enforced locally too */
} vrs_conn_config;

/* The server's limits (§6) with the defaults for unset values. */
typedef struct vrs_settings {
    bool received;                  /* false until the Settings frame arrived */
    uint32_t protocol_version;
    const char *server_version;     /* "" until received */
    uint32_t max_frame_size;
    uint32_t max_concurrent_calls;
    uint32_t max_metadata_size;
    uint32_t keepalive_interval_ms; /* 0 = the server never pings */
    uint32_t idle_timeout_ms;       /* 0 = never */
} vrs_settings;

/* One request metadata entry (§8). Keys are 1-255 characters of
 * [0-9a-z_.-]; a key ending in "-bin" carries binary bytes, any other key
 * printable ASCII text. value need not be NUL-terminated. */
typedef struct vrs_metadata {
    const char *key;
    const uint8_t *value;
    size_t value_len;
} vrs_metadata;

/* Per-call options; a zeroed struct (or NULL) means no deadline and no
 * metadata. */
typedef struct vrs_call_options {
    int64_t timeout_ms;            /* > 0: deadline sent as grpc-timeout and
                                      enforced locally; 0: none */
    const vrs_metadata *metadata;  /* extra request metadata, in order */
    size_t n_metadata;
} vrs_call_options;

typedef struct vrs_conn vrs_conn;
typedef struct vrs_call vrs_call;

/* Connects: TCP, TLS 1.2+ with the client certificate (server verified
 * against ca_file, host name or IP checked, ALPN "vrs/1" offered), sends the
 * preface and waits for the server's Settings. On success stores the
 * connection in *out and returns VRS_OK. Failures are VRS_UNAVAILABLE (or the
 * code of a GoAway the server sent instead of Settings, e.g.
 * VRS_UNAUTHENTICATED) with *out set to NULL. */
vrs_code vrs_connect(const vrs_conn_config *config, vrs_conn **out, vrs_error *err);

/* Closes the connection: flushes what is queued (up to 2 s), sends TLS
 * close_notify and frees everything, including calls not yet freed (their
 * handles become invalid; calls still open are cancelled by the server).
 * NULL is ignored. */
void vrs_conn_close(vrs_conn *conn);

/* The server's Settings (defaults until received). Valid until close. */
const vrs_settings *vrs_conn_settings(const vrs_conn *conn);

/* Negotiated TLS version ("TLSv1.3") and ALPN protocol ("vrs/1", or "" when
 * none was selected). Valid until close. */
const char *vrs_conn_tls_version(const vrs_conn *conn);
const char *vrs_conn_alpn(const vrs_conn *conn);

/* True while new calls may be started: connected, no GoAway received, call
 * ids left. When false, open a new connection for new calls (§12). */
bool vrs_conn_usable(const vrs_conn *conn);

/* If the server sent GoAway, stores its fields (any pointer may be NULL;
 * *reason stays valid until close) and returns true. */
bool vrs_conn_goaway(const vrs_conn *conn, uint32_t *last_call_id, uint32_t *code,
                     const char **reason);

/* The id the next call will get. */
uint64_t vrs_conn_next_call_id(const vrs_conn *conn);

/* Serves the connection for up to timeout_ms (0: only what is ready): reads
 * and queues frames, answers Pings, writes what is queued. Call it when idle
 * for long, so the server's keepalive Pings get their Pong (§11). Returns
 * VRS_OK, or VRS_UNAVAILABLE / VRS_INTERNAL once the connection is lost. */
vrs_code vrs_conn_poll(vrs_conn *conn, int timeout_ms, vrs_error *err);

/* How many of the server's Pings this connection has answered with a Pong
 * (§11; answering is automatic whenever the connection is served). */
uint64_t vrs_conn_pings_answered(const vrs_conn *conn);

/* Sends a Ping and waits up to timeout_ms for its Pong; stores the round
 * trip in *rtt_ms (may be NULL). */
vrs_code vrs_conn_ping(vrs_conn *conn, int timeout_ms, double *rtt_ms, vrs_error *err);

/* Starts a call to method ("/volunteer.v1.Health/Check"): takes the next
 * call id and queues the Open frame. Waits while max_concurrent_calls calls
 * are open (§10). Local failures: VRS_UNAVAILABLE (connection closed, GoAway
 * received, ids exhausted), VRS_INVALID_ARGUMENT (bad metadata),
 * VRS_RESOURCE_EXHAUSTED (metadata or Open frame over the server's limits),
 * VRS_DEADLINE_EXCEEDED (no slot before the deadline). The call must be
 * released with vrs_call_free(). */
vrs_code vrs_call_start(vrs_conn *conn, const char *method, const vrs_call_options *options,
                        vrs_call **out, vrs_error *err);

/* The call's id on the connection. */
uint32_t vrs_call_id(const vrs_call *call);

/* Queues one request message. A message whose frame exceeds the server's
 * max_frame_size is not sent: the call is cancelled and fails locally with
 * VRS_RESOURCE_EXHAUSTED (§5.1). If the call has already ended (e.g. the
 * server answered early) nothing is sent and the call's outcome is
 * returned (VRS_OK if it ended successfully). Waits (reading meanwhile)
 * while more than 1 MiB is queued for the socket. */
vrs_code vrs_call_send(vrs_call *call, const ProtobufCMessage *message, vrs_error *err);

/* Queues HalfClose: no more request messages on this call. */
vrs_code vrs_call_half_close(vrs_call *call, vrs_error *err);

/* Waits for the call's next response message and unpacks it as type.
 * Returns VRS_OK with *out set (free it with protobuf_c_message_free_unpacked
 * (*out, NULL)), VRS_OK with *out NULL when the call ended with Status OK, or
 * the call's error. After its deadline the call is cancelled and
 * VRS_DEADLINE_EXCEEDED returned (unless the connection was configured with
 * no_local_deadlines). Once ended, every further call returns the same
 * outcome. */
vrs_code vrs_call_recv(vrs_call *call, const ProtobufCMessageDescriptor *type,
                       ProtobufCMessage **out, vrs_error *err);

/* Abandons the call: sends Cancel, drops its queued responses and ends it
 * locally as VRS_CANCELLED (§7.4). No effect on an ended call. */
void vrs_call_cancel(vrs_call *call);

/* Releases the call. A call that has not ended is cancelled first; the
 * connection keeps counting it as open until the server's Status arrives.
 * NULL is ignored. */
void vrs_call_free(vrs_call *call);

/* A unary call: Open, the request, HalfClose, then exactly one response
 * message and Status OK (anything else is VRS_INTERNAL). timeout_ms as in
 * vrs_call_options (0 = none). On VRS_OK *out holds the response (free it
 * with protobuf_c_message_free_unpacked); otherwise *out is NULL. */
vrs_code vrs_unary(vrs_conn *conn, const char *method, const ProtobufCMessage *request,
                   const ProtobufCMessageDescriptor *response_type, int64_t timeout_ms,
                   ProtobufCMessage **out, vrs_error *err);

/* A client-streaming call: Open, the n requests, HalfClose, then exactly
 * one response. Stops sending early if the server ends the call first. *out
 * as for vrs_unary(). */
vrs_code vrs_client_stream(vrs_conn *conn, const char *method,
                           const ProtobufCMessage *const *requests, size_t n,
                           const ProtobufCMessageDescriptor *response_type, int64_t timeout_ms,
                           ProtobufCMessage **out, vrs_error *err);

/* Starts a server-streaming call: Open, the request, HalfClose. Read the
 * responses with vrs_call_recv() until it returns VRS_OK with NULL (end) or
 * an error, then vrs_call_free() it (freeing earlier cancels the call). */
vrs_code vrs_server_stream(vrs_conn *conn, const char *method, const ProtobufCMessage *request,
                           const vrs_call_options *options, vrs_call **out, vrs_error *err);

#ifdef __cplusplus
}
#endif

#endif /* VRS_CLIENT_H */
