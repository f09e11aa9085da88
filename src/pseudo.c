/* The hot path uses OpenSSL's low-level SHA-256 context (deprecated in 3.0, still shipped by
 * every 3.x): copying a SHA256_CTX is a 112-byte struct assignment, where EVP_MD_CTX_copy_ex
 * allocates and frees a provider context per copy. Measured here: 110 ns an HMAC, against
 * 148 ns with EVP_MD_CTX copies, 193 ns with EVP_MAC_init(NULL key) and 1,100 ns with HMAC().
 * Build with -DTZNR_HMAC_EVP to use the EVP copies should a future OpenSSL drop SHA256_CTX;
 * the test vectors hold either way. docs/architecture.md records the choice. */
#ifndef TZNR_HMAC_EVP
#define OPENSSL_SUPPRESS_DEPRECATED
#endif
#include "pseudo.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <stdint.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "hex.h"
#include "log.h"
#include "sbuf.h"

static const char *const label_names[PL_COUNT] = {
    "nir", "ident", "dob", "token",
    "clk:nom", "clk:prenom", "clk:dob", "clk:sexe", "clk:adresse", "clk:commune"};

const char *pseudo_label_name(enum pseudo_label l) { return label_names[l]; }

int pseudo_key_id_valid(const char *id)
{
    size_t n = strlen(id);
    if (n < 1 || n > PSEUDO_KEY_ID_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

int pseudo_protect_process(char *err, size_t errlen)
{
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
        snprintf(err, errlen, "could not make the process non-dumpable: %s", strerror(errno));
        return -1;
    }
    /* Belt and braces: PR_SET_DUMPABLE 0 already stops the kernel from writing a core, even to
     * a core_pattern pipe; a zero limit also covers a later execve that would reset it. */
    struct rlimit none = {0, 0};
    if (setrlimit(RLIMIT_CORE, &none) != 0) {
        snprintf(err, errlen, "could not set the core file size limit to 0: %s", strerror(errno));
        return -1;
    }
    return 0;
}

int pseudo_key_load(const char *path, char key_id[PSEUDO_KEY_ID_MAX + 1],
                    unsigned char master[PSEUDO_MASTER_LEN], char *err, size_t errlen)
{
    /* O_NONBLOCK: a FIFO given as key file must be refused below, not block the run until
     * something writes to it; a regular file is read as usual */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        snprintf(err, errlen, "could not open key file '%s': %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "key file '%s' is not a regular file", path);
        close(fd);
        return -1;
    }
    if (st.st_mode & (S_IRWXG | S_IRWXO)) {
        snprintf(err, errlen,
                 "key file '%s' has permissions %04o: it must not be accessible to group or "
                 "others (chmod 600 '%s')",
                 path, (unsigned)(st.st_mode & 07777), path);
        close(fd);
        return -1;
    }
    char buf[256];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n < 0) {
        snprintf(err, errlen, "could not read key file '%s': %s", path, strerror(errno));
        return -1;
    }
    buf[n] = '\0';
    if (n > 0 && buf[n - 1] == '\n')
        buf[--n] = '\0';
    static const char magic[] = "tznr-key-v1 ";
    char *sp;
    if ((size_t)n != strlen(buf) || strncmp(buf, magic, sizeof magic - 1) != 0 ||
        !(sp = strchr(buf + sizeof magic - 1, ' '))) {
        snprintf(err, errlen, "key file '%s' is malformed: expected 'tznr-key-v1 <key_id> <64 hex digits>'",
                 path);
        OPENSSL_cleanse(buf, sizeof buf);
        return -1;
    }
    *sp = '\0';
    const char *id = buf + sizeof magic - 1;
    const char *hex = sp + 1;
    if (!pseudo_key_id_valid(id) || hex_decode(hex, strlen(hex), master, PSEUDO_MASTER_LEN) != 0) {
        snprintf(err, errlen, "key file '%s' is malformed: expected 'tznr-key-v1 <key_id> <64 lowercase hex digits>'",
                 path);
        OPENSSL_cleanse(buf, sizeof buf);
        OPENSSL_cleanse(master, PSEUDO_MASTER_LEN);
        return -1;
    }
    strcpy(key_id, id);
    OPENSSL_cleanse(buf, sizeof buf);
    return 0;
}

