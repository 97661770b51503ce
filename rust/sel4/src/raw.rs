//! The only module of the crate with `unsafe` code: the `syscall` instruction, the
//! IPC buffer's memory, the program entry point and the deliberate fault that ends a
//! panicking program.  Everything above it is safe Rust.
//!
//! Register use of seL4 16.0.0 on x86_64 (sel4/syscalls.h, the same as libsel4's
//! sel4_arch/syscalls.h): syscall number in rdx, capability (or badge on return) in
//! rdi, message info in rsi, message registers 0-3 in r10, r8, r9 and r15; rcx and r11
//! are clobbered by `syscall`/`sysret`, and the kernel does not restore rsp, so rsp is
//! kept in another register across the instruction (libsel4 uses rbx, which Rust
//! reserves; here the compiler picks one).

use crate::consts::{IPC_BUFFER_OFFSET_MSG, IPC_BUFFER_SIZE, Word};
use core::arch::asm;
use core::sync::atomic::{AtomicUsize, Ordering};

/// Message registers 0-3, which travel in CPU registers.
pub(crate) type FastMrs = [Word; 4];

/// `syscall` with no result: Send, NBSend, Reply, DebugPutChar, SetTLSBase.
pub(crate) fn sys_send(sys: isize, dest: Word, info: Word, mrs: FastMrs) {
    // SAFETY: the instruction only transfers the registers named here (the kernel
    // reads message registers 4 and up from the IPC buffer, which is not Rust memory)
    // and clobbers rcx and r11; rsp is restored from a register the kernel preserves.
    unsafe {
        asm!(
            "mov {saved}, rsp",
            "syscall",
            "mov rsp, {saved}",
            saved = out(reg) _,
            inout("rdx") sys => _,
            inout("rdi") dest => _,
            inout("rsi") info => _,
            inout("r10") mrs[0] => _,
            inout("r8") mrs[1] => _,
            inout("r9") mrs[2] => _,
            inout("r15") mrs[3] => _,
            out("rcx") _,
            out("r11") _,
            options(nostack),
        );
    }
}

/// `syscall` that receives: Recv, NBRecv (also Wait and Poll on notifications).
/// Returns (badge, message info, message registers 0-3).
pub(crate) fn sys_recv(sys: isize, src: Word) -> (Word, Word, FastMrs) {
    let (badge, info, m0, m1, m2, m3): (Word, Word, Word, Word, Word, Word);
    // SAFETY: as in sys_send; the kernel writes the results to the registers named here
    // and message registers 4 and up to the IPC buffer.
    unsafe {
        asm!(
            "mov {saved}, rsp",
            "syscall",
            "mov rsp, {saved}",
            saved = out(reg) _,
            inout("rdx") sys => _,
            inout("rdi") src => badge,
            out("rsi") info,
            out("r10") m0,
            out("r8") m1,
            out("r9") m2,
            out("r15") m3,
            out("rcx") _,
            out("r11") _,
            options(nostack),
        );
    }
    (badge, info, [m0, m1, m2, m3])
}

/// `syscall` that sends and then receives: Call, ReplyRecv, DebugCapIdentify.
/// Returns (badge or cap, message info, message registers 0-3).
pub(crate) fn sys_send_recv(
    sys: isize,
    dest: Word,
    info: Word,
    mrs: FastMrs,
) -> (Word, Word, FastMrs) {
    let (badge, out_info): (Word, Word);
    let [mut m0, mut m1, mut m2, mut m3] = mrs;
    // SAFETY: as in sys_send and sys_recv.
    unsafe {
        asm!(
            "mov {saved}, rsp",
            "syscall",
            "mov rsp, {saved}",
            saved = out(reg) _,
            inout("rdx") sys => _,
            inout("rdi") dest => badge,
            inout("rsi") info => out_info,
            inout("r10") m0,
            inout("r8") m1,
            inout("r9") m2,
            inout("r15") m3,
            out("rcx") _,
            out("r11") _,
            options(nostack),
        );
    }
    (badge, out_info, [m0, m1, m2, m3])
}

/// `syscall` with no arguments and no result: Yield, DebugHalt, DebugSnapshot, ...
pub(crate) fn sys_null(sys: isize) {
    // SAFETY: as in sys_send; the kernel may change rdi and rsi as well.
    unsafe {
        asm!(
            "mov {saved}, rsp",
            "syscall",
            "mov rsp, {saved}",
            saved = out(reg) _,
            inout("rdx") sys => _,
            out("rdi") _,
            out("rsi") _,
            out("rcx") _,
            out("r11") _,
            options(nostack),
        );
    }
}

/// The IPC buffer's address (0 until `set_ipc_buffer`).  One thread per program: the
/// Rust programs of the project are single-threaded.
static IPC_BUFFER: AtomicUsize = AtomicUsize::new(0);

/// Sets the IPC buffer.  The caller (crate::program) passes only the address the
/// validated startup page gives, which the loader mapped read-write for this thread.
pub(crate) fn set_ipc_buffer(addr: usize) {
    IPC_BUFFER.store(addr, Ordering::Relaxed);
}

fn ipc_word(index: usize) -> *mut Word {
    let base = IPC_BUFFER.load(Ordering::Relaxed);
    assert!(base != 0, "the IPC buffer is not set");
    assert!(
        index < IPC_BUFFER_SIZE / core::mem::size_of::<Word>(),
        "IPC buffer word {index} out of range"
    );
    core::ptr::with_exposed_provenance_mut::<Word>(base).wrapping_add(index)
}

