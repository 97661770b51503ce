/* libFuzzer harness: the machine layer's x86 decoders (x86_length.c, x86_align.c) on
 * arbitrary bytes.  Each decoder gets exactly the bytes it is told about (a heap copy,
 * so ASan sees any read past them); a 16-byte-aligned operand must come from an
 * instruction the length decoder accepts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "machine/x86_align.h"
#include "machine/x86_length.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *code = malloc(size != 0 ? size : 1);
    if (code == NULL) {
        return 0;
    }
    memcpy(code, data, size);
    unsigned len = x86_insn_length(code, size);
    if (len > X86_MAX_INSN_LEN || len > size) {
        abort();
    }
    if (len != 0) {
        (void)x86_insn_class(code, len);
        (void)x86_insn_uses_fpu(code, len);
        x86_mem_operand m;
        if (x86_insn_align16(code, len, X86_ALIGN_SSE | X86_ALIGN_SSE_EXT, &m)) {
            uint64_t gpr[16] = { 0 };
            if (m.base > X86_REG_RIP || m.base < X86_REG_NONE || m.index > 15 ||
                m.index < X86_REG_NONE || (m.scale & (m.scale - 1)) != 0 || m.scale > 8) {
                abort();
            }
            (void)x86_mem_address(&m, gpr, 0x400000, 0);
        }
    }
    /* The alignment decoder on its own, on the whole input. */
    (void)x86_insn_align16(code, size, X86_ALIGN_SSE | X86_ALIGN_SSE_EXT, NULL);
    free(code);
    return 0;
}
