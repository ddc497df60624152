/* nova-setup-host: the one-time host setup of nova-agent-host (swap off,
 * kernel limits, workspace pool, scratch tmpfs), idempotent and revertible.
 * See nova-setup-host(8). */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "setup.h"
#include "str-util.h"

/* Exit codes, documented in --help and nova-setup-host(8). */
enum {
        EXIT_OK = 0,
        EXIT_INTERNAL = 1,
        EXIT_USAGE = 2,
        EXIT_NOT_ROOT = 3,
        EXIT_UNSUPPORTED = 4,
        EXIT_DRIFT = 5,
        EXIT_STEP_FAILED = 6,
};

#define SLOTS_DEFAULT 500
#define SLOTS_MAX 99999

typedef struct Step {
        const char *name;
        int (*run)(Setup *s, char **ret_reason);
} Step;

/* Reload last: it picks up what the steps before it changed. */
static const Step apply_steps[] = {
        { "swap", step_swap },   { "sysctl", step_sysctl },   { "workspace-fs", step_workspace_fs },
        { "pool", step_pool }, { "scratch", step_scratch }, { "reload", step_reload },
};
static const Step revert_steps[] = {
        { "swap", step_swap_revert },
        { "scratch", step_scratch_revert },
        { "workspace-fs", step_workspace_fs_revert },
        { "pool", step_pool_revert },
        { "reload", step_reload },
};

static void help(void) {
        printf("Usage: nova-setup-host [--check | --dry-run | --revert [--purge-workspaces]] [--slots N]\n"
               "                       [--workspace-device DEV [--format-device]]\n"
               "\n"
               "Prepares this host for nova agents, once, as root: swap off for good (fstab\n"
               "noauto with a backup, zram and other swap units masked), the package's kernel\n"
               "limits in effect, a pool of N workspaces (agent-001 …), a size-capped scratch\n"
               "tmpfs. Running it again changes nothing.\n"
               "\n"
               "  --check             change nothing; exit 5 and list the drift if not configured\n"
               "  --dry-run           change nothing; show what would be done\n"
               "  --revert            restore fstab from the backup, unmask/re-enable swap units,\n"
               "                      disable the scratch tmpfs; workspaces are kept unless\n"
               "      --purge-workspaces  is given too\n"
               "  --slots N           workspace slots (default %d)\n"
               "  --workspace-device DEV\n"
               "                      put the workspaces on DEV: ext4 with project quotas (DiskMax=),\n"
               "                      mounted by a .mount unit; a DEV holding anything is refused\n"
               "      --format-device     unless this is given too (its data is lost)\n"
               "  -h, --help          this text\n"
               "\n"
               "Exit status: 0 configured (or reverted), 1 internal error, 2 usage error,\n"
               "3 not run as root, 4 unsupported host (no systemd, cgroup v1/hybrid, no PSI),\n"
               "5 --check found drift, 6 a step failed.\n",
               SLOTS_DEFAULT);
}

/* 1: go on, 0: done (--help), <0: usage error. */
static int parse_argv(int argc, char **argv, Setup *s) {
        enum { ARG_CHECK = 0x100, ARG_DRY_RUN, ARG_REVERT, ARG_PURGE, ARG_SLOTS, ARG_DEVICE, ARG_FORMAT };
        static const struct option options[] = {
                { "check", no_argument, NULL, ARG_CHECK },
                { "dry-run", no_argument, NULL, ARG_DRY_RUN },
                { "revert", no_argument, NULL, ARG_REVERT },
                { "purge-workspaces", no_argument, NULL, ARG_PURGE },
                { "slots", required_argument, NULL, ARG_SLOTS },
                { "workspace-device", required_argument, NULL, ARG_DEVICE },
                { "format-device", no_argument, NULL, ARG_FORMAT },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        int c, modes = 0;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_CHECK:
                        s->mode = SETUP_CHECK;
                        modes++;
                        break;
                case ARG_DRY_RUN:
                        s->mode = SETUP_DRY_RUN;
                        modes++;
                        break;
                case ARG_REVERT:
                        s->mode = SETUP_REVERT;
                        modes++;
                        break;
                case ARG_PURGE:
                        s->purge_workspaces = true;
                        break;
                case ARG_DEVICE:
                        if (optarg[0] != '/') {
                                fprintf(stderr, "nova-setup-host: --workspace-device wants a device path, not \"%s\"\n",
                                        optarg);
                                return -EINVAL;
                        }
                        s->workspace_device = optarg;
                        break;
                case ARG_FORMAT:
                        s->format_device = true;
                        break;
                case ARG_SLOTS: {
                        char *end;
                        errno = 0;
                        unsigned long n = strtoul(optarg, &end, 10);
                        if (errno || !*optarg || *end || n < 1 || n > SLOTS_MAX || optarg[0] == '-') {
                                fprintf(stderr, "nova-setup-host: --slots wants a number from 1 to %d, not \"%s\"\n",
                                        SLOTS_MAX, optarg);
                                return -EINVAL;
                        }
                        s->slots = (unsigned) n;
                        break;
                }
                default:
                        return -EINVAL;
                }

        if (optind < argc) {
                fprintf(stderr, "nova-setup-host: unexpected argument \"%s\" (see --help)\n", argv[optind]);
                return -EINVAL;
        }
        if (modes > 1) {
                fprintf(stderr, "nova-setup-host: --check, --dry-run and --revert exclude each other\n");
                return -EINVAL;
        }
        if (s->format_device && !s->workspace_device) {
                fprintf(stderr, "nova-setup-host: --format-device only goes with --workspace-device\n");
                return -EINVAL;
        }
        if (s->purge_workspaces && s->mode != SETUP_REVERT) {
                fprintf(stderr, "nova-setup-host: --purge-workspaces only goes with --revert\n");
                return -EINVAL;
        }
        return 1;
}

