/* sink_portaudio.c - playback through PortAudio (blocking writes).
 *
 * Design (see shared/notes/portaudio-sndfile.md §2):
 *  - PortAudio is initialised only when a playback sink is opened or the
 *    devices are listed, and terminated again when the sink is freed.
 *  - ALSA's and JACK's start-up chatter is silenced before Pa_Initialize
 *    (snd_lib_error_set_handler; jack_set_error/info_function via dlsym), unless
 *    KAZSPEAK_AUDIO_DEBUG is set in the environment.
 *  - ALSA, OSS: blocking Pa_WriteStream called from the synthesis callback:
 *    natural back-pressure, byte-exact capture, no busy callback on a device
 *    that is not paced (the ALSA null/file test device).
 *  - JACK: a callback stream fed from a single-producer/single-consumer ring
 *    of our own; ks_sink_write copies into the ring and waits (short sleeps)
 *    while it is full.  The blocking Pa_WriteStream of PortAudio 19.6 garbles
 *    JACK output unless every write divides the JACK period (measured).
 *  - The stream uses the device's defaultHighOutputLatency (no underruns at
 *    high speech rates).
 *  - The stream is opened at once (so a missing or broken device is reported
 *    before any synthesis) but started on the first write, so nothing but
 *    speech is queued and no underrun is counted before the first sample.
 *  - Leading silence of an utterance is dropped (ks_playback_trim_next), keeping
 *    TRIM_KEEP_MS before the first audible sample so consonants are not clipped.
 *  - Pause = Pa_AbortStream (sound stops at once, queued audio is dropped from
 *    the device).  The ring also serves as history: on resume the frames the
 *    device had taken but not played are written again (blocking: the queued
 *    amount from Pa_GetStreamWriteAvailable; JACK: the read position steps back
 *    by the stream latency), so speech resumes where the listener stopped
 *    hearing it.
 *  - When the device does not take the input rate, the sink opens it at the
 *    device's default rate and resamples with libsamplerate. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* RTLD_DEFAULT */
#endif
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdatomic.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

#include <alsa/asoundlib.h>
#include <portaudio.h>
#include <samplerate.h>

#include "kazspeak/kazspeak.h"
#include "sink.h"
#include "status.h"

#define TRIM_THRESHOLD 32   /* |sample| above this is audible (about -60 dBFS) */
#define TRIM_KEEP_MS 5      /* kept before the first audible sample */
#define TRIM_KEEP_MAX 4096  /* frames */
#define RESAMPLE_BLOCK 1024 /* input frames per libsamplerate call */
#define RING_MS 200         /* queued in our ring, besides the device's own buffer */
#define WAIT_US 2000        /* sleep while the ring is full or draining */

typedef struct pa_sink {
    ks_sink base;
    PaStream *stream;
    int device;
    int dev_rate;            /* rate of the PortAudio stream */
    int running;             /* started and not stopped/aborted */
    int paused;
    int pa_inited;           /* we hold one Pa_Initialize reference */
    /* leading-silence trimming */
    int trim;
    int16_t keep[TRIM_KEEP_MAX];
    size_t keep_len, keep_max; /* ring of the last quiet frames: keep_len valid, ends at keep_pos */
    size_t keep_pos;
    /* resampling (dev_rate != input rate) */
    SRC_STATE *src;
    double ratio;
    float *in_f, *out_f;
    int16_t *out_s;
    size_t out_cap;
    /* ring: the writer advances tail, the stream callback advances head
     * (monotonic counters; index = counter % ring_cap).  `reserve` frames
     * behind head are never overwritten, so a pause can step head back. */
    int16_t *ring;
    size_t ring_cap, reserve;
    _Atomic uint64_t head, tail;
    _Atomic unsigned long cb_underflows;
    _Atomic int draining;
    uint64_t run_start;      /* head when the stream was last started */
    int use_callback;        /* JACK: callback + ring; else blocking writes, ring = history */
    unsigned long capacity;  /* blocking: device buffer in frames (write-available when empty) */
    unsigned long requeue;   /* blocking: frames to write again on resume */
    size_t start_fill;       /* callback: frames queued before the stream starts */
    /* statistics */
    double first_sound;      /* CLOCK_MONOTONIC seconds, 0 = none yet */
    double utt_sound;        /* the same for the current utterance (since trim_next) */
    unsigned long underflows;
    uint64_t device_frames;  /* frames handed to PortAudio */
    double latency;          /* stream output latency, seconds */
    int mute_saved, mute_null; /* quiet level 2: stderr and /dev/null, -1 when unused */
} pa_sink;

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---------------------------------------------------------------- quiet start-up */

