//! logd's requests (rust/logd/PROTOCOL.md, include/logd/protocol.h): the decoder checks
//! everything and changes nothing; replies are encoded here too.

use crate::consts::{
    LOGD_ADMIN_BADGE, LOGD_ERR_BAD_CAP, LOGD_ERR_BAD_LEVEL, LOGD_ERR_BAD_NAME,
    LOGD_ERR_BAD_REQUEST, LOGD_ERR_BAD_TEXT, LOGD_ERR_DENIED, LOGD_ERR_TOO_BIG, LOGD_ERR_VERSION,
    LOGD_MAX_CLIENTS, LOGD_MSG_MRS, LOGD_OP_HELLO, LOGD_OP_NAME_SET, LOGD_OP_QUERY, LOGD_OP_STATS,
    LOGD_OP_WRITE, LOGD_PROTOCOL_VERSION, SVC_LABEL_RESTARTABLE,
};
use crate::record::{Level, MSG_MAX, Name, Record, Text, TextError};
use crate::ring::Filter;

/// Registers of the longest request (WRITE with a full message).
pub const MAX_REQUEST_MRS: usize = 1 + LOGD_MSG_MRS as usize;
/// Registers of the longest reply (QUERY with a full message).
pub const MAX_REPLY_MRS: usize = 4 + LOGD_MSG_MRS as usize;

/// The label of request `op`.
pub const fn label(op: u64) -> u64 {
    (LOGD_PROTOCOL_VERSION << 12) | op
}

/// A logd error code (the reply's label).
pub type ErrorCode = u64;

/// Who sent a request, from the badge alone.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Sender {
    /// The supervisor (LOGD_ADMIN_BADGE); its records are named "rs".
    Admin,
    /// The service with this index in the RS manifest (badge = index + 1).
    Client(u32),
}

