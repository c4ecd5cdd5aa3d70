/*
 * vrs-checks - protocol-level checks of a running server with the C client (used by
 * test_against_server.sh; mirrors Clients/python/protocol_checks.py).
 *
 *   vrs-checks --port P --pki DIR [--host H] [--sigterm-pid PID]
 *   vrs-checks --port P --pki DIR --wait-health    (exit 0 if Health.Check says SERVING)
 *   vrs-checks --port P --pki DIR --limits-checks  (server with keepalive 1 s, timeout 3 s,
 *                                                   max 4 concurrent calls: queueing, Pong)
 *
 * Each check prints "ok:   ..." or "FAIL: ..."; the exit status is the number of failures
 * (capped at 100). With --sigterm-pid the last check sends SIGTERM to the server and expects
 * GoAway code 0 on an open connection (PROTOCOL.md §12).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"
#include "vrs_client.h"
#include "volunteer/v1/credentials.pb-c.h"
#include "volunteer/v1/health.pb-c.h"
#include "volunteer/v1/principals.pb-c.h"
#include "volunteer/v1/volunteers.pb-c.h"

#define CPM(x) ((const ProtobufCMessage *)(x))
#define HEALTH "/volunteer.v1.Health/Check"

static const char *host = "127.0.0.1";
static uint16_t port;
static const char *pki;
static int failures;
static strbuf detail; /* what an ok check prints after its name */

static void result(const char *name, bool ok) {
    printf("%s %s: %s\n", ok ? "ok:  " : "FAIL:", name, detail.s ? detail.s : "");
    fflush(stdout);
    if (!ok) failures++;
    detail.len = 0;
    if (detail.s) detail.s[0] = '\0';
}

/* Paths under the PKI directory for one identity ("admin", "partner", ...). */
typedef struct ident {
    char cert[512], key[512], ca[512];
} ident;

static bool identity(const char *name, ident *id) {
    int a = snprintf(id->cert, sizeof id->cert, "%s/%s.crt", pki, name);
    int b = snprintf(id->key, sizeof id->key, "%s/%s.key", pki, name);
    int c = snprintf(id->ca, sizeof id->ca, "%s/ca.crt", pki);
    return a > 0 && (size_t)a < sizeof id->cert && b > 0 && (size_t)b < sizeof id->key && c > 0 &&
           (size_t)c < sizeof id->ca;
}

static vrs_code connect_as(const char *name, vrs_conn_config extra, vrs_conn **out, vrs_error *err) {
    ident id;
    if (!identity(name, &id)) {
        *out = NULL;
        err->code = VRS_INVALID_ARGUMENT;
        return VRS_INVALID_ARGUMENT;
    }
    extra.host = extra.host ? extra.host : host;
    extra.port = port;
    extra.cert_file = id.cert;
    extra.key_file = id.key;
    extra.ca_file = id.ca;
    extra.connect_timeout_ms = 10000;
    return vrs_connect(&extra, out, err);
}

/* A unary Health.Check-shaped call to any path; returns its code, fills err. */
static vrs_code health_call(vrs_conn *c, const char *path, int64_t timeout_ms, vrs_error *err) {
    Volunteer__V1__HealthCheckRequest req = VOLUNTEER__V1__HEALTH_CHECK_REQUEST__INIT;
    ProtobufCMessage *resp = NULL;
    vrs_code code = vrs_unary(c, path, CPM(&req), &volunteer__v1__health_check_response__descriptor, timeout_ms,
                              &resp, err);
    if (resp) protobuf_c_message_free_unpacked(resp, NULL);
    return code;
}

/* True if code/err match the expectation (local: -1 any, 0 server, 1 client); records why not. */
static bool expect(vrs_code want, int local, vrs_code got, const vrs_error *err) {
    if (got != want) {
        sb_printf(&detail, "expected %s, got %s: %s", vrs_code_name(want), vrs_code_name(got),
                  err->message ? err->message : "");
        return false;
    }
    if (local >= 0 && err->local != (local == 1)) {
        sb_printf(&detail, "expected a %s error, got a %s one: %s", local ? "client-side" : "server",
                  err->local ? "client-side" : "server", err->message ? err->message : "");
        return false;
    }
    sb_printf(&detail, "%s%s: %s", vrs_code_name(got), err->local ? " (client side)" : "",
              err->message ? err->message : "");
    return true;
}

