//! The startup page of a program that is not the root task (runtime/startup.h): read
//! from its bytes, field offsets from the C struct (consts), and checked before any of
//! it is used.

use crate::cap::{CNode, CPtr, Endpoint, Notification, Tcb};
use crate::consts::{
    PROGRAM_IPC_BUFFER_VADDR, PROGRAM_SLOT_CNODE, PROGRAM_SLOT_FAULT_EP, PROGRAM_SLOT_FIRST_CAP,
    PROGRAM_SLOT_HEARTBEAT_ACK, PROGRAM_SLOT_SERVICE_EP, PROGRAM_SLOT_SUPERVISOR_EP,
    PROGRAM_SLOT_TCB, RUNTIME_STARTUP_MAGIC, RUNTIME_STARTUP_MAX_ARGS, RUNTIME_STARTUP_NAME_LEN,
    RUNTIME_STARTUP_VERSION, STARTUP_OFFSET_ARGS, STARTUP_OFFSET_CAPS_END,
    STARTUP_OFFSET_CAPS_START, STARTUP_OFFSET_CNODE_SIZE_BITS, STARTUP_OFFSET_CONSOLE_EP,
    STARTUP_OFFSET_EMPTY_END, STARTUP_OFFSET_EMPTY_START, STARTUP_OFFSET_FAULT_EP,
    STARTUP_OFFSET_GENERATION, STARTUP_OFFSET_HEARTBEAT_ACK, STARTUP_OFFSET_IPC_BUFFER,
    STARTUP_OFFSET_MAGIC, STARTUP_OFFSET_MEMSERVER_EP, STARTUP_OFFSET_NAME, STARTUP_OFFSET_NARGS,
    STARTUP_OFFSET_RESTARTED, STARTUP_OFFSET_SERVICE_EP, STARTUP_OFFSET_SUPERVISOR_EP,
    STARTUP_OFFSET_VERSION, STARTUP_SIZE, Word, seL4_WordBits,
};
use core::ops::Range;

const MAX_ARGS: usize = RUNTIME_STARTUP_MAX_ARGS as usize;
const NAME_LEN: usize = RUNTIME_STARTUP_NAME_LEN as usize;
const WORD: usize = core::mem::size_of::<Word>();

// The C struct's layout as the parser reads it: words, then the argument array, then the
// name, nothing after it.
const _: () = assert!(STARTUP_OFFSET_ARGS + MAX_ARGS * WORD <= STARTUP_OFFSET_NAME);
const _: () = assert!(STARTUP_OFFSET_NAME + NAME_LEN <= STARTUP_OFFSET_SUPERVISOR_EP);
const _: () = assert!(STARTUP_OFFSET_CONSOLE_EP + WORD <= STARTUP_SIZE);

/// Why a startup page was refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum StartupError {
    /// Fewer bytes than runtime_startup_t.
    Truncated,
    BadMagic(Word),
    BadVersion(Word),
    /// The IPC buffer is not at PROGRAM_IPC_BUFFER_VADDR.
    BadIpcBuffer(Word),
    /// cnode_size_bits is 0 or at least seL4_WordBits.
    BadCNodeSize(Word),
    /// fault_ep is neither 0 nor PROGRAM_SLOT_FAULT_EP.
    BadFaultEp(Word),
    /// The passed or free slot range is reversed, overlaps the other or the fixed slots,
    /// or lies outside the CNode.
    BadSlots,
    TooManyArgs(Word),
    /// The name has no NUL within RUNTIME_STARTUP_NAME_LEN bytes, or is not UTF-8.
    BadName,
    /// A supervision field (version 2 and 3) is neither 0 nor its fixed slot
    /// (service_ep, supervisor_ep, heartbeat_ack), memserver_ep or console_ep lies
    /// outside the passed caps, or restarted is not 0 or 1.
    BadSupervision,
}

/// What a supervisor (the reincarnation server) tells a service (the fields of versions
/// 2 and 3).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Supervision {
    service_ep: Word,
    supervisor_ep: Word,
    heartbeat_ack: Word,
    memserver_ep: Word,
    generation: Word,
    restarted: bool,
    console_ep: Word,
}

