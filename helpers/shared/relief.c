#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "relief.h"

void relief_plan_done(ReliefPlan *p) {
        free(p->victims);
        p->victims = NULL;
        p->n_victims = 0;
}

/* qsort_r() is a GNU extension with a BSD twin of another signature; the
 * candidates travel in each element instead. */
typedef struct Ranked {
        const ReliefCandidate *c;
        size_t index;
} Ranked;

static int rank_compare(const void *a, const void *b) {
        const ReliefCandidate *x = ((const Ranked *) a)->c, *y = ((const Ranked *) b)->c;

        if (x->memory_current != y->memory_current)
                return x->memory_current > y->memory_current ? -1 : 1;
        int r = strcmp(x->name ? x->name : "", y->name ? y->name : "");
        if (r != 0)
                return r;
        /* Same name twice (a caller's bug): input order keeps it deterministic. */
        size_t i = ((const Ranked *) a)->index, j = ((const Ranked *) b)->index;
        return i < j ? -1 : i > j;
}

int relief_pick_victims(
                const ReliefCandidate *candidates,
                size_t n,
                uint64_t mem_total,
                uint64_t mem_available,
                double target_percent,
                ReliefPlan *ret) {

        _cleanup_(freep) Ranked *ranked = NULL;
        _cleanup_(freep) size_t *victims = NULL;
        size_t n_ranked = 0, n_victims = 0;

        if (!(target_percent > 0 && target_percent <= 100) || mem_total == 0 || mem_available > mem_total)
                return -EINVAL;

        /* Rounded down: "below target" never lets used reach the percentage. */
        uint64_t target = (uint64_t) ((long double) mem_total * target_percent / 100.0L);
        uint64_t used = mem_total - mem_available, after = used;

        if (n > 0) {
                ranked = calloc(n, sizeof(Ranked));
                victims = calloc(n, sizeof(size_t));
                if (!ranked || !victims)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++)
                if (candidates[i].memory_known)
                        ranked[n_ranked++] = (Ranked) { .c = &candidates[i], .index = i };
        if (n_ranked > 1)
                qsort(ranked, n_ranked, sizeof(Ranked), rank_compare);

        for (size_t i = 0; i < n_ranked && after >= target; i++) {
                uint64_t m = ranked[i].c->memory_current;
                /* memory.current may include memory already counted as
                 * available (reclaimable cache): never go below zero. */
                after = m < after ? after - m : 0;
                victims[n_victims++] = ranked[i].index;
        }

        *ret = (ReliefPlan) {
                .victims = n_victims > 0 ? TAKE_PTR(victims) : NULL,
                .n_victims = n_victims,
                .used_before = used,
                .used_after = after,
                .target_bytes = target,
                .reached = after < target,
        };
        return 0;
}