static void check_tls(vrs_conn *admin) {
    const vrs_settings *s = vrs_conn_settings(admin);
    bool ok = strcmp(vrs_conn_alpn(admin), "vrs/1") == 0 && s->received && s->protocol_version == 1;
    sb_printf(&detail, "%s, ALPN %s, server %s, max_frame_size %u, max_concurrent_calls %u, max_metadata_size %u",
              vrs_conn_tls_version(admin), vrs_conn_alpn(admin), s->server_version, s->max_frame_size,
              s->max_concurrent_calls, s->max_metadata_size);
    result("TLS, ALPN and Settings", ok);
}

static void check_tls12(void) {
    vrs_error err = {0};
    vrs_conn *c = NULL;
    vrs_code code = connect_as("admin", (vrs_conn_config){.tls12_only = true}, &c, &err);
    if (code == VRS_OK) code = health_call(c, HEALTH, 5000, &err);
    bool ok = code == VRS_OK && strcmp(vrs_conn_tls_version(c), "TLSv1.2") == 0;
    sb_printf(&detail, "%s, ALPN %s%s%s", c ? vrs_conn_tls_version(c) : "-", c ? vrs_conn_alpn(c) : "-",
              err.message ? "; " : "", err.message ? err.message : "");
    vrs_conn_close(c);
    vrs_error_clear(&err);
    result("TLS 1.2 with an ECDHE AEAD suite", ok);
}

static void check_hostname(void) {
    vrs_error err = {0};
    vrs_conn *c = NULL;
    vrs_code code = connect_as("admin", (vrs_conn_config){.server_name = "wrong.example"}, &c, &err);
    bool ok = expect(VRS_UNAVAILABLE, 1, code, &err);
    vrs_conn_close(c);
    vrs_error_clear(&err);
    result("server certificate for another name -> refused by the client", ok);
}

static void check_simple(vrs_conn *admin) {
    vrs_error err = {0};
    vrs_code code = health_call(admin, "/volunteer.v1.Health/NoSuchMethod", 5000, &err);
    result("unknown method -> UNIMPLEMENTED", expect(VRS_UNIMPLEMENTED, 0, code, &err));
    vrs_error_clear(&err);

    code = health_call(admin, "Health.Check", 5000, &err);
    result("malformed method path -> UNIMPLEMENTED", expect(VRS_UNIMPLEMENTED, 0, code, &err));
    vrs_error_clear(&err);

    /* Invalid grpc-timeout sent as raw metadata (no deadline of our own). */
    vrs_metadata md = {"grpc-timeout", (const uint8_t *)"1s", 2};
    vrs_call_options o = {.metadata = &md, .n_metadata = 1};
    vrs_call *call = NULL;
    Volunteer__V1__HealthCheckRequest req = VOLUNTEER__V1__HEALTH_CHECK_REQUEST__INIT;
    ProtobufCMessage *resp = NULL;
    code = vrs_server_stream(admin, HEALTH, CPM(&req), &o, &call, &err);
    while (code == VRS_OK) {
        code = vrs_call_recv(call, &volunteer__v1__health_check_response__descriptor, &resp, &err);
        if (!resp) break;
        protobuf_c_message_free_unpacked(resp, NULL);
        resp = NULL;
    }
    vrs_call_free(call);
    result("invalid grpc-timeout '1s' -> INVALID_ARGUMENT", expect(VRS_INVALID_ARGUMENT, 0, code, &err));
    vrs_error_clear(&err);

    code = vrs_client_stream(admin, HEALTH, NULL, 0, &volunteer__v1__health_check_response__descriptor, 5000, &resp,
                             &err);
    if (resp) protobuf_c_message_free_unpacked(resp, NULL);
    result("unary request without a message -> INTERNAL", expect(VRS_INTERNAL, 0, code, &err));
    vrs_error_clear(&err);
}