impl Supervision {
    /// The endpoint the service serves on.
    pub fn service_ep(&self) -> Option<Endpoint> {
        (self.service_ep != 0).then_some(Endpoint(CPtr(self.service_ep)))
    }
    /// Where the program reports its exit (instead of the fault endpoint).
    pub fn supervisor_ep(&self) -> Option<Endpoint> {
        (self.supervisor_ep != 0).then_some(Endpoint(CPtr(self.supervisor_ep)))
    }
    /// The notification signalled to answer a heartbeat ping.
    pub fn heartbeat_ack(&self) -> Option<Notification> {
        (self.heartbeat_ack != 0).then_some(Notification(CPtr(self.heartbeat_ack)))
    }
    /// The program's own memory-server client cap.
    pub fn memserver_ep(&self) -> Option<Endpoint> {
        (self.memserver_ep != 0).then_some(Endpoint(CPtr(self.memserver_ep)))
    }
    /// The console (drivers/serial/PROTOCOL.md) C programs print through.
    pub fn console_ep(&self) -> Option<Endpoint> {
        (self.console_ep != 0).then_some(Endpoint(CPtr(self.console_ep)))
    }
    /// The incarnation number (1 for the first start; 0 if not supervised).
    pub fn generation(&self) -> Word {
        self.generation
    }
    /// True if an earlier incarnation ran before this one.
    pub fn restarted(&self) -> bool {
        self.restarted
    }
}

/// The validated contents of the startup page.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Startup {
    ipc_buffer: Word,
    cnode_size_bits: Word,
    fault_ep: Word,
    caps: Range<Word>,
    empty: Range<Word>,
    nargs: usize,
    args: [Word; MAX_ARGS],
    name: [u8; NAME_LEN],
    name_len: usize,
    supervision: Supervision,
}

fn word_at(page: &[u8], offset: usize) -> Word {
    let mut b = [0u8; WORD];
    b.copy_from_slice(&page[offset..offset + WORD]);
    Word::from_le_bytes(b)
}

/// A slot range is usable if it is not reversed and lies within [first, slots).
fn range_ok(r: &Range<Word>, first: Word, slots: Word) -> bool {
    first <= r.start && r.start <= r.end && r.end <= slots
}

impl Startup {
    /// Reads and checks a startup page (at least STARTUP_SIZE bytes).
    pub fn parse(page: &[u8]) -> Result<Startup, StartupError> {
        if page.len() < STARTUP_SIZE {
            return Err(StartupError::Truncated);
        }
        let w = |offset| word_at(page, offset);
        let magic = w(STARTUP_OFFSET_MAGIC);
        if magic != RUNTIME_STARTUP_MAGIC {
            return Err(StartupError::BadMagic(magic));
        }
        let version = w(STARTUP_OFFSET_VERSION);
        if version != RUNTIME_STARTUP_VERSION {
            return Err(StartupError::BadVersion(version));
        }
        let ipc_buffer = w(STARTUP_OFFSET_IPC_BUFFER);
        if ipc_buffer != PROGRAM_IPC_BUFFER_VADDR {
            return Err(StartupError::BadIpcBuffer(ipc_buffer));
        }
        let cnode_size_bits = w(STARTUP_OFFSET_CNODE_SIZE_BITS);
        if cnode_size_bits == 0 || cnode_size_bits >= seL4_WordBits {
            return Err(StartupError::BadCNodeSize(cnode_size_bits));
        }
        let fault_ep = w(STARTUP_OFFSET_FAULT_EP);
        if fault_ep != 0 && fault_ep != PROGRAM_SLOT_FAULT_EP {
            return Err(StartupError::BadFaultEp(fault_ep));
        }
        let slots: Word = 1 << cnode_size_bits;
        let caps = w(STARTUP_OFFSET_CAPS_START)..w(STARTUP_OFFSET_CAPS_END);
        let empty = w(STARTUP_OFFSET_EMPTY_START)..w(STARTUP_OFFSET_EMPTY_END);
        let disjoint = caps.end <= empty.start || empty.end <= caps.start;
        if !range_ok(&caps, PROGRAM_SLOT_FIRST_CAP, slots)
            || !range_ok(&empty, PROGRAM_SLOT_FIRST_CAP, slots)
            || !disjoint
        {
            return Err(StartupError::BadSlots);
        }
        let nargs = w(STARTUP_OFFSET_NARGS);
        if nargs > RUNTIME_STARTUP_MAX_ARGS {
            return Err(StartupError::TooManyArgs(nargs));
        }
        let mut args = [0; MAX_ARGS];
        for (i, arg) in args.iter_mut().enumerate() {
            *arg = w(STARTUP_OFFSET_ARGS + i * WORD);
        }
        let mut name = [0u8; NAME_LEN];
        name.copy_from_slice(&page[STARTUP_OFFSET_NAME..STARTUP_OFFSET_NAME + NAME_LEN]);
        let name_len = name
            .iter()
            .position(|&c| c == 0)
            .ok_or(StartupError::BadName)?;
        if core::str::from_utf8(&name[..name_len]).is_err() {
            return Err(StartupError::BadName);
        }
        let fixed = |offset, slot| {
            let v = w(offset);
            if v == 0 || v == slot {
                Ok(v)
            } else {
                Err(StartupError::BadSupervision)
            }
        };
        let memserver_ep = w(STARTUP_OFFSET_MEMSERVER_EP);
        let console_ep = w(STARTUP_OFFSET_CONSOLE_EP);
        let restarted = w(STARTUP_OFFSET_RESTARTED);
        let passed = |slot: Word| slot == 0 || caps.contains(&slot);
        if !passed(memserver_ep) || !passed(console_ep) || restarted > 1 {
            return Err(StartupError::BadSupervision);
        }
        let supervision = Supervision {
            service_ep: fixed(STARTUP_OFFSET_SERVICE_EP, PROGRAM_SLOT_SERVICE_EP)?,
            supervisor_ep: fixed(STARTUP_OFFSET_SUPERVISOR_EP, PROGRAM_SLOT_SUPERVISOR_EP)?,
            heartbeat_ack: fixed(STARTUP_OFFSET_HEARTBEAT_ACK, PROGRAM_SLOT_HEARTBEAT_ACK)?,
            memserver_ep,
            generation: w(STARTUP_OFFSET_GENERATION),
            restarted: restarted == 1,
            console_ep,
        };
        Ok(Startup {
            ipc_buffer,
            cnode_size_bits,
            fault_ep,
            caps,
            empty,
            nargs: nargs as usize,
            args,
            name,
            name_len,
            supervision,
        })
    }

