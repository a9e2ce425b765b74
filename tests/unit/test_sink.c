/* test_sink.c - audio sinks: every file format round-trips through
 * libsndfile, temporary files never stay behind, error paths fail cleanly,
 * the streamed WAV is exactly header + samples, the memory sink keeps
 * what it got.  No sound card needed.
 * The file-sink tests run twice: with the unnamed O_TMPFILE temporary file
 * (nothing visible in the folder while writing; when the test folder's
 * filesystem supports it) and with KAZSPEAK_NO_TMPFILE=1, the named
 * ".NAME.XXXXXX" fallback. */
#define _GNU_SOURCE /* O_TMPFILE */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sndfile.h>

#include "check.h"
#include "kazspeak/kazspeak.h"

#define RATE 22050
#define PI 3.14159265358979323846

/* 440 Hz sine, amplitude 10000, starting at sample `start`. */
static void tone(int16_t *out, size_t n, uint64_t start, int rate)
{
    for (size_t i = 0; i < n; i++) {
        double t = (double)(start + i) / rate;
        out[i] = (int16_t)lrint(10000.0 * sin(2.0 * PI * 440.0 * t));
    }
}

/* Write `frames` of tone in uneven blocks. */
static ks_status write_tone(ks_sink *s, uint64_t frames, int rate, ks_error *err)
{
    static const size_t blocks[] = {777, 1, 1081, 27, 4096, 300};
    int16_t buf[4096];
    uint64_t done = 0;
    size_t bi = 0;
    while (done < frames) {
        size_t n = blocks[bi++ % (sizeof blocks / sizeof blocks[0])];
        if (n > frames - done)
            n = (size_t)(frames - done);
        tone(buf, n, done, rate);
        ks_status st = ks_sink_write(s, buf, n, err);
        if (st != KS_OK)
            return st;
        done += n;
    }
    return KS_OK;
}

/* Number of entries in dir (without . and ..); the first name into `first`. */
static int count_entries(const char *dir, char *first, size_t first_len)
{
    DIR *d = opendir(dir);
    int n = 0;
    if (!d)
        return -1;
    if (first && first_len)
        first[0] = '\0';
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (n == 0 && first)
            snprintf(first, first_len, "%s", e->d_name);
        n++;
    }
    closedir(d);
    return n;
}

static int exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

static char tmpdir[64];
/* The current mode writes a visible ".NAME.XXXXXX" while a sink is open. */
static int named_temp;
/* Entries a folder holds while `n` sinks write into it. */
#define WRITING(n) (named_temp ? (n) : 0)

static void path_in(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", tmpdir, name);
}

/* ---------------------------------------------------------------- formats */

static void test_format_from_path(void)
{
    CHECK_INT(ks_format_from_path("a.wav"), KS_FORMAT_WAV);
    CHECK_INT(ks_format_from_path("/x/y/A.WAV"), KS_FORMAT_WAV);
    CHECK_INT(ks_format_from_path("speech.FlAc"), KS_FORMAT_FLAC);
    CHECK_INT(ks_format_from_path("s.ogg"), KS_FORMAT_OGG);
    CHECK_INT(ks_format_from_path("s.Opus"), KS_FORMAT_OPUS);
    CHECK_INT(ks_format_from_path("dir.x/s.mp3"), KS_FORMAT_MP3);
    CHECK_INT(ks_format_from_path("s.txt"), KS_FORMAT_NONE);
    CHECK_INT(ks_format_from_path("s"), KS_FORMAT_NONE);
    CHECK_INT(ks_format_from_path("s.wav."), KS_FORMAT_NONE);
    CHECK_INT(ks_format_from_path("dir.wav/s"), KS_FORMAT_NONE);
    CHECK_INT(ks_format_from_path("s.wavx"), KS_FORMAT_NONE);
    CHECK_INT(ks_format_from_path(""), KS_FORMAT_NONE);
    CHECK_INT(ks_format_from_path(NULL), KS_FORMAT_NONE);
    CHECK_STR(ks_format_list(), "wav, flac, ogg, opus, mp3");
}

/* ---------------------------------------------------------------- round trip */

struct fmt_case {
    const char *name;
    ks_format fmt;
    int sf_major, sf_sub;
    double tol; /* allowed frame-count error, fraction of the expected count */
};

