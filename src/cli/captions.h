/* captions.h - WebVTT / SRT captions timed from the engine's word events. */
#ifndef KS_CLI_CAPTIONS_H
#define KS_CLI_CAPTIONS_H
#include <stdint.h>

#include "cli.h"

typedef enum cli_caption_format { CLI_CAPTIONS_NONE = 0, CLI_CAPTIONS_VTT, CLI_CAPTIONS_SRT } cli_caption_format;

/* Format from a name: "x.vtt", "x.srt" (case-insensitive), or the bare words "vtt"/"srt". */
cli_caption_format cli_captions_format(const char *name);

typedef struct cli_captions cli_captions;

/* Collects sentences and word events while the audio is written; nothing is
 * written to `path` before cli_captions_prepare(). */
int cli_captions_new(cli_captions **out, const char *path, int rate);
/* Reader event handlers: an utterance starts (original and normalized text, frame),
 * a word starts; each block of PCM (to find where a word's sound really starts). */
void cli_captions_event(cli_captions *cap, const ks_reader_event *ev);
void cli_captions_pcm(cli_captions *cap, const int16_t *pcm, size_t frames, uint64_t frame);
/* Build the cues (the audio ends at `total_frames`) and write them to a
 * temporary file beside the caption file. 0 ok, -1 error (cli_captions_error). */
int cli_captions_prepare(cli_captions *cap, uint64_t total_frames);
const char *cli_captions_error(const cli_captions *cap);
/* Rename the prepared file onto the caption file. 0 ok, -1 error (printed). */
int cli_captions_commit(cli_captions *cap);
/* Free; a prepared file that was not committed is removed. */
void cli_captions_free(cli_captions *cap);

/* Maximum characters (code points) of one cue: two lines of 42. */
#define CLI_CUE_MAX 84
#define CLI_CUE_LINE 42

#endif