/* Drains a 1 ms ExportCredentials; returns its code. */
static vrs_code export_1ms(vrs_conn *c, vrs_error *err) {
    Volunteer__V1__ExportCredentialsRequest req = VOLUNTEER__V1__EXPORT_CREDENTIALS_REQUEST__INIT;
    vrs_call_options o = {.timeout_ms = 1};
    vrs_call *call = NULL;
    vrs_code code = vrs_server_stream(c, "/volunteer.v1.Credentials/ExportCredentials", CPM(&req), &o, &call, err);
    while (code == VRS_OK) {
        ProtobufCMessage *part = NULL;
        code = vrs_call_recv(call, &volunteer__v1__export_part__descriptor, &part, err);
        if (!part) break;
        protobuf_c_message_free_unpacked(part, NULL);
    }
    vrs_call_free(call);
    return code;
}

static void check_deadlines(vrs_conn *admin) {
    /* The server's own deadline handling: no local enforcement on this connection. */
    vrs_error err = {0};
    vrs_conn *c = NULL;
    vrs_code code = connect_as("admin", (vrs_conn_config){.no_local_deadlines = true}, &c, &err);
    int exceeded = 0, okays = 0;
    bool ok = code == VRS_OK;
    char *example = NULL;
    for (int i = 0; ok && i < 5; i++) {
        code = export_1ms(c, &err);
        if (code == VRS_OK) okays++;
        else if (code == VRS_DEADLINE_EXCEEDED && !err.local) {
            exceeded++;
            free(example);
            example = err.message ? strdup(err.message) : NULL;
        } else {
            ok = expect(VRS_DEADLINE_EXCEEDED, 0, code, &err);
        }
        vrs_error_clear(&err);
    }
    if (ok && exceeded == 0) {
        sb_printf(&detail, "1 ms deadline never exceeded: %d OK", okays);
        ok = false;
    }
    if (ok) { /* the connection survives and stays usable */
        code = health_call(c, HEALTH, 5000, &err);
        if (code != VRS_OK) ok = expect(VRS_OK, -1, code, &err);
    }
    if (ok) sb_printf(&detail, "%d DEADLINE_EXCEEDED, %d OK; e.g. \"%s\"", exceeded, okays, example ? example : "");
    free(example);
    vrs_error_clear(&err);
    vrs_conn_close(c);
    result("1 ms deadline, server side -> DEADLINE_EXCEEDED", ok);

    code = export_1ms(admin, &err);
    result("1 ms deadline, client side -> DEADLINE_EXCEEDED", expect(VRS_DEADLINE_EXCEEDED, -1, code, &err));
    vrs_error_clear(&err);
}

static void check_oversize(vrs_conn *admin) {
    vrs_error err = {0};
    size_t n = (size_t)vrs_conn_settings(admin)->max_frame_size + 1;
    char *big = malloc(n + 1);
    if (!big) {
        result("request over max_frame_size", false);
        return;
    }
    memset(big, 'x', n);
    big[n] = '\0';
    Volunteer__V1__GetVolunteerRequest req = VOLUNTEER__V1__GET_VOLUNTEER_REQUEST__INIT;
    req.volunteer_number = big;
    ProtobufCMessage *resp = NULL;
    vrs_code code = vrs_unary(admin, "/volunteer.v1.Volunteers/GetVolunteer", CPM(&req),
                              &volunteer__v1__volunteer__descriptor, 5000, &resp, &err);
    free(big);
    if (resp) protobuf_c_message_free_unpacked(resp, NULL);
    bool ok = expect(VRS_RESOURCE_EXHAUSTED, 1, code, &err);
    vrs_error_clear(&err);
    if (ok) { /* still connected */
        code = health_call(admin, HEALTH, 5000, &err);
        if (code != VRS_OK) ok = expect(VRS_OK, -1, code, &err);
        vrs_error_clear(&err);
    }
    result("request over max_frame_size -> local RESOURCE_EXHAUSTED, connection kept", ok);

    /* A message that fits the limit but whose frame (call id, tag, length) does not. */
    n = (size_t)vrs_conn_settings(admin)->max_frame_size - 10;
    big = malloc(n + 1);
    if (!big) {
        result("request frame over max_frame_size", false);
        return;
    }
    memset(big, 'y', n);
    big[n] = '\0';
    req.volunteer_number = big;
    code = vrs_unary(admin, "/volunteer.v1.Volunteers/GetVolunteer", CPM(&req), &volunteer__v1__volunteer__descriptor,
                     5000, &resp, &err);
    free(big);
    if (resp) protobuf_c_message_free_unpacked(resp, NULL);
    ok = expect(VRS_RESOURCE_EXHAUSTED, 1, code, &err);
    vrs_error_clear(&err);
    if (ok) {
        code = health_call(admin, HEALTH, 5000, &err);
        if (code != VRS_OK) ok = expect(VRS_OK, -1, code, &err);
        vrs_error_clear(&err);
    }
    result("message under max_frame_size, frame over it -> local RESOURCE_EXHAUSTED, Cancel sent, connection kept",
           ok);
}

