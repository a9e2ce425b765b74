/* synth.c - the only file that talks to eSpeak NG.
 *
 * eSpeak NG is process-global and not thread-safe: one ks_engine per process,
 * synchronous mode (the callback runs inside ks_engine_speak), stopping by
 * returning non-zero from the callback. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <espeak-ng/espeak_ng.h>
#include <espeak-ng/speak_lib.h>

#include "kazspeak/kazspeak.h"
#include "engine_lang.h"
#include "status.h"

struct ks_engine {
    char data[PATH_MAX];
    int rate_hz;
    ks_voice voice;
    int params[KS_PARAM_COUNT];
    int isolate; /* every synthesis in a child process (see ks_engine_set_isolated) */
    ks_lang lang; /* the language eSpeak speaks now (engine_set_lang); KS_LANG_KK = the profile's voice */
};

/* State of the one synthesis in progress (eSpeak's callback has no user pointer
 * of its own; the context also travels in every event's user_data). */
typedef struct speak_ctx {
    ks_pcm_fn pcm;
    ks_event_fn ev;
    void *user;
    const char *text;
    size_t len;
    size_t cp_pos, byte_pos; /* code point <-> byte cursor for event offsets */
    uint64_t samples;        /* samples delivered so far */
    int stop;
} speak_ctx;

/* eSpeak NG 1.51 creates a pcaudiolib audio object in espeak_ng_InitializeOutput()
 * whatever the output mode, and pcaudiolib connects to PulseAudio to probe it: a
 * file export then creates $HOME/.config/pulse and, as an unprivileged user, prints
 * "Failed to create secure directory". kazspeak never lets eSpeak play (PortAudio
 * does, and only when something plays), so no audio object is wanted. This
 * definition takes the place of pcaudiolib's: the dynamic linker looks in the
 * program and libkazspeak before eSpeak's own dependencies. In synchronous mode
 * eSpeak never touches the object, and a NULL one is what it gets on a machine
 * with no sound system at all. */
struct audio_object;
#if defined(__GNUC__)
__attribute__((visibility("default")))
#endif
struct audio_object *create_audio_device_object(const char *device, const char *application_name,
                                                const char *description);
struct audio_object *create_audio_device_object(const char *device, const char *application_name,
                                                const char *description)
{
    (void)device;
    (void)application_name;
    (void)description;
    return NULL;
}

static int engine_initialised;  /* eSpeak cannot be initialised twice in a process */
static char engine_init_path[PATH_MAX];
static ks_engine *engine_live;

static ks_status map_espeak(ks_error *err, espeak_ng_STATUS st, const char *what)
{
    char msg[200];
    espeak_ng_GetStatusCodeMessage(st, msg, sizeof msg);
    return status_set(err, KS_ESYNTH, "%s: %s", what, msg);
}

/* Byte offset of 0-based code point index `cp` in ctx->text. */
static size_t cp_to_byte(speak_ctx *c, size_t cp)
{
    if (cp < c->cp_pos) {
        c->cp_pos = 0;
        c->byte_pos = 0;
    }
    while (c->cp_pos < cp && c->byte_pos < c->len) {
        unsigned char b = (unsigned char)c->text[c->byte_pos];
        size_t step = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
        c->byte_pos += step;
        if (c->byte_pos > c->len)
            c->byte_pos = c->len;
        c->cp_pos++;
    }
    return c->byte_pos;
}

static int deliver_pcm(speak_ctx *c, const short *wav, size_t n)
{
    if (!n)
        return c->stop;
    if (c->pcm && !c->stop && c->pcm((const int16_t *)wav, n, c->user))
        c->stop = 1;
    c->samples += n;
    return c->stop;
}

