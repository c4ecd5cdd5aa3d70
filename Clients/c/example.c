/*
 * vrs-example - end-to-end example of the C client as a partner or admin.
 *
 * Registers a volunteer, creates and publishes an activity, uploads a batch of hours from a
 * CSV (columns key,volunteer_number,activity_id,start_time,end_time,content; an empty
 * volunteer_number or activity_id means "the one this run created") as one client stream,
 * approves them (admin only), evaluates the volunteer, issues a credential, streams its
 * evidence (recomputing the digest) and streams the credential export of the organisation
 * into a directory (jwks.json, status-lists/<name>.jwt, credentials.jsonl, manifest.jwt,
 * byte for byte) on a connection of its own.
 *
 * Every write carries an idempotency key derived from --run-id, so running again with the
 * same run id replays instead of duplicating. Exits 0 only if every step succeeded; prints a
 * JSON summary (also to --summary FILE) that test_against_server.sh checks. Mirrors
 * Clients/python/example.py.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"
#include "vrs_client.h"
#include "volunteer/v1/activities.pb-c.h"
#include "volunteer/v1/credentials.pb-c.h"
#include "volunteer/v1/evaluations.pb-c.h"
#include "volunteer/v1/health.pb-c.h"
#include "volunteer/v1/hours.pb-c.h"
#include "volunteer/v1/organisations.pb-c.h"
#include "volunteer/v1/volunteers.pb-c.h"

#define PM(x) ((ProtobufCMessage *)(x))
#define CPM(x) ((const ProtobufCMessage *)(x))

typedef struct options {
    const char *host, *server_name, *cert, *key, *ca, *run_id, *csv, *org, *region, *document_number,
        *export_dir, *summary;
    uint16_t port;
    int64_t timeout_ms;
} options;

/* ------------------------------------------------------------------ CSV */

typedef struct row {
    int line;
    char *key, *volunteer_number, *activity_id, *content, *start_text, *end_text;
    int64_t start, end;      /* Unix seconds */
    int start_off, end_off;  /* UTC offsets in seconds */
} row;

typedef struct rows {
    row *v;
    size_t n;
} rows;

static void rows_free(rows *r) {
    for (size_t i = 0; i < r->n; i++) {
        free(r->v[i].key);
        free(r->v[i].volunteer_number);
        free(r->v[i].activity_id);
        free(r->v[i].content);
        free(r->v[i].start_text);
        free(r->v[i].end_text);
    }
    free(r->v);
    r->v = NULL;
    r->n = 0;
}

static int64_t days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d) {
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static bool digits(const char *s, int n, int *out) {
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* ISO 8601 "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)"; the offset is required. */
static bool parse_time(const char *text, int64_t *epoch, int *offset) {
    while (*text == ' ') text++;
    int y, mo, d, h, mi, s = 0;
    size_t len = strlen(text);
    if (len < 16 || !digits(text, 4, &y) || text[4] != '-' || !digits(text + 5, 2, &mo) || text[7] != '-' ||
        !digits(text + 8, 2, &d) || (text[10] != 'T' && text[10] != ' ') || !digits(text + 11, 2, &h) ||
        text[13] != ':' || !digits(text + 14, 2, &mi))
        return false;
    const char *p = text + 16;
    if (*p == ':') {
        if (!digits(p + 1, 2, &s)) return false;
        p += 3;
        if (*p == '.') {
            p++;
            while (*p >= '0' && *p <= '9') p++;
        }
    }
    int off;
    if (*p == 'Z') {
        off = 0;
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om)) return false;
        off = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
        p += 6;
    } else {
        return false;
    }
    while (*p == ' ') p++;
    if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return false;
    *epoch = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - off;
    *offset = off;
    return true;
}

