/* test_sink_fullfs.c - file sinks on a full filesystem and a read-only one.
 *
 * Mounts a 16 KiB tmpfs (needs root or CAP_SYS_ADMIN; otherwise the test is
 * skipped with exit status 77) and, for every format:
 *   - writes 30 s of tone: the write or the close must fail with KS_EIO and
 *     "PATH: No space left on device", and neither the final file nor a
 *     temporary file may be left;
 *   - with all but one page filled, writes 1 s (small enough that MP3/Ogg may
 *     only fail in the encoder's final flush, where libsndfile 1.2.0 drops
 *     the error): either it fails as above, or the file is complete.
 * A read-only tmpfs must refuse the file with "Read-only file system".
 * Everything runs twice: with unnamed O_TMPFILE temporary files (the default)
 * and with KAZSPEAK_NO_TMPFILE=1 (named ".NAME.XXXXXX" files). */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sndfile.h>

#include "check.h"
#include "kazspeak/kazspeak.h"

#define RATE 22050

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    if (!d)
        return -1;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

/* Write `frames` of a 440 Hz tone; stop at the first failure like a caller
 * would, then close.  Returns the first failing status (or KS_OK). */
static const char *stage; /* where the last write_file failed */

static ks_status write_file(const char *path, ks_format fmt, long frames, ks_error *err)
{
    ks_sink *s = NULL;
    stage = "open";
    ks_status st = ks_sink_file_open(&s, path, fmt, RATE, err);
    if (st != KS_OK)
        return st;
    stage = "write";
    int16_t buf[1000];
    for (long done = 0; done < frames && st == KS_OK; done += 1000) {
        for (int i = 0; i < 1000; i++)
            buf[i] = (int16_t)lrint(10000.0 * sin(2.0 * 3.14159265358979 * 440.0 * (double)(done + i) / RATE));
        st = ks_sink_write(s, buf, 1000, err);
    }
    if (st != KS_OK) {
        ks_sink_abort(s);
        return st;
    }
    stage = "close";
    return ks_sink_close(s, err);
}

static int mount_tmpfs(const char *dir, const char *opts)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "mount -t tmpfs -o %s tmpfs '%s' 2>/dev/null", opts, dir);
    return system(cmd) == 0;
}

static void umount_dir(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "umount '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "warning: cannot unmount %s\n", dir);
}

static const struct {
    const char *ext;
    ks_format fmt;
} formats[] = {
    {"wav", KS_FORMAT_WAV}, {"flac", KS_FORMAT_FLAC}, {"ogg", KS_FORMAT_OGG},
    {"opus", KS_FORMAT_OPUS}, {"mp3", KS_FORMAT_MP3},
};

static void test_full(const char *dir)
{
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        char path[256];
        ks_error err = {{0}};
        snprintf(path, sizeof path, "%s/speech.%s", dir, formats[i].ext);
        ks_status st = write_file(path, formats[i].fmt, 30L * RATE, &err);
        fprintf(stderr, "  full, 30 s %-5s -> %s (%s)\n", formats[i].ext,
                st == KS_OK ? "ok" : err.msg, stage);
        CHECK_INT(st, KS_EIO);
        char want[300];
        snprintf(want, sizeof want, "%s: No space left on device", path);
        CHECK_STR(err.msg, want);
        CHECK_INT(count_entries(dir), 0);
    }
}

/* Leave one page free, then write 1 s. */
static void test_nearly_full(const char *dir)
{
    char filler[256];
    snprintf(filler, sizeof filler, "%s/filler", dir);
    FILE *fp = fopen(filler, "wb");
    CHECK(fp != NULL);
    if (!fp)
        return;
    static char page[4096];
    memset(page, 'x', sizeof page);
    for (int i = 0; i < 3; i++)
        fwrite(page, 1, sizeof page, fp);
    CHECK(fclose(fp) == 0);
    CHECK_INT(count_entries(dir), 1);

    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        char path[256];
        ks_error err = {{0}};
        snprintf(path, sizeof path, "%s/short.%s", dir, formats[i].ext);
        ks_status st = write_file(path, formats[i].fmt, RATE, &err);
        fprintf(stderr, "  one page free, 1 s %-5s -> %s (%s)\n", formats[i].ext,
                st == KS_OK ? "ok" : err.msg, stage);
        if (st == KS_OK) {
            /* it fitted: then it must be complete */
            SF_INFO info;
            memset(&info, 0, sizeof info);
            SNDFILE *sf = sf_open(path, SFM_READ, &info);
            CHECK(sf != NULL);
            if (sf) {
                short b[4096];
                long long n = 0;
                sf_count_t got;
                while ((got = sf_read_short(sf, b, 4096)) > 0)
                    n += got;
                sf_close(sf);
                CHECK(n >= RATE * 95 / 100);
            }
            unlink(path);
        } else {
            CHECK_INT(st, KS_EIO);
            CHECK(strstr(err.msg, path) && strstr(err.msg, "No space left on device"));
        }
        CHECK_INT(count_entries(dir), 1); /* only the filler */
    }
    unlink(filler);
}

static void test_readonly(const char *dir)
{
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        char path[256];
        ks_error err = {{0}};
        snprintf(path, sizeof path, "%s/ro.%s", dir, formats[i].ext);
        ks_status st = write_file(path, formats[i].fmt, RATE, &err);
        CHECK_INT(st, KS_EIO);
        CHECK(strstr(err.msg, path) && strstr(err.msg, "Read-only file system"));
        CHECK_INT(count_entries(dir), 0);
    }
}

int main(void)
{
    char dir[] = "/tmp/ks_fullfs_XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1)
            setenv("KAZSPEAK_NO_TMPFILE", "1", 1);
        if (!mount_tmpfs(dir, "size=16k,mode=0755")) {
            fprintf(stderr, "skipped: cannot mount a tmpfs on %s (needs root or CAP_SYS_ADMIN)\n", dir);
            rmdir(dir);
            return 77;
        }
        fprintf(stderr, "  %s temporary files\n", pass ? "named" : "unnamed (O_TMPFILE)");
        test_full(dir);
        test_nearly_full(dir);
        umount_dir(dir);

        if (mount_tmpfs(dir, "ro,size=16k")) {
            test_readonly(dir);
            umount_dir(dir);
        } else {
            fprintf(stderr, "  read-only tmpfs not available: part skipped\n");
        }
    }
    rmdir(dir);
    return check_done();
}