static int synth_cb(short *wav, int numsamples, espeak_EVENT *events)
{
    /* Every call carries at least the terminator event, with our user_data. */
    speak_ctx *c = events ? (speak_ctx *)events->user_data : NULL;
    if (!c)
        return 0;
    if (c->stop)
        return 1;
    size_t n = wav && numsamples > 0 ? (size_t)numsamples : 0;
    size_t done = 0;
    uint64_t chunk_start = c->samples;
    for (espeak_EVENT *e = events; e->type != espeakEVENT_LIST_TERMINATED; e++) {
        ks_event ke;
        memset(&ke, 0, sizeof ke);
        switch (e->type) {
        case espeakEVENT_SENTENCE: ke.type = KS_EVENT_SENTENCE; break;
        case espeakEVENT_WORD:
            if (e->length <= 0)
                continue;
            ke.type = KS_EVENT_WORD;
            break;
        case espeakEVENT_MARK: ke.type = KS_EVENT_MARK; ke.name = e->id.name; break;
        default: continue;
        }
        /* Deliver the PCM that precedes the event first, so the event lands at
         * the right sample. e->sample counts from the start of this synthesis. */
        uint64_t at = e->sample > 0 ? (uint64_t)e->sample : chunk_start + done;
        if (at > chunk_start + done && at <= chunk_start + n) {
            size_t upto = (size_t)(at - chunk_start);
            if (deliver_pcm(c, wav + done, upto - done))
                return 1;
            done = upto;
        }
        ke.sample = c->samples;
        if (e->text_position > 0) {
            size_t b = cp_to_byte(c, (size_t)e->text_position - 1);
            ke.text_offset = b;
            if (ke.type == KS_EVENT_WORD) {
                size_t eb = cp_to_byte(c, (size_t)e->text_position - 1 + (size_t)e->length);
                ke.text_len = eb - b;
            }
        }
        if (c->ev && c->ev(&ke, c->user)) {
            c->stop = 1;
            return 1;
        }
    }
    if (done < n && deliver_pcm(c, wav + done, n - done))
        return 1;
    return 0;
}

