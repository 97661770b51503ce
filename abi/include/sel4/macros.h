/* Compiler helpers used by the seL4 headers (same names as libsel4's sel4/macros.h). */
#pragma once

#define SEL4_PACKED        __attribute__((packed))
#define SEL4_DEPRECATED(x) __attribute__((deprecated(x)))
#define SEL4_NORETURN      __attribute__((__noreturn__))
#define LIBSEL4_INLINE_FUNC static inline
#define LIBSEL4_INLINE      static inline
/* Makes an enum word-sized, as libsel4 does, so its size matches the kernel's. */
#define SEL4_FORCE_LONG_ENUM(type) _enum_pad_ ## type = (1ULL << ((sizeof(long) * 8) - 1)) - 1
#define SEL4_COMPILE_ASSERT(name, expr) _Static_assert(expr, #name)
