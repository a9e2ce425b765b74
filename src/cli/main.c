/* main.c - the kazspeak program: options and dispatch. Uses only the public API. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utf8proc.h>

#include "batch.h"
#include "captions.h"
#include "cli.h"
#include "play.h"

volatile sig_atomic_t cli_signal_received;

void cli_error(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* Keep it to one line, and no terminal control sequences from file names or text. */
    for (char *p = msg; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
        else if ((unsigned char)*p < 0x20 || *p == 0x7F)
            *p = '?';
    fflush(stdout);
    fprintf(stderr, "kazspeak: %s\n", msg);
}

static void on_signal(int sig)
{
    cli_signal_received = sig;
    ks_sink_cleanup_signal();
}

void cli_install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = (int)SA_RESETHAND; /* a second Ctrl-C kills at once; no SA_RESTART: reads return EINTR */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN); /* write errors come back as EPIPE */
}

static void usage(FILE *f)
{
    fputs("Usage: kazspeak [OPTION]... [TEXT]...\n"
          "Read Kazakh text aloud: the text arguments, -f FILE, or standard input.\n"
          "Numbers, dates, abbreviations and acronyms are read as a Kazakh speaker reads them.\n"
          "\n"
          "Output (default: play through the sound card):\n"
          "  -w, --write FILE      write audio to FILE; format from the extension:\n"
          "                        .wav .flac .ogg .opus .mp3\n"
          "      --stdout          write a WAV stream to standard output (for pipes)\n"
          "      --normalize       print the normalized text, one line per input line; no sound\n"
          "      --explain         with --normalize: also print each rewrite (span, rule, words)\n"
          "  -x                    print eSpeak NG phoneme mnemonics of the normalized text\n"
          "      --ipa             print IPA of the normalized text\n"
          "\n"
          "Input:\n"
          "  -f, --file FILE       read text from FILE ('-' for standard input)\n"
          "      --ssml            the input is SSML (speak p s break prosody emphasis mark sub\n"
          "                        phoneme say-as); text nodes go through the Kazakh normalizer\n"
          "      --script SCRIPT   auto (default): Kazakh words in Latin script (2021, 2018, 2017\n"
          "                        alphabets) are read as Kazakh, names like Apple stay as\n"
          "                        they are; latn: every Latin word is Kazakh; cyrl: none\n"
          "\n"
          "Voice (same meaning as in espeak-ng):\n"
          "  -v, --voice NAME|PATH voice profile: default, news, fast, event, or a .voice file\n"
          "  -s RATE               speed in words per minute, 80..1000 (above 450: eSpeak's speed-up)\n"
          "  -p PITCH              pitch, 0..100\n"
          "  -a AMPLITUDE          volume, 0..200\n"
          "  -g GAP                pause between words in units of 10 ms, 0..100\n"
          "      --voices          list the voice profiles\n"
          "\n"
          "Data:\n"
          "      --lexicon FILE    add a user lexicon (TSV; repeatable). ~/.config/kazspeak/lexicon.tsv\n"
          "                        is read too when present\n"
          "      --no-user-lexicon do not read ~/.config/kazspeak/lexicon.tsv\n"
          "      --data-dir DIR    kazspeak data folder (voices/, lexicon/, espeak-ng-data/)\n"
          "\n"
          "Many files (batch mode) and captions:\n"
          "      --batch           FILE|DIR... one audio file per input text (*.txt in a DIR),\n"
          "                        same base name; outputs newer than their input are skipped\n"
          "  -o, --output-dir DIR  where batch outputs go (created if missing)\n"
          "  -j, --jobs N          worker processes (default: number of cores)\n"
          "      --format FMT      batch audio format: wav flac ogg opus mp3 (default wav)\n"
          "      --captions FILE   with -w: also write captions, FILE.vtt (WebVTT) or FILE.srt;\n"
          "                        with --batch: --captions vtt|srt, one per audio file\n"
          "\n"
          "Playback and live reading:\n"
          "      --list-devices    list the sound output devices (number, name, rate, host API)\n"
          "      --device N|NAME   play through device N or the one whose name contains NAME\n"
          "  -i, --interactive     live reading for events: keys space pause/resume,\n"
          "                        Left/Right previous/next sentence, Up/Down or +/- speed,\n"
          "                        r repeat, q quit; one status line per change\n"
          "      --plain           with -i: no colour or cursor movement (screen readers)\n"
          "      --follow          speak each line of standard input as soon as it arrives;\n"
          "                        an empty line or end of input ends after the queue\n"
          "      --interrupt       with --follow: a new line cuts off the one being spoken\n"
          "\n"
          "  -q, --quiet           no progress bar\n"
          "  -h, --help            show this help\n"
          "      --version         show the version\n"
          "\n"
          "Exit status: 0 success, 1 error, 2 usage error, 3 no sound device (use -w FILE).\n"
          "Examples:\n"
          "  kazspeak \"2020 жылғы 3 маусым\"\n"
          "  kazspeak -v news -f speech.txt -w speech.mp3\n"
          "  kazspeak -f speech.txt -w speech.mp3 --captions speech.vtt\n"
          "  kazspeak --batch -o audio/ --format mp3 texts/\n"
          "  echo \"ҚР-да 5,1%-ға өсті\" | kazspeak --normalize\n",
          f);
}