static int is_dir_at(const char *dir, const char *name)
{
    char p[PATH_MAX];
    struct stat st;
    int r = snprintf(p, sizeof p, "%s/%s", dir, name);
    return r > 0 && (size_t)r < sizeof p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int file_exists(const char *dir, const char *name)
{
    char p[PATH_MAX];
    struct stat st;
    int r = snprintf(p, sizeof p, "%s/%s", dir, name);
    return r > 0 && (size_t)r < sizeof p && stat(p, &st) == 0;
}

KS_API ks_status ks_engine_new(ks_engine **out, const char *espeak_data, ks_error *err)
{
    *out = NULL;
    if (engine_live)
        return status_set(err, KS_EBUSY, "only one kazspeak engine can exist in a process");
    char real[PATH_MAX];
    if (!realpath(espeak_data, real))
        return status_set(err, KS_EIO, "%s: %s", espeak_data, strerror(errno));
    if (!file_exists(real, "phontab") || !file_exists(real, "kk_dict"))
        return status_set(err, KS_EIO, "%s: not an eSpeak NG data folder with Kazakh (phontab or kk_dict missing)",
                          real);
    if (engine_initialised && strcmp(real, engine_init_path) != 0)
        return status_set(err, KS_EBUSY, "eSpeak NG was already initialised with %s in this process",
                          engine_init_path);
    if (!engine_initialised) {
        espeak_ng_InitializePath(real);
        espeak_ng_ERROR_CONTEXT ctx = NULL;
        espeak_ng_STATUS st = espeak_ng_Initialize(&ctx);
        if (st != ENS_OK) {
            espeak_ng_ClearErrorContext(&ctx);
            return map_espeak(err, st, real);
        }
        st = espeak_ng_InitializeOutput(ENOUTPUT_MODE_SYNCHRONOUS, 0, NULL);
        if (st != ENS_OK)
            return map_espeak(err, st, "eSpeak NG output");
        espeak_SetSynthCallback(synth_cb);
        /* eSpeak silently falls back to other folders: check which one it took. */
        const char *used = NULL;
        espeak_Info(&used);
        char used_real[PATH_MAX];
        if (!used || !realpath(used, used_real) || strcmp(used_real, real) != 0)
            return status_set(err, KS_ESYNTH, "eSpeak NG uses %s instead of %s", used ? used : "?", real);
        engine_initialised = 1;
        snprintf(engine_init_path, sizeof engine_init_path, "%s", real);
    }
    ks_engine *e = calloc(1, sizeof *e);
    if (!e)
        return status_set(err, KS_ENOMEM, "out of memory");
    snprintf(e->data, sizeof e->data, "%s", real);
    e->rate_hz = espeak_ng_GetSampleRate();
    e->isolate = 0; /* a library user opts in (ks_engine_set_isolated) */
    e->params[KS_PARAM_FINAL_PAUSE] = 1;
    ks_voice v;
    ks_voice_defaults(&v);
    ks_status st2 = ks_engine_set_voice(e, &v, err);
    if (st2 != KS_OK) {
        free(e);
        return st2;
    }
    engine_live = e;
    *out = e;
    return KS_OK;
}

static const espeak_PARAMETER param_map[KS_PARAM_COUNT] = {espeakRATE,   espeakPITCH,       espeakRANGE,
                                                            espeakVOLUME, espeakWORDGAP,     espeakCAPITALS,
                                                            espeakSILENCE /* unused */};
static const int param_min[KS_PARAM_COUNT] = {KS_RATE_MIN, 0, 0, 0, 0, 0, 0};
static const int param_max[KS_PARAM_COUNT] = {KS_RATE_MAX, KS_PITCH_MAX, KS_RANGE_MAX, KS_VOLUME_MAX,
                                              KS_WORDGAP_MAX, KS_CAPITALS_MAX, 1};
static const char *const param_name[KS_PARAM_COUNT] = {"rate",     "pitch",    "range",      "volume",
                                                       "word gap", "capitals", "final pause"};

KS_API ks_status ks_engine_set_param(ks_engine *e, ks_param p, int value, ks_error *err)
{
    if ((unsigned)p >= KS_PARAM_COUNT)
        return status_set(err, KS_EINVAL, "unknown parameter %d", (int)p);
    if (value < param_min[p] || value > param_max[p])
        return status_set(err, KS_EINVAL, "%s must be from %d to %d, not %d", param_name[p], param_min[p],
                          param_max[p], value);
    if (p == KS_PARAM_FINAL_PAUSE) { /* ours: applied per synthesis (espeakENDPAUSE) */
        e->params[p] = value;
        return KS_OK;
    }
    espeak_ng_STATUS st = espeak_ng_SetParameter(param_map[p], value, 0);
    /* eSpeak NG 1.51 applies espeakCAPITALS but answers EINVAL (no case for it in SetParameter) */
    if (st != ENS_OK && !(p == KS_PARAM_CAPITALS && st == EINVAL))
        return map_espeak(err, st, param_name[p]);
    e->params[p] = value;
    return KS_OK;
}

KS_API int ks_engine_get_param(const ks_engine *e, ks_param p)
{
    return (unsigned)p < KS_PARAM_COUNT ? e->params[p] : -1;
}

KS_API ks_status ks_engine_set_punctuation(ks_engine *e, const char *chars, ks_error *err)
{
    (void)e;
    wchar_t list[KS_PUNCT_MAX + 1];
    size_t n = 0;
    int mode = espeakPUNCT_NONE;
    if (chars && !*chars) {
        mode = espeakPUNCT_ALL;
    } else if (chars) {
        mode = espeakPUNCT_SOME;
        for (const unsigned char *p = (const unsigned char *)chars; *p;) {
            uint32_t cp;
            int l = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : (*p & 0xF8) == 0xF0 ? 4 : 0;
            if (!l)
                return status_set(err, KS_EINVAL, "punctuation list: invalid UTF-8");
            cp = l == 1 ? *p : (uint32_t)(*p & (0x7F >> l));
            for (int i = 1; i < l; i++) {
                if ((p[i] & 0xC0) != 0x80)
                    return status_set(err, KS_EINVAL, "punctuation list: invalid UTF-8");
                cp = (cp << 6) | (p[i] & 0x3F);
            }
            if (n == KS_PUNCT_MAX)
                return status_set(err, KS_EINVAL, "punctuation list longer than %d characters", KS_PUNCT_MAX);
            list[n++] = (wchar_t)cp;
            p += l;
        }
    }
    list[n] = 0;
    espeak_ng_STATUS st = espeak_ng_SetPunctuationList(list);
    if (st != ENS_OK)
        return map_espeak(err, st, "punctuation list");
    /* 1.51 applies espeakPUNCTUATION but answers EINVAL: see ks_engine_set_param */
    st = espeak_ng_SetParameter(espeakPUNCTUATION, mode, 0);
    if (st != ENS_OK && st != EINVAL)
        return map_espeak(err, st, "punctuation");
    return KS_OK;
}

KS_API void ks_engine_set_isolated(ks_engine *e, int on)
{
    e->isolate = on != 0;
}

/* The path of a language voice under <data>/lang ("kk" -> "trk/kk"), keeping a
 * "+variant" suffix; the name unchanged when it has a '/' or is not found. */
static void resolve_voice_name(const char *data, const char *espeak_name, char *out, size_t n)
{
    snprintf(out, n, "%s", espeak_name);
    size_t base_len = strcspn(espeak_name, "+");
    if (memchr(espeak_name, '/', base_len) || base_len == 0 || base_len > 32)
        return;
    char base[40];
    memcpy(base, espeak_name, base_len);
    base[base_len] = '\0';
    char langdir[PATH_MAX];
    if (snprintf(langdir, sizeof langdir, "%s/lang", data) >= (int)sizeof langdir)
        return;
    if (file_exists(langdir, base) && !is_dir_at(langdir, base))
        return; /* lang/<base> itself: eSpeak finds it directly */
    DIR *d = opendir(langdir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || strlen(de->d_name) > 32)
            continue;
        char rel[80];
        int r = snprintf(rel, sizeof rel, "%s/%s", de->d_name, base);
        if (r > 0 && (size_t)r < sizeof rel && file_exists(langdir, rel) && !is_dir_at(langdir, rel)) {
            snprintf(out, n, "%s%s", rel, espeak_name + base_len);
            break;
        }
    }
    closedir(d);
}