enum { N_MUX = 64 };

/* Starts N_MUX Health.Check calls and a server stream before reading any answer, then
 * collects them in reverse order: every call must get its own response. */
static void check_multiplex(vrs_conn *admin) {
    vrs_error err = {0};
    vrs_call *calls[N_MUX] = {0};
    vrs_call *stream = NULL;
    Volunteer__V1__HealthCheckRequest req = VOLUNTEER__V1__HEALTH_CHECK_REQUEST__INIT;
    vrs_call_options o = {.timeout_ms = 10000};
    int good = 0, parts = 0;
    bool ok = true;
    uint64_t first_id = vrs_conn_next_call_id(admin);
    for (int i = 0; i < N_MUX && ok; i++) {
        vrs_code code = vrs_server_stream(admin, HEALTH, CPM(&req), &o, &calls[i], &err);
        if (code != VRS_OK) ok = expect(VRS_OK, -1, code, &err);
        if (ok && i == N_MUX / 2) {
            Volunteer__V1__ExportCredentialsRequest ereq = VOLUNTEER__V1__EXPORT_CREDENTIALS_REQUEST__INIT;
            code = vrs_server_stream(admin, "/volunteer.v1.Credentials/ExportCredentials", CPM(&ereq), &o, &stream,
                                     &err);
            if (code != VRS_OK) ok = expect(VRS_OK, -1, code, &err);
        }
    }
    for (int i = N_MUX - 1; i >= 0 && ok; i--) {
        ProtobufCMessage *m = NULL, *end = NULL;
        vrs_code code = vrs_call_recv(calls[i], &volunteer__v1__health_check_response__descriptor, &m, &err);
        if (code == VRS_OK && m)
            code = vrs_call_recv(calls[i], &volunteer__v1__health_check_response__descriptor, &end, &err);
        if (code == VRS_OK && m && !end) good++;
        else ok = expect(VRS_OK, -1, code, &err);
        if (m) protobuf_c_message_free_unpacked(m, NULL);
        if (end) protobuf_c_message_free_unpacked(end, NULL);
    }
    while (ok && stream) {
        ProtobufCMessage *part = NULL;
        vrs_code code = vrs_call_recv(stream, &volunteer__v1__export_part__descriptor, &part, &err);
        if (code != VRS_OK) ok = expect(VRS_OK, -1, code, &err);
        if (!part) break;
        parts++;
        protobuf_c_message_free_unpacked(part, NULL);
    }
    for (int i = 0; i < N_MUX; i++) vrs_call_free(calls[i]);
    vrs_call_free(stream);
    vrs_error_clear(&err);
    if (ok)
        sb_printf(&detail, "%d concurrent Health.Check calls (ids %llu..%llu) and an export stream (%d parts) on one "
                           "connection, answered in any order",
                  good, (unsigned long long)first_id, (unsigned long long)vrs_conn_next_call_id(admin) - 1, parts);
    result("multiplexed concurrent calls", ok && good == N_MUX && parts >= 2);
}

static void check_ping(vrs_conn *admin) {
    vrs_error err = {0};
    double rtt = 0;
    vrs_code code = vrs_conn_ping(admin, 5000, &rtt, &err);
    bool ok = code == VRS_OK;
    if (ok) sb_printf(&detail, "round trip %.2f ms", rtt);
    else expect(VRS_OK, -1, code, &err);
    vrs_error_clear(&err);
    result("ping/pong", ok);
}

