/*
 * kazspeak.h - the public API of libkazspeak, a Kazakh text-to-speech reader.
 *
 * Pipeline: UTF-8 text -> sentence splitter -> Kazakh normalizer (lexicon) ->
 * eSpeak NG synthesis (voice profile) -> PCM callback / audio sink. The reader
 * (ks_reader_*) puts the stages together; every front end uses it.
 *
 * Conventions
 *  - Every function that can fail returns ks_status and, when `err` is not
 *    NULL, writes a one-line human-readable message (no trailing newline) into
 *    err->msg, e.g. "lexicon/acronyms.tsv:12: expected 3 columns".
 *  - The library never prints, exits or aborts.
 *  - Objects returned through `**out` are owned by the caller and released
 *    with the matching *_free function; every *_free accepts NULL.
 *  - Strings are UTF-8; lengths are in bytes.
 *  - Objects are not thread-safe; the synthesis engine is process-global
 *    (eSpeak NG), so at most one ks_engine exists per process.
 */
#ifndef KAZSPEAK_H
#define KAZSPEAK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(KS_BUILDING_LIB) && defined(__GNUC__)
#define KS_API __attribute__((visibility("default")))
#else
#define KS_API
#endif

#define KS_VERSION_STRING "0.1.0"

/* ---------------------------------------------------------------- status */

typedef enum ks_status {
    KS_OK = 0,
    KS_ENOMEM,   /* out of memory, or a size cap was reached */
    KS_EINVAL,   /* bad argument or option value */
    KS_EIO,      /* file or stream I/O failed */
    KS_EPARSE,   /* malformed data file or input markup */
    KS_ENOVOICE, /* voice profile or eSpeak voice/variant not found */
    KS_ESYNTH,   /* eSpeak NG reported an error */
    KS_EAUDIO,   /* audio device or encoder error */
    KS_EBUSY,    /* the engine already exists / is in use */
    KS_ENOTSUP,  /* unsupported format or feature */
    KS_ESTOPPED, /* stopped by a callback's request (not an error for callers that asked) */
    KS_STATUS_COUNT
} ks_status;

/* Text for a status code; never NULL. */
KS_API const char *ks_strerror(ks_status st);

typedef struct ks_error {
    char msg[256];
} ks_error;

/* Library version string, e.g. "0.1.0". */
KS_API const char *ks_version(void);

/* ---------------------------------------------------------------- buffer */

/* Growable byte buffer with a size cap and a sticky error (after a failed
 * append every later append is a no-op and `failed` stays set).  A zeroed
 * ks_buf is valid and empty with the default cap (256 MiB).  `data` is always
 * NUL-terminated when non-NULL. */
typedef struct ks_buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max; /* 0 = default cap */
    int failed;
} ks_buf;

KS_API void ks_buf_init(ks_buf *b, size_t max);
KS_API int ks_buf_append(ks_buf *b, const char *s, size_t n); /* 0 ok, -1 failed */
KS_API int ks_buf_puts(ks_buf *b, const char *s);
KS_API int ks_buf_putc(ks_buf *b, char c);
KS_API void ks_buf_reset(ks_buf *b); /* len = 0, keeps memory, clears failed */
KS_API void ks_buf_free(ks_buf *b);

/* ---------------------------------------------------------------- lexicon */

/* The open word classes of the normalizer (acronyms, abbreviations, units,
 * currencies, pronunciation overrides), loaded from TSV files. Later loads
 * add to and override earlier entries. */
typedef struct ks_lexicon ks_lexicon;

KS_API ks_status ks_lexicon_new(ks_lexicon **out, ks_error *err);
/* Load every *.tsv file of `dir` (sorted by name). */
KS_API ks_status ks_lexicon_load_dir(ks_lexicon *lex, const char *dir, ks_error *err);
/* Load one file; its kind is taken from its header line (see lexicon/README). */
KS_API ks_status ks_lexicon_load_file(ks_lexicon *lex, const char *path, ks_error *err);
/* Load from memory; `name` is used in error messages. */
KS_API ks_status ks_lexicon_load_buffer(ks_lexicon *lex, const char *name, const char *data,
                                        size_t len, ks_error *err);
KS_API void ks_lexicon_free(ks_lexicon *lex);

/* ---------------------------------------------------------------- normalizer */

typedef struct ks_normalizer ks_normalizer;

/* --explain hook: called once per rewrite, in input order. `span` is the
 * original input bytes, `rule` a short rule name ("year", "acronym", ...),
 * `words` what it became. */
typedef void (*ks_explain_fn)(const char *span, size_t span_len, const char *rule,
                              const char *words, size_t words_len, void *user);

/* The lexicon must outlive the normalizer; it may be NULL (built-in tables only). */
KS_API ks_status ks_normalizer_new(ks_normalizer **out, const ks_lexicon *lex, ks_error *err);
KS_API void ks_normalizer_set_explain(ks_normalizer *n, ks_explain_fn fn, void *user);
/* Normalize `len` bytes of text (one line or one sentence; newlines are kept
 * as they are) and APPEND the result to `out`.  Invalid UTF-8 sequences become
 * U+FFFD; *bad_offset (when not NULL) receives the byte offset of the first
 * invalid sequence or (size_t)-1 when the input was valid.  NUL is treated as
 * a space.  Literal "[[" in the input never reaches the output as "[[". */
