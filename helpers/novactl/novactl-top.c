/* novactl top [--sort mem|tasks|growth|name] [--delay DURATION]: a live view
 * of the agents in the spirit of systemd-cgtop. A host memory gauge with
 * the admission (85 %) and relief (95 %) lines, the admission state, then
 * the agents with a bar each (memory.current of memory.max) and their growth
 * since the previous refresh. Everything from cgroupfs, /proc/meminfo and
 * the admission file: no bus, so a refresh costs the same file reads as
 * `novactl metrics`. Not on a terminal (or with --once): one frame, exit 0.
 * Keys: m t g n sort by memory, tasks, growth, name; q quits. */

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "admission.h"
#include "agent-info.h"
#include "agent-name.h"
#include "host-memory.h"
#include "novactl.h"
#include "relief-config.h"
#include "str-util.h"

#define BAR_WIDTH 20
#define NAME_WIDTH 24
#define UNKNOWN_GROWTH INT64_MIN
#define AGENT_NAME_BUF (AGENT_NAME_MAX + 1)

typedef enum TopSort { TOP_MEM, TOP_TASKS, TOP_GROWTH, TOP_NAME } TopSort;

typedef struct TopAgent {
        char name[AGENT_NAME_BUF];
        AgentCgroup cg;
        int64_t growth; /* bytes since the previous refresh; UNKNOWN_GROWTH */
} TopAgent;

typedef struct Frame {
        TopAgent *agents;
        size_t n;
        HostMemory host;
        bool host_known;
        AdmissionState adm;
        bool adm_known;
        double close_percent, kill_percent;
} Frame;

static TopSort sort_key;

static void frame_done(Frame *f) {
        free(f->agents);
        admission_state_done(&f->adm);
        *f = (Frame) {};
}

static int by_name(const void *a, const void *b) {
        return strcmp(((const TopAgent *) a)->name, ((const TopAgent *) b)->name);
}

static int desc(int64_t a, int64_t b) {
        return a == b ? 0 : a > b ? -1 : 1;
}

/* Unknown values (the sentinels, UNKNOWN_GROWTH) sort last. */
static int by_key(const void *x, const void *y) {
        const TopAgent *a = x, *b = y;
        int64_t va, vb;

        if (sort_key == TOP_NAME)
                return by_name(a, b);
        if (sort_key == TOP_GROWTH)
                va = a->growth, vb = b->growth;
        else {
                uint64_t ua = sort_key == TOP_TASKS ? a->cg.pids_current : a->cg.memory_current;
                uint64_t ub = sort_key == TOP_TASKS ? b->cg.pids_current : b->cg.memory_current;
                va = ua >= AGENT_CGROUP_MAX ? INT64_MIN : (int64_t) ua;
                vb = ub >= AGENT_CGROUP_MAX ? INT64_MIN : (int64_t) ub;
        }
        return desc(va, vb) ?: by_name(a, b);
}

static int add_agent(Frame *f, size_t *alloc, const char *slice_dir, const char *name) {
        _cleanup_(freep) char *dir = str_printf("%s/" AGENT_UNIT_PREFIX "%s" AGENT_UNIT_SUFFIX, slice_dir, name);
        TopAgent a = { .growth = UNKNOWN_GROWTH };

        if (!dir)
                return log_oom();
        if (agent_cgroup_read(dir, &a.cg) < 0)
                return 0; /* gone since readdir */
        if (f->n == *alloc) {
                *alloc = *alloc ? *alloc * 2 : 64;
                TopAgent *t = realloc(f->agents, *alloc * sizeof(TopAgent));
                if (!t)
                        return log_oom();
                f->agents = t;
        }
        snprintf(a.name, sizeof(a.name), "%s", name);
        f->agents[f->n++] = a;
        return 0;
}

/* The agents are the nova-agent@NAME.service directories of the slice.
 * -ENOMEM (logged) is its only failure: what cannot be read is unknown. */
