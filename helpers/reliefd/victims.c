/* Killing the chosen agents and confirming them gone. Each victim's whole
 * cgroup gets SIGKILL at once through cgroup.kill (Linux >= 5.14: atomic,
 * a forking tree cannot outrun it); its cgroup.events is then watched with
 * POLLPRI (by events.c) until "populated 0". Until then its memory counts as about to be
 * freed (relief_decide()), and the list is kept in <rundir>/relief-inflight
 * so that a restarted daemon does not kill again for the same memory. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include "cgroup-util.h"
#include "file-util.h"
#include "log.h"
#include "macro.h"
#include "reliefd.h"
#include "str-util.h"

#define INFLIGHT_FILE "relief-inflight"
/* A victim still populated this long after SIGKILL (D state, a stuck NFS
 * read) stops counting as "about to free": relief may pick more. */
#define VICTIM_GIVE_UP_USEC (10ULL * 1000 * 1000)

static int victim_populated(const Daemon *d, const Victim *v) {
        _cleanup_(freep) char *dir = str_printf("%s/%s", d->slice_dir, v->name);

        if (!dir)
                return -ENOMEM;
        int r = cgroup_populated(dir);
        return r == -ENOENT || r == -ENODEV ? 0 : r; /* the cgroup is gone: so are its processes */
}

/* A victim's cgroup id: the inode number of its directory, new for every
 * instance of the unit (cgroupfs never reuses one while the host runs). */
static uint64_t victim_cgroup_id(const Daemon *d, const char *name) {
        _cleanup_(freep) char *dir = str_printf("%s/%s", d->slice_dir, name);
        struct stat st;

        return dir && stat(dir, &st) == 0 ? (uint64_t) st.st_ino : 0;
}

/* What the victims still hold: a victim whose kill failed frees nothing. */
uint64_t victims_in_flight_bytes(const Daemon *d) {
        uint64_t sum = 0;
        for (size_t i = 0; i < d->n_victims; i++)
                if (!d->victims[i].gone)
                        sum += d->victims[i].bytes;
        return sum;
}

static int agent_name_cmp(const void *key, const void *a) {
        return strcmp(key, ((const Agent *) a)->name);
}

void victims_flag_agents(Daemon *d) {
        for (size_t i = 0; i < d->n_agents; i++)
                d->agents[i].in_flight = false;
        for (size_t i = 0; i < d->n_victims; i++) {
                Agent *a = bsearch(d->victims[i].name, d->agents, d->n_agents, sizeof(Agent), agent_name_cmp);
                if (a)
                        a->in_flight = true;
        }
}

void victims_confirm(Daemon *d, Victim *v) {
        uint64_t ms = (now_usec(CLOCK_MONOTONIC) - v->killed_usec) / 1000;

        if (v->gone)
                return;
        v->gone = true;
        /* A removed cgroup's file may poll for ever until the reap drops the watch. */
        if (v->watch)
                (void) sd_event_source_set_enabled(v->watch, SD_EVENT_OFF);
        sd_journal_send("MESSAGE=%s is gone, %llu ms after SIGKILL", v->name, (unsigned long long) ms,
                        "MESSAGE_ID=" MSGID_VICTIM_GONE, "PRIORITY=%i", LOG_NOTICE, "NOVA_UNIT=%s", v->name,
                        "NOVA_RANK=%u", v->rank, "NOVA_GONE_MSEC=%llu", (unsigned long long) ms, NULL);
}

/* Drops confirmed (and given-up) victims; logs "relief done" when the last goes. */
void victims_reap(Daemon *d) {
        uint64_t now = now_usec(CLOCK_MONOTONIC);
        size_t k = 0;

        for (size_t i = 0; i < d->n_victims; i++) {
                Victim *v = &d->victims[i];
                /* One with a watch is confirmed by its event (events.c). */
                if (!v->gone && !v->watch && victim_populated(d, v) == 0)
                        victims_confirm(d, v);
                if (!v->gone && now - v->killed_usec > VICTIM_GIVE_UP_USEC) {
                        sd_journal_send("MESSAGE=%s still has processes %llu s after SIGKILL; no longer counted as "
                                        "freeing memory", v->name, (unsigned long long) (VICTIM_GIVE_UP_USEC / 1000000),
                                        "PRIORITY=%i", LOG_ERR, "NOVA_UNIT=%s", v->name, NULL);
                        v->gone = true;
                }
                if (v->gone) {
                        sd_event_source_disable_unref(v->watch);
                        continue;
                }
                d->victims[k++] = *v;
        }
        bool changed = k != d->n_victims;
        d->n_victims = k;
        if (changed)
                (void) victims_save(d);
        if (changed && k == 0 && d->relief_running) {
                HostMemory h;
                double used = host_memory_read(d->proc_root, &h) >= 0 ? host_memory_used_percent(&h) : -1;
                d->relief_running = false;
                sd_journal_send("MESSAGE=Relief done: host memory used %.1f%% (target below %.0f%%)", used,
                                d->config.target_percent, "MESSAGE_ID=" MSGID_RELIEF_DONE, "PRIORITY=%i", LOG_NOTICE,
                                "NOVA_USED_PERCENT=%.2f", used, NULL);
        }
}

static int kill_cgroup(const Daemon *d, const char *name) {
        _cleanup_(freep) char *dir = str_printf("%s/%s", d->slice_dir, name);
        return dir ? cgroup_kill(dir) : -ENOMEM;
}