/* One RFC 4180 record starting at *pos; fields malloc'd into *out (n in *n). */
static bool csv_record(const char *data, size_t len, size_t *pos, char ***out, size_t *n, int *lines) {
    char **fields = NULL;
    size_t count = 0;
    strbuf f = {0};
    size_t i = *pos;
    bool ok = true, end = false;
    while (!end) {
        bool quoted = false;
        sb_free(&f);
        if (!sb_str(&f, "")) goto oom;
        if (i < len && data[i] == '"') {
            quoted = true;
            i++;
            for (;;) {
                if (i >= len) {
                    ok = false; /* unterminated quote */
                    goto done;
                }
                if (data[i] == '"') {
                    if (i + 1 < len && data[i + 1] == '"') {
                        if (!sb_str(&f, "\"")) goto oom;
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                if (data[i] == '\n') (*lines)++;
                if (!sb_add(&f, data + i, 1)) goto oom;
                i++;
            }
        }
        while (i < len && data[i] != ',' && data[i] != '\n' && data[i] != '\r') {
            if (quoted) {
                ok = false; /* text after a closing quote */
                goto done;
            }
            if (!sb_add(&f, data + i, 1)) goto oom;
            i++;
        }
        char **grown = realloc(fields, (count + 1) * sizeof *fields);
        if (!grown) goto oom;
        fields = grown;
        fields[count++] = f.s;
        f = (strbuf){0};
        if (i < len && data[i] == ',') {
            i++;
            continue;
        }
        if (i < len && data[i] == '\r') i++;
        if (i < len && data[i] == '\n') i++;
        (*lines)++;
        end = true;
    }
done:
    sb_free(&f);
    if (!ok) {
        for (size_t k = 0; k < count; k++) free(fields[k]);
        free(fields);
        return false;
    }
    *pos = i;
    *out = fields;
    *n = count;
    return true;
oom:
    ok = false;
    goto done;
}

static void free_fields(char **fields, size_t n) {
    for (size_t k = 0; k < n; k++) free(fields[k]);
    free(fields);
}

static char *trimmed(const char *s) {
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    return strndup(s, n);
}

static bool read_file_all(const char *path, strbuf *out) {
    FILE *fp = fopen(path, "rb");
    if (!fp) return false;
    char chunk[8192];
    size_t n;
    bool ok = true;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        if (!sb_add(out, chunk, n)) {
            ok = false;
            break;
        }
    if (ferror(fp)) ok = false;
    if (fclose(fp) != 0) ok = false;
    return ok && out->s;
}

/* Rows of key,volunteer_number,activity_id,start_time,end_time,content (RFC 4180, UTF-8). */
static bool read_hours_csv(const char *path, rows *out) {
    static const char *const need[6] = {"key", "volunteer_number", "activity_id", "start_time", "end_time", "content"};
    strbuf file = {0};
    if (!read_file_all(path, &file)) {
        fprintf(stderr, "example: cannot read %s: %s\n", path, strerror(errno));
        sb_free(&file);
        return false;
    }
    const char *data = file.s;
    size_t len = file.len, pos = 0;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) pos = 3;
    char **header = NULL, **fields = NULL;
    size_t nh = 0, nf = 0;
    int lines = 0, col[6];
    bool ok = false;
    if (!csv_record(data, len, &pos, &header, &nh, &lines)) {
        fprintf(stderr, "example: %s: cannot parse the header\n", path);
        goto out;
    }
    for (int k = 0; k < 6; k++) {
        col[k] = -1;
        for (size_t j = 0; j < nh; j++)
            if (strcmp(header[j], need[k]) == 0) col[k] = (int)j;
        if (col[k] < 0) {
            fprintf(stderr, "example: %s: the header must have the columns "
                            "key,volunteer_number,activity_id,start_time,end_time,content\n", path);
            goto out;
        }
    }
    while (pos < len) {
        int line = lines + 1;
        if (!csv_record(data, len, &pos, &fields, &nf, &lines)) {
            fprintf(stderr, "example: %s line %d: malformed CSV\n", path, line);
            goto out;
        }
        if (nf == 1 && fields[0][0] == '\0') { /* blank line */
            free_fields(fields, nf);
            fields = NULL;
            continue;
        }
        if (nf != nh) {
            fprintf(stderr, "example: %s line %d: %zu fields, the header has %zu\n", path, line, nf, nh);
            goto out;
        }
        row *grown = realloc(out->v, (out->n + 1) * sizeof *grown);
        if (!grown) goto oom;
        out->v = grown;
        row *r = &out->v[out->n];
        memset(r, 0, sizeof *r);
        out->n++;
        r->line = line;
        r->key = trimmed(fields[col[0]]);
        r->volunteer_number = trimmed(fields[col[1]]);
        r->activity_id = trimmed(fields[col[2]]);
        r->start_text = trimmed(fields[col[3]]);
        r->end_text = trimmed(fields[col[4]]);
        r->content = strdup(fields[col[5]]);
        if (!r->key || !r->volunteer_number || !r->activity_id || !r->start_text || !r->end_text || !r->content)
            goto oom;
        if (!parse_time(r->start_text, &r->start, &r->start_off) || !parse_time(r->end_text, &r->end, &r->end_off)) {
            fprintf(stderr, "example: %s line %d: times must be ISO 8601 with a UTC offset\n", path, line);
            goto out;
        }
        free_fields(fields, nf);
        fields = NULL;
    }
    if (out->n == 0) {
        fprintf(stderr, "example: %s: no rows\n", path);
        goto out;
    }
    ok = true;
    goto out;
oom:
    fprintf(stderr, "example: out of memory\n");
out:
    free_fields(header, nh);
    if (fields) free_fields(fields, nf);
    sb_free(&file);
    return ok;
}

/* ------------------------------------------------------------------ test data */

/* A GB 11643-1999 resident ID (valid check character) derived from the run id, so that every
 * run id registers its own volunteer and a rerun registers the same one (as example.py). */
static bool resident_id(const char *run_id, const char *region, char out[19]) {
    uint8_t d[32];
    if (!sha256_raw(run_id, strlen(run_id), d)) return false;
    uint64_t h = 0;
    for (int i = 0; i < 8; i++) h = h << 8 | d[i];
    int y, m, day;
    civil_from_days((int64_t)(h % 10000), &y, &m, &day);
    unsigned seq = (unsigned)((h / 10000) % 1000);
    char body[40];
    if (snprintf(body, sizeof body, "%.6s%04d%02d%02d%03u", region, y, m, day, seq) != 17) return false;
    static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++) sum += (body[i] - '0') * weights[i];
    memcpy(out, body, 17);
    out[17] = "10X98765432"[sum % 11];
    out[18] = '\0';
    return true;
}

static const char *enum_name(const ProtobufCEnumDescriptor *d, int value) {
    const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(d, value);
    return v ? v->name : "?";
}

/* ------------------------------------------------------------------ calls */

static int report(const char *what, vrs_code code, vrs_error *err) {
    fprintf(stderr, "example: call failed: %s: %s (%d): %s%s\n", what, vrs_code_name(code), (int)code,
            err->message ? err->message : "", err->local ? " [client side]" : "");
    vrs_error_clear(err);
    return 1;
}

