//! seL4 constants and layouts, generated at build time from the project's C headers
//! (abi/include/sel4, runtime/include/runtime/startup.h) by rust/abi-gen/gen_consts.c.
//! CMake passes the generated file's path in SEL4_RS_CONSTS; nothing here is written by
//! hand, so the Rust side cannot drift from the C side.
#![allow(non_upper_case_globals)]
#![allow(dead_code)]

include!(env!(
    "SEL4_RS_CONSTS",
    "SEL4_RS_CONSTS is not set: build through CMake (see rust/README.md)"
));