int victims_kill(Daemon *d, const ReliefPlan *plan, const ReliefCandidate *c) {
        Victim *t = realloc(d->victims, (d->n_victims + plan->n_victims) * sizeof(Victim));
        int r;

        if (!t)
                return -ENOMEM;
        d->victims = t;
        size_t first = d->n_victims;
        for (size_t i = 0; i < plan->n_victims; i++) {
                Victim *v = &d->victims[d->n_victims++];
                *v = (Victim) { .bytes = c[plan->victims[i]].memory_current, .rank = (unsigned) i + 1,
                                .killed_usec = now_usec(CLOCK_MONOTONIC) };
                snprintf(v->name, sizeof(v->name), "%s", c[plan->victims[i]].name);
                v->cgroup_id = victim_cgroup_id(d, v->name);
        }
        /* Recorded before the first kill: a crash in between over-counts, never over-kills. */
        (void) victims_save(d);
        d->relief_running = true;
        episode_start(&d->episode);
        d->reliefs_total++;
        d->last_relief_usec = now_usec(CLOCK_REALTIME);
        d->last_relief_victims = plan->n_victims;
        for (size_t i = first; i < d->n_victims; i++) {
                Victim *v = &d->victims[i];
                sd_journal_send("MESSAGE=Relief: killing %s (rank %u of %zu, memory.current %llu MiB); host used %llu MiB, "
                                "target below %llu MiB", v->name, v->rank, plan->n_victims,
                                (unsigned long long) (v->bytes >> 20), (unsigned long long) (plan->used_before >> 20),
                                (unsigned long long) (plan->target_bytes >> 20), "MESSAGE_ID=" MSGID_VICTIM_CHOSEN,
                                "PRIORITY=%i", LOG_WARNING, "NOVA_UNIT=%s", v->name, "NOVA_RANK=%u", v->rank,
                                "NOVA_VICTIMS=%zu", plan->n_victims, "NOVA_MEMORY_CURRENT=%llu",
                                (unsigned long long) v->bytes, "NOVA_USED_BYTES=%llu",
                                (unsigned long long) plan->used_before, "NOVA_TARGET_BYTES=%llu",
                                (unsigned long long) plan->target_bytes, NULL);
                r = kill_cgroup(d, v->name);
                if (r < 0) {
                        /* Nothing will be freed: not counted as in flight (the next reap drops it),
                         * so the next look may pick another victim at once. */
                        log_error("cannot kill %s through cgroup.kill: %s", v->name, strerror(-r));
                        v->gone = true;
                } else
                        d->kills_total++;
                v->killed_usec = now_usec(CLOCK_MONOTONIC);
        }
        (void) admission_publish(d, host_memory_used_percent(&d->host), NULL);
        (void) metrics_write(d, true);
        return 0;
}

int victims_save(const Daemon *d) {
        _cleanup_(freep) char *path = str_printf("%s/" INFLIGHT_FILE, d->rundir);
        _cleanup_(freep) char *text = NULL;
        size_t size = 0;
        FILE *f;

        if (!path || !(f = open_memstream(&text, &size)))
                return -ENOMEM;
        for (size_t i = 0; i < d->n_victims; i++)
                fprintf(f, "%s %llu %u %llu\n", d->victims[i].name, (unsigned long long) d->victims[i].bytes,
                        d->victims[i].rank, (unsigned long long) d->victims[i].cgroup_id);
        if (fclose(f) != 0)
                return -ENOMEM;
        return write_file_atomic(path, text ? text : "", size, 0644);
}

int victims_restore(Daemon *d) {
        _cleanup_(freep) char *path = str_printf("%s/" INFLIGHT_FILE, d->rundir);
        _cleanup_(freep) char *text = NULL;
        int r;

        if (!path)
                return -ENOMEM;
        r = read_file_full(path, 1 << 20, &text, NULL);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        for (char *l = text, *next; l && *l; l = next) {
                next = strchr(l, '\n');
                if (next)
                        *next++ = '\0';
                Victim v = { .killed_usec = now_usec(CLOCK_MONOTONIC) };
                char name[RELIEFD_NAME_MAX];
                unsigned long long bytes, id = 0;
                if (sscanf(l, "%127s %llu %u %llu", name, &bytes, &v.rank, &id) < 3)
                        continue;
                snprintf(v.name, sizeof(v.name), "%s", name);
                v.bytes = bytes;
                v.cgroup_id = id;
                if (victim_populated(d, &v) <= 0)
                        continue; /* gone while we were down */
                /* The same name may be a new instance by now (the agent restarted while
                 * we were down): only the cgroup we chose is killed again, and an entry
                 * without its id (an older daemon's file) is neither killed nor counted. */
                if (id == 0 || victim_cgroup_id(d, v.name) != id)
                        continue;
                /* Chosen before the restart, maybe not yet killed: cgroup.kill again is harmless. */
                (void) kill_cgroup(d, v.name);
                Victim *t = realloc(d->victims, (d->n_victims + 1) * sizeof(Victim));
                if (!t)
                        return -ENOMEM;
                d->victims = t;
                d->victims[d->n_victims++] = v;
                d->relief_running = true;
                episode_start(&d->episode);
        }
        return victims_save(d);
}

void victims_free(Daemon *d) {
        for (size_t i = 0; i < d->n_victims; i++)
                sd_event_source_disable_unref(d->victims[i].watch);
        free(d->victims);
        d->victims = NULL;
        d->n_victims = 0;
}
