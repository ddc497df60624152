#pragma once

/* Clocks in microseconds, the unit sd-bus and sd-event take. */

#include <stdint.h>
#include <time.h>

/* CLOCK_MONOTONIC for deadlines, CLOCK_REALTIME for what a person reads. */
uint64_t now_usec(clockid_t clock);
