/* ssml.h - SSML -> eSpeak NG SSML (internal helpers shared with the unit tests).
 * The public entry point is ks_ssml_to_espeak() in kazspeak.h. */
#ifndef KS_SSML_H
#define KS_SSML_H
#include "kazspeak/kazspeak.h"

#define SSML_MAX_DEPTH 64  /* element nesting limit */
#define SSML_MAX_ATTRS 16  /* attributes per element */

/* The say-as readings are in kk_words.h (kk_say_*), shared with the normalizer. */

#endif
