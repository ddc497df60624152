#pragma once

/* The few attributes and cleanup helpers every file of nova-agent-host uses.
 * Destructors accept NULL (and -1/-EBADF for fds), so a variable can be
 * declared with _cleanup_ at the top and left unset on every early return. */

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(fmt, args) __attribute__((format(printf, fmt, args)))
#define _noreturn_ __attribute__((noreturn))

/* Refuses pointers at compile time: sizeof(ptr) / sizeof(*ptr) is a classic
 * silent bug when an array parameter decays. */
#define ELEMENTSOF(x)                                                                          \
        (sizeof(x) / sizeof((x)[0]) +                                                          \
         0 * sizeof(char[1 - 2 * __builtin_types_compatible_p(__typeof__(x),                   \
                                                              __typeof__(&(x)[0]))]))

/* Hands ownership out of a _cleanup_ variable: returns the value, leaves NULL/-EBADF. */
#define TAKE_PTR(p)                                                                            \
        ({                                                                                     \
                __typeof__(p) _took = (p);                                                     \
                (p) = NULL;                                                                    \
                _took;                                                                         \
        })
#define TAKE_FD(fd)                                                                            \
        ({                                                                                     \
                int _took = (fd);                                                              \
                (fd) = -EBADF;                                                                 \
                _took;                                                                         \
        })

static inline void freep(void *p) {
        free(*(void **) p);
}

static inline void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}

static inline void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}

static inline void closep(int *fd) {
        /* close() in a destructor must not clobber the errno a caller is about to read. */
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);
                errno = saved;
        }
}

/* A string vector is a NULL-terminated array of malloc'ed strings; NULL is the empty vector. */
static inline char **strv_free(char **l) {
        if (l) {
                for (char **s = l; *s; s++)
                        free(*s);
                free(l);
        }
        return NULL;
}

static inline void strv_freep(char ***l) {
        strv_free(*l);
}

static inline size_t strv_length(char *const *l) {
        size_t n = 0;

        while (l && l[n])
                n++;
        return n;
}

static inline bool strv_isempty(char *const *l) {
        return !l || !l[0];
}
