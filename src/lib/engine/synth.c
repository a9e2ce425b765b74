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
#include <sys/stat.h>

#include <espeak-ng/espeak_ng.h>
#include <espeak-ng/speak_lib.h>

#include "kazspeak/kazspeak.h"
#include "engine_lang.h"
#include "status.h"

struct ks_engine {
    char data[PATH_MAX];
    int rate_hz;
    ks_voice voice;
    int params[5];
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

static const espeak_PARAMETER param_map[5] = {espeakRATE, espeakPITCH, espeakRANGE, espeakVOLUME, espeakWORDGAP};
static const int param_min[5] = {KS_RATE_MIN, 0, 0, 0, 0};
static const int param_max[5] = {KS_RATE_MAX, KS_PITCH_MAX, KS_RANGE_MAX, KS_VOLUME_MAX, KS_WORDGAP_MAX};
static const char *const param_name[5] = {"rate", "pitch", "range", "volume", "word gap"};

KS_API ks_status ks_engine_set_param(ks_engine *e, ks_param p, int value, ks_error *err)
{
    if ((unsigned)p > KS_PARAM_WORDGAP)
        return status_set(err, KS_EINVAL, "unknown parameter %d", (int)p);
    if (value < param_min[p] || value > param_max[p])
        return status_set(err, KS_EINVAL, "%s must be from %d to %d, not %d", param_name[p], param_min[p],
                          param_max[p], value);
    espeak_ng_STATUS st = espeak_ng_SetParameter(param_map[p], value, 0);
    if (st != ENS_OK)
        return map_espeak(err, st, param_name[p]);
    e->params[p] = value;
    return KS_OK;
}

KS_API int ks_engine_get_param(const ks_engine *e, ks_param p)
{
    return (unsigned)p <= KS_PARAM_WORDGAP ? e->params[p] : -1;
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

KS_API ks_status ks_engine_speak(ks_engine *e, const char *text, size_t len, unsigned flags, ks_pcm_fn pcm,
                                 ks_event_fn ev, void *user, ks_error *err)
{
    (void)e;
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
    unsigned int eflags = espeakCHARS_UTF8 | espeakENDPAUSE;
    if (flags & KS_SPEAK_SSML)
        eflags |= espeakSSML;
    if (flags & KS_SPEAK_PHONEMES)
        eflags |= espeakPHONEMES;
    espeak_ng_STATUS st = espeak_ng_Synthesize(copy, len + 1, 0, POS_CHARACTER, 0, eflags, NULL, &c);
    free(copy);
    if (c.stop || st == ENS_SPEECH_STOPPED)
        return status_set(err, KS_ESTOPPED, "stopped");
    if (st != ENS_OK)
        return map_espeak(err, st, "synthesis");
    if (ev) {
        ks_event ke;
        memset(&ke, 0, sizeof ke);
        ke.type = KS_EVENT_END;
        ke.sample = c.samples;
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