impl Sender {
    /// The sender of a badge, or None for a badge that names no one.
    pub fn from_badge(badge: u64) -> Option<Sender> {
        if badge == LOGD_ADMIN_BADGE {
            Some(Sender::Admin)
        } else if (1..=LOGD_MAX_CLIENTS).contains(&badge) {
            Some(Sender::Client((badge - 1) as u32))
        } else {
            None
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Request {
    Hello,
    Write { level: Level, text: Text },
    Query { filter: Filter, before: u64 },
    Stats,
    NameSet { index: u32, name: Name },
}

/// A received message as the kernel delivered it.
#[derive(Clone, Copy, Debug)]
pub struct Message<'a> {
    pub label: u64,
    pub extra_caps: u64,
    pub badge: u64,
    pub mrs: &'a [u64],
}

fn expect_len(mrs: &[u64], n: usize) -> Result<(), ErrorCode> {
    if mrs.len() == n {
        Ok(())
    } else {
        Err(LOGD_ERR_BAD_REQUEST)
    }
}

/// Packs bytes into registers (ceil(len / 8) of them, zero padded); returns the count.
pub fn pack_bytes(bytes: &[u8], out: &mut [u64]) -> usize {
    let n = bytes.len().div_ceil(8);
    for (i, chunk) in bytes.chunks(8).enumerate() {
        let mut w = [0u8; 8];
        w[..chunk.len()].copy_from_slice(chunk);
        out[i] = u64::from_le_bytes(w);
    }
    n
}

/// A level register: min in bits 0..8, max in bits 8..16 (QUERY) or level in bits
/// 0..8, length in bits 8..16 (WRITE); the bits above must be zero.
fn two_bytes(w: u64) -> Result<(u64, u64), ErrorCode> {
    if w >> 16 != 0 {
        return Err(LOGD_ERR_BAD_REQUEST);
    }
    Ok((w & 0xff, (w >> 8) & 0xff))
}

fn decode_write(mrs: &[u64]) -> Result<Request, ErrorCode> {
    let (&head, body) = mrs.split_first().ok_or(LOGD_ERR_BAD_REQUEST)?;
    let (level, len) = two_bytes(head)?;
    let level = Level::new(level).ok_or(LOGD_ERR_BAD_LEVEL)?;
    let len = len as usize;
    if len > MSG_MAX || body.len() > LOGD_MSG_MRS as usize {
        return Err(LOGD_ERR_TOO_BIG);
    }
    let text = Text::from_words(body, len).map_err(|e| match e {
        TextError::NotText => LOGD_ERR_BAD_TEXT,
        TextError::Length | TextError::Padding => LOGD_ERR_BAD_REQUEST,
    })?;
    Ok(Request::Write { level, text })
}

fn decode_query(mrs: &[u64]) -> Result<Request, ErrorCode> {
    expect_len(mrs, 4)?;
    let (min, max) = two_bytes(mrs[1])?;
    let (Some(min), Some(max)) = (Level::new(min), Level::new(max)) else {
        return Err(LOGD_ERR_BAD_LEVEL);
    };
    if min > max {
        return Err(LOGD_ERR_BAD_LEVEL);
    }
    let sender = Name::from_words([mrs[2], mrs[3]]).map_err(|_| LOGD_ERR_BAD_NAME)?;
    Ok(Request::Query {
        filter: Filter { min, max, sender },
        before: mrs[0],
    })
}

fn decode_name_set(sender: Sender, mrs: &[u64]) -> Result<Request, ErrorCode> {
    if sender != Sender::Admin {
        return Err(LOGD_ERR_DENIED);
    }
    expect_len(mrs, 3)?;
    if mrs[0] >= LOGD_MAX_CLIENTS {
        return Err(LOGD_ERR_BAD_NAME);
    }
    match Name::from_words([mrs[1], mrs[2]]) {
        Ok(Some(name)) => Ok(Request::NameSet {
            index: mrs[0] as u32,
            name,
        }),
        _ => Err(LOGD_ERR_BAD_NAME),
    }
}

/// Checks a message completely; changes nothing.
pub fn decode(m: &Message) -> Result<(Sender, Request), ErrorCode> {
    // A client on svcclient's retrying call marks its requests (the supervisor may then
    // release the call when logd dies); the mark is not part of the operation.
    let label = m.label & !SVC_LABEL_RESTARTABLE;
    if label >> 20 != 0 {
        return Err(LOGD_ERR_BAD_REQUEST);
    }
    if (label >> 12) & 0xff != LOGD_PROTOCOL_VERSION {
        return Err(LOGD_ERR_VERSION);
    }
    if m.extra_caps != 0 {
        return Err(LOGD_ERR_BAD_CAP);
    }
    let sender = Sender::from_badge(m.badge).ok_or(LOGD_ERR_DENIED)?;
    let request = match label & 0xfff {
        LOGD_OP_HELLO => expect_len(m.mrs, 0).map(|()| Request::Hello),
        LOGD_OP_WRITE => decode_write(m.mrs),
        LOGD_OP_QUERY => decode_query(m.mrs),
        LOGD_OP_STATS => expect_len(m.mrs, 0).map(|()| Request::Stats),
        LOGD_OP_NAME_SET => decode_name_set(sender, m.mrs),
        _ => Err(LOGD_ERR_BAD_REQUEST),
    }?;
    Ok((sender, request))
}

/// The registers of a WRITE request (client side); None if the text is not a valid
/// message.  Returns the label and the register count.
pub fn encode_write(
    level: Level,
    text: &[u8],
    out: &mut [u64; MAX_REQUEST_MRS],
) -> Option<(u64, usize)> {
    let t = Text::new(text)?;
    out[0] = u64::from(level.get()) | ((t.as_bytes().len() as u64) << 8);
    let n = pack_bytes(t.as_bytes(), &mut out[1..]);
    Some((label(LOGD_OP_WRITE), 1 + n))
}

/// The registers of a QUERY reply carrying `r`; returns the count.
pub fn encode_record(r: &Record, out: &mut [u64; MAX_REPLY_MRS]) -> usize {
    let bytes = r.text.as_bytes();
    out[0] = r.seq;
    out[1] = u64::from(r.level.get()) | ((bytes.len() as u64) << 8);
    let [a, b] = r.sender.to_words();
    out[2] = a;
    out[3] = b;
    4 + pack_bytes(bytes, &mut out[4..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consts::{LOGD_LABEL_HELLO, LOGD_LEVEL_COUNT};

    fn msg(label: u64, badge: u64, mrs: &[u64]) -> Message<'_> {
        Message {
            label,
            extra_caps: 0,
            badge,
            mrs,
        }
    }

    fn write_words(level: u64, text: &[u8]) -> Vec<u64> {
        let mut out = [0u64; MAX_REQUEST_MRS];
        let (l, n) = encode_write(Level::new(level).unwrap(), text, &mut out).unwrap();
        assert_eq!(l, label(LOGD_OP_WRITE));
        out[..n].to_vec()
    }

    #[test]
    fn label_matches_the_c_macro() {
        assert_eq!(label(LOGD_OP_HELLO), LOGD_LABEL_HELLO);
    }

    #[test]
    fn a_write_decodes_to_its_level_and_text() {
        let w = write_words(3, b"disk full: 100%");
        assert_eq!(w.len(), 3);
        let (s, r) = decode(&msg(label(LOGD_OP_WRITE), 5, &w)).unwrap();
        assert_eq!(s, Sender::Client(4));
        assert_eq!(
            r,
            Request::Write {
                level: Level::new(3).unwrap(),
                text: Text::new(b"disk full: 100%").unwrap()
            }
        );
        let empty = write_words(0, b"");
        assert_eq!(empty, [0]);
        assert!(decode(&msg(label(LOGD_OP_WRITE), 1, &empty)).is_ok());
    }

    #[test]
    fn the_retrying_clients_mark_is_not_part_of_the_operation() {
        let w = write_words(2, b"kv: gen 2 up");
        let plain = decode(&msg(label(LOGD_OP_WRITE), 3, &w)).unwrap();
        let marked = decode(&msg(label(LOGD_OP_WRITE) | SVC_LABEL_RESTARTABLE, 3, &w)).unwrap();
        assert_eq!(plain, marked);
        let other_bit = label(LOGD_OP_WRITE) | (SVC_LABEL_RESTARTABLE >> 1);
        assert_eq!(
            decode(&msg(other_bit, 3, &w)).unwrap_err(),
            LOGD_ERR_BAD_REQUEST
        );
    }

    #[test]
    fn malformed_writes_get_their_error() {
        let l = label(LOGD_OP_WRITE);
        let good = write_words(1, b"hello, world");
        let e = |m: &Message| decode(m).unwrap_err();
        // Oversized: a length above the limit, or more registers than a message has.
        assert_eq!(e(&msg(l, 1, &[1 | (97 << 8)])), LOGD_ERR_TOO_BIG);
        assert_eq!(e(&msg(l, 1, &[1 | (255 << 8)])), LOGD_ERR_TOO_BIG);
        assert_eq!(e(&msg(l, 1, &[0; 14])), LOGD_ERR_TOO_BIG);
        // Register count and padding.
        assert_eq!(e(&msg(l, 1, &good[..2])), LOGD_ERR_BAD_REQUEST);
        let mut more = good.clone();
        more.push(0);
        assert_eq!(e(&msg(l, 1, &more)), LOGD_ERR_BAD_REQUEST);
        let mut pad = good.clone();
        pad[2] |= 1 << 63;
        assert_eq!(e(&msg(l, 1, &pad)), LOGD_ERR_BAD_REQUEST);
        assert_eq!(e(&msg(l, 1, &[])), LOGD_ERR_BAD_REQUEST);
        let mut high = good.clone();
        high[0] |= 1 << 16;
        assert_eq!(e(&msg(l, 1, &high)), LOGD_ERR_BAD_REQUEST);
        // Level, text, caps, badge, version.
        let mut lvl = good.clone();
        lvl[0] = (lvl[0] & !0xff) | LOGD_LEVEL_COUNT;
        assert_eq!(e(&msg(l, 1, &lvl)), LOGD_ERR_BAD_LEVEL);
        assert_eq!(e(&msg(l, 1, &[1 | (1 << 8), 0x0a])), LOGD_ERR_BAD_TEXT);
        assert_eq!(e(&msg(l, 1, &[1 | (1 << 8), 0x80])), LOGD_ERR_BAD_TEXT);
        let caps = Message {
            extra_caps: 1,
            ..msg(l, 1, &good)
        };
        assert_eq!(e(&caps), LOGD_ERR_BAD_CAP);
        for badge in [0, LOGD_MAX_CLIENTS + 1, 1 << 63, LOGD_ADMIN_BADGE | 1] {
            assert_eq!(e(&msg(l, badge, &good)), LOGD_ERR_DENIED);
        }
        assert_eq!(e(&msg(l + (1 << 12), 1, &good)), LOGD_ERR_VERSION);
        assert_eq!(e(&msg(l | (1 << 20), 1, &good)), LOGD_ERR_BAD_REQUEST);
        assert_eq!(e(&msg(label(99), 1, &[])), LOGD_ERR_BAD_REQUEST);
        assert_eq!(e(&msg(label(0), 1, &[])), LOGD_ERR_BAD_REQUEST);
    }

    #[test]
    fn queries_and_admin_requests() {
        let q = label(LOGD_OP_QUERY);
        let timer = Name::new(b"timer").unwrap();
        let [a, b] = timer.to_words();
        let (_, r) = decode(&msg(q, 2, &[7, 2 | (4 << 8), a, b])).unwrap();
        let want = Filter {
            min: Level::new(2).unwrap(),
            max: Level::new(4).unwrap(),
            sender: Some(timer),
        };
        assert_eq!(
            r,
            Request::Query {
                filter: want,
                before: 7
            }
        );
        assert_eq!(
            decode(&msg(q, 2, &[0, 3 | (1 << 8), 0, 0])).unwrap_err(),
            LOGD_ERR_BAD_LEVEL
        );
        assert_eq!(
            decode(&msg(q, 2, &[0, 5 << 8, 0, 0])).unwrap_err(),
            LOGD_ERR_BAD_LEVEL
        );
        assert_eq!(
            decode(&msg(q, 2, &[0, 4 << 8, 0x41, 0])).unwrap_err(),
            LOGD_ERR_BAD_NAME
        );
        assert_eq!(
            decode(&msg(q, 2, &[0, 4 << 8, 0])).unwrap_err(),
            LOGD_ERR_BAD_REQUEST
        );

        let n = label(LOGD_OP_NAME_SET);
        let ok = [3, a, b];
        assert_eq!(
            decode(&msg(n, LOGD_ADMIN_BADGE, &ok)).unwrap(),
            (
                Sender::Admin,
                Request::NameSet {
                    index: 3,
                    name: timer
                }
            )
        );
        assert_eq!(decode(&msg(n, 4, &ok)).unwrap_err(), LOGD_ERR_DENIED);
        assert_eq!(
            decode(&msg(n, LOGD_ADMIN_BADGE, &[LOGD_MAX_CLIENTS, a, b])).unwrap_err(),
            LOGD_ERR_BAD_NAME
        );
        assert_eq!(
            decode(&msg(n, LOGD_ADMIN_BADGE, &[0, 0, 0])).unwrap_err(),
            LOGD_ERR_BAD_NAME
        );
        assert_eq!(
            decode(&msg(label(LOGD_OP_STATS), 1, &[0])).unwrap_err(),
            LOGD_ERR_BAD_REQUEST
        );
        assert_eq!(
            decode(&msg(label(LOGD_OP_HELLO), 1, &[])).unwrap().1,
            Request::Hello
        );
    }

    #[test]
    fn a_record_reply_carries_everything() {
        let r = Record {
            seq: 42,
            level: Level::new(2).unwrap(),
            sender: Name::new(b"kv").unwrap(),
            text: Text::new(b"0123456789").unwrap(),
        };
        let mut out = [0u64; MAX_REPLY_MRS];
        let n = encode_record(&r, &mut out);
        assert_eq!(n, 6);
        assert_eq!(out[0], 42);
        assert_eq!(out[1], 2 | (10 << 8));
        assert_eq!(Name::from_words([out[2], out[3]]), Ok(Some(r.sender)));
        assert_eq!(&out[4].to_le_bytes(), b"01234567");
        assert_eq!(out[5], u64::from_le_bytes(*b"89\0\0\0\0\0\0"));
    }
}
