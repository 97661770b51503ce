/* sel4-sim: command line -> image -> devices -> kernel model -> exit status. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "devices.h"
#include "elf.h"
#include "kernel.h"
#include "machine.h"
#include "sim.h"

#define IMAGE_MAX (256u << 20)

static void on_signal(int sig)
{
    (void)sig;
    /* Only sets a flag and asks unicorn to leave its loop (QEMU's cpu_exit, which is
     * written to be called asynchronously). */
    cpu_request_stop(); // NOLINT(bugprone-signal-handler,cert-sig30-c)
}

/* Reads the whole file; NULL with a message on failure. */
static uint8_t *read_image(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "sel4-sim: cannot open image %s: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, len = 0;
    uint8_t *buf = malloc(cap);
    while (buf != NULL) {
        if (len == cap) {
            if (cap >= IMAGE_MAX) {
                fprintf(stderr, "sel4-sim: image %s is larger than %u MiB\n", path,
                        IMAGE_MAX >> 20);
                free(buf);
                buf = NULL;
                break;
            }
            uint8_t *n = realloc(buf, cap * 2);
            if (n == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = n;
            cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        if (got == 0) {
            if (ferror(f)) {
                fprintf(stderr, "sel4-sim: cannot read image %s: %s\n", path,
                        strerror(errno));
                free(buf);
                buf = NULL;
            }
            break;
        }
        len += got;
    }
    fclose(f);
    *size = len;
    return buf;
}

int main(int argc, char **argv)
{
    sim_config cfg;
    char err[256];
    int r = cli_parse(argc, argv, &cfg, err, sizeof err);
    if (r == 1) {
        fputs(cli_usage, stdout);
        return SIM_STATUS_OK;
    }
    if (r != 0) {
        fprintf(stderr, "sel4-sim: %s\n%s", err, cli_usage);
        return SIM_STATUS_USAGE;
    }

    size_t size = 0;
    uint8_t *data = read_image(cfg.image_path, &size);
    if (data == NULL) {
        return SIM_STATUS_BAD_IMAGE;
    }
    elf_image img;
    if (elf_parse(data, size, &img, err, sizeof err) != 0) {
        fprintf(stderr, "sel4-sim: %s: invalid image: %s\n", cfg.image_path, err);
        free(data);
        return SIM_STATUS_BAD_IMAGE;
    }

    sim_devices *dev = devices_create();
    if (dev == NULL) {
        fprintf(stderr, "sel4-sim: out of memory\n");
        free(data);
        return SIM_STATUS_USAGE;
    }
    kernel *k = kernel_create(&cfg, dev);
    if (k == NULL) {
        devices_destroy(dev);
        free(data);
        return SIM_STATUS_USAGE;
    }
    if (kernel_boot(k, &img) != 0) {
        fprintf(stderr, "sel4-sim: %s: cannot boot this image\n", cfg.image_path);
        kernel_destroy(k);
        devices_destroy(dev);
        free(data);
        return SIM_STATUS_BAD_IMAGE;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    int status = kernel_run(k);
    devices_flush(dev);
    inject_report(k);
    if (cfg.stats_json != NULL && kernel_write_stats(k, cfg.stats_json) != 0) {
        fprintf(stderr, "sel4-sim: cannot write statistics to %s\n", cfg.stats_json);
    }
    kernel_destroy(k);
    devices_destroy(dev);
    free(data);
    return status;
}
