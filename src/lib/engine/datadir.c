/* datadir.c - where kazspeak's voices, lexicon and eSpeak NG data live. */
#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kazspeak/kazspeak.h"
#include "status.h"

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int copy_path(char *dst, size_t n, const char *a, const char *b)
{
    int r = b ? snprintf(dst, n, "%s/%s", a, b) : snprintf(dst, n, "%s", a);
    return r < 0 || (size_t)r >= n ? -1 : 0;
}

/* The running program is inside the build tree when its real path starts with
 * the build directory this library was configured with. */
static int running_from_build_tree(void)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return 0;
    exe[n] = '\0';
    char bin[PATH_MAX];
    if (!realpath(KS_BINARY_DIR, bin))
        return 0;
    size_t bl = strlen(bin);
    return strncmp(exe, bin, bl) == 0 && exe[bl] == '/';
}

/* The installed data relative to an installed binary's folder: the library
 * (libdir), a program (bindir) or the speech-dispatcher module (its module
 * folder).  CMake computes these at configure time from the install layout;
 * the layout stays the same under any `cmake --install --prefix P` and when
 * the whole tree is moved, so the data is found wherever it was put. */
static const char *const data_from_binary[] = {KS_LIB_TO_DATA, KS_BIN_TO_DATA, KS_SDMOD_TO_DATA};

/* The first of <dir>/<relative path> that holds voices/, into dst. */
static int data_beside(const char *dir, char *dst, size_t n)
{
    for (size_t i = 0; i < sizeof data_from_binary / sizeof data_from_binary[0]; i++) {
        char probe[PATH_MAX];
        int r = snprintf(probe, sizeof probe, "%s/%s/voices", dir, data_from_binary[i]);
        if (r < 0 || (size_t)r >= sizeof probe || !is_dir(probe))
            continue;
        r = snprintf(probe, sizeof probe, "%s/%s", dir, data_from_binary[i]);
        if (r < 0 || (size_t)r >= sizeof probe)
            continue;
        char real[PATH_MAX];
        const char *use = realpath(probe, real) ? real : probe;
        r = snprintf(dst, n, "%s", use);
        if (r > 0 && (size_t)r < n)
            return 1;
    }
    return 0;
}

/* The folder holding `file` (a path), into dir. */
static int folder_of(const char *file, char *dir, size_t n)
{
    char real[PATH_MAX];
    if (!realpath(file, real))
        return 0;
    char *slash = strrchr(real, '/');
    if (!slash)
        return 0;
    *slash = '\0';
    int r = snprintf(dir, n, "%s", real[0] ? real : "/");
    return r > 0 && (size_t)r < n;
}

/* Installed data next to where this code is: the shared library (dladdr on
 * one of its functions gives its file; in a program linked with the static
 * library that is the program itself), then the running program
 * (/proc/self/exe). */
static int installed_beside_binary(char *dst, size_t n)
{
    char dir[PATH_MAX];
    Dl_info info;
    if (dladdr((void *)(uintptr_t)&ks_data_find, &info) && info.dli_fname && info.dli_fname[0] == '/' &&
        folder_of(info.dli_fname, dir, sizeof dir) && data_beside(dir, dst, n))
        return 1;
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0)
        return 0;
    exe[len] = '\0';
    return folder_of(exe, dir, sizeof dir) && data_beside(dir, dst, n);
}

KS_API ks_status ks_data_find(const char *explicit_dir, char *root, size_t root_len, char *espeak,
                              size_t espeak_len, ks_error *err)
{
    const char *env = getenv("KAZSPEAK_DATA");
    const char *chosen = NULL;
    const char *why = NULL;
    int build_tree = running_from_build_tree();
    char beside[PATH_MAX];

    if (explicit_dir && *explicit_dir) {
        chosen = explicit_dir;
        why = "--data-dir";
    } else if (env && *env) {
        chosen = env;
        why = "KAZSPEAK_DATA";
    } else if (build_tree) {
        chosen = KS_SOURCE_DIR;
        why = "source tree";
    } else if (installed_beside_binary(beside, sizeof beside)) {
        chosen = beside;
        why = "installed library or program";
    } else {
        chosen = KS_INSTALL_DATADIR;
        why = "configured install prefix; no data found beside the library or program";
    }
    if (!is_dir(chosen))
        return status_set(err, KS_EIO, "%s: data folder (from %s) does not exist", chosen, why);
    char probe[PATH_MAX];
    if (copy_path(probe, sizeof probe, chosen, "voices") != 0 || !is_dir(probe))
        return status_set(err, KS_EIO, "%s: not a kazspeak data folder (no voices/; from %s)", chosen, why);
    if (copy_path(root, root_len, chosen, NULL) != 0)
        return status_set(err, KS_EINVAL, "%s: path too long", chosen);

    /* eSpeak data: <root>/espeak-ng-data, else the build tree's assembled folder. */
    if (copy_path(probe, sizeof probe, chosen, "espeak-ng-data") == 0 && is_dir(probe)) {
        if (copy_path(espeak, espeak_len, probe, NULL) != 0)
            return status_set(err, KS_EINVAL, "%s: path too long", probe);
        return KS_OK;
    }
    if (build_tree || strcmp(chosen, KS_SOURCE_DIR) == 0) {
        if (copy_path(probe, sizeof probe, KS_BINARY_DIR, "espeak-ng-data") == 0 && is_dir(probe)) {
            if (copy_path(espeak, espeak_len, probe, NULL) != 0)
                return status_set(err, KS_EINVAL, "%s: path too long", probe);
            return KS_OK;
        }
    }
    if (copy_path(probe, sizeof probe, KS_INSTALL_DATADIR, "espeak-ng-data") == 0 && is_dir(probe)) { /* last resort */
        if (copy_path(espeak, espeak_len, probe, NULL) != 0)
            return status_set(err, KS_EINVAL, "%s: path too long", probe);
        return KS_OK;
    }
    return status_set(err, KS_EIO,
                      "%s/espeak-ng-data: kazspeak's eSpeak NG data folder is missing (build the project first)",
                      chosen);
}

KS_API int ks_user_lexicon_path(char *buf, size_t n)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    int r = -1;
    if (xdg && *xdg)
        r = snprintf(buf, n, "%s/kazspeak/lexicon.tsv", xdg);
    else if (home && *home)
        r = snprintf(buf, n, "%s/.config/kazspeak/lexicon.tsv", home);
    return r > 0 && (size_t)r < n;
}
