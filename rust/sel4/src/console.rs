//! The kernel's debug console (seL4_DebugPutChar, debug kernels only) as a
//! core::fmt::Write sink, and the debug_print!/debug_println! macros.

use crate::consts::{Word, seL4_SysDebugPutChar};
use crate::raw;
use core::fmt;

/// seL4_DebugPutChar.
pub fn debug_put_char(c: u8) {
    raw::sys_send(seL4_SysDebugPutChar, Word::from(c), 0, [0; 4]);
}

/// Writes every byte with seL4_DebugPutChar; never fails.
#[derive(Clone, Copy, Default, Debug)]
pub struct DebugConsole;

impl fmt::Write for DebugConsole {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        s.bytes().for_each(debug_put_char);
        Ok(())
    }
}

/// Formats to the debug console (DebugConsole cannot fail, so there is no result).
#[macro_export]
macro_rules! debug_print {
    ($($arg:tt)*) => {{
        let _ = ::core::fmt::Write::write_fmt(&mut $crate::DebugConsole, format_args!($($arg)*));
    }};
}

/// debug_print! with a newline.
#[macro_export]
macro_rules! debug_println {
    () => { $crate::debug_print!("\n") };
    ($($arg:tt)*) => { $crate::debug_print!("{}\n", format_args!($($arg)*)) };
}
