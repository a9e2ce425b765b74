/* enc_mp3.c - MP3 through LAME, with an ID3v2.4 tag and a LAME/Info header.
 *
 * Not through libsndfile: 1.2.0 gives no way to choose LAME's algorithm
 * quality (its default costs 60% more time than -q 7 for no audible gain on
 * 22 kHz speech) and writes tags with LAME's Latin-1 ID3 functions, which
 * garble Kazakh.  So: an ID3v2.4 tag with UTF-8 text frames first (only when
 * a tag was given), then LAME's frames; LAME reserves the first frame for its
 * Xing/Info + LAME header, filled in at the end (length, seek table, encoder
 * delay and padding for gapless players) when the file is seekable.
 * Default: 64 kbit/s constant bit rate, mono. */
#include <stdlib.h>
#include <string.h>

#include <lame/lame.h>

#include "enc.h"
#include "status.h"

#define MP3_BLOCK 4096 /* input frames per lame_encode_buffer call */
#define MP3_OUT (MP3_BLOCK * 5 / 4 + 7200)

typedef struct mp3_enc {
    enc base;
    lame_t lame;
    fileio *io;
    const char *path;
    int seekable;
    int64_t audio_start; /* offset of the first MP3 frame (after the ID3v2 tag) */
    unsigned char out[MP3_OUT];
} mp3_enc;

/* ---------------------------------------------------------------- ID3v2.4 */

static void put_syncsafe(unsigned char *p, size_t v)
{
    p[0] = (unsigned char)((v >> 21) & 0x7f);
    p[1] = (unsigned char)((v >> 14) & 0x7f);
    p[2] = (unsigned char)((v >> 7) & 0x7f);
    p[3] = (unsigned char)(v & 0x7f);
}

/* One frame: id, then the payload (encoding byte 3 = UTF-8 first). */
static void id3_frame(fileio *io, const char *id, const unsigned char *pre, size_t prelen, const char *text)
{
    size_t tl = strlen(text);
    unsigned char h[10];
    memcpy(h, id, 4);
    put_syncsafe(h + 4, 1 + prelen + tl);
    h[8] = h[9] = 0;
    fileio_write(io, h, sizeof h);
    unsigned char enc_utf8 = 3;
    fileio_write(io, &enc_utf8, 1);
    if (prelen)
        fileio_write(io, pre, prelen);
    fileio_write(io, text, tl);
}

/* Largest text accepted in one tag (a frame size must fit in 28 bits; this is far below). */
#define TAG_MAX (1u << 20)

static ks_status id3_write(mp3_enc *m, const ks_file_options *o, ks_error *err)
{
    const char *v[5] = {o->title, o->artist, o->album, o->date, o->comment};
    static const char *const ids[5] = {"TIT2", "TPE1", "TALB", "TDRC", "COMM"};
    /* COMM: language, empty description (its terminator, UTF-8: one NUL) */
    static const unsigned char comm_pre[4] = {'k', 'a', 'z', 0};
    size_t body = 0;
    for (int i = 0; i < 5; i++) {
        if (!v[i] || !*v[i])
            continue;
        size_t n = strlen(v[i]);
        if (n > TAG_MAX)
            return status_set(err, KS_EINVAL, "%s: tag longer than 1 MiB", m->path);
        body += 10 + 1 + (i == 4 ? sizeof comm_pre : 0) + n;
    }
    if (body == 0)
        return KS_OK;
    unsigned char h[10] = {'I', 'D', '3', 4, 0, 0};
    put_syncsafe(h + 6, body);
    fileio_write(m->io, h, sizeof h);
    for (int i = 0; i < 5; i++)
        if (v[i] && *v[i])
            id3_frame(m->io, ids[i], i == 4 ? comm_pre : NULL, i == 4 ? sizeof comm_pre : 0, v[i]);
    m->audio_start = (int64_t)(10 + body);
    return KS_OK;
}

/* ---------------------------------------------------------------- encoder */

static ks_status mp3_fail(mp3_enc *m, ks_error *err, int code)
{
    return status_set(err, KS_EAUDIO, "%s: the MP3 encoder failed (LAME error %d)", m->path, code);
}