static int parse_int_opt(const char *name, const char *s, int min, int max, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max) {
        cli_error("%s must be a whole number from %d to %d, not '%s'", name, min, max, s);
        return -1;
    }
    *out = (int)v;
    return 0;
}

enum {
    OPT_STDOUT = 1000, OPT_NORMALIZE, OPT_EXPLAIN, OPT_IPA, OPT_VERSION, OPT_LEXICON, OPT_DATA_DIR,
    OPT_NO_USER_LEXICON, OPT_VOICES,
    OPT_BATCH, OPT_FORMAT, OPT_CAPTIONS,
    OPT_LIST_DEVICES, OPT_DEVICE, OPT_PLAIN, OPT_FOLLOW, OPT_INTERRUPT, OPT_SSML, OPT_SCRIPT
};

static const struct option long_opts[] = {
    {"write", required_argument, NULL, 'w'},
    {"stdout", no_argument, NULL, OPT_STDOUT},
    {"normalize", no_argument, NULL, OPT_NORMALIZE},
    {"explain", no_argument, NULL, OPT_EXPLAIN},
    {"ipa", no_argument, NULL, OPT_IPA},
    {"file", required_argument, NULL, 'f'},
    {"voice", required_argument, NULL, 'v'},
    {"voices", no_argument, NULL, OPT_VOICES},
    {"lexicon", required_argument, NULL, OPT_LEXICON},
    {"no-user-lexicon", no_argument, NULL, OPT_NO_USER_LEXICON},
    {"data-dir", required_argument, NULL, OPT_DATA_DIR},
    {"quiet", no_argument, NULL, 'q'},
    {"batch", no_argument, NULL, OPT_BATCH},
    {"output-dir", required_argument, NULL, 'o'},
    {"jobs", required_argument, NULL, 'j'},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"captions", required_argument, NULL, OPT_CAPTIONS},
    {"list-devices", no_argument, NULL, OPT_LIST_DEVICES},
    {"device", required_argument, NULL, OPT_DEVICE},
    {"interactive", no_argument, NULL, 'i'},
    {"plain", no_argument, NULL, OPT_PLAIN},
    {"follow", no_argument, NULL, OPT_FOLLOW},
    {"interrupt", no_argument, NULL, OPT_INTERRUPT},
    {"ssml", no_argument, NULL, OPT_SSML},
    {"script", required_argument, NULL, OPT_SCRIPT},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

static const char short_opts[] = ":w:f:v:s:p:a:g:xqho:j:i";