static void roundtrip(const struct fmt_case *c, mode_t mask)
{
    char path[512];
    char first[256];
    ks_error err = {{0}};
    ks_sink *s = NULL;
    path_in(path, sizeof path, c->name);

    ks_status st = ks_sink_file_open(&s, path, c->fmt, RATE, &err);
    CHECK_INT(st, KS_OK);
    if (st != KS_OK) {
        fprintf(stderr, "  %s: %s\n", c->name, err.msg);
        return;
    }
    /* while writing: only the temporary file exists (none with O_TMPFILE) */
    CHECK_INT(write_tone(s, RATE, RATE, &err), KS_OK);
    CHECK_INT(ks_sink_frames(s), RATE);
    CHECK_INT(count_entries(tmpdir, first, sizeof first), WRITING(1));
    if (named_temp)
        CHECK(first[0] == '.' && strncmp(first + 1, c->name, strlen(c->name)) == 0);
    CHECK(!exists(path));
    st = ks_sink_close(s, &err);
    CHECK_INT(st, KS_OK);
    if (st != KS_OK)
        fprintf(stderr, "  %s: %s\n", c->name, err.msg);
    /* after: only the final file */
    CHECK_INT(count_entries(tmpdir, first, sizeof first), 1);
    CHECK_STR(first, c->name);

    struct stat stt;
    CHECK(stat(path, &stt) == 0);
    CHECK_INT(stt.st_mode & 0777, 0666 & ~mask);

    SF_INFO info;
    memset(&info, 0, sizeof info);
    SNDFILE *sf = sf_open(path, SFM_READ, &info);
    CHECK(sf != NULL);
    if (!sf) {
        fprintf(stderr, "  %s: %s\n", c->name, sf_strerror(NULL));
        return;
    }
    CHECK_INT(info.format & SF_FORMAT_TYPEMASK, c->sf_major);
    CHECK_INT(info.format & SF_FORMAT_SUBMASK, c->sf_sub);
    CHECK_INT(info.channels, 1);
    if (c->fmt == KS_FORMAT_OPUS)
        CHECK(info.samplerate == 24000 || info.samplerate == 48000);
    else
        CHECK_INT(info.samplerate, RATE);

    /* read everything (the header's count may be approximate) */
    double sum2 = 0;
    long long n = 0, crossings = 0;
    short buf[4096], prev = 0;
    sf_count_t got;
    while ((got = sf_read_short(sf, buf, 4096)) > 0) {
        for (sf_count_t i = 0; i < got; i++) {
            sum2 += (double)buf[i] * buf[i];
            if (n + i > 0 && ((prev < 0) != (buf[i] < 0)))
                crossings++;
            prev = buf[i];
        }
        n += got;
    }
    sf_close(sf);
    double expect = (double)RATE * info.samplerate / RATE;
    double rms = n ? sqrt(sum2 / (double)n) : 0;
    double secs = (double)n / info.samplerate;
    fprintf(stderr, "  %-8s %8lld bytes  %6d Hz  %6lld frames (header %lld)  rms %.0f  zero-crossings/s %.0f\n",
            c->name, (long long)stt.st_size, info.samplerate, n, (long long)info.frames, rms,
            secs > 0 ? (double)crossings / secs : 0.0);
    CHECK(fabs((double)n - expect) <= expect * c->tol);
    CHECK(rms > 5000 && rms < 9000); /* a 10000-amplitude sine has rms 7071 */
    /* 440 Hz: 880 zero crossings a second; catches a wrong resampling ratio */
    CHECK(secs > 0 && fabs((double)crossings / secs - 880.0) < 880.0 * 0.03);
    CHECK(unlink(path) == 0);
}

static void test_roundtrip(void)
{
    static const struct fmt_case cases[] = {
        {"t.wav", KS_FORMAT_WAV, SF_FORMAT_WAV, SF_FORMAT_PCM_16, 0.0},
        {"t.flac", KS_FORMAT_FLAC, SF_FORMAT_FLAC, SF_FORMAT_PCM_16, 0.0},
        {"t.ogg", KS_FORMAT_OGG, SF_FORMAT_OGG, SF_FORMAT_VORBIS, 0.02},
        {"t.opus", KS_FORMAT_OPUS, SF_FORMAT_OGG, SF_FORMAT_OPUS, 0.05},
        {"t.mp3", KS_FORMAT_MP3, SF_FORMAT_MPEG, SF_FORMAT_MPEG_LAYER_III, 0.10},
        {"T2.WAV", KS_FORMAT_WAV, SF_FORMAT_WAV, SF_FORMAT_PCM_16, 0.0},
    };
    mode_t mask = umask(022);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        roundtrip(&cases[i], 022);
    umask(077);
    roundtrip(&cases[0], 077);
    umask(mask);
}

/* A bare file name (temp file in the current folder) and a 250-byte name
 * (the temporary name is shortened to stay within NAME_MAX). */
