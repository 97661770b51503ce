/*
 * sel4_pack_programs OUT NAME=FILE...: writes the program archive (runtime/programs.h)
 * holding each FILE under NAME.  Host tool run by embed_sel4_programs at build time.
 */
#include <runtime/programs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL || fseek(f, 0, SEEK_END) != 0) {
        if (f != NULL) fclose(f);
        return NULL;
    }
    long len = ftell(f);
    void *buf = len >= 0 ? malloc((size_t)len + 1) : NULL;
    if (buf == NULL || fseek(f, 0, SEEK_SET) != 0 || fread(buf, 1, (size_t)len, f) != (size_t)len) {
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *size = (size_t)len;
    return buf;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc - 2 > (int)PROGRAM_ARCHIVE_MAX) {
        fprintf(stderr, "usage: %s OUT NAME=FILE... (at most %u)\n", argv[0], PROGRAM_ARCHIVE_MAX);
        return 2;
    }
    unsigned n = (unsigned)(argc - 2);
    const char *names[PROGRAM_ARCHIVE_MAX];
    const void *images[PROGRAM_ARCHIVE_MAX];
    size_t sizes[PROGRAM_ARCHIVE_MAX];
    for (unsigned i = 0; i < n; i++) {
        char *arg = argv[i + 2];
        char *eq = strchr(arg, '=');
        if (eq == NULL) {
            fprintf(stderr, "%s: expected NAME=FILE, got %s\n", argv[0], arg);
            return 2;
        }
        *eq = '\0';
        names[i] = arg;
        images[i] = read_file(eq + 1, &sizes[i]);
        if (images[i] == NULL) {
            fprintf(stderr, "%s: cannot read %s\n", argv[0], eq + 1);
            return 1;
        }
    }
    size_t need = program_archive_write(names, images, sizes, n, NULL, 0);
    void *out = need > 0 ? malloc(need) : NULL;
    if (out == NULL || program_archive_write(names, images, sizes, n, out, need) != need ||
        !program_archive_valid(out, need)) {
        fprintf(stderr, "%s: bad program names (empty, too long or repeated)\n", argv[0]);
        return 1;
    }
    FILE *f = fopen(argv[1], "wb");
    if (f == NULL || fwrite(out, 1, need, f) != need || fclose(f) != 0) {
        fprintf(stderr, "%s: cannot write %s\n", argv[0], argv[1]);
        return 1;
    }
    for (unsigned i = 0; i < n; i++) {
        free((void *)images[i]);
    }
    free(out);
    return 0;
}