static void run_steps(Setup *s, const Step *steps, size_t n) {
        for (size_t i = 0; i < n; i++) {
                _cleanup_(freep) char *reason = NULL;
                int r = steps[i].run(s, &reason);
                setup_report(s, steps[i].name, r, reason);
        }
}

static void summary(const Setup *s) {
        const char *what = s->mode == SETUP_CHECK ? "drifted" : s->mode == SETUP_DRY_RUN ? "would change" : "changed";

        if (s->n_changed == 0 && s->n_failed == 0)
                printf("0 changes: %s.\n", s->mode == SETUP_REVERT ? "nothing to revert" : "the host is configured");
        else
                printf("%u %s, %u ok, %u failed.\n", s->n_changed, what, s->n_ok, s->n_failed);

        if (s->n_failed > 0)
                printf("Fix the failed steps and run nova-setup-host again.\n");
        else if (s->mode == SETUP_REVERT) {
                if (s->swap_restored)
                        printf("Next: reboot to bring swap back (or run swapon -a).\n");
        }
        else if (s->mode == SETUP_APPLY || (s->mode == SETUP_CHECK && s->n_changed == 0))
                printf("Next: systemctl start nova-agent@agent-001\n");
        else
                printf("Next: nova-setup-host\n");
}

static int run(Setup *s) {
        _cleanup_(freep) char *reason = NULL;
        int r;

        r = step_preconditions(s, &reason);
        setup_report(s, "preconditions", r, reason);
        if (r < 0)
                return r == -EOPNOTSUPP ? EXIT_UNSUPPORTED : EXIT_STEP_FAILED;

        r = sd_bus_open_system(&s->bus);
        if (r < 0) {
                fprintf(stderr, "nova-setup-host: cannot connect to the system bus: %s\n", strerror(-r));
                return EXIT_INTERNAL;
        }

        if (s->mode == SETUP_REVERT)
                run_steps(s, revert_steps, ELEMENTSOF(revert_steps));
        else
                run_steps(s, apply_steps, ELEMENTSOF(apply_steps));
        summary(s);

        if (s->n_failed > 0)
                return EXIT_STEP_FAILED;
        if (s->mode == SETUP_CHECK && s->n_changed > 0)
                return EXIT_DRIFT;
        return EXIT_OK;
}

int main(int argc, char **argv) {
        Setup s = { .mode = SETUP_APPLY, .slots = SLOTS_DEFAULT };
        int r;

        r = parse_argv(argc, argv, &s);
        if (r <= 0)
                return r < 0 ? EXIT_USAGE : EXIT_OK;

        /* Before anything else, and for every mode: a run that cannot finish must not start. */
        if (geteuid() != 0) {
                fprintf(stderr, "nova-setup-host: must be run as root (try: sudo nova-setup-host%s)\n",
                        s.mode == SETUP_CHECK ? " --check" : "");
                return EXIT_NOT_ROOT;
        }
        /* Modes below are given explicitly; the umask must not weaken or widen them. */
        umask(022);

        r = run(&s);
        sd_bus_flush_close_unref(s.bus);
        return r;
}
