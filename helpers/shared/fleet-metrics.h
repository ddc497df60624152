#pragma once

/* The fleet's metrics in Prometheus' text exposition format (version
 * 0.0.4), for node-exporter's textfile collector: per agent memory, tasks,
 * OOM kills, start time and state; slice and host totals; the admission
 * state with its reason. Everything is read from cgroupfs and files under
 * the given roots (fixture trees in tests); the caller brings the list of
 * agent units with their states (one ListUnitsByPatterns call in novactl).
 * Names and meaning are documented in novactl(1), section METRICS. */

#include <stdint.h>
#include <stdio.h>

/* Where node-exporter's textfile collector looks on Debian
 * (prometheus-node-exporter's --collector.textfile.directory). */
#define METRICS_TEXTFILE_NAME "nova-agents.prom"

typedef struct MetricsAgent {
        const char *name;  /* NAME of nova-agent@NAME.service */
        const char *state; /* its ActiveState: active, failed, … */
} MetricsAgent;

typedef struct MetricsSource {
        const char *slice_dir;   /* <cgroup root>/nova.slice/nova-agents.slice */
        const char *proc_root;   /* for meminfo; NULL: /proc */
        const char *rundir;      /* the admission file's directory */
        const char *relief_file; /* nova-reliefd's metrics, copied through; NULL: none */
        uint64_t floor;          /* nova_agents_floor; 0: not emitted */
} MetricsSource;

/* Writes the whole exposition to f. agents sorted or not, as given (each
 * family lists them in that order). A missing admission file, relief file,
 * meminfo or agent cgroup leaves out the series it would give; only
 * -ENOMEM and write errors fail. */
int fleet_metrics_format(FILE *f, const MetricsSource *src, const MetricsAgent *agents, size_t n);

/* s as a Prometheus label value: backslash, '"' and newline escaped. */
void metrics_label_value(FILE *f, const char *s);
