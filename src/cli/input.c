/* input.c - the text to read: arguments, -f FILE, or standard input. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

int cli_input_open(cli_input *in, const cli_opts *o, ks_buf *argbuf)
{
    memset(in, 0, sizeof *in);
    if (o->n_texts) {
        for (int i = 0; i < o->n_texts; i++) {
            if (i)
                ks_buf_putc(argbuf, ' ');
            ks_buf_puts(argbuf, o->texts[i]);
        }
        if (argbuf->failed) {
            cli_error("text arguments too long");
            return -1;
        }
        in->name = "(arguments)";
        in->args_text = argbuf->data ? argbuf->data : "";
        in->args_len = argbuf->len;
        in->total = argbuf->len;
        return 0;
    }
    if (!o->input_file || strcmp(o->input_file, "-") == 0) {
        in->f = stdin;
        in->name = "(stdin)";
    } else {
        in->name = o->input_file;
        in->f = fopen(o->input_file, "rb");
        if (!in->f) {
            cli_error("%s: %s", o->input_file, strerror(errno));
            return -1;
        }
        in->owns = 1;
    }
    struct stat st;
    if (fstat(fileno(in->f), &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            cli_error("%s: is a directory", in->name);
            cli_input_close(in);
            return -1;
        }
        if (S_ISREG(st.st_mode))
            in->total = (uint64_t)st.st_size;
        else if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode) || S_ISSOCK(st.st_mode))
            in->stream = 1;
    }
    return 0;
}

/* Keep the length of the current line; one bound for every mode. */
static int count_lines(cli_input *in, const char *p, size_t n)
{
    const char *end = p + n, *nl;
    while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        in->lines++;
        in->line_len = 0;
        p = nl + 1;
    }
    in->line_len += (uint64_t)(end - p);
    if (in->line_len > CLI_MAX_LINE) {
        cli_error("%s:%lu: line longer than %llu MiB: not a text", in->name, in->lines + 1,
                  (unsigned long long)(CLI_MAX_LINE >> 20));
        return -1;
    }
    return 0;
}

long cli_input_read(cli_input *in, char *dst, size_t n)
{
    if (in->args_text) {
        size_t left = in->args_len - in->args_pos;
        if (n > left)
            n = left;
        memcpy(dst, in->args_text + in->args_pos, n);
        in->args_pos += n;
        in->consumed += n;
        return (long)n;
    }
    for (;;) {
        /* read(2), not fread: return what a pipe has now, so speech starts at once. */
        ssize_t r = read(fileno(in->f), dst, n);
        if (r >= 0) {
            in->consumed += (uint64_t)r;
            return count_lines(in, dst, (size_t)r) == 0 ? (long)r : -1;
        }
        if (errno == EINTR && !cli_signal_received)
            continue;
        if (errno == EINTR)
            return -1;
        cli_error("%s: read error: %s", in->name, strerror(errno));
        return -1;
    }
}

int cli_input_idle(const cli_input *in)
{
    if (!in->stream || !in->f)
        return 0;
    struct pollfd pfd = {fileno(in->f), POLLIN, 0};
    return poll(&pfd, 1, 0) == 0;
}

void cli_input_close(cli_input *in)
{
    if (in->owns && in->f)
        fclose(in->f);
    in->f = NULL;
    in->owns = 0;
}