static void check_principals(vrs_conn *admin) {
    vrs_error err = {0};
    vrs_conn *c = NULL;
    vrs_code code = connect_as("partner", (vrs_conn_config){0}, &c, &err);
    if (code == VRS_OK) code = health_call(c, HEALTH, 5000, &err);
    result("unregistered partner -> UNAUTHENTICATED", expect(VRS_UNAUTHENTICATED, 0, code, &err));
    vrs_error_clear(&err);
    code = c ? health_call(c, "/volunteer.v1.Health/Nope", 5000, &err) : VRS_UNAVAILABLE;
    result("unregistered partner, unknown method -> UNIMPLEMENTED", expect(VRS_UNIMPLEMENTED, 0, code, &err));
    vrs_error_clear(&err);
    vrs_conn_close(c);
    c = NULL;

    /* Register the auditor (ALREADY_EXISTS on a rerun), then try a write it may not do. */
    Volunteer__V1__AddPrincipalRequest add = VOLUNTEER__V1__ADD_PRINCIPAL_REQUEST__INIT;
    add.id = (char *)"spiffe://volunteer/auditor/dev-auditor";
    add.role = VOLUNTEER__V1__ROLE__ROLE_AUDITOR;
    add.scope_organisation_id = (char *)"national";
    add.display_name = (char *)"dev auditor";
    ProtobufCMessage *resp = NULL;
    code = vrs_unary(admin, "/volunteer.v1.Principals/AddPrincipal", CPM(&add), &volunteer__v1__principal__descriptor,
                     5000, &resp, &err);
    if (resp) protobuf_c_message_free_unpacked(resp, NULL);
    resp = NULL;
    bool ok = code == VRS_OK || code == VRS_ALREADY_EXISTS;
    if (!ok) expect(VRS_OK, -1, code, &err);
    vrs_error_clear(&err);
    if (ok) {
        code = connect_as("auditor", (vrs_conn_config){0}, &c, &err);
        if (code == VRS_OK) code = health_call(c, HEALTH, 5000, &err);
        if (code != VRS_OK) ok = expect(VRS_OK, -1, code, &err);
        vrs_error_clear(&err);
    }
    if (ok) {
        Volunteer__V1__RegisterVolunteerRequest reg = VOLUNTEER__V1__REGISTER_VOLUNTEER_REQUEST__INIT;
        reg.idempotency_key = (char *)"x";
        code = vrs_unary(c, "/volunteer.v1.Volunteers/RegisterVolunteer", CPM(&reg),
                         &volunteer__v1__register_volunteer_response__descriptor, 5000, &resp, &err);
        if (resp) protobuf_c_message_free_unpacked(resp, NULL);
        ok = expect(VRS_PERMISSION_DENIED, 0, code, &err);
        vrs_error_clear(&err);
    }
    vrs_conn_close(c);
    result("registered auditor may not register volunteers -> PERMISSION_DENIED", ok);

    c = NULL;
    ident two;
    FILE *probe = identity("twouri", &two) ? fopen(two.cert, "r") : NULL;
    if (probe) { /* made by test_against_server.sh: two URI SANs */
        fclose(probe);
        code = connect_as("twouri", (vrs_conn_config){0}, &c, &err);
        ok = expect(VRS_UNAUTHENTICATED, 1, code, &err);
        vrs_conn_close(c);
        c = NULL;
        vrs_error_clear(&err);
        result("certificate with two URI SANs -> GoAway 16 instead of Settings, connect fails UNAUTHENTICATED", ok);
    }
    code = connect_as("stranger", (vrs_conn_config){0}, &c, &err);
    ok = expect(VRS_UNAVAILABLE, 1, code, &err);
    vrs_conn_close(c);
    vrs_error_clear(&err);
    result("certificate from another CA -> refused (UNAVAILABLE, TLS alert)", ok);
}

