/* enc_opus.c - Ogg Opus through libopus and libogg, resampled with libsoxr.
 *
 * Not through libsndfile: 1.2.0 fixes the encoder at complexity 10 and
 * OPUS_APPLICATION_AUDIO (18x the time of writing WAV for the bundled
 * sample), and its Opus needs 8/12/16/24/48 kHz input, which meant a slow
 * libsamplerate sinc pass.  Here: libsoxr's medium-quality resampler takes
 * 22050 Hz to 24 kHz (Opus "super-wideband", 12 kHz audio band: all of
 * eSpeak's output), and the encoder runs CELT only
 * (OPUS_APPLICATION_RESTRICTED_LOWDELAY) at complexity 4, 20 ms frames, VBR
 * at 32 kbit/s by default.  Measured on the bundled sample x 10 (36 min):
 * SILK/hybrid at complexity 0 takes 3.5x the CPU time of CELT at 4.
 * The stream is RFC 7845: OpusHead (pre-skip = encoder look-ahead), OpusTags
 * (vendor, TITLE ARTIST ALBUM DATE COMMENT), audio pages whose granule
 * positions count 48 kHz samples; the last page's granule position trims the
 * padding of the last frame. */
#include <stdlib.h>
#include <string.h>

#include <ogg/ogg.h>
#include <opus.h>
#include <soxr.h>

#include "enc.h"
#include "status.h"

#define OPUS_COMPLEXITY 4
#define OPUS_MAX_PACKET 4000
#define IN_BLOCK 2048

typedef struct opus_enc {
    enc base;
    OpusEncoder *opus;
    soxr_t soxr;
    ogg_stream_state os;
    int os_init;
    fileio *io;
    const char *path;
    int rate;          /* encoder rate */
    int frame;         /* samples per 20 ms frame at `rate` */
    int scale;         /* 48000 / rate */
    int preskip;       /* at 48 kHz */
    float *fbuf;       /* one frame being filled */
    int fill;
    int64_t samples;   /* samples at `rate` that went into the encoder (without padding) */
    int64_t granule;   /* 48 kHz samples encoded so far, as packets */
    int64_t packetno;
    float rs_out[IN_BLOCK * 3];
    unsigned char packet[OPUS_MAX_PACKET];
} opus_enc;

static int opus_rate_for(int rate)
{
    static const int ok[] = {8000, 12000, 16000, 24000, 48000};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (rate <= ok[i])
            return ok[i];
    return 48000;
}

static void write_pages(opus_enc *o, int flush)
{
    ogg_page pg;
    while (flush ? ogg_stream_flush(&o->os, &pg) : ogg_stream_pageout(&o->os, &pg)) {
        fileio_write(o->io, pg.header, (size_t)pg.header_len);
        fileio_write(o->io, pg.body, (size_t)pg.body_len);
    }
}

static ks_status encode_frame(opus_enc *o, int last, int64_t final_granule, ks_error *err)
{
    int b = opus_encode_float(o->opus, o->fbuf, o->frame, o->packet, OPUS_MAX_PACKET);
    if (b < 0)
        return status_set(err, KS_EAUDIO, "%s: the Opus encoder failed: %s", o->path, opus_strerror(b));
    o->granule += (int64_t)o->frame * o->scale;
    ogg_packet op;
    memset(&op, 0, sizeof op);
    op.packet = o->packet;
    op.bytes = b;
    op.e_o_s = last;
    op.granulepos = last ? final_granule : o->granule;
    op.packetno = o->packetno++;
    ogg_stream_packetin(&o->os, &op);
    write_pages(o, last);
    o->fill = 0;
    return KS_OK;
}

/* Take n resampled samples into frames. */
static ks_status take(opus_enc *o, const float *x, size_t n, ks_error *err)
{
    while (n) {
        size_t room = (size_t)(o->frame - o->fill);
        size_t k = n < room ? n : room;
        memcpy(o->fbuf + o->fill, x, k * sizeof *x);
        o->fill += (int)k;
        o->samples += (int64_t)k;
        x += k;
        n -= k;
        if (o->fill == o->frame) {
            ks_status st = encode_frame(o, 0, 0, err);
            if (st != KS_OK)
                return st;
        }
    }
    return KS_OK;
}

