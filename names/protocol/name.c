/* Name validation and packing (see name.h). */
#include "names/protocol/name.h"

static int name_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

int name_valid(const char *s, uint32_t len)
{
    if (len == 0 || len > NAME_MAX_LEN) return 0;
    for (uint32_t i = 0; i < len; i++) {
        if (!name_char_ok(s[i])) return 0;
    }
    return 1;
}

int name_pack(const char *s, uint64_t mr[NAME_MRS])
{
    uint32_t len = 0;
    while (len <= NAME_MAX_LEN && s[len] != '\0') len++;
    if (!name_valid(s, len)) return -1;
    mr[0] = 0;
    mr[1] = 0;
    for (uint32_t i = 0; i < len; i++) {
        mr[i / 8] |= (uint64_t)(uint8_t)s[i] << (8 * (i % 8));
    }
    return 0;
}

int name_unpack(const uint64_t mr[NAME_MRS], struct svc_name *out)
{
    uint8_t b[16];
    uint32_t len = 16;
    for (uint32_t i = 0; i < 16; i++) {
        b[i] = (uint8_t)(mr[i / 8] >> (8 * (i % 8)));
        if (b[i] == 0 && len == 16) len = i;
    }
    for (uint32_t i = len; i < 16; i++) {
        if (b[i] != 0) return -1; /* bytes after the terminator, or no terminator */
    }
    for (uint32_t i = 0; i < 16; i++) out->s[i] = (char)b[i];
    if (!name_valid(out->s, len)) {
        out->s[0] = '\0';
        return -1;
    }
    return 0;
}

int name_equal(const struct svc_name *a, const struct svc_name *b)
{
    for (uint32_t i = 0; i <= NAME_MAX_LEN; i++) {
        if (a->s[i] != b->s[i]) return 0;
        if (a->s[i] == '\0') return 1;
    }
    return 1;
}
