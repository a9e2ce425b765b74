/* fuzz_sd_protocol.c - libFuzzer target: arbitrary bytes as the server's side of
 * the speech-dispatcher module protocol (lines into the parser), completed
 * messages queued as the module does (SPEAKs queue up, STOP/PAUSE/QUIT drop
 * the queue, a message is taken out every few lines) and spoken piece by piece
 * (splitter + SSML/letter/key text code), and the 705 escape decoder. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/sd/sd_protocol.h"
#include "../../src/sd/sd_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The normalizer with its built-in tables, for inputs whose first byte has bit 5 set. */
static ks_normalizer *norm_for(unsigned mode)
{
    static ks_normalizer *norm;
    static int tried;
    if (!tried) {
        ks_error err;
        tried = 1;
        if (ks_normalizer_new(&norm, NULL, &err) != KS_OK)
            norm = NULL;
    }
    return (mode & 0x20) ? norm : NULL;
}

static void text_paths(const sd_result *r, unsigned mode)
{
    ks_buf b;
    ks_buf_init(&b, 1u << 20);
    ks_error err;
    sd_text_opts o = {norm_for(mode), (sd_punct)(mode & 3), (int)((mode >> 2) & 1), (sd_caplet)((mode >> 3) % 3), NULL};
    switch (r->cmd) {
    case SD_CMD_SPEAK: (void)sd_ssml_prepare(&o, r->text, r->text_len, &b, &err); break;
    case SD_CMD_CHAR: sd_char_text(r->text, r->text_len, o.caplet, &b); break;
    case SD_CMD_KEY: sd_key_text(r->text, r->text_len, &b); break;
    default: break;
    }
    ks_buf_free(&b);
}

/* A queued SPEAK is cut into pieces: every piece is consumed in order, the
 * position only moves forward, and every piece goes through the text code. */
static void speak_pieces(const sd_message *m, unsigned mode)
{
    ks_ssml_cutter *cut;
    if (ks_ssml_cutter_new(&cut, NULL) != KS_OK)
        return;
    ks_buf piece;
    ks_buf_init(&piece, 1u << 22);
    size_t last = 0, n = 0;
    while (last < m->len) {
        ks_buf_reset(&piece);
        size_t k = ks_ssml_cutter_next(cut, m->text + last, m->len - last, 1, n == 0 ? 0 : (mode & 0x40 ? 64 : 2048),
                                       mode & 0x20 ? 128 : 4096);
        if (k == 0 || k > m->len - last)
            __builtin_trap(); /* at the end of input every call gives a piece */
        if (ks_ssml_cutter_take(cut, m->text + last, k, last + k == m->len, &piece, NULL) != KS_OK)
            break;
        if (piece.len < k)
            __builtin_trap(); /* a piece holds its part of the message */
        last += k;
        sd_result r = {SD_CMD_SPEAK, NULL, NULL, piece.data ? piece.data : "", piece.len, 0};
        text_paths(&r, mode);
        n++;
    }
    if (last != m->len && !piece.failed)
        __builtin_trap();
    ks_buf_free(&piece);
    ks_ssml_cutter_free(cut);
}

static void check_queue(const sd_queue *q)
{
    size_t bytes = 0;
    for (size_t k = 0; k < q->count; k++)
        bytes += q->item[(q->head + k) % SD_QUEUE_MAX].len;
    if (q->count > SD_QUEUE_MAX || bytes != q->bytes || q->bytes > SD_QUEUE_BYTES)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sd_parser p;
    sd_parser_init(&p);
    sd_queue q;
    sd_queue_init(&q);
    size_t nline = 0;
    char why[160];
    unsigned mode = size ? data[0] : 0;
    size_t start = 0;
    for (size_t i = 0; i < size; i++) {
        if (data[i] != '\n')
            continue;
        sd_result r;
        sd_parser_line(&p, (const char *)data + start, i - start, &r);
        if (r.text && strlen(r.text) != r.text_len && r.cmd != SD_CMD_SPEAK && r.cmd != SD_CMD_CHAR &&
            r.cmd != SD_CMD_KEY && r.cmd != SD_CMD_SOUND_ICON)
            __builtin_trap();
        text_paths(&r, mode);
        if (r.reply && strncmp(r.reply, "301", 3) == 0 && !r.why)
            __builtin_trap(); /* a refused message always says why */
        switch (r.cmd) {
        case SD_CMD_SPEAK:
        case SD_CMD_CHAR:
        case SD_CMD_KEY:
        case SD_CMD_SOUND_ICON:
            (void)sd_queue_push(&q, r.cmd, r.text, r.text_len, &p.settings, why, sizeof why);
            break;
        case SD_CMD_STOP:
        case SD_CMD_PAUSE:
        case SD_CMD_QUIT:
            (void)sd_queue_clear(&q);
            break;
        default:
            break;
        }
        check_queue(&q);
        /* the module takes a message out while more lines come in */
        if (++nline % ((mode >> 6) + 2) == 0) {
            sd_message m;
            if (sd_queue_pop(&q, &m)) {
                if (m.type == SD_CMD_SPEAK)
                    speak_pieces(&m, mode);
                free(m.text);
            }
            check_queue(&q);
        }
        start = i + 1;
    }
    /* an unfinished last line, as the module skips an over-long one */
    if (start < size) {
        sd_result r;
        sd_parser_line_skipped(&p, &r);
    }
    sd_message m;
    while (sd_queue_pop(&q, &m)) {
        if (m.type == SD_CMD_SPEAK)
            speak_pieces(&m, mode);
        free(m.text);
    }
    /* the whole input as SSML, and as an escaped 705 payload */
    ks_buf b;
    ks_buf_init(&b, 1u << 20);
    ks_error err;
    sd_text_opts o = {norm_for(mode), (sd_punct)(mode & 3), (int)((mode >> 2) & 1), SD_CAPLET_SPELL, NULL};
    (void)sd_ssml_prepare(&o, (const char *)data, size, &b, &err);
    ks_buf_reset(&b);
    unsigned char out[4096];
    long n = sd_audio_unescape((const char *)data, size, out, sizeof out);
    if (n > 0 && (size_t)n / 2 * 2 <= SD_MAX_AUDIO_CHUNK) {
        int16_t pcm[SD_MAX_AUDIO_CHUNK / 2];
        size_t frames = (size_t)n / 2;
        memcpy(pcm, out, frames * 2);
        if (sd_audio_block(&b, pcm, frames, 22050) != 0)
            __builtin_trap();
        /* round trip: the block's payload decodes back to the same bytes */
        const char *z = memchr(b.data, '\0', b.len);
        const char *tail = "\n705 AUDIO\n";
        size_t pl = (size_t)(b.data + b.len - strlen(tail) - (z + 1));
        unsigned char back[4096];
        long m = sd_audio_unescape(z + 1, pl, back, sizeof back);
        if (m != (long)(frames * 2) || memcmp(back, out, frames * 2) != 0)
            __builtin_trap();
    }
    ks_buf_free(&b);
    sd_queue_clear(&q);
    sd_parser_free(&p);
    return 0;
}
