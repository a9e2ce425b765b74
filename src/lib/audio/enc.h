/* enc.h - audio encoders behind one small vtable (used by sink_file.c).
 *
 * An encoder turns mono int16 PCM at the input rate into one file format and
 * writes it through a fileio (fileio.h).  sink_file.c owns the temporary
 * file, the encoder thread and the loudness passes; an encoder only encodes:
 *   enc_sndfile.c  WAV, FLAC, Ogg Vorbis through libsndfile (its tag support)
 *   enc_mp3.c      MP3 through LAME: fast settings, ID3v2.4 (UTF-8), LAME/Info header
 *   enc_opus.c     Ogg Opus through libopus + libogg: libsoxr to 24 kHz, CELT at a
 *                  complexity that keeps up with synthesis, OpusTags
 * `write` and `finish` return KS_OK or a status with err filled; the caller
 * also checks io->err after each call (the real cause of a failed write). */
#ifndef KS_ENC_H
#define KS_ENC_H
#include <stddef.h>
#include <stdint.h>

#include "fileio.h"
#include "kazspeak/kazspeak.h"

typedef struct enc enc;

typedef struct enc_ops {
    ks_status (*write)(enc *e, const int16_t *pcm, size_t frames, ks_error *err);
    /* Flush and write trailers and headers that need the length. Does not free. */
    ks_status (*finish)(enc *e, ks_error *err);
    /* Release everything (after finish, or instead of it); NULL-safe in callers. */
    void (*free)(enc *e);
} enc_ops;

struct enc {
    const enc_ops *ops;
};

typedef struct enc_params {
    fileio *io;
    const char *path; /* for messages */
    ks_format fmt;
    int rate;         /* input rate */
    int seekable;     /* a regular file: headers may be rewritten at the end */
    const ks_file_options *o; /* never NULL (zeroed = defaults) */
} enc_params;

ks_status enc_sndfile_open(enc **out, const enc_params *p, ks_error *err);
ks_status enc_mp3_open(enc **out, const enc_params *p, ks_error *err);
ks_status enc_opus_open(enc **out, const enc_params *p, ks_error *err);

/* Defaults (documented in kazspeak.h, the man page and README). */
#define ENC_MP3_KBPS 64
#define ENC_VORBIS_QUALITY 3
#define ENC_OPUS_KBPS 32

/* Tags as (Vorbis comment name, value) pairs of the non-empty options; returns the count (<= 5). */
int enc_tags(const ks_file_options *o, const char *names[5], const char *values[5]);

#endif
