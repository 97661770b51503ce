//! logd, the system log, as a supervised seL4 service (rust/logd/PROTOCOL.md).
//!
//! Started by the reincarnation server (startup page version 2): it serves on its
//! service endpoint, answers the RS's heartbeat pings (a bound-notification delivery
//! with RUNTIME_PING_BADGE: seL4_Signal on heartbeat_ack, as runtime/service.c does),
//! and handles requests with the portable `logd` crate.  Caps it may be given (manifest
//! `args`, each the position of the cap among the passed caps, 0 for none):
//!   args[0]  a state-store endpoint (a channel to the store): the ring is restored from
//!            it at start and every accepted record is saved in it before the reply
//!   args[1]  the RS control cap (grant `control`): names of clients that wrote before
//!            the RS told logd their name are asked with the control LIST request, and
//!            if args[2] is 1, at each heartbeat ping and before each QUERY the RS's new
//!            events are pulled (control LOG) into the ring as records of sender `rs`
//!            (logd::rs_events)
//! No `unsafe`: everything goes through the sel4 crate.
#![no_std]
#![no_main]
#![forbid(unsafe_code)]

use logd::consts::{
    LOGD_OP_QUERY, RS_CHECK_RESENDS, RS_LABEL_LIST, RS_LABEL_LOG, RS_LOG_TEXT_MAX,
    RS_LOG_TEXT_WORDS, RS_OK, RUNTIME_PING_BADGE, STORE_ERR_CHECK, STORE_OK,
};
use logd::persist::{BLOB_BYTES, blob_name, restore};
use logd::protocol::Message;
use logd::record::Name;
use logd::rs_events;
use logd::server::Logd;
use logd::store;
use sel4::consts::seL4_MsgMaxLength;
use sel4::{Endpoint, MessageInfo, Startup, console_println, get_mr, set_mr};

/// Bits of a badge that mark a notification delivery (runtime/service.h: the ping and
/// the IRQ bit); logd's clients' badges never have them.
const NOTIFICATION_BITS: u64 = RUNTIME_PING_BADGE | (1 << 62);
const MAX_MRS: usize = seL4_MsgMaxLength as usize;
/// RS events pulled at most per heartbeat ping (the rest at the next one).
const RS_PULL_MAX: usize = 16;

sel4::main!(main);

/// The cap at position args[arg] among the passed caps, if that argument is non-zero.
fn arg_cap(startup: &Startup, arg: usize) -> Option<Endpoint> {
    let i = *startup.args().get(arg)?;
    if i == 0 {
        return None;
    }
    startup.cap(usize::try_from(i).ok()?).map(Endpoint)
}

/// seL4_Call with registers `mrs`; the reply's label and length.
fn call(ep: Endpoint, label: u64, mrs: &[u64]) -> (u64, usize) {
    for (i, &w) in mrs.iter().enumerate() {
        set_mr(i, w);
    }
    let info = ep.call(MessageInfo::new(label, 0, 0, mrs.len() as u64));
    (info.label(), (info.length() as usize).min(MAX_MRS))
}

/// Fetches blob `b` from the store into `out`: its length, or None if missing.
fn fetch_blob(store_ep: Endpoint, b: usize, out: &mut [u8; BLOB_BYTES]) -> Option<usize> {
    let mut mrs = [0u64; store::MAX_MRS];
    let (label, n) = store::get(&blob_name(b), &mut mrs);
    let (reply, len) = call(store_ep, label, &mrs[..n]);
    let len = len.min(store::MAX_MRS);
    for (i, w) in mrs.iter_mut().enumerate().take(len) {
        *w = get_mr(i);
    }
    store::get_reply(reply, &mrs[..len], out).map(|()| BLOB_BYTES)
}

/// Saves blob `b` of the ring; true if the store took it.
fn save_blob(store_ep: Endpoint, logd: &Logd, b: usize) -> bool {
    let mut blob = [0u8; BLOB_BYTES];
    logd::persist::encode_blob(&logd.ring, b, &mut blob);
    let mut mrs = [0u64; store::MAX_MRS];
    // STORE_ERR_CHECK: the request reached the store damaged, nothing changed: sent
    // again a few times, encoded afresh (its check word too).
    for _ in 0..CHECK_RESENDS {
        let (label, n) = store::put(&blob_name(b), &blob, &mut mrs);
        let reply = call(store_ep, label, &mrs[..n]).0;
        if reply != STORE_ERR_CHECK {
            return reply == STORE_OK;
        }
    }
    false
}

/// Sends of a request the store refused with STORE_ERR_CHECK.
const CHECK_RESENDS: usize = 5;

/// An RS control request with one argument and its check word, sent again (encoded the
/// same) while the RS refuses it as damaged, at most RS_CHECK_RESENDS times
/// (rs_call_resending in rs/protocol/rs_protocol.h): the reply's label and length.
fn rs_call(control: Endpoint, label: u64, arg: u64) -> (u64, usize) {
    let mrs = rs_events::control_request(label, arg);
    let mut reply = call(control, label, &mrs);
    for _ in 0..RS_CHECK_RESENDS {
        if !rs_events::control_refused_as_damaged(reply.0) {
            break;
        }
        reply = call(control, label, &mrs);
    }
    reply
}