static void check_goaway(vrs_conn *admin, long pid) {
    vrs_error err = {0};
    bool ok = kill((pid_t)pid, SIGTERM) == 0;
    if (!ok) sb_printf(&detail, "kill: %s", strerror(errno));
    uint32_t last = 0, code = 0;
    const char *reason = "";
    for (int i = 0; ok && i < 100 && !vrs_conn_goaway(admin, &last, &code, &reason); i++)
        vrs_conn_poll(admin, 100, NULL);
    if (ok && !vrs_conn_goaway(admin, &last, &code, &reason)) {
        sb_printf(&detail, "no GoAway within 10 s of SIGTERM");
        ok = false;
    }
    if (ok && code != 0) {
        sb_printf(&detail, "GoAway code %u: %s", code, reason);
        ok = false;
    }
    if (ok) {
        vrs_code c = health_call(admin, HEALTH, 5000, &err);
        ok = expect(VRS_UNAVAILABLE, 1, c, &err);
        strbuf msg = {0};
        sb_printf(&msg, "GoAway last_call_id=%u code=%u reason=\"%s\"; new call: %s", last, code, reason,
                  err.message ? err.message : "");
        detail.len = 0;
        if (msg.s) sb_str(&detail, msg.s);
        sb_free(&msg);
    }
    vrs_error_clear(&err);
    result("SIGTERM -> GoAway 0, new calls refused locally", ok);
}

/* --limits-checks: against a server configured with keepaliveIntervalSeconds 1,
 * keepaliveTimeoutSeconds 3 and maxConcurrentCallsPerConnection 4 (test_against_server.sh). */
enum { N_QUEUED = 16 };

static void check_limits(void) {
    vrs_error err = {0};
    vrs_conn *a = NULL, *b = NULL;
    vrs_code code = connect_as("admin", (vrs_conn_config){0}, &a, &err);
    bool ok = code == VRS_OK || expect(VRS_OK, -1, code, &err);
    vrs_error_clear(&err);
    if (ok) {
        const vrs_settings *s = vrs_conn_settings(a);
        ok = s->max_concurrent_calls == 4 && s->keepalive_interval_ms == 1000;
        sb_printf(&detail, "max_concurrent_calls %u, keepalive_interval_ms %u, idle_timeout_ms %u",
                  s->max_concurrent_calls, s->keepalive_interval_ms, s->idle_timeout_ms);
    }
    result("Settings of the limits server", ok);
    if (!ok) goto out;

    /* 16 calls with a limit of 4: the client waits for slots locally (§10). */
    vrs_call *calls[N_QUEUED] = {0};
    Volunteer__V1__HealthCheckRequest req = VOLUNTEER__V1__HEALTH_CHECK_REQUEST__INIT;
    vrs_call_options o = {.timeout_ms = 10000};
    int good = 0;
    for (int i = 0; i < N_QUEUED && ok; i++) {
        code = vrs_server_stream(a, HEALTH, CPM(&req), &o, &calls[i], &err);
        if (code != VRS_OK) ok = expect(VRS_OK, -1, code, &err);
    }
    for (int i = 0; i < N_QUEUED && ok; i++) {
        ProtobufCMessage *m = NULL, *end = NULL;
        code = vrs_call_recv(calls[i], &volunteer__v1__health_check_response__descriptor, &m, &err);
        if (code == VRS_OK && m) code = vrs_call_recv(calls[i], &volunteer__v1__health_check_response__descriptor, &end, &err);
        if (code == VRS_OK && m && !end) good++;
        else ok = expect(VRS_OK, -1, code, &err);
        if (m) protobuf_c_message_free_unpacked(m, NULL);
        if (end) protobuf_c_message_free_unpacked(end, NULL);
    }
    for (int i = 0; i < N_QUEUED; i++) vrs_call_free(calls[i]);
    vrs_error_clear(&err);
    if (ok) sb_printf(&detail, "%d calls started back to back, at most 4 open at once, all answered OK", good);
    result("more calls than max_concurrent_calls -> queued locally, none refused", ok && good == N_QUEUED);

    /* Keepalive (§11): a served connection answers the server's Pings; one that is not
     * read for longer than interval + timeout is closed by the server with GoAway 14. */
    code = connect_as("admin", (vrs_conn_config){0}, &b, &err);
    ok = code == VRS_OK || expect(VRS_OK, -1, code, &err);
    vrs_error_clear(&err);
    if (ok) {
        vrs_conn_poll(a, 6000, NULL); /* b is not read meanwhile */
        uint64_t answered = vrs_conn_pings_answered(a);
        code = health_call(a, HEALTH, 5000, &err);
        ok = code == VRS_OK && answered >= 2;
        if (!ok) expect(VRS_OK, -1, code, &err);
        else sb_printf(&detail, "%llu server Pings answered in 6 s, connection still usable", (unsigned long long)answered);
        vrs_error_clear(&err);
        result("served connection answers keepalive Pings", ok);

        code = health_call(b, HEALTH, 5000, &err);
        uint32_t gcode = 0;
        const char *reason = "";
        bool got = vrs_conn_goaway(b, NULL, &gcode, &reason);
        ok = expect(VRS_UNAVAILABLE, 1, code, &err) && got && gcode == VRS_UNAVAILABLE;
        sb_printf(&detail, "; GoAway %s code %u \"%s\"", got ? "received" : "missing", gcode, reason);
        vrs_error_clear(&err);
        result("connection not read for 6 s -> server GoAway 14 (keepalive), call UNAVAILABLE", ok);
    }
out:
    vrs_conn_close(a);
    vrs_conn_close(b);
}

