/* The few org.freedesktop.systemd1 calls nova-setup-host makes. The job wait
 * is helpers/shared/bus-wait-jobs.c. */

#include <errno.h>
#include <string.h>

#include "bus-wait-jobs.h"
#include "setup.h"
#include "str-util.h"
#include "time-util.h"

#define DEST "org.freedesktop.systemd1"
#define MANAGER_PATH "/org/freedesktop/systemd1"
#define MANAGER_IFACE "org.freedesktop.systemd1.Manager"
#define JOB_TIMEOUT_USEC (90ULL * 1000 * 1000)

static int bus_error(char **ret_error, const sd_bus_error *e, int r) {
        if (e && sd_bus_error_is_set(e))
                return error_set(ret_error, r, "%s: %s", e->name, e->message ? e->message : "");
        return error_set(ret_error, r, "%s", strerror(-r));
}

static int unit_path(sd_bus *bus, const char *unit, char **ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *path;
        int r;

        /* LoadUnit, not GetUnit: a unit nobody references is not in memory,
         * yet its properties (SourcePath=, NeedDaemonReload=) are what we ask. */
        r = sd_bus_call_method(bus, DEST, MANAGER_PATH, MANAGER_IFACE, "LoadUnit", &e, &reply, "s", unit);
        if (r < 0)
                return r;
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return r;
        char *p = strdup(path);
        if (!p)
                return -ENOMEM;
        *ret = p;
        return 0;
}

int bus_unit_property(sd_bus *bus, const char *unit, const char *iface, const char *property, char **ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(freep) char *path = NULL;
        char type;
        const char *contents;
        int r;

        r = unit_path(bus, unit, &path);
        if (r < 0)
                return r;
        /* Properties.Get by hand: sd_bus_get_property() wants the type up front,
         * and callers ask for strings and booleans alike. */
        r = sd_bus_call_method(bus, DEST, path, "org.freedesktop.DBus.Properties", "Get", &e, &reply, "ss", iface,
                               property);
        if (r < 0)
                return r;
        r = sd_bus_message_peek_type(reply, &type, &contents);
        if (r < 0)
                return r;
        if (type != SD_BUS_TYPE_VARIANT)
                return -EBADMSG;
        r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_VARIANT, contents);
        if (r < 0)
                return r;

        /* Strings as they are, booleans as "yes"/"no": the callers compare text. */
        char *v;
        if (strcmp(contents, "b") == 0) {
                int b;
                r = sd_bus_message_read_basic(reply, 'b', &b);
                v = r < 0 ? NULL : strdup(b ? "yes" : "no");
        } else if (strcmp(contents, "s") == 0) {
                const char *str;
                r = sd_bus_message_read_basic(reply, 's', &str);
                v = r < 0 ? NULL : strdup(str);
        } else
                return -EBADMSG;
        if (r < 0)
                return r;
        if (!v)
                return -ENOMEM;
        *ret = v;
        return 0;
}

int bus_unit_file_state(sd_bus *bus, const char *unit, char **ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *state;
        int r;

        r = sd_bus_call_method(bus, DEST, MANAGER_PATH, MANAGER_IFACE, "GetUnitFileState", &e, &reply, "s",
                               unit);
        if (r < 0)
                return sd_bus_error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit") ? -ENOENT : r;
        r = sd_bus_message_read(reply, "s", &state);
        if (r < 0)
                return r;
        char *v = strdup(state);
        if (!v)
                return -ENOMEM;
        *ret = v;
        return 0;
}