#define UNARY(conn, path, req, type, resp)                                                             \
    do {                                                                                               \
        ProtobufCMessage *m_ = NULL;                                                                   \
        vrs_code c_ = vrs_unary((conn), (path), CPM(req), &type##__descriptor, o->timeout_ms, &m_, &err); \
        if (c_ != VRS_OK) {                                                                            \
            rc = report((path), c_, &err);                                                             \
            goto out;                                                                                  \
        }                                                                                              \
        (resp) = (void *)m_;                                                                           \
    } while (0)

#define FREE_MSG(x)                                               \
    do {                                                          \
        if (x) protobuf_c_message_free_unpacked(PM(x), NULL);     \
        (x) = NULL;                                               \
    } while (0)

static bool dir_is_empty_or_new(const char *dir) {
    if (mkdir(dir, 0755) == 0) return true;
    if (errno != EEXIST) return false;
    DIR *d = opendir(dir);
    if (!d) return false;
    struct dirent *e;
    bool empty = true;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) empty = false;
    closedir(d);
    if (!empty) errno = ENOTEMPTY;
    return empty;
}

static bool safe_name(const char *s) {
    if (!*s) return false;
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' ||
              *s == '-'))
            return false;
    return true;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Streams ExportCredentials into dir, checking the part order (header first, exactly
 * header.credentials lines, manifest last). Adds "export" to the summary. */
static int export_credentials(vrs_conn *conn, const options *o, const char *org_id, strbuf *summary) {
    int rc = 1;
    vrs_error err = {0};
    vrs_call *call = NULL;
    FILE *jsonl = NULL;
    strbuf path = {0}, names = {0};
    Volunteer__V1__ExportPart *part = NULL;
    bool header_seen = false, manifest_seen = false;
    uint64_t announced = 0, lines = 0;
    size_t n_lists = 0;

    if (!dir_is_empty_or_new(o->export_dir)) {
        fprintf(stderr, "example: export directory %s: %s\n", o->export_dir, strerror(errno));
        return 1;
    }
    if (!sb_printf(&path, "%s/credentials.jsonl", o->export_dir) || !(jsonl = fopen(path.s, "wb"))) {
        fprintf(stderr, "example: cannot create %s: %s\n", path.s ? path.s : "credentials.jsonl", strerror(errno));
        goto out;
    }
    Volunteer__V1__ExportCredentialsRequest req = VOLUNTEER__V1__EXPORT_CREDENTIALS_REQUEST__INIT;
    req.organisation_id = (char *)org_id;
    vrs_call_options co = {.timeout_ms = o->timeout_ms > 300000 ? o->timeout_ms : 300000};
    vrs_code code = vrs_server_stream(conn, "/volunteer.v1.Credentials/ExportCredentials", CPM(&req), &co, &call, &err);
    if (code != VRS_OK) {
        rc = report("ExportCredentials", code, &err);
        goto out;
    }
    for (;;) {
        code = vrs_call_recv(call, &volunteer__v1__export_part__descriptor, (ProtobufCMessage **)&part, &err);
        if (code != VRS_OK) {
            rc = report("ExportCredentials", code, &err);
            goto out;
        }
        if (!part) break;
        if (manifest_seen) {
            fprintf(stderr, "example: export: a part after the manifest\n");
            goto out;
        }
        switch (part->part_case) {
        case VOLUNTEER__V1__EXPORT_PART__PART_HEADER: {
            if (header_seen) {
                fprintf(stderr, "example: export: a second header\n");
                goto out;
            }
            header_seen = true;
            const Volunteer__V1__ExportHeader *h = part->header;
            announced = h->credentials;
            path.len = 0;
            if (!sb_printf(&path, "%s/jwks.json", o->export_dir) || !write_file(path.s, h->jwks_json.data, h->jwks_json.len)) {
                fprintf(stderr, "example: cannot write %s: %s\n", path.s, strerror(errno));
                goto out;
            }
            path.len = 0;
            if (!sb_printf(&path, "%s/status-lists", o->export_dir) || (mkdir(path.s, 0755) != 0 && errno != EEXIST)) {
                fprintf(stderr, "example: cannot create %s: %s\n", path.s, strerror(errno));
                goto out;
            }
            char **sorted = calloc(h->n_status_lists ? h->n_status_lists : 1, sizeof *sorted);
            if (!sorted) goto out;
            for (size_t i = 0; i < h->n_status_lists; i++) {
                const Volunteer__V1__ExportHeader__StatusListsEntry *e = h->status_lists[i];
                sorted[i] = e->key;
                if (!safe_name(e->key)) {
                    fprintf(stderr, "example: export: unsafe status list name \"%s\"\n", e->key);
                    free(sorted);
                    goto out;
                }
                path.len = 0;
                if (!sb_printf(&path, "%s/status-lists/%s.jwt", o->export_dir, e->key) ||
                    !write_file(path.s, e->value, strlen(e->value))) {
                    fprintf(stderr, "example: cannot write %s: %s\n", path.s, strerror(errno));
                    free(sorted);
                    goto out;
                }
            }
            qsort(sorted, h->n_status_lists, sizeof *sorted, cmp_str);
            bool ok = true;
            for (size_t i = 0; i < h->n_status_lists && ok; i++)
                ok = (i == 0 || sb_str(&names, ", ")) && sb_json_string(&names, sorted[i]);
            n_lists = h->n_status_lists;
            free(sorted);
            if (!ok) goto out;
            break;
        }
        case VOLUNTEER__V1__EXPORT_PART__PART_CREDENTIAL_LINE:
            if (!header_seen) {
                fprintf(stderr, "example: export: a credential line before the header\n");
                goto out;
            }
            if (part->credential_line.len &&
                fwrite(part->credential_line.data, 1, part->credential_line.len, jsonl) != part->credential_line.len) {
                fprintf(stderr, "example: cannot write credentials.jsonl: %s\n", strerror(errno));
                goto out;
            }
            lines++;
            break;
        case VOLUNTEER__V1__EXPORT_PART__PART_MANIFEST_JWT:
            if (!header_seen) {
                fprintf(stderr, "example: export: the manifest before the header\n");
                goto out;
            }
            manifest_seen = true;
            path.len = 0;
            if (!sb_printf(&path, "%s/manifest.jwt", o->export_dir) ||
                !write_file(path.s, part->manifest_jwt, strlen(part->manifest_jwt))) {
                fprintf(stderr, "example: cannot write %s: %s\n", path.s, strerror(errno));
                goto out;
            }
            break;
        default:
            fprintf(stderr, "example: export: a part with no field set\n");
            goto out;
        }
        FREE_MSG(part);
    }
    if (!header_seen || !manifest_seen) {
        fprintf(stderr, "example: export: the stream ended without a header or a manifest\n");
        goto out;
    }
    if (lines != announced) {
        fprintf(stderr, "example: export: header announced %llu credentials, got %llu\n",
                (unsigned long long)announced, (unsigned long long)lines);
        goto out;
    }
    int closed = fclose(jsonl);
    jsonl = NULL;
    if (closed != 0) {
        fprintf(stderr, "example: cannot write credentials.jsonl: %s\n", strerror(errno));
        goto out;
    }
    printf("export: %llu credentials, %zu status lists [%s] written to %s\n", (unsigned long long)lines, n_lists,
           names.s ? names.s : "", o->export_dir);
    if (!sb_printf(summary, ",\n  \"export\": {\"credentials\": %llu, \"status_lists\": [%s], \"dir\": ",
                   (unsigned long long)lines, names.s ? names.s : "") ||
        !sb_json_string(summary, o->export_dir) || !sb_str(summary, "}"))
        goto out;
    rc = 0;
out:
    FREE_MSG(part);
    vrs_call_free(call);
    if (jsonl) fclose(jsonl);
    sb_free(&path);
    sb_free(&names);
    vrs_error_clear(&err);
    return rc;
}

