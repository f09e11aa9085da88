/* csvio: the streaming reader over libcsv (quoting, line numbers, recovery after a bad record,
 * limits, encodings) and the writers (minimal quoting, atomic output with a running SHA-256). */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "csvio.h"
#include "sbuf.h"
#include "testutil.h"

/* tu_tmpdir's names are malloc'd and never freed: keep them reachable, or LeakSanitizer (the
 * ASan build) fails every test that made a temp dir. */
static const char *tmpdir(void)
{
    static const char **kept;
    static size_t nkept;
    const char *d = tu_tmpdir();
    kept = realloc(kept, (nkept + 1) * sizeof *kept);
    ck_assert_ptr_nonnull(kept);
    kept[nkept++] = d;
    return d;
}

/* Write DATA to a new file in a new temp dir; return its path (malloc'd). */
static char *write_tmp(const char *data, size_t len)
{
    char *path = strdup(tu_fmt("%s/in.csv", tmpdir()));
    tu_write(path, data, len);
    return path;
}

static csvio_reader *open_opt(const char *path, const csvio_options *opt)
{
    char err[512] = "";
    csvio_reader *r = csvio_open(path, opt, err, sizeof err);
    ck_assert_msg(r != NULL, "csvio_open(%s): %s", path, err);
    return r;
}

/* Open a reader over DATA (LEN bytes) with OPT (NULL: defaults). */
static csvio_reader *open_mem(const char *data, size_t len, const csvio_options *opt)
{
    csvio_options def = {0};
    char *path = write_tmp(data, len);
    csvio_reader *r = open_opt(path, opt ? opt : &def);
    free(path);
    return r;
}

static csvio_reader *open_str(const char *data) { return open_mem(data, strlen(data), NULL); }

/* The next record, which must exist. */
static void next_rec(csvio_reader *r, csvio_record *rec)
{
    int rc = csvio_next(r, rec);
    ck_assert_msg(rc == 1, "csvio_next returned %d (%s), expected a record", rc, rc < 0 ? csvio_error(r) : "end");
}

/* The next record, which must be well-formed, start on LINE and have the fields given as one
 * string separated by '|'. */
static void expect_rec(csvio_reader *r, long line, const char *fields)
{
    csvio_record rec;
    next_rec(r, &rec);
    ck_assert_msg(rec.error == NULL, "record at line %ld: unexpected error '%s'", rec.line, rec.error);
    ck_assert_msg(rec.line == line, "record '%s' starts at line %ld, expected %ld", fields, rec.line, line);
    char *copy = strdup(fields), *p = copy;
    size_t i = 0;
    for (;;) {
        char *bar = strchr(p, '|');
        if (bar)
            *bar = '\0';
        ck_assert_msg(i < rec.nfields, "line %ld: only %zu fields, expected '%s'", line, rec.nfields, fields);
        ck_assert_msg(rec.len[i] == strlen(p) && memcmp(rec.field[i], p, rec.len[i]) == 0,
                      "line %ld field %zu = '%s' (%zu bytes), expected '%s'", line, i, rec.field[i], rec.len[i], p);
        ck_assert_msg(rec.field[i][rec.len[i]] == '\0', "field %zu not NUL-terminated", i);
        i++;
        if (!bar)
            break;
        p = bar + 1;
    }
    ck_assert_msg(rec.nfields == i, "line %ld: %zu fields, expected %zu", line, rec.nfields, i);
    free(copy);
}

static void expect_end(csvio_reader *r)
{
    csvio_record rec;
    int rc = csvio_next(r, &rec);
    ck_assert_msg(rc == 0, "expected the end of the file, csvio_next returned %d (line %ld)", rc,
                  rc == 1 ? rec.line : -1L);
}

static void expect_raw(const csvio_record *rec, const char *raw)
{
    ck_assert_msg(rec->raw_len == strlen(raw) && memcmp(rec->raw, raw, rec->raw_len) == 0,
                  "raw text of line %ld is '%.*s', expected '%s'", rec->line, (int)rec->raw_len, rec->raw, raw);
}

