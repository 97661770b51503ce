/* Run statistics as JSON (kernel.h kernel_write_stats). */
#include <stdlib.h>
#include <string.h>
#include "kstate.h"

void stats_thread_gone(kernel *k, const tcb *t)
{
    if (k->n_dead == k->cap_dead) {
        size_t n = k->cap_dead ? k->cap_dead * 2 : 16;
        thread_record *r = realloc(k->dead_threads, n * sizeof *r);
        if (!r)
            return;
        k->dead_threads = r;
        k->cap_dead = n;
    }
    thread_record *r = &k->dead_threads[k->n_dead++];
    size_t n = strnlen(t->name, sizeof r->name - 1);
    memcpy(r->name, t->name, n);
    r->name[n] = '\0';
    r->insns = t->insns;
    r->syscalls = t->syscalls;
}

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void thread_json(FILE *f, const char *name, uint64_t insns, uint64_t syscalls, bool alive,
                        bool *first)
{
    fprintf(f, "%s\n    {\"name\": ", *first ? "" : ",");
    json_string(f, name);
    fprintf(f, ", \"insns\": %llu, \"syscalls\": %llu, \"alive\": %s}", (unsigned long long)insns,
            (unsigned long long)syscalls, alive ? "true" : "false");
    *first = false;
}

int kernel_write_stats(const kernel *k, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "sel4-sim: cannot write statistics to %s\n", path);
        return -1;
    }
    double secs = (double)k->host_ns / 1e9;
    fprintf(f, "{\n  \"insns_total\": %llu,\n", (unsigned long long)k->user_insns);
    fprintf(f, "  \"virtual_time_insns\": %llu,\n", (unsigned long long)k->now);
    fprintf(f, "  \"host_seconds\": %.6f,\n", secs);
    fprintf(f, "  \"insns_per_sec\": %.0f,\n", secs > 0 ? (double)k->user_insns / secs : 0.0);
    sim_cpu_stats cs;
    cpu_get_stats(&cs);
    fprintf(f, "  \"cpu_insns_per_sec\": %.0f,\n",
            cs.host_seconds > 0 ? (double)cs.insns / cs.host_seconds : 0.0);
    fprintf(f, "  \"syscalls\": %llu,\n", (unsigned long long)k->syscalls);
    fprintf(f, "  \"threads\": [");
    bool first = true;
    /* oldest first: the debug list is newest first */
    const tcb *last = NULL;
    for (const tcb *t = k->dbg_threads; t; t = t->dbg_next)
        last = t;
    for (const tcb *t = last; t; t = t->dbg_prev)
        thread_json(f, t->name, t->insns, t->syscalls, true, &first);
    for (size_t i = 0; i < k->n_dead; i++)
        thread_json(f, k->dead_threads[i].name, k->dead_threads[i].insns,
                    k->dead_threads[i].syscalls, false, &first);
    fprintf(f, "\n  ],\n  \"objects\": {");
    for (unsigned i = 0; i < OBJ_NUM_KINDS; i++)
        fprintf(f, "\"%s\": %llu, ", obj_kind_name(i), (unsigned long long)k->obj_count[i]);
    fprintf(f, "\"frame_4k\": %llu, \"frame_2m\": %llu, \"frame_1g\": %llu},\n",
            (unsigned long long)k->frame_count[0], (unsigned long long)k->frame_count[1],
            (unsigned long long)k->frame_count[2]);
    fprintf(f, "  \"untyped_bytes_used\": %llu,\n", (unsigned long long)k->bytes_in_objects);
    int n_inject = k->cfg ? k->cfg->n_inject : 0;
    fprintf(f, "  \"injections\": [");
    for (int i = 0; i < n_inject && i < SIM_MAX_INJECT; i++) {
        const char *spec = k->cfg->inject[i].spec;
        fprintf(f, "%s\n    {\"spec\": ", i ? "," : "");
        json_string(f, spec ? spec : "");
        fprintf(f, ", \"fired\": %s}", inject_fired(k, i) ? "true" : "false");
    }
    fprintf(f, "%s]\n}\n", n_inject ? "\n  " : "");
    int rc = ferror(f) ? -1 : 0;
    if (fclose(f) != 0)
        rc = -1;
    return rc;
}
