/* engine_lang.h - switching eSpeak NG's language inside one voice profile (synth.c),
 * for the reader's language spans. */
#ifndef KS_ENGINE_LANG_H
#define KS_ENGINE_LANG_H
#include "kazspeak/kazspeak.h"

/* Speak from now on with eSpeak NG's voice for `lang` (KS_LANG_KK: the profile's own
 * voice, e.g. "kk+m3"; KS_LANG_RU: "ru+m3"; KS_LANG_EN: "en+m3"), keeping the variant
 * and the current rate, pitch, range, volume and word gap. The profile itself is not
 * changed: KS_LANG_KK goes back to it. Cheap when the language does not change. */
ks_status engine_set_lang(ks_engine *e, ks_lang lang, ks_error *err);

#endif