START_TEST(test_quoted_separator_and_newline)
{
    csvio_reader *r = open_str("h1,h2,h3\n"
                               "a,\"b,c\",\"d\ne\"\n"          /* lines 2-3 */
                               "x,y,z\n"                        /* line 4 */
                               "\"p\n\nq\",\"\n\",s\n"          /* lines 5-8: an empty line inside quotes */
                               "t,u,v\n");                      /* line 9 */
    expect_rec(r, 1, "h1|h2|h3");
    csvio_record rec;
    next_rec(r, &rec);
    ck_assert_ptr_null(rec.error);
    ck_assert_int_eq(rec.line, 2);
    ck_assert_uint_eq(rec.nfields, 3);
    ck_assert_str_eq(rec.field[1], "b,c");
    ck_assert_str_eq(rec.field[2], "d\ne");
    expect_raw(&rec, "a,\"b,c\",\"d\ne\"\n");
    expect_rec(r, 4, "x|y|z");
    expect_rec(r, 5, "p\n\nq|\n|s");
    expect_rec(r, 9, "t|u|v");
    expect_end(r);
    csvio_close(r);
}
END_TEST

START_TEST(test_doubled_quotes)
{
    csvio_reader *r = open_str("\"a\"\"b\",\"\"\"\"\n"
                               "\"\",x\n"
                               "\"he said \"\"hi, there\"\"\",\"\"\"\"\"\"\n");
    expect_rec(r, 1, "a\"b|\"");
    expect_rec(r, 2, "|x");
    expect_rec(r, 3, "he said \"hi, there\"|\"\"");
    expect_end(r);
    csvio_close(r);
}
END_TEST

START_TEST(test_bom_skipped)
{
    const char data[] = "\xEF\xBB\xBFlocal_ref,nom\n1,x\n";
    csvio_reader *r = open_mem(data, sizeof data - 1, NULL);
    csvio_record rec;
    next_rec(r, &rec);
    ck_assert_int_eq(rec.line, 1);
    ck_assert_uint_eq(rec.len[0], 9);
    ck_assert_str_eq(rec.field[0], "local_ref");
    expect_raw(&rec, "local_ref,nom\n");
    expect_rec(r, 2, "1|x");
    expect_end(r);
    ck_assert_uint_eq(csvio_bytes(r), sizeof data - 1);
    csvio_close(r);

    /* a BOM whatever the declared encoding */
    csvio_options opt = {.encoding = "ISO-8859-1"};
    r = open_mem(data, sizeof data - 1, &opt);
    expect_rec(r, 1, "local_ref|nom");
    expect_rec(r, 2, "1|x");
    csvio_close(r);
}
END_TEST

START_TEST(test_crlf)
{
    csvio_reader *r = open_str("a,b\r\n"
                               "c,\"d\r\ne\"\r\n" /* lines 2-3, the quoted CRLF is data */
                               "f,g\r\n"
                               "h,i");            /* no final line end */
    expect_rec(r, 1, "a|b");
    expect_rec(r, 2, "c|d\r\ne");
    expect_rec(r, 4, "f|g");
    expect_rec(r, 5, "h|i");
    expect_end(r);
    csvio_close(r);
}
END_TEST

START_TEST(test_empty_lines_skipped)
{
    csvio_reader *r = open_str("\n\na,b\n\n\nc,d\n\r\n\ne,f\r\n\r\n\"g\",h");
    expect_rec(r, 3, "a|b");
    csvio_record rec;
    next_rec(r, &rec);
    ck_assert_ptr_null(rec.error);
    ck_assert_int_eq(rec.line, 6);
    ck_assert_str_eq(rec.field[0], "c");
    /* the raw text of a record after empty lines is the record's own text */
    expect_raw(&rec, "c,d\n");
    ck_assert_msg(rec.raw_len >= 4 && memcmp(rec.raw + rec.raw_len - 4, "c,d\n", 4) == 0, "raw '%.*s'",
                  (int)rec.raw_len, rec.raw);
    expect_rec(r, 9, "e|f");
    expect_rec(r, 11, "g|h");
    expect_end(r);
    csvio_close(r);

    /* nothing but empty lines */
    r = open_str("\n\r\n\n");
    expect_end(r);
    csvio_close(r);
}
END_TEST

