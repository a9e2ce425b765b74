/* textmode.c - --normalize, --explain, -x and --ipa: text in, text out, one line per line. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define LINE_CHUNK 65536
#define LINE_WINDOW ((size_t)1 << 20) /* a longer line is done in windows cut at a sentence end or a space */

typedef struct line_state {
    cli_ctx *c;
    ks_lang lang_ctx;    /* --lang auto: the language of the line before (a line with no evidence follows it) */
    int midline;         /* -x: the sentences of an unfinished line were printed already */
    uint64_t line_start; /* byte offset of the line in the input */
    int warned;
    ks_buf out;
    ks_buf phon;
    ks_buf explain;
} line_state;

static void on_explain(const char *span, size_t span_len, const char *rule, const char *words, size_t words_len,
                       void *user)
{
    ks_buf *b = user;
    ks_buf_puts(b, "  [");
    ks_buf_puts(b, rule);
    ks_buf_puts(b, "] ");
    ks_buf_append(b, span, span_len);
    ks_buf_puts(b, " -> ");
    ks_buf_append(b, words, words_len);
    ks_buf_putc(b, '\n');
}

/* --explain: one line per language span: "  [lang ru] SPAN[ -> READING]". */
static void put_span(ks_buf *b, const char *span, size_t span_len, ks_lang lang, const char *reading,
                     size_t reading_len)
{
    ks_buf_puts(b, "  [lang ");
    ks_buf_puts(b, ks_lang_name(lang));
    ks_buf_puts(b, "] ");
    ks_buf_append(b, span, span_len);
    if (reading) {
        ks_buf_puts(b, " -> ");
        ks_buf_append(b, reading, reading_len);
    }
    ks_buf_putc(b, '\n');
}

/* With --lang: each span and its reading. */
static void on_span(const char *span, size_t span_len, ks_lang lang, const char *prepared, size_t prepared_len,
                    void *user)
{
    put_span(user, span, span_len, lang, prepared, prepared_len);
}

/* Without --lang: the spans a playing reader would give to each voice. */
static void on_span_lang(const char *span, size_t span_len, ks_lang lang, const char *prepared,
                         size_t prepared_len, void *user)
{
    (void)prepared;
    (void)prepared_len;
    put_span(user, span, span_len, lang, NULL, 0);
}

static void warn_utf8(line_state *s, const char *name, size_t bad)
{
    if (bad == (size_t)-1 || s->warned)
        return;
    s->warned = 1;
    cli_error("warning: %s: invalid UTF-8 at byte offset %llu (replaced with U+FFFD)", name,
              (unsigned long long)(s->line_start + bad));
}

static int blank(const char *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (t[i] != ' ' && t[i] != '\t' && t[i] != '\r' && t[i] != '\n')
            return 0;
    return 1;
}

/* Handle one line (without its newline), or with end_line 0 the finished
 * sentences at the start of a line still being typed (-x). Returns 0 ok, -1 error (printed). */
static int do_line(line_state *s, const cli_input *in, const char *line, size_t len, long lineno, int end_line)
{
    ks_error err;
    size_t bad = (size_t)-1;
    ks_buf_reset(&s->out);
    ks_buf_reset(&s->explain);
    /* The text is read as Kazakh (the rule book), unless --lang auto or ru was given:
     * then each language span by its own rules. --explain always shows the spans. */
    int spans = s->c->opt.lang_given && s->c->opt.lang != KS_LANG_KK;
    ks_status st = spans ? ks_text_prepare_lang(s->c->norm, s->c->translit, s->c->opt.script, s->c->langid,
                                                s->c->opt.lang, &s->lang_ctx, line, len, &s->out, &bad,
                                                s->c->opt.explain ? on_span : NULL, &s->explain, &err)
                         : ks_text_prepare(s->c->norm, s->c->translit, s->c->opt.script, line, len, &s->out, &bad,
                                           &err);
    if (st == KS_OK && !spans && s->c->opt.explain && s->c->langid) {
        ks_buf scratch = {0};
        ks_error e2;
        ks_lang ctx = s->lang_ctx;
        ks_text_prepare_lang(NULL, NULL, s->c->opt.script, s->c->langid, KS_LANG_AUTO, &ctx, line, len, &scratch,
                             NULL, on_span_lang, &s->explain, &e2);
        s->lang_ctx = ctx;
        ks_buf_free(&scratch);
    }
    if (st != KS_OK) {
        cli_error("%s:%ld: %s", in->name, lineno, err.msg);
        return -1;
    }
    warn_utf8(s, in->name, bad);
    const char *text = s->out.data ? s->out.data : "";
    if (s->c->opt.phonemes) {
        ks_buf_reset(&s->phon);
        if (!blank(text, s->out.len) && /* nothing to say: no phonemes (an endless line of NULs stays fast) */
            ks_engine_phonemes(s->c->eng, text, s->out.len, s->c->opt.phonemes == 2, &s->phon, &err) != KS_OK) {
            cli_error("%s:%ld: %s", in->name, lineno, err.msg);
            return -1;
        }
        if (s->midline && s->phon.len)
            putchar(' ');
        fwrite(s->phon.data ? s->phon.data : "", 1, s->phon.len, stdout);
        s->midline = !end_line;
    } else if (s->c->opt.explain) {
        printf("%ld: ", lineno);
        fwrite(line, 1, len, stdout);
        putchar('\n');
        fwrite(s->explain.data ? s->explain.data : "", 1, s->explain.len, stdout);
        fputs("= ", stdout);
        fwrite(text, 1, s->out.len, stdout);
    } else {
        fwrite(text, 1, s->out.len, stdout); /* a window of a long line continues on the same output line */
    }
    if (end_line)
        putchar('\n');
    if (ferror(stdout)) {
        cli_error("standard output: write error");
        return -1;
    }
    return 0;
}