static int gather(const Frame *prev, Frame *f) {
        _cleanup_(freep) char *slice_dir = agent_slice_dir();
        size_t alloc = 0, plen = strlen(AGENT_UNIT_PREFIX), slen = strlen(AGENT_UNIT_SUFFIX);
        int r = 0;

        if (!slice_dir)
                return log_oom();
        DIR *d = opendir(slice_dir);
        for (struct dirent *de; d && r >= 0 && (de = readdir(d));) {
                size_t len = strlen(de->d_name);
                if (!str_has_prefix(de->d_name, AGENT_UNIT_PREFIX) || len <= plen + slen || len - plen - slen >= AGENT_NAME_BUF ||
                    strcmp(de->d_name + len - slen, AGENT_UNIT_SUFFIX) != 0)
                        continue;
                char name[AGENT_NAME_BUF];
                snprintf(name, sizeof(name), "%.*s", (int) (len - plen - slen), de->d_name + plen);
                r = add_agent(f, &alloc, slice_dir, name);
        }
        if (d)
                closedir(d);
        if (r < 0)
                return r;
        qsort(f->agents, f->n, sizeof(TopAgent), by_name);
        for (size_t i = 0; prev && i < f->n; i++) {
                const TopAgent *p = bsearch(&f->agents[i], prev->agents, prev->n, sizeof(TopAgent), by_name);
                if (p && p->cg.memory_current < AGENT_CGROUP_MAX && f->agents[i].cg.memory_current < AGENT_CGROUP_MAX)
                        f->agents[i].growth = (int64_t) f->agents[i].cg.memory_current - (int64_t) p->cg.memory_current;
        }
        f->host_known = host_memory_read(novactl_proc_root(), &f->host) >= 0;
        f->adm_known = admission_read(novactl_rundir(), &f->adm, NULL, NULL) >= 0;
        return 0;
}

/* [#####....|...|..] with '|' at the admission and relief thresholds. */
static void gauge(FILE *out, double used, double close_pct, double kill_pct, unsigned width, bool color) {
        unsigned fill = used <= 0 ? 0 : used >= 100 ? width : (unsigned) (used * width / 100);
        unsigned mark1 = (unsigned) (close_pct * width / 100), mark2 = (unsigned) (kill_pct * width / 100);
        const char *on = !color ? "" : used >= kill_pct ? "\033[1;31m" : used >= close_pct ? "\033[1;33m" : "\033[32m";

        fputc('[', out);
        fputs(on, out);
        for (unsigned i = 0; i < width; i++) {
                if (color && i == fill)
                        fputs("\033[0m", out);
                fputc(i == mark1 || i == mark2 ? '|' : i < fill ? '#' : '.', out);
        }
        fputs(color && fill >= width ? "\033[0m]" : "]", out);
}

static void render_header(FILE *out, const Frame *f, bool color) {
        char total[32], used[32];

        if (f->host_known) {
                double pct = host_memory_used_percent(&f->host);
                fputs("host memory ", out);
                gauge(out, pct, f->close_percent, f->kill_percent, 50, color);
                fprintf(out, " %5.1f %% of %s used (%s); | at %.0f %% and %.0f %%\n", pct,
                        format_bytes(total, sizeof(total), f->host.total),
                        format_bytes(used, sizeof(used), f->host.total - f->host.available), f->close_percent,
                        f->kill_percent);
        } else
                fputs("host memory: unknown\n", out);
        fprintf(out, "admission %s%s%s   agents %zu   sort %s\n",
                !f->adm_known ? "unknown" : f->adm.closed ? "CLOSED" : "open",
                f->adm_known && f->adm.reason ? ": " : "", f->adm_known && f->adm.reason ? f->adm.reason : "", f->n,
                sort_key == TOP_MEM ? "memory" : sort_key == TOP_TASKS ? "tasks" : sort_key == TOP_GROWTH ? "growth" : "name");
        fprintf(out, "\n%-*s %9s %-*s %5s %6s %10s\n", NAME_WIDTH, "NAME", "MEMORY", BAR_WIDTH + 2, "OF MAX", "%MAX",
                "TASKS", "GROWTH");
}