int pseudo_key_generate(const char *path, const char *key_id, char *err, size_t errlen)
{
    if (!pseudo_key_id_valid(key_id)) {
        snprintf(err, errlen, "invalid key id '%s': use 1 to 32 of A-Z a-z 0-9 . _ -", key_id);
        return -1;
    }
    unsigned char master[PSEUDO_MASTER_LEN];
    if (RAND_priv_bytes(master, sizeof master) != 1) {
        snprintf(err, errlen, "could not draw random bytes from the OpenSSL CSPRNG");
        return -1;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "could not create key file '%s': %s%s", path, strerror(errno),
                 errno == EEXIST ? " (a key is never overwritten: remove it first if you mean it)" : "");
        OPENSSL_cleanse(master, sizeof master);
        return -1;
    }
    /* The umask may have taken bits away but never adds any; make it exactly 0600. */
    if (fchmod(fd, 0600) != 0) {
        snprintf(err, errlen, "could not set mode 0600 on '%s': %s", path, strerror(errno));
        close(fd);
        unlink(path);
        return -1;
    }
    char line[128];
    int len = snprintf(line, sizeof line, "tznr-key-v1 %s ", key_id);
    hex_encode(master, PSEUDO_MASTER_LEN, line + len);
    len += 2 * PSEUDO_MASTER_LEN;
    line[len++] = '\n';
    OPENSSL_cleanse(master, sizeof master);
    ssize_t w = write(fd, line, (size_t)len);
    OPENSSL_cleanse(line, sizeof line);
    if (w != len || fsync(fd) != 0 || close(fd) != 0) {
        snprintf(err, errlen, "could not write key file '%s': %s", path, strerror(errno));
        unlink(path);
        return -1;
    }
    return 0;
}

int pseudo_hkdf(const unsigned char master[PSEUDO_MASTER_LEN], const char *label,
                unsigned char out[32])
{
    static const char salt[] = "tznr-extract-v1";
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    if (!kdf)
        return -1;
    EVP_KDF_CTX *kc = EVP_KDF_CTX_new(kdf);
    EVP_KDF_free(kdf);
    if (!kc)
        return -1;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)master, PSEUDO_MASTER_LEN),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, sizeof salt - 1),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)label, strlen(label)),
        OSSL_PARAM_construct_end()};
    int rc = EVP_KDF_derive(kc, out, 32, params) == 1 ? 0 : -1;
    EVP_KDF_CTX_free(kc);
    return rc;
}

/* The CLK positions of a token depend only on the key and the token, and a feature's tokens
 * come from a small alphabet: bigrams over A-Z, 0-9 and '_' (1,369), positional tokens "1:x"
 * to "9:x" and "S:x" (370). The first two digests of each token (50 positions, enough for
 * every token with up to 50 insertions, i.e. all but the tokens of very short names) are
 * computed once and kept, per worker and per feature: the output is the same, byte for byte,
 * and a row then costs a handful of HMACs instead of about sixty. */
#define CACHE_TOKENS (37 * 37 + 10 * 37)
#define CACHE_DIGESTS 2
struct clk_cache {
    uint8_t have[CACHE_TOKENS];                  /* digests cached for each token */
    uint16_t pos[CACHE_TOKENS][25 * CACHE_DIGESTS];
};

static int sym(char ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= '0' && ch <= '9')
        return 26 + ch - '0';
    if (ch == '_')
        return 36;
    return -1;
}

/* The cache slot of token T, or -1 for a token outside the alphabet. */
static int token_id(const char *t, size_t len)
{
    if (len == 2) {
        int a = sym(t[0]), b = sym(t[1]);
        return a < 0 || b < 0 ? -1 : a * 37 + b;
    }
    if (len == 3 && t[1] == ':') {
        int idx = t[0] == 'S' ? 9 : (t[0] >= '1' && t[0] <= '9') ? t[0] - '1' : -1;
        int b = sym(t[2]);
        return idx < 0 || b < 0 ? -1 : 37 * 37 + idx * 37 + b;
    }
    return -1;
}

struct pseudo_ctx {
#ifdef TZNR_HMAC_EVP
    EVP_MD *md;
    EVP_MD_CTX *inner[PL_COUNT]; /* SHA-256 after (key ^ ipad) */
    EVP_MD_CTX *outer[PL_COUNT]; /* SHA-256 after (key ^ opad) */
    EVP_MD_CTX *work;
#else
    SHA256_CTX inner[PL_COUNT];  /* SHA-256 after (key ^ ipad) */
    SHA256_CTX outer[PL_COUNT];  /* SHA-256 after (key ^ opad) */
#endif
    unsigned long long count;      /* HMACs computed */
    unsigned long long saved;      /* HMACs the CLK cache made unnecessary */
    struct clk_cache *cache[PL_COUNT];
};

