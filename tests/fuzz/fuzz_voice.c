/* libFuzzer target: the voice-profile loader.
 *
 * Besides not crashing, the input must parse exactly like the same text with
 * a UTF-8 BOM in front and CRLF line ends (same status, same message, same
 * voice), a parsed voice must be within the documented ranges, and an error
 * must be one line starting with the file name (duplicate keys included). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kazspeak/kazspeak.h"

static void check(int ok)
{
    if (!ok)
        abort();
}

static void check_voice(const ks_voice *v)
{
    check(v->rate >= 80 && v->rate <= 1000);
    check(v->pitch >= 0 && v->pitch <= 100);
    check(v->range >= 0 && v->range <= 100);
    check(v->volume >= 0 && v->volume <= 200);
    check(v->wordgap >= 0 && v->wordgap <= 100);
    check(v->n_lexicons >= 0 && v->n_lexicons <= KS_MAX_VOICE_LEXICONS);
    check(memchr(v->name, '\0', sizeof v->name) != NULL);
    check(memchr(v->espeak, '\0', sizeof v->espeak) != NULL && v->espeak[0]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ks_voice v, w;
    ks_error err, err2;
    ks_voice_defaults(&v);
    ks_status st = ks_voice_load_buffer(&v, "fuzz.voice", (const char *)data, size, &err);
    if (st == KS_OK)
        check_voice(&v);
    else
        check(strncmp(err.msg, "fuzz.voice", 10) == 0 && !strchr(err.msg, '\n'));

    /* The same text with a BOM and every LF as CRLF (when it has neither a
     * BOM nor a CR already: "x\r\r\n" is one byte longer than "x\r\n"). */
    if ((size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) || memchr(data, '\r', size))
        return 0;
    char *alt = malloc(3 + 2 * size + 1);
    if (!alt)
        return 0;
    size_t n = 0;
    memcpy(alt, "\xEF\xBB\xBF", 3);
    n = 3;
    for (size_t i = 0; i < size; i++) {
        if (data[i] == '\n')
            alt[n++] = '\r';
        alt[n++] = (char)data[i];
    }
    ks_voice_defaults(&w);
    ks_status st2 = ks_voice_load_buffer(&w, "fuzz.voice", alt, n, &err2);
    free(alt);
    check(st2 == st);
    if (st == KS_OK)
        check(memcmp(&v, &w, sizeof v) == 0);
    else
        check(strcmp(err.msg, err2.msg) == 0);
    return 0;
}
