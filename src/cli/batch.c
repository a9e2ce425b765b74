/* batch.c - `kazspeak --batch -o OUTDIR [-j N] [--format F] FILE|DIR ...`
 *
 * One audio file per input text, made by N worker PROCESSES (eSpeak NG's
 * engine is process-global): each worker is this same program run as
 * `kazspeak [the user's options] -q -f IN -w OUT [--captions CAP]`, so every
 * output gets the library's atomic write (temporary file + rename) and its
 * signal-safe cleanup. Outputs newer than their input are skipped, so a
 * stopped run resumes and a finished one does no work. A failing input is
 * reported with its one-line error and does not stop the others. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "captions.h"

#define ERR_MAX 2048 /* bytes of a worker's stderr kept for its report */

typedef enum { JOB_TODO, JOB_SKIP, JOB_FAIL, JOB_DONE } job_state;

typedef struct job {
    char *in, *out, *cap; /* cap NULL without captions */
    uint64_t size;
    job_state state;
    char *msg;            /* set by the parent's own checks (missing input, clash) */
} job;

typedef struct job_list {
    job *v;
    size_t n, cap;
} job_list;

typedef struct worker {
    pid_t pid;
    int fd;       /* read end of its stderr */
    size_t job;
    char err[ERR_MAX];
    size_t err_len;
} worker;

/* ---------------------------------------------------------------- options */

static const char *format_ext(const char *format)
{
    return format ? format : "wav";
}

int batch_check_opts(const cli_opts *o, int n_operands)
{
    if (!o->out_dir) {
        cli_error("--batch needs -o OUTDIR (where the audio files go)");
        return -1;
    }
    if (o->wav_file || o->to_stdout || o->input_file || o->normalize_only || o->phonemes) {
        cli_error("--batch takes FILE|DIR arguments and writes to -o OUTDIR: it cannot be combined with "
                  "-w, --stdout, -f, --normalize, -x or --ipa");
        return -1;
    }
    if (n_operands < 1) {
        cli_error("--batch needs at least one FILE or DIR of texts");
        return -1;
    }
    char probe[64];
    snprintf(probe, sizeof probe, "x.%.50s", format_ext(o->format));
    if (ks_format_from_path(probe) == KS_FORMAT_NONE || strchr(format_ext(o->format), '.')) {
        cli_error("--format %s: unknown audio format (known: %s)", o->format, ks_format_list());
        return -1;
    }
    if (o->captions && cli_captions_format(o->captions) == CLI_CAPTIONS_NONE) {
        cli_error("--captions %s: in batch mode give vtt or srt", o->captions);
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- helpers */

static char *str_dup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static char *str_join3(const char *a, const char *b, const char *c)
{
    size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
    char *d = malloc(la + lb + lc + 1);
    if (d) {
        memcpy(d, a, la);
        memcpy(d + la, b, lb);
        memcpy(d + la + lb, c, lc + 1);
    }
    return d;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int mkdir_p(const char *path)
{
    char *p = str_dup(path);
    if (!p)
        return -1;
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            free(p);
            return -1;
        }
        *s = '/';
    }
    int r = mkdir(p, 0777) != 0 && errno != EEXIST ? -1 : 0;
    free(p);
    struct stat st;
    if (r == 0 && (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))) {
        errno = ENOTDIR;
        r = -1;
    }
    return r;
}