KS_API ks_status ks_normalize(ks_normalizer *n, const char *utf8, size_t len, ks_buf *out,
                              size_t *bad_offset, ks_error *err);
KS_API void ks_normalizer_free(ks_normalizer *n);

/* Sentence splitting for streaming: return the length in bytes of the first
 * complete sentence in text[0..len) including its terminator and trailing
 * spaces, or 0 when no sentence end was seen yet (more input needed).  A
 * sentence ends at . ! ? … followed by space/quote/bracket, and at a blank
 * line, but never inside an abbreviation (т.б., проф., қ.), a decimal, a
 * time, or initials.  With `at_eof` the whole remaining text is a sentence.
 * When no end is found within `max_len` bytes the text is cut at the last
 * space (or UTF-8 boundary) before max_len so memory stays bounded. */
KS_API size_t ks_sentence_split(const char *text, size_t len, int at_eof, size_t max_len);

/* ---------------------------------------------------------------- voices */

#define KS_MAX_VOICE_LEXICONS 8

/* The ranges of the voice parameters (eSpeak NG's own limits, kept in one place). */
#define KS_RATE_MIN 80      /* words per minute; above 450 eSpeak NG's speed-up is used */
#define KS_RATE_MAX 1000
#define KS_PITCH_MAX 100
#define KS_RANGE_MAX 100
#define KS_VOLUME_MAX 200
#define KS_WORDGAP_MAX 100  /* units of 10 ms */

/* A voice profile, as read from voices/NAME.voice. */
typedef struct ks_voice {
    char name[64];
    char espeak[64];  /* eSpeak voice and optional variant: "kk", "kk+f3" */
    int rate;         /* words per minute, KS_RATE_MIN..KS_RATE_MAX */
    int pitch;        /* 0..100 */
    int range;        /* 0..100 */
    int volume;       /* 0..200 */
    int wordgap;      /* units of 10 ms, 0..100 */
    int n_lexicons;
    char lexicons[KS_MAX_VOICE_LEXICONS][512]; /* extra lexicon files (absolute, or resolved against the voice file's folder) */
    char file[512];   /* the file it was read from ("" for defaults), for error messages */
    int espeak_line;  /* line of the `espeak` key in that file (0 if none) */
} ks_voice;

/* Defaults: espeak "kk", rate 175, pitch 50, range 50, volume 100, wordgap 0. */
KS_API void ks_voice_defaults(ks_voice *v);
/* Parse a .voice file. Unknown keys and bad values are KS_EPARSE "file:line: ...".
 * Like lexicons: a regular file (not FIFO/device/directory), <= 16 MiB, no NUL; BOM and CRLF accepted; a repeated key or a `lexicon` line naming a missing or non-regular file is an error at its file:line. */
KS_API ks_status ks_voice_load_file(ks_voice *v, const char *path, ks_error *err);
KS_API ks_status ks_voice_load_buffer(ks_voice *v, const char *name, const char *data, size_t len,
                                      ks_error *err);
/* Resolve NAME (voices/NAME.voice under data_dir) or a path (contains '/' or ends in .voice). */
KS_API ks_status ks_voice_find(ks_voice *v, const char *data_dir, const char *name_or_path,
                               ks_error *err);

/* ---------------------------------------------------------------- data folders */

/* Find kazspeak's data: `root` receives the folder holding voices/ and
 * lexicon/, `espeak` kazspeak's own eSpeak NG data folder. Lookup order:
 * `explicit_dir` (when not NULL), $KAZSPEAK_DATA, the source tree when the
 * running program lives in the build tree, then the install prefix. */
KS_API ks_status ks_data_find(const char *explicit_dir, char *root, size_t root_len, char *espeak,
                              size_t espeak_len, ks_error *err);

/* The user's own lexicon: $XDG_CONFIG_HOME/kazspeak/lexicon.tsv, else
 * $HOME/.config/kazspeak/lexicon.tsv. Returns 1 when a path was written to buf
 * (the file may not exist), 0 when neither variable is set or buf is too small. */
KS_API int ks_user_lexicon_path(char *buf, size_t n);

/* ---------------------------------------------------------------- engine */

typedef struct ks_engine ks_engine;

/* Called with each block of 16-bit mono PCM at ks_engine_sample_rate().
 * Return non-zero to stop synthesis (ks_engine_speak then returns KS_ESTOPPED). */
typedef int (*ks_pcm_fn)(const int16_t *pcm, size_t frames, void *user);

typedef enum ks_event_type {
    KS_EVENT_SENTENCE = 1, /* a sentence starts */
    KS_EVENT_WORD,         /* a word starts */
    KS_EVENT_MARK,         /* an SSML <mark name=...> was reached */
    KS_EVENT_END           /* the text given to ks_engine_speak is finished */
} ks_event_type;

typedef struct ks_event {
    ks_event_type type;
    uint64_t sample;    /* position in samples from the start of this speak call */
    size_t text_offset; /* byte offset in the text given to ks_engine_speak */
    size_t text_len;    /* byte length of the word (WORD), else 0 */
    const char *name;   /* MARK name, else NULL */
} ks_event;

/* Called before the PCM that follows the event. Return non-zero to stop. */
typedef int (*ks_event_fn)(const ks_event *ev, void *user);

enum {
    KS_SPEAK_SSML = 1u << 0,     /* text is SSML (eSpeak's SSML subset) */
    KS_SPEAK_PHONEMES = 1u << 1, /* honour [[phonemes]] in the text (normalizer output) */
    KS_SPEAK_FINAL = 1u << 2     /* the last utterance of a text: KS_PARAM_FINAL_PAUSE 0 drops its end pause */
};