START_TEST(test_stray_quote_recovery)
{
    csvio_reader *r = open_str("h1,h2\n"
                               "ab\"c,d\n"   /* line 2: a quote inside an unquoted field */
                               "e,f\n"
                               "g,x\"y\"\n"  /* line 4 */
                               "\n"
                               "i,\"j\nk\"\n" /* lines 6-7 */
                               "l,m\n");
    expect_rec(r, 1, "h1|h2");
    csvio_record rec;
    next_rec(r, &rec);
    ck_assert_int_eq(rec.line, 2);
    ck_assert_ptr_nonnull(rec.error);
    ck_assert_msg(strstr(rec.error, "line 2") != NULL, "error '%s' should name line 2", rec.error);
    ck_assert_msg(strstr(rec.error, "quote") != NULL, "error '%s'", rec.error);
    /* "ab\"c" has its stray quote in column 3 */
    ck_assert_msg(strstr(rec.error, "column 3") != NULL, "error '%s' should name column 3", rec.error);
    expect_raw(&rec, "ab\"c,d\n");
    expect_rec(r, 3, "e|f");
    next_rec(r, &rec);
    ck_assert_int_eq(rec.line, 4);
    ck_assert_ptr_nonnull(rec.error);
    ck_assert_msg(strstr(rec.error, "line 4") != NULL, "error '%s' should name line 4", rec.error);
    expect_raw(&rec, "g,x\"y\"\n");
    expect_rec(r, 6, "i|j\nk");
    expect_rec(r, 8, "l|m");
    expect_end(r);
    csvio_close(r);
}
END_TEST

START_TEST(test_text_after_closing_quote)
{
    csvio_reader *r = open_str("\"abc\"def,g\n"
                               "h,\"i\"j\n"
                               "k,\"l\nm\"n,o\n" /* a bad record spanning lines 3-4 */
                               "p,q\n");
    csvio_record rec;
    next_rec(r, &rec);
    ck_assert_int_eq(rec.line, 1);
    ck_assert_ptr_nonnull(rec.error);
    expect_raw(&rec, "\"abc\"def,g\n");
    next_rec(r, &rec);
    ck_assert_int_eq(rec.line, 2);
    ck_assert_ptr_nonnull(rec.error);
    next_rec(r, &rec);
    ck_assert_int_eq(rec.line, 3);
    ck_assert_ptr_nonnull(rec.error);
    ck_assert_msg(strstr(rec.error, "line 4") != NULL, "error '%s' should name line 4 (where it is)", rec.error);
    expect_raw(&rec, "k,\"l\nm\"n,o\n");
    expect_rec(r, 5, "p|q");
    expect_end(r);
    csvio_close(r);
}
END_TEST

START_TEST(test_unterminated_quote_at_eof)
{
    csvio_reader *r = open_str("a,b\nc,\"open\nmore\n");
    expect_rec(r, 1, "a|b");
    csvio_record rec;
    next_rec(r, &rec);
    ck_assert_int_eq(rec.line, 2);
    ck_assert_ptr_nonnull(rec.error);
    ck_assert_msg(strstr(rec.error, "unterminated") != NULL, "error '%s'", rec.error);
    expect_raw(&rec, "c,\"open\nmore\n");
    expect_end(r);
    expect_end(r); /* and it stays at the end */
    csvio_close(r);

    /* without a final line end either */
    r = open_str("a,b\n\"x");
    expect_rec(r, 1, "a|b");
    next_rec(r, &rec);
    ck_assert_int_eq(rec.line, 2);
    ck_assert_ptr_nonnull(rec.error);
    expect_end(r);
    csvio_close(r);
}
END_TEST

/* Write PREFIX, N bytes of FILL, then SUFFIX to a new file, in chunks (no big buffer). */
static char *write_big(const char *prefix, size_t n, char fill, const char *suffix)
{
    char *path = strdup(tu_fmt("%s/big.csv", tmpdir()));
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    char chunk[65536];
    memset(chunk, fill, sizeof chunk);
    fputs(prefix, f);
    while (n > 0) {
        size_t k = n < sizeof chunk ? n : sizeof chunk;
        ck_assert_uint_eq(fwrite(chunk, 1, k, f), k);
        n -= k;
    }
    fputs(suffix, f);
    ck_assert_int_eq(fclose(f), 0);
    return path;
}

