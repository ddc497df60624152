#pragma once

/* Whole-file reads and atomic whole-file replacement, for tools that edit
 * files other programs read at any moment (/etc/fstab, state files). */

#include <stddef.h>
#include <sys/types.h>

/* Reads all of path into a newly allocated buffer (NUL-terminated, the NUL
 * not counted in *ret_size). Files above max_size are -EFBIG. */
int read_file_full(const char *path, size_t max_size, char **ret, size_t *ret_size);
/* The same, path relative to dir_fd (AT_FDCWD: the working directory). */
int read_file_full_at(int dir_fd, const char *path, size_t max_size, char **ret, size_t *ret_size);

/* Replaces path with data atomically: a temporary file next to it (same
 * directory, so rename() stays on one filesystem), fchmod(mode), write,
 * fsync, rename, fsync of the directory. Readers see the old or the new file,
 * never a mix, and a crash after success cannot bring the old one back. On
 * failure the old file is untouched and no temporary file remains. */
int write_file_atomic(const char *path, const void *data, size_t size, mode_t mode);
/* The same temporary file and rename, without either fsync: readers still see
 * the old or the new file whole, but a crash may lose the update. For a file
 * rewritten every few seconds from memory (metrics), where an fsync on a slow
 * disk would stall the writer for nothing. */
int write_file_replace(const char *path, const void *data, size_t size, mode_t mode);

/* Calls fn(dfd, NAME, userdata) for every entry of the open directory dfd
 * but "." and "..", stopping at the first negative return, which it returns
 * (or readdir's error). dfd is neither moved nor closed. */
int dir_for_each(int dfd, int (*fn)(int dfd, const char *name, void *userdata), void *userdata);

/* rm -rf of name below dfd: never follows a symlink (a link is removed, not
 * its target). -ENOENT when there is no name. */
int rm_rf_at(int dfd, const char *name);
