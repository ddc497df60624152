#pragma once

/* The soft deadline's record, defined once (issue 11): for every start of
 * agent NAME with a SoftDeadlineSec=, `nova-agent-exec --prepare` leaves
 * <rundir>/soft-deadline/NAME; nova-reliefd watches the directory and sends
 * the agent's main process SIGUSR1 when the deadline has passed, once per
 * run. One line:
 *
 *   SOFT_USEC CGROUP_ID
 *
 * SOFT_USEC is SoftDeadlineSec= in µs (> 0), CGROUP_ID the inode number of
 * the agent's own cgroup directory when --prepare ran in it: a later run of
 * the same name has another cgroup, and so another ID. The directory is
 * root's, 0700; a record is replaced by rename (temporary files start with
 * '.', which no agent name does). */

#include <stddef.h>
#include <stdint.h>

#define SOFT_DEADLINE_SUBDIR "soft-deadline"
/* Two 20-digit numbers, a space and a newline, and room to spare. */
#define SOFT_DEADLINE_RECORD_MAX 64

typedef struct SoftDeadline {
        uint64_t soft_usec;
        uint64_t cgroup_id;
} SoftDeadline;

/* <rundir>/soft-deadline; NULL when out of memory. */
char *soft_deadline_dir(const char *rundir);

/* The record's text into buf (SOFT_DEADLINE_RECORD_MAX bytes): its length. */
int soft_deadline_format(const SoftDeadline *s, char *buf, size_t size);
/* -EBADMSG unless text is exactly one record (the newline optional). */
int soft_deadline_parse(const char *text, SoftDeadline *ret);

/* Writes <rundir>/soft-deadline/NAME (0600), making the directory (0700) if
 * it is missing. No fsync: /run does not survive a crash anyway. */
int soft_deadline_write(const char *rundir, const char *name, const SoftDeadline *s);
/* Removes the record of name: 0 also when there was none. */
int soft_deadline_remove(const char *rundir, const char *name);
/* Reads the record name in the open directory dir_fd; ret_written_usec (if
 * not NULL) gets the file's mtime, CLOCK_REALTIME µs. -ENOENT when none,
 * -EBADMSG when it is not a record. */
int soft_deadline_read_at(int dir_fd, const char *name, SoftDeadline *ret, uint64_t *ret_written_usec);

/* The start the deadline counts from: the launcher (ExecStart=, before it
 * drops to the agent's UID) leaves <rundir>/agents/NAME/started, root's and
 * empty, as it begins; its mtime is when the agent's run began (systemd's
 * ActiveEnterTimestamp for Type=exec). Not the main process's fork: on 257
 * the executor sets up the sandbox between fork and exec (1.4 s under TCG),
 * and an agent signalled by then has not installed its handler. The
 * directory is a RuntimeDirectory=, gone with the run. */
#define SOFT_DEADLINE_STARTED "started"
int soft_deadline_mark_started(const char *runtime_dir);
/* The mark's mtime, CLOCK_REALTIME µs; -ENOENT while the launcher has not
 * begun (or the run has ended). */
int soft_deadline_started_read(const char *rundir, const char *name, uint64_t *ret_realtime_usec);
