//! Rust bindings for seL4 16.0.0 on x86_64 (pc99, non-MCS, one core), for programs
//! started by the project's loader (runtime/startup.h).
//!
//! * `raw` (private) is the only module with `unsafe`: system calls, IPC buffer, entry.
//! * `consts` is generated from the C headers at build time (rust/abi-gen).
//! * Above them, safe Rust with libsel4's names: MessageInfo, CPtr and typed caps, the
//!   IPC system calls, invocations, the startup page, the console (console driver or
//!   the kernel's debug console).
//!
//! A program: `#![no_std] #![no_main]`, a `fn main(&sel4::Startup) -> i32`, and
//! `sel4::main!(main);` (entry point and panic handler).  Its result is the exit status.
#![cfg_attr(not(test), no_std)]
#![deny(unsafe_code)]

pub mod cap;
pub mod console;
pub mod consts;
pub mod error;
pub mod invocation;
pub mod ipc;
pub mod message;
pub mod program;
#[allow(unsafe_code)]
mod raw;
pub mod startup;

pub use cap::{CNode, CPtr, CapRights, Endpoint, IrqHandler, Notification, Tcb};
pub use console::{Console, DebugConsole, debug_put_char, set_console};
pub use consts::Word;
pub use error::Error;
pub use invocation::{Invocation, invoke};
pub use ipc::{get_badge, get_mr, reply, set_cap, set_cap_receive_path, set_mr, yield_now};
pub use message::MessageInfo;
pub use startup::{Startup, StartupError, Supervision};
