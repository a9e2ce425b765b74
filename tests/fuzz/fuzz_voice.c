/* libFuzzer target: the voice-profile loader. */
#include <stddef.h>
#include <stdint.h>

#include "kazspeak/kazspeak.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ks_voice v;
    ks_error err;
    ks_voice_defaults(&v);
    ks_voice_load_buffer(&v, "fuzz.voice", (const char *)data, size, &err);
    return 0;
}
