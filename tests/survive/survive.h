/* Shared by the survive system tests: what a kvload client reports in "r<n>". */
#pragma once
#include <stdint.h>

struct survive_result {
    uint64_t ops, lost, duplicated, restarted, in_doubt, errors, attempts;
};
_Static_assert(sizeof(struct survive_result) <= 256, "fits in a kv value");
