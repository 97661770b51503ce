//! logd, the system log (rust/logd/PROTOCOL.md): the part that does not need seL4.
//! Services and the RS send records (a level, a bounded message; the sender's name comes
//! from the badge); logd keeps the last LOGD_RING_RECORDS in a ring, answers queries
//! (last K, by service, by level) and saves the ring in state-store blobs, from which a
//! new incarnation restores it.
//!
//! * `record`: levels, names, bounded printable text, records
//! * `ring`: the ring and its queries
//! * `protocol`: the request decoder (checks everything first) and reply encoding
//! * `server`: request handling (decode, then an invoke that cannot fail halfway)
//! * `persist`: the ring as store blobs, restore that tolerates missing/corrupt blobs
//! * `store`: state-store requests for the blobs
//! * `rs_events`: the RS's event list as records of sender `rs` (pulled by logd)
//! * `consts`: generated from the C protocol headers
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

pub mod consts;
pub mod persist;
pub mod protocol;
pub mod record;
pub mod ring;
pub mod rs_events;
pub mod server;
pub mod store;
