/* Fuzz target for the reliefd.conf parser (libFuzzer's entry point).
 *   clang -fsanitize=fuzzer,address -Ihelpers/shared -include config.h \
 *       tests/fuzz/fuzz-relief-config.c helpers/shared/{relief-config,file-util,str-util}.c -lm
 *   ./a.out tests/fuzz/corpus-relief-config
 * Without clang, fuzz-replay.c runs it over the corpus in `make check`.
 * Checks beyond "no crash": a parse that succeeds yields nested thresholds;
 * one that fails says where. */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "relief-config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = malloc(size + 1), *error = NULL;
        ReliefConfig c;

        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';
        relief_config_defaults(&c);
        int r = relief_config_parse("fuzz.conf", text, &c, &error);
        if (r == 0 && !(c.admission_reopen_percent < c.admission_close_percent &&
                        c.admission_close_percent <= c.kill_percent && c.target_percent < c.kill_percent))
                abort();
        if (r == -EINVAL && (!error || strncmp(error, "fuzz.conf", 9) != 0))
                abort();
        relief_config_done(&c);
        free(error);
        free(text);
        return 0;
}
