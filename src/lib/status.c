/* status.c - status texts and error helpers shared by the library. */
#include <stdarg.h>
#include <stdio.h>

#include "kazspeak/kazspeak.h"
#include "status.h"

static const char *const status_text[KS_STATUS_COUNT] = {
    [KS_OK] = "success",
    [KS_ENOMEM] = "out of memory or size limit reached",
    [KS_EINVAL] = "invalid argument",
    [KS_EIO] = "input/output error",
    [KS_EPARSE] = "malformed data",
    [KS_ENOVOICE] = "voice not found",
    [KS_ESYNTH] = "speech synthesis failed",
    [KS_EAUDIO] = "audio error",
    [KS_EBUSY] = "engine busy or already created",
    [KS_ENOTSUP] = "not supported",
    [KS_ESTOPPED] = "stopped",
};

KS_API const char *ks_strerror(ks_status st)
{
    if ((unsigned)st >= KS_STATUS_COUNT || !status_text[st])
        return "unknown status";
    return status_text[st];
}

KS_API const char *ks_version(void)
{
    return KS_VERSION_STRING;
}

ks_status status_set(ks_error *err, ks_status st, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return st;
}
