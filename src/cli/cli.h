/* cli.h - shared state of the kazspeak program (src/cli/). Uses only the public API. */
#ifndef KS_CLI_H
#define KS_CLI_H
#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "kazspeak/kazspeak.h"

/* Exit statuses (documented in kazspeak.1). */
enum { CLI_EXIT_OK = 0, CLI_EXIT_ERROR = 1, CLI_EXIT_USAGE = 2, CLI_EXIT_NODEVICE = 3 };

#define CLI_MAX_LEXICONS 16
#define CLI_MAX_TEXTS 64

typedef struct cli_opts {
    const char *voice;       /* -v */
    int rate, pitch, amplitude, wordgap; /* -1 = from the voice profile */
    const char *input_file;  /* -f */
    const char *texts[CLI_MAX_TEXTS]; /* text arguments */
    int n_texts;
    const char *wav_file;    /* -w */
    int to_stdout;           /* --stdout */
    int quiet;               /* -q */
    int normalize_only;      /* --normalize */
    int explain;             /* --explain */
    int phonemes;            /* -x: 1 = eSpeak mnemonics, 2 = IPA */
    const char *data_dir;    /* --data-dir */
    const char *lexicons[CLI_MAX_LEXICONS];
    int n_lexicons;
    int no_user_lexicon;     /* --no-user-lexicon */
    int list_voices;         /* --voices */
    ks_script script;        /* --script auto|cyrl|latn (default auto) */
    int ssml;                /* --ssml: the input is SSML */
    ks_lang lang;            /* --lang auto|kk|ru (default auto) */
    int lang_given;          /* --lang was given (the text modes read Kazakh unless it was) */
    /* batch mode and captions (issue 7; batch.c, captions.c) */
    int batch;               /* --batch */
    const char *out_dir;     /* -o, --output-dir */
    int jobs;                /* -j, --jobs: worker processes, 0 = number of cores */
    const char *format;      /* --format: audio format of batch outputs */
    const char *captions;    /* --captions FILE.vtt|FILE.srt (batch mode: vtt|srt) */
    char **argv;             /* the command line after parsing: GNU getopt moves the */
    int opt_end;             /* operands last, so argv[1..opt_end) are the options */
    /* playback and live reading (issue 5; play.c, interactive.c, follow.c) */
    int list_devices;        /* --list-devices */
    const char *device;      /* --device N|NAME */
    int interactive;         /* -i, --interactive */
    int plain;               /* --plain: no cursor movement or colour in -i */
    int follow;              /* --follow */
    int interrupt;           /* --interrupt: with --follow, a new line cuts off the current one */
    /* espeak-ng's flags (main.c) */
    const char *espeak_voice; /* -v kk, -v kk+VARIANT: the default profile with that eSpeak voice */
    const char *punct;       /* --punct[=CHARS]: NULL none, "" all, else the characters */
    int capitals;            /* -k N: 0 off */
    int no_final_pause;      /* -z */
    const char *voices_lang; /* --voices=LANG */
    /* audio files (-w, --batch): quality, tags, loudness (stream.c, batch.c) */
    ks_file_options file;    /* --quality --bitrate --title --artist --album --date --comment --loudness */
} cli_opts;

typedef struct cli_ctx {
    cli_opts opt;
    char data_root[4096];
    char espeak_dir[4096];
    ks_lexicon *lex;
    ks_normalizer *norm;
    ks_translit *translit;   /* Kazakh Latin -> Cyrillic (lexicon/latin) */
    ks_langid *langid;       /* --lang auto: the language word lists (lexicon/lang), loaded by cli_reader_new */
    ks_lang lang_context;    /* --lang auto: the language of the text before the reader's (parallel workers) */
    ks_engine *eng;          /* NULL until needed */
    int bad_utf8_warned;     /* the invalid UTF-8 warning was given */
    ks_voice voice;
    const char *prog;
} cli_ctx;

/* ---------------------------------------------------------------- common.c: what every mode shares */

/* Print "kazspeak: <msg>" on stderr (one line). */
void cli_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* getopt's short option string (main.c parses with it; batch.c passes options on to workers). */
extern const char cli_short_opts[];

/* Set by the SIGINT/SIGTERM/SIGHUP handler; every loop stops when non-zero. */
extern volatile sig_atomic_t cli_signal_received;
void cli_install_signals(void);
/* The exit status after a signal: 128 + N. */
int cli_signal_status(void);

