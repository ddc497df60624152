/* Runs a libFuzzer target over every file of the directories given: the
 * corpus is a regression test in `make check` without clang. TAP. */

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "file-util.h"
#include "str-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv) {
        unsigned n = 0;

        for (int i = 1; i < argc; i++) {
                DIR *d = opendir(argv[i]);
                if (!d) {
                        printf("Bail out! cannot open %s\n", argv[i]);
                        return 1;
                }
                for (struct dirent *de; (de = readdir(d));) {
                        if (de->d_name[0] == '.')
                                continue;
                        char *path = str_printf("%s/%s", argv[i], de->d_name), *text = NULL;
                        size_t size = 0;
                        if (!path || read_file_full(path, 1 << 20, &text, &size) < 0) {
                                printf("Bail out! cannot read %s\n", path ? path : de->d_name);
                                return 1;
                        }
                        LLVMFuzzerTestOneInput((const uint8_t *) text, size); /* aborts on a failed check */
                        printf("ok %u - %s\n", ++n, de->d_name);
                        free(text);
                        free(path);
                }
                closedir(d);
        }
        printf("1..%u\n", n);
        return n == 0;
}
