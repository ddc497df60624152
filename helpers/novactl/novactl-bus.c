/* The org.freedesktop.systemd1 calls novactl makes, each returning 0 or the
 * errno of novactl.h's table after its one message. The job wait is
 * helpers/shared/bus-wait-jobs.c. */

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent-name.h"
#include "bus-wait-jobs.h"
#include "host-memory.h"
#include "novactl.h"
#include "str-util.h"

#define DEST "org.freedesktop.systemd1"
#define MANAGER_PATH "/org/freedesktop/systemd1"
#define MANAGER_IFACE "org.freedesktop.systemd1.Manager"

/* How long PID 1 may take over the handshake on its private socket before
 * novactl asks through the bus daemon instead. sd-bus allows a handshake
 * 90 s and then closes the connection (ENOTCONN), whatever the call
 * timeout: after a relief of 3,348 agents (Debian 13, 4,619 agents), PID 1
 * was minutes behind and `novactl stop --all --force` failed after 90 s
 * having stopped nothing. The bus daemon answers its own handshake; the
 * call then waits for PID 1 up to BUS_METHOD_CALL_TIMEOUT_USEC. */
#define PRIVATE_READY_USEC (10ULL * 1000 * 1000)

/* Root talks to PID 1 on its private socket, as systemctl does: no bus
 * daemon relays each of the thousands of calls a fleet's status or ensure
 * makes (nor caps the replies in flight). The peer must be root; anything
 * else, no socket, or no handshake within PRIVATE_READY_USEC falls back to
 * the system bus. */
static int bus_connect_private(sd_bus **ret) {
        /* No flush on the way out: it would wait out the 90 s handshake. */
        _cleanup_(sd_bus_close_unrefp) sd_bus *bus = NULL;
        struct ucred cred;
        socklen_t len = sizeof(cred);
        int r;

        r = sd_bus_new(&bus);
        if (r < 0)
                return r;
        r = sd_bus_set_address(bus, "unix:path=/run/systemd/private");
        if (r < 0)
                return r;
        r = sd_bus_start(bus);
        if (r < 0)
                return r;
        if (getsockopt(sd_bus_get_fd(bus), SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
                return -errno;
        if (cred.uid != 0)
                return -EPERM;
        r = bus_wait_ready(bus, PRIVATE_READY_USEC);
        if (r < 0)
                return r;
        if (r == 0) {
                log_notice("PID 1 did not answer on its private socket within %llu s, asking through the system bus",
                           PRIVATE_READY_USEC / 1000000);
                return -ETIMEDOUT;
        }
        *ret = TAKE_PTR(bus);
        return 0;
}

int bus_connect(sd_bus **ret) {
        int r;

        if (!arg_host && geteuid() == 0 && bus_connect_private(ret) >= 0)
                r = 0;
        else /* -H: the transport of systemctl -H, ssh to systemd-stdio-bridge. */
                r = arg_host ? sd_bus_open_system_remote(ret, arg_host) : sd_bus_open_system(ret);
        if (r < 0) {
                if (arg_host)
                        log_error("cannot connect to the system bus of %s: %s", arg_host, strerror(-r));
                else
                        log_error("cannot connect to the system bus: %s", strerror(-r));
                return -EREMOTEIO;
        }
        r = sd_bus_set_method_call_timeout(*ret, BUS_METHOD_CALL_TIMEOUT_USEC);
        if (r < 0) {
                *ret = sd_bus_flush_close_unref(*ret);
                log_error("cannot set the bus call timeout: %s", strerror(-r));
                return -EREMOTEIO;
        }
        return 0;
}

int bus_log_error(const char *what, const sd_bus_error *e, int r) {
        /* On -H, which host said it (several may be asked in one run). */
        const char *host = arg_host ? arg_host : "", *sep = arg_host ? ": " : "";

        if (e && sd_bus_error_is_set(e)) {
                log_error("%s%s%s: %s: %s", host, sep, what, e->name, e->message ? e->message : "");
                if (sd_bus_error_has_name(e, "org.freedesktop.systemd1.NoSuchUnit"))
                        return -ENXIO;
        } else
                log_error("%s%s%s: %s", host, sep, what, strerror(-r));
        return r == -ENOMEM ? -ENOMEM : -EREMOTEIO;
}

void agent_units_free(AgentUnit *units, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(units[i].unit);
                free(units[i].name);
                free(units[i].active_state);
                free(units[i].sub_state);
        }
        free(units);
}

static int agent_unit_compare(const void *a, const void *b) {
        return strcmp(((const AgentUnit *) a)->name, ((const AgentUnit *) b)->name);
}

static int read_agent_list(sd_bus_message *reply, AgentUnit **ret, size_t *ret_n) {
        AgentUnit *units = NULL;
        size_t n = 0, alloc = 0;
        const char *unit, *active, *sub;
        int r;

        r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, "(ssssssouso)");
        while (r >= 0 && (r = sd_bus_message_read(reply, "(ssssssouso)", &unit, NULL, NULL, &active, &sub, NULL,
                                                   NULL, NULL, NULL, NULL)) > 0) {
                _cleanup_(freep) char *name = agent_name_from_unit(unit);
                /* The pattern matches escaped instances too (nova-agent@a\x2fb):
                 * not agents novactl could name, so not listed. */
                if (!name || !agent_name_is_valid(name))
                        continue;
                if (n == alloc) {
                        alloc = alloc ? alloc * 2 : 64;
                        AgentUnit *u = realloc(units, alloc * sizeof(AgentUnit));
                        if (!u) {
                                r = -ENOMEM;
                                break;
                        }
                        units = u;
                }
                units[n] = (AgentUnit) { .unit = strdup(unit), .name = TAKE_PTR(name),
                                         .active_state = strdup(active), .sub_state = strdup(sub) };
                if (!units[n++].unit || !units[n - 1].active_state || !units[n - 1].sub_state) {
                        r = -ENOMEM;
                        break;
                }
        }
        if (r < 0) {
                agent_units_free(units, n);
                return r;
        }
        if (n > 1)
                qsort(units, n, sizeof(AgentUnit), agent_unit_compare);
        *ret = units;
        *ret_n = n;
        return 0;
}

