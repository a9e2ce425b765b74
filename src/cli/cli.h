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
    /* batch mode and captions (issue 7; batch.c, captions.c) */
    int batch;               /* --batch */
    const char *out_dir;     /* -o, --output-dir */
    int jobs;                /* -j, --jobs: worker processes, 0 = number of cores */
    const char *format;      /* --format: audio format of batch outputs */
    const char *captions;    /* --captions FILE.vtt|FILE.srt (batch mode: vtt|srt) */
    char **argv;             /* the command line after parsing: GNU getopt moves the */
    int opt_end;             /* operands last, so argv[1..opt_end) are the options */
    const char *short_opts;  /* getopt's option string (batch.c passes options on to workers) */
    /* playback and live reading (issue 5; play.c, interactive.c, follow.c) */
    int list_devices;        /* --list-devices */
    const char *device;      /* --device N|NAME */
    int interactive;         /* -i, --interactive */
    int plain;               /* --plain: no cursor movement or colour in -i */
    int follow;              /* --follow */
    int interrupt;           /* --interrupt: with --follow, a new line cuts off the current one */
} cli_opts;

typedef struct cli_ctx {
    cli_opts opt;
    char data_root[4096];
    char espeak_dir[4096];
    ks_lexicon *lex;
    ks_normalizer *norm;
    ks_translit *translit;   /* Kazakh Latin -> Cyrillic (lexicon/latin) */
    ks_engine *eng;          /* NULL until needed */
    ks_voice voice;
    const char *prog;
} cli_ctx;

/* Print "kazspeak: <msg>" on stderr (one line). */
void cli_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* Set-up steps (each prints its own error and returns non-zero on failure). */
int cli_load_data(cli_ctx *c);   /* data folders, lexicons, normalizer */
int cli_load_engine(cli_ctx *c); /* eSpeak engine + voice profile + overrides */

/* Latin-script transliteration (per --script), then the Kazakh normalizer:
 * APPENDS to `out`. *bad (may be NULL) receives the offset of the first invalid
 * UTF-8 byte in `text`, or (size_t)-1. */
ks_status cli_normalize(cli_ctx *c, const char *text, size_t len, ks_buf *out, size_t *bad, ks_error *err);

/* Text input: the text arguments, -f FILE, or stdin, as a byte stream. */
typedef struct cli_input {
    FILE *f;
    int owns;
    const char *name;        /* for messages */
    const char *args_text;   /* joined text arguments, when given */
    size_t args_len, args_pos;
    uint64_t total;          /* size in bytes when known, else 0 */
    uint64_t consumed;       /* bytes handed out so far */
} cli_input;

int cli_input_open(cli_input *in, const cli_opts *o, ks_buf *argbuf);
/* Read up to n bytes; returns bytes read, 0 at EOF, -1 on error (message printed). */
long cli_input_read(cli_input *in, char *dst, size_t n);
void cli_input_close(cli_input *in);

/* --normalize / --explain: one output line per input line. */
int cli_run_normalize(cli_ctx *c);
/* -x / --ipa: phonemes of the normalized text, one line per input line. */
int cli_run_phonemes(cli_ctx *c);

/* Sentence-by-sentence synthesis of the whole input into a sink. */
typedef struct cli_stream_hooks {
    /* Called for each sentence before it is spoken: original text, normalized
     * text, and the sink's frame count at that moment. */
    void (*on_sentence)(const char *orig, size_t olen, const char *norm, size_t nlen, uint64_t frames,
                        void *user);
    int (*on_event)(const ks_event *ev, uint64_t frames_before, void *user);
    void *user;
    /* Optional: each block of PCM as written; `frame` = the sink's frame count
     * before it (captions find where the sound of a word really starts). */
    void (*on_pcm)(const int16_t *pcm, size_t frames, uint64_t frame, void *user);
} cli_stream_hooks;

/* Returns 0 ok, 1 error (printed), 130/143 when stopped by a signal. */
int cli_speak_stream(cli_ctx *c, cli_input *in, ks_sink *sink, const cli_stream_hooks *hooks, int progress);

/* Write audio to -w FILE or --stdout. */
int cli_run_write(cli_ctx *c);

/* Set by the SIGINT/SIGTERM handler; the synthesis loop stops when non-zero. */
extern volatile sig_atomic_t cli_signal_received;
void cli_install_signals(void);

#endif