/* `espeak_data` is kazspeak's own eSpeak NG data folder (the one holding
 * phontab and kk_dict). Only one engine may exist per process (KS_EBUSY). */
KS_API ks_status ks_engine_new(ks_engine **out, const char *espeak_data, ks_error *err);
KS_API ks_status ks_engine_set_voice(ks_engine *e, const ks_voice *v, ks_error *err);
/* Override one parameter of the current voice (same ranges as ks_voice), or set
 * one of the engine's options:
 *  KS_PARAM_CAPITALS     eSpeak NG's -k: 0 off (default), 1 a sound before a capital letter,
 *                        2 the word "capital", 3..KS_CAPITALS_MAX a rise in pitch of that size;
 *                        it stays across ks_engine_set_voice.
 *  KS_PARAM_FINAL_PAUSE  1 (default): every utterance ends with eSpeak's sentence pause;
 *                        0: not the one spoken with KS_SPEAK_FINAL (eSpeak NG's -z). */
typedef enum ks_param {
    KS_PARAM_RATE, KS_PARAM_PITCH, KS_PARAM_RANGE, KS_PARAM_VOLUME, KS_PARAM_WORDGAP,
    KS_PARAM_CAPITALS, KS_PARAM_FINAL_PAUSE,
    KS_PARAM_COUNT
} ks_param;
#define KS_CAPITALS_MAX 100
#define KS_PUNCT_MAX 64
KS_API ks_status ks_engine_set_param(ks_engine *e, ks_param p, int value, ks_error *err);
KS_API int ks_engine_get_param(const ks_engine *e, ks_param p);
KS_API int ks_engine_sample_rate(const ks_engine *e);
/* Say the names of punctuation characters (eSpeak NG's --punct): NULL none (default),
 * "" all, else the UTF-8 characters listed (at most KS_PUNCT_MAX). eSpeak NG's Kazakh
 * voice names them in English ("comma"). KS_EINVAL for a bad list. */
KS_API ks_status ks_engine_set_punctuation(ks_engine *e, const char *chars, ks_error *err);
/* 1: every ks_engine_speak runs in a child process forked from the engine,
 * so an utterance's audio never depends on what was spoken before it (eSpeak NG keeps
 * state from one synthesis to the next: pitch flutter phase, gain control, the
 * previous clause's prosody; no call resets it). The same text then gives the same
 * samples in every process and at every point of a reading. The callbacks still run
 * in the calling process and thread; a stop kills the child. The program turns it
 * on (-j N gives the samples of -j 1; what plays is what -w writes). 0 (default):
 * synthesize in this process (no fork, fit for a multi-threaded host; successive
 * utterances then vary by a few hundred samples). */
KS_API void ks_engine_set_isolated(ks_engine *e, int on);
/* Synthesize already-normalized text. pcm and ev may be NULL. Synchronous:
 * returns when done or when a callback asked to stop (KS_ESTOPPED). */
KS_API ks_status ks_engine_speak(ks_engine *e, const char *text, size_t len, unsigned flags,
                                 ks_pcm_fn pcm, ks_event_fn ev, void *user, ks_error *err);
/* Append eSpeak's phoneme mnemonics (ipa = 0) or IPA (ipa = 1) for text, one clause per line. */
KS_API ks_status ks_engine_phonemes(ks_engine *e, const char *text, size_t len, int ipa, ks_buf *out,
                                    ks_error *err);
KS_API void ks_engine_free(ks_engine *e);

/* ---------------------------------------------------------------- audio sinks */

typedef struct ks_sink ks_sink;

typedef enum ks_format {
    KS_FORMAT_NONE = 0, KS_FORMAT_WAV, KS_FORMAT_FLAC, KS_FORMAT_OGG, KS_FORMAT_OPUS, KS_FORMAT_MP3
} ks_format;

/* Format from a file name's extension (case-insensitive); KS_FORMAT_NONE if unknown. */
KS_API ks_format ks_format_from_path(const char *path);
KS_API const char *ks_format_list(void); /* "wav, flac, ogg, opus, mp3" */

/* Audio file. Written to a temporary file in the same folder and renamed onto
 * `path` only by a successful ks_sink_close(); ks_sink_abort() (or a failed
 * close) removes the temporary file. `rate` is the input sample rate. */
KS_API ks_status ks_sink_file_open(ks_sink **out, const char *path, ks_format fmt, int rate,
                                   ks_error *err);

/* What a finished audio file got (ks_file_options.report, filled by a successful
 * ks_sink_close). Loudness fields are meaningful only when loudness scaling was asked
 * for; -HUGE_VAL LUFS means silence (nothing to measure). */
typedef struct ks_file_report {
    double measured_lufs;  /* EBU R128 integrated loudness of the speech as synthesized */
    double final_lufs;     /* the same, measured again on what was encoded */
    double gain_db;        /* gain applied to reach the target (before the limiter) */
    double true_peak_dbtp; /* true peak of what was encoded */
    int limited;           /* the true-peak limit lowered the gain in places */
} ks_file_report;

/* Options of an audio file; all-zero (or NULL) means every default. Defaults, chosen
 * for speech: MP3 64 kbit/s constant bit rate, mono, with a LAME/Info header (length,
 * gapless); Ogg Vorbis quality 3 (about 45 kbit/s at 22 kHz); Opus 32 kbit/s VBR at
 * 24 kHz; WAV and FLAC are 16-bit PCM (lossless: quality and bitrate do not apply). */
