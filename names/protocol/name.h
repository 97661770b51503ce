/*
 * Service and entry names: 1..15 characters from [a-z0-9_-], carried in two message
 * registers (16 bytes, little-endian, NUL padded).  Shared by the name registry and the
 * state store.
 */
#pragma once
#include <stdint.h>

#define NAME_MAX_LEN 15u
#define NAME_MRS 2u /* message registers a packed name takes */

/* A name as a NUL-terminated string in a fixed buffer. */
struct svc_name {
    char s[NAME_MAX_LEN + 1];
};

/* 1 if s[0..len) is a valid name (no NUL inside). */
int name_valid(const char *s, uint32_t len);
/* Packs a valid name into mr[0..1].  Returns 0, or -1 if the name is invalid. */
int name_pack(const char *s, uint64_t mr[NAME_MRS]);
/* Unpacks and validates mr[0..1]: characters from the set, at least one, the 16th byte
 * and every byte after the first NUL zero.  Returns 0 and fills *out, or -1. */
int name_unpack(const uint64_t mr[NAME_MRS], struct svc_name *out);
/* 1 if the two names are equal. */
int name_equal(const struct svc_name *a, const struct svc_name *b);