static int parse_args(cli_opts *o, int argc, char **argv)
{
    memset(o, 0, sizeof *o);
    o->rate = o->pitch = o->amplitude = o->wordgap = -1;
    int ch;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
        switch (ch) {
        case 'w': o->wav_file = optarg; break;
        case OPT_STDOUT: o->to_stdout = 1; break;
        case OPT_NORMALIZE: o->normalize_only = 1; break;
        case OPT_EXPLAIN: o->explain = 1; o->normalize_only = 1; break;
        case 'x': o->phonemes = 1; break;
        case OPT_IPA: o->phonemes = 2; break;
        case 'f': o->input_file = optarg; break;
        case 'v': o->voice = optarg; break;
        case 's': if (parse_int_opt("-s (rate)", optarg, 80, 1000, &o->rate)) return -1; break;
        case 'p': if (parse_int_opt("-p (pitch)", optarg, 0, 100, &o->pitch)) return -1; break;
        case 'a': if (parse_int_opt("-a (amplitude)", optarg, 0, 200, &o->amplitude)) return -1; break;
        case 'g': if (parse_int_opt("-g (word gap)", optarg, 0, 100, &o->wordgap)) return -1; break;
        case OPT_VOICES: o->list_voices = 1; break;
        case OPT_LEXICON:
            if (o->n_lexicons >= CLI_MAX_LEXICONS) {
                cli_error("at most %d --lexicon options", CLI_MAX_LEXICONS);
                return -1;
            }
            o->lexicons[o->n_lexicons++] = optarg;
            break;
        case OPT_NO_USER_LEXICON: o->no_user_lexicon = 1; break;
        case OPT_DATA_DIR: o->data_dir = optarg; break;
        case 'q': o->quiet = 1; break;
        case OPT_BATCH: o->batch = 1; break;
        case 'o': o->out_dir = optarg; break;
        case 'j': if (parse_int_opt("-j (jobs)", optarg, 1, 1024, &o->jobs)) return -1; break;
        case OPT_FORMAT: o->format = optarg; break;
        case OPT_CAPTIONS: o->captions = optarg; break;
        case OPT_LIST_DEVICES: o->list_devices = 1; break;
        case OPT_DEVICE: o->device = optarg; break;
        case 'i': o->interactive = 1; break;
        case OPT_PLAIN: o->plain = 1; break;
        case OPT_FOLLOW: o->follow = 1; break;
        case OPT_INTERRUPT: o->interrupt = 1; break;
        case OPT_SSML: o->ssml = 1; break;
        case OPT_SCRIPT:
            if (ks_script_parse(optarg, &o->script) != KS_OK) {
                cli_error("--script must be auto, cyrl or latn, not '%s'", optarg);
                return -1;
            }
            break;
        case 'h': usage(stdout); exit(CLI_EXIT_OK);
        case OPT_VERSION:
            printf("kazspeak %s\n", ks_version());
            exit(CLI_EXIT_OK);
        case ':':
            cli_error("option '%s' needs a value (see --help)", argv[optind - 1]);
            return -1;
        default:
            cli_error("unknown option '%s' (see --help)", argv[optind - 1]);
            return -1;
        }
    }
    if (o->interactive && o->follow) {
        cli_error("-i and --follow cannot be used together");
        return -1;
    }
    if ((o->interactive || o->follow || o->device) &&
        (o->wav_file || o->to_stdout || o->normalize_only || o->phonemes || o->batch)) {
        cli_error("-i, --follow and --device play through the sound card: they cannot be combined with -w, "
                  "--stdout, --normalize, -x or --batch");
        return -1;
    }
    if (o->interrupt && !o->follow) {
        cli_error("--interrupt belongs to --follow");
        return -1;
    }
    if (o->follow && optind < argc) {
        cli_error("--follow reads lines from standard input (or -f FILE), not from arguments");
        return -1;
    }
    o->argv = argv;
    o->opt_end = optind;
    o->short_opts = short_opts;
    if (o->batch)
        return batch_check_opts(o, argc - optind);
    if (o->out_dir || o->jobs || o->format) {
        cli_error("-o, -j and --format belong to --batch (for one file use -w FILE.EXT)");
        return -1;
    }
    if (o->captions && !o->wav_file && !o->to_stdout) {
        cli_error("--captions needs -w FILE or --batch");
        return -1;
    }
    if (o->captions && cli_captions_format(o->captions) == CLI_CAPTIONS_NONE) {
        cli_error("--captions %s: the caption file must end in .vtt or .srt", o->captions);
        return -1;
    }
    for (int i = optind; i < argc; i++) {
        if (o->n_texts >= CLI_MAX_TEXTS) {
            cli_error("too many text arguments (at most %d; use -f FILE)", CLI_MAX_TEXTS);
            return -1;
        }
        o->texts[o->n_texts++] = argv[i];
    }
    if (o->n_texts && o->input_file) {
        cli_error("give text arguments or -f FILE, not both");
        return -1;
    }
    if (o->wav_file && o->to_stdout) {
        cli_error("-w and --stdout cannot be used together");
        return -1;
    }
    if (o->normalize_only && (o->wav_file || o->to_stdout || o->phonemes)) {
        cli_error("--normalize makes no sound: it cannot be combined with -w, --stdout, -x or --ipa");
        return -1;
    }
    if (o->ssml && (o->normalize_only || o->phonemes || o->captions || o->follow || o->interactive)) {
        cli_error("--ssml cannot be combined with --normalize, --explain, -x, --ipa, --captions, --follow or -i");
        return -1;
    }
    if (o->phonemes && (o->wav_file || o->to_stdout)) {
        cli_error("-x/--ipa print phonemes: they cannot be combined with -w or --stdout");
        return -1;
    }
    return 0;
}

