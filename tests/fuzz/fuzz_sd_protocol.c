/* fuzz_sd_protocol.c - libFuzzer target: arbitrary bytes as the server's side of
 * the speech-dispatcher module protocol (lines into the parser), completed
 * messages through the SSML/letter/key text code, and the 705 escape decoder. */
#include <stddef.h>
#include <stdint.h>
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sd_parser p;
    sd_parser_init(&p);
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
        start = i + 1;
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
    sd_parser_free(&p);
    return 0;
}