static ks_status mp3_write(enc *e, const int16_t *pcm, size_t frames, ks_error *err)
{
    mp3_enc *m = (mp3_enc *)e;
    while (frames) {
        int n = frames > MP3_BLOCK ? MP3_BLOCK : (int)frames;
        /* lame_encode_buffer takes non-const pointers but only reads them */
        int b = lame_encode_buffer(m->lame, (short *)(uintptr_t)pcm, NULL, n, m->out, (int)sizeof m->out);
        if (b < 0)
            return mp3_fail(m, err, b);
        fileio_write(m->io, m->out, (size_t)b);
        pcm += n;
        frames -= (size_t)n;
    }
    return KS_OK;
}

static ks_status mp3_finish(enc *e, ks_error *err)
{
    mp3_enc *m = (mp3_enc *)e;
    int b = lame_encode_flush(m->lame, m->out, (int)sizeof m->out);
    if (b < 0)
        return mp3_fail(m, err, b);
    fileio_write(m->io, m->out, (size_t)b);
    if (!m->seekable)
        return KS_OK;
    /* the LAME/Info header over the frame LAME reserved for it */
    size_t n = lame_get_lametag_frame(m->lame, m->out, sizeof m->out);
    if (n > 0 && n <= sizeof m->out) {
        int64_t end = fileio_tell(m->io);
        if (fileio_seek(m->io, m->audio_start, SEEK_SET) >= 0) {
            fileio_write(m->io, m->out, n);
            fileio_seek(m->io, end, SEEK_SET);
        }
    }
    return KS_OK;
}

static void mp3_free(enc *e)
{
    mp3_enc *m = (mp3_enc *)e;
    if (m->lame)
        lame_close(m->lame);
    free(m);
}

static const enc_ops mp3_ops = {mp3_write, mp3_finish, mp3_free};

ks_status enc_mp3_open(enc **out, const enc_params *p, ks_error *err)
{
    const ks_file_options *o = p->o;
    if (o->bitrate && (o->bitrate < 8 || o->bitrate > 320))
        return status_set(err, KS_EINVAL, "%s: MP3 bit rate %d kbit/s: use 8..320", p->path, o->bitrate);
    mp3_enc *m = calloc(1, sizeof *m);
    if (!m)
        return status_set(err, KS_ENOMEM, "%s: out of memory", p->path);
    m->base.ops = &mp3_ops;
    m->io = p->io;
    m->path = p->path;
    m->seekable = p->seekable;
    ks_status st = KS_OK;
    m->lame = lame_init();
    if (!m->lame) {
        st = status_set(err, KS_ENOMEM, "%s: out of memory (MP3 encoder)", p->path);
        goto fail;
    }
    lame_set_in_samplerate(m->lame, p->rate);
    lame_set_num_channels(m->lame, 1);
    lame_set_mode(m->lame, MONO);
    /* -q 7: LAME's "fast, ok quality" psychoacoustics; 0..6 cost up to 2.3x the
     * time on synthesized speech with no difference we could hear at 64 kbit/s */
    lame_set_quality(m->lame, 7);
    lame_set_write_id3tag_automatic(m->lame, 0);
    lame_set_bWriteVbrTag(m->lame, p->seekable);
    if (o->quality) {
        lame_set_VBR(m->lame, vbr_default);
        lame_set_VBR_quality(m->lame, (float)(10 - o->quality));
    } else {
        lame_set_VBR(m->lame, vbr_off);
        lame_set_brate(m->lame, o->bitrate ? o->bitrate : ENC_MP3_KBPS);
    }
    if (lame_init_params(m->lame) < 0) {
        st = status_set(err, KS_ENOTSUP, "%s: cannot write MP3 at %d Hz with these settings", p->path, p->rate);
        goto fail;
    }
    if ((st = id3_write(m, o, err)) != KS_OK)
        goto fail;
    *out = &m->base;
    return KS_OK;
fail:
    mp3_free(&m->base);
    return st;
}
