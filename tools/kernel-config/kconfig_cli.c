/* Command line of sel4-kconfig-check (kconfig_cli.h). */
#include "kconfig_cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kconfig.h"

#define CONFIG_HEADER "/libsel4/include/kernel/gen_config.h"

static void print_line(void *ctx, const char *line)
{
    fprintf((FILE *)ctx, "%s\n", line);
}

/* Reads the whole of path into a new buffer; NULL (with a message on err) on failure. */
static char *read_config(const char *path, size_t *len, FILE *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(err, "kernel config: cannot read %s: %s (SEL4_PREFIX must be an installed "
                     "seL4 kernel: its build directory's `ninja install` prefix)\n",
                path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(KCONFIG_FILE_MAX);
    size_t n = buf == NULL ? 0 : fread(buf, 1, KCONFIG_FILE_MAX, f);
    int bad = buf == NULL || ferror(f) || n == KCONFIG_FILE_MAX;
    fclose(f);
    if (bad) {
        fprintf(err, "kernel config: cannot read %s: %s\n", path,
                buf == NULL ? "out of memory" : n == KCONFIG_FILE_MAX ? "too large" : "read error");
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

int kconfig_main(int argc, char **argv, FILE *out, FILE *err)
{
    const char *mode = "";
    int arg = 1;
    if (argc == 3 && (strcmp(argv[1], "--summary") == 0 || strcmp(argv[1], "--abi") == 0)) {
        mode = argv[1];
        arg = 2;
    }
    if (argc != arg + 1 || argv[arg][0] == '\0') {
        fprintf(err, "usage: sel4-kconfig-check [--summary | --abi] SEL4_PREFIX\n");
        return 2;
    }
    char path[KCONFIG_PATH_MAX];
    if ((size_t)snprintf(path, sizeof path, "%s%s", argv[arg], CONFIG_HEADER) >= sizeof path) {
        fprintf(err, "kernel config: SEL4_PREFIX too long\n");
        return 2;
    }
    size_t len = 0;
    char *text = read_config(path, &len, err);
    if (text == NULL) return 2;

    int status = 0;
    if (strcmp(mode, "--summary") == 0) {
        char line[KCONFIG_LINE_MAX];
        kconfig_summary(text, len, line, sizeof line);
        fprintf(out, "%s\n", line);
    } else if (strcmp(mode, "--abi") == 0) {
        kconfig_abi_differences(text, len, print_line, out);
    } else {
        unsigned n = kconfig_check(text, len, print_line, err);
        if (n > 0) {
            fprintf(err, "kernel config: %s: %u setting%s cannot work with this project; "
                         "rebuild the kernel with the settings above (README: \"Running on a "
                         "real seL4 kernel\")\n",
                    path, n, n == 1 ? "" : "s");
            status = 1;
        }
    }
    free(text);
    return status;
}