static ks_status resample(opus_enc *o, const int16_t *pcm, size_t frames, ks_error *err)
{
    size_t used = 0;
    do {
        size_t idone = 0, odone = 0;
        soxr_error_t e = soxr_process(o->soxr, pcm ? pcm + used : NULL, pcm ? frames - used : 0, &idone, o->rs_out,
                                      sizeof o->rs_out / sizeof o->rs_out[0], &odone);
        if (e)
            return status_set(err, KS_EAUDIO, "%s: resampling failed: %s", o->path, e);
        used += idone;
        ks_status st = take(o, o->rs_out, odone, err);
        if (st != KS_OK)
            return st;
        if (!pcm && odone == 0)
            break; /* drained */
    } while (pcm ? used < frames : 1);
    return KS_OK;
}

static ks_status opus_write(enc *e, const int16_t *pcm, size_t frames, ks_error *err)
{
    opus_enc *o = (opus_enc *)e;
    if (!o->soxr) {
        while (frames) {
            size_t n = frames > IN_BLOCK ? IN_BLOCK : frames;
            for (size_t i = 0; i < n; i++)
                o->rs_out[i] = (float)pcm[i] * (1.0f / 32768.0f);
            ks_status st = take(o, o->rs_out, n, err);
            if (st != KS_OK)
                return st;
            pcm += n;
            frames -= n;
        }
        return KS_OK;
    }
    while (frames) {
        size_t n = frames > IN_BLOCK ? IN_BLOCK : frames;
        ks_status st = resample(o, pcm, n, err);
        if (st != KS_OK)
            return st;
        pcm += n;
        frames -= n;
    }
    return KS_OK;
}

static ks_status opus_finish(enc *e, ks_error *err)
{
    opus_enc *o = (opus_enc *)e;
    ks_status st;
    if (o->soxr && (st = resample(o, NULL, 0, err)) != KS_OK)
        return st;
    /* Every input sample, plus the look-ahead, must come out of the decoder:
     * encode zero-padded frames until the packets cover them, the last one
     * marked end-of-stream with the exact end as its granule position. */
    int64_t final_granule = o->samples * o->scale + o->preskip;
    for (;;) {
        memset(o->fbuf + o->fill, 0, (size_t)(o->frame - o->fill) * sizeof *o->fbuf);
        int last = o->granule + (int64_t)o->frame * o->scale >= final_granule;
        if ((st = encode_frame(o, last, final_granule, err)) != KS_OK)
            return st;
        if (last)
            break;
    }
    return KS_OK;
}

static void opus_free_enc(enc *e)
{
    opus_enc *o = (opus_enc *)e;
    if (o->opus)
        opus_encoder_destroy(o->opus);
    if (o->soxr)
        soxr_delete(o->soxr);
    if (o->os_init)
        ogg_stream_clear(&o->os);
    free(o->fbuf);
    free(o);
}

static const enc_ops opus_ops = {opus_write, opus_finish, opus_free_enc};

/* ---------------------------------------------------------------- headers */

static void put_le32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static void header_packet(opus_enc *o, unsigned char *data, size_t len, int bos)
{
    ogg_packet op;
    memset(&op, 0, sizeof op);
    op.packet = data;
    op.bytes = (long)len;
    op.b_o_s = bos;
    op.packetno = o->packetno++;
    ogg_stream_packetin(&o->os, &op);
    write_pages(o, 1); /* each header on pages of its own */
}

