/* util.h - helpers shared by the example CLI and the protocol checks (not part of the library). */
#ifndef VRS_UTIL_H
#define VRS_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A growable byte string, always NUL-terminated when s != NULL. */
typedef struct strbuf {
    char *s;
    size_t len, cap;
} strbuf;

/* Appends n bytes; false when out of memory. */
bool sb_add(strbuf *b, const void *data, size_t n);
/* Appends the NUL-terminated string s. */
bool sb_str(strbuf *b, const char *s);
/* Appends a printf-formatted string; false when out of memory or on a format error. */
bool sb_printf(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string literal (quotes and escapes included). */
bool sb_json_string(strbuf *b, const char *s);
/* Frees the buffer and resets it. */
void sb_free(strbuf *b);

/* SHA-256 of data as lower-case hex (65 bytes with the NUL) or raw (32 bytes). False on failure. */
bool sha256_hex(const void *data, size_t n, char out[65]);
bool sha256_raw(const void *data, size_t n, uint8_t out[32]);
/* Standard padded base64 of data; malloc'd, NULL on failure. */
char *base64_encode(const uint8_t *data, size_t n);

/* Writes n bytes to path (created or truncated, mode 0644). False with errno set on failure. */
bool write_file(const char *path, const void *data, size_t n);

#endif