static void alsa_silent(const char *file, int line, const char *fn, int e, const char *fmt, ...)
{
    (void)file;
    (void)line;
    (void)fn;
    (void)e;
    (void)fmt;
}

static void jack_silent(const char *msg)
{
    (void)msg;
}

typedef void (*jack_msg_setter)(void (*)(const char *));

static int quiet_level = 1;

KS_API void ks_playback_set_quiet(int level)
{
    quiet_level = level < 0 ? 0 : level > 2 ? 2 : level;
}

/* Level 2: PortAudio's own "Expression ... failed" lines (printed while it
 * probes devices) go to /dev/null for the duration of one call. */
static int mute_begin(void)
{
    if (quiet_level < 2)
        return -1;
    const char *dbg = getenv("KAZSPEAK_AUDIO_DEBUG");
    if (dbg && *dbg && strcmp(dbg, "0") != 0)
        return -1;
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    if (saved < 0)
        return -1;
    int nul = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (nul < 0 || dup2(nul, STDERR_FILENO) < 0) {
        if (nul >= 0)
            close(nul);
        close(saved);
        return -1;
    }
    close(nul);
    return saved;
}

static void mute_end(int saved)
{
    if (saved < 0)
        return;
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
}

static void silence_backends(void)
{
    static int done;
    if (done || quiet_level < 1)
        return;
    done = 1;
    const char *dbg = getenv("KAZSPEAK_AUDIO_DEBUG");
    if (dbg && *dbg && strcmp(dbg, "0") != 0)
        return;
    snd_lib_error_set_handler(alsa_silent);
    /* libjack is a dependency of Debian's libportaudio: already loaded. */
    void *j = dlopen("libjack.so.0", RTLD_LAZY | RTLD_NOLOAD);
    if (j) {
        jack_msg_setter set_err, set_info;
        void *a = dlsym(j, "jack_set_error_function");
        void *b = dlsym(j, "jack_set_info_function");
        memcpy(&set_err, &a, sizeof set_err); /* object -> function pointer without a pedantic warning */
        memcpy(&set_info, &b, sizeof set_info);
        if (set_err)
            set_err(jack_silent);
        if (set_info)
            set_info(jack_silent);
        /* keep the handle: libjack stays loaded with PortAudio anyway */
    }
}

static ks_status pa_status(ks_error *err, PaError e, const char *what)
{
    if (e == paUnanticipatedHostError) {
        const PaHostErrorInfo *h = Pa_GetLastHostErrorInfo();
        if (h && h->errorText && *h->errorText)
            return status_set(err, KS_EAUDIO, "%s: %s", what, h->errorText);
    }
    return status_set(err, KS_EAUDIO, "%s: %s", what, Pa_GetErrorText(e));
}

static void pa_stop(void)
{
    int m = mute_begin();
    Pa_Terminate();
    mute_end(m);
}

static ks_status pa_start(ks_error *err)
{
    silence_backends();
    /* Never let libjack try to spawn a JACK server just to list devices. */
    setenv("JACK_NO_START_SERVER", "1", 0);
    /* Name our JACK client "kazspeak" when PortAudio has the JACK host API. */
    void *f = dlsym(RTLD_DEFAULT, "PaJack_SetClientName");
    if (f) {
        PaError (*set_name)(const char *);
        memcpy(&set_name, &f, sizeof set_name);
        set_name("kazspeak");
    }
    int m = mute_begin();
    PaError e = Pa_Initialize();
    mute_end(m);
    if (e != paNoError)
        return pa_status(err, e, "cannot start PortAudio");
    return KS_OK;
}

/* ---------------------------------------------------------------- warm-up */

static int warm_refs;

KS_API ks_status ks_playback_warmup(ks_error *err)
{
    int q = quiet_level;
    if (quiet_level > 1)
        quiet_level = 1; /* never touch fd 2 here: another thread may be printing */
    ks_status st = pa_start(err);
    quiet_level = q;
    if (st == KS_OK)
        warm_refs++;
    return st;
}

KS_API void ks_playback_warmup_release(void)
{
    if (warm_refs > 0) {
        warm_refs--;
        pa_stop();
    }
}