static void render_agent(FILE *out, const TopAgent *a) {
        char mem[32], growth[40] = "-", tasks[24] = "-", pct[16] = "-";
        uint64_t cur = a->cg.memory_current, max = a->cg.memory_max;
        double p = cur < AGENT_CGROUP_MAX && max < AGENT_CGROUP_MAX && max > 0 ? 100.0 * (double) cur / (double) max : -1;
        unsigned fill = p < 0 ? 0 : p >= 100 ? BAR_WIDTH : (unsigned) (p * BAR_WIDTH / 100);

        if (p >= 0)
                snprintf(pct, sizeof(pct), "%.0f%%", p);
        if (a->cg.pids_current < AGENT_CGROUP_MAX)
                snprintf(tasks, sizeof(tasks), "%llu", (unsigned long long) a->cg.pids_current);
        if (a->growth != UNKNOWN_GROWTH) {
                char b[32];
                format_bytes(b, sizeof(b), (uint64_t) (a->growth < 0 ? -a->growth : a->growth));
                snprintf(growth, sizeof(growth), "%c%s", a->growth < 0 ? '-' : '+', b);
        }
        fprintf(out, "%-*s %9s [", NAME_WIDTH, a->name, format_bytes(mem, sizeof(mem), cur));
        for (unsigned i = 0; i < BAR_WIDTH; i++)
                fputc(i < fill ? '#' : ' ', out);
        fprintf(out, "] %5s %6s %10s\n", pct, tasks, growth);
}

/* rows: how many agent lines fit (0: all of them). */
static void render(FILE *out, Frame *f, size_t rows, bool color) {
        qsort(f->agents, f->n, sizeof(TopAgent), by_key);
        render_header(out, f, color);
        for (size_t i = 0; i < f->n && (rows == 0 || i < rows); i++)
                render_agent(out, &f->agents[i]);
        if (rows > 0 && f->n > rows)
                fprintf(out, "… %zu more\n", f->n - rows);
        /* The growth of the next frame is found by name. */
        qsort(f->agents, f->n, sizeof(TopAgent), by_name);
}

static int key_to_sort(int c) {
        return c == 'm' ? TOP_MEM : c == 't' ? TOP_TASKS : c == 'g' ? TOP_GROWTH : c == 'n' ? TOP_NAME : -1;
}

static int sort_from_name(const char *s) {
        static const char *const names[] = { [TOP_MEM] = "mem", [TOP_TASKS] = "tasks", [TOP_GROWTH] = "growth", [TOP_NAME] = "name" };
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (strcmp(s, names[i]) == 0)
                        return (int) i;
        return -1;
}

/* Key k: asks for an agent's name and a "y", on the terminal in its usual
 * line mode, then stops nova-agent@NAME and waits for the job. The message
 * stays on screen until the next frame. */
static void ask_stop(const struct termios *cooked) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(job_wait_freep) JobWait *w = NULL;
        _cleanup_(freep) char *unit = NULL;
        char name[AGENT_NAME_BUF + 2], yes[8];

        (void) tcsetattr(STDIN_FILENO, TCSANOW, cooked);
        fputs("\nstop which agent? ", stdout);
        fflush(stdout);
        if (!fgets(name, sizeof(name), stdin))
                return;
        name[strcspn(name, "\n")] = '\0';
        if (!agent_name_is_valid(name)) {
                printf("not an agent name: %s\n", name);
                return;
        }
        unit = agent_unit_from_name(name);
        printf("stop %s? [y/N] ", unit ? unit : name);
        fflush(stdout);
        if (!unit || !fgets(yes, sizeof(yes), stdin) || (yes[0] != 'y' && yes[0] != 'Y'))
                return;
        if (bus_connect(&bus) == 0 && job_wait_new(bus, &w) == 0 && job_wait_enqueue(w, "StopUnit", unit) == 0 &&
            job_wait_all(w, JOB_WAIT_USEC) == 0)
                printf("stopped %s\n", unit);
}

