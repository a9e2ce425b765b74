/* sd_protocol.h - speech-dispatcher 0.11 output-module protocol, the pure part:
 * a line-driven state machine for the commands the server sends on the
 * module's stdin, the settings they carry, the mapping of speech-dispatcher's
 * -100..100 values onto kazspeak's ranges, and the encoding of 705 AUDIO
 * blocks.  No I/O: the sd_kazspeak program (src/sd/) reads lines, feeds them
 * here and writes the replies.
 *
 * Protocol summary (server > module, module < server; LF-terminated lines):
 *   > INIT                       < 299-message / 299 OK LOADED SUCCESSFULLY
 *   > SET|AUDIO|LOGLEVEL         < 203|207 OK RECEIVING ...   then key=value lines, "."
 *                                < 203 OK SETTINGS RECEIVED (or 302/303 on a bad line)
 *   > SPEAK|CHAR|KEY|SOUND_ICON  < 202 OK RECEIVING MESSAGE   then data lines, "."
 *                                  (a data line starting with "." has it doubled)
 *                                < 200 OK SPEAKING, 701 BEGIN, 705 audio, 700 marks,
 *                                  702 END | 703 STOP | 704 PAUSE
 *   > STOP, PAUSE                (no reply; the speaking message ends with 703/704)
 *   (sd_kazspeak keeps reading while it speaks: a message that arrives meanwhile is
 *   answered 200 OK SPEAKING at once and queued (sd_queue); its 701 BEGIN and 702 END
 *   follow when its turn comes.  STOP, PAUSE and QUIT drop the queued messages, which
 *   then end with 701 BEGIN, 703 STOP each, after the speaking message's 703/704, so
 *   every 200 OK SPEAKING gets exactly one end event.  QUIT answers 210 after them.)
 *   > LIST VOICES                < 200-name TAB lang TAB variant ... 200 OK VOICE LIST SENT
 *   > DEBUG ON file | DEBUG OFF  < 200 OK DEBUGGING ON|OFF
 *   > QUIT                       < 210 OK QUIT
 *   anything else                < 300 ERR UNKNOWN COMMAND
 */
#ifndef KS_SD_PROTOCOL_H
#define KS_SD_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#include "kazspeak/kazspeak.h"

/* Longest line or message the parser keeps (bigger input is cut off and the
 * command answered with an error, so memory stays bounded). */
#define SD_MAX_MESSAGE ((size_t)4 * 1024 * 1024)
/* Longest CHAR, KEY or SOUND_ICON data (a key name, a character, an icon file
 * name); longer data is refused with 301 (a key name is spelled part by part,
 * so an unbounded one would be hours of speech). */
#define SD_MAX_NAME 256
/* Longest <mark> name passed on to eSpeak NG (as the library's SSML reader); a
 * longer mark is left out. */
#define SD_MAX_MARK_NAME 200
/* Largest raw PCM payload of one 705 block, in bytes (as speech-dispatcher's own modules). */
#define SD_MAX_AUDIO_CHUNK 10000

typedef enum sd_punct { SD_PUNCT_NONE = 0, SD_PUNCT_SOME, SD_PUNCT_MOST, SD_PUNCT_ALL } sd_punct;
typedef enum sd_caplet { SD_CAPLET_NONE = 0, SD_CAPLET_SPELL, SD_CAPLET_ICON } sd_caplet;

/* Bits of sd_settings.changed */
enum {
    SD_SET_RATE = 1u << 0,
    SD_SET_PITCH = 1u << 1,
    SD_SET_PITCH_RANGE = 1u << 2,
    SD_SET_VOLUME = 1u << 3,
    SD_SET_PUNCT = 1u << 4,
    SD_SET_SPELLING = 1u << 5,
    SD_SET_CAPLET = 1u << 6,
    SD_SET_VOICE = 1u << 7,
    SD_SET_LANGUAGE = 1u << 8,
    SD_SET_SYNTH_VOICE = 1u << 9
};

typedef struct sd_settings {
    int rate, pitch, pitch_range, volume; /* -100..100 */
    sd_punct punctuation_mode;
    int spelling_mode; /* 0 off, 1 on */
    sd_caplet cap_let_recogn;
    char voice[32];            /* voice type, lower case: male1 ... child_female */
    char language[32];         /* e.g. "kk" */
    char synthesis_voice[64];  /* "" when the server sent NULL */
    unsigned changed;          /* SD_SET_* bits set since the caller last cleared it */
} sd_settings;

typedef enum sd_cmd_type {
    SD_CMD_NONE = 0,    /* nothing to do (inside a block, or only a reply) */
    SD_CMD_INIT,
    SD_CMD_SPEAK,       /* SSML text */
    SD_CMD_CHAR,
    SD_CMD_KEY,
    SD_CMD_SOUND_ICON,
    SD_CMD_STOP,
    SD_CMD_PAUSE,
    SD_CMD_LIST_VOICES,
    SD_CMD_SET,         /* settings were applied to parser->settings (see .changed) */
    SD_CMD_AUDIO,       /* audio settings accepted: reply is 203 OK AUDIO INITIALIZED */
    SD_CMD_LOGLEVEL,
    SD_CMD_DEBUG,       /* debug_on, text = file name (ON) */
    SD_CMD_QUIT
} sd_cmd_type;