typedef struct ks_file_options {
    int quality;  /* 1..10, higher is better, 0 = default: MP3 VBR (LAME -V 10-q), Vorbis
                     quality q/10, Opus 8+4q kbit/s VBR. Not together with bitrate. */
    int bitrate;  /* kbit/s, 0 = default: MP3 constant bit rate (8..160 at 22 kHz), Opus
                     target (6..256); Ogg Vorbis takes quality only (KS_EINVAL). */
    /* UTF-8 tags, NULL or "" for none: WAV LIST/INFO (INAM IART IPRD ICRD ICMT), FLAC,
       Vorbis and Opus comments (TITLE ARTIST ALBUM DATE COMMENT), MP3 ID3v2.4 (TIT2
       TPE1 TALB TDRC COMM). The strings are copied by ks_sink_file_open_with(). */
    const char *title, *artist, *album, *date, *comment;
    /* Loudness: when nonzero, the speech is measured (EBU R128 integrated, libebur128)
       and scaled to this many LUFS (e.g. -16 for speech podcasts, -23 for broadcast),
       with the true peak held at or below true_peak dBTP by a look-ahead limiter. Two
       passes: the PCM is kept in an unnamed temporary file next to `path` until
       ks_sink_close() measures, scales and encodes it. Range -70..-5. */
    double loudness;
    double true_peak;       /* ceiling in dBTP, -9..0; 0 = default -1.0 */
    ks_file_report *report; /* filled by a successful ks_sink_close(); may be NULL */
} ks_file_options;

/* ks_sink_file_open with options (`o` may be NULL). Compressed formats are encoded on
 * a thread of the sink's own while the caller goes on synthesizing; ks_sink_write()
 * returns an encoder failure at the next call, ks_sink_close() waits for the encoder. */
KS_API ks_status ks_sink_file_open_with(ks_sink **out, const char *path, ks_format fmt, int rate,
                                        const ks_file_options *o, ks_error *err);
/* Streamed WAV (header with unknown length) on a file descriptor, e.g. stdout. */
KS_API ks_status ks_sink_wav_stream_open(ks_sink **out, int fd, int rate, ks_error *err);
/* Raw PCM collected in memory (tests, speech-dispatcher). */
KS_API ks_status ks_sink_memory_open(ks_sink **out, int rate, ks_error *err);
KS_API const int16_t *ks_sink_memory_data(const ks_sink *s, size_t *frames);

KS_API ks_status ks_sink_write(ks_sink *s, const int16_t *pcm, size_t frames, ks_error *err);
KS_API uint64_t ks_sink_frames(const ks_sink *s); /* frames written so far (at input rate) */
/* Finish: flush, close, commit. Frees the sink in every case. */
KS_API ks_status ks_sink_close(ks_sink *s, ks_error *err);
/* Discard: stop, remove temporary files. Frees the sink; NULL is a no-op. */
KS_API void ks_sink_abort(ks_sink *s);

/* Remove every temporary file this process's file sinks have open right now.
 * Async-signal-safe (only unlink(2)); call from a SIGINT/SIGTERM handler. */
KS_API void ks_sink_cleanup_signal(void);

/* ---------------------------------------------------------------- Latin script and SSML */

/* Which script the input text is written in. AUTO transliterates only the words
 * that look like Kazakh Latin (letters such as ä ğ ı ñ ö ş ū ü, á ǵ ń ó ú ý, a' g' n',
 * a q not followed by u, or plain words in a sentence that has such words) and leaves
 * names such as Apple, Reuters, Microsoft, acronyms and Cyrillic text untouched. */
typedef enum ks_script { KS_SCRIPT_AUTO = 0, KS_SCRIPT_CYRL, KS_SCRIPT_LATN } ks_script;

/* "auto", "cyrl", "latn" (case-insensitive) -> *out; KS_EINVAL otherwise. */
KS_API ks_status ks_script_parse(const char *name, ks_script *out);

/* Kazakh Latin -> Cyrillic transliterator: the 2021 alphabet (ä ğ ı ñ ö ş ū ü), the
 * 2018 acute-accent alphabet (á ǵ ń ó ú ý ı, sh ch) and the 2017 apostrophe alphabet
 * (a' g' i' n' o' u' y' s' c'). Immutable after creation (may be shared). */
typedef struct ks_translit ks_translit;

/* Load the tables of `tables_dir` (the folder lexicon/latin: 2021.tsv, 2018.tsv,
 * 2017.tsv and the optional keep.tsv). Bad lines are KS_EPARSE "path:line: ...". */
KS_API ks_status ks_translit_new(ks_translit **out, const char *tables_dir, ks_error *err);
/* Transliterate `len` bytes and APPEND the result to `out`. CYRL copies the text
 * unchanged; LATN converts every Latin word except the keep list; AUTO decides per
 * word. Case is kept (Qazaqstan -> Қазақстан, QAZAQ -> ҚАЗАҚ); digits, punctuation,
 * Cyrillic and invalid UTF-8 bytes are copied as they are. */
KS_API ks_status ks_translit_run(const ks_translit *t, ks_script mode, const char *in, size_t len,
                                 ks_buf *out, ks_error *err);
KS_API void ks_translit_free(ks_translit *t);

