/* The embedded-program archive (runtime/programs.h): write, validate, find, and refuse
 * corrupt archives. */
#include "check.h"
#include <runtime/programs.h>
#include <stdlib.h>
#include <string.h>

static uint8_t out[4096];

static size_t make(void)
{
    const char *names[] = { "alpha", "b", "gamma-server" };
    const char a[] = "AAAA", b[] = "B", c[] = "CCCCCCCCCCCCCCCCCCCCCC";
    const void *images[] = { a, b, c };
    size_t sizes[] = { 4, 1, 22 };
    return program_archive_write(names, images, sizes, 3, out, sizeof(out));
}

static void round_trip(void)
{
    size_t n = make();
    CHECK(n > 0 && n <= sizeof(out));
    CHECK(program_archive_valid(out, n));
    CHECK_EQ(program_archive_count(out, n), 3);
    CHECK(strcmp(program_archive_name(out, n, 2), "gamma-server") == 0);
    CHECK(program_archive_name(out, n, 3) == NULL);
    const void *img = NULL;
    size_t size = 0;
    CHECK(program_archive_find(out, n, "b", &img, &size));
    CHECK(size == 1 && memcmp(img, "B", 1) == 0);
    CHECK(((const uint8_t *)img - out) % 16 == 0);
    CHECK(program_archive_find(out, n, "gamma-server", &img, &size));
    CHECK(size == 22 && memcmp(img, "CCCC", 4) == 0);
    CHECK(!program_archive_find(out, n, "gamma", &img, &size));
    CHECK(!program_archive_find(out, n, "", &img, &size));
    CHECK(program_archive_valid(out, 0)); /* no archive linked in */
}

static void writer_limits(void)
{
    char longname[PROGRAM_NAME_LEN + 1];
    memset(longname, 'x', PROGRAM_NAME_LEN);
    longname[PROGRAM_NAME_LEN] = '\0';
    const char *names[] = { longname };
    const void *images[] = { "x" };
    size_t sizes[] = { 1 };
    CHECK_EQ(program_archive_write(names, images, sizes, 1, out, sizeof(out)), 0);
    const char *empty[] = { "" };
    CHECK_EQ(program_archive_write(empty, images, sizes, 1, out, sizeof(out)), 0);
    const char *ok[] = { "ok" };
    size_t need = program_archive_write(ok, images, sizes, 1, NULL, 0);
    CHECK(need > 0);
    /* Duplicate names are written but the result does not validate. */
    const char *dup[] = { "same", "same" };
    const void *imgs2[] = { "x", "y" };
    size_t sizes2[] = { 1, 1 };
    size_t n = program_archive_write(dup, imgs2, sizes2, 2, out, sizeof(out));
    CHECK(n > 0 && !program_archive_valid(out, n));
}

static void corrupt(void)
{
    size_t n = make();
    uint8_t copy[sizeof(out)];
    memcpy(copy, out, n);
    copy[0] ^= 1; /* magic */
    CHECK(!program_archive_valid(copy, n));
    memcpy(copy, out, n);
    copy[8] = 2; /* version */
    CHECK(!program_archive_valid(copy, n));
    memcpy(copy, out, n);
    copy[12] = 200; /* count beyond the table */
    CHECK(!program_archive_valid(copy, n));
    memcpy(copy, out, n);
    memset(copy + 16, 'n', PROGRAM_NAME_LEN); /* unterminated name */
    CHECK(!program_archive_valid(copy, n));
    memcpy(copy, out, n);
    copy[16 + PROGRAM_NAME_LEN + 8] = 0xff; /* size of the first image past the end */
    CHECK(!program_archive_valid(copy, n));
    memcpy(copy, out, n);
    copy[16 + PROGRAM_NAME_LEN] = 0; /* offset inside the header */
    CHECK(!program_archive_valid(copy, n));
    CHECK(!program_archive_valid(out, n - 16)); /* truncated inside the last image */
    CHECK(!program_archive_valid(out, 10));
}

int main(void)
{
    round_trip();
    writer_limits();
    corrupt();
    return check_result("program_archive_test");
}