static void test_names(void)
{
    char cwd[1024];
    ks_error err = {{0}};
    ks_sink *s = NULL;
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    CHECK(chdir(tmpdir) == 0);
    CHECK_INT(ks_sink_file_open(&s, "rel.wav", KS_FORMAT_WAV, RATE, &err), KS_OK);
    CHECK_INT(write_tone(s, 100, RATE, &err), KS_OK);
    CHECK_INT(count_entries(".", NULL, 0), WRITING(1));
    CHECK_INT(ks_sink_close(s, &err), KS_OK);
    CHECK(exists("rel.wav"));
    unlink("rel.wav");
    CHECK(chdir(cwd) == 0);

    char name[260], path[600];
    memset(name, 'n', 250);
    memcpy(name + 250, ".mp3", 5);
    path_in(path, sizeof path, name);
    CHECK_INT(ks_sink_file_open(&s, path, KS_FORMAT_MP3, RATE, &err), KS_OK);
    if (s) {
        CHECK_INT(write_tone(s, 100, RATE, &err), KS_OK);
        CHECK_INT(ks_sink_close(s, &err), KS_OK);
    }
    CHECK(exists(path));
    unlink(path);
    CHECK_INT(count_entries(tmpdir, NULL, 0), 0);
}

/* Opus at other input rates: a native rate is kept, 44100 goes to 48000. */
static void test_opus_rates(void)
{
    static const int in[] = {16000, 44100, 48000};
    static const int want[] = {16000, 48000, 48000};
    for (size_t i = 0; i < 3; i++) {
        char path[512];
        ks_error err = {{0}};
        ks_sink *s = NULL;
        path_in(path, sizeof path, "r.opus");
        CHECK_INT(ks_sink_file_open(&s, path, KS_FORMAT_OPUS, in[i], &err), KS_OK);
        if (!s)
            continue;
        CHECK_INT(write_tone(s, (uint64_t)in[i] / 2, in[i], &err), KS_OK);
        CHECK_INT(ks_sink_close(s, &err), KS_OK);
        SF_INFO info;
        memset(&info, 0, sizeof info);
        SNDFILE *sf = sf_open(path, SFM_READ, &info);
        CHECK(sf != NULL);
        if (sf) {
            CHECK_INT(info.samplerate, want[i]);
            sf_close(sf);
        }
        unlink(path);
    }
}

/* ---------------------------------------------------------------- temp files */

static void test_abort_and_signal_cleanup(void)
{
    char path[512];
    ks_error err = {{0}};
    ks_sink *s = NULL;

    /* abort: nothing stays */
    path_in(path, sizeof path, "a.flac");
    CHECK_INT(ks_sink_file_open(&s, path, KS_FORMAT_FLAC, RATE, &err), KS_OK);
    CHECK_INT(write_tone(s, RATE / 2, RATE, &err), KS_OK);
    CHECK_INT(count_entries(tmpdir, NULL, 0), WRITING(1));
    ks_sink_abort(s);
    CHECK_INT(count_entries(tmpdir, NULL, 0), 0);
    ks_sink_abort(NULL);

    /* an existing file is untouched by an aborted write, replaced by a closed one */
    path_in(path, sizeof path, "old.wav");
    FILE *fp = fopen(path, "w");
    CHECK(fp != NULL);
    if (fp) {
        fputs("old", fp);
        fclose(fp);
    }
    CHECK_INT(ks_sink_file_open(&s, path, KS_FORMAT_WAV, RATE, &err), KS_OK);
    CHECK_INT(write_tone(s, 1000, RATE, &err), KS_OK);
    ks_sink_abort(s);
    struct stat st;
    CHECK(stat(path, &st) == 0 && st.st_size == 3);
    CHECK_INT(count_entries(tmpdir, NULL, 0), 1);
    CHECK(chmod(path, 0640) == 0);
    CHECK_INT(ks_sink_file_open(&s, path, KS_FORMAT_WAV, RATE, &err), KS_OK);
    CHECK_INT(write_tone(s, 1000, RATE, &err), KS_OK);
    CHECK_INT(count_entries(tmpdir, NULL, 0), 1 + WRITING(1));
    CHECK_INT(ks_sink_close(s, &err), KS_OK);
    CHECK(stat(path, &st) == 0 && st.st_size == 44 + 2000);
    CHECK_INT(st.st_mode & 07777, 0640); /* the replaced file's permissions are kept */
    CHECK_INT(count_entries(tmpdir, NULL, 0), 1);
    unlink(path);

    /* the signal-handler cleanup removes the temporary files of live sinks */
    ks_sink *s2 = NULL;
    char p2[512];
    path_in(path, sizeof path, "sig1.ogg");
    path_in(p2, sizeof p2, "sig2.mp3");
    CHECK_INT(ks_sink_file_open(&s, path, KS_FORMAT_OGG, RATE, &err), KS_OK);
    CHECK_INT(ks_sink_file_open(&s2, p2, KS_FORMAT_MP3, RATE, &err), KS_OK);
    CHECK_INT(write_tone(s, 5000, RATE, &err), KS_OK);
    CHECK_INT(count_entries(tmpdir, NULL, 0), WRITING(2));
    ks_sink_cleanup_signal();
    CHECK_INT(count_entries(tmpdir, NULL, 0), 0);
    ks_sink_abort(s);
    ks_sink_abort(s2);
    /* closed sinks are no longer in the table: a committed file survives */
    CHECK_INT(ks_sink_file_open(&s, path, KS_FORMAT_WAV, RATE, &err), KS_OK);
    CHECK_INT(ks_sink_close(s, &err), KS_OK);
    ks_sink_cleanup_signal();
    CHECK(exists(path));
    unlink(path);
    CHECK_INT(count_entries(tmpdir, NULL, 0), 0);

    /* named temporary files: more sinks than the table holds are refused,
     * not left unprotected; unnamed ones need no table slot while writing */
    ks_sink *many[20];
    int opened = 0;
    ks_status last = KS_OK;
    for (int i = 0; i < 20; i++) {
        char p[512], nm[32];
        snprintf(nm, sizeof nm, "m%d.wav", i);
        path_in(p, sizeof p, nm);
        many[i] = NULL;
        last = ks_sink_file_open(&many[i], p, KS_FORMAT_WAV, RATE, &err);
        if (last != KS_OK)
            break;
        opened++;
    }
    if (named_temp) {
        CHECK(opened >= 8 && opened < 20);
        CHECK(last != KS_OK && strstr(err.msg, "too many") != NULL);
    } else {
        CHECK_INT(opened, 20);
    }
    CHECK_INT(count_entries(tmpdir, NULL, 0), WRITING(opened));
    for (int i = 0; i < opened; i++)
        ks_sink_abort(many[i]);
    CHECK_INT(count_entries(tmpdir, NULL, 0), 0);
}

