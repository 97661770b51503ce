/*
 * Programs embedded in the root task's image, and starting them.
 *
 * Build side: embed_sel4_programs(ROOT prog...) (cmake/targets.cmake) packs the listed
 * program ELFs into an archive (format below) and links it into ROOT's section
 * .programs, which runtime/link.ld brackets with __programs_start/__programs_end.
 *
 * Archive format (little endian, all offsets from the archive start):
 *   header:  u64 magic PROGRAM_ARCHIVE_MAGIC, u32 version (1), u32 count
 *   count entries: char name[PROGRAM_NAME_LEN] (NUL-terminated), u64 offset, u64 size
 *   the program images, each 16-byte aligned, in entry order
 *
 * Run side: spawn_program (spawn.c, root task only, uses alloc.h) creates a CNode, a
 * VSpace (PML4 assigned to the initial ASID pool), loads the ELF's PT_LOAD segments into
 * fresh frames, maps the startup page and IPC buffer, fills the CSpace, configures a TCB
 * and resumes it.  The child's view is described in startup.h.
 */
#pragma once
#include <sel4/sel4.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROGRAM_ARCHIVE_MAGIC   0x3156484352474f50ull /* "POGRCHV1" */
#define PROGRAM_ARCHIVE_VERSION 1u
#define PROGRAM_NAME_LEN        48u
#define PROGRAM_ARCHIVE_MAX     64u  /* programs per archive */

typedef struct program_archive_header {
    uint64_t magic;
    uint32_t version;
    uint32_t count;
} program_archive_header_t;

typedef struct program_archive_entry {
    char     name[PROGRAM_NAME_LEN];
    uint64_t offset;
    uint64_t size;
} program_archive_entry_t;

/* ---- archive (portable) ---- */

/* Checks the whole archive: header, entry table, every image inside it, names
 * NUL-terminated and unique.  An empty region (size 0) is a valid archive with no
 * programs. */
bool program_archive_valid(const void *archive, size_t size);
/* Finds `name`; on success sets *image and *image_size.  The archive must be valid. */
bool program_archive_find(const void *archive, size_t size, const char *name,
                          const void **image, size_t *image_size);
/* Number of programs, and the name of program i (NULL if out of range). */
unsigned    program_archive_count(const void *archive, size_t size);
const char *program_archive_name(const void *archive, size_t size, unsigned i);

/* Writes an archive of `n` images into `out` (capacity `cap`); returns the bytes
 * needed (write nothing if cap is smaller), or 0 if a name is too long or n is too big. */
size_t program_archive_write(const char *const *names, const void *const *images,
                             const size_t *sizes, unsigned n, void *out, size_t cap);

/* ---- the archive of this image ---- */

/* The embedded program `name`; false if there is none. */
bool program_lookup(const char *name, const void **image, size_t *image_size);

/* ---- spawning (root task) ---- */

/* An extra frame to map in the child (e.g. a page shared with the parent). */
typedef struct spawn_frame {
    seL4_CPtr        frame;       /* frame cap in the caller's CSpace, not mapped anywhere */
    seL4_Word        vaddr;       /* page aligned, outside the image, startup page, IPC buffer */
    seL4_CapRights_t rights;
} spawn_frame_t;

typedef struct spawn_args {
    const char      *name;        /* program name (also the kernel's thread name) */
    const void      *image;       /* ELF image; NULL: look `name` up in the archive */
    size_t           image_size;
    seL4_CPtr        fault_ep;    /* endpoint in the caller's CSpace, or seL4_CapNull */
    seL4_Word        fault_badge; /* 0: copy the cap as is; else mint with this badge */
    seL4_Word        priority;    /* also the child's maximum controlled priority */
    const seL4_CPtr *caps;        /* caps in the caller's CSpace, copied (all rights) */
    unsigned         ncaps;
    const seL4_Word *args;        /* copied into the startup page */
    unsigned         nargs;       /* <= RUNTIME_STARTUP_MAX_ARGS */
    unsigned         cnode_bits;  /* child CNode size, 0 = 10 (1024 slots) */
    /* Optional (0 / NULL: the defaults above the line).  With `untyped`, every object of
     * the child (TCB, VSpace, paging structures, frames; the CNode unless `cnode` is
     * given) is retyped from that untyped, so revoking it destroys the child completely.
     * With slot_end > slot_start, the caps of those objects go to the caller's slots
     * [slot_start, slot_end) (empty again after such a revoke, so they can be reused). */
    seL4_CPtr        untyped;
    seL4_CPtr        slot_start, slot_end;
    /* An existing CNode (2^cnode_bits slots, unbadged, no guard) to use as the child's
     * CSpace instead of a new one: its caps outlive the child (slots 1, 2, 3, 5 and the
     * caps range are overwritten). */
    seL4_CPtr        cnode;
    const spawn_frame_t *frames;  /* mapped in the child with the given rights */
#define SPAWN_MAX_FRAMES 32u
    unsigned         nframes;
} spawn_args_t;

typedef struct spawned {
    seL4_CPtr tcb;     /* in the caller's CSpace */
    seL4_CPtr cnode;
    seL4_CPtr vspace;
    seL4_Word pages;   /* frames used for the image, startup page and IPC buffer */
} spawned_t;

/* Creates and starts the program.  Returns seL4_NoError, seL4_InvalidArgument for a bad
 * request or image (nothing allocated), or the error of the first failing invocation
 * (objects allocated up to then are not reclaimed, except by revoking `untyped`). */
seL4_Error spawn_program(const spawn_args_t *args, spawned_t *out);
