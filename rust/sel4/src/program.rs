//! A Rust program's life under the startup convention (runtime/startup.h): start
//! (validate the startup page, set the IPC buffer, run main), exit (PROGRAM_EXIT_LABEL
//! on the fault endpoint, then suspend), and panic (message, then a fault the parent
//! sees), as the C runtime does for C programs (runtime/start.c, runtime/exit.c).

use crate::console::set_console;
use crate::console_println;
use crate::consts::{PROGRAM_EXIT_LABEL, Word};
use crate::ipc::set_mr;
use crate::message::MessageInfo;
use crate::raw;
use crate::startup::Startup;

/// Called by the entry point with the startup page (None if rdi was not
/// PROGRAM_STARTUP_VADDR: not started by the loader).
#[cfg_attr(test, allow(dead_code))]
pub(crate) fn start(page: Option<&[u8]>, main: fn(&Startup) -> i32) -> ! {
    let startup = match page.map(Startup::parse) {
        Some(Ok(startup)) => startup,
        Some(Err(err)) => {
            console_println!("sel4: refusing the startup page: {err:?}");
            raw::fault_at_null()
        }
        None => {
            console_println!("sel4: no startup page (not started by the program loader)");
            raw::fault_at_null()
        }
    };
    raw::set_ipc_buffer(startup.ipc_buffer() as usize);
    set_console(startup.supervision().console_ep());
    let status = main(&startup);
    startup.exit(status)
}

impl Startup {
    /// Ends the program: sends PROGRAM_EXIT_LABEL with MR0 = status on the supervisor's
    /// endpoint if there is one, else on the fault endpoint (if any; the parent receives
    /// it with the badge it chose), then suspends the program's TCB, as runtime_exit
    /// does.  A failing suspend is reported and ends in a fault.
    pub fn exit(&self, status: i32) -> ! {
        if let Some(ep) = self.supervision().supervisor_ep().or(self.fault_ep()) {
            set_mr(0, i64::from(status) as Word);
            ep.send(MessageInfo::new(PROGRAM_EXIT_LABEL, 0, 0, 1));
        }
        if let Err(err) = self.tcb().suspend() {
            console_println!("sel4: {} could not suspend itself: {err}", self.name());
        }
        raw::fault_at_null()
    }
}

/// The panic handler of `sel4::main!`: prints "PANIC at FILE:LINE: MESSAGE" (like the C
/// runtime) and faults, so that the fault reaches the parent on the fault endpoint.
pub fn panic(info: &core::panic::PanicInfo) -> ! {
    match info.location() {
        Some(loc) => {
            let file = loc.file().rsplit('/').next().unwrap_or(loc.file());
            console_println!("PANIC at {}:{}: {}", file, loc.line(), info.message());
        }
        None => console_println!("PANIC: {}", info.message()),
    }
    raw::fault_at_null()
}