KS_API ks_status ks_engine_set_voice(ks_engine *e, const ks_voice *v, ks_error *err)
{
    char where[600];
    if (v->file[0] && v->espeak_line > 0)
        snprintf(where, sizeof where, "%s:%d: ", v->file, v->espeak_line);
    else if (v->file[0])
        snprintf(where, sizeof where, "%s: ", v->file);
    else
        where[0] = '\0';
    const char *plus = strchr(v->espeak, '+');
    if (plus) {
        /* eSpeak accepts unknown variants silently: check the file ourselves. */
        char rel[128];
        snprintf(rel, sizeof rel, "voices/!v/%s", plus + 1);
        if (!plus[1] || strchr(plus + 1, '/') || strchr(plus + 1, '.') || !file_exists(e->data, rel))
            return status_set(err, KS_ENOVOICE, "%sunknown eSpeak variant '%s' (no %s/%s)", where, plus + 1,
                              e->data, rel);
    }
    /* "kk" -> "trk/kk+m3": eSpeak then loads the file directly instead of
     * reading every voice and variant file to build its voice list. */
    char name[PATH_MAX];
    resolve_voice_name(e->data, v->espeak, name, sizeof name);
    espeak_ng_STATUS st = espeak_ng_SetVoiceByName(name);
    if (st != ENS_OK) {
        char msg[200];
        espeak_ng_GetStatusCodeMessage(st, msg, sizeof msg);
        return status_set(err, KS_ENOVOICE, "%sunknown eSpeak voice '%s': %s", where, v->espeak, msg);
    }
    e->voice = *v;
    if (e->params[KS_PARAM_CAPITALS])
        (void)espeak_ng_SetParameter(espeakCAPITALS, e->params[KS_PARAM_CAPITALS], 0);
    e->lang = KS_LANG_KK;
    const int vals[5] = {v->rate, v->pitch, v->range, v->volume, v->wordgap};
    /* Re-apply every parameter: a voice file's speed leaks otherwise. */
    for (int i = 0; i < 5; i++) {
        ks_status s2 = ks_engine_set_param(e, (ks_param)i, vals[i], err);
        if (s2 != KS_OK) {
            char inner[sizeof err->msg];
            snprintf(inner, sizeof inner, "%s", err ? err->msg : "");
            return status_set(err, s2, "%s%s", where, inner);
        }
    }
    return KS_OK;
}