static int ends_with_txt(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && strcasecmp(name + n - 4, ".txt") == 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* st_mtim a > b */
static int newer(const struct stat *a, const struct stat *b)
{
    if (a->st_mtim.tv_sec != b->st_mtim.tv_sec)
        return a->st_mtim.tv_sec > b->st_mtim.tv_sec;
    return a->st_mtim.tv_nsec > b->st_mtim.tv_nsec;
}

/* ---------------------------------------------------------------- the job list */

static int job_add(job_list *l, const char *in, const cli_opts *o)
{
    if (l->n == l->cap) {
        size_t n = l->cap ? l->cap * 2 : 64;
        job *p = realloc(l->v, n * sizeof *p);
        if (!p)
            return -1;
        l->v = p;
        l->cap = n;
    }
    job *j = &l->v[l->n];
    memset(j, 0, sizeof *j);
    /* OUTDIR/base (the input's name without its last extension) */
    const char *slash = strrchr(in, '/');
    const char *base = slash ? slash + 1 : in;
    size_t blen = strlen(base);
    const char *dot = strrchr(base, '.');
    if (dot && dot > base)
        blen = (size_t)(dot - base);
    size_t olen = strlen(o->out_dir);
    while (olen > 1 && o->out_dir[olen - 1] == '/')
        olen--;
    char *stem = malloc(olen + 1 + blen + 1);
    if (!stem)
        return -1;
    snprintf(stem, olen + 1 + blen + 1, "%.*s/%.*s", (int)olen, o->out_dir, (int)blen, base);
    j->in = str_dup(in);
    j->out = str_join3(stem, ".", format_ext(o->format));
    if (o->captions)
        j->cap = str_join3(stem, ".", cli_captions_format(o->captions) == CLI_CAPTIONS_SRT ? "srt" : "vtt");
    free(stem);
    if (!j->in || !j->out || (o->captions && !j->cap)) {
        free(j->in);
        free(j->out);
        free(j->cap);
        return -1;
    }
    l->n++;
    return 0;
}

static void jobs_free(job_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].in);
        free(l->v[i].out);
        free(l->v[i].cap);
        free(l->v[i].msg);
    }
    free(l->v);
}

/* Expand the FILE|DIR operands: a DIR gives its *.txt entries (sorted, not recursive). */
static int collect(job_list *l, const cli_opts *o)
{
    for (char **a = o->argv + o->opt_end; *a; a++) {
        struct stat st;
        if (stat(*a, &st) == 0 && S_ISDIR(st.st_mode)) {
            DIR *d = opendir(*a);
            if (!d) {
                cli_error("%s: %s", *a, strerror(errno));
                if (job_add(l, *a, o) != 0)
                    return -1;
                continue;
            }
            char **names = NULL;
            size_t n = 0, cap = 0;
            struct dirent *e;
            int oom = 0;
            while ((e = readdir(d)) != NULL) {
                if (e->d_name[0] == '.' || !ends_with_txt(e->d_name))
                    continue;
                if (n == cap) {
                    size_t nc = cap ? cap * 2 : 64;
                    char **p = realloc(names, nc * sizeof *p);
                    if (!p) {
                        oom = 1;
                        break;
                    }
                    names = p;
                    cap = nc;
                }
                size_t dl = strlen(*a);
                names[n] = str_join3(*a, dl && (*a)[dl - 1] == '/' ? "" : "/", e->d_name);
                if (!names[n]) {
                    oom = 1;
                    break;
                }
                n++;
            }
            closedir(d);
            if (!oom && n == 0) {
                /* a folder without texts is a failed input (probably a wrong name) */
                oom = job_add(l, *a, o) != 0;
                if (!oom) {
                    l->v[l->n - 1].state = JOB_FAIL;
                    l->v[l->n - 1].msg = str_join3(*a, ": ", "no .txt files in this folder");
                }
            } else if (!oom) {
                qsort(names, n, sizeof *names, cmp_str);
                for (size_t i = 0; i < n && !oom; i++)
                    oom = job_add(l, names[i], o) != 0;
            }
            for (size_t i = 0; i < n; i++)
                free(names[i]);
            free(names);
            if (oom)
                return -1;
        } else if (job_add(l, *a, o) != 0) {
            return -1;
        }
    }
    return 0;
}