/* A real SIGTERM in the middle of a write: the handler removes the
 * temporary file and exits; nothing is left. */
static void on_term(int sig)
{
    ks_sink_cleanup_signal();
    _exit(128 + sig);
}

static void test_signal_child(void)
{
    char path[512];
    path_in(path, sizeof path, "killed.opus");
    int ready[2];
    CHECK(pipe(ready) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGTERM, on_term);
        ks_error err;
        ks_sink *s = NULL;
        if (ks_sink_file_open(&s, path, KS_FORMAT_OPUS, RATE, &err) != KS_OK)
            _exit(2);
        if (write_tone(s, RATE, RATE, &err) != KS_OK)
            _exit(3);
        if (write(ready[1], "x", 1) != 1)
            _exit(4);
        for (;;) /* keep writing until killed */
            if (write_tone(s, 1000, RATE, &err) != KS_OK)
                _exit(5);
    }
    close(ready[1]);
    char c;
    CHECK(read(ready[0], &c, 1) == 1);
    close(ready[0]);
    CHECK_INT(count_entries(tmpdir, NULL, 0), WRITING(1)); /* the temporary file */
    kill(pid, SIGTERM);
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGTERM);
    CHECK_INT(count_entries(tmpdir, NULL, 0), 0);
}

/* Whether the test folder's filesystem gives unnamed files (O_TMPFILE). */
static int tmpfile_supported(void)
{
#ifdef O_TMPFILE
    int fd = open(tmpdir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0) {
        close(fd);
        return 1;
    }
#endif
    return 0;
}

/* SIGKILL in the middle of a write (no handler can run): with O_TMPFILE the
 * folder stays empty. */
static void test_sigkill_child(void)
{
    char path[512];
    path_in(path, sizeof path, "killed9.flac");
    int ready[2];
    CHECK(pipe(ready) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        ks_error err;
        ks_sink *s = NULL;
        if (ks_sink_file_open(&s, path, KS_FORMAT_FLAC, RATE, &err) != KS_OK)
            _exit(2);
        if (write_tone(s, RATE * 3, RATE, &err) != KS_OK)
            _exit(3);
        if (write(ready[1], "x", 1) != 1)
            _exit(4);
        for (;;)
            if (write_tone(s, 1000, RATE, &err) != KS_OK)
                _exit(5);
    }
    close(ready[1]);
    char c;
    CHECK(read(ready[0], &c, 1) == 1);
    close(ready[0]);
    kill(pid, SIGKILL);
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    CHECK_INT(count_entries(tmpdir, NULL, 0), 0);
}

/* ---------------------------------------------------------------- errors */