ks_status engine_set_lang(ks_engine *e, ks_lang lang, ks_error *err)
{
    if (lang != KS_LANG_RU && lang != KS_LANG_EN)
        lang = KS_LANG_KK;
    if (lang == e->lang)
        return KS_OK;
    /* "kk+m3" -> "ru+m3": the profile's variant stays, the language changes */
    const char *plus = strchr(e->voice.espeak, '+');
    char want[80];
    if (lang == KS_LANG_KK)
        snprintf(want, sizeof want, "%s", e->voice.espeak);
    else
        snprintf(want, sizeof want, "%s%s", lang == KS_LANG_RU ? "ru" : "en", plus ? plus : "");
    char name[PATH_MAX];
    resolve_voice_name(e->data, want, name, sizeof name);
    espeak_ng_STATUS st = espeak_ng_SetVoiceByName(name);
    if (st != ENS_OK)
        return map_espeak(err, st, want);
    /* the current parameters (a voice file's speed would leak otherwise) */
    for (int i = 0; i < 5; i++)
        espeak_ng_SetParameter(param_map[i], e->params[i], 0);
    e->lang = lang;
    return KS_OK;
}

KS_API int ks_engine_sample_rate(const ks_engine *e)
{
    return e->rate_hz;
}

/* eSpeak NG reads byte 0x01 followed by a number and a letter as an embedded
 * command (speed, volume, pitch ...), whatever the flags: no control character
 * from the text may reach it. Tab, newline and CR are kept. */
static void neutralise_controls(char *t, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char b = (unsigned char)t[i];
        if ((b < 0x20 && b != '\t' && b != '\n' && b != '\r') || b == 0x7F)
            t[i] = ' ';
    }
}

/* eSpeak's copy of the text: NUL-terminated, no NUL inside, control bytes made spaces. */
static ks_status text_for_espeak(const char *text, size_t len, char **out, ks_error *err)
{
    *out = NULL;
    if (memchr(text, '\0', len))
        return status_set(err, KS_EINVAL, "text contains a NUL byte");
    char *copy = malloc(len + 1);
    if (!copy)
        return status_set(err, KS_ENOMEM, "out of memory");
    memcpy(copy, text, len);
    copy[len] = '\0';
    neutralise_controls(copy, len);
    *out = copy;
    return KS_OK;
}

/* ---------------------------------------------------------------- one synthesis in a child process
 *
 * eSpeak NG carries state from one synthesis into the next (measured with 1.51:
 * the same sentence spoken after another one differs from the same sentence
 * spoken first, by up to 2 % in length; the pitch flutter phase, the gain control
 * and the prosody of the previous clause all carry over), and no call of its API
 * resets it. An isolated engine therefore never synthesizes in its own process: each
 * ks_engine_speak forks a child that speaks from the engine's state as it was after
 * ks_engine_new / set_voice / set_param, and streams its PCM and events back over a
 * pipe. Every utterance then sounds the same whatever came before it, in this
 * process or in another one (kazspeak -j N splits one text over processes and
 * gets the same samples as -j 1). A fork of this small process costs ~0.2 ms. */

