//! hello-rs: a Rust seL4 program started by a parent with spawn_program
//! (runtime/programs.h).  It serves Calls on the endpoint it is given and exits through
//! the startup convention, so that a supervisor sees its exit status (or its panic, as a
//! fault) on the fault endpoint.  No `unsafe`: everything goes through the sel4 crate.
//! Its C twin, rust/tests/hello_c.c, does the same with the C runtime.
//!
//! Startup: caps[0] = an endpoint to serve, caps[1] = an IRQ handler to ack, caps[2] = a
//! notification badged NOTIFICATION_BADGE; args[0] = 0 makes it panic at once (to show
//! the parent what a crash looks like).  First it checks the invocations and the
//! notification system calls on its own caps (each result printed; one that differs
//! from what seL4 must answer counts as a mismatch).
//!
//! Protocol on the endpoint (each request answered before the next is received):
//!   label HELLO_SUM, MR0..n  ->  label 0: MR0 = sum of the words, MR1 = n, MR2 = badge
//!   label HELLO_QUIT         ->  label 0, length 0; then exit
//!   any other label          ->  label seL4_IllegalOperation, length 0 (a client's
//!                                mistake never stops the server)
//! Exit status: the number of requests answered before HELLO_QUIT, or 100 + the number
//! of mismatches if there were any.
#![no_std]
#![no_main]
#![forbid(unsafe_code)]

use sel4::consts::{seL4_IllegalOperation, seL4_MsgMaxLength, seL4_WordBits};
use sel4::{
    CPtr, CapRights, Endpoint, Error, IrqHandler, MessageInfo, Notification, Startup, Tcb, Word,
};
use sel4::{debug_println, get_mr, set_mr};

const HELLO_SUM: Word = 1;
const HELLO_QUIT: Word = 2;
const DEPTH: u8 = seL4_WordBits as u8;
/// The badge of the notification cap the parent passes (test_rust_hello.c).
const NOTIFICATION_BADGE: Word = 0x10;

sel4::main!(main);

fn main(startup: &Startup) -> i32 {
    debug_println!(
        "{}: {} args, caps [{}, {}), free [{}, {}), CNode 2^{}",
        startup.name(),
        startup.args().len(),
        startup.caps().start,
        startup.caps().end,
        startup.empty().start,
        startup.empty().end,
        startup.cnode_size_bits()
    );
    if startup.args().first() == Some(&0) {
        panic!("deliberate crash of {}", startup.name());
    }
    let (Some(given), Some(irq), Some(ntfn), true) = (
        startup.cap(0),
        startup.cap(1),
        startup.cap(2),
        startup.empty().count() >= 3,
    ) else {
        debug_println!("{}: needs 3 caps and 3 free slots", startup.name());
        return 100;
    };
    let mismatches = check_invocations(startup, given, IrqHandler(irq))
        + check_notification(startup, Notification(ntfn));
    let served = serve(Endpoint(CPtr(startup.empty().start)));
    debug_println!("{}: served {} requests, exiting", startup.name(), served);
    if mismatches > 0 {
        100 + mismatches
    } else {
        served as i32
    }
}

/// Prints the seL4_Error of `got` (0 for success) as hello-c does; true if it is `want`.
fn expect(startup: &Startup, what: &str, got: Result<(), Error>, want: Result<(), Error>) -> bool {
    let code = |r: Result<(), Error>| r.err().map_or(0, Error::code);
    let note = if got == want { "" } else { " MISMATCH" };
    debug_println!("{}: {}: error {}{}", startup.name(), what, code(got), note);
    got == want
}

/// Prints a word result as hello-c does; true if it is `want`.
fn expect_word(startup: &Startup, what: &str, got: Word, want: Word) -> bool {
    let note = if got == want { "" } else { " MISMATCH" };
    debug_println!("{}: {} {}{}", startup.name(), what, got, note);
    got == want
}

/// Signal, Poll, Wait and Yield on its own notification (nobody else signals it).
fn check_notification(startup: &Startup, ntfn: Notification) -> i32 {
    ntfn.signal();
    let polled = ntfn.poll();
    let polled_again = ntfn.poll();
    ntfn.signal();
    let waited = ntfn.wait();
    sel4::yield_now();
    let checks = [
        ("Signal, then Poll: badge", polled, NOTIFICATION_BADGE),
        ("Poll again: badge", polled_again, 0),
        ("Signal, then Wait: badge", waited, NOTIFICATION_BADGE),
    ];
    let mut mismatches = 0;
    for (what, got, want) in checks {
        if !expect_word(startup, what, got, want) {
            mismatches += 1;
        }
    }
    mismatches
}

/// Exercises the invocations of the sel4 crate on its own CSpace: copies the endpoint
/// it was given to its first free slot (the one it serves), mints, moves, deletes and
/// revokes around it, acks the IRQ, and makes an invocation seL4 must refuse.
/// Returns the number of results that were not what seL4 answers.
fn check_invocations(startup: &Startup, given: CPtr, irq: IrqHandler) -> i32 {
    let cnode = startup.cnode();
    let s = startup.empty().start;
    let checks = [
        (
            "CNode_Copy to the first free slot",
            cnode.copy(s, DEPTH, cnode, given.0, DEPTH, CapRights::ALL),
            Ok(()),
        ),
        (
            "CNode_Mint with badge 5",
            cnode.mint(s + 1, DEPTH, cnode, given.0, DEPTH, CapRights::ALL, 5),
            Ok(()),
        ),
        (
            "CNode_Move",
            cnode.move_cap(s + 2, DEPTH, cnode, s + 1, DEPTH),
            Ok(()),
        ),
        (
            "CNode_Move onto a full slot",
            cnode.move_cap(s, DEPTH, cnode, s + 2, DEPTH),
            Err(Error::DeleteFirst),
        ),
        ("CNode_Delete", cnode.delete(s + 2, DEPTH), Ok(())),
        ("CNode_Revoke", cnode.revoke(s, DEPTH), Ok(())),
        ("IRQHandler_Ack", irq.ack(), Ok(())),
        (
            "TCB_Suspend on a CNode cap",
            Tcb(cnode.cptr()).suspend(),
            Err(Error::IllegalOperation),
        ),
    ];
    let mut mismatches = 0;
    for (what, got, want) in checks {
        if !expect(startup, what, got, want) {
            mismatches += 1;
        }
    }
    mismatches
}

/// Answers requests until HELLO_QUIT; returns how many came before it.
fn serve(ep: Endpoint) -> u32 {
    let mut served = 0u32;
    let (mut request, mut badge) = ep.recv();
    loop {
        let reply = match request.label() {
            HELLO_SUM => {
                let n = request.length().min(seL4_MsgMaxLength);
                let sum = (0..n as usize).fold(0 as Word, |s, i| s.wrapping_add(get_mr(i)));
                set_mr(0, sum);
                set_mr(1, n);
                set_mr(2, badge);
                MessageInfo::new(0, 0, 0, 3)
            }
            HELLO_QUIT => {
                sel4::reply(MessageInfo::new(0, 0, 0, 0));
                return served;
            }
            _ => MessageInfo::new(seL4_IllegalOperation, 0, 0, 0),
        };
        served += 1;
        (request, badge) = ep.reply_recv(reply);
    }
}
