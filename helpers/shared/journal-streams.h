#pragma once

/* journald's stdout streams: every service whose StandardOutput= is the
 * journal holds one while it runs, and journald keeps a fixed number of them
 * (STDOUT_STREAMS_MAX in journald-stream.c), refusing the next at once. 4,096
 * up to systemd 257, 65,536 since 258 (systemd PR #35430); novactl-basic.vmt
 * measures it. Agents may take all but a reserve of them, so that the host's
 * own services (sshd, cron, a restarted daemon) still get a stream. */

#define JOURNAL_STREAMS_DIR "/run/systemd/journal/streams"

/* The cap of a systemd (journald) version. */
unsigned journal_streams_max(unsigned systemd_version);
/* How many of max agents may hold: all but the last 1/32 (128 of 4,096). */
unsigned journal_streams_for_agents(unsigned max);

/* The running systemd's version, from the libsystemd-shared-VERSION library
 * PID 1 has mapped (<proc_root>/1/maps): no bus call, which a start must not
 * wait for while PID 1 is busy. -ENOENT when no such library is mapped, the
 * errno of the file otherwise. */
int systemd_version_running(const char *proc_root, unsigned *ret);

/* Streams journald holds now: its state files in dir (JOURNAL_STREAMS_DIR),
 * one per stream past its header, without its ".#" temporary files. */
int journal_streams_count(const char *dir, unsigned *ret);
