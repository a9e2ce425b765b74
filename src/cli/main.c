/* main.c - the kazspeak program: options and dispatch to one mode. Uses only the public API. */
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

#include "batch.h"
#include "captions.h"
#include "cli.h"

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
          "  -x                    print eSpeak NG phoneme mnemonics of the normalized text (no sound)\n"
          "      --ipa             print IPA of the normalized text (no sound)\n"
          "\n"
          "Input:\n"
          "  -f, --file FILE       read text from FILE ('-' for standard input)\n"
          "      --stdin           read the text from standard input\n"
          "  -m, --ssml            the input is SSML (speak p s break prosody emphasis mark sub\n"
          "                        phoneme say-as); text nodes go through the Kazakh normalizer\n"
          "      --script SCRIPT   auto (default): Kazakh words in Latin script (2021, 2018, 2017\n"
          "                        alphabets) are read as Kazakh, names like Apple stay as\n"
          "                        they are; latn: every Latin word is Kazakh; cyrl: none\n"
          "      --lang LANG       auto (default): Russian sentences, quotations and parentheses\n"
          "                        are read by the Russian voice, English ones by the English\n"
          "                        voice, the rest as Kazakh; kk: all Kazakh; ru: all Russian\n"
          "\n"
          "Voice:\n"
          "  -v, --voice NAME|PATH voice profile: default, news, fast, event, or a .voice file;\n"
          "                        kk or kk+VARIANT: the default profile with that eSpeak NG voice\n"
          "  -s RATE               speed in words per minute, 80..1000 (above 450: eSpeak's speed-up)\n"
          "  -p PITCH              pitch, 0..100\n"
          "  -a AMPLITUDE          volume, 0..200\n"
          "  -g GAP                pause between words in units of 10 ms, 0..100\n"
          "  -k N                  capital letters: 1 a sound, 2 the word \"capital\", 3..100 a pitch rise\n"
          "  -z                    no pause after the last sentence\n"
          "      --punct[=CHARS]   say the names of punctuation characters (all, or only CHARS);\n"
          "                        eSpeak NG names them in English\n"
          "      --voices[=LANG]   list the voice profiles (for LANG: only if it is kk)\n"
          "\n"
          "Options shared with espeak-ng, with the same meaning: -v kk[+VARIANT] -s -p -a -g -k -z\n"
          "-f --stdin -w --stdout -m -d --punct --voices. Different on purpose: -q (here: no progress\n"
          "bar or messages; espeak-ng -q makes no audio at all, not even with -w), -x and --ipa\n"
          "(here: print only; espeak-ng also speaks unless -q), -v NAME (kazspeak's profiles).\n"
          "\n"
          , f);
    fputs("Data:\n"
          "      --lexicon FILE    add a user lexicon (TSV; repeatable). ~/.config/kazspeak/lexicon.tsv\n"
          "                        is read too when present\n"
          "      --no-user-lexicon do not read ~/.config/kazspeak/lexicon.tsv\n"
          "      --data-dir DIR    kazspeak data folder (voices/, lexicon/, espeak-ng-data/)\n"
          "\n"
          "Audio files (-w and --batch):\n"
          "      --quality Q       1..10, higher is better: MP3 VBR (LAME -V 10-Q), Ogg Vorbis\n"
          "                        quality Q/10 (default 3), Opus 8+4*Q kbit/s\n"
          "      --bitrate KBPS    MP3 constant bit rate (default 64), Opus target (default 32)\n"
          "      --title T, --artist A, --album A, --date D, --comment C\n"
          "                        tags: WAV INFO, FLAC/Vorbis/Opus comments, MP3 ID3v2.4;\n"
          "                        --batch: the title defaults to each text's first line\n"
          "      --loudness LUFS   scale to this EBU R128 loudness (-16 podcasts, -23 broadcast)\n"
          "                        with a -1 dBTP true-peak limit; prints measured and final\n"
          "\n",
          f);
    fputs("Many files (batch mode) and captions:\n"
          "      --batch           FILE|DIR... one audio file per input text (*.txt in a DIR),\n"
          "                        same base name; outputs newer than their input are skipped\n"
          "  -o, --output-dir DIR  where batch outputs go (created if missing)\n"
          "  -j, --jobs N          worker processes (default: number of cores); also for one long\n"
          "                        -f FILE -w OUT: sentence ranges in parallel, the same samples\n"
          "      --format FMT      batch audio format: wav flac ogg opus mp3 (default wav)\n"
          "      --captions FILE   with -w: also write captions, FILE.vtt (WebVTT) or FILE.srt;\n"
          "                        with --batch: --captions vtt|srt, one per audio file\n"
          "\n"
          "Playback and live reading:\n"
          "      --list-devices    list the sound output devices (number, name, rate, host API)\n"
          "  -d, --device N|NAME   play through device N or the one whose name contains NAME\n"
          "  -i, --interactive     live reading for events: keys space pause/resume,\n"
          "                        Left/Right previous/next sentence, Up/Down or +/- speed,\n"
          "                        r repeat, q quit; one status line per change\n"
          "      --plain           with -i: no colour or cursor movement (screen readers)\n"
          "      --follow          speak each line of standard input as soon as it arrives;\n"
          "                        an empty line or end of input ends after the queue\n"
          "      --interrupt       with --follow: a new line cuts off the one being spoken\n"
          "\n"
          "  -q, --quiet           no progress bar or messages (not espeak-ng's -q: audio is made)\n"
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

/* --loudness LUFS: a number from -70 to -5 (e.g. -16, -23, -18.5). */
static int parse_loudness(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= -70.0 && v <= -5.0)) {
        cli_error("--loudness must be a loudness in LUFS from -70 to -5 (e.g. -16), not '%s'", s);
        return -1;
    }
    *out = v;
    return 0;
}