enum { REC_PCM = 1, REC_EVENT, REC_END };
typedef struct rec_head {
    uint32_t type;
    uint32_t len; /* payload bytes */
} rec_head;
typedef struct rec_event {
    uint32_t type;
    uint32_t name_len;
    uint64_t sample, text_offset, text_len;
} rec_event;
typedef struct rec_end {
    int32_t status;
    int32_t stopped;
    uint64_t samples;
} rec_end;

typedef struct child_out {
    int fd;
    char buf[32768];
    size_t n;
    int failed;
    int rate;
    uint64_t sent; /* frames */
} child_out;

#define REC_PAD(n) (((n) + 7u) & ~(size_t)7u) /* records start 8-byte aligned: PCM is read in place */

static void out_flush(child_out *o)
{
    size_t off = 0;
    while (off < o->n && !o->failed) {
        ssize_t w = write(o->fd, o->buf + off, o->n - off);
        if (w > 0)
            off += (size_t)w;
        else if (w < 0 && errno == EINTR)
            continue;
        else
            o->failed = 1;
    }
    o->n = 0;
}

static void out_rec(child_out *o, uint32_t type, const void *a, size_t an, const void *b, size_t bn)
{
    rec_head h = {type, (uint32_t)(an + bn)};
    size_t total = sizeof h + REC_PAD(an + bn);
    if (total > sizeof o->buf) { /* never: eSpeak's blocks are far smaller */
        o->failed = 1;
        return;
    }
    if (o->n + total > sizeof o->buf)
        out_flush(o);
    memcpy(o->buf + o->n, &h, sizeof h);
    if (an)
        memcpy(o->buf + o->n + sizeof h, a, an);
    if (bn)
        memcpy(o->buf + o->n + sizeof h + an, b, bn);
    memset(o->buf + o->n + sizeof h + an + bn, 0, REC_PAD(an + bn) - an - bn);
    o->n += total;
}

static int child_pcm(const int16_t *pcm, size_t frames, void *user)
{
    child_out *o = user;
    out_rec(o, REC_PCM, pcm, frames * sizeof *pcm, NULL, 0);
    o->sent += frames;
    /* the first half second goes out at once (playback starts early), then in 32 KiB blocks */
    if (o->sent < (uint64_t)o->rate / 2)
        out_flush(o);
    return o->failed;
}

static int child_event(const ks_event *ev, void *user)
{
    child_out *o = user;
    rec_event r = {(uint32_t)ev->type, 0, ev->sample, ev->text_offset, ev->text_len};
    size_t nl = ev->name ? strlen(ev->name) : 0;
    if (nl > 1024)
        nl = 1024;
    r.name_len = (uint32_t)nl;
    out_rec(o, REC_EVENT, &r, sizeof r, ev->name, nl);
    return o->failed;
}

static espeak_ng_STATUS synthesize_here(speak_ctx *c, unsigned eflags)
{
    return espeak_ng_Synthesize(c->text, c->len + 1, 0, POS_CHARACTER, 0, eflags, NULL, c);
}

#if defined(__GNUC__)
__attribute__((noreturn))
#endif
static void child_main(int fd, speak_ctx *c, unsigned eflags, int rate)
{
    /* the host's handlers (e.g. removing its temporary files) are not ours to run */
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    static child_out o;
    o.fd = fd;
    o.rate = rate;
    c->pcm = child_pcm;
    c->ev = child_event;
    c->user = &o;
    espeak_ng_STATUS st = synthesize_here(c, eflags);
    rec_end end = {(int32_t)st, c->stop, c->samples};
    out_rec(&o, REC_END, &end, sizeof end, NULL, 0);
    out_flush(&o);
    _exit(o.failed ? 3 : 0);
}