/* ---------------------------------------------------------------- devices */

KS_API ks_status ks_playback_list_devices(ks_device_fn fn, void *user, ks_error *err)
{
    ks_status st = pa_start(err);
    if (st != KS_OK)
        return st;
    PaDeviceIndex n = Pa_GetDeviceCount();
    if (n < 0) {
        st = pa_status(err, n, "cannot list sound devices");
        pa_stop();
        return st;
    }
    PaDeviceIndex def = Pa_GetDefaultOutputDevice();
    for (PaDeviceIndex i = 0; i < n; i++) {
        const PaDeviceInfo *d = Pa_GetDeviceInfo(i);
        if (!d || d->maxOutputChannels < 1)
            continue;
        const PaHostApiInfo *h = Pa_GetHostApiInfo(d->hostApi);
        ks_audio_device ad;
        memset(&ad, 0, sizeof ad);
        ad.index = i;
        ad.name = d->name ? d->name : "?";
        ad.host_api = h && h->name ? h->name : "?";
        ad.default_rate = (int)(d->defaultSampleRate + 0.5);
        ad.max_channels = d->maxOutputChannels;
        ad.is_default = i == def;
        ad.high_latency = d->defaultHighOutputLatency;
        if (fn)
            fn(&ad, user);
    }
    pa_stop();
    return KS_OK;
}

/* Case-insensitive ASCII substring test. */
static int contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i]) {
            int a = (unsigned char)hay[i], b = (unsigned char)needle[i];
            if (a >= 'A' && a <= 'Z')
                a += 32;
            if (b >= 'A' && b <= 'Z')
                b += 32;
            if (a != b)
                break;
            i++;
        }
        if (i == n)
            return 1;
    }
    return 0;
}

KS_API ks_status ks_playback_find_device(const char *spec, int *index, ks_error *err)
{
    if (!spec || !*spec || !index)
        return status_set(err, KS_EINVAL, "no device given");
    ks_status st = pa_start(err);
    if (st != KS_OK)
        return st;
    PaDeviceIndex n = Pa_GetDeviceCount();
    char *end;
    long v = strtol(spec, &end, 10);
    int found = -1, matches = 0;
    if (*end == '\0' && end != spec) {
        const PaDeviceInfo *d = v >= 0 && v < n ? Pa_GetDeviceInfo((PaDeviceIndex)v) : NULL;
        if (!d || d->maxOutputChannels < 1)
            st = status_set(err, KS_EINVAL, "no output device number %s (see --list-devices)", spec);
        else
            found = (int)v;
    } else {
        for (PaDeviceIndex i = 0; i < n && found < 0; i++) {
            const PaDeviceInfo *d = Pa_GetDeviceInfo(i);
            if (d && d->maxOutputChannels > 0 && d->name && strcmp(d->name, spec) == 0)
                found = i;
        }
        for (PaDeviceIndex i = 0; i < n && found < 0; i++) {
            const PaDeviceInfo *d = Pa_GetDeviceInfo(i);
            if (d && d->maxOutputChannels > 0 && d->name && contains_ci(d->name, spec)) {
                if (matches++ == 0)
                    *index = i;
            }
        }
        if (found < 0 && matches == 1)
            found = *index;
        if (found < 0 && matches)
            st = status_set(err, KS_EINVAL,
                            "device name '%s' matches %d output devices: give its number (see --list-devices)", spec,
                            matches);
        else if (found < 0)
            st = status_set(err, KS_EINVAL, "no output device named '%s' (see --list-devices)", spec);
    }
    pa_stop();
    if (found >= 0) {
        *index = found;
        return KS_OK;
    }
    return st;
}

/* ---------------------------------------------------------------- device writes */