/* Largest input first, so the last workers do not start a long text late. */
static const job *order_base;
static int cmp_size_desc(const void *a, const void *b)
{
    const job *x = &order_base[*(const size_t *)a], *y = &order_base[*(const size_t *)b];
    if (x->size != y->size)
        return x->size < y->size ? 1 : -1;
    return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

static int cmp_job_out(const void *a, const void *b)
{
    const job *const *x = a, *const *y = b;
    int r = strcmp((*x)->out, (*y)->out);
    if (r)
        return r;
    return *x < *y ? -1 : *x > *y;
}

/* The same file under two names (or the same name twice)? */
static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (strcmp(a, b) == 0)
        return 1;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Decide what to do with each job: fail early (missing input, two inputs for
 * one output, output = input), skip (outputs newer than the input), or run. */
static int plan(job_list *l)
{
    job **by_out = malloc((l->n ? l->n : 1) * sizeof *by_out);
    if (!by_out)
        return -1;
    for (size_t i = 0; i < l->n; i++)
        by_out[i] = &l->v[i];
    qsort(by_out, l->n, sizeof *by_out, cmp_job_out);
    for (size_t i = 1; i < l->n; i++)
        if (strcmp(by_out[i]->out, by_out[i - 1]->out) == 0 && by_out[i]->state == JOB_TODO &&
            by_out[i - 1]->state == JOB_TODO) {
            int twice = same_file(by_out[i]->in, by_out[i - 1]->in);
            by_out[i]->state = twice ? JOB_SKIP : JOB_FAIL; /* the same text twice is read once */
            size_t n = strlen(by_out[i]->out) + strlen(by_out[i - 1]->in) + 64;
            by_out[i]->msg = malloc(n);
            if (by_out[i]->msg && twice)
                snprintf(by_out[i]->msg, n, "%s is named twice: it is read once, into %s", by_out[i - 1]->in,
                         by_out[i]->out);
            else if (by_out[i]->msg)
                snprintf(by_out[i]->msg, n, "%s is already made from %s (same base name)", by_out[i]->out,
                         by_out[i - 1]->in);
        }
    free(by_out);
    for (size_t i = 0; i < l->n; i++) {
        job *j = &l->v[i];
        if (j->state != JOB_TODO)
            continue;
        struct stat si, so, sc;
        if (stat(j->in, &si) != 0) {
            j->state = JOB_FAIL;
            j->msg = str_join3(j->in, ": ", strerror(errno));
            continue;
        }
        j->size = S_ISREG(si.st_mode) ? (uint64_t)si.st_size : 0;
        if (stat(j->out, &so) != 0)
            continue;
        if (so.st_dev == si.st_dev && so.st_ino == si.st_ino) {
            j->state = JOB_FAIL;
            j->msg = str_join3(j->in, ": ", "the output would replace the input (choose another -o or --format)");
            continue;
        }
        if (newer(&so, &si) && (!j->cap || (stat(j->cap, &sc) == 0 && newer(&sc, &si))))
            j->state = JOB_SKIP;
    }
    return 0;
}

/* ---------------------------------------------------------------- worker command line */

static int args_push(char ***v, size_t *n, size_t *cap, char *s)
{
    if (*n + 1 >= *cap) {
        size_t nc = *cap ? *cap * 2 : 32;
        char **p = realloc(*v, nc * sizeof *p);
        if (!p)
            return -1;
        *v = p;
        *cap = nc;
    }
    (*v)[(*n)++] = s;
    (*v)[*n] = NULL;
    return 0;
}

static int long_dropped(const char *name, size_t len, int *has_arg)
{
    static const struct { const char *name; int arg; } drop[] = {
        {"batch", 0}, {"output-dir", 1}, {"jobs", 1}, {"format", 1}, {"captions", 1},
        {"write", 1}, {"file", 1}, {"stdout", 0}, {"quiet", 0},
    };
    for (size_t i = 0; i < sizeof drop / sizeof drop[0]; i++)
        if (len && len <= strlen(drop[i].name) && strncmp(name, drop[i].name, len) == 0) {
            *has_arg = drop[i].arg;
            return 1;
        }
    return 0;
}

/* The user's options minus the batch ones, for the workers. The strings are
 * either argv's own or allocated into `owned` (freed by the caller). */
static int worker_base_args(const cli_opts *o, char ***v, size_t *n, size_t *cap, char **owned, size_t *n_owned)
{
    const char *so = cli_short_opts;
    for (int i = 1; i < o->opt_end; i++) {
        char *a = o->argv[i];
        if (strcmp(a, "--") == 0)
            continue;
        if (a[0] == '-' && a[1] == '-') {
            const char *eq = strchr(a + 2, '=');
            size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
            int has_arg = 0;
            if (long_dropped(a + 2, len, &has_arg)) {
                if (has_arg && !eq)
                    i++;
                continue;
            }
            if (args_push(v, n, cap, a) != 0)
                return -1;
            continue;
        }
        if (a[0] != '-' || a[1] == '\0') {
            if (args_push(v, n, cap, a) != 0) /* an option's value */
                return -1;
            continue;
        }
        /* A cluster of short options: keep the ones that are not batch's. */
        char *keep = malloc(strlen(a) + 2);
        if (!keep)
            return -1;
        size_t k = 0;
        keep[k++] = '-';
        int value_next = 0, drop_next = 0;
        for (const char *p = a + 1; *p; p++) {
            const char *d = strchr(so, *p);
            int takes = d && *p != ':' && d[1] == ':';
            int dropped = strchr("ojwfq", *p) != NULL;
            if (!dropped)
                keep[k++] = *p;
            if (takes) {
                if (p[1]) {
                    if (!dropped) {
                        size_t rest = strlen(p + 1);
                        memcpy(keep + k, p + 1, rest);
                        k += rest;
                    }
                } else {
                    value_next = !dropped;
                    drop_next = dropped;
                }
                break;
            }
        }
        keep[k] = '\0';
        if (k > 1) {
            owned[(*n_owned)++] = keep;
            if (args_push(v, n, cap, keep) != 0)
                return -1;
        } else {
            free(keep);
        }
        if (drop_next)
            i++;
        else if (value_next && i + 1 < o->opt_end) {
            if (args_push(v, n, cap, o->argv[++i]) != 0)
                return -1;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- progress */

typedef struct batch_progress {
    int on;
    double t0, last;
    size_t total, finished;
    uint64_t bytes_total, bytes_done, work_total, work_done;
} batch_progress;

static void fmt_time(char *dst, size_t n, double s)
{
    long t = s < 0 ? 0 : (long)(s + 0.5);
    if (t >= 3600)
        snprintf(dst, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(dst, n, "%ld:%02ld", t / 60, t % 60);
}

static void fmt_bytes(char *dst, size_t n, uint64_t b)
{
    if (b >= 10u * 1024 * 1024)
        snprintf(dst, n, "%.0f MB", (double)b / 1048576.0);
    else if (b >= 1024 * 1024)
        snprintf(dst, n, "%.1f MB", (double)b / 1048576.0);
    else if (b >= 1024)
        snprintf(dst, n, "%.0f kB", (double)b / 1024.0);
    else
        snprintf(dst, n, "%llu B", (unsigned long long)b);
}

static void progress_draw(batch_progress *p, int force)
{
    if (!p->on)
        return;
    double t = now_s();
    if (!force && t - p->last < 0.1)
        return;
    p->last = t;
    double share = p->work_total ? (double)p->work_done / (double)p->work_total : 1.0;
    char bar[31], done_b[32], total_b[32], left[32];
    int filled = (int)(share * 30);
    for (int i = 0; i < 30; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[30] = '\0';
    fmt_bytes(done_b, sizeof done_b, p->bytes_done);
    fmt_bytes(total_b, sizeof total_b, p->bytes_total);
    if (share > 0.001 && share < 1)
        fmt_time(left, sizeof left, (t - p->t0) * (1 - share) / share);
    else
        snprintf(left, sizeof left, share >= 1 ? "0:00" : "?");
    fprintf(stderr, "\r[%s] %zu/%zu files  %s/%s  left %s \033[K", bar, p->finished, p->total, done_b, total_b,
            left);
    fflush(stderr);
}

static void progress_clear(const batch_progress *p)
{
    if (p->on) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
}

/* ---------------------------------------------------------------- workers */

static pid_t spawn(char **argv, const char *prog, int *fd_out)
{
    int pfd[2];
    if (pipe(pfd) != 0)
        return -1;
    (void)fcntl(pfd[0], F_SETFD, FD_CLOEXEC);
    (void)fcntl(pfd[1], F_SETFD, FD_CLOEXEC);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        close(pfd[0]);
        close(pfd[1]);
        return -1;
    }
    if (pid == 0) {
        /* Own process group: Ctrl-C reaches the parent only, which stops the
         * workers with one SIGTERM each (they remove their temporary files). */
        setpgid(0, 0);
        dup2(pfd[1], STDERR_FILENO);
        int nul = open("/dev/null", O_RDONLY);
        if (nul >= 0) {
            dup2(nul, STDIN_FILENO);
            close(nul);
        }
        signal(SIGPIPE, SIG_DFL);
        execv("/proc/self/exe", argv);
        execvp(prog, argv); /* no /proc: try the name we were started with */
        dprintf(STDERR_FILENO, "kazspeak: cannot start a worker: %s\n", strerror(errno));
        _exit(127);
    }
    close(pfd[1]);
    *fd_out = pfd[0];
    return pid;
}

/* The worker's report: its first error line without the program prefix,
 * skipping the "... was not written" line that follows every failure. */
static void worker_message(const worker *w, char *dst, size_t n)
{
    dst[0] = '\0';
    const char *p = w->err, *end = w->err + w->err_len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        const char *q = p;
        if (len > 10 && strncmp(q, "kazspeak: ", 10) == 0) {
            q += 10;
            len -= 10;
        }
        int skip = len == 0 || (len > 17 && memcmp(q + len - 17, " was not written.", 17) == 0) ||
                   (len > 16 && memcmp(q + len - 16, " was not written", 16) == 0) ||
                   (len > 8 && strncmp(q, "warning:", 8) == 0);
        if (!skip) {
            snprintf(dst, n, "%.*s", (int)len, q);
            return;
        }
        p = nl ? nl + 1 : end;
    }
}

/* Pass on a successful worker's warnings (e.g. invalid UTF-8 in its input). */
static void report_warnings(batch_progress *pr, const worker *w)
{
    const char *p = w->err, *end = w->err + w->err_len;
    int cleared = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (len) {
            if (!cleared)
                progress_clear(pr);
            cleared = 1;
            fprintf(stderr, "%.*s\n", (int)len, p);
        }
        p = nl ? nl + 1 : end;
    }
    if (cleared)
        progress_draw(pr, 1);
}

static void report_failure(batch_progress *pr, const job *j, const char *msg)
{
    progress_clear(pr);
    if (msg && *msg && strstr(msg, j->in))
        cli_error("%s", msg);
    else
        cli_error("%s: %s", j->in, msg && *msg ? msg : "failed");
    progress_draw(pr, 1);
}

static long default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? n : 1;
}

/* ---------------------------------------------------------------- the run */

typedef struct batch {
    cli_ctx *c;
    job_list jobs;
    char **args;      /* worker command line: fixed part, then -q -f IN -w OUT [--captions CAP] */
    size_t n_args, args_cap, fixed;
    char **owned;     /* strings of args this run allocated */
    size_t n_owned;
    worker *w;        /* nj slots */
    long nj;
    struct pollfd *pfds;
    long *map;        /* pfds[i] belongs to w[map[i]] */
    size_t *order;    /* jobs, largest first */
    size_t next, running;
    size_t written, skipped, failed;
    int stopping;     /* a signal came: workers were told to stop */
    batch_progress pr;
} batch;

/* The worker command line: prog, the user's options, room for the per-job part. */
static int build_worker_args(batch *b)
{
    const cli_opts *o = &b->c->opt;
    b->owned = calloc((size_t)o->opt_end + 1, sizeof *b->owned);
    if (!b->owned || args_push(&b->args, &b->n_args, &b->args_cap, (char *)b->c->prog) != 0 ||
        worker_base_args(o, &b->args, &b->n_args, &b->args_cap, b->owned, &b->n_owned) != 0)
        return -1;
    b->fixed = b->n_args;
    for (int k = 0; k < 12; k++) /* -j 1 -q -f IN -w OUT [--captions CAP] [--title T] */
        if (args_push(&b->args, &b->n_args, &b->args_cap, NULL) != 0)
            return -1;
    return 0;
}

/* Count what is to do, already done or failed in planning; size the progress bar. */
static size_t tally(batch *b)
{
    size_t n_todo = 0;
    batch_progress *pr = &b->pr;
    pr->on = !b->c->opt.quiet && isatty(STDERR_FILENO);
    pr->t0 = now_s();
    pr->total = b->jobs.n;
    for (size_t i = 0; i < b->jobs.n; i++) {
        job *j = &b->jobs.v[i];
        pr->bytes_total += j->size;
        if (j->state == JOB_TODO) {
            n_todo++;
            pr->work_total += j->size + 1;
        } else {
            pr->finished++;
            pr->bytes_done += j->size;
        }
        if (j->state == JOB_SKIP)
            b->skipped++;
        if (j->state == JOB_SKIP && j->msg) {
            progress_clear(pr);
            cli_error("warning: %s", j->msg);
        }
    }
    for (size_t i = 0; i < b->jobs.n; i++)
        if (b->jobs.v[i].state == JOB_FAIL) {
            b->failed++;
            report_failure(pr, &b->jobs.v[i], b->jobs.v[i].msg);
        }
    return n_todo;
}

/* Worker slots and the order of the jobs (largest first keeps the cores busy). */
static int make_slots(batch *b, size_t n_todo)
{
    b->nj = b->c->opt.jobs > 0 ? b->c->opt.jobs : default_jobs();
    if ((size_t)b->nj > n_todo)
        b->nj = n_todo ? (long)n_todo : 1;
    b->w = calloc((size_t)b->nj, sizeof *b->w);
    b->pfds = calloc((size_t)b->nj, sizeof *b->pfds);
    b->map = calloc((size_t)b->nj, sizeof *b->map);
    b->order = malloc((b->jobs.n ? b->jobs.n : 1) * sizeof *b->order);
    if (!b->w || !b->pfds || !b->map || !b->order)
        return -1;
    for (size_t i = 0; i < b->jobs.n; i++)
        b->order[i] = i;
    order_base = b->jobs.v;
    qsort(b->order, b->jobs.n, sizeof *b->order, cmp_size_desc);
    return 0;
}

/* ---------------------------------------------------------------- default title */

#define TITLE_MAX 128 /* bytes of a default title, with its NUL */

/* The title of a text without --title: its first non-empty line (without a
 * byte-order mark, cut at a space to fit), or, when that is markup (SSML) or
 * there is none, the file's name without its folder and .txt. */
static void default_title(const char *path, char *dst, size_t n)
{
    dst[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (f) {
        char line[1024];
        while (fgets(line, sizeof line, f)) {
            char *p = line;
            if ((unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB && (unsigned char)p[2] == 0xBF)
                p += 3;
            while (*p == ' ' || *p == '\t')
                p++;
            size_t len = strcspn(p, "\r\n");
            while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
                len--;
            if (!len)
                continue;
            if (p[0] == '<')
                break;
            if (len >= n) { /* cut at the last space that fits, else at a character boundary */
                size_t cut = n - 1;
                while (cut && ((unsigned char)p[cut] & 0xC0) == 0x80)
                    cut--;
                size_t sp = cut;
                while (sp > n / 2 && p[sp] != ' ')
                    sp--;
                len = p[sp] == ' ' ? sp : cut;
            }
            memcpy(dst, p, len);
            dst[len] = '\0';
            break;
        }
        fclose(f);
    }
    if (dst[0])
        return;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t len = strlen(base);
    if (len > 4 && strcasecmp(base + len - 4, ".txt") == 0)
        len -= 4;
    if (len >= n)
        len = n - 1;
    snprintf(dst, n, "%.*s", (int)len, base);
}

/* Start a worker on every free slot while jobs are waiting. */
static void start_workers(batch *b)
{
    for (long k = 0; k < b->nj && !b->stopping; k++) {
        if (b->w[k].pid > 0)
            continue;
        while (b->next < b->jobs.n && b->jobs.v[b->order[b->next]].state != JOB_TODO)
            b->next++;
        if (b->next >= b->jobs.n)
            return;
        job *j = &b->jobs.v[b->order[b->next]];
        size_t a = b->fixed;
        b->args[a++] = "-j"; /* the batch spreads files over the cores: one process per file */
        b->args[a++] = "1";
        b->args[a++] = "-q";
        b->args[a++] = "-f";
        b->args[a++] = j->in;
        b->args[a++] = "-w";
        b->args[a++] = j->out;
        if (j->cap) {
            b->args[a++] = "--captions";
            b->args[a++] = j->cap;
        }
        char title[TITLE_MAX];
        if (!b->c->opt.file.title) { /* each file's own title: its first line, else its name */
            default_title(j->in, title, sizeof title);
            b->args[a++] = "--title";
            b->args[a++] = title;
        }
        b->args[a] = NULL;
        int fd = -1;
        pid_t pid = spawn(b->args, b->c->prog, &fd);
        if (pid < 0) {
            j->state = JOB_FAIL;
            b->failed++;
            report_failure(&b->pr, j, strerror(errno));
            b->next++;
            continue;
        }
        b->w[k].pid = pid;
        b->w[k].fd = fd;
        b->w[k].job = b->order[b->next];
        b->w[k].err_len = 0;
        b->running++;
        b->next++;
    }
}

/* A worker closed its stderr: collect its status and account for its job. */
static void finish_worker(batch *b, worker *wk)
{
    close(wk->fd);
    int status = 0;
    while (waitpid(wk->pid, &status, 0) < 0 && errno == EINTR) {
    }
    job *j = &b->jobs.v[wk->job];
    wk->pid = 0;
    b->running--;
    b->pr.finished++;
    b->pr.bytes_done += j->size;
    b->pr.work_done += j->size + 1;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        j->state = JOB_DONE;
        b->written++;
        report_warnings(&b->pr, wk);
    } else if (b->stopping) {
        j->state = JOB_TODO; /* interrupted: not a failure of this input */
        b->pr.finished--;
    } else {
        j->state = JOB_FAIL;
        b->failed++;
        char msg[512];
        worker_message(wk, msg, sizeof msg);
        if (!msg[0] && WIFSIGNALED(status))
            snprintf(msg, sizeof msg, "worker killed by signal %d", WTERMSIG(status));
        else if (!msg[0])
            snprintf(msg, sizeof msg, "worker exited with status %d", WEXITSTATUS(status));
        report_failure(&b->pr, j, msg);
    }
}

/* Wait for output or the end of a worker, and handle what came. */
static void wait_workers(batch *b)
{
    nfds_t np = 0;
    for (long k = 0; k < b->nj; k++)
        if (b->w[k].pid > 0) {
            b->pfds[np].fd = b->w[k].fd;
            b->pfds[np].events = POLLIN;
            b->pfds[np].revents = 0;
            b->map[np++] = k;
        }
    int r = poll(b->pfds, np, b->pr.on ? 250 : 1000);
    progress_draw(&b->pr, 0);
    if (r <= 0)
        return; /* timeout or EINTR (a signal: handled by the caller) */
    for (nfds_t q = 0; q < np; q++) {
        if (!b->pfds[q].revents)
            continue;
        worker *wk = &b->w[b->map[q]];
        char buf[1024];
        ssize_t n = read(wk->fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n > 0) { /* keep the start of its messages for the report */
            size_t room = sizeof wk->err - 1 - wk->err_len;
            size_t take = (size_t)n < room ? (size_t)n : room;
            memcpy(wk->err + wk->err_len, buf, take);
            wk->err_len += take;
            wk->err[wk->err_len] = '\0';
            continue;
        }
        finish_worker(b, wk);
    }
}

static void run_workers(batch *b)
{
    progress_draw(&b->pr, 1);
    for (;;) {
        if (cli_signal_received && !b->stopping) {
            b->stopping = 1;
            for (long k = 0; k < b->nj; k++)
                if (b->w[k].pid > 0)
                    kill(b->w[k].pid, SIGTERM);
        }
        start_workers(b);
        if (b->running == 0)
            return;
        wait_workers(b);
    }
}

/* The summary line, and the exit status. */
static int summary(batch *b)
{
    progress_draw(&b->pr, 1);
    progress_clear(&b->pr);
    size_t not_done = 0;
    for (size_t i = 0; i < b->jobs.n; i++)
        if (b->jobs.v[i].state == JOB_TODO)
            not_done++;
    if (not_done)
        fprintf(stderr, "%zu written, %zu skipped, %zu failed, %zu not done (interrupted)\n", b->written,
                b->skipped, b->failed, not_done);
    else if (b->failed || !b->c->opt.quiet) /* -q: silent when all went well */
        fprintf(stderr, "%zu written, %zu skipped, %zu failed\n", b->written, b->skipped, b->failed);
    if (cli_signal_received)
        return cli_signal_status();
    return b->failed ? CLI_EXIT_ERROR : CLI_EXIT_OK;
}

int cli_run_batch(cli_ctx *c)
{
    batch b;
    memset(&b, 0, sizeof b);
    b.c = c;
    int rc = CLI_EXIT_ERROR;
    if (collect(&b.jobs, &c->opt) != 0 || plan(&b.jobs) != 0)
        cli_error("out of memory");
    else if (b.jobs.n == 0)
        cli_error("nothing to read: no input files");
    else if (mkdir_p(c->opt.out_dir) != 0)
        cli_error("%s: cannot create the output folder: %s", c->opt.out_dir, strerror(errno));
    else if (build_worker_args(&b) != 0 || make_slots(&b, tally(&b)) != 0)
        cli_error("out of memory");
    else {
        run_workers(&b);
        rc = summary(&b);
    }
    for (size_t i = 0; i < b.n_owned; i++)
        free(b.owned[i]);
    free(b.owned);
    free(b.args);
    free(b.w);
    free(b.pfds);
    free(b.map);
    free(b.order);
    jobs_free(&b.jobs);
    return rc;
}