/* Read records from the child and hand them to the caller's callbacks. */
static ks_status parent_loop(int fd, pid_t pid, ks_pcm_fn pcm, ks_event_fn ev, void *user, uint64_t *samples,
                             ks_error *err)
{
    size_t cap = 65536, n = 0, pos = 0;
    char *buf = malloc(cap);
    if (!buf)
        return status_set(err, KS_ENOMEM, "out of memory");
    ks_status st = KS_OK;
    int got_end = 0, stop = 0;
    while (!got_end && !stop && st == KS_OK) {
        /* complete records in buf[pos..n) */
        while (n - pos >= sizeof(rec_head)) {
            rec_head h;
            memcpy(&h, buf + pos, sizeof h);
            if (n - pos < sizeof h + REC_PAD(h.len))
                break;
            const char *p = buf + pos + sizeof h;
            pos += sizeof h + REC_PAD(h.len);
            if (h.type == REC_PCM) {
                size_t frames = h.len / sizeof(int16_t);
                const int16_t *data = (const int16_t *)(const void *)p; /* 8-byte aligned */
                if (pcm && pcm(data, frames, user))
                    stop = 1;
                *samples += frames;
            } else if (h.type == REC_EVENT && h.len >= sizeof(rec_event)) {
                rec_event r;
                memcpy(&r, p, sizeof r);
                char name[1025];
                size_t nl = r.name_len < h.len - sizeof r ? r.name_len : h.len - sizeof r;
                if (nl > 1024)
                    nl = 1024;
                memcpy(name, p + sizeof r, nl);
                name[nl] = '\0';
                ks_event ke;
                memset(&ke, 0, sizeof ke);
                ke.type = (ks_event_type)r.type;
                ke.sample = r.sample;
                ke.text_offset = (size_t)r.text_offset;
                ke.text_len = (size_t)r.text_len;
                ke.name = ke.type == KS_EVENT_MARK ? name : NULL;
                if (ev && ev(&ke, user))
                    stop = 1;
            } else if (h.type == REC_END && h.len >= sizeof(rec_end)) {
                rec_end e;
                memcpy(&e, p, sizeof e);
                got_end = 1;
                if (e.status != ENS_OK && e.status != ENS_SPEECH_STOPPED)
                    st = map_espeak(err, (espeak_ng_STATUS)e.status, "synthesis");
            }
            if (stop || got_end || st != KS_OK)
                break;
        }
        if (got_end || stop || st != KS_OK)
            break;
        if (pos > 0) {
            memmove(buf, buf + pos, n - pos);
            n -= pos;
            pos = 0;
        }
        if (n + sizeof(rec_head) >= cap || cap - n < 4096) {
            rec_head h;
            memcpy(&h, buf, sizeof h);
            size_t want = sizeof h + REC_PAD(h.len) + 65536;
            if (want > ((size_t)64 << 20)) {
                st = status_set(err, KS_ESYNTH, "synthesis process: malformed output");
                break;
            }
            char *nb = realloc(buf, want);
            if (!nb) {
                st = status_set(err, KS_ENOMEM, "out of memory");
                break;
            }
            buf = nb;
            cap = want;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r > 0) {
            n += (size_t)r;
        } else if (r < 0 && errno == EINTR) {
            continue;
        } else {
            break; /* end of output without an end record: looked at below */
        }
    }
    free(buf);
    if (stop || (!got_end && st == KS_OK))
        kill(pid, SIGKILL);
    close(fd);
    int wst = 0;
    pid_t w;
    while ((w = waitpid(pid, &wst, 0)) < 0 && errno == EINTR)
        ;
    if (stop)
        return status_set(err, KS_ESTOPPED, "stopped");
    if (st != KS_OK)
        return st;
    if (!got_end) {
        if (w == pid && WIFSIGNALED(wst))
            return status_set(err, KS_ESYNTH, "synthesis process killed by signal %d", WTERMSIG(wst));
        return status_set(err, KS_ESYNTH, "synthesis process ended without its output");
    }
    return KS_OK;
}