static void test_errors(void)
{
    char path[600], sub[512];
    ks_error err = {{0}};
    ks_sink *s = (ks_sink *)&err; /* must be reset to NULL on failure */

    /* unknown format */
    path_in(path, sizeof path, "x.txt");
    CHECK_INT(ks_sink_file_open(&s, path, ks_format_from_path(path), RATE, &err), KS_ENOTSUP);
    CHECK(s == NULL);
    CHECK(strstr(err.msg, "x.txt") && strstr(err.msg, "wav, flac, ogg, opus, mp3"));
    CHECK_INT(count_entries(tmpdir, NULL, 0), 0);

    /* bad rate, NULL path */
    path_in(path, sizeof path, "x.wav");
    CHECK_INT(ks_sink_file_open(&s, path, KS_FORMAT_WAV, 0, &err), KS_EINVAL);
    CHECK_INT(ks_sink_file_open(&s, NULL, KS_FORMAT_WAV, RATE, &err), KS_EINVAL);
    CHECK_INT(ks_sink_file_open(&s, "", KS_FORMAT_WAV, RATE, &err), KS_EINVAL);

    /* missing folder */
    snprintf(path, sizeof path, "%s/missing/x.wav", tmpdir);
    CHECK_INT(ks_sink_file_open(&s, path, KS_FORMAT_WAV, RATE, &err), KS_EIO);
    CHECK(s == NULL);
    CHECK(strstr(err.msg, path) && strstr(err.msg, "No such file or directory"));
    fprintf(stderr, "  missing folder: %s\n", err.msg);
    CHECK_INT(count_entries(tmpdir, NULL, 0), 0);

    /* a directory as the output */
    CHECK_INT(ks_sink_file_open(&s, tmpdir, KS_FORMAT_WAV, RATE, &err), KS_EIO);
    CHECK(strstr(err.msg, "is a directory") != NULL);
    snprintf(sub, sizeof sub, "%s/d.wav", tmpdir);
    CHECK(mkdir(sub, 0755) == 0);
    CHECK_INT(ks_sink_file_open(&s, sub, KS_FORMAT_WAV, RATE, &err), KS_EIO);
    CHECK(strstr(err.msg, "d.wav: is a directory") != NULL);
    snprintf(path, sizeof path, "%s/", sub);
    CHECK_INT(ks_sink_file_open(&s, path, KS_FORMAT_WAV, RATE, &err), KS_EIO);
    CHECK_INT(count_entries(sub, NULL, 0), 0);
    rmdir(sub);

    /* a path through a regular file */
    path_in(sub, sizeof sub, "plain");
    FILE *fp = fopen(sub, "w");
    if (fp)
        fclose(fp);
    snprintf(path, sizeof path, "%s/x.wav", sub);
    CHECK_INT(ks_sink_file_open(&s, path, KS_FORMAT_WAV, RATE, &err), KS_EIO);
    CHECK(strstr(err.msg, "Not a directory") != NULL);
    unlink(sub);

    /* unwritable folder (root ignores permissions: see test_sink_fullfs) */
    if (geteuid() != 0) {
        path_in(sub, sizeof sub, "ro");
        CHECK(mkdir(sub, 0555) == 0);
        snprintf(path, sizeof path, "%s/x.wav", sub);
        CHECK_INT(ks_sink_file_open(&s, path, KS_FORMAT_WAV, RATE, &err), KS_EIO);
        CHECK(strstr(err.msg, "Permission denied") != NULL);
        CHECK_INT(count_entries(sub, NULL, 0), 0);
        rmdir(sub);
    }

    /* a FIFO is refused (use the streamed WAV sink for pipes) */
    path_in(path, sizeof path, "fifo.wav");
    CHECK(mkfifo(path, 0600) == 0);
    CHECK_INT(ks_sink_file_open(&s, path, KS_FORMAT_WAV, RATE, &err), KS_EIO);
    CHECK(strstr(err.msg, "not a regular file") != NULL);
    unlink(path);
    CHECK_INT(count_entries(tmpdir, NULL, 0), 0);

    /* sink NULL arguments */
    CHECK_INT(ks_sink_write(NULL, NULL, 0, &err), KS_EINVAL);
    CHECK_INT(ks_sink_close(NULL, &err), KS_EINVAL);
    CHECK_INT(ks_sink_frames(NULL), 0);
}

/* /dev/full and /dev/null as file paths: written directly, never replaced. */
static void test_devices(void)
{
    static const ks_format fmts[] = {KS_FORMAT_WAV, KS_FORMAT_FLAC, KS_FORMAT_OGG,
                                     KS_FORMAT_OPUS, KS_FORMAT_MP3};
    struct stat st;
    if (stat("/dev/full", &st) != 0 || !S_ISCHR(st.st_mode)) {
        fprintf(stderr, "  no /dev/full: device tests skipped\n");
        return;
    }
    for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
        ks_error err = {{0}};
        ks_sink *s = NULL;
        ks_status st2 = ks_sink_file_open(&s, "/dev/full", fmts[i], RATE, &err);
        if (st2 == KS_OK) {
            st2 = write_tone(s, RATE * 2, RATE, &err);
            if (st2 == KS_OK)
                st2 = ks_sink_close(s, &err);
            else
                CHECK(ks_sink_close(s, NULL) != KS_OK); /* close repeats the failure */
        }
        CHECK_INT(st2, KS_EIO);
        CHECK_STR(err.msg, "/dev/full: No space left on device");
        CHECK(stat("/dev/full", &st) == 0 && S_ISCHR(st.st_mode));

        s = NULL;
        CHECK_INT(ks_sink_file_open(&s, "/dev/null", fmts[i], RATE, &err), KS_OK);
        CHECK_INT(write_tone(s, RATE, RATE, &err), KS_OK);
        CHECK_INT(ks_sink_close(s, &err), KS_OK);
        CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode));
    }
    /* no temporary file was made in /dev */
    DIR *d = opendir("/dev");
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)))
            CHECK(strncmp(e->d_name, ".full.", 6) != 0 && strncmp(e->d_name, ".null.", 6) != 0);
        closedir(d);
    }
}