int cli_load_data(cli_ctx *c)
{
    ks_error err;
    if (ks_data_find(c->opt.data_dir, c->data_root, sizeof c->data_root, c->espeak_dir, sizeof c->espeak_dir,
                     &err) != KS_OK) {
        cli_error("%s", err.msg);
        return -1;
    }
    const char *voice = c->opt.voice ? c->opt.voice : "default";
    if (ks_voice_find(&c->voice, c->data_root, voice, &err) != KS_OK) {
        cli_error("%s", err.msg);
        return -1;
    }
    if (ks_lexicon_new(&c->lex, &err) != KS_OK) {
        cli_error("%s", err.msg);
        return -1;
    }
    char path[4200];
    snprintf(path, sizeof path, "%s/lexicon", c->data_root);
    if (ks_lexicon_load_dir(c->lex, path, &err) != KS_OK) {
        cli_error("%s", err.msg);
        return -1;
    }
    for (int i = 0; i < c->voice.n_lexicons; i++)
        if (ks_lexicon_load_file(c->lex, c->voice.lexicons[i], &err) != KS_OK) {
            cli_error("%s", err.msg);
            return -1;
        }
    if (!c->opt.no_user_lexicon) {
        struct stat st;
        if (ks_user_lexicon_path(path, sizeof path) && stat(path, &st) == 0 &&
            ks_lexicon_load_file(c->lex, path, &err) != KS_OK) {
            cli_error("%s", err.msg);
            return -1;
        }
    }
    for (int i = 0; i < c->opt.n_lexicons; i++)
        if (ks_lexicon_load_file(c->lex, c->opt.lexicons[i], &err) != KS_OK) {
            cli_error("%s", err.msg);
            return -1;
        }
    if (ks_normalizer_new(&c->norm, c->lex, &err) != KS_OK) {
        cli_error("%s", err.msg);
        return -1;
    }
    if (c->opt.script != KS_SCRIPT_CYRL || c->opt.ssml) {
        snprintf(path, sizeof path, "%s/lexicon/latin", c->data_root);
        if (ks_translit_new(&c->translit, path, &err) != KS_OK) {
            cli_error("%s", err.msg);
            return -1;
        }
    }
    return 0;
}

/* Does the text hold a letter of a Latin alphabet (ASCII, or a lead byte of
 * U+00C0..U+024F)? Only then is the transliterator worth running. */
static int has_latin(const char *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)t[i];
        if ((b | 0x20) >= 'a' && (b | 0x20) <= 'z')
            return 1;
        if (b >= 0xC3 && b <= 0xC9)
            return 1;
    }
    return 0;
}