/* The stream callback (PortAudio's thread): copy from the ring, pad with silence. */
static int pa_callback(const void *in, void *out, unsigned long frames, const PaStreamCallbackTimeInfo *ti,
                       PaStreamCallbackFlags flags, void *user)
{
    (void)in;
    (void)ti;
    (void)flags;
    pa_sink *p = user;
    int16_t *o = out;
    uint64_t head = atomic_load_explicit(&p->head, memory_order_relaxed);
    uint64_t tail = atomic_load_explicit(&p->tail, memory_order_acquire);
    size_t n = tail - head < frames ? (size_t)(tail - head) : (size_t)frames;
    size_t idx = (size_t)(head % p->ring_cap);
    size_t first = p->ring_cap - idx < n ? p->ring_cap - idx : n;
    memcpy(o, p->ring + idx, first * sizeof *o);
    memcpy(o + first, p->ring, (n - first) * sizeof *o);
    if (n < frames) {
        memset(o + n, 0, (frames - n) * sizeof *o);
        if (!atomic_load_explicit(&p->draining, memory_order_relaxed))
            atomic_fetch_add_explicit(&p->cb_underflows, 1, memory_order_relaxed);
    }
    atomic_store_explicit(&p->head, head + n, memory_order_release);
    return paContinue;
}

static void sleep_us(long us)
{
    struct timespec ts = {0, us * 1000};
    nanosleep(&ts, NULL);
}

static ks_status stream_start(pa_sink *p, ks_error *err)
{
    if (p->running)
        return KS_OK;
    atomic_store(&p->draining, 0);
    p->run_start = atomic_load(&p->head);
    PaError e = Pa_StartStream(p->stream);
    if (e != paNoError)
        return pa_status(err, e, "cannot start the sound device");
    p->running = 1;
    if (!p->use_callback && !p->capacity) {
        signed long a = Pa_GetStreamWriteAvailable(p->stream);
        p->capacity = a > 0 ? (unsigned long)a : 0;
    }
    return KS_OK;
}

/* Blocking mode: write to the device; `record` adds the frames to the history. */
static ks_status blocking_write(pa_sink *p, const int16_t *d, size_t n, int record, ks_error *err)
{
    ks_status st = stream_start(p, err);
    if (st != KS_OK)
        return st;
    if (p->mute_null >= 0)
        dup2(p->mute_null, STDERR_FILENO); /* PortAudio prints "Expression ... failed" on write errors */
    PaError e = Pa_WriteStream(p->stream, d, (unsigned long)n);
    if (p->mute_null >= 0)
        dup2(p->mute_saved, STDERR_FILENO);
    if (e == paOutputUnderflowed)
        p->underflows++;
    else if (e != paNoError)
        return pa_status(err, e, "sound device write failed");
    if (record) {
        uint64_t tail = atomic_load(&p->tail);
        size_t k = n > p->ring_cap ? n - p->ring_cap : 0;
        for (; k < n; k++)
            p->ring[(tail + k) % p->ring_cap] = d[k];
        atomic_store(&p->tail, tail + n);
        atomic_store(&p->head, tail + n);
        p->device_frames += n;
    }
    return KS_OK;
}

static ks_status stream_check(pa_sink *p, ks_error *err)
{
    PaError a = Pa_IsStreamActive(p->stream);
    if (a < 0)
        return pa_status(err, a, "sound device failed");
    if (a == 0 && p->running)
        return status_set(err, KS_EAUDIO, "the sound device stopped");
    return KS_OK;
}

static ks_status device_write(pa_sink *p, const int16_t *d, size_t n, ks_error *err)
{
    if (n == 0)
        return KS_OK;
    if (p->utt_sound == 0) {
        for (size_t i = 0; i < n; i++)
            if (d[i] > TRIM_THRESHOLD || d[i] < -TRIM_THRESHOLD) {
                p->utt_sound = mono_now();
                if (p->first_sound == 0)
                    p->first_sound = p->utt_sound;
                break;
            }
    }
    if (!p->use_callback)
        return blocking_write(p, d, n, 1, err);
    size_t room_max = p->ring_cap - p->reserve;
    while (n > 0) {
        uint64_t tail = atomic_load_explicit(&p->tail, memory_order_relaxed);
        uint64_t head = atomic_load_explicit(&p->head, memory_order_acquire);
        size_t room = room_max - (size_t)(tail - head);
        if (room == 0) {
            /* full: the device must be playing; start it, or wait for it */
            if (!p->running) {
                ks_status st = stream_start(p, err);
                if (st != KS_OK)
                    return st;
                continue;
            }
            ks_status st = stream_check(p, err);
            if (st != KS_OK)
                return st;
            sleep_us(WAIT_US);
            continue;
        }
        size_t m = n < room ? n : room;
        size_t idx = (size_t)(tail % p->ring_cap);
        size_t first = p->ring_cap - idx < m ? p->ring_cap - idx : m;
        memcpy(p->ring + idx, d, first * sizeof *d);
        memcpy(p->ring, d + first, (m - first) * sizeof *d);
        atomic_store_explicit(&p->tail, tail + m, memory_order_release);
        d += m;
        n -= m;
        p->device_frames += m;
    }
    /* Start once a little is queued, so the first callbacks find audio
     * (drain and close start it for shorter utterances). */
    if (!p->running && atomic_load(&p->tail) - atomic_load(&p->head) >= p->start_fill)
        return stream_start(p, err);
    return KS_OK;
}

