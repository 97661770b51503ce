//! logd's state and request handling, independent of seL4 (host tested): decode (checks
//! everything, changes nothing but the count of refused requests), then invoke (cannot
//! fail halfway).  The seL4 program (main.rs) receives, calls `handle`, saves the blob a
//! write changed and replies.

use crate::consts::{
    LOGD_ERR_NOT_FOUND, LOGD_MAX_CLIENTS, LOGD_OK, LOGD_PROTOCOL_VERSION, LOGD_RING_RECORDS,
};
use crate::persist::blob_of;
use crate::protocol::{ErrorCode, MAX_REPLY_MRS, Message, Request, Sender, decode, encode_record};
use crate::record::Name;
use crate::ring::Ring;

const CLIENTS: usize = LOGD_MAX_CLIENTS as usize;

/// Counters STATS reports besides the ring.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Stats {
    /// Requests refused by the decoder.
    pub rejected: u64,
    /// Records restored from the store at start.
    pub restored: u64,
    /// Blobs the store did not take.
    pub store_errors: u64,
    /// logd's incarnation (from the startup page; 0 when not supervised).
    pub generation: u64,
}

/// A reply: label (error code), registers, and the blob a write changed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Reply {
    pub label: ErrorCode,
    pub mrs: [u64; MAX_REPLY_MRS],
    pub len: usize,
    /// The persistence blob to save before replying (a WRITE).
    pub dirty_blob: Option<usize>,
}

impl Reply {
    fn error(label: ErrorCode) -> Reply {
        Reply {
            label,
            mrs: [0; MAX_REPLY_MRS],
            len: 0,
            dirty_blob: None,
        }
    }

    fn ok(words: &[u64]) -> Reply {
        let mut r = Reply::error(LOGD_OK);
        r.mrs[..words.len()].copy_from_slice(words);
        r.len = words.len();
        r
    }

    pub fn words(&self) -> &[u64] {
        &self.mrs[..self.len]
    }
}

pub struct Logd {
    pub ring: Ring,
    names: [Option<Name>; CLIENTS],
    pub stats: Stats,
}

impl Default for Logd {
    fn default() -> Logd {
        Logd::new(Ring::new())
    }
}

impl Logd {
    /// logd around a (restored) ring.
    pub fn new(ring: Ring) -> Logd {
        Logd {
            ring,
            names: [None; CLIENTS],
            stats: Stats::default(),
        }
    }

    /// The name records from `sender` carry.
    pub fn sender_name(&self, sender: Sender) -> Name {
        match sender {
            Sender::Admin => Name::new(b"rs").unwrap_or(Name::NONE),
            Sender::Client(i) => self
                .names
                .get(i as usize)
                .copied()
                .flatten()
                .unwrap_or_else(|| Name::unknown(i)),
        }
    }

    /// The client index of a badge if logd has no name for it yet.
    pub fn unnamed_client(&self, badge: u64) -> Option<u32> {
        match Sender::from_badge(badge)? {
            Sender::Client(i) if self.names[i as usize].is_none() => Some(i),
            _ => None,
        }
    }

    /// Records client `index`'s name (index < LOGD_MAX_CLIENTS; others are ignored).
    pub fn set_name(&mut self, index: u32, name: Name) {
        if let Some(slot) = self.names.get_mut(index as usize) {
            *slot = Some(name);
        }
    }

    /// Handles one request.
    pub fn handle(&mut self, m: &Message) -> Reply {
        self.handle_with(m, |_| None)
    }

    /// Handles one request; a WRITE from a client logd has no name for first asks
    /// `lookup` (the program asks the RS), and remembers the answer.
    pub fn handle_with(&mut self, m: &Message, lookup: impl FnOnce(u32) -> Option<Name>) -> Reply {
        match decode(m) {
            Ok((sender, request)) => {
                if let (Sender::Client(i), Request::Write { .. }) = (sender, request)
                    && self.names[i as usize].is_none()
                    && let Some(name) = lookup(i)
                {
                    self.set_name(i, name);
                }
                self.invoke(sender, request)
            }
            Err(e) => {
                self.stats.rejected += 1;
                Reply::error(e)
            }
        }
    }

