/* pseudo: key file, HKDF sub-keys, fast HMAC-SHA256 and the CLK (extract-v1 sections 1, 3, 4). */
#ifndef TZNR_PSEUDO_H
#define TZNR_PSEUDO_H

#include <stddef.h>

#define PSEUDO_MASTER_LEN 32
#define PSEUDO_KEY_ID_MAX 32
#define PSEUDO_CLK_BYTES 128 /* 1024 bits */

/* The sub-key labels, in the spec's order. */
enum pseudo_label {
    PL_NIR, PL_IDENT, PL_DOB, PL_TOKEN,
    PL_CLK_NOM, PL_CLK_PRENOM, PL_CLK_DOB, PL_CLK_SEXE, PL_CLK_ADRESSE, PL_CLK_COMMUNE,
    PL_COUNT
};

/* The label text of L ("clk:nom"). */
const char *pseudo_label_name(enum pseudo_label l);

/* Keep this process's memory (the key, the HMAC states of the sub-keys, names and NIRs) out of
 * core dumps and away from other processes of the same user: prctl(PR_SET_DUMPABLE, 0), which
 * also closes /proc/PID/mem and ptrace to them, and RLIMIT_CORE 0 (soft and hard). Called first
 * by the commands that hold the key or the token map (pseudonymise, reidentify, keygen). Return
 * 0, or -1 with a reason in ERR. */
int pseudo_protect_process(char *err, size_t errlen);

/* Read a key file: one line "tznr-key-v1 <key_id> <64 hex>"; refuse a file readable or
 * writable by group or others. Return 0, or -1 with a one-line reason in ERR. */
int pseudo_key_load(const char *path, char key_id[PSEUDO_KEY_ID_MAX + 1],
                    unsigned char master[PSEUDO_MASTER_LEN], char *err, size_t errlen);

/* Write a new key file at PATH (created mode 0600, never overwriting) with 32 bytes from
 * the OpenSSL CSPRNG. Return 0, or -1 with a reason in ERR. */
int pseudo_key_generate(const char *path, const char *key_id, char *err, size_t errlen);

/* Return 1 when ID matches [A-Za-z0-9._-]{1,32}. */
int pseudo_key_id_valid(const char *id);

/* HKDF-SHA256 (salt "tznr-extract-v1", info LABEL, 32 bytes). Return 0 or -1. */
int pseudo_hkdf(const unsigned char master[PSEUDO_MASTER_LEN], const char *label,
                unsigned char out[32]);

/* Per-thread HMAC state: for each sub-key, SHA-256 contexts that have absorbed the inner and
 * outer pads once; a message costs two context copies and the compression of its own bytes. */
typedef struct pseudo_ctx pseudo_ctx;

/* Derive every sub-key from MASTER and prepare the pads. NULL on failure. */
pseudo_ctx *pseudo_new(const unsigned char master[PSEUDO_MASTER_LEN]);
void pseudo_free(pseudo_ctx *c);

/* HMAC-SHA256 of MSG under the sub-key of L into OUT (32 bytes). */
void pseudo_hmac(pseudo_ctx *c, enum pseudo_label l, const void *msg, size_t len,
                 unsigned char out[32]);
/* Number of HMACs computed by this context so far (for the benchmark's HMACs a row). */
unsigned long long pseudo_hmac_count(const pseudo_ctx *c);
/* Number of HMACs the CLK position cache made unnecessary (computed + saved = the spec's). */
unsigned long long pseudo_hmac_saved(const pseudo_ctx *c);

/* The k bit positions (0..1023) of token T (LEN bytes) under feature sub-key L into POS. */
void pseudo_clk_positions(pseudo_ctx *c, enum pseudo_label l, const char *t, size_t len, int k,
                          int *pos);

/* Add a feature's tokens (N tokens, each TOK[i] of TLEN[i] bytes) with bit budget BUDGET. */
void pseudo_clk_add(pseudo_ctx *c, enum pseudo_label l, const char *const *tok,
                    const size_t *tlen, int n, int budget, unsigned char clk[PSEUDO_CLK_BYTES]);

/* Bigram tokens of "_" + S + "_", duplicates removed, written as 2-byte strings into BUF
 * (capacity 2*(len+1) bytes); return how many. */
int pseudo_bigrams(const char *s, size_t len, char *buf);

/* Dice similarity of two 1024-bit filters (0 when both are empty). */
double pseudo_dice(const unsigned char *a, const unsigned char *b);

#endif