/* Length of the complete sentences at the start of an unfinished line. */
static size_t finished_sentences(const char *t, size_t len)
{
    size_t done = 0, n;
    while (done < len && (n = ks_sentence_split(t + done, len - done, 0, len)) > 0)
        done += n;
    if (done < len) { /* the last one: a terminator and a space, nothing after it yet */
        size_t i = len;
        while (i > done && (t[i - 1] == ' ' || t[i - 1] == '\t'))
            i--;
        if (i < len && i > done && (t[i - 1] == '.' || t[i - 1] == '!' || t[i - 1] == '?'))
            done = len;
    }
    return done;
}

static int run_lines(cli_ctx *c)
{
    cli_input in;
    ks_buf args = {0}, pending = {0};
    line_state s;
    memset(&s, 0, sizeof s);
    s.c = c;
    if (c->opt.explain)
        ks_normalizer_set_explain(c->norm, on_explain, &s.explain);
    if (cli_load_langid(c) != 0)
        return CLI_EXIT_ERROR;
    if (cli_input_open(&in, &c->opt, &args) != 0) {
        ks_buf_free(&args);
        return CLI_EXIT_ERROR;
    }
    int rc = CLI_EXIT_OK;
    long lineno = 0;
    size_t start = 0;   /* first unconsumed byte of pending */
    size_t scanned = 0; /* pending[start..scanned) holds no newline */
    int eof = 0;
    char chunk[LINE_CHUNK];
    while (!eof || start < pending.len) {
        /* Search only the bytes not searched yet: a 10 MB line stays linear. */
        size_t from = scanned > start ? scanned : start;
        char *nl = pending.len > from ? memchr(pending.data + from, '\n', pending.len - from) : NULL;
        if (!nl && pending.len - start >= LINE_WINDOW) {
            /* a long line: its first window now, so memory stays bounded */
            size_t cut = ks_sentence_split(pending.data + start, pending.len - start, 0, LINE_WINDOW);
            if (cut == 0 || cut > pending.len - start)
                cut = LINE_WINDOW;
            if (do_line(&s, &in, pending.data + start, cut, lineno + 1, 0) != 0) {
                rc = CLI_EXIT_ERROR;
                break;
            }
            start += cut;
            s.line_start += cut;
            continue;
        }
        if (!nl && !eof) {
            scanned = pending.len;
            /* -x on an idle stream: the finished sentences of the line being typed are spoken now */
            size_t done = c->opt.phonemes && in.stream && cli_input_idle(&in)
                              ? finished_sentences(pending.data + start, pending.len - start)
                              : 0;
            if (done && do_line(&s, &in, pending.data + start, done, lineno + 1, 0) != 0) {
                rc = CLI_EXIT_ERROR;
                break;
            }
            start += done;
            s.line_start += done;
            /* each output line leaves as soon as its input line is complete */
            if (in.stream && fflush(stdout) != 0) {
                cli_error("standard output: write error");
                rc = CLI_EXIT_ERROR;
                break;
            }
            long r = cli_input_read(&in, chunk, sizeof chunk);
            if (r < 0) {
                rc = CLI_EXIT_ERROR;
                break;
            }
            if (r == 0)
                eof = 1;
            else {
                if (start > 0 && start >= pending.len / 2) { /* compact */
                    memmove(pending.data, pending.data + start, pending.len - start);
                    pending.len -= start;
                    scanned -= start;
                    start = 0;
                }
                if (ks_buf_append(&pending, chunk, (size_t)r) != 0) {
                    cli_error("%s:%ld: out of memory", in.name, lineno + 1);
                    rc = CLI_EXIT_ERROR;
                    break;
                }
            }
            continue;
        }
        size_t end = nl ? (size_t)(nl - pending.data) : pending.len;
        size_t len = end - start;
        if (len && pending.data[start + len - 1] == '\r')
            len--; /* CRLF input gives LF output */
        lineno++;
        if (do_line(&s, &in, pending.data + start, len, lineno, 1) != 0) {
            rc = CLI_EXIT_ERROR;
            break;
        }
        s.line_start += end - start + (nl ? 1 : 0);
        start = nl ? end + 1 : end;
    }
    if (fflush(stdout) != 0 && rc == CLI_EXIT_OK) {
        cli_error("standard output: write error");
        rc = CLI_EXIT_ERROR;
    }
    cli_input_close(&in);
    ks_buf_free(&args);
    ks_buf_free(&pending);
    ks_buf_free(&s.out);
    ks_buf_free(&s.phon);
    ks_buf_free(&s.explain);
    return rc;
}

int cli_run_normalize(cli_ctx *c)
{
    return run_lines(c);
}

int cli_run_phonemes(cli_ctx *c)
{
    if (cli_load_engine(c) != 0)
        return CLI_EXIT_ERROR;
    return run_lines(c);
}