void pseudo_free(pseudo_ctx *c)
{
    if (!c)
        return;
    for (int i = 0; i < PL_COUNT; i++)
        if (c->cache[i]) {
            OPENSSL_cleanse(c->cache[i], sizeof *c->cache[i]);
            free(c->cache[i]);
        }
#ifdef TZNR_HMAC_EVP
    for (int i = 0; i < PL_COUNT; i++) {
        EVP_MD_CTX_free(c->inner[i]);
        EVP_MD_CTX_free(c->outer[i]);
    }
    EVP_MD_CTX_free(c->work);
    EVP_MD_free(c->md);
#endif
    OPENSSL_cleanse(c, sizeof *c);
    free(c);
}

/* Absorb (KEY zero-padded to the 64-byte block) ^ X. HMAC keys up to the block size are
 * padded, not hashed, so a 32-byte sub-key goes in as it is. */
static int absorb_pad(pseudo_ctx *c, int i, const unsigned char key[32], unsigned char x, int outer)
{
    unsigned char pad[64];
    int ok;
    for (int j = 0; j < 64; j++)
        pad[j] = (unsigned char)((j < 32 ? key[j] : 0) ^ x);
#ifdef TZNR_HMAC_EVP
    EVP_MD_CTX **ctx = outer ? &c->outer[i] : &c->inner[i];
    *ctx = EVP_MD_CTX_new();
    ok = *ctx && EVP_DigestInit_ex(*ctx, c->md, NULL) == 1 && EVP_DigestUpdate(*ctx, pad, 64) == 1;
#else
    SHA256_CTX *ctx = outer ? &c->outer[i] : &c->inner[i];
    ok = SHA256_Init(ctx) == 1 && SHA256_Update(ctx, pad, 64) == 1;
#endif
    OPENSSL_cleanse(pad, sizeof pad);
    return ok ? 0 : -1;
}

pseudo_ctx *pseudo_new(const unsigned char master[PSEUDO_MASTER_LEN])
{
    pseudo_ctx *c = xcalloc(1, sizeof *c);
#ifdef TZNR_HMAC_EVP
    c->md = EVP_MD_fetch(NULL, "SHA256", NULL);
    c->work = EVP_MD_CTX_new();
    if (!c->md || !c->work)
        goto fail;
#endif
    for (int i = 0; i < PL_COUNT; i++) {
        unsigned char sub[32];
        int rc = pseudo_hkdf(master, label_names[i], sub);
        if (rc == 0)
            rc = absorb_pad(c, i, sub, 0x36, 0);
        if (rc == 0)
            rc = absorb_pad(c, i, sub, 0x5c, 1);
        OPENSSL_cleanse(sub, sizeof sub);
        if (rc != 0)
            goto fail;
    }
    return c;
fail:
    pseudo_free(c);
    return NULL;
}

void pseudo_hmac(pseudo_ctx *c, enum pseudo_label l, const void *msg, size_t len,
                 unsigned char out[32])
{
#ifdef TZNR_HMAC_EVP
    unsigned int olen;
    /* These calls only fail on allocation failure inside OpenSSL; treat that as fatal. */
    if (EVP_MD_CTX_copy_ex(c->work, c->inner[l]) != 1 || EVP_DigestUpdate(c->work, msg, len) != 1 ||
        EVP_DigestFinal_ex(c->work, out, &olen) != 1 || EVP_MD_CTX_copy_ex(c->work, c->outer[l]) != 1 ||
        EVP_DigestUpdate(c->work, out, 32) != 1 || EVP_DigestFinal_ex(c->work, out, &olen) != 1) {
        fprintf(stderr, "%s: error: HMAC computation failed inside OpenSSL\n", log_prog());
        abort();
    }
#else
    SHA256_CTX w = c->inner[l];
    SHA256_Update(&w, msg, len);
    SHA256_Final(out, &w);
    w = c->outer[l];
    SHA256_Update(&w, out, 32);
    SHA256_Final(out, &w);
#endif
    c->count++;
}

unsigned long long pseudo_hmac_count(const pseudo_ctx *c) { return c->count; }
unsigned long long pseudo_hmac_saved(const pseudo_ctx *c) { return c->saved; }

