//! hello-rs: a Rust seL4 program started by a parent with spawn_program
//! (runtime/programs.h).  It serves Calls on the endpoint it is given and exits through
//! the startup convention, so that a supervisor sees its exit status (or its panic, as a
//! fault) on the fault endpoint.  No `unsafe`: everything goes through the sel4 crate.
//!
//! Startup: caps[0] = an endpoint to serve, caps[1] (optional) = an IRQ handler to ack;
//! args[0] = 0 makes it panic at once (to show the parent what a crash looks like).
//!
//! Protocol on the endpoint (each request answered before the next is received):
//!   label HELLO_SUM, MR0..n  ->  label 0: MR0 = sum of the words, MR1 = n, MR2 = badge
//!   label HELLO_QUIT         ->  label 0, length 0; then exit with the number of
//!                                requests answered before it
//!   any other label          ->  label seL4_IllegalOperation, length 0 (a client's
//!                                mistake never stops the server)
#![no_std]
#![no_main]
#![forbid(unsafe_code)]

use sel4::consts::{seL4_IllegalOperation, seL4_MsgMaxLength, seL4_WordBits};
use sel4::{CNode, CPtr, CapRights, Endpoint, Error, IrqHandler, MessageInfo, Startup, Tcb, Word};
use sel4::{debug_println, get_mr, set_mr};

const HELLO_SUM: Word = 1;
const HELLO_QUIT: Word = 2;
const DEPTH: u8 = seL4_WordBits as u8;

sel4::main!(main);

/// The seL4_Error of a result (0 for success), printed as the C twin hello-c prints it.
fn code(result: Result<(), Error>) -> Word {
    result.err().map_or(0, Error::code)
}

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
    let Some(ep) = endpoint_copy(startup) else {
        return 100;
    };
    if let Some(irq) = startup.cap(1) {
        let result = IrqHandler(irq).ack();
        debug_println!("{}: IRQHandler_Ack: error {}", startup.name(), code(result));
    }
    // Invoking the CNode cap as if it were a TCB: the kernel refuses the label.
    let wrong = Tcb(startup.cnode().cptr()).suspend();
    debug_println!(
        "{}: TCB_Suspend on a CNode cap: error {}",
        startup.name(),
        code(wrong)
    );
    let served = serve(ep);
    debug_println!("{}: served {} requests, exiting", startup.name(), served);
    served as i32
}

/// Copies the endpoint it was given into its first free slot (exercising its own CNode
/// cap and guard) and returns the copy, or None if there is none or the copy failed.
fn endpoint_copy(startup: &Startup) -> Option<Endpoint> {
    let (Some(given), Some(slot)) = (startup.cap(0), startup.empty().next()) else {
        debug_println!("{}: no endpoint or no free slot", startup.name());
        return None;
    };
    let cnode: CNode = startup.cnode();
    let result = cnode.copy(slot, DEPTH, cnode, given.0, DEPTH, CapRights::ALL);
    debug_println!(
        "{}: CNode_Copy {} -> {}: error {}",
        startup.name(),
        given.0,
        slot,
        code(result)
    );
    result.ok().map(|()| Endpoint(CPtr(slot)))
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