/* --wait-health: exit 0 once Health.Check answers SERVING over the protocol. */
static int health_only(void) {
    vrs_error err = {0};
    vrs_conn *c = NULL;
    ProtobufCMessage *resp = NULL;
    Volunteer__V1__HealthCheckRequest req = VOLUNTEER__V1__HEALTH_CHECK_REQUEST__INIT;
    vrs_code code = connect_as("admin", (vrs_conn_config){0}, &c, &err);
    if (code == VRS_OK)
        code = vrs_unary(c, HEALTH, CPM(&req), &volunteer__v1__health_check_response__descriptor, 2000, &resp, &err);
    int rc = code == VRS_OK && ((Volunteer__V1__HealthCheckResponse *)resp)->status ==
                                   VOLUNTEER__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING_STATUS_SERVING
                 ? 0
                 : 1;
    if (resp) protobuf_c_message_free_unpacked(resp, NULL);
    vrs_conn_close(c);
    vrs_error_clear(&err);
    return rc;
}

int main(int argc, char **argv) {
    long sigterm_pid = 0;
    bool wait_health = false, limits = false;
    for (int i = 1; i < argc; i += 2) {
        if (strcmp(argv[i], "--limits-checks") == 0) {
            limits = true;
            i--;
            continue;
        }
        if (strcmp(argv[i], "--wait-health") == 0) {
            wait_health = true;
            i--;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "vrs-checks: %s needs a value\n", argv[i]);
            return 100;
        }
        if (strcmp(argv[i], "--host") == 0) host = argv[i + 1];
        else if (strcmp(argv[i], "--port") == 0) port = (uint16_t)strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--pki") == 0) pki = argv[i + 1];
        else if (strcmp(argv[i], "--sigterm-pid") == 0) sigterm_pid = strtol(argv[i + 1], NULL, 10);
        else {
            fprintf(stderr, "vrs-checks: unknown option %s\n", argv[i]);
            return 100;
        }
    }
    if (!port || !pki) {
        fprintf(stderr, "usage: vrs-checks --port P --pki DIR [--host H] [--sigterm-pid PID | --wait-health | --limits-checks]\n");
        return 100;
    }
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) return 100;
    if (wait_health) return health_only();
    if (limits) {
        check_limits();
        sb_free(&detail);
        printf("%d failure(s)\n", failures);
        return failures > 100 ? 100 : failures;
    }
    vrs_error err = {0};
    vrs_conn *admin = NULL;
    vrs_code code = connect_as("admin", (vrs_conn_config){0}, &admin, &err);
    if (code != VRS_OK) {
        printf("FAIL: connect as admin: %s: %s\n", vrs_code_name(code), err.message ? err.message : "");
        vrs_error_clear(&err);
        return 1;
    }
    check_tls(admin);
    check_tls12();
    check_hostname();
    check_simple(admin);
    check_deadlines(admin);
    check_oversize(admin);
    check_multiplex(admin);
    check_ping(admin);
    check_principals(admin);
    if (sigterm_pid > 0) check_goaway(admin, sigterm_pid);
    vrs_conn_close(admin);
    sb_free(&detail);
    printf("%d failure(s)\n", failures);
    return failures > 100 ? 100 : failures;
}