/* Positions from digest FIRST on, computed (no cache). */
static void positions_direct(pseudo_ctx *c, enum pseudo_label l, const char *t, size_t len, int first,
                             int k, int *pos);

void pseudo_clk_positions(pseudo_ctx *c, enum pseudo_label l, const char *t, size_t len, int k,
                          int *pos)
{
    int id = l >= PL_CLK_NOM ? token_id(t, len) : -1;
    int need = (k + 24) / 25;
    if (id < 0 || need > CACHE_DIGESTS) {
        positions_direct(c, l, t, len, 0, k, pos);
        return;
    }
    struct clk_cache *cc = c->cache[l];
    if (!cc)
        cc = c->cache[l] = xcalloc(1, sizeof *cc);
    if (cc->have[id] < need) {
        int tmp[25 * CACHE_DIGESTS];
        int from = cc->have[id];
        positions_direct(c, l, t, len, from, 25 * (need - from), tmp);
        for (int i = 0; i < 25 * (need - from); i++)
            cc->pos[id][25 * from + i] = (uint16_t)tmp[i];
        cc->have[id] = (uint8_t)need;
    } else {
        c->saved += (unsigned long long)need;
    }
    for (int i = 0; i < k; i++)
        pos[i] = cc->pos[id][i];
}

static void positions_direct(pseudo_ctx *c, enum pseudo_label l, const char *t, size_t len, int first,
                             int k, int *pos)
{
    char msg[256];
    if (len > sizeof msg - 16)
        len = sizeof msg - 16; /* tokens are 2 to 3 bytes; never reached */
    memcpy(msg, t, len);
    msg[len] = '#';
    int got = 0;
    for (int j = first; got < k; j++) {
        /* decimal j without snprintf */
        char digits[12];
        int nd = 0;
        for (int v = j; nd == 0 || v > 0; v /= 10)
            digits[nd++] = (char)('0' + v % 10);
        for (int q = 0; q < nd; q++)
            msg[len + 1 + q] = digits[nd - 1 - q];
        int mlen = (int)len + 1 + nd;
        unsigned char d[32];
        pseudo_hmac(c, l, msg, (size_t)mlen, d);
        /* 25 ten-bit values from the top of the 256-bit big-endian number. */
        for (int i = 0; i < 25 && got < k; i++) {
            int bit = 10 * i;             /* offset of the value's top bit from the top */
            int byte = bit >> 3, sh = bit & 7;
            unsigned v = ((unsigned)d[byte] << 8 | d[byte + 1]);
            /* the 10 bits start at bit sh of this 16-bit window (counting from its top) */
            pos[got++] = (int)((v >> (6 - sh)) & 0x3ff);
        }
    }
}

void pseudo_clk_add(pseudo_ctx *c, enum pseudo_label l, const char *const *tok,
                    const size_t *tlen, int n, int budget, unsigned char clk[PSEUDO_CLK_BYTES])
{
    if (n <= 0)
        return;
    int base = budget / n, extra = budget % n;
    int pos[512];
    for (int i = 0; i < n; i++) {
        int k = base + (i < extra ? 1 : 0);
        if (k > 512)
            k = 512;
        pseudo_clk_positions(c, l, tok[i], tlen[i], k, pos);
        for (int j = 0; j < k; j++)
            clk[pos[j] >> 3] |= (unsigned char)(0x80 >> (pos[j] & 7));
    }
}

int pseudo_bigrams(const char *s, size_t len, char *buf)
{
    int n = 0;
    for (size_t i = 0; i <= len; i++) {
        char a = i == 0 ? '_' : s[i - 1];
        char b = i == len ? '_' : s[i];
        int dup = 0;
        for (int j = 0; j < n; j++) {
            if (buf[2 * j] == a && buf[2 * j + 1] == b) {
                dup = 1;
                break;
            }
        }
        if (!dup) {
            buf[2 * n] = a;
            buf[2 * n + 1] = b;
            n++;
        }
    }
    return n;
}

double pseudo_dice(const unsigned char *a, const unsigned char *b)
{
    int na = 0, nb = 0, nab = 0;
    for (int i = 0; i < PSEUDO_CLK_BYTES; i++) {
        na += __builtin_popcount(a[i]);
        nb += __builtin_popcount(b[i]);
        nab += __builtin_popcount((unsigned)(a[i] & b[i]));
    }
    return na + nb ? 2.0 * nab / (na + nb) : 0.0;
}