static bool in_list(char *const *ids, size_t n, const char *id) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(ids[i], id) == 0) return true;
    return false;
}

static int run(const options *o, strbuf *summary) {
    int rc = 1;
    vrs_error err = {0};
    vrs_conn *conn = NULL;
    rows csv = {0};
    Volunteer__V1__HealthCheckResponse *health = NULL;
    Volunteer__V1__Organisation *org = NULL;
    Volunteer__V1__RegisterVolunteerResponse *reg = NULL;
    Volunteer__V1__Activity *act = NULL, *published = NULL;
    Volunteer__V1__UploadHoursResponse *up = NULL;
    Volunteer__V1__ListRecordsResponse *listing = NULL;
    Volunteer__V1__ReviewRecordsResponse *rev = NULL;
    Volunteer__V1__Evaluation *ev = NULL;
    Volunteer__V1__Credential *cred = NULL;
    Volunteer__V1__EvidenceChunk *chunk = NULL;
    vrs_call *evcall = NULL;
    Volunteer__V1__LogHoursRequest *reqs = NULL;
    Google__Protobuf__Timestamp *times = NULL;
    const ProtobufCMessage **req_ptrs = NULL;
    char **keys = NULL, **ids = NULL, **pending = NULL, *org_id = NULL, *vnum = NULL, *act_id = NULL;
    strbuf key = {0}, evidence = {0}, reason = {0};
    size_t n_ids = 0;

    if (!read_hours_csv(o->csv, &csv)) return 1;
    vrs_conn_config cfg = {.host = o->host, .port = o->port, .server_name = o->server_name, .cert_file = o->cert,
                           .key_file = o->key, .ca_file = o->ca, .connect_timeout_ms = (int)o->timeout_ms};
    vrs_code code = vrs_connect(&cfg, &conn, &err);
    if (code != VRS_OK) return report("connect", code, &err);
    const vrs_settings *st = vrs_conn_settings(conn);
    printf("connected: %s, ALPN \"%s\", server %s, max_frame_size %u, max_concurrent_calls %u\n",
           vrs_conn_tls_version(conn), vrs_conn_alpn(conn), st->server_version, st->max_frame_size,
           st->max_concurrent_calls);

    /* 1. Who am I? */
    Volunteer__V1__HealthCheckRequest hreq = VOLUNTEER__V1__HEALTH_CHECK_REQUEST__INIT;
    UNARY(conn, "/volunteer.v1.Health/Check", &hreq, volunteer__v1__health_check_response, health);
    if (!health->caller) {
        fprintf(stderr, "example: Health.Check returned no caller\n");
        goto out;
    }
    const char *role = enum_name(&volunteer__v1__role__descriptor, health->caller->role);
    printf("health: %s, server %s, caller %s (%s, scope %s)\n",
           enum_name(&volunteer__v1__health_check_response__serving_status__descriptor, health->status),
           health->server_version, health->caller->id, role, health->caller->scope_organisation_id);
    bool ok = sb_str(summary, "{\n  \"run_id\": ") && sb_json_string(summary, o->run_id) &&
              sb_str(summary, ",\n  \"caller\": {\"id\": ") && sb_json_string(summary, health->caller->id) &&
              sb_str(summary, ", \"role\": ") && sb_json_string(summary, role) &&
              sb_str(summary, ", \"scope\": ") &&
              sb_json_string(summary, health->caller->scope_organisation_id) && sb_str(summary, "}");
    if (!ok) goto oom;

    org_id = strdup(o->org ? o->org : health->caller->scope_organisation_id);
    if (!org_id) goto oom;
    Volunteer__V1__GetOrganisationRequest oreq = VOLUNTEER__V1__GET_ORGANISATION_REQUEST__INIT;
    oreq.id = org_id;
    UNARY(conn, "/volunteer.v1.Organisations/GetOrganisation", &oreq, volunteer__v1__organisation, org);
    const char *region = o->region ? o->region : (org->region_code[0] ? org->region_code : "110000");
    printf("organisation: %s \"%s\" region %s\n", org->id, org->name, org->region_code[0] ? org->region_code : "(none)");

    /* 2. Register a volunteer (deterministic identity and key per run id). */
    char doc[19];
    if (!resident_id(o->run_id, "110105", doc)) goto oom;
    char *skills[] = {(char *)"first aid"};
    Volunteer__V1__RegisterVolunteerRequest rreq = VOLUNTEER__V1__REGISTER_VOLUNTEER_REQUEST__INIT;
    key.len = 0;
    if (!sb_printf(&key, "%s-volunteer", o->run_id)) goto oom;
    rreq.idempotency_key = key.s;
    rreq.real_name = (char *)"测试志愿者";
    rreq.document_type = VOLUNTEER__V1__DOCUMENT_TYPE__DOCUMENT_TYPE_RESIDENT_ID;
    rreq.document_number = (char *)(o->document_number ? o->document_number : doc);
    rreq.phone = (char *)"13800138000";
    rreq.organisation_id = org_id;
    rreq.n_skills = 1;
    rreq.skills = skills;
    UNARY(conn, "/volunteer.v1.Volunteers/RegisterVolunteer", &rreq, volunteer__v1__register_volunteer_response, reg);
    if (!reg->volunteer) {
        fprintf(stderr, "example: RegisterVolunteer returned no volunteer\n");
        goto out;
    }
    vnum = strdup(reg->volunteer->volunteer_number);
    if (!vnum) goto oom;
    printf("volunteer: %s (document %s, replayed=%s)\n", vnum, reg->volunteer->document_number,
           reg->replayed ? "true" : "false");
    if (!sb_str(summary, ",\n  \"volunteer_number\": ") || !sb_json_string(summary, vnum) ||
        !sb_printf(summary, ",\n  \"volunteer_replayed\": %s", reg->replayed ? "true" : "false"))
        goto oom;

    /* 3. Create and publish an activity covering the CSV's days (in the rows' own offsets). */
    const row *first = NULL, *last = NULL;
    for (size_t i = 0; i < csv.n; i++) {
        if (!first || csv.v[i].start < first->start) first = &csv.v[i];
        if (!last || csv.v[i].end > last->end) last = &csv.v[i];
    }
    int64_t local_start = first->start + first->start_off, local_end = last->end + last->end_off;
    Google__Protobuf__Timestamp a_start = GOOGLE__PROTOBUF__TIMESTAMP__INIT, a_end = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
    a_start.seconds = local_start - ((local_start % 86400) + 86400) % 86400 - first->start_off;
    a_end.seconds = local_end - ((local_end % 86400) + 86400) % 86400 + 23 * 3600 + 59 * 60 - last->end_off;
    Volunteer__V1__CreateActivityRequest areq = VOLUNTEER__V1__CREATE_ACTIVITY_REQUEST__INIT;
    key.len = 0;
    reason.len = 0;
    if (!sb_printf(&key, "%s-activity", o->run_id) || !sb_printf(&reason, "Library reading corner (%s)", o->run_id))
        goto oom;
    areq.idempotency_key = key.s;
    areq.organisation_id = org_id;
    areq.title = reason.s;
    areq.category = VOLUNTEER__V1__ACTIVITY_CATEGORY__ACTIVITY_CATEGORY_COMMUNITY_SERVICE;
    areq.region_code = (char *)region;
    areq.place = (char *)"Community library";
    areq.start_time = &a_start;
    areq.end_time = &a_end;
    areq.planned_minutes = 180;
    areq.person_in_charge = (char *)"Li Lei";
    UNARY(conn, "/volunteer.v1.Activities/CreateActivity", &areq, volunteer__v1__activity, act);
    if (act->status == VOLUNTEER__V1__ACTIVITY_STATUS__ACTIVITY_STATUS_DRAFT) {
        Volunteer__V1__ActivityRef ref = VOLUNTEER__V1__ACTIVITY_REF__INIT;
        ref.id = act->id;
        UNARY(conn, "/volunteer.v1.Activities/PublishActivity", &ref, volunteer__v1__activity, published);
    }
    const Volunteer__V1__Activity *a = published ? published : act;
    const char *astatus = enum_name(&volunteer__v1__activity_status__descriptor, a->status);
    printf("activity: %s %s\n", a->id, astatus);
    if (a->status != VOLUNTEER__V1__ACTIVITY_STATUS__ACTIVITY_STATUS_PUBLISHED) {
        fprintf(stderr, "example: activity %s is %s, not published\n", a->id, astatus);
        goto out;
    }
    act_id = strdup(a->id);
    if (!act_id) goto oom;
    if (!sb_str(summary, ",\n  \"activity_id\": ") || !sb_json_string(summary, act_id)) goto oom;

    /* 4. Upload the hours as one client stream. */
    reqs = calloc(csv.n, sizeof *reqs);
    times = calloc(2 * csv.n, sizeof *times);
    req_ptrs = calloc(csv.n, sizeof *req_ptrs);
    keys = calloc(csv.n, sizeof *keys);
    if (!reqs || !times || !req_ptrs || !keys) goto oom;
    for (size_t i = 0; i < csv.n; i++) {
        const row *r = &csv.v[i];
        key.len = 0;
        if (r->key[0]) {
            if (!sb_printf(&key, "%s-%s", o->run_id, r->key)) goto oom;
        } else {
            strbuf material = {0};
            char hex[65];
            bool good = sb_printf(&material, "%s|%s|%s", r->start_text, r->end_text, r->content) &&
                        sha256_hex(material.s, material.len, hex) && sb_printf(&key, "%s-%.16s", o->run_id, hex);
            sb_free(&material);
            if (!good) goto oom;
        }
        keys[i] = strdup(key.s);
        if (!keys[i]) goto oom;
        Volunteer__V1__LogHoursRequest *q = &reqs[i];
        volunteer__v1__log_hours_request__init(q);
        google__protobuf__timestamp__init(&times[2 * i]);
        google__protobuf__timestamp__init(&times[2 * i + 1]);
        times[2 * i].seconds = r->start;
        times[2 * i + 1].seconds = r->end;
        q->idempotency_key = keys[i];
        q->volunteer_number = r->volunteer_number[0] ? r->volunteer_number : vnum;
        q->activity_id = r->activity_id[0] ? r->activity_id : act_id;
        q->start_time = &times[2 * i];
        q->end_time = &times[2 * i + 1];
        q->content = r->content;
        q->travel_time_excluded = true;
        req_ptrs[i] = CPM(q);
    }
    {
        ProtobufCMessage *m = NULL;
        code = vrs_client_stream(conn, "/volunteer.v1.Hours/UploadHours", req_ptrs, csv.n,
                                 &volunteer__v1__upload_hours_response__descriptor,
                                 o->timeout_ms > 60000 ? o->timeout_ms : 60000, &m, &err);
        if (code != VRS_OK) {
            rc = report("/volunteer.v1.Hours/UploadHours", code, &err);
            goto out;
        }
        up = (Volunteer__V1__UploadHoursResponse *)m;
    }
    printf("upload: %u accepted, %u replayed, %u refused\n", up->accepted, up->replayed, up->refused);
    ids = calloc(csv.n, sizeof *ids);
    if (!ids) goto oom;
    uint64_t uploaded_minutes = 0;
    for (size_t i = 0; i < up->n_results; i++) {
        const Volunteer__V1__UploadResult *res = up->results[i];
        const Volunteer__V1__ServiceRecord *rec = NULL;
        if (res->outcome_case == VOLUNTEER__V1__UPLOAD_RESULT__OUTCOME_REFUSED) {
            int line = res->index < csv.n ? csv.v[res->index].line : -1;
            printf("  line %d key %s: refused %s: %s\n", line, res->idempotency_key,
                   vrs_code_name(vrs_code_from_wire(res->refused->code)), res->refused->message);
        } else if (res->outcome_case == VOLUNTEER__V1__UPLOAD_RESULT__OUTCOME_ACCEPTED) {
            rec = res->accepted;
        } else if (res->outcome_case == VOLUNTEER__V1__UPLOAD_RESULT__OUTCOME_REPLAYED) {
            rec = res->replayed;
        }
        if (rec && n_ids < csv.n) {
            if (!(ids[n_ids++] = strdup(rec->id))) goto oom;
            uploaded_minutes += rec->minutes;
        }
    }
    if (up->refused || n_ids != csv.n || up->n_results != csv.n) {
        fprintf(stderr, "example: %u of %zu records were refused (%zu results)\n", up->refused, csv.n, up->n_results);
        goto out;
    }
    if (!sb_printf(summary, ",\n  \"uploaded_minutes\": %llu,\n  \"upload\": {\"accepted\": %u, \"replayed\": %u, "
                            "\"refused\": %u}",
                   (unsigned long long)uploaded_minutes, up->accepted, up->replayed, up->refused))
        goto oom;

    /* 5. Approve the pending ones (admin only; a partner stops here with PERMISSION_DENIED). */
    Volunteer__V1__ListRecordsRequest lreq = VOLUNTEER__V1__LIST_RECORDS_REQUEST__INIT;
    lreq.volunteer_number = vnum;
    lreq.page_size = 1000;
    UNARY(conn, "/volunteer.v1.Hours/ListRecords", &lreq, volunteer__v1__list_records_response, listing);
    pending = calloc(n_ids ? n_ids : 1, sizeof *pending);
    if (!pending) goto oom;
    size_t n_pending = 0;
    for (size_t i = 0; i < listing->n_records && n_pending < n_ids; i++) {
        const Volunteer__V1__ServiceRecord *r = listing->records[i];
        if (in_list(ids, n_ids, r->id) && r->status == VOLUNTEER__V1__RECORD_STATUS__RECORD_STATUS_PENDING)
            pending[n_pending++] = r->id;
    }
    if (n_pending) {
        Volunteer__V1__ReviewRecordsRequest vreq = VOLUNTEER__V1__REVIEW_RECORDS_REQUEST__INIT;
        reason.len = 0;
        if (!sb_printf(&reason, "approved by example run %s", o->run_id)) goto oom;
        vreq.n_record_ids = n_pending;
        vreq.record_ids = pending;
        vreq.reason = reason.s;
        UNARY(conn, "/volunteer.v1.Hours/ApproveRecords", &vreq, volunteer__v1__review_records_response, rev);
        for (size_t i = 0; i < rev->n_results; i++)
            if (rev->results[i]->outcome_case != VOLUNTEER__V1__REVIEW_RESULT__OUTCOME_REVIEWED) {
                const Volunteer__V1__RefusedRecord *rf = rev->results[i]->refused;
                fprintf(stderr, "example: approval of %s refused: %s: %s\n", rev->results[i]->record_id,
                        rf ? vrs_code_name(vrs_code_from_wire(rf->code)) : "?", rf ? rf->message : "");
                goto out;
            }
    }
    printf("approve: %zu approved now, %zu already reviewed\n", n_pending, n_ids - n_pending);
    free(pending); /* points into listing */
    pending = NULL;
    FREE_MSG(listing);
    UNARY(conn, "/volunteer.v1.Hours/ListRecords", &lreq, volunteer__v1__list_records_response, listing);
    size_t approved_ours = 0;
    for (size_t i = 0; i < listing->n_records; i++) {
        const Volunteer__V1__ServiceRecord *r = listing->records[i];
        if (!in_list(ids, n_ids, r->id)) continue;
        if (r->status != VOLUNTEER__V1__RECORD_STATUS__RECORD_STATUS_APPROVED) {
            fprintf(stderr, "example: record %s is not approved\n", r->id);
            goto out;
        }
        approved_ours++;
    }
    if (approved_ours != n_ids) {
        fprintf(stderr, "example: %zu of %zu records listed as approved\n", approved_ours, n_ids);
        goto out;
    }
    printf("ledger: %u approved records, %llu minutes, %llu credited half hours\n", listing->approved_records,
           (unsigned long long)listing->approved_minutes, (unsigned long long)listing->approved_credited_half_hours);
    if (!sb_printf(summary, ",\n  \"approved_minutes\": %llu,\n  \"approved_records\": %u",
                   (unsigned long long)listing->approved_minutes, listing->approved_records))
        goto oom;

    /* 6. Evaluate. */
    Volunteer__V1__EvaluateRequest ereq = VOLUNTEER__V1__EVALUATE_REQUEST__INIT;
    ereq.volunteer_number = vnum;
    UNARY(conn, "/volunteer.v1.Evaluations/Evaluate", &ereq, volunteer__v1__evaluation, ev);
    printf("evaluation: policy %s v%u, %llu lifetime minutes, %llu records, star level %u, next star at %u h, "
           "tier %s\n",
           ev->policy_id, ev->policy_version, (unsigned long long)ev->lifetime_minutes,
           (unsigned long long)ev->approved_records, ev->star_level, ev->next_star_hours,
           enum_name(&volunteer__v1__annual_tier__descriptor, ev->annual_tier));
    if (!sb_printf(summary, ",\n  \"evaluation\": {\"lifetime_minutes\": %llu, \"approved_records\": %llu, "
                            "\"star_level\": %u, \"policy_version\": %u, \"policy_id\": ",
                   (unsigned long long)ev->lifetime_minutes, (unsigned long long)ev->approved_records,
                   ev->star_level, ev->policy_version) ||
        !sb_json_string(summary, ev->policy_id) || !sb_str(summary, "}"))
        goto oom;

    /* 7. Issue a credential. */
    Volunteer__V1__IssueCredentialRequest ireq = VOLUNTEER__V1__ISSUE_CREDENTIAL_REQUEST__INIT;
    key.len = 0;
    if (!sb_printf(&key, "%s-credential", o->run_id)) goto oom;
    ireq.idempotency_key = key.s;
    ireq.volunteer_number = vnum;
    ireq.valid_days = 365;
    ireq.include_identity_hash = true;
    UNARY(conn, "/volunteer.v1.Credentials/IssueCredential", &ireq, volunteer__v1__credential, cred);
    printf("credential: %s kid %s, star %u, %u evidence records, %s, %s\n", cred->number, cred->kid,
           cred->star_level, cred->evidence_records, cred->evidence_digest,
           enum_name(&volunteer__v1__credential_status__descriptor, cred->status));
    if (!sb_str(summary, ",\n  \"credential\": {\"number\": ") || !sb_json_string(summary, cred->number) ||
        !sb_str(summary, ", \"kid\": ") || !sb_json_string(summary, cred->kid) ||
        !sb_printf(summary, ", \"star_level\": %u, \"evidence_records\": %u, \"token_bytes\": %zu}", cred->star_level,
                   cred->evidence_records, strlen(cred->token)))
        goto oom;

    /* 8. Stream the credential's evidence (server streaming) and recompute its digest. */
    Volunteer__V1__GetCredentialRequest greq = VOLUNTEER__V1__GET_CREDENTIAL_REQUEST__INIT;
    greq.number = cred->number;
    vrs_call_options eo = {.timeout_ms = o->timeout_ms > 60000 ? o->timeout_ms : 60000};
    code = vrs_server_stream(conn, "/volunteer.v1.Credentials/ExportEvidence", CPM(&greq), &eo, &evcall, &err);
    if (code != VRS_OK) {
        rc = report("/volunteer.v1.Credentials/ExportEvidence", code, &err);
        goto out;
    }
    if (!sb_str(&evidence, "")) goto oom;
    for (;;) {
        code = vrs_call_recv(evcall, &volunteer__v1__evidence_chunk__descriptor, (ProtobufCMessage **)&chunk, &err);
        if (code != VRS_OK) {
            rc = report("/volunteer.v1.Credentials/ExportEvidence", code, &err);
            goto out;
        }
        if (!chunk) break;
        if (!sb_add(&evidence, chunk->text.data, chunk->text.len)) goto oom;
        FREE_MSG(chunk);
    }
    uint8_t digest[32];
    if (!sha256_raw(evidence.s, evidence.len, digest)) goto oom;
    char *b64 = base64_encode(digest, sizeof digest);
    if (!b64) goto oom;
    strbuf ours = {0};
    bool matches = sb_printf(&ours, "sha256-%s", b64) && strcmp(ours.s, cred->evidence_digest) == 0;
    size_t nl = 0;
    for (size_t i = 0; i < evidence.len; i++) nl += evidence.s[i] == '\n';
    printf("evidence: %zu bytes, %zu lines, digest %s%s\n", evidence.len, nl, matches ? "matches" : "DIFFERS: ",
           matches ? "" : (ours.s ? ours.s : ""));
    free(b64);
    sb_free(&ours);
    if (!sb_printf(summary, ",\n  \"evidence\": {\"bytes\": %zu, \"lines\": %zu, \"digest_matches\": %s}",
                   evidence.len, nl, matches ? "true" : "false"))
        goto oom;
    vrs_call_free(evcall);
    evcall = NULL;
    vrs_conn_close(conn);
    conn = NULL;

    /* 9. Export on a connection of its own (§10: large exports SHOULD use their own connection). */
    code = vrs_connect(&cfg, &conn, &err);
    if (code != VRS_OK) {
        rc = report("connect (export)", code, &err);
        goto out;
    }
    if (export_credentials(conn, o, org_id, summary) != 0) goto out;
    if (!sb_str(summary, "\n}\n")) goto oom;
    rc = 0;
    goto out;
oom:
    fprintf(stderr, "example: out of memory or a failed local operation\n");
    rc = 1;
out:
    FREE_MSG(chunk);
    vrs_call_free(evcall);
    vrs_conn_close(conn);
    FREE_MSG(health);
    FREE_MSG(org);
    FREE_MSG(reg);
    FREE_MSG(act);
    FREE_MSG(published);
    FREE_MSG(up);
    free(pending);
    FREE_MSG(listing);
    FREE_MSG(rev);
    FREE_MSG(ev);
    FREE_MSG(cred);
    for (size_t i = 0; keys && i < csv.n; i++) free(keys[i]);
    for (size_t i = 0; ids && i < n_ids; i++) free(ids[i]);
    free(keys);
    free(ids);
    free(reqs);
    free(times);
    free(req_ptrs);
    free(org_id);
    free(vnum);
    free(act_id);
    sb_free(&key);
    sb_free(&evidence);
    sb_free(&reason);
    rows_free(&csv);
    vrs_error_clear(&err);
    return rc;
}

