//! logd's, the state store's and the names' protocol constants, generated from the C
//! headers at build time (rust/abi-gen/gen_logd_consts.c; the file's path comes in
//! LOGD_CONSTS from cargo's configuration, rust/CMakeLists.txt).
#![allow(missing_docs)]
include!(env!("LOGD_CONSTS"));