/* Offset of the first invalid UTF-8 sequence, or (size_t)-1. */
static size_t first_bad_utf8(const char *t, size_t n)
{
    size_t i = 0;
    while (i < n) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t r = utf8proc_iterate((const utf8proc_uint8_t *)t + i, (utf8proc_ssize_t)(n - i), &cp);
        if (r <= 0)
            return i;
        i += (size_t)r;
    }
    return (size_t)-1;
}

ks_status cli_normalize(cli_ctx *c, const char *text, size_t len, ks_buf *out, size_t *bad, ks_error *err)
{
    if (!c->translit || c->opt.script == KS_SCRIPT_CYRL || !has_latin(text, len))
        return ks_normalize(c->norm, text, len, out, bad, err);
    ks_buf lat = {0};
    ks_status st = ks_translit_run(c->translit, c->opt.script, text, len, &lat, err);
    if (st == KS_OK)
        st = ks_normalize(c->norm, lat.data ? lat.data : "", lat.len, out, bad, err);
    if (st == KS_OK && bad && *bad != (size_t)-1)
        *bad = first_bad_utf8(text, len); /* report the offset in the text as given */
    ks_buf_free(&lat);
    return st;
}

int cli_load_engine(cli_ctx *c)
{
    ks_error err;
    if (c->eng)
        return 0;
    if (ks_engine_new(&c->eng, c->espeak_dir, &err) != KS_OK) {
        cli_error("%s", err.msg);
        return -1;
    }
    ks_voice v = c->voice;
    if (c->opt.rate >= 0) v.rate = c->opt.rate;
    if (c->opt.pitch >= 0) v.pitch = c->opt.pitch;
    if (c->opt.amplitude >= 0) v.volume = c->opt.amplitude;
    if (c->opt.wordgap >= 0) v.wordgap = c->opt.wordgap;
    if (ks_engine_set_voice(c->eng, &v, &err) != KS_OK) {
        cli_error("%s", err.msg);
        return -1;
    }
    return 0;
}

static int list_voices(cli_ctx *c)
{
    static const char *const builtin[] = {"default", "news", "fast", "event"};
    for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++) {
        ks_voice v;
        ks_error err;
        if (ks_voice_find(&v, c->data_root, builtin[i], &err) != KS_OK) {
            cli_error("%s", err.msg);
            return CLI_EXIT_ERROR;
        }
        printf("%-10s espeak=%-8s rate=%-4d pitch=%-3d range=%-3d volume=%-3d wordgap=%d\n", v.name, v.espeak,
               v.rate, v.pitch, v.range, v.volume, v.wordgap);
    }
    return CLI_EXIT_OK;
}

static void cli_free(cli_ctx *c)
{
    ks_engine_free(c->eng);
    ks_normalizer_free(c->norm);
    ks_translit_free(c->translit);
    ks_lexicon_free(c->lex);
}

int main(int argc, char **argv)
{
    cli_ctx c;
    memset(&c, 0, sizeof c);
    c.prog = argv[0];
    if (parse_args(&c.opt, argc, argv) != 0)
        return CLI_EXIT_USAGE;
    if (c.opt.list_devices)
        return cli_run_list_devices();
    cli_install_signals();
    if (cli_load_data(&c) != 0) {
        cli_free(&c);
        return CLI_EXIT_ERROR;
    }
    int rc;
    if (c.opt.list_voices)
        rc = list_voices(&c);
    else if (c.opt.batch)
        rc = cli_run_batch(&c);
    else if (c.opt.normalize_only)
        rc = cli_run_normalize(&c);
    else if (c.opt.phonemes)
        rc = cli_run_phonemes(&c);
    else if (c.opt.wav_file || c.opt.to_stdout)
        rc = cli_run_write(&c);
    else
        rc = cli_run_play(&c);
    cli_free(&c);
    if (cli_signal_received) {
        signal(cli_signal_received, SIG_DFL);
        raise(cli_signal_received);
        return 128 + cli_signal_received;
    }
    return rc;
}