typedef enum sd_state {
    SD_ST_IDLE = 0,
    SD_ST_SPEAK,        /* collecting message lines */
    SD_ST_PARAMS        /* collecting key=value lines */
} sd_state;

typedef struct sd_parser {
    sd_state state;
    sd_cmd_type block;      /* the command whose block is being read */
    ks_buf text;            /* message being collected */
    int nlines;
    int too_long;           /* 1: the message outgrew SD_MAX_MESSAGE; 2: one of its lines was skipped */
    const char *param_err;  /* first error reply of the block being read */
    sd_settings settings;   /* current settings (SET applies here) */
    int log_level;
    int audio_server;       /* audio_output_method=server was accepted */
} sd_parser;

typedef struct sd_result {
    sd_cmd_type cmd;       /* completed command, or SD_CMD_NONE */
    const char *reply;     /* reply line to send now (no newline), or NULL */
    const char *why;       /* with a 3xx reply: the reason, for the log; else NULL */
    const char *text;      /* SPEAK/CHAR/KEY/SOUND_ICON data, DEBUG file; NUL-terminated */
    size_t text_len;
    int debug_on;
} sd_result;

/* Default settings (what speech-dispatcher starts from): all 0, punctuation
 * none, spelling off, cap_let_recogn none, voice male1, language kk. */
void sd_settings_defaults(sd_settings *s);

void sd_parser_init(sd_parser *p);
void sd_parser_free(sd_parser *p);
/* Feed one line without its '\n' (a trailing '\r' is ignored).  Fills *res;
 * res->text points into the parser and stays valid until the next call. */
void sd_parser_line(sd_parser *p, const char *line, size_t len, sd_result *res);

/* The caller could not keep a line (it was longer than its input buffer) and
 * skipped it up to its newline: a message being read is refused at its "."
 * (301), a settings block answers 303, an idle line 300.  Fills *res like
 * sd_parser_line. */
void sd_parser_line_skipped(sd_parser *p, sd_result *res);

/* ---------------------------------------------------------------- queue
 * Messages that arrive while one is being spoken wait here, in order, each
 * with the settings that were in force when it arrived.  Bounded by count and
 * by bytes so a flood cannot take the memory. */
#define SD_QUEUE_MAX 32
#define SD_QUEUE_BYTES ((size_t)2 * SD_MAX_MESSAGE)

typedef struct sd_message {
    sd_cmd_type type;      /* SPEAK, CHAR, KEY or SOUND_ICON */
    char *text;            /* NUL-terminated; owned (free() it after sd_queue_pop) */
    size_t len;
    sd_settings settings;
} sd_message;

typedef struct sd_queue {
    sd_message item[SD_QUEUE_MAX];
    size_t head, count;
    size_t bytes;          /* sum of the queued messages' len */
} sd_queue;

void sd_queue_init(sd_queue *q);
/* Copy a message to the end of the queue.  0, or -1 with the reason in why
 * (full by count, full by bytes, out of memory); the queue is then unchanged. */
int sd_queue_push(sd_queue *q, sd_cmd_type type, const char *text, size_t len, const sd_settings *s,
                  char *why, size_t why_len);
/* Move the oldest message to *m (the caller then owns m->text).  0 when empty, else 1. */
int sd_queue_pop(sd_queue *q, sd_message *m);
/* Drop every queued message; returns how many there were. */
size_t sd_queue_clear(sd_queue *q);

/* Apply one "key=value" setting; returns 0, or -1 for an unknown key or a bad value. */
int sd_settings_set(sd_settings *s, const char *key, const char *value);

/* speech-dispatcher -100..100 onto kazspeak ranges, relative to the voice's own value:
 * 0 keeps `base`; -100 gives the low end, +100 the high end. */
int sd_map_rate(int value, int base);   /* -100 -> 80 wpm, +100 -> max(3.5 * base, 600), <= 1000 */
int sd_map_pitch(int value, int base);  /* 0..100 (also for the pitch range) */
int sd_map_volume(int value, int base); /* -100 -> 0, 0 -> base, +100 -> 2 * base (<= 200) */

/* Append a complete 705 AUDIO block for `frames` 16-bit mono little-endian
 * samples (frames * 2 must be <= SD_MAX_AUDIO_CHUNK) to `out`. Returns 0 or -1. */
int sd_audio_block(ks_buf *out, const int16_t *pcm, size_t frames, int rate);

/* Decode the HDLC-escaped payload of a 705-AUDIO line (between the NUL and the
 * final '\n').  Returns the number of bytes written to out, or -1 on a bad
 * escape or when out_len is too small. (For tests and fuzzing.) */
long sd_audio_unescape(const char *in, size_t len, unsigned char *out, size_t out_len);

#endif
