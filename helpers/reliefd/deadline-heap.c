/* nova-reliefd's soft deadlines, the pure part: see deadline.h. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "deadline.h"

ssize_t deadline_heap_find(const DeadlineHeap *h, const char *name) {
        for (size_t i = 0; i < h->n; i++)
                if (strcmp(h->items[i].name, name) == 0)
                        return (ssize_t) i;
        return -ENOENT;
}

static void swap(DeadlineHeap *h, size_t a, size_t b) {
        DeadlineEntry t = h->items[a];

        h->items[a] = h->items[b];
        h->items[b] = t;
}

static void sift_up(DeadlineHeap *h, size_t i) {
        while (i > 0 && h->items[(i - 1) / 2].due_usec > h->items[i].due_usec) {
                swap(h, i, (i - 1) / 2);
                i = (i - 1) / 2;
        }
}

static void sift_down(DeadlineHeap *h, size_t i) {
        for (;;) {
                size_t least = i, l = 2 * i + 1, r = 2 * i + 2;

                if (l < h->n && h->items[l].due_usec < h->items[least].due_usec)
                        least = l;
                if (r < h->n && h->items[r].due_usec < h->items[least].due_usec)
                        least = r;
                if (least == i)
                        return;
                swap(h, i, least);
                i = least;
        }
}

int deadline_heap_push(DeadlineHeap *h, const DeadlineEntry *e) {
        if (h->n == h->alloc) {
                size_t alloc = h->alloc ? h->alloc * 2 : 64;
                DeadlineEntry *items = realloc(h->items, alloc * sizeof(DeadlineEntry));
                if (!items)
                        return -ENOMEM;
                h->items = items;
                h->alloc = alloc;
        }
        h->items[h->n] = *e;
        sift_up(h, h->n++);
        return 0;
}

void deadline_heap_remove(DeadlineHeap *h, size_t i) {
        if (i >= h->n)
                return;
        h->items[i] = h->items[--h->n];
        if (i < h->n) {
                sift_up(h, i);
                sift_down(h, i);
        }
}

void deadline_heap_set_due(DeadlineHeap *h, size_t i, uint64_t due_usec) {
        if (i >= h->n)
                return;
        h->items[i].due_usec = due_usec;
        sift_up(h, i);
        sift_down(h, i);
}

void deadline_heap_keep_seen(DeadlineHeap *h) {
        size_t k = 0;

        for (size_t i = 0; i < h->n; i++)
                if (h->items[i].seen)
                        h->items[k++] = h->items[i];
        h->n = k;
        /* Floyd's heap construction: the parents, last first. */
        for (size_t i = h->n / 2; i > 0; i--)
                sift_down(h, i - 1);
}

void deadline_heap_free(DeadlineHeap *h) {
        free(h->items);
        *h = (DeadlineHeap) {};
}

uint64_t deadline_from_start(uint64_t start_ticks, uint64_t ticks_per_sec, uint64_t soft_usec) {
        /* The start was before tick start_ticks + 1: that tick, rounded up to a µs. */
        uint64_t start = ((start_ticks + 1) * 1000000 + ticks_per_sec - 1) / ticks_per_sec;
        uint64_t add = soft_usec > UINT64_MAX - DEADLINE_MARGIN_USEC ? UINT64_MAX : soft_usec + DEADLINE_MARGIN_USEC;

        return add > UINT64_MAX - start ? UINT64_MAX : start + add;
}

uint64_t deadline_boot_to_monotonic(uint64_t boot_usec, uint64_t now_boot, uint64_t now_mono) {
        if (boot_usec <= now_boot)
                return now_mono;
        return boot_usec - now_boot > UINT64_MAX - now_mono ? UINT64_MAX : now_mono + (boot_usec - now_boot);
}

uint64_t deadline_first_look(uint64_t written_real, uint64_t now_real, uint64_t now_mono, uint64_t soft_usec) {
        uint64_t age = now_real > written_real ? now_real - written_real : 0;
        uint64_t written_mono = now_mono > age ? now_mono - age : 0;
        uint64_t look = written_mono + soft_usec < written_mono ? UINT64_MAX : written_mono + soft_usec;

        return look > now_mono + DEADLINE_MARGIN_USEC ? look : now_mono + DEADLINE_MARGIN_USEC;
}