enum {
    OPT_STDOUT = 1000, OPT_NORMALIZE, OPT_EXPLAIN, OPT_IPA, OPT_VERSION, OPT_LEXICON, OPT_DATA_DIR,
    OPT_NO_USER_LEXICON, OPT_VOICES,
    OPT_BATCH, OPT_FORMAT, OPT_CAPTIONS,
    OPT_LIST_DEVICES, OPT_DEVICE, OPT_PLAIN, OPT_FOLLOW, OPT_INTERRUPT, OPT_SSML, OPT_SCRIPT,
    OPT_STDIN, OPT_PUNCT,
    OPT_QUALITY, OPT_BITRATE, OPT_TITLE, OPT_ARTIST, OPT_ALBUM, OPT_DATE, OPT_COMMENT, OPT_LOUDNESS,
    OPT_LANG
};

static const struct option long_opts[] = {
    {"write", required_argument, NULL, 'w'},
    {"stdout", no_argument, NULL, OPT_STDOUT},
    {"normalize", no_argument, NULL, OPT_NORMALIZE},
    {"explain", no_argument, NULL, OPT_EXPLAIN},
    {"ipa", no_argument, NULL, OPT_IPA},
    {"file", required_argument, NULL, 'f'},
    {"voice", required_argument, NULL, 'v'},
    {"voices", optional_argument, NULL, OPT_VOICES},
    {"stdin", no_argument, NULL, OPT_STDIN},
    {"punct", optional_argument, NULL, OPT_PUNCT},
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
    {"quality", required_argument, NULL, OPT_QUALITY},
    {"bitrate", required_argument, NULL, OPT_BITRATE},
    {"title", required_argument, NULL, OPT_TITLE},
    {"artist", required_argument, NULL, OPT_ARTIST},
    {"album", required_argument, NULL, OPT_ALBUM},
    {"date", required_argument, NULL, OPT_DATE},
    {"comment", required_argument, NULL, OPT_COMMENT},
    {"loudness", required_argument, NULL, OPT_LOUDNESS},
    {"lang", required_argument, NULL, OPT_LANG},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

/* A name for standard output: a file sink cannot be renamed onto it. */
static int names_stdout(const char *path)
{
    static const char *const names[] = {"-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(path, names[i]) == 0)
            return 1;
    return 0;
}

/* -i, --follow and --device play: they take no file output. */
static int check_live_modes(const cli_opts *o, int n_operands)
{
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
    if (o->follow && n_operands > 0) {
        cli_error("--follow reads lines from standard input (or -f FILE), not from arguments");
        return -1;
    }
    return 0;
}

static int check_one_text(cli_opts *o, int argc, char **argv);

static int parse_args(cli_opts *o, int argc, char **argv)
{
    memset(o, 0, sizeof *o);
    o->rate = o->pitch = o->amplitude = o->wordgap = -1;
    o->lang = KS_LANG_AUTO;
    int ch;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, cli_short_opts, long_opts, NULL)) != -1) {
        switch (ch) {
        case 'w': o->wav_file = optarg; break;
        case OPT_STDOUT: o->to_stdout = 1; break;
        case OPT_NORMALIZE: o->normalize_only = 1; break;
        case OPT_EXPLAIN: o->explain = 1; o->normalize_only = 1; break;
        case 'x': o->phonemes = 1; break;
        case OPT_IPA: o->phonemes = 2; break;
        case 'f': o->input_file = optarg; break;
        case 'v':
            /* espeak-ng's voice names: kk and kk+VARIANT are the default profile with that eSpeak voice */
            if (strcmp(optarg, "kk") == 0 || strncmp(optarg, "kk+", 3) == 0) {
                o->espeak_voice = optarg;
                o->voice = NULL;
            } else {
                o->voice = optarg;
                o->espeak_voice = NULL;
            }
            break;
        case 'm': o->ssml = 1; break;
        case 'd': o->device = optarg; break;
        case 'k': if (parse_int_opt("-k (capitals)", optarg, 0, KS_CAPITALS_MAX, &o->capitals)) return -1; break;
        case 'z': o->no_final_pause = 1; break;
        case OPT_STDIN: o->input_file = "-"; break;
        case OPT_PUNCT: o->punct = optarg ? optarg : ""; break;
        case 's': if (parse_int_opt("-s (rate)", optarg, KS_RATE_MIN, KS_RATE_MAX, &o->rate)) return -1; break;
        case 'p': if (parse_int_opt("-p (pitch)", optarg, 0, KS_PITCH_MAX, &o->pitch)) return -1; break;
        case 'a': if (parse_int_opt("-a (amplitude)", optarg, 0, KS_VOLUME_MAX, &o->amplitude)) return -1; break;
        case 'g': if (parse_int_opt("-g (word gap)", optarg, 0, KS_WORDGAP_MAX, &o->wordgap)) return -1; break;
        case OPT_VOICES: o->list_voices = 1; o->voices_lang = optarg; break;
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
        case OPT_QUALITY: if (parse_int_opt("--quality", optarg, 1, 10, &o->file.quality)) return -1; break;
        case OPT_BITRATE: if (parse_int_opt("--bitrate", optarg, 6, 320, &o->file.bitrate)) return -1; break;
        case OPT_TITLE: o->file.title = optarg; break;
        case OPT_ARTIST: o->file.artist = optarg; break;
        case OPT_ALBUM: o->file.album = optarg; break;
        case OPT_DATE: o->file.date = optarg; break;
        case OPT_COMMENT: o->file.comment = optarg; break;
        case OPT_LOUDNESS: if (parse_loudness(optarg, &o->file.loudness)) return -1; break;
        case OPT_LANG:
            o->lang_given = 1;
            if (ks_lang_parse(optarg, &o->lang) != KS_OK || o->lang == KS_LANG_EN) {
                cli_error("--lang must be auto, kk or ru, not '%s'", optarg);
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
    if (check_live_modes(o, argc - optind) != 0)
        return -1;
    o->argv = argv;
    o->opt_end = optind;
    if (o->batch)
        return batch_check_opts(o, argc - optind);
    return check_one_text(o, argc, argv);
}

/* One text in, one output: the operands are the text; the outputs exclude each other. */
static int check_one_text(cli_opts *o, int argc, char **argv)
{
    if (o->out_dir || o->format) {
        cli_error("-o and --format belong to --batch (for one file use -w FILE.EXT)");
        return -1;
    }
    if (!o->wav_file && (o->file.quality || o->file.bitrate || o->file.title || o->file.artist || o->file.album ||
                         o->file.date || o->file.comment || o->file.loudness != 0)) {
        cli_error("--quality, --bitrate, the tags and --loudness belong to an audio file: use -w FILE or --batch");
        return -1;
    }
    if (o->file.quality && o->file.bitrate) {
        cli_error("give --quality or --bitrate, not both");
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
        cli_error("give text arguments or -f FILE (or --stdin), not both");
        return -1;
    }
    if (o->wav_file && o->to_stdout) {
        cli_error("-w and --stdout cannot be used together");
        return -1;
    }
    if (o->wav_file && names_stdout(o->wav_file)) {
        cli_error("-w %s: to write audio to standard output use --stdout (a streamed WAV)", o->wav_file);
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

/* --voices=LANG: like espeak-ng, only the voices for that language (kk, kaz, kk-...) */
static int speaks_lang(const char *lang)
{
    return !lang || !*lang || strcmp(lang, "kk") == 0 || strncmp(lang, "kk-", 3) == 0 || strcmp(lang, "kaz") == 0 ||
           strcmp(lang, "trk/kk") == 0;
}

static int list_voices(cli_ctx *c)
{
    static const char *const builtin[] = {"default", "news", "fast", "event"};
    if (!speaks_lang(c->opt.voices_lang))
        return CLI_EXIT_OK; /* no voice for that language */
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
    ks_langid_free(c->langid);
    ks_lexicon_free(c->lex);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "serve") == 0)
        return cli_run_serve(argc - 1, argv + 1);
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
    if (c.opt.espeak_voice) { /* -v kk+VARIANT: checked when the engine takes it */
        snprintf(c.voice.espeak, sizeof c.voice.espeak, "%s", c.opt.espeak_voice);
        c.voice.file[0] = '\0';
        c.voice.espeak_line = 0;
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
    else if (c.opt.interactive)
        rc = cli_run_interactive(&c);
    else if (c.opt.follow)
        rc = cli_run_follow(&c);
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