    /// The supervision fields (all empty for a program spawn_program started).
    pub fn supervision(&self) -> &Supervision {
        &self.supervision
    }

    /// The program's name (the name it was spawned under).
    pub fn name(&self) -> &str {
        // Checked to be UTF-8 in parse.
        core::str::from_utf8(&self.name[..self.name_len]).unwrap_or("")
    }

    /// The arguments the parent passed.
    pub fn args(&self) -> &[Word] {
        &self.args[..self.nargs]
    }

    /// The slots holding the caps the parent passed, in the order given.
    pub fn caps(&self) -> Range<Word> {
        self.caps.clone()
    }

    /// The `i`th cap the parent passed, if it passed that many.
    pub fn cap(&self, i: usize) -> Option<CPtr> {
        self.caps.clone().nth(i).map(CPtr)
    }

    /// The free slots.
    pub fn empty(&self) -> Range<Word> {
        self.empty.clone()
    }

    /// The program's CNode is 2^cnode_size_bits slots (always below seL4_WordBits).
    pub fn cnode_size_bits(&self) -> u8 {
        self.cnode_size_bits as u8
    }

    /// The IPC buffer's address.
    pub fn ipc_buffer(&self) -> Word {
        self.ipc_buffer
    }

    /// The endpoint faults and the exit message go to, if the parent gave one.
    pub fn fault_ep(&self) -> Option<Endpoint> {
        (self.fault_ep != 0).then_some(Endpoint(CPtr(self.fault_ep)))
    }

    /// The program's own TCB.
    pub fn tcb(&self) -> Tcb {
        Tcb(CPtr(PROGRAM_SLOT_TCB))
    }