static void usage(void) {
    fprintf(stderr,
            "usage: vrs-example --cert FILE --key FILE --ca FILE --run-id ID --csv FILE --export-dir DIR\n"
            "                   [--host H] [--port P] [--server-name NAME] [--org ID] [--region CODE]\n"
            "                   [--document-number N] [--summary FILE] [--timeout SECONDS]\n"
            "Registers a volunteer, uploads the CSV's hours, approves them, evaluates, issues a credential\n"
            "and exports the organisation's credentials into DIR. Prints a JSON summary.\n");
}

int main(int argc, char **argv) {
    options o = {.host = "127.0.0.1", .port = 7443, .timeout_ms = 30000};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage();
            return 0;
        }
        if (i + 1 >= argc) {
            usage();
            return 2;
        }
        const char *v = argv[++i];
        if (strcmp(a, "--host") == 0) o.host = v;
        else if (strcmp(a, "--port") == 0) {
            char *end;
            long p = strtol(v, &end, 10);
            if (*end || p < 1 || p > 65535) {
                fprintf(stderr, "example: bad --port %s\n", v);
                return 2;
            }
            o.port = (uint16_t)p;
        } else if (strcmp(a, "--server-name") == 0) o.server_name = v;
        else if (strcmp(a, "--cert") == 0) o.cert = v;
        else if (strcmp(a, "--key") == 0) o.key = v;
        else if (strcmp(a, "--ca") == 0) o.ca = v;
        else if (strcmp(a, "--run-id") == 0) o.run_id = v;
        else if (strcmp(a, "--csv") == 0) o.csv = v;
        else if (strcmp(a, "--org") == 0) o.org = v;
        else if (strcmp(a, "--region") == 0) o.region = v;
        else if (strcmp(a, "--document-number") == 0) o.document_number = v;
        else if (strcmp(a, "--export-dir") == 0) o.export_dir = v;
        else if (strcmp(a, "--summary") == 0) o.summary = v;
        else if (strcmp(a, "--timeout") == 0) {
            char *end;
            double t = strtod(v, &end);
            if (*end || !(t > 0) || t > 86400) {
                fprintf(stderr, "example: bad --timeout %s\n", v);
                return 2;
            }
            o.timeout_ms = (int64_t)(t * 1000);
            if (o.timeout_ms < 1) o.timeout_ms = 1;
        } else {
            fprintf(stderr, "example: unknown option %s\n", a);
            usage();
            return 2;
        }
    }
    if (!o.cert || !o.key || !o.ca || !o.run_id || !o.csv || !o.export_dir) {
        usage();
        return 2;
    }
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) return 1;
    strbuf summary = {0};
    int rc = run(&o, &summary);
    if (rc == 0) {
        fputs(summary.s, stdout);
        if (o.summary && !write_file(o.summary, summary.s, summary.len)) {
            fprintf(stderr, "example: cannot write %s: %s\n", o.summary, strerror(errno));
            rc = 1;
        }
    }
    sb_free(&summary);
    if (fflush(stdout) != 0) rc = 1;
    return rc;
}