static long peak_rss_kib(void)
{
    struct rusage ru;
    ck_assert_int_eq(getrusage(RUSAGE_SELF, &ru), 0);
    return ru.ru_maxrss;
}

START_TEST(test_field_of_10_mb)
{
    const size_t big = 10u * 1024 * 1024;
    char *path = write_big("h1,h2\n1,", big, 'x', "\n2,y\n3,\"z\"\n");
    long before = peak_rss_kib();
    csvio_options opt = {0};
    csvio_reader *r = open_opt(path, &opt);
    expect_rec(r, 1, "h1|h2");
    csvio_record rec;
    next_rec(r, &rec);
    ck_assert_int_eq(rec.line, 2);
    ck_assert_ptr_nonnull(rec.error);
    ck_assert_msg(strstr(rec.error, "limit") != NULL && strstr(rec.error, "65536") != NULL,
                  "error '%s' should name the limit (64 KiB by default)", rec.error);
    ck_assert_uint_eq(rec.nfields, 2);
    ck_assert_uint_eq(rec.len[1], 0); /* the long value is not handed out */
    expect_rec(r, 3, "2|y");
    expect_rec(r, 4, "3|z");
    expect_end(r);
    csvio_close(r);
    long grown = peak_rss_kib() - before;
    /* bounded by a few copies of the record (line, decoded line, parser buffer, raw text), not
     * more; under ASan freed blocks stay in quarantine, so only the plain build checks it */
    if (!UNDER_ASAN)
        ck_assert_msg(grown < 128 * 1024, "reading a 10 MB field raised the peak RSS by %ld KiB", grown);

    unlink(path);
    free(path);
}
END_TEST

START_TEST(test_max_field_option)
{
    /* a field of exactly max_field bytes passes, one more byte is refused, naming the limit */
    char line[3000];
    memset(line, 0, sizeof line);
    strcpy(line, "h1,h2\n\"");
    memset(line + strlen(line), 'a', 1000);
    strcat(line, "\",x\n");
    memset(line + strlen(line), 'b', 1001);
    strcat(line, ",y\nz,w\n");
    csvio_options opt = {.max_field = 1000};
    csvio_reader *r = open_mem(line, strlen(line), &opt);
    expect_rec(r, 1, "h1|h2");
    csvio_record rec;
    next_rec(r, &rec);
    ck_assert_ptr_null(rec.error);
    ck_assert_uint_eq(rec.len[0], 1000);
    next_rec(r, &rec);
    ck_assert_int_eq(rec.line, 3);
    ck_assert_ptr_nonnull(rec.error);
    ck_assert_msg(strstr(rec.error, "1000") != NULL && strstr(rec.error, "1001") != NULL,
                  "error '%s' should give the size and the limit", rec.error);
    expect_rec(r, 4, "z|w");
    expect_end(r);
    csvio_close(r);
}
END_TEST

START_TEST(test_record_over_max_record)
{
    const size_t two_mib = 2u * 1024 * 1024;
    /* one physical line holding an unterminated quote */
    char *path = write_big("h1,h2\na,\"", two_mib, 'q', "\nb,c\n");
    csvio_options opt = {.max_record = 1024 * 1024};
    csvio_reader *r = open_opt(path, &opt);
    expect_rec(r, 1, "h1|h2");
    csvio_record rec;
    int rc = csvio_next(r, &rec);
    ck_assert_int_eq(rc, -1);
    const char *e = csvio_error(r);
    ck_assert_msg(strstr(e, tu_fmt("%s:2:", path)) != NULL, "error '%s' should start with FILE:2:", e);
    ck_assert_msg(strstr(e, "1048576") != NULL, "error '%s' should name the limit", e);
    csvio_close(r);
    free(path);

    /* the same spread over many short lines: the line named is where the record starts */
    char *dir = strdup(tmpdir());
    path = strdup(tu_fmt("%s/lines.csv", dir));
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs("h1,h2\nok,1\n\nx,\"", f);
    for (int i = 0; i < 2048; i++)
        fprintf(f, "%01023d\n", i);
    ck_assert_int_eq(fclose(f), 0);
    r = open_opt(path, &opt);
    expect_rec(r, 1, "h1|h2");
    expect_rec(r, 2, "ok|1");
    rc = csvio_next(r, &rec);
    ck_assert_int_eq(rc, -1);
    e = csvio_error(r);
    ck_assert_msg(strstr(e, tu_fmt("%s:4:", path)) != NULL, "error '%s' should start with FILE:4:", e);
    csvio_close(r);
    free(path);
    free(dir);
}
END_TEST

