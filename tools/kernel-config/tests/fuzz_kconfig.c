/* libFuzzer harness: the configuration check, the numbering differences and the summary
 * on arbitrary gen_config.h text must not crash and must report bounded lines. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kconfig.h"

static void take_line(void *ctx, const char *line)
{
    (void)ctx;
    if (strlen(line) >= KCONFIG_LINE_MAX) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    unsigned n = kconfig_check(text, size, take_line, NULL);
    if (n > 32) abort();
    kconfig_abi_differences(text, size, take_line, NULL);
    char s[KCONFIG_LINE_MAX];
    kconfig_summary(text, size, s, sizeof s);
    if (strlen(s) >= sizeof s) abort();
    return 0;
}