    /// The program's own CNode (CPtrs resolve in it at depth seL4_WordBits).
    pub fn cnode(&self) -> CNode {
        CNode(CPtr(PROGRAM_SLOT_CNODE))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A startup page as spawn.c writes it (fill_startup).
    fn page(ncaps: Word, args: &[Word], name: &str) -> Vec<u8> {
        let mut p = vec![0u8; 4096];
        let mut put =
            |offset: usize, v: Word| p[offset..offset + 8].copy_from_slice(&v.to_le_bytes());
        put(STARTUP_OFFSET_MAGIC, RUNTIME_STARTUP_MAGIC);
        put(STARTUP_OFFSET_VERSION, RUNTIME_STARTUP_VERSION);
        put(STARTUP_OFFSET_IPC_BUFFER, PROGRAM_IPC_BUFFER_VADDR);
        put(STARTUP_OFFSET_CNODE_SIZE_BITS, 10);
        put(STARTUP_OFFSET_FAULT_EP, PROGRAM_SLOT_FAULT_EP);
        put(STARTUP_OFFSET_CAPS_START, 8);
        put(STARTUP_OFFSET_CAPS_END, 8 + ncaps);
        put(STARTUP_OFFSET_EMPTY_START, 8 + ncaps);
        put(STARTUP_OFFSET_EMPTY_END, 1024);
        put(STARTUP_OFFSET_NARGS, args.len() as Word);
        for (i, a) in args.iter().enumerate() {
            put(STARTUP_OFFSET_ARGS + 8 * i, *a);
        }
        p[STARTUP_OFFSET_NAME..STARTUP_OFFSET_NAME + name.len()].copy_from_slice(name.as_bytes());
        p
    }

    fn set(p: &mut [u8], offset: usize, v: Word) {
        p[offset..offset + 8].copy_from_slice(&v.to_le_bytes());
    }

    #[test]
    fn reads_what_the_loader_writes() {
        let s = Startup::parse(&page(2, &[1, 2, 3], "hello-rs")).unwrap();
        assert_eq!(s.name(), "hello-rs");
        assert_eq!(s.args(), &[1, 2, 3]);
        assert_eq!(s.caps(), 8..10);
        assert_eq!(s.cap(0), Some(CPtr(8)));
        assert_eq!(s.cap(1), Some(CPtr(9)));
        assert_eq!(s.cap(2), None);
        assert_eq!(s.empty(), 10..1024);
        assert_eq!(s.cnode_size_bits(), 10);
        assert_eq!(s.fault_ep(), Some(Endpoint(CPtr(5))));
        assert_eq!(s.ipc_buffer(), PROGRAM_IPC_BUFFER_VADDR);
        assert_eq!(s.tcb(), Tcb(CPtr(1)));
        assert_eq!(s.cnode(), CNode(CPtr(2)));
    }

    #[test]
    fn the_layout_is_runtime_startup_t() {
        // runtime_startup_t: ten words, args[8], name[32], six words (v2), one (v3).
        assert_eq!(STARTUP_OFFSET_NARGS, 72);
        assert_eq!(STARTUP_OFFSET_ARGS, 80);
        assert_eq!(STARTUP_OFFSET_NAME, 144);
        assert_eq!(STARTUP_OFFSET_SUPERVISOR_EP, 176);
        assert_eq!(STARTUP_OFFSET_RESTARTED, 216);
        assert_eq!(STARTUP_OFFSET_CONSOLE_EP, 224);
        assert_eq!(STARTUP_SIZE, 232);
    }

    #[test]
    fn no_fault_endpoint_no_args_no_caps() {
        let mut p = page(0, &[], "x");
        set(&mut p, STARTUP_OFFSET_FAULT_EP, 0);
        let s = Startup::parse(&p).unwrap();
        assert_eq!(s.fault_ep(), None);
        assert!(s.args().is_empty());
        assert_eq!(s.cap(0), None);
    }

    #[test]
    fn a_full_name_and_all_args() {
        let name = "n".repeat(NAME_LEN - 1);
        let args: Vec<Word> = (1..=RUNTIME_STARTUP_MAX_ARGS).collect();
        let s = Startup::parse(&page(0, &args, &name)).unwrap();
        assert_eq!(s.name(), name);
        assert_eq!(s.args(), &args[..]);
    }

    #[test]
    fn refuses_what_is_not_a_startup_page() {
        let good = page(1, &[7], "p");
        assert_eq!(
            Startup::parse(&good[..STARTUP_SIZE - 1]),
            Err(StartupError::Truncated)
        );
        assert_eq!(Startup::parse(&[]), Err(StartupError::Truncated));
        let cases: [(usize, Word, StartupError); 7] = [
            (STARTUP_OFFSET_MAGIC, 0x3c, StartupError::BadMagic(0x3c)),
            (
                STARTUP_OFFSET_VERSION,
                RUNTIME_STARTUP_VERSION + 1,
                StartupError::BadVersion(RUNTIME_STARTUP_VERSION + 1),
            ),
            (
                STARTUP_OFFSET_IPC_BUFFER,
                0x1000,
                StartupError::BadIpcBuffer(0x1000),
            ),
            (
                STARTUP_OFFSET_CNODE_SIZE_BITS,
                0,
                StartupError::BadCNodeSize(0),
            ),
            (
                STARTUP_OFFSET_CNODE_SIZE_BITS,
                64,
                StartupError::BadCNodeSize(64),
            ),
            (STARTUP_OFFSET_FAULT_EP, 6, StartupError::BadFaultEp(6)),
            (STARTUP_OFFSET_NARGS, 9, StartupError::TooManyArgs(9)),
        ];
        for (offset, value, err) in cases {
            let mut p = good.clone();
            set(&mut p, offset, value);
            assert_eq!(Startup::parse(&p), Err(err), "offset {offset} = {value}");
        }
    }

    #[test]
    fn refuses_bad_slot_ranges() {
        let good = page(1, &[], "p");
        let cases: [(usize, Word); 6] = [
            (STARTUP_OFFSET_CAPS_START, 4),      // over the fixed slots
            (STARTUP_OFFSET_CAPS_END, 7),        // reversed
            (STARTUP_OFFSET_EMPTY_END, 1025),    // beyond the CNode
            (STARTUP_OFFSET_EMPTY_START, 8),     // overlaps the passed caps
            (STARTUP_OFFSET_EMPTY_START, 2000),  // reversed
            (STARTUP_OFFSET_CNODE_SIZE_BITS, 9), // CNode smaller than the ranges
        ];
        for (offset, value) in cases {
            let mut p = good.clone();
            set(&mut p, offset, value);
            assert_eq!(
                Startup::parse(&p),
                Err(StartupError::BadSlots),
                "offset {offset} = {value}"
            );
        }
    }

    #[test]
    fn supervision_fields_of_version_2() {
        let mut p = page(3, &[], "logd");
        assert_eq!(
            Startup::parse(&p).unwrap().supervision(),
            &Supervision::default()
        );
        set(&mut p, STARTUP_OFFSET_SERVICE_EP, PROGRAM_SLOT_SERVICE_EP);
        set(
            &mut p,
            STARTUP_OFFSET_SUPERVISOR_EP,
            PROGRAM_SLOT_SUPERVISOR_EP,
        );
        set(
            &mut p,
            STARTUP_OFFSET_HEARTBEAT_ACK,
            PROGRAM_SLOT_HEARTBEAT_ACK,
        );
        set(&mut p, STARTUP_OFFSET_MEMSERVER_EP, 8);
        set(&mut p, STARTUP_OFFSET_GENERATION, 3);
        set(&mut p, STARTUP_OFFSET_RESTARTED, 1);
        set(&mut p, STARTUP_OFFSET_CONSOLE_EP, 10);
        let s = Startup::parse(&p).unwrap();
        let sv = s.supervision();
        assert_eq!(sv.service_ep(), Some(Endpoint(CPtr(4))));
        assert_eq!(sv.supervisor_ep(), Some(Endpoint(CPtr(6))));
        assert_eq!(sv.heartbeat_ack(), Some(Notification(CPtr(7))));
        assert_eq!(sv.memserver_ep(), Some(Endpoint(CPtr(8))));
        assert_eq!(sv.console_ep(), Some(Endpoint(CPtr(10))));
        assert_eq!((sv.generation(), sv.restarted()), (3, true));
        for (offset, value) in [
            (STARTUP_OFFSET_SERVICE_EP, 9),
            (STARTUP_OFFSET_SUPERVISOR_EP, 5),
            (STARTUP_OFFSET_HEARTBEAT_ACK, 6),
            (STARTUP_OFFSET_MEMSERVER_EP, 11),
            (STARTUP_OFFSET_RESTARTED, 2),
            (STARTUP_OFFSET_CONSOLE_EP, 11),
        ] {
            let mut q = p.clone();
            set(&mut q, offset, value);
            assert_eq!(
                Startup::parse(&q),
                Err(StartupError::BadSupervision),
                "offset {offset} = {value}"
            );
        }
    }

    #[test]
    fn refuses_bad_names() {
        let mut p = page(0, &[], "");
        p[STARTUP_OFFSET_NAME..STARTUP_OFFSET_NAME + NAME_LEN].fill(b'a');
        assert_eq!(Startup::parse(&p), Err(StartupError::BadName));
        let mut p = page(0, &[], "");
        p[STARTUP_OFFSET_NAME] = 0xff;
        assert_eq!(Startup::parse(&p), Err(StartupError::BadName));
    }
}
