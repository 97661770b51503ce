//! Console output.  `console_print!`/`console_println!` write to the console driver
//! (drivers/serial/PROTOCOL.md: one-way CONSOLE_WRITE messages, a line at a time) when
//! the startup page names one (its console_ep, recorded at program start), else to the
//! kernel's debug console if the kernel has one (KernelPrinting), else nowhere: a
//! release kernel has no seL4_DebugPutChar and it is never called there.
//! `debug_print!`/`debug_println!` always use the kernel's debug console (test programs
//! on a debug kernel); on a release kernel they print nothing.

use crate::cap::{CPtr, Endpoint};
use crate::consts::{CONSOLE_WRITE, CONSOLE_WRITE_MAX, DEBUG_PUT_CHAR_SYSCALL, Word};
use crate::ipc::{get_mr, set_mr};
use crate::message::MessageInfo;
use crate::raw;
use core::fmt;
use core::sync::atomic::{AtomicU64, Ordering};

/// seL4_DebugPutChar, or nothing on a kernel without it.
pub fn debug_put_char(c: u8) {
    if let Some(number) = DEBUG_PUT_CHAR_SYSCALL {
        raw::sys_send(number, Word::from(c), 0, [0; 4]);
    }
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

/// The console driver's endpoint slot (0: none), set once at program start.
static CONSOLE_EP: AtomicU64 = AtomicU64::new(0);

/// Records the console driver's endpoint (the startup page's console_ep).
pub fn set_console(ep: Option<Endpoint>) {
    CONSOLE_EP.store(ep.map_or(0, |e| e.0.0), Ordering::Relaxed);
}

const LINE_MAX: usize = CONSOLE_WRITE_MAX as usize;
/// Message registers a WRITE of LINE_MAX bytes uses (MR0 and the bytes' words).
const WRITE_MRS: usize = 1 + LINE_MAX.div_ceil(8);

/// The words of a WRITE carrying `bytes`: byte k in word k / 8 at bits 8 * (k % 8).
pub fn pack_word(bytes: &[u8], w: usize) -> Word {
    bytes
        .iter()
        .skip(w * 8)
        .take(8)
        .enumerate()
        .fold(0, |v, (b, &c)| v | (Word::from(c) << (8 * b)))
}

/// One CONSOLE_WRITE with seL4_Send (the driver never replies); the message registers
/// the caller may have set are kept.
fn console_send(ep: Endpoint, bytes: &[u8]) {
    let n = bytes.len().min(LINE_MAX);
    let mut saved = [0 as Word; WRITE_MRS];
    for (k, s) in saved.iter_mut().enumerate() {
        *s = get_mr(k);
    }
    let words = n.div_ceil(8);
    set_mr(0, n as Word);
    for w in 0..words {
        set_mr(1 + w, pack_word(&bytes[..n], w));
    }
    ep.send(MessageInfo::new(CONSOLE_WRITE, 0, 0, (1 + words) as Word));
    for (k, &s) in saved.iter().enumerate() {
        set_mr(k, s);
    }
}

/// A line buffer written to the console (see the module comment) at each newline, when
/// full, and by `flush`.
#[derive(Debug)]
pub struct Console {
    line: [u8; LINE_MAX],
    len: usize,
}

impl Default for Console {
    fn default() -> Self {
        Self::new()
    }
}

impl Console {
    /// An empty line.
    pub const fn new() -> Self {
        Console {
            line: [0; LINE_MAX],
            len: 0,
        }
    }

    /// Writes what is buffered.
    pub fn flush(&mut self) {
        if self.len == 0 {
            return;
        }
        let bytes = &self.line[..self.len];
        match CONSOLE_EP.load(Ordering::Relaxed) {
            0 => bytes.iter().copied().for_each(debug_put_char),
            ep => console_send(Endpoint(CPtr(ep)), bytes),
        }
        self.len = 0;
    }
}

impl fmt::Write for Console {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for &c in s.as_bytes() {
            self.line[self.len] = c;
            self.len += 1;
            if c == b'\n' || self.len == LINE_MAX {
                self.flush();
            }
        }
        Ok(())
    }
}

/// Formats to the console (see the module comment); a partial line is written at the end.
#[macro_export]
macro_rules! console_print {
    ($($arg:tt)*) => {{
        let mut console = $crate::Console::new();
        let _ = ::core::fmt::Write::write_fmt(&mut console, format_args!($($arg)*));
        console.flush();
    }};
}

/// console_print! with a newline.
#[macro_export]
macro_rules! console_println {
    () => { $crate::console_print!("\n") };
    ($($arg:tt)*) => { $crate::console_print!("{}\n", format_args!($($arg)*)) };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_pack_little_endian_eight_per_word() {
        let b = b"abcdefghij";
        assert_eq!(pack_word(b, 0), u64::from_le_bytes(*b"abcdefgh"));
        assert_eq!(pack_word(b, 1), u64::from(b'i') | (u64::from(b'j') << 8));
        assert_eq!(pack_word(b, 2), 0);
    }

    #[test]
    fn a_write_fits_the_message_registers() {
        assert!(WRITE_MRS <= crate::consts::seL4_MsgMaxLength as usize);
    }
}