/* SSML -> the SSML subset eSpeak NG reads, for ks_engine_speak(..., *speak_flags, ...).
 * Elements: speak (root), p, s, break (time, strength), prosody (rate, pitch, volume),
 * emphasis (level), mark (name), sub (alias), phoneme (alphabet="espeak": ph becomes
 * [[ph]] and the content is dropped; other alphabets: the content is read), say-as
 * (interpret-as characters|spell-out, cardinal|number, ordinal, digits, date
 * [format dmy|mdy|ymd|dm|md|ym|my|y|m|d], time, telephone) spelled by kazspeak's Kazakh
 * rules; voice, lang, audio are transparent; desc, metadata, lexicon, meta are
 * skipped. Text nodes (and sub aliases) are transliterated with `tr` (when not NULL,
 * using `script`) and normalized with `n` (when not NULL), then XML-escaped.
 * The result is APPENDED to `out`. *speak_flags (when not NULL) receives
 * KS_SPEAK_SSML, plus KS_SPEAK_PHONEMES when a <phoneme> was emitted as [[...]].
 * Malformed input is KS_EPARSE "line L, column C: ..." (column in characters).
 * Linear time; nesting deeper than 64 elements is an error. */
KS_API ks_status ks_ssml_to_espeak(ks_normalizer *n, const ks_translit *tr, ks_script script,
                                   const char *in, size_t len, ks_buf *out,
                                   unsigned *speak_flags, ks_error *err);


/* ---------------------------------------------------------------- text preparation */

/* What every reader does to a piece of text before eSpeak NG hears it: Latin-script
 * Kazakh transliterated (per `script`, only when the text has Latin letters and `tr`
 * is not NULL), then normalized with `n`. The result is APPENDED to `out`.
 * *bad_offset (when not NULL) receives the byte offset in `text` of the first invalid
 * UTF-8 sequence, or (size_t)-1. With `n` NULL the text is copied (after
 * transliteration) as it is. */
KS_API ks_status ks_text_prepare(ks_normalizer *n, const ks_translit *tr, ks_script script, const char *text,
                                 size_t len, ks_buf *out, size_t *bad_offset, ks_error *err);

/* ---------------------------------------------------------------- reader
 *
 * The reading pipeline every front end uses: text in -> sentences -> Latin script
 * -> Kazakh words -> eSpeak NG -> a sink, with events on the way.
 *
 *     ks_reader_options o;  ks_reader_options_init(&o);  o.normalizer = norm;
 *     ks_reader_callbacks cb = {on_event, NULL, NULL, my_state};
 *     ks_reader *r;  ks_reader_new(&r, engine, sink, &o, &cb, &err);
 *     while ((n = read(fd, buf, sizeof buf)) > 0)
 *         ks_reader_feed(r, buf, n, &err);     speaks each sentence as soon as it is complete
 *     ks_reader_finish(r, &err);               end of input: speaks the rest
 *     ks_reader_free(r);  ks_sink_close(sink, &err);
 *
 * Ownership: the reader borrows the engine, the sink, the normalizer and the
 * transliterator (they must outlive it; the caller closes the sink). It copies the
 * options and callbacks. Text passed to feed/speak is copied as needed.
 *
 * Threads: feed, flush, finish and speak synthesize in the calling thread and
 * return when done (one thread owns the reader, the engine and the sink).
 * ks_reader_cancel, ks_reader_pause, ks_reader_resume and ks_reader_paused may be
 * called from any thread, also from inside a callback. A stop takes effect at the
 * next block of at most `slice_ms` of audio. */

typedef struct ks_reader ks_reader;

/* ---- languages: Kazakh, Russian and Latin-script (English) spans
 *
 * Kazakh texts quote Russian («Комсомольская правда»), official pages alternate
 * Kazakh and Russian paragraphs. With KS_LANG_AUTO the reader splits each sentence
 * into spans - the sentence itself, and inside it each quotation « » " " „ “ and
 * parenthesis - and gives each span a language from its evidence: Kazakh-only
 * letters (ә ғ қ ң ө ұ ү һ і), Kazakh and Russian function words, Russian-only
 * endings and spellings (word lists in lexicon/lang/). A span without evidence
 * (a name, a number) takes the language of the span around it, a sentence without
 * any that of the sentence before. An unquoted Russian name inside a Kazakh
 * sentence stays Kazakh (it takes Kazakh suffixes). Latin-script spans that are
 * not Kazakh Latin are English. Kazakh spans are prepared as always
 * (ks_text_prepare), Russian spans by ks_ru_normalize and spoken with eSpeak NG's
 * `ru` voice, English spans as they are with `en`, all at the voice's rate, pitch,
 * range, volume and variant. */
typedef enum ks_lang {
    KS_LANG_KK = 0, /* Kazakh (Cyrillic, or Latin transliterated) */
    KS_LANG_RU,     /* Russian */
    KS_LANG_EN,     /* English / other Latin-script text */
    KS_LANG_AUTO    /* decide per span */
} ks_lang;

/* "auto", "kk", "ru", "en" (case-insensitive; also "kk-KZ", "ru_RU", "en-US" ...,
 * "kaz", "rus", "eng") -> *out; KS_EINVAL otherwise. */
KS_API ks_status ks_lang_parse(const char *name, ks_lang *out);
/* "kk", "ru", "en" or "auto"; never NULL. */
KS_API const char *ks_lang_name(ks_lang l);