/* ---------------------------------------------------------------- streamed WAV */

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Check bytes = WAV header (sizes riff/data) + the tone's samples. */
static void check_stream_bytes(const unsigned char *b, size_t len, size_t frames, uint32_t riff,
                               uint32_t data)
{
    CHECK_INT(len, 44 + 2 * frames);
    if (len < 44)
        return;
    CHECK(memcmp(b, "RIFF", 4) == 0 && memcmp(b + 8, "WAVEfmt ", 8) == 0);
    CHECK(memcmp(b + 36, "data", 4) == 0);
    CHECK_INT(le32(b + 4), riff);
    CHECK_INT(le32(b + 40), data);
    CHECK_INT(le32(b + 24), RATE);
    CHECK_INT(le32(b + 28), RATE * 2);
    CHECK_INT(b[20] | b[21] << 8, 1);
    CHECK_INT(b[22] | b[23] << 8, 1);
    CHECK_INT(b[34] | b[35] << 8, 16);
    int16_t *want = malloc(frames * sizeof *want);
    if (!want)
        return;
    tone(want, frames, 0, RATE);
    size_t bad = 0;
    for (size_t i = 0; i < frames && 44 + 2 * i + 1 < len; i++) {
        int16_t v = (int16_t)(uint16_t)(b[44 + 2 * i] | b[44 + 2 * i + 1] << 8);
        if (v != want[i])
            bad++;
    }
    CHECK_INT(bad, 0);
    free(want);
}