/* Wait until the callback has taken everything, then stop the stream (which
 * waits until the device has played it). */
static ks_status stream_drain(pa_sink *p, ks_error *err)
{
    if (!p->running && p->use_callback && atomic_load(&p->head) < atomic_load(&p->tail)) {
        ks_status st = stream_start(p, err);
        if (st != KS_OK)
            return st;
    }
    if (!p->running)
        return KS_OK;
    if (!p->use_callback) {
        PaError e = Pa_StopStream(p->stream);
        p->running = 0;
        return e == paNoError ? KS_OK : pa_status(err, e, "sound device");
    }
    atomic_store(&p->draining, 1);
    while (atomic_load(&p->head) < atomic_load(&p->tail)) {
        ks_status st = stream_check(p, err);
        if (st != KS_OK)
            return st;
        sleep_us(WAIT_US);
    }
    PaError e = Pa_StopStream(p->stream);
    p->running = 0;
    if (e != paNoError)
        return pa_status(err, e, "sound device");
    return KS_OK;
}

/* Resample (when needed) and write. `flush` drains the resampler. */
static ks_status emit(pa_sink *p, const int16_t *pcm, size_t n, int flush, ks_error *err)
{
    if (!p->src)
        return device_write(p, pcm, n, err);
    size_t off = 0;
    do {
        size_t chunk = n - off > RESAMPLE_BLOCK ? RESAMPLE_BLOCK : n - off;
        if (chunk)
            src_short_to_float_array(pcm + off, p->in_f, (int)chunk);
        SRC_DATA sd;
        memset(&sd, 0, sizeof sd);
        sd.data_in = p->in_f;
        sd.input_frames = (long)chunk;
        sd.src_ratio = p->ratio;
        sd.end_of_input = flush && off + chunk == n;
        for (;;) {
            sd.data_out = p->out_f;
            sd.output_frames = (long)p->out_cap;
            int e = src_process(p->src, &sd);
            if (e)
                return status_set(err, KS_EAUDIO, "resampling for the sound device failed: %s", src_strerror(e));
            if (sd.output_frames_gen > 0) {
                src_float_to_short_array(p->out_f, p->out_s, (int)sd.output_frames_gen);
                ks_status st = device_write(p, p->out_s, (size_t)sd.output_frames_gen, err);
                if (st != KS_OK)
                    return st;
            }
            sd.data_in += sd.input_frames_used * 1;
            sd.input_frames -= sd.input_frames_used;
            if (sd.input_frames <= 0 && (!sd.end_of_input || sd.output_frames_gen == 0))
                break;
        }
        off += chunk;
    } while (off < n);
    if (flush)
        src_reset(p->src);
    return KS_OK;
}

static ks_status pa_write(ks_sink *s, const int16_t *pcm, size_t frames, ks_error *err)
{
    pa_sink *p = (pa_sink *)s;
    if (p->paused) {
        ks_status st = ks_playback_resume(s, err);
        if (st != KS_OK)
            return st;
    }
    if (!p->trim)
        return emit(p, pcm, frames, 0, err);
    size_t i = 0;
    while (i < frames && pcm[i] <= TRIM_THRESHOLD && pcm[i] >= -TRIM_THRESHOLD)
        i++;
    /* Frames [0, i) are quiet: remember the last keep_max of them. */
    for (size_t k = i > p->keep_max ? i - p->keep_max : 0; k < i; k++) {
        p->keep[p->keep_pos] = pcm[k];
        p->keep_pos = (p->keep_pos + 1) % p->keep_max;
        if (p->keep_len < p->keep_max)
            p->keep_len++;
    }
    if (i == frames)
        return KS_OK;
    p->trim = 0;
    int16_t tail[TRIM_KEEP_MAX];
    size_t start = (p->keep_pos + p->keep_max - p->keep_len) % p->keep_max;
    for (size_t k = 0; k < p->keep_len; k++)
        tail[k] = p->keep[(start + k) % p->keep_max];
    size_t tl = p->keep_len;
    p->keep_len = p->keep_pos = 0;
    ks_status st = emit(p, tail, tl, 0, err);
    if (st != KS_OK)
        return st;
    return emit(p, pcm + i, frames - i, 0, err);
}

