/*
 * spawn-child: a program started by test-spawn.  args[0] selects what it does:
 *   0      panic (the parent must see a VM fault at address 0 on the fault endpoint);
 *   other  print its startup info, copy the first passed cap inside its own CSpace and
 *          signal through the copy (checks the CNode cap and guard it got), then exit
 *          with the sum of its arguments.
 */
#include <runtime/runtime.h>
#include <runtime/startup.h>
#include <runtime/stdio.h>
#include <runtime/heap.h>

int main(void)
{
    const runtime_startup_t *su = runtime_startup();
    if (su == NULL) {
        printf("child: no startup info\n");
        return 100;
    }
    printf("child %s: %lu args, caps [%lu, %lu), free [%lu, %lu), CNode 2^%lu\n", su->name,
           (unsigned long)su->nargs, (unsigned long)su->caps_start, (unsigned long)su->caps_end,
           (unsigned long)su->empty_start, (unsigned long)su->empty_end,
           (unsigned long)su->cnode_size_bits);
    if (su->nargs == 0 || su->args[0] == 0) {
        panic("deliberate crash of %s", su->name);
    }
    seL4_Error err = seL4_CNode_Copy(RUNTIME_CAP_CNODE, su->empty_start, seL4_WordBits,
                                     RUNTIME_CAP_CNODE, su->caps_start, seL4_WordBits,
                                     seL4_AllRights);
    printf("child: copy inside own CSpace: error %d\n", (int)err);
    seL4_Signal(su->empty_start);
    char *p = malloc(100);
    seL4_Word sum = 0;
    for (seL4_Word i = 0; i < su->nargs; i++) {
        sum += su->args[i];
    }
    printf("child: heap %s, exiting with %lu\n", p != NULL ? "works" : "FAILED", (unsigned long)sum);
    free(p);
    return (int)sum;
}