/* Raw keys on the terminal until q, a frame every delay. */
static int live(const Frame *thresholds, uint64_t delay_usec) {
        struct termios old, raw;
        _cleanup_(frame_done) Frame prev = {};
        bool color = use_color(), quit = false;
        int r = 0;

        if (tcgetattr(STDIN_FILENO, &old) < 0) {
                r = -errno;
                log_error("cannot read the terminal's mode: %s", strerror(-r));
                return r;
        }
        raw = old;
        raw.c_lflag &= ~(tcflag_t) (ICANON | ECHO);
        (void) tcsetattr(STDIN_FILENO, TCSANOW, &raw);
        while (!quit && r >= 0) {
                Frame f = { .close_percent = thresholds->close_percent, .kill_percent = thresholds->kill_percent };
                struct winsize ws = {};
                r = gather(&prev, &f);
                if (r < 0)
                        break;
                (void) ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws);
                fputs("\033[H\033[2J", stdout);
                render(stdout, &f, ws.ws_row > 6 ? ws.ws_row - 6 : 0, color);
                fputs("\nm t g n: sort by memory, tasks, growth, name   k: stop an agent   q: quit", stdout);
                fflush(stdout);
                frame_done(&prev);
                prev = f;
                struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
                if (poll(&p, 1, (int) (delay_usec / 1000)) > 0) {
                        char c;
                        if (read(STDIN_FILENO, &c, 1) == 1) {
                                quit = c == 'q';
                                if (key_to_sort(c) >= 0)
                                        sort_key = (TopSort) key_to_sort(c);
                                if (c == 'k') {
                                        ask_stop(&old);
                                        (void) tcsetattr(STDIN_FILENO, TCSANOW, &raw);
                                }
                        }
                }
        }
        (void) tcsetattr(STDIN_FILENO, TCSANOW, &old);
        fputc('\n', stdout);
        return r;
}

static int top(int argc, char **argv) {
        static const struct option options[] = {
                { "sort", required_argument, NULL, 's' }, { "delay", required_argument, NULL, 'd' },
                { "once", no_argument, NULL, '1' },       {}
        };
        _cleanup_(relief_config_done) ReliefConfig rc = {};
        uint64_t delay = 2ULL * 1000 * 1000;
        bool once = false;
        int c, r;

        sort_key = TOP_MEM;
        optind = 0;
        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case 's':
                        if (sort_from_name(optarg) < 0) {
                                log_error("--sort wants mem, tasks, growth or name");
                                return -EINVAL;
                        }
                        sort_key = (TopSort) sort_from_name(optarg);
                        break;
                case 'd':
                        if (parse_duration(optarg, &delay) < 0 || delay < 100000) {
                                log_error("--delay wants a duration of at least 100ms");
                                return -EINVAL;
                        }
                        break;
                case '1':
                        once = true;
                        break;
                default:
                        return -EINVAL; /* getopt said why */
                }
        if (optind < argc) {
                log_error("top takes no arguments");
                return -EINVAL;
        }
        r = relief_config_get(&rc);
        if (r < 0)
                return r;
        Frame f = { .close_percent = rc.admission_close_percent, .kill_percent = rc.kill_percent };
        if (!once && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
                return live(&f, delay);
        r = gather(NULL, &f);
        if (r == 0)
                render(stdout, &f, 0, use_color());
        frame_done(&f);
        return r;
}

int verb_top(int argc, char **argv, _unused_ void *userdata) {
        return exit_code_from_errno(top(argc, argv));
}
