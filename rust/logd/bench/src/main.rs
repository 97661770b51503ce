//! logd-bench-rs: handles args[0] WRITE requests with logd's Rust code (decode, then
//! push into the ring, reply built), the same requests as bench_c.c gives the C
//! baseline (ring_c.c).  bench.sh runs it twice with different counts in sel4-sim and
//! divides the difference of this thread's instructions by the difference of records.
#![no_std]
#![no_main]
#![forbid(unsafe_code)]

use logd::protocol::{MAX_REQUEST_MRS, Message, encode_write};
use logd::record::{Level, Name};
use logd::server::Logd;
use sel4::{Startup, debug_println};

sel4::main!(main);

/// The requests, in turn (bench_c.c has the same): lengths 0..96, every level.
const TEXTS: [&str; 8] = [
    "",
    "tick",
    "request 17 done",
    "memserver: 4096 pages free",
    "kv: put key=alpha value=0123456789 ok",
    "rs: restarted timer gen 2 after a VM fault at 0x0",
    "warning: queue 90% full (1843 of 2048 entries), slowing down the producers",
    "error: store PUT of logring07 failed: STORE_ERR_QUOTA; the record stays in RAM only",
];
const NAMES: [&str; 4] = ["timer", "memserver", "kv", "shell"];

fn main(startup: &Startup) -> i32 {
    let n = startup.args().first().copied().unwrap_or(0);
    let mut requests = [[0u64; MAX_REQUEST_MRS]; TEXTS.len()];
    let mut lens = [0usize; TEXTS.len()];
    let mut label = 0;
    for (i, t) in TEXTS.iter().enumerate() {
        let level = Level::new(i as u64 % 5).unwrap_or(Level::MIN);
        let Some((l, len)) = encode_write(level, t.as_bytes(), &mut requests[i]) else {
            return 2;
        };
        label = l;
        lens[i] = len;
    }
    let mut logd = Logd::default();
    for (i, name) in NAMES.iter().enumerate() {
        if let Some(name) = Name::new(name.as_bytes()) {
            logd.set_name(i as u32, name);
        }
    }
    let mut check = 0u64;
    for k in 0..n {
        let j = (k % TEXTS.len() as u64) as usize;
        let m = Message {
            label,
            extra_caps: 0,
            badge: 1 + k % NAMES.len() as u64,
            mrs: &requests[j][..lens[j]],
        };
        let r = logd.handle(&m);
        check = check.wrapping_mul(31).wrapping_add(r.label ^ r.mrs[0]);
    }
    debug_println!(
        "logd-bench-rs: {} records, next seq {}, rejected {}, check {:#x}",
        n,
        logd.ring.next_seq(),
        logd.stats.rejected,
        check
    );
    0
}