/* The word lists of the language detector (immutable once loaded; may be shared). */
typedef struct ks_langid ks_langid;
/* Load every *.tsv of `dir` (the folder lexicon/lang); `dir` NULL gives an empty
 * detector (letters only). Bad lines are KS_EPARSE "path:line: ...". */
KS_API ks_status ks_langid_new(ks_langid **out, const char *dir, ks_error *err);
/* One list from memory: the first non-comment line is `@kind<TAB>KIND` with KIND
 * ru_words, ru_endings, ru_stems, kk_words or kk_endings; then one lower-case word
 * (or ending, or word start) a line. */
KS_API ks_status ks_langid_load_buffer(ks_langid *m, const char *name, const char *data, size_t len,
                                       ks_error *err);
KS_API void ks_langid_free(ks_langid *m);

typedef struct ks_lang_span {
    size_t offset, len; /* bytes of the text given */
    ks_lang lang;       /* KS_LANG_KK, KS_LANG_RU or KS_LANG_EN */
} ks_lang_span;

/* Split one sentence text[0..len) into language spans covering all of it, in order,
 * adjacent spans of one language merged. `context` (KK, RU or EN) is the language a
 * sentence without evidence takes (the previous sentence's). `m` and `tr` may be
 * NULL (`tr` recognises Kazakh Latin words without special letters). Writes at most
 * `max` spans and returns how many there are (call again with more room when larger;
 * at least 1 for a non-empty text). */
KS_API size_t ks_lang_spans(const ks_langid *m, const ks_translit *tr, ks_lang context, const char *text,
                            size_t len, ks_lang_span *out, size_t max);
/* The language most of a sentence's spans are in (by bytes): what the next sentence
 * gets as its context. */
KS_API ks_lang ks_lang_main(const ks_lang_span *sp, size_t n);

/* The small Russian normalizer for Russian spans: years and dates with their case
 * ("в 2020 году" -> "в две тысячи двадцатом году", "3 июня 2020 года"), centuries,
 * percentages, ranges, currency signs ($ € ₽ ₸), "№", decimals, hyphenated ordinals
 * ("5-й"), times; other cardinals are left to eSpeak NG's `ru` voice. The result is
 * APPENDED to `out`. Invalid UTF-8 is copied as U+FFFD; "[[" never reaches the output. */
KS_API ks_status ks_ru_normalize(const char *text, size_t len, ks_buf *out, ks_error *err);

/* --normalize / --explain with languages: text[0..len) (one line) split into
 * sentences and spans (`lang` AUTO) or taken as one language; Kazakh spans go through
 * ks_text_prepare, Russian ones through ks_ru_normalize, English ones are copied.
 * The results are APPENDED to `out` in order; `span_fn` (may be NULL) is called
 * for each span with its original bytes, language and prepared text. `*context`
 * carries the language from one call to the next (initialise it to KS_LANG_KK). */
typedef void (*ks_span_fn)(const char *span, size_t span_len, ks_lang lang, const char *prepared,
                           size_t prepared_len, void *user);
KS_API ks_status ks_text_prepare_lang(ks_normalizer *n, const ks_translit *tr, ks_script script,
                                      const ks_langid *m, ks_lang lang, ks_lang *context, const char *text,
                                      size_t len, ks_buf *out, size_t *bad_offset, ks_span_fn span_fn,
                                      void *user, ks_error *err);

typedef enum ks_reader_input {
    KS_READER_TEXT = 0, /* plain text: split into sentences, transliterated, normalized */
    KS_READER_SSML,     /* an SSML document: cut at sentence ends inside text as it arrives (the elements
                           open at a cut are closed and opened again), each piece converted with
                           ks_ssml_to_espeak and spoken as one utterance, so memory stays bounded; an
                           error names its line and column in the whole document */
    KS_READER_ESPEAK    /* text already prepared for eSpeak NG (its SSML subset and [[phonemes]]): each
                           feed/speak call is one utterance, spoken as it is */
} ks_reader_input;

typedef struct ks_reader_options {
    ks_reader_input input;       /* default KS_READER_TEXT */
    ks_normalizer *normalizer;   /* NULL: words are not normalized */
    const ks_translit *translit; /* NULL: no Latin-script transliteration */
    ks_script script;            /* default KS_SCRIPT_AUTO */
    size_t max_sentence;         /* a sentence longer than this (bytes) is cut at a space; default 65536 */
    size_t max_document;         /* KS_READER_SSML: largest piece that cannot be cut (bytes); default 64 MiB */
    unsigned slice_ms;           /* PCM reaches the sink in blocks of at most this; default 10 */
    unsigned espeak_flags;       /* KS_READER_ESPEAK: the KS_SPEAK_* flags the text is spoken with */
    ks_lang lang;                /* default KS_LANG_KK (everything read as Kazakh, as before);
                                    KS_LANG_AUTO: language spans (ks_lang_spans) per sentence;
                                    KS_LANG_RU / KS_LANG_EN: all of it in that language */
    const ks_langid *langid;     /* KS_LANG_AUTO: the word lists (NULL: letters only); borrowed */
    ks_lang context;             /* KS_LANG_AUTO: the language of what came before this reader's text
                                    (a sentence with no evidence of its own follows it); default KK */
} ks_reader_options;

KS_API void ks_reader_options_init(ks_reader_options *o);

