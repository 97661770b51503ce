/* libFuzzer: fault decoding and formatting never read out of bounds, whatever arrives. */
#include <runtime/fault.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    seL4_Word label = data[0] % 8;
    size_t n = (size - 1) / sizeof(seL4_Word);
    seL4_Word mrs[seL4_MsgMaxLength];
    if (n > seL4_MsgMaxLength) n = seL4_MsgMaxLength;
    memcpy(mrs, data + 1, n * sizeof(seL4_Word));
    fault_info_t f;
    fault_decode(label, mrs, n, &f);
    char line[96];
    fault_format(&f, line, sizeof(line));
    return 0;
}
