/* enc_sndfile.c - WAV, FLAC and Ogg Vorbis through libsndfile, with its tags
 * (sf_set_string: WAV LIST/INFO, FLAC and Vorbis comments; read back in
 * tests/files/test_tags.sh). */
#include <stdlib.h>
#include <string.h>

#include <sndfile.h>

#include "enc.h"
#include "status.h"

typedef struct sf_enc {
    enc base;
    SNDFILE *sf;
    fileio *io;
    const char *path;
} sf_enc;

int enc_tags(const ks_file_options *o, const char *names[5], const char *values[5])
{
    const char *v[5] = {o->title, o->artist, o->album, o->date, o->comment};
    static const char *const n[5] = {"TITLE", "ARTIST", "ALBUM", "DATE", "COMMENT"};
    int k = 0;
    for (int i = 0; i < 5; i++)
        if (v[i] && *v[i]) {
            names[k] = n[i];
            values[k] = v[i];
            k++;
        }
    return k;
}

/* libsndfile's text for error number e.  sf_error_number() PRINTS to stdout
 * when given a number it does not know (1.2.0 knows 1..183). */
static const char *sf_text(int e)
{
    if (e <= 0 || e > 183)
        return "the encoder failed";
    return sf_error_number(e);
}

static ks_status sf_fail(sf_enc *s, ks_error *err, int e)
{
    return status_set(err, KS_EIO, "%s: %s", s->path, sf_text(e));
}

static ks_status sfe_write(enc *e, const int16_t *pcm, size_t frames, ks_error *err)
{
    sf_enc *s = (sf_enc *)e;
    sf_count_t w = sf_write_short(s->sf, pcm, (sf_count_t)frames);
    if (w != (sf_count_t)frames)
        return sf_fail(s, err, sf_error(s->sf));
    return KS_OK;
}

static ks_status sfe_finish(enc *e, ks_error *err)
{
    sf_enc *s = (sf_enc *)e;
    int rc = sf_close(s->sf);
    s->sf = NULL;
    if (rc != 0)
        return sf_fail(s, err, rc);
    return KS_OK;
}

static void sfe_free(enc *e)
{
    sf_enc *s = (sf_enc *)e;
    if (s->sf)
        sf_close(s->sf);
    free(s);
}

static const enc_ops sf_ops = {sfe_write, sfe_finish, sfe_free};

static const char *format_name(ks_format f)
{
    switch (f) {
    case KS_FORMAT_WAV: return "WAV";
    case KS_FORMAT_FLAC: return "FLAC";
    case KS_FORMAT_OGG: return "Ogg Vorbis";
    default: return "unknown";
    }
}

ks_status enc_sndfile_open(enc **out, const enc_params *p, ks_error *err)
{
    const ks_file_options *o = p->o;
    int format;
    switch (p->fmt) {
    case KS_FORMAT_WAV: format = SF_FORMAT_WAV | SF_FORMAT_PCM_16; break;
    case KS_FORMAT_FLAC: format = SF_FORMAT_FLAC | SF_FORMAT_PCM_16; break;
    case KS_FORMAT_OGG: format = SF_FORMAT_OGG | SF_FORMAT_VORBIS; break;
    default: return status_set(err, KS_ENOTSUP, "%s: not a libsndfile format", p->path);
    }
    if (p->fmt == KS_FORMAT_OGG && o->bitrate)
        return status_set(err, KS_EINVAL, "%s: Ogg Vorbis takes a quality (1..10), not a bit rate", p->path);
    sf_enc *s = calloc(1, sizeof *s);
    if (!s)
        return status_set(err, KS_ENOMEM, "%s: out of memory", p->path);
    s->base.ops = &sf_ops;
    s->io = p->io;
    s->path = p->path;
    SF_INFO info;
    memset(&info, 0, sizeof info);
    info.samplerate = p->rate;
    info.channels = 1;
    info.format = format;
    s->sf = sf_open_virtual(&fileio_sf_ops, SFM_WRITE, &info, p->io);
    ks_status st = KS_OK;
    if (!s->sf) {
        st = status_set(err, KS_ENOTSUP, "%s: cannot write %s at %d Hz: %s", p->path, format_name(p->fmt), p->rate,
                        sf_strerror(NULL));
        goto fail;
    }
    if (p->fmt == KS_FORMAT_OGG) {
        double q = (o->quality ? o->quality : ENC_VORBIS_QUALITY) / 10.0;
        sf_command(s->sf, SFC_SET_VBR_ENCODING_QUALITY, &q, sizeof q);
    }
    const char *names[5], *values[5];
    int n = enc_tags(o, names, values);
    static const char *const tag_names[5] = {"TITLE", "ARTIST", "ALBUM", "DATE", "COMMENT"};
    static const int tag_types[5] = {SF_STR_TITLE, SF_STR_ARTIST, SF_STR_ALBUM, SF_STR_DATE, SF_STR_COMMENT};
    for (int i = 0; i < n; i++)
        for (int k = 0; k < 5; k++)
            if (strcmp(names[i], tag_names[k]) == 0 && sf_set_string(s->sf, tag_types[k], values[i]) != 0) {
                st = status_set(err, KS_EIO, "%s: cannot store the %s tag: %s", p->path, names[i],
                                sf_strerror(s->sf));
                goto fail;
            }
    *out = &s->base;
    return KS_OK;
fail:
    sfe_free(&s->base);
    return st;
}
