/* util.c - see util.h. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

static bool sb_reserve(strbuf *b, size_t n) {
    if (n > SIZE_MAX - b->len - 1) return false;
    size_t need = b->len + n + 1;
    if (need <= b->cap) return true;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) return false;
        cap *= 2;
    }
    char *s = realloc(b->s, cap);
    if (!s) return false;
    b->s = s;
    b->cap = cap;
    return true;
}

bool sb_add(strbuf *b, const void *data, size_t n) {
    if (!sb_reserve(b, n)) return false;
    if (n) memcpy(b->s + b->len, data, n);
    b->len += n;
    b->s[b->len] = '\0';
    return true;
}

bool sb_printf(strbuf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !sb_reserve(b, (size_t)n)) return false;
    va_start(ap, fmt);
    int m = vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    if (m != n) return false;
    b->len += (size_t)n;
    return true;
}

bool sb_json_string(strbuf *b, const char *s) {
    if (!sb_add(b, "\"", 1)) return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        bool ok;
        if (*p == '"' || *p == '\\') ok = sb_printf(b, "\\%c", *p);
        else if (*p == '\n') ok = sb_add(b, "\\n", 2);
        else if (*p < 0x20) ok = sb_printf(b, "\\u%04x", *p);
        else ok = sb_add(b, p, 1);
        if (!ok) return false;
    }
    return sb_add(b, "\"", 1);
}

void sb_free(strbuf *b) {
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}

bool sha256_raw(const void *data, size_t n, uint8_t out[32]) {
    unsigned int len = 0;
    return EVP_Digest(data, n, out, &len, EVP_sha256(), NULL) == 1 && len == 32;
}

bool sha256_hex(const void *data, size_t n, char out[65]) {
    uint8_t d[32];
    if (!sha256_raw(data, n, d)) return false;
    for (int i = 0; i < 32; i++) snprintf(out + 2 * i, 3, "%02x", d[i]);
    return true;
}

char *base64_encode(const uint8_t *data, size_t n) {
    if (n > (SIZE_MAX / 4) * 3 - 3) return NULL;
    size_t len = 4 * ((n + 2) / 3);
    char *out = malloc(len + 1);
    if (!out) return NULL;
    if (n > (size_t)INT32_MAX || EVP_EncodeBlock((unsigned char *)out, data, (int)n) != (int)len) {
        free(out);
        return NULL;
    }
    out[len] = '\0';
    return out;
}

bool write_file(const char *path, const void *data, size_t n) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return false;
    const uint8_t *p = data;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            close(fd);
            errno = e;
            return false;
        }
        p += w;
        n -= (size_t)w;
    }
    return close(fd) == 0;
}

bool sb_str(strbuf *b, const char *s) { return sb_add(b, s, strlen(s)); }