    fn invoke(&mut self, sender: Sender, request: Request) -> Reply {
        match request {
            Request::Hello => Reply::ok(&[LOGD_PROTOCOL_VERSION]),
            Request::Write { level, text } => {
                let name = self.sender_name(sender);
                let seq = self.ring.push(level, name, &text);
                let mut r = Reply::ok(&[seq]);
                r.dirty_blob = Some(blob_of(seq));
                r
            }
            Request::Query { filter, before } => match self.ring.query(filter, before) {
                Some(rec) => {
                    let mut r = Reply::error(LOGD_OK);
                    r.len = encode_record(rec, &mut r.mrs);
                    r
                }
                None => Reply::error(LOGD_ERR_NOT_FOUND),
            },
            Request::Stats => Reply::ok(&[
                self.ring.len() as u64,
                self.ring.next_seq(),
                self.stats.rejected,
                LOGD_RING_RECORDS,
                self.stats.restored,
                self.stats.store_errors,
                self.stats.generation,
            ]),
            Request::NameSet { index, name } => {
                self.set_name(index, name);
                Reply::ok(&[])
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consts::{
        LOGD_ADMIN_BADGE, LOGD_ERR_TOO_BIG, LOGD_OP_NAME_SET, LOGD_OP_QUERY, LOGD_OP_STATS,
    };
    use crate::protocol::{MAX_REQUEST_MRS, encode_write, label};
    use crate::record::Level;

    fn write(logd: &mut Logd, badge: u64, level: u64, text: &str) -> Reply {
        let mut mrs = [0u64; MAX_REQUEST_MRS];
        let (l, n) = encode_write(Level::new(level).unwrap(), text.as_bytes(), &mut mrs).unwrap();
        logd.handle(&Message {
            label: l,
            extra_caps: 0,
            badge,
            mrs: &mrs[..n],
        })
    }

    #[test]
    fn names_come_from_the_badge_never_from_the_text() {
        let mut logd = Logd::default();
        assert_eq!(logd.unnamed_client(3), Some(2));
        let r = write(&mut logd, 3, 1, "timer: I am memserver");
        assert_eq!((r.label, r.words()), (LOGD_OK, &[1u64][..]));
        assert_eq!(r.dirty_blob, Some(0));
        let [a, b] = Name::new(b"timer").unwrap().to_words();
        let set = Message {
            label: label(LOGD_OP_NAME_SET),
            extra_caps: 0,
            badge: LOGD_ADMIN_BADGE,
            mrs: &[2, a, b],
        };
        assert_eq!(logd.handle(&set).label, LOGD_OK);
        assert_eq!(logd.unnamed_client(3), None);
        write(&mut logd, 3, 1, "tick");
        write(&mut logd, LOGD_ADMIN_BADGE, 3, "restarted kv");
        let names: Vec<String> = logd
            .ring
            .newest_first(crate::ring::Filter::ALL)
            .map(|r| r.sender.as_str().to_string())
            .collect();
        assert_eq!(names, ["rs", "timer", "#2"]);
        // The same NAME_SET from a client is refused and changes nothing.
        let forged = Message { badge: 3, ..set };
        assert_ne!(logd.handle(&forged).label, LOGD_OK);
        // A lookup (the RS) names a client at its first write, and only then.
        let mut mrs = [0u64; MAX_REQUEST_MRS];
        let (l, n) = encode_write(Level::new(2).unwrap(), b"hi", &mut mrs).unwrap();
        let m = Message {
            label: l,
            extra_caps: 0,
            badge: 8,
            mrs: &mrs[..n],
        };
        let mut asked = 0;
        logd.handle_with(&m, |i| {
            asked += 1;
            assert_eq!(i, 7);
            Name::new(b"kv")
        });
        logd.handle_with(&m, |_| panic!("asked again"));
        assert_eq!(asked, 1);
        assert_eq!(
            logd.ring
                .query(crate::ring::Filter::ALL, 0)
                .map(|r| r.sender.as_str()),
            Some("kv")
        );
    }

    #[test]
    fn query_pages_through_records_and_stats_count() {
        let mut logd = Logd::default();
        for i in 0..5 {
            write(&mut logd, 1, i % 5, "m");
        }
        let mut before = 0;
        let mut seen = Vec::new();
        for _ in 0..10 {
            let q = Message {
                label: label(LOGD_OP_QUERY),
                extra_caps: 0,
                badge: 9,
                mrs: &[before, 2 | (4 << 8), 0, 0],
            };
            let r = logd.handle(&q);
            if r.label != LOGD_OK {
                assert_eq!(r.label, LOGD_ERR_NOT_FOUND);
                break;
            }
            seen.push(r.mrs[0]);
            before = r.mrs[0];
        }
        assert_eq!(seen, [5, 4, 3]);
        let bad = Message {
            label: label(crate::consts::LOGD_OP_WRITE),
            extra_caps: 0,
            badge: 1,
            mrs: &[0; 20],
        };
        assert_eq!(logd.handle(&bad).label, LOGD_ERR_TOO_BIG);
        let s = logd.handle(&Message {
            label: label(LOGD_OP_STATS),
            extra_caps: 0,
            badge: 1,
            mrs: &[],
        });
        assert_eq!(s.words(), &[5, 6, 1, 64, 0, 0, 0]);
    }
}