int bus_list_agents(sd_bus *bus, char *const *states, char **patterns, AgentUnit **ret, size_t *ret_n) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        char *all[] = { (char *) AGENT_UNIT_PATTERN, NULL };
        int r;

        r = sd_bus_message_new_method_call(bus, &m, DEST, MANAGER_PATH, MANAGER_IFACE, "ListUnitsByPatterns");
        if (r >= 0)
                r = sd_bus_message_append_strv(m, (char **) states);
        if (r >= 0)
                r = sd_bus_message_append_strv(m, patterns ? patterns : all);
        if (r >= 0)
                r = sd_bus_call(bus, m, 0, &e, &reply);
        if (r < 0)
                return bus_log_error("cannot list agents", &e, r);
        r = read_agent_list(reply, ret, ret_n);
        if (r < 0)
                return bus_log_error("cannot read the list of agents", NULL, r);
        return 0;
}

int bus_unit_get_string(sd_bus *bus, const char *unit, const char *iface, const char *property, char **ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(freep) char *path = NULL;
        int r;

        r = sd_bus_path_encode("/org/freedesktop/systemd1/unit", unit, &path);
        if (r < 0)
                return r;
        return sd_bus_get_property_string(bus, DEST, path, iface, property, &e, ret);
}

int bus_manager_version(sd_bus *bus, unsigned *ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(freep) char *v = NULL;
        int r;

        r = sd_bus_get_property_string(bus, DEST, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                       "Version", &e, &v);
        if (r < 0)
                return r;
        /* "252.39-1~deb12u2", "257.9-1~deb13u1", "v258": the major number. */
        const char *p = v + strspn(v, "v");
        if (*p < '0' || *p > '9')
                return -EBADMSG;
        *ret = (unsigned) strtoul(p, NULL, 10);
        return 0;
}

/* A property of a fixed-size type ('t', 'b', …) into *ret, which must be
 * of that type's size (sd-bus writes a 'b' as an int). */
static int unit_get_trivial(sd_bus *bus, const char *unit, const char *iface, const char *property, char type,
                            void *ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(freep) char *path = NULL;
        int r;

        r = sd_bus_path_encode("/org/freedesktop/systemd1/unit", unit, &path);
        if (r < 0)
                return r;
        return sd_bus_get_property_trivial(bus, DEST, path, iface, property, &e, type, ret);
}

int bus_unit_get_u64(sd_bus *bus, const char *unit, const char *iface, const char *property, uint64_t *ret) {
        return unit_get_trivial(bus, unit, iface, property, 't', ret);
}

int bus_unit_get_bool(sd_bus *bus, const char *unit, const char *iface, const char *property, bool *ret) {
        int v, r = unit_get_trivial(bus, unit, iface, property, 'b', &v);

        if (r >= 0)
                *ret = v;
        return r;
}

/* Skipped by admission: the unit's start condition, or the ExecCondition=
 * program earlier builds of this package had (a -H host not upgraded yet). */
static bool admission_refused(sd_bus *bus, const char *unit, const char *result) {
        bool cond = true;

        if (result && strcmp(result, "exec-condition") == 0)
                return true;
        return bus_unit_get_bool(bus, unit, "org.freedesktop.systemd1.Unit", "ConditionResult", &cond) >= 0 && !cond;
}

int agent_check_started(sd_bus *bus, const char *unit) {
        _cleanup_(freep) char *active = NULL, *result = NULL;
        const char *where = arg_host ? arg_host : "this host";
        int r;

        r = bus_unit_get_string(bus, unit, "org.freedesktop.systemd1.Unit", "ActiveState", &active);
        if (r < 0) {
                _cleanup_(freep) char *what = str_printf("cannot read the state of %s", unit);
                return bus_log_error(what ? what : unit, NULL, r);
        }
        if (strcmp(active, "failed") != 0 && strcmp(active, "inactive") != 0)
                return 0;
        if (bus_unit_get_string(bus, unit, "org.freedesktop.systemd1.Service", "Result", &result) < 0)
                result = NULL;
        if (admission_refused(bus, unit, result)) {
                log_error("%s was not started: admission is closed on %s (its start condition was not met). "
                          "See \"journalctl -u %s\".", unit, where, unit);
                return -EBUSY;
        }
        if (strcmp(active, "inactive") == 0)
                return 0; /* it ran and exited cleanly already: not an error */
        log_error("%s failed right after its start (%s). See \"journalctl -u %s\".", unit,
                  result ? result : "unknown result", unit);
        return -ECANCELED;
}