/* ---------------------------------------------------------------- close / abort */

static void pa_free(pa_sink *p)
{
    if (p->mute_null >= 0)
        close(p->mute_null);
    if (p->mute_saved >= 0)
        close(p->mute_saved);
    if (p->stream)
        Pa_CloseStream(p->stream);
    if (p->pa_inited)
        pa_stop();
    if (p->src)
        src_delete(p->src);
    free(p->in_f);
    free(p->out_f);
    free(p->out_s);
    free(p->ring);
    free(p);
}

static void pa_abort(ks_sink *s)
{
    pa_sink *p = (pa_sink *)s;
    if (p->running)
        Pa_AbortStream(p->stream);
    p->running = 0;
    pa_free(p);
}

static ks_status pa_close(ks_sink *s, ks_error *err)
{
    pa_sink *p = (pa_sink *)s;
    ks_status st = KS_OK;
    if (p->paused)
        st = ks_playback_resume(s, err);
    if (st == KS_OK && p->src && !p->trim)
        st = emit(p, NULL, 0, 1, err);
    if (st == KS_OK)
        st = stream_drain(p, err); /* waits until everything queued was played */
    if (p->running)
        Pa_AbortStream(p->stream);
    p->running = 0;
    pa_free(p);
    return st;
}

static const sink_ops pa_ops = {"portaudio", pa_write, pa_close, pa_abort};

static pa_sink *as_pa(ks_sink *s)
{
    return s && s->ops == &pa_ops ? (pa_sink *)s : NULL;
}

/* ---------------------------------------------------------------- open */

static ks_status open_stream_muted(pa_sink *p, const PaDeviceInfo *info, PaStreamParameters *opp, int rate,
                                   ks_error *err);

static ks_status open_stream(pa_sink *p, int device, int rate, ks_error *err)
{
    const PaDeviceInfo *info = Pa_GetDeviceInfo(device);
    if (!info || info->maxOutputChannels < 1)
        return status_set(err, KS_EAUDIO, "sound device %d is not an output device", device);
    PaStreamParameters op;
    memset(&op, 0, sizeof op);
    op.device = device;
    op.channelCount = 1;
    op.sampleFormat = paInt16;
    op.suggestedLatency = info->defaultHighOutputLatency > 0 ? info->defaultHighOutputLatency : 0.05;
    int m = mute_begin();
    ks_status st = open_stream_muted(p, info, &op, rate, err);
    mute_end(m);
    return st;
}

