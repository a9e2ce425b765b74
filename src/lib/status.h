/* status.h - internal error helper: status_set(err, KS_EIO, "%s: %s", path, strerror(errno))
 * writes a one-line message into err (when not NULL) and returns the status. */
#ifndef KS_STATUS_H
#define KS_STATUS_H
#include "kazspeak/kazspeak.h"

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
ks_status status_set(ks_error *err, ks_status st, const char *fmt, ...);

#endif