static ks_status write_headers(opus_enc *o, int input_rate, const ks_file_options *opt, ks_error *err)
{
    unsigned char head[19];
    memcpy(head, "OpusHead", 8);
    head[8] = 1; /* version */
    head[9] = 1; /* channels */
    head[10] = (unsigned char)o->preskip;
    head[11] = (unsigned char)(o->preskip >> 8);
    put_le32(head + 12, (uint32_t)input_rate);
    head[16] = head[17] = 0; /* output gain */
    head[18] = 0;            /* mapping family */
    header_packet(o, head, sizeof head, 1);

    const char *names[5], *values[5];
    int n = enc_tags(opt, names, values);
    const char *vendor = opus_get_version_string();
    size_t len = 8 + 4 + strlen(vendor) + 4;
    for (int i = 0; i < n; i++) {
        size_t vl = strlen(values[i]);
        if (vl > (1u << 20))
            return status_set(err, KS_EINVAL, "%s: tag longer than 1 MiB", o->path);
        len += 4 + strlen(names[i]) + 1 + vl;
    }
    unsigned char *tags = malloc(len);
    if (!tags)
        return status_set(err, KS_ENOMEM, "%s: out of memory", o->path);
    unsigned char *p = tags;
    memcpy(p, "OpusTags", 8);
    p += 8;
    put_le32(p, (uint32_t)strlen(vendor));
    p += 4;
    memcpy(p, vendor, strlen(vendor));
    p += strlen(vendor);
    put_le32(p, (uint32_t)n);
    p += 4;
    for (int i = 0; i < n; i++) {
        size_t nl = strlen(names[i]), vl = strlen(values[i]);
        put_le32(p, (uint32_t)(nl + 1 + vl));
        p += 4;
        memcpy(p, names[i], nl);
        p += nl;
        *p++ = '=';
        memcpy(p, values[i], vl);
        p += vl;
    }
    header_packet(o, tags, len, 0);
    free(tags);
    return KS_OK;
}

ks_status enc_opus_open(enc **out, const enc_params *p, ks_error *err)
{
    const ks_file_options *opt = p->o;
    if (opt->bitrate && (opt->bitrate < 6 || opt->bitrate > 256))
        return status_set(err, KS_EINVAL, "%s: Opus bit rate %d kbit/s: use 6..256", p->path, opt->bitrate);
    opus_enc *o = calloc(1, sizeof *o);
    if (!o)
        return status_set(err, KS_ENOMEM, "%s: out of memory", p->path);
    o->base.ops = &opus_ops;
    o->io = p->io;
    o->path = p->path;
    o->rate = opus_rate_for(p->rate);
    o->scale = 48000 / o->rate;
    o->frame = o->rate / 50;
    o->packetno = 0;
    ks_status st = KS_OK;
    o->fbuf = malloc((size_t)o->frame * sizeof *o->fbuf);
    if (!o->fbuf) {
        st = status_set(err, KS_ENOMEM, "%s: out of memory", p->path);
        goto fail;
    }
    int e = 0;
    o->opus = opus_encoder_create(o->rate, 1, OPUS_APPLICATION_RESTRICTED_LOWDELAY, &e);
    if (!o->opus) {
        st = status_set(err, KS_EAUDIO, "%s: Opus encoder: %s", p->path, opus_strerror(e));
        goto fail;
    }
    int kbps = opt->bitrate ? opt->bitrate : opt->quality ? 8 + 4 * opt->quality : ENC_OPUS_KBPS;
    opus_encoder_ctl(o->opus, OPUS_SET_BITRATE(kbps * 1000));
    opus_encoder_ctl(o->opus, OPUS_SET_COMPLEXITY(OPUS_COMPLEXITY));
    opus_encoder_ctl(o->opus, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
    opus_int32 look = 0;
    opus_encoder_ctl(o->opus, OPUS_GET_LOOKAHEAD(&look));
    o->preskip = (int)look * o->scale;
    if (o->rate != p->rate) {
        soxr_error_t se = NULL;
        soxr_io_spec_t io = soxr_io_spec(SOXR_INT16_I, SOXR_FLOAT32_I);
        soxr_quality_spec_t q = soxr_quality_spec(SOXR_MQ, 0);
        o->soxr = soxr_create((double)p->rate, (double)o->rate, 1, &se, &io, &q, NULL);
        if (!o->soxr) {
            st = status_set(err, KS_EAUDIO, "%s: resampler: %s", p->path, se ? se : "failed");
            goto fail;
        }
    }
    uint32_t serial = 0;
    for (const char *c = p->path; *c; c++)
        serial = serial * 31u + (unsigned char)*c;
    serial ^= (uint32_t)(uintptr_t)o;
    if (ogg_stream_init(&o->os, (int)(serial & 0x7fffffff)) != 0) {
        st = status_set(err, KS_ENOMEM, "%s: out of memory", p->path);
        goto fail;
    }
    o->os_init = 1;
    if ((st = write_headers(o, p->rate, opt, err)) != KS_OK)
        goto fail;
    *out = &o->base;
    return KS_OK;
fail:
    opus_free_enc(&o->base);
    return st;
}