typedef enum ks_reader_event_type {
    KS_READER_UTTERANCE_START = 1, /* before the first sample of an utterance (a sentence) */
    KS_READER_WORD,                /* a word starts (normalized text offsets) */
    KS_READER_MARK,                /* an SSML <mark> was reached */
    KS_READER_UTTERANCE_END        /* after the last sample of an utterance, or when it was stopped */
} ks_reader_event_type;

typedef struct ks_reader_event {
    ks_reader_event_type type;
    uint64_t utterance;       /* its number, from 0 */
    const char *text;         /* the utterance's original text (as fed, before any rewriting) */
    size_t text_len;
    uint64_t text_offset;     /* byte offset of `text` in everything fed to this reader */
    const char *normalized;   /* what eSpeak NG reads (normalized text, or eSpeak SSML) */
    size_t normalized_len;
    uint64_t sample;          /* position: frames written to the sink (ks_sink_frames), or, with no
                                 sink, frames handed to the pcm callback so far */
    size_t word_offset;       /* WORD: byte offset and length of the word in `normalized` */
    size_t word_len;
    const char *mark;         /* MARK: the mark's name */
    int stopped;              /* UTTERANCE_END: the utterance was cut short */
    ks_lang lang;             /* WORD, MARK: the language of the span being spoken (KS_LANG_KK,
                                 KS_LANG_RU or KS_LANG_EN); UTTERANCE_START: of its first span */
} ks_reader_event;

typedef struct ks_reader_callbacks {
    /* Every event, in order, in the synthesizing thread. Non-zero stops (as a cancel). */
    int (*event)(const ks_reader_event *ev, void *user);
    /* Each block of PCM before it goes to the sink (or instead of a sink when there is
     * none); `frame` is its position as in ks_reader_event.sample. Non-zero stops. */
    int (*pcm)(const int16_t *pcm, size_t frames, uint64_t frame, void *user);
    /* Called between blocks: a front end reads its keys or its input here. Non-zero
     * stops the utterance (as a cancel). It may call ks_reader_pause/resume/cancel. */
    int (*poll)(void *user);
    void *user;
} ks_reader_callbacks;

/* `sink` may be NULL when callbacks->pcm takes the audio; callbacks may be NULL. The
 * engine's current voice is used (ks_engine_set_voice / ks_engine_set_param apply
 * from the next utterance). */
KS_API ks_status ks_reader_new(ks_reader **out, ks_engine *e, ks_sink *sink, const ks_reader_options *o,
                               const ks_reader_callbacks *cb, ks_error *err);
/* Add input; every sentence it completes is spoken before this returns. KS_ESTOPPED
 * when a cancel, a callback or poll stopped it (what was waiting is dropped). */
KS_API ks_status ks_reader_feed(ks_reader *r, const char *text, size_t len, ks_error *err);
/* The input is idle (a pipe with nothing more to read now): speak what was fed up to
 * the last line end or sentence terminator (. ! ? … followed by a space), without
 * waiting for what follows. An unfinished line stays until more input comes. */
KS_API ks_status ks_reader_flush(ks_reader *r, ks_error *err);
/* End of input: speak everything still waiting. The reader can then be fed again. */
KS_API ks_status ks_reader_finish(ks_reader *r, ks_error *err);
/* One whole text (a line, a message, a sentence chosen by an operator): feed + finish. */
KS_API ks_status ks_reader_speak(ks_reader *r, const char *text, size_t len, ks_error *err);
/* Stop the utterance being spoken within one block, drop the text waiting and, on a
 * playback sink, the audio queued in the device. Text fed afterwards is spoken. */
KS_API void ks_reader_cancel(ks_reader *r);
/* Hold the sound (within one block; a playback sink stops at once and later plays on
 * from where the listener stopped hearing) until ks_reader_resume. */
KS_API void ks_reader_pause(ks_reader *r);
KS_API void ks_reader_resume(ks_reader *r);
KS_API int ks_reader_paused(const ks_reader *r);
/* Bytes of input spoken or dropped so far (the start of what is still waiting). */
KS_API uint64_t ks_reader_consumed(const ks_reader *r);
/* Byte offset (in everything fed) of the first invalid UTF-8 sequence seen, or
 * UINT64_MAX when all was valid; it was read as U+FFFD. */
KS_API uint64_t ks_reader_bad_utf8(const ks_reader *r);
KS_API void ks_reader_free(ks_reader *r);
/* Cutting a large or streaming SSML document into pieces that are SSML documents
 * of their own, so each can be converted and spoken while the rest is still
 * coming (the reader does this for KS_READER_SSML; the speech-dispatcher module
 * for its messages). A cut is made only inside text, after a sentence end (. ! ?
 * … and white space) once a piece has min_piece bytes, or at a space after
 * max_piece bytes (0: never), and only where the innermost open element may be
 * split (speak p s voice prosody emphasis lang); a <mark> right after a sentence
 * end starts a piece (eSpeak NG reports a mark there only at the start of a text).
 * The elements open at a cut are closed at the end of the piece and opened again,
 * attributes and all, at the start of the next. Markup it cannot follow (a stray
 * end tag, nesting deeper than 64) ends the cutting: the rest is one piece. */
typedef struct ks_ssml_cutter ks_ssml_cutter;

KS_API ks_status ks_ssml_cutter_new(ks_ssml_cutter **out, ks_error *err);
/* The length of the next piece at the start of doc[0..len) — the input from the
 * end of the last piece taken — or 0 when more input is needed (with at_eof,
 * the rest is the last piece). */