int bus_unit_job(sd_bus *bus, const char *method, const char *unit, char **ret_error) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(bus_wait_jobs_freep) BusWaitJobs *w = NULL;
        int r;

        /* No flag: steps never print, and a skipped start or stop (a failed
         * condition) did not do what the step needs. */
        r = bus_wait_jobs_new(bus, 0, &w);
        if (r < 0)
                return bus_error(ret_error, NULL, r);
        r = bus_wait_jobs_enqueue(w, method, unit, &e);
        if (r < 0)
                return bus_error(ret_error, &e, r);
        r = bus_wait_jobs_some(w, 0, now_usec(CLOCK_MONOTONIC) + JOB_TIMEOUT_USEC);
        if (r < 0)
                return bus_error(ret_error, NULL, r);
        r = bus_wait_jobs_result(w, JOB_TIMEOUT_USEC);
        if (r == -ETIMEDOUT)
                return bus_error(ret_error, NULL, r);
        if (r < 0)
                return error_set(ret_error, r, "job for %s ended with \"%s\"", unit,
                                 bus_job_result_from_errno(r) ?: "unknown");
        return 0;
}

int bus_unit_files(sd_bus *bus, const char *method, char **units, char **ret_error) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        bool with_force = strcmp(method, "MaskUnitFiles") == 0 || strcmp(method, "EnableUnitFiles") == 0;
        const char *type, *from, *to;
        int r, n = 0;

        r = sd_bus_message_new_method_call(bus, &m, DEST, MANAGER_PATH, MANAGER_IFACE, method);
        if (r >= 0)
                r = sd_bus_message_append_strv(m, units);
        /* runtime=false: persistent, in /etc. force (mask/enable): replace a stale symlink. */
        if (r >= 0)
                r = with_force ? sd_bus_message_append(m, "bb", 0, 1) : sd_bus_message_append(m, "b", 0);
        if (r < 0)
                return bus_error(ret_error, NULL, r);
        r = sd_bus_call(bus, m, 0, &e, &reply);
        if (r < 0)
                return bus_error(ret_error, &e, r);

        if (strcmp(method, "EnableUnitFiles") == 0) {
                int carries_install_info;
                r = sd_bus_message_read(reply, "b", &carries_install_info);
                if (r < 0)
                        return bus_error(ret_error, NULL, r);
        }
        r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, "(sss)");
        while (r >= 0 && (r = sd_bus_message_read(reply, "(sss)", &type, &from, &to)) > 0)
                n++;
        if (r < 0)
                return bus_error(ret_error, NULL, r);
        return n;
}

int bus_manager_reload(sd_bus *bus, char **ret_error) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        int r;

        /* The reply comes once the reload is complete; a big host takes seconds. */
        r = sd_bus_call_method(bus, DEST, MANAGER_PATH, MANAGER_IFACE, "Reload", &e, NULL, NULL);
        return r < 0 ? bus_error(ret_error, &e, r) : 0;
}

int bus_units_loaded(sd_bus *bus, char **patterns, char ***ret_names, char ***ret_load_states) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(strv_freep) char **names = NULL, **states = NULL;
        const char *name, *load;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, DEST, MANAGER_PATH, MANAGER_IFACE, "ListUnitsByPatterns");
        if (r >= 0)
                r = sd_bus_message_append_strv(m, NULL);
        if (r >= 0)
                r = sd_bus_message_append_strv(m, patterns);
        if (r >= 0)
                r = sd_bus_call(bus, m, 0, &e, &reply);
        if (r >= 0)
                r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, "(ssssssouso)");
        while (r >= 0 && (r = sd_bus_message_read(reply, "(ssssssouso)", &name, NULL, &load, NULL, NULL, NULL,
                                                   NULL, NULL, NULL, NULL)) > 0) {
                char *a = strdup(name);
                if (!a || strv_push(&names, a) < 0) {
                        free(a);
                        return -ENOMEM;
                }
                char *b = strdup(load);
                if (!b || strv_push(&states, b) < 0) {
                        free(b);
                        return -ENOMEM;
                }
        }
        if (r < 0)
                return r;
        *ret_names = TAKE_PTR(names);
        *ret_load_states = TAKE_PTR(states);
        return 0;
}

int bus_manager_property_bool(sd_bus *bus, const char *property, bool *ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        int b = 0, r;

        r = sd_bus_get_property_trivial(bus, DEST, MANAGER_PATH, MANAGER_IFACE, property, &e, 'b', &b);
        if (r < 0)
                return r;
        *ret = b;
        return 0;
}