static ks_status speak_isolated(ks_engine *e, speak_ctx *c, unsigned eflags, ks_pcm_fn pcm, ks_event_fn ev,
                                void *user, uint64_t *samples, ks_error *err)
{
    int pfd[2];
    if (pipe(pfd) != 0)
        return status_set(err, KS_ESYNTH, "cannot create a pipe: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0) {
        int en = errno;
        close(pfd[0]);
        close(pfd[1]);
        return status_set(err, KS_ESYNTH, "cannot start a synthesis process: %s", strerror(en));
    }
    if (pid == 0) {
        close(pfd[0]);
        child_main(pfd[1], c, eflags, e->rate_hz);
    }
    close(pfd[1]);
    return parent_loop(pfd[0], pid, pcm, ev, user, samples, err);
}

KS_API ks_status ks_engine_speak(ks_engine *e, const char *text, size_t len, unsigned flags, ks_pcm_fn pcm,
                                 ks_event_fn ev, void *user, ks_error *err)
{
    if (len == 0)
        return KS_OK;
    char *copy;
    ks_status prep = text_for_espeak(text, len, &copy, err);
    if (prep != KS_OK)
        return prep;
    speak_ctx c;
    memset(&c, 0, sizeof c);
    c.pcm = pcm;
    c.ev = ev;
    c.user = user;
    c.text = copy;
    c.len = len;
    unsigned int eflags = espeakCHARS_UTF8;
    if (e->params[KS_PARAM_FINAL_PAUSE] || !(flags & KS_SPEAK_FINAL))
        eflags |= espeakENDPAUSE;
    if (flags & KS_SPEAK_SSML)
        eflags |= espeakSSML;
    if (flags & KS_SPEAK_PHONEMES)
        eflags |= espeakPHONEMES;
    uint64_t samples = 0;
    if (e->isolate) {
        ks_status st = speak_isolated(e, &c, eflags, pcm, ev, user, &samples, err);
        free(copy);
        if (st != KS_OK)
            return st;
    } else {
        espeak_ng_STATUS st = synthesize_here(&c, eflags);
        free(copy);
        if (c.stop || st == ENS_SPEECH_STOPPED)
            return status_set(err, KS_ESTOPPED, "stopped");
        if (st != ENS_OK)
            return map_espeak(err, st, "synthesis");
        samples = c.samples;
    }
    if (ev) {
        ks_event ke;
        memset(&ke, 0, sizeof ke);
        ke.type = KS_EVENT_END;
        ke.sample = samples;
        ke.text_offset = len;
        if (ev(&ke, user))
            return status_set(err, KS_ESTOPPED, "stopped");
    }
    return KS_OK;
}

KS_API ks_status ks_engine_phonemes(ks_engine *e, const char *text, size_t len, int ipa, ks_buf *out,
                                    ks_error *err)
{
    (void)e;
    char *copy;
    ks_status prep = text_for_espeak(text, len, &copy, err);
    if (prep != KS_OK)
        return prep;
    const void *p = copy;
    int first = 1;
    while (p && *(const char *)p) {
        const char *ph = espeak_TextToPhonemes(&p, espeakCHARS_UTF8, ipa ? 0x02 : 0);
        if (!ph)
            break;
        if (!first)
            ks_buf_putc(out, ' ');
        ks_buf_puts(out, ph);
        first = 0;
    }
    free(copy);
    if (out->failed)
        return status_set(err, KS_ENOMEM, "phoneme output too large");
    return KS_OK;
}

KS_API void ks_engine_free(ks_engine *e)
{
    if (!e)
        return;
    if (engine_live == e)
        engine_live = NULL;
    /* eSpeak is never terminated: it cannot be initialised again in the same process. */
    free(e);
}