START_TEST(test_invalid_utf8_passes_through)
{
    const char data[] = "a,b\n\xff\xfe,\xc3\n\xed\xa0\x80,Mu\xe9ller\n";
    csvio_reader *r = open_mem(data, sizeof data - 1, NULL);
    expect_rec(r, 1, "a|b");
    expect_rec(r, 2, "\xff\xfe|\xc3");
    expect_rec(r, 3, "\xed\xa0\x80|Mu\xe9ller");
    expect_end(r);
    csvio_close(r);
}
END_TEST

START_TEST(test_latin1)
{
    const char data[] = "nom,ville\nL\xe9""a,\"Saint-\xc9tienne\"\n\xe0 \xff,x\n";
    csvio_options opt = {.encoding = "ISO-8859-1"};
    csvio_reader *r = open_mem(data, sizeof data - 1, &opt);
    expect_rec(r, 1, "nom|ville");
    csvio_record rec;
    next_rec(r, &rec);
    ck_assert_ptr_null(rec.error);
    ck_assert_int_eq(rec.line, 2);
    ck_assert_str_eq(rec.field[0], "L\xc3\xa9" "a");
    ck_assert_uint_eq(rec.len[0], 4);
    ck_assert_str_eq(rec.field[1], "Saint-\xc3\x89tienne");
    expect_raw(&rec, "L\xc3\xa9" "a,\"Saint-\xc3\x89tienne\"\n"); /* raw text is decoded too */
    expect_rec(r, 3, "\xc3\xa0 \xc3\xbf|x");
    expect_end(r);
    csvio_close(r);
}
END_TEST

START_TEST(test_cp1252)
{
    const char data[] = "nom;montant\n"
                        "\x9cuvre;\x80 12\n"    /* œuvre; € 12 */
                        "\x8cuvray;\x93q\x94\n" /* Œuvray; “q” */
                        "\x81x;y\n"             /* 0x81 is not defined in Windows-1252 */
                        "z;w\n";
    csvio_options opt = {.sep = ';', .encoding = "WINDOWS-1252"};
    csvio_reader *r = open_mem(data, sizeof data - 1, &opt);
    expect_rec(r, 1, "nom|montant");
    expect_rec(r, 2, "\xc5\x93uvre|\xe2\x82\xac 12");
    expect_rec(r, 3, "\xc5\x92uvray|\xe2\x80\x9cq\xe2\x80\x9d");
    csvio_record rec;
    next_rec(r, &rec);
    ck_assert_int_eq(rec.line, 4);
    ck_assert_ptr_nonnull(rec.error);
    ck_assert_msg(strstr(rec.error, "0x81") != NULL, "error '%s' should name the byte 0x81", rec.error);
    expect_rec(r, 5, "z|w");
    expect_end(r);
    csvio_close(r);

    /* the glibc alias works as well, and an unknown encoding is refused at open */
    opt.encoding = "CP1252";
    r = open_mem(data, sizeof data - 1, &opt);
    expect_rec(r, 1, "nom|montant");
    expect_rec(r, 2, "\xc5\x93uvre|\xe2\x82\xac 12");
    csvio_close(r);
    char *path = write_tmp(data, sizeof data - 1);
    char err[256] = "";
    opt.encoding = "NO-SUCH-ENCODING-42";
    ck_assert_ptr_null(csvio_open(path, &opt, err, sizeof err));
    ck_assert_msg(strstr(err, "NO-SUCH-ENCODING-42") != NULL, "error '%s'", err);
    free(path);
}
END_TEST