static ks_status open_stream_muted(pa_sink *p, const PaDeviceInfo *info, PaStreamParameters *opp, int rate,
                                   ks_error *err)
{
    PaStreamParameters op = *opp;
    int dev_rate = rate;
    if (Pa_IsFormatSupported(NULL, &op, rate) != paFormatIsSupported) {
        dev_rate = (int)(info->defaultSampleRate + 0.5);
        PaError e = Pa_IsFormatSupported(NULL, &op, dev_rate);
        if (e != paFormatIsSupported)
            return pa_status(err, e, info->name ? info->name : "sound device");
    }
    const PaHostApiInfo *h = Pa_GetHostApiInfo(info->hostApi);
    p->use_callback = h && h->type == paJACK;
    PaError e = p->use_callback ? Pa_OpenStream(&p->stream, NULL, &op, dev_rate, paFramesPerBufferUnspecified,
                                                paClipOff | paPrimeOutputBuffersUsingStreamCallback, pa_callback, p)
                                : Pa_OpenStream(&p->stream, NULL, &op, dev_rate, paFramesPerBufferUnspecified,
                                                paClipOff, NULL, NULL);
    if (e != paNoError) {
        p->stream = NULL;
        char what[300];
        snprintf(what, sizeof what, "cannot open sound device '%s'", info->name ? info->name : "?");
        return pa_status(err, e, what);
    }
    const PaStreamInfo *si = Pa_GetStreamInfo(p->stream);
    p->latency = si ? si->outputLatency : 0;
    p->dev_rate = dev_rate;
    if (dev_rate != rate) {
        int se = 0;
        p->src = src_new(SRC_SINC_FASTEST, 1, &se);
        if (!p->src)
            return status_set(err, KS_EAUDIO, "cannot set up resampling: %s", src_strerror(se));
        p->ratio = (double)dev_rate / rate;
        p->out_cap = (size_t)(RESAMPLE_BLOCK * p->ratio) + 64;
        p->in_f = malloc(RESAMPLE_BLOCK * sizeof *p->in_f);
        p->out_f = malloc(p->out_cap * sizeof *p->out_f);
        p->out_s = malloc(p->out_cap * sizeof *p->out_s);
        if (!p->in_f || !p->out_f || !p->out_s)
            return status_set(err, KS_ENOMEM, "out of memory");
    }
    if (!(p->latency >= 0 && p->latency < 10))
        p->latency = 0; /* some host APIs report nonsense */
    p->reserve = (size_t)(p->latency * dev_rate) + (size_t)dev_rate / 20; /* latency + 50 ms */
    p->ring_cap = (size_t)dev_rate * RING_MS / 1000 + p->reserve;
    p->start_fill = (size_t)dev_rate / 20; /* 50 ms: synthesised in well under 1 ms */
    if (!p->use_callback) /* history: more than the device buffer can hold */
        p->ring_cap = (size_t)dev_rate + (size_t)(p->latency * dev_rate) * 4;
    p->ring = malloc(p->ring_cap * sizeof *p->ring);
    if (!p->ring)
        return status_set(err, KS_ENOMEM, "out of memory");
    return KS_OK;
}

KS_API ks_status ks_sink_playback_open(ks_sink **out, int device, int rate, ks_error *err)
{
    if (!out)
        return status_set(err, KS_EINVAL, "ks_sink_playback_open: no output pointer");
    *out = NULL;
    if (rate < SINK_MIN_RATE || rate > SINK_MAX_RATE)
        return status_set(err, KS_EINVAL, "bad sample rate %d", rate);
    pa_sink *p = calloc(1, sizeof *p);
    if (!p)
        return status_set(err, KS_ENOMEM, "out of memory");
    sink_init(&p->base, &pa_ops, rate);
    p->mute_saved = p->mute_null = -1;
    ks_status st = pa_start(err);
    if (st != KS_OK) {
        free(p);
        return st;
    }
    p->pa_inited = 1;
    if (device < 0) {
        device = Pa_GetDefaultOutputDevice();
        if (device == paNoDevice) {
            pa_free(p);
            return status_set(err, KS_EAUDIO, "no sound output device found");
        }
    } else if (device >= Pa_GetDeviceCount()) {
        pa_free(p);
        return status_set(err, KS_EAUDIO, "no sound device number %d", device);
    }
    p->device = device;
    st = open_stream(p, device, rate, err);
    if (st != KS_OK) {
        pa_free(p);
        return st;
    }
    p->keep_max = (size_t)rate * TRIM_KEEP_MS / 1000;
    if (p->keep_max < 1)
        p->keep_max = 1;
    if (p->keep_max > TRIM_KEEP_MAX)
        p->keep_max = TRIM_KEEP_MAX;
    p->trim = 1;
    int m = mute_begin(); /* returns a saved stderr when level 2 applies */
    if (m >= 0) {
        mute_end(dup(m));
        p->mute_saved = m;
        p->mute_null = open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (p->mute_null < 0) {
            dup2(m, STDERR_FILENO);
            close(m);
            p->mute_saved = -1;
        } else {
            fcntl(p->mute_saved, F_SETFD, FD_CLOEXEC);
        }
    }
    *out = &p->base;
    return KS_OK;
}

/* ---------------------------------------------------------------- controls */

KS_API int ks_sink_is_playback(const ks_sink *s)
{
    return s && s->ops == &pa_ops;
}

KS_API void ks_playback_trim_next(ks_sink *s)
{
    pa_sink *p = as_pa(s);
    if (p) {
        p->trim = 1;
        p->keep_len = p->keep_pos = 0;
        p->utt_sound = 0;
    }
}