/* Set-up steps (each prints its own error and returns non-zero on failure). */
int cli_load_data(cli_ctx *c);   /* data folders, lexicons, normalizer, transliterator */
int cli_load_engine(cli_ctx *c); /* eSpeak engine + voice profile + overrides */

/* A reader on the engine (loaded first) for this command line's input kind
 * (--ssml, --script), feeding `sink` (may be NULL), with `cb` (may be NULL).
 * Prints its error; 0 ok. */
int cli_reader_new(cli_ctx *c, ks_sink *sink, const ks_reader_callbacks *cb, ks_reader **out);
/* --lang auto: the language word lists (c->langid). Prints its error; 0 ok. */
int cli_load_langid(cli_ctx *c);

/* The sentences an operator moves between (-i, the panel): blank ones left out,
 * a longer one cut at `max` bytes. Returns their number (*out malloc'd, to free),
 * or -1 when out of memory. */
typedef struct cli_sentence {
    size_t off, len;
    int words;
} cli_sentence;
int cli_split_sentences(const char *text, size_t len, size_t max, cli_sentence **out);

/* CLOCK_MONOTONIC seconds, and the program's start on that clock. */
double cli_now(void);
extern double cli_t0;
/* KAZSPEAK_TIMING is set: the playback modes print timing figures on stderr. */
int cli_timing_on(void);

/* Load the engine and open the sound device side by side (PortAudio's device scan
 * takes milliseconds). 0, or an exit status (message printed: CLI_EXIT_NODEVICE
 * when there is no usable device). */
int cli_playback_open(cli_ctx *c, ks_sink **sink);
/* The sound device, then the input (-f FILE, stdin or the arguments). 0, or an exit
 * status (message printed; the device is released again). */
struct cli_input;
int cli_playback_start(cli_ctx *c, ks_sink **sink, struct cli_input *in, ks_buf *args);
/* Close (play out) when rc is CLI_EXIT_OK, else abort; returns the final exit status. */
int cli_playback_finish(ks_sink *sink, int rc);

/* ---------------------------------------------------------------- input.c */

/* Text input: the text arguments, -f FILE, or stdin, as a byte stream. */
typedef struct cli_input {
    FILE *f;
    int owns;
    const char *name;        /* for messages */
    const char *args_text;   /* joined text arguments, when given */
    size_t args_len, args_pos;
    uint64_t total;          /* size in bytes when known, else 0 */
    uint64_t consumed;       /* bytes handed out so far */
    int stream;              /* a pipe, terminal or socket: reads return what is there now */
    uint64_t line_len;       /* bytes since the last line end */
    unsigned long lines;     /* line ends read so far */
} cli_input;

/* The longest line any mode accepts: longer lines are processed in windows, but a
 * "line" this long is not text (/dev/zero): one error for every mode. */
#define CLI_MAX_LINE ((uint64_t)128 << 20)

int cli_input_open(cli_input *in, const cli_opts *o, ks_buf *argbuf);
/* Read up to n bytes; returns bytes read, 0 at EOF, -1 on error (message printed:
 * read errors, and "NAME:N: line longer than 128 MiB"). */
long cli_input_read(cli_input *in, char *dst, size_t n);
/* A stream with nothing more to read at this moment. */
int cli_input_idle(const cli_input *in);
void cli_input_close(cli_input *in);

/* ---------------------------------------------------------------- modes */

/* --normalize / --explain, -x / --ipa: one output line per input line (textmode.c). */
int cli_run_normalize(cli_ctx *c);
int cli_run_phonemes(cli_ctx *c);

/* Read the whole input aloud through a reader: feed what arrives, flush when a
 * stream is idle (so a sentence ended on an open pipe is spoken at once), finish
 * at the end. 0 ok, else an exit status (error printed; 141 when the reader of
 * --stdout went away; 128+N after signal N) (stream.c). */
int cli_read_aloud(cli_ctx *c, cli_input *in, ks_reader *r);

/* -w FILE / --stdout (stream.c), plain playback (play.c), -i (interactive.c),
 * --follow (follow.c), --list-devices (play.c). */
int cli_run_write(cli_ctx *c);
int cli_run_play(cli_ctx *c);
int cli_run_interactive(cli_ctx *c);
int cli_run_follow(cli_ctx *c);
int cli_run_list_devices(void);

/* `kazspeak serve ...` (src/serve/): argv[0] is "serve". Returns the exit status. */
int cli_run_serve(int argc, char **argv);

#endif