/* libsndfile reads a saved stream back sample for sample. */
static void check_sndfile_reads(const char *path, size_t frames)
{
    SF_INFO info;
    memset(&info, 0, sizeof info);
    SNDFILE *sf = sf_open(path, SFM_READ, &info);
    CHECK(sf != NULL);
    if (!sf)
        return;
    CHECK_INT(info.format, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    CHECK_INT(info.samplerate, RATE);
    CHECK_INT(info.channels, 1);
    int16_t *got = calloc(frames + 16, sizeof *got), *want = malloc(frames * sizeof *want);
    if (got && want) {
        sf_count_t n = sf_read_short(sf, got, (sf_count_t)frames + 16);
        CHECK_INT(n, frames);
        tone(want, frames, 0, RATE);
        CHECK(memcmp(got, want, frames * sizeof *want) == 0);
    }
    free(got);
    free(want);
    sf_close(sf);
}

static unsigned char *read_all(int fd, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    unsigned char *b = malloc(cap);
    for (;;) {
        if (!b)
            return NULL;
        if (n == cap) {
            unsigned char *nb = realloc(b, cap *= 2);
            if (!nb) {
                free(b);
                return NULL;
            }
            b = nb;
        }
        ssize_t r = read(fd, b + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    *len = n;
    return b;
}

static void save(const char *path, const unsigned char *b, size_t n)
{
    FILE *fp = fopen(path, "wb");
    CHECK(fp != NULL);
    if (fp) {
        CHECK(fwrite(b, 1, n, fp) == n);
        fclose(fp);
    }
}

static void test_stream_pipe(void)
{
    /* fits in a pipe buffer: write everything, then read it back */
    const size_t frames = 11025;
    int p[2];
    CHECK(pipe(p) == 0);
    ks_error err = {{0}};
    ks_sink *s = NULL;
    CHECK_INT(ks_sink_wav_stream_open(&s, p[1], RATE, &err), KS_OK);
    CHECK_INT(write_tone(s, frames, RATE, &err), KS_OK);
    CHECK_INT(ks_sink_frames(s), frames);
    CHECK_INT(ks_sink_close(s, &err), KS_OK);
    CHECK(fcntl(p[1], F_GETFD) != -1); /* the descriptor stays open */
    close(p[1]);
    size_t len = 0;
    unsigned char *b = read_all(p[0], &len);
    close(p[0]);
    if (!b)
        return;
    check_stream_bytes(b, len, frames, 0xFFFFFFFFu, 0xFFFFFFFFu);
    char path[512];
    path_in(path, sizeof path, "stream.wav");
    save(path, b, len);
    check_sndfile_reads(path, frames);
    unlink(path);
    free(b);
}

static volatile sig_atomic_t alarms;
static void on_alarm(int sig)
{
    (void)sig;
    alarms++;
}

/* Larger than a pipe buffer, through a non-blocking descriptor (partial
 * writes, EAGAIN) and then a blocking one with a timer interrupting write
 * (EINTR): a child drains the pipe; the bytes must be exact either way. */
static void stream_through_child(int nonblock)
{
    const size_t frames = (size_t)RATE * 6; /* 264 KB */
    int p[2];
    CHECK(pipe(p) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[1]);
        size_t len = 0;
        unsigned char *b = read_all(p[0], &len);
        char path[512];
        path_in(path, sizeof path, "child.wav");
        FILE *fp = fopen(path, "wb");
        if (!b || !fp || fwrite(b, 1, len, fp) != len)
            _exit(1);
        fclose(fp);
        _exit(0);
    }
    close(p[0]);
    if (nonblock)
        fcntl(p[1], F_SETFL, fcntl(p[1], F_GETFL) | O_NONBLOCK);
    struct sigaction sa, old;
    struct itimerval it;
    memset(&it, 0, sizeof it);
    if (!nonblock) {
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_alarm; /* no SA_RESTART: write(2) returns EINTR */
        sigaction(SIGALRM, &sa, &old);
        it.it_interval.tv_usec = 200;
        it.it_value.tv_usec = 200;
        setitimer(ITIMER_REAL, &it, NULL);
    }
    ks_error err = {{0}};
    ks_sink *s = NULL;
    CHECK_INT(ks_sink_wav_stream_open(&s, p[1], RATE, &err), KS_OK);
    CHECK_INT(write_tone(s, frames, RATE, &err), KS_OK);
    CHECK_INT(ks_sink_close(s, &err), KS_OK);
    if (!nonblock) {
        memset(&it, 0, sizeof it);
        setitimer(ITIMER_REAL, &it, NULL);
        signal(SIGALRM, SIG_IGN); /* discards a pending SIGALRM */
        sigaction(SIGALRM, &old, NULL);
    }
    close(p[1]);
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    char path[512];
    path_in(path, sizeof path, "child.wav");
    int fd = open(path, O_RDONLY);
    CHECK(fd >= 0);
    size_t len = 0;
    unsigned char *b = fd >= 0 ? read_all(fd, &len) : NULL;
    if (fd >= 0)
        close(fd);
    if (b)
        check_stream_bytes(b, len, frames, 0xFFFFFFFFu, 0xFFFFFFFFu);
    free(b);
    unlink(path);
}

static void test_stream_file(void)
{
    /* a regular file: the sizes are filled in at close, the bytes count is the same */
    const size_t frames = 20000;
    char path[512];
    path_in(path, sizeof path, "direct.wav");
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0);
    ks_error err = {{0}};
    ks_sink *s = NULL;
    CHECK_INT(ks_sink_wav_stream_open(&s, fd, RATE, &err), KS_OK);
    CHECK_INT(write_tone(s, frames, RATE, &err), KS_OK);
    CHECK_INT(ks_sink_close(s, &err), KS_OK);
    close(fd);
    fd = open(path, O_RDONLY);
    size_t len = 0;
    unsigned char *b = read_all(fd, &len);
    close(fd);
    if (b)
        check_stream_bytes(b, len, frames, (uint32_t)(36 + 2 * frames), (uint32_t)(2 * frames));
    free(b);
    check_sndfile_reads(path, frames);

    /* O_APPEND: sizes stay unknown (pwrite would append) */
    fd = open(path, O_WRONLY | O_TRUNC | O_APPEND);
    CHECK_INT(ks_sink_wav_stream_open(&s, fd, RATE, &err), KS_OK);
    CHECK_INT(write_tone(s, frames, RATE, &err), KS_OK);
    CHECK_INT(ks_sink_close(s, &err), KS_OK);
    close(fd);
    fd = open(path, O_RDONLY);
    b = read_all(fd, &len);
    close(fd);
    if (b)
        check_stream_bytes(b, len, frames, 0xFFFFFFFFu, 0xFFFFFFFFu);
    free(b);
    check_sndfile_reads(path, frames);
    unlink(path);
}

static void test_stream_errors(void)
{
    ks_error err = {{0}};
    ks_sink *s = NULL;
    /* /dev/full */
    int fd = open("/dev/full", O_WRONLY);
    if (fd >= 0) {
        ks_status st = ks_sink_wav_stream_open(&s, fd, RATE, &err);
        if (st == KS_OK) {
            st = write_tone(s, RATE, RATE, &err);
            ks_sink_abort(s);
        }
        CHECK_INT(st, KS_EIO);
        CHECK(strstr(err.msg, "No space left on device") != NULL);
        close(fd);
    }
    /* EPIPE at open: reader already gone */
    void (*oldpipe)(int) = signal(SIGPIPE, SIG_IGN);
    int p[2];
    CHECK(pipe(p) == 0);
    close(p[0]);
    s = (ks_sink *)&err;
    CHECK_INT(ks_sink_wav_stream_open(&s, p[1], RATE, &err), KS_EIO);
    CHECK(s == NULL);
    CHECK(strstr(err.msg, "Broken pipe") != NULL);
    close(p[1]);
    /* EPIPE while writing; the failure is sticky and close reports it */
    CHECK(pipe(p) == 0);
    CHECK_INT(ks_sink_wav_stream_open(&s, p[1], RATE, &err), KS_OK);
    CHECK_INT(write_tone(s, 100, RATE, &err), KS_OK);
    close(p[0]);
    CHECK_INT(write_tone(s, 100, RATE, &err), KS_EIO);
    CHECK(strstr(err.msg, "Broken pipe") != NULL);
    CHECK_INT(ks_sink_frames(s), 100);
    memset(&err, 0, sizeof err);
    int16_t one = 1;
    CHECK_INT(ks_sink_write(s, &one, 1, &err), KS_EIO);
    CHECK(strstr(err.msg, "Broken pipe") != NULL);
    memset(&err, 0, sizeof err);
    CHECK_INT(ks_sink_close(s, &err), KS_EIO);
    CHECK(strstr(err.msg, "Broken pipe") != NULL);
    close(p[1]);
    signal(SIGPIPE, oldpipe);
    /* bad arguments */
    CHECK_INT(ks_sink_wav_stream_open(&s, -1, RATE, &err), KS_EINVAL);
    CHECK_INT(ks_sink_wav_stream_open(&s, 1, 5, &err), KS_EINVAL);
}

/* ---------------------------------------------------------------- memory */

static void test_memory(void)
{
    ks_error err = {{0}};
    ks_sink *s = NULL;
    CHECK_INT(ks_sink_memory_open(&s, RATE, &err), KS_OK);
    size_t n = 99;
    CHECK(ks_sink_memory_data(s, &n) == NULL);
    CHECK_INT(n, 0);
    CHECK_INT(write_tone(s, 50000, RATE, &err), KS_OK);
    CHECK_INT(ks_sink_write(s, NULL, 0, &err), KS_OK);
    CHECK_INT(ks_sink_write(s, NULL, 5, &err), KS_EINVAL);
    CHECK_INT(ks_sink_frames(s), 50000);
    const int16_t *d = ks_sink_memory_data(s, &n);
    CHECK_INT(n, 50000);
    int16_t *want = malloc(50000 * sizeof *want);
    if (want && d) {
        tone(want, 50000, 0, RATE);
        CHECK(memcmp(d, want, 50000 * sizeof *want) == 0);
    }
    free(want);
    CHECK_INT(ks_sink_close(s, &err), KS_OK);
    CHECK_INT(ks_sink_memory_open(&s, 0, &err), KS_EINVAL);
    /* memory data of another kind of sink */
    int p[2];
    CHECK(pipe(p) == 0);
    CHECK_INT(ks_sink_wav_stream_open(&s, p[1], RATE, &err), KS_OK);
    n = 7;
    CHECK(ks_sink_memory_data(s, &n) == NULL && n == 0);
    ks_sink_abort(s);
    close(p[0]);
    close(p[1]);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ks_sink_XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_format_from_path();
    int anon = tmpfile_supported();
    for (int pass = anon ? 0 : 1; pass < 2; pass++) {
        named_temp = pass == 1;
        if (named_temp)
            setenv("KAZSPEAK_NO_TMPFILE", "1", 1);
        fprintf(stderr, "  file sinks with %s temporary files\n", named_temp ? "named" : "unnamed (O_TMPFILE)");
        test_roundtrip();
        test_opus_rates();
        test_names();
        test_abort_and_signal_cleanup();
        test_signal_child();
        if (!named_temp)
            test_sigkill_child();
        test_errors();
        test_devices();
    }
    unsetenv("KAZSPEAK_NO_TMPFILE");
    if (!anon)
        fprintf(stderr, "  %s does not support O_TMPFILE: only the named scheme was tested\n", tmpdir);
    test_stream_pipe();
    stream_through_child(1);
    stream_through_child(0);
    fprintf(stderr, "  SIGALRM interruptions during the blocking stream: %d\n", (int)alarms);
    test_stream_file();
    test_stream_errors();
    test_memory();
    CHECK_INT(count_entries(tmpdir, NULL, 0), 0);
    rmdir(tmpdir);
    return check_done();
}