KS_API ks_status ks_playback_pause(ks_sink *s, ks_error *err)
{
    pa_sink *p = as_pa(s);
    if (!p)
        return status_set(err, KS_EINVAL, "not a playback sink");
    if (p->paused)
        return KS_OK;
    p->paused = 1;
    if (!p->running)
        return KS_OK;
    if (!p->use_callback) {
        signed long avail = Pa_GetStreamWriteAvailable(p->stream);
        unsigned long queued = 0;
        if (avail >= 0 && p->capacity > (unsigned long)avail)
            queued = p->capacity - (unsigned long)avail;
        if (queued > p->ring_cap)
            queued = (unsigned long)p->ring_cap;
        if (queued > atomic_load(&p->tail))
            queued = (unsigned long)atomic_load(&p->tail);
        PaError e = Pa_AbortStream(p->stream);
        p->running = 0;
        p->requeue = queued;
        return e == paNoError ? KS_OK : pa_status(err, e, "cannot pause the sound device");
    }
    PaError e = Pa_AbortStream(p->stream); /* the callback is not called any more */
    p->running = 0;
    /* The device took up to `latency` frames from the ring that were not heard
     * yet: step back over them (they are never overwritten, see reserve). */
    uint64_t head = atomic_load(&p->head);
    uint64_t back = (uint64_t)(p->latency * p->dev_rate);
    if (back > head - p->run_start)
        back = head - p->run_start;
    atomic_store(&p->head, head - back);
    if (e != paNoError)
        return pa_status(err, e, "cannot pause the sound device");
    return KS_OK;
}

KS_API ks_status ks_playback_resume(ks_sink *s, ks_error *err)
{
    pa_sink *p = as_pa(s);
    if (!p)
        return status_set(err, KS_EINVAL, "not a playback sink");
    if (!p->paused)
        return KS_OK;
    p->paused = 0;
    if (!p->use_callback) {
        /* the last `requeue` frames of the history were queued but not heard */
        unsigned long n = p->requeue;
        p->requeue = 0;
        uint64_t tail = atomic_load(&p->tail);
        ks_status st = KS_OK;
        for (uint64_t i = tail - n; i < tail && st == KS_OK;) {
            size_t idx = (size_t)(i % p->ring_cap);
            size_t m = p->ring_cap - idx < tail - i ? p->ring_cap - idx : (size_t)(tail - i);
            st = blocking_write(p, p->ring + idx, m, 0, err);
            i += m;
        }
        return st;
    }
    if (atomic_load(&p->head) < atomic_load(&p->tail))
        return stream_start(p, err);
    return KS_OK;
}

KS_API int ks_playback_paused(const ks_sink *s)
{
    return s && s->ops == &pa_ops ? ((const pa_sink *)s)->paused : 0;
}

KS_API void ks_playback_flush(ks_sink *s)
{
    pa_sink *p = as_pa(s);
    if (!p)
        return;
    if (p->running)
        Pa_AbortStream(p->stream);
    p->running = 0;
    p->paused = 0;
    p->requeue = 0;
    atomic_store(&p->head, atomic_load(&p->tail));
    if (p->src)
        src_reset(p->src);
}

KS_API ks_status ks_playback_drain(ks_sink *s, ks_error *err)
{
    pa_sink *p = as_pa(s);
    if (!p)
        return status_set(err, KS_EINVAL, "not a playback sink");
    if (s->failed != KS_OK) {
        if (err)
            *err = s->fail_err;
        return s->failed;
    }
    ks_status st = KS_OK;
    ks_error e2;
    if (p->paused)
        st = ks_playback_resume(s, &e2);
    if (st == KS_OK && p->src && !p->trim)
        st = emit(p, NULL, 0, 1, &e2);
    if (st == KS_OK)
        st = stream_drain(p, &e2);
    if (st != KS_OK) {
        s->failed = st; /* sticky, like a failed write */
        s->fail_err = e2;
        if (err)
            *err = e2;
    }
    return st;
}

KS_API ks_status ks_playback_stats(const ks_sink *s, ks_playback_stats_t *out)
{
    if (!s || s->ops != &pa_ops || !out)
        return KS_EINVAL;
    const pa_sink *p = (const pa_sink *)s;
    memset(out, 0, sizeof *out);
    out->first_sound = p->first_sound;
    out->utterance_sound = p->utt_sound;
    out->underflows = p->underflows + atomic_load(&((pa_sink *)s)->cb_underflows);
    out->device_frames = p->device_frames;
    out->device_rate = p->dev_rate;
    out->latency = p->latency;
    out->device = p->device;
    return KS_OK;
}