KS_API size_t ks_ssml_cutter_next(ks_ssml_cutter *c, const char *doc, size_t len, int at_eof, size_t min_piece,
                                  size_t max_piece);
/* APPEND the piece doc[0..n) as a document of its own to out (the last piece is
 * not closed by the cutter: the document closes itself), and move past it. */
KS_API ks_status ks_ssml_cutter_take(ks_ssml_cutter *c, const char *piece, size_t n, int last, ks_buf *out,
                                     ks_error *err);
KS_API void ks_ssml_cutter_free(ks_ssml_cutter *c);

/* ---------------------------------------------------------------- playback (PortAudio)
 * PortAudio is
 * initialised only by these functions and released when the sink is freed.
 * ALSA/JACK start-up messages are silenced (set KAZSPEAK_AUDIO_DEBUG=1 to see
 * them).  All functions must be called from one thread. */

typedef struct ks_audio_device {
    int index;            /* PortAudio device index, for ks_sink_playback_open */
    const char *name;
    const char *host_api; /* "ALSA", "JACK Audio Connection Kit", ... */
    int default_rate;
    int max_channels;
    int is_default;       /* the default output device */
    double high_latency;  /* seconds (the latency kazspeak asks for) */
} ks_audio_device;

typedef void (*ks_device_fn)(const ks_audio_device *d, void *user);

/* Call fn for every output device. KS_EAUDIO when PortAudio cannot start. */
KS_API ks_status ks_playback_list_devices(ks_device_fn fn, void *user, ks_error *err);
/* Resolve "N" (a device index) or a NAME (exact, else a unique case-insensitive
 * part of an output device's name) to a device index. KS_EINVAL when none. */
KS_API ks_status ks_playback_find_device(const char *spec, int *index, ks_error *err);

/* How much of the sound system's chatter to hide: 0 nothing, 1 (default)
 * ALSA's and JACK's error handlers, 2 also stderr (fd 2) during PortAudio's
 * start-up, device opening and shut-down (for programs that own fd 2).
 * KAZSPEAK_AUDIO_DEBUG=1 in the environment shows everything. */
KS_API void ks_playback_set_quiet(int level);

/* Start PortAudio ahead of time (device enumeration takes milliseconds), e.g.
 * in a second thread while the engine loads; the playback functions then find
 * it running.  Release once the sink is open (it keeps its own reference).
 * Only ALSA/JACK handlers are quietened here, never fd 2 (level 2). */
KS_API ks_status ks_playback_warmup(ks_error *err);
KS_API void ks_playback_warmup_release(void);

#define KS_DEVICE_DEFAULT (-1)
/* Playback sink on `device` (KS_DEVICE_DEFAULT for the default output) for
 * mono int16 at `rate`.  Fails with KS_EAUDIO when there is no device or it
 * cannot be opened.  The device is opened at once and started by the first
 * write; ks_sink_close() waits until everything was played; ks_sink_abort()
 * stops at once.  Leading silence is trimmed at the start (see trim_next). */
KS_API ks_status ks_sink_playback_open(ks_sink **out, int device, int rate, ks_error *err);
KS_API int ks_sink_is_playback(const ks_sink *s);
/* The next frames start a new utterance: drop its leading silence (keeping
 * 5 ms before the first audible sample). */
KS_API void ks_playback_trim_next(ks_sink *s);
/* Stop the sound now (queued audio is dropped from the device but kept);
 * ks_playback_resume() plays on from where the listener stopped hearing.
 * A write while paused resumes first. */
KS_API ks_status ks_playback_pause(ks_sink *s, ks_error *err);
KS_API ks_status ks_playback_resume(ks_sink *s, ks_error *err);
KS_API int ks_playback_paused(const ks_sink *s);
/* Drop everything queued, at once (skip, interrupt). Clears a pause. */
KS_API void ks_playback_flush(ks_sink *s);
/* Wait until everything written was played, then stop the device until the
 * next write (end of an utterance when no more text is waiting). */
KS_API ks_status ks_playback_drain(ks_sink *s, ks_error *err);

typedef struct ks_playback_stats_t {
    double first_sound;       /* CLOCK_MONOTONIC seconds when the first audible sample was handed to PortAudio; 0 = not yet */
    double utterance_sound;   /* the same for the current utterance (since the last ks_playback_trim_next) */
    unsigned long underflows; /* writes that reported an output underflow */
    uint64_t device_frames;   /* frames handed to PortAudio (at device_rate) */
    int device_rate;          /* differs from the input rate when resampling */
    double latency;           /* the stream's output latency, seconds */
    int device;               /* PortAudio device index */
} ks_playback_stats_t;
KS_API ks_status ks_playback_stats(const ks_sink *s, ks_playback_stats_t *out);

/* ---- Kazakh words */

/* The Kazakh name of a Cyrillic letter of the Kazakh alphabet, either case, as it is
 * said when a word is spelled (RULES §16): a vowel is itself ("а", "ө"), a consonant
 * takes "ы" ("бы", "қы", "ны"), Ъ/ъ is "айыру белгісі", Ь/ь "жіңішкелік белгісі".
 * NULL for any other code point (Latin letters, digits, punctuation).  The returned
 * string is static UTF-8; the same names are used by the normalizer and SSML. */
KS_API const char *ks_letter_name(uint32_t cp);

#ifdef __cplusplus
}
#endif
#endif /* KAZSPEAK_H */