START_TEST(test_separators)
{
    csvio_options semi = {.sep = ';'};
    const char *d1 = "a;b;\"c;d\";x,y\n1;;\"\";4\n";
    csvio_reader *r = open_mem(d1, strlen(d1), &semi);
    expect_rec(r, 1, "a|b|c;d|x,y");
    expect_rec(r, 2, "1|||4");
    expect_end(r);
    csvio_close(r);

    csvio_options tab = {.sep = '\t'};
    const char *d2 = "a\tb\t\"c\td\"\t\n1\t\t3\t4\n";
    r = open_mem(d2, strlen(d2), &tab);
    expect_rec(r, 1, "a|b|c\td|");
    expect_rec(r, 2, "1||3|4");
    expect_end(r);
    csvio_close(r);

    /* with the default separator, ';' and tabs are data */
    r = open_str("a;b\tc,d\n");
    expect_rec(r, 1, "a;b\tc|d");
    csvio_close(r);
}
END_TEST

static const char *quoted(const char *field, char sep)
{
    static sbuf b;
    if (!b.p)
        sbuf_init(&b);
    sbuf_reset(&b);
    csvio_add_field(&b, field, strlen(field), sep);
    return b.p;
}

START_TEST(test_add_field)
{
    ck_assert_str_eq(quoted("plain", ','), "plain");
    ck_assert_str_eq(quoted("", ','), "");
    ck_assert_str_eq(quoted("with space", ','), "with space");
    ck_assert_str_eq(quoted("a,b", ','), "\"a,b\"");
    ck_assert_str_eq(quoted("say \"hi\"", ','), "\"say \"\"hi\"\"\"");
    ck_assert_str_eq(quoted("\"", ','), "\"\"\"\"");
    ck_assert_str_eq(quoted("two\nlines", ','), "\"two\nlines\"");
    ck_assert_str_eq(quoted("cr\r", ','), "\"cr\r\"");
    ck_assert_str_eq(quoted("a,b", ';'), "a,b");
    ck_assert_str_eq(quoted("a;b", ';'), "\"a;b\"");
    ck_assert_str_eq(quoted("a;b", ','), "a;b");
    ck_assert_str_eq(quoted("\xc5\x93uvre", ','), "\xc5\x93uvre");
    /* a NUL byte inside the length is copied as it is */
    sbuf b;
    sbuf_init(&b);
    csvio_add_field(&b, "a\0b", 3, ',');
    ck_assert_uint_eq(b.len, 3);
    ck_assert_int_eq(memcmp(b.p, "a\0b", 3), 0);

    /* round trip through the reader */
    static const char *const vals[] = {"plain", "", "a,b", "say \"hi\"", "two\nlines", "\r\n", "\"", "x;y"};
    const size_t nv = sizeof vals / sizeof vals[0];
    sbuf_reset(&b);
    for (int line = 0; line < 2; line++) {
        for (size_t i = 0; i < nv; i++) {
            if (i)
                sbuf_addc(&b, ',');
            csvio_add_field(&b, vals[i], strlen(vals[i]), ',');
        }
        sbuf_addc(&b, '\n');
    }
    csvio_reader *r = open_mem(b.p, b.len, NULL);
    const long expect_line[2] = {1, 4}; /* each record holds two quoted LFs */
    for (int line = 0; line < 2; line++) {
        csvio_record rec;
        next_rec(r, &rec);
        ck_assert_ptr_null(rec.error);
        ck_assert_int_eq(rec.line, expect_line[line]);
        ck_assert_uint_eq(rec.nfields, nv);
        for (size_t i = 0; i < nv; i++)
            ck_assert_msg(rec.len[i] == strlen(vals[i]) && memcmp(rec.field[i], vals[i], rec.len[i]) == 0,
                          "round trip of '%s' gave '%s'", vals[i], rec.field[i]);
    }
    expect_end(r);
    csvio_close(r);
    sbuf_free(&b);
}
END_TEST