/// The name of service `index` as the RS reports it (control LIST).
fn rs_name(control: Endpoint, index: u32) -> Option<Name> {
    let (label, len) = rs_call(control, RS_LABEL_LIST, u64::from(index));
    if label != RS_OK || len < 2 {
        return None;
    }
    Name::from_words([get_mr(0), get_mr(1)]).ok().flatten()
}

/// Pulls the RS's events from number `*next` on into the ring (saving each blob), at
/// most RS_PULL_MAX; `*next` is then the first not pulled.  An RS whose numbering is
/// behind `*next` was restarted (its list begins again): pulled from its oldest.
fn pull_rs_events(logd: &mut Logd, control: Endpoint, store_ep: Option<Endpoint>, next: &mut u64) {
    let mut text = [0u8; RS_LOG_TEXT_MAX as usize];
    for _ in 0..RS_PULL_MAX {
        let (label, len) = rs_call(control, RS_LABEL_LOG, *next);
        if label != RS_OK || len < 2 {
            return;
        }
        let (got, n) = (get_mr(0), get_mr(1));
        if n == 0 {
            if got < *next {
                *next = 0;
                continue;
            }
            return;
        }
        let n = n.min(RS_LOG_TEXT_MAX) as usize;
        if len < 2 + n.div_ceil(8) || n.div_ceil(8) > RS_LOG_TEXT_WORDS as usize {
            return;
        }
        for (k, b) in text.iter_mut().enumerate().take(n) {
            *b = (get_mr(2 + k / 8) >> (8 * (k % 8))) as u8;
        }
        let blob = rs_events::push_event(&mut logd.ring, got, &text[..n]);
        if let Some(s) = store_ep
            && !save_blob(s, logd, blob)
        {
            logd.stats.store_errors += 1;
        }
        *next = got.saturating_add(1);
    }
}

fn main(startup: &Startup) -> i32 {
    let sv = startup.supervision();
    let Some(ep) = sv.service_ep() else {
        console_println!("logd: not started as a supervised service (no service endpoint)");
        return 1;
    };
    let store_ep = arg_cap(startup, 0);
    let control = arg_cap(startup, 1);
    let (ring, report) = match store_ep {
        Some(s) => restore(|b, out| fetch_blob(s, b, out)),
        None => restore(|_, _| None),
    };
    console_println!(
        "logd: generation {}{}, store {}, ring restored: {} records ({} blobs good, {} missing, {} refused)",
        sv.generation(),
        if sv.restarted() { " (restarted)" } else { "" },
        if store_ep.is_some() { "yes" } else { "no" },
        report.records,
        report.good,
        report.missing,
        report.bad
    );
    let mut logd = Logd::new(ring);
    logd.stats.restored = u64::from(report.records);
    logd.stats.generation = sv.generation();
    let pull_rs = startup.args().get(2) == Some(&1);
    serve(
        &mut logd,
        ep,
        sv.heartbeat_ack(),
        store_ep,
        control,
        pull_rs,
    )
}

fn serve(
    logd: &mut Logd,
    ep: Endpoint,
    heartbeat_ack: Option<sel4::Notification>,
    store_ep: Option<Endpoint>,
    control: Option<Endpoint>,
    pull_rs: bool,
) -> ! {
    let mut pending: Option<MessageInfo> = None;
    let mut mrs = [0u64; MAX_MRS];
    let mut rs_next = rs_events::resume_point(&logd.ring);
    let events_from = if pull_rs { control } else { None };
    loop {
        let (info, badge) = match pending.take() {
            Some(reply) => ep.reply_recv(reply),
            None => ep.recv(),
        };
        if badge & NOTIFICATION_BITS != 0 {
            // A notification delivery, not a message: no one waits for a reply.
            if badge & RUNTIME_PING_BADGE != 0
                && let Some(ack) = heartbeat_ack
            {
                ack.signal();
            }
            if badge & RUNTIME_PING_BADGE != 0
                && let Some(c) = events_from
            {
                pull_rs_events(logd, c, store_ep, &mut rs_next);
            }
            continue;
        }
        let n = (info.length() as usize).min(MAX_MRS);
        for (i, w) in mrs.iter_mut().enumerate().take(n) {
            *w = get_mr(i);
        }
        // A query sees the RS's events up to now (besides those pulled at each ping).
        if info.label() & 0xfff == LOGD_OP_QUERY
            && let Some(c) = events_from
        {
            pull_rs_events(logd, c, store_ep, &mut rs_next);
        }
        let m = Message {
            label: info.label(),
            extra_caps: info.extra_caps(),
            badge,
            mrs: &mrs[..n],
        };
        let reply = logd.handle_with(&m, |i| control.and_then(|c| rs_name(c, i)));
        if let (Some(b), Some(s)) = (reply.dirty_blob, store_ep)
            && !save_blob(s, logd, b)
        {
            logd.stats.store_errors += 1;
        }
        for (i, &w) in reply.words().iter().enumerate() {
            set_mr(i, w);
        }
        pending = Some(MessageInfo::new(reply.label, 0, 0, reply.len as u64));
    }
}