/* Many property reads in flight at once: one round trip's latency for a
 * window of them instead of one per property (1,000 agents × 2 over SSH, or
 * a busy PID 1, add up). Not all at once: dbus-daemon lets a connection wait
 * for at most 128 replies (max_replies_per_connection, its system bus
 * default) and answers every call past that with LimitsExceeded, which the
 * reply handler takes for "unknown" (found by reading; 160 reads at once
 * were still all answered in novactl-stop.vmt). */
#define PROP_BATCH_WINDOW 100

typedef struct PropQuery {
        struct PropBatch *batch;
        uint64_t *dest;
        bool infinity_is_max;
        char *path;
        const char *iface, *property;
} PropQuery;

struct PropBatch {
        sd_bus *bus;
        PropQuery *queries;
        size_t n, alloc, sent, pending;
        size_t failed;           /* errors other than "the unit is gone" */
        char first_error[160];
};

PropBatch *prop_batch_free(PropBatch *b) {
        if (!b)
                return NULL;
        sd_bus_unref(b->bus);
        for (size_t i = 0; i < b->n; i++)
                free(b->queries[i].path);
        free(b->queries);
        free(b);
        return NULL;
}

int prop_batch_new(sd_bus *bus, size_t max, PropBatch **ret) {
        PropBatch *b = calloc(1, sizeof(PropBatch));

        if (!b || !(b->queries = calloc(max ? max : 1, sizeof(PropQuery)))) {
                free(b);
                return -ENOMEM;
        }
        b->bus = sd_bus_ref(bus);
        b->alloc = max;
        *ret = b;
        return 0;
}

/* A unit that went away meanwhile is no error: its dest stays unknown. */
static bool unit_gone(const sd_bus_error *e) {
        return sd_bus_error_has_name(e, "org.freedesktop.systemd1.NoSuchUnit") ||
               sd_bus_error_has_name(e, "org.freedesktop.DBus.Error.UnknownObject") ||
               sd_bus_error_has_name(e, "org.freedesktop.DBus.Error.UnknownInterface");
}

static int on_prop_reply(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        PropQuery *q = userdata;
        PropBatch *b = q->batch;
        uint64_t v;

        b->pending--;
        if (sd_bus_message_is_method_error(m, NULL)) {
                const sd_bus_error *e = sd_bus_message_get_error(m);
                if (!unit_gone(e) && b->failed++ == 0)
                        snprintf(b->first_error, sizeof(b->first_error), "%s: %s", e->name,
                                 e->message ? e->message : "");
                return 0; /* the dest keeps its "unknown" */
        }
        if (sd_bus_message_enter_container(m, 'v', "t") > 0 && sd_bus_message_read(m, "t", &v) > 0)
                *q->dest = v == UINT64_MAX && q->infinity_is_max ? AGENT_CGROUP_MAX : v;
        return 0;
}

int prop_batch_add_u64(PropBatch *b, const char *unit, const char *iface, const char *property, bool infinity_is_max,
                       uint64_t *dest) {
        _cleanup_(freep) char *path = NULL;
        int r;

        if (b->n >= b->alloc)
                return -ENOBUFS;
        r = sd_bus_path_encode("/org/freedesktop/systemd1/unit", unit, &path);
        if (r < 0)
                return r;
        b->queries[b->n++] = (PropQuery) { .batch = b, .dest = dest, .infinity_is_max = infinity_is_max,
                                           .path = TAKE_PTR(path), .iface = iface, .property = property };
        return 0;
}

static int send_next(PropBatch *b) {
        PropQuery *q = &b->queries[b->sent];
        int r = sd_bus_call_method_async(b->bus, NULL, DEST, q->path, "org.freedesktop.DBus.Properties", "Get",
                                         on_prop_reply, q, "ss", q->iface, q->property);
        if (r < 0)
                return bus_log_error("cannot ask for the agents' properties", NULL, r);
        b->sent++;
        b->pending++;
        return 0;
}

int prop_batch_wait(PropBatch *b) {
        int r;

        while (b->pending > 0 || b->sent < b->n) {
                while (b->pending < PROP_BATCH_WINDOW && b->sent < b->n)
                        if ((r = send_next(b)) < 0)
                                return r;
                r = sd_bus_process(b->bus, NULL);
                if (r > 0)
                        continue;
                if (r == 0)
                        r = sd_bus_wait(b->bus, UINT64_MAX);
                if (r < 0 && r != -EINTR)
                        return bus_log_error("lost the bus while reading properties", NULL, r);
        }
        if (b->failed > 0)
                log_warning("%zu of %zu property reads failed, shown as unknown (first: %s)", b->failed, b->n,
                            b->first_error);
        return 0;
}