static void sha256_file(const char *path, char hex[65])
{
    size_t n;
    char *data = tu_read(path, &n);
    ck_assert_ptr_nonnull(data);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    ck_assert_int_eq(EVP_Digest(data, n, md, &mdlen, EVP_sha256(), NULL), 1);
    ck_assert_uint_eq(mdlen, 32);
    for (unsigned i = 0; i < mdlen; i++)
        sprintf(hex + 2 * i, "%02x", md[i]);
    free(data);
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

START_TEST(test_out_atomic)
{
    umask(022);
    const char *dir = tmpdir();
    char *path = strdup(tu_fmt("%s/out.csv", dir));
    char *tmp = strdup(tu_fmt("%s/out.csv.tmp", dir));
    char err[512] = "";
    csvio_out *o = csvio_out_open(path, 0640, err, sizeof err);
    ck_assert_msg(o != NULL, "%s", err);
    ck_assert_msg(!exists(path), "the final name exists before the commit");
    ck_assert(exists(tmp));
    /* small writes, then enough to pass the 1 MiB buffer, then one write larger than it */
    unsigned long long total = 0;
    char line[64];
    for (int i = 0; i < 50000; i++) {
        int n = snprintf(line, sizeof line, "%d,row %d,\"q\"\n", i, i * 7);
        ck_assert_int_eq(csvio_out_write(o, line, (size_t)n), 0);
        total += (unsigned long long)n;
    }
    size_t bigsz = 3u * 1024 * 1024 + 17;
    char *big = malloc(bigsz);
    for (size_t i = 0; i < bigsz; i++)
        big[i] = (char)('a' + i % 26);
    ck_assert_int_eq(csvio_out_write(o, big, bigsz), 0);
    total += bigsz;
    ck_assert_int_eq(csvio_out_write(o, "end\n", 4), 0);
    total += 4;
    ck_assert_uint_eq(csvio_out_bytes(o), total);
    ck_assert_msg(!exists(path), "the final name exists before the commit");
    char hex[65] = "", want[65] = "";
    ck_assert_msg(csvio_out_commit(o, hex, err, sizeof err) == 0, "%s", err);
    ck_assert(exists(path));
    ck_assert_msg(!exists(tmp), "the temporary file is left after the commit");
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_uint_eq((unsigned long long)st.st_size, total);
    ck_assert_uint_eq(st.st_mode & 0777, 0640);
    sha256_file(path, want);
    ck_assert_str_eq(hex, want);
    free(big);

    /* an empty file: the SHA-256 of no bytes */
    char *empty = strdup(tu_fmt("%s/empty.csv", dir));
    o = csvio_out_open(empty, 0600, err, sizeof err);
    ck_assert_ptr_nonnull(o);
    ck_assert_int_eq(csvio_out_commit(o, hex, err, sizeof err), 0);
    ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    ck_assert_int_eq(stat(empty, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777, 0600);
    ck_assert_int_eq(st.st_size, 0);

    /* commit replaces an existing file whole */
    o = csvio_out_open(path, 0640, err, sizeof err);
    ck_assert_ptr_nonnull(o);
    ck_assert_int_eq(csvio_out_write(o, "new\n", 4), 0);
    size_t n;
    char *old = tu_read(path, &n);
    ck_assert_uint_eq(n, total); /* still the old contents until the commit */
    free(old);
    ck_assert_int_eq(csvio_out_commit(o, NULL, err, sizeof err), 0);
    char *now = tu_read(path, NULL);
    ck_assert_str_eq(now, "new\n");
    free(now);

    /* abort leaves nothing */
    char *gone = strdup(tu_fmt("%s/aborted.csv", dir));
    char *gonetmp = strdup(tu_fmt("%s/aborted.csv.tmp", dir));
    o = csvio_out_open(gone, 0600, err, sizeof err);
    ck_assert_ptr_nonnull(o);
    ck_assert_int_eq(csvio_out_write(o, "partial", 7), 0);
    csvio_out_abort(o);
    ck_assert(!exists(gone));
    ck_assert(!exists(gonetmp));
    csvio_out_abort(NULL);

    /* a folder that does not exist: refused with the name */
    ck_assert_ptr_null(csvio_out_open(tu_fmt("%s/no/such/dir/x.csv", dir), 0600, err, sizeof err));
    ck_assert_msg(strstr(err, "no/such/dir/x.csv") != NULL, "error '%s'", err);
    free(path);
    free(tmp);
    free(empty);
    free(gone);
    free(gonetmp);
}
END_TEST

/* Most lines of an extract hold no quote, space or CR, and csvio splits them itself rather than
 * through libcsv: each must read exactly as its twin with every field quoted, which only
 * libcsv parses. Empty fields, a trailing separator, CRLF, a last line without its newline. */
START_TEST(test_plain_lines_read_as_quoted)
{
    const char *plain = "h1,h2,h3\na,,c\na,b,\n,\nx\r\nlast,line";
    const char *quoted = "\"h1\",\"h2\",\"h3\"\n\"a\",\"\",\"c\"\n\"a\",\"b\",\"\"\n\"\",\"\"\n\"x\"\r\n\"last\",\"line\"";
    const char *const inputs[] = {plain, quoted};
    for (int i = 0; i < 2; i++) {
        csvio_reader *r = open_str(inputs[i]);
        expect_rec(r, 1, "h1|h2|h3");
        expect_rec(r, 2, "a||c");
        expect_rec(r, 3, "a|b|");
        expect_rec(r, 4, "|");
        expect_rec(r, 5, "x");
        expect_rec(r, 6, "last|line");
        expect_end(r);
        csvio_close(r);
    }
    /* a line that looks plain but continues a quoted field is no record of its own */
    csvio_reader *r = open_str("a,\"b\nc,d\ne\",f\ng,h\n");
    expect_rec(r, 1, "a|b\nc,d\ne|f");
    expect_rec(r, 4, "g|h");
    expect_end(r);
    csvio_close(r);
    /* spaces around an unquoted field are libcsv's to trim */
    r = open_str(" a , b\n");
    expect_rec(r, 1, "a|b");
    expect_end(r);
    csvio_close(r);
}
END_TEST

START_TEST(test_open_errors)
{
    char err[512] = "";
    csvio_options opt = {0};
    const char *missing = tu_fmt("%s/missing.csv", tmpdir());
    ck_assert_ptr_null(csvio_open(missing, &opt, err, sizeof err));
    ck_assert_msg(strstr(err, missing) != NULL, "error '%s' should name the file", err);
    /* an empty file is simply at its end */
    csvio_reader *r = open_str("");
    expect_end(r);
    csvio_close(r);
    csvio_close(NULL);
}
END_TEST

Suite *suite_csvio(void)
{
    Suite *s = suite_create("csvio");
    TCase *tc = tcase_create("reader");
    tcase_add_test(tc, test_quoted_separator_and_newline);
    tcase_add_test(tc, test_doubled_quotes);
    tcase_add_test(tc, test_bom_skipped);
    tcase_add_test(tc, test_crlf);
    tcase_add_test(tc, test_empty_lines_skipped);
    tcase_add_test(tc, test_stray_quote_recovery);
    tcase_add_test(tc, test_text_after_closing_quote);
    tcase_add_test(tc, test_unterminated_quote_at_eof);
    tcase_add_test(tc, test_invalid_utf8_passes_through);
    tcase_add_test(tc, test_latin1);
    tcase_add_test(tc, test_cp1252);
    tcase_add_test(tc, test_separators);
    tcase_add_test(tc, test_open_errors);
    tcase_add_test(tc, test_plain_lines_read_as_quoted);
    tcase_add_test(tc, test_max_field_option);
    tcase_set_timeout(tc, 30);
    suite_add_tcase(s, tc);

    /* Large inputs (csvio grows libcsv's buffer by 64 KiB: no quadratic reallocs) */
    tc = tcase_create("limits");
    tcase_add_test(tc, test_field_of_10_mb);
    tcase_add_test(tc, test_record_over_max_record);
    tcase_set_timeout(tc, 300);
    suite_add_tcase(s, tc);

    tc = tcase_create("writer");
    tcase_add_test(tc, test_add_field);
    tcase_add_test(tc, test_out_atomic);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}