/// Reads word `index` of the IPC buffer (seL4_IPCBuffer viewed as an array of words).
pub(crate) fn ipc_read(index: usize) -> Word {
    let p = ipc_word(index);
    // SAFETY: p is inside the IPC buffer (checked), a page mapped read-write for this
    // thread for its whole life and aligned to its size; only the kernel (during this
    // thread's own syscalls) and this thread write it.
    unsafe { p.read_volatile() }
}

/// Writes word `index` of the IPC buffer.
pub(crate) fn ipc_write(index: usize, value: Word) {
    let p = ipc_word(index);
    // SAFETY: as in ipc_read.
    unsafe { p.write_volatile(value) }
}

/// Index of message register 0 in the IPC buffer, in words.
pub(crate) const IPC_MSG_INDEX: usize = IPC_BUFFER_OFFSET_MSG / core::mem::size_of::<Word>();

/// Ends the program with a VM fault at address 0 (what the C runtime's panic does): the
/// fault goes to the thread's fault endpoint, where the parent sees it.
pub(crate) fn fault_at_null() -> ! {
    loop {
        // SAFETY: the store faults (page 0 is never mapped) and the kernel does not
        // resume the thread past it unless its fault handler changes its registers.
        unsafe { asm!("mov qword ptr [0], 0", options(nostack)) };
    }
}

#[cfg(not(test))]
mod entry {
    //! The program entry point (not in host test builds, which have their own).
    use crate::consts::{PROGRAM_STARTUP_VADDR, STARTUP_SIZE, Word};
    use core::arch::global_asm;

    /// The main thread's stack (the C runtime's default size, 64 KiB), in its own section
    /// so that the link script can put an unmapped guard page below it.
    const STACK_SIZE: usize = 64 * 1024;
    #[repr(C, align(16))]
    struct Stack([u8; STACK_SIZE]);
    #[unsafe(link_section = ".stack")]
    static mut STACK: Stack = Stack([0; STACK_SIZE]);

    // _start: the loader enters with rdi = the startup page (runtime/startup.h) and rsp = 0.
    global_asm!(
        ".pushsection .text.start, \"ax\", @progbits",
        ".globl _start",
        ".type _start, @function",
        "_start:",
        "lea rsp, [rip + {stack} + {size}]",
        "and rsp, -16",
        "xor ebp, ebp",
        "call {entry}",
        "2: ud2",
        "jmp 2b",
        ".size _start, . - _start",
        ".popsection",
        stack = sym STACK,
        size = const STACK_SIZE,
        entry = sym rust_entry,
    );

    // The memory functions the compiler calls (core has none for this target, which
    // expects a C library).  Plain string instructions: no Rust code, so nothing here
    // can be compiled back into a call to itself.
    global_asm!(
        ".pushsection .text.memfns, \"ax\", @progbits",
        ".globl memcpy, memmove, memset, memcmp, bcmp",
        ".type memcpy, @function",
        ".type memmove, @function",
        ".type memset, @function",
        ".type memcmp, @function",
        ".type bcmp, @function",
        "memcpy:",
        "mov rax, rdi",
        "mov rcx, rdx",
        "rep movsb",
        "ret",
        "memmove:",
        "mov rax, rdi",
        "mov rcx, rdx",
        "cmp rdi, rsi",
        "jbe 2f",
        "lea rsi, [rsi + rcx - 1]",
        "lea rdi, [rdi + rcx - 1]",
        "std",
        "rep movsb",
        "cld",
        "ret",
        "2: rep movsb",
        "ret",
        "memset:",
        "mov r8, rdi",
        "mov eax, esi",
        "mov rcx, rdx",
        "rep stosb",
        "mov rax, r8",
        "ret",
        "memcmp:",
        "bcmp:",
        "xor eax, eax",
        "test rdx, rdx",
        "jz 4f",
        "3: movzx eax, byte ptr [rdi]",
        "movzx ecx, byte ptr [rsi]",
        "sub eax, ecx",
        "jnz 4f",
        "inc rdi",
        "inc rsi",
        "dec rdx",
        "jnz 3b",
        "4: ret",
        ".popsection",
    );

    unsafe extern "Rust" {
        /// The program's main function, defined by `sel4::main!`.
        safe fn __sel4_program_main(startup: &crate::Startup) -> i32;
    }

    extern "C" fn rust_entry(startup_addr: usize) -> ! {
        let page = if startup_addr as Word == PROGRAM_STARTUP_VADDR {
            // SAFETY: the loader maps the startup page read-only at PROGRAM_STARTUP_VADDR for
            // the program's whole life and never writes it after the program starts.
            Some(unsafe {
                core::slice::from_raw_parts(
                    core::ptr::with_exposed_provenance::<u8>(startup_addr),
                    STARTUP_SIZE,
                )
            })
        } else {
            None
        };
        crate::program::start(page, __sel4_program_main)
    }
}

/// Declares the program's main function, `fn(&sel4::Startup) -> i32` (its result is the
/// exit status the parent receives), and the panic handler.
#[macro_export]
macro_rules! main {
    ($main:path) => {
        #[unsafe(no_mangle)]
        fn __sel4_program_main(startup: &$crate::Startup) -> i32 {
            $main(startup)
        }

        #[panic_handler]
        fn panic(info: &::core::panic::PanicInfo) -> ! {
            $crate::program::panic(info)
        }
    };
}
