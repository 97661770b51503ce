//! The ring in state-store blobs (store/PROTOCOL.md: values of at most 512 bytes, names
//! of at most 15 characters).  Blob b ("logringNN", NN = b in two digits) holds slots
//! 4b .. 4b + 3 of the ring, so a new record rewrites exactly one blob.
//!
//! Blob (LOGD_BLOB_BYTES = 512 bytes, little-endian):
//!   0  magic "LGR1"   4  blob index (u16)   6  slots (u16, 4)   8  zero (u32)
//!   12 checksum: FNV-1a (32 bits) of bytes 0..12 and 16..512
//!   16 four slots of 124 bytes: seq (u64, 0 = empty), level, name length, message
//!      length, zero, name (16 bytes, NUL padded), message (96 bytes, zero padded)
//!
//! Restoring takes every record of every blob that passes all checks and rebuilds the
//! ring around the newest number found (Ring::from_records): a missing or corrupt blob
//! loses only its own four records.

use crate::consts::{LOGD_BLOB_BYTES, LOGD_BLOB_RECORDS, LOGD_BLOBS};
use crate::record::{Level, MSG_MAX, Name, Record, Text};
use crate::ring::{RING, Ring, slot_of};

pub const BLOB_BYTES: usize = LOGD_BLOB_BYTES as usize;
pub const BLOB_RECORDS: usize = LOGD_BLOB_RECORDS as usize;
pub const BLOBS: usize = LOGD_BLOBS as usize;
const MAGIC: u32 = u32::from_le_bytes(*b"LGR1");
const HEADER: usize = 16;
const SLOT: usize = 8 + 4 + 16 + MSG_MAX;

const _: () = assert!(HEADER + BLOB_RECORDS * SLOT <= BLOB_BYTES);
const _: () = assert!(BLOBS * BLOB_RECORDS == RING);

/// Why a blob was not restored.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BlobError {
    /// Not LOGD_BLOB_BYTES long.
    Size,
    Magic,
    /// Its index or slot count is not the one expected.
    Header,
    Checksum,
    /// A slot holds something no record can be (level, lengths, name, text, padding,
    /// a number that does not belong in that slot).
    Record,
}

/// The store entry name of blob `b` (< BLOBS): "logring00".."logring15".
pub fn blob_name(b: usize) -> Name {
    let mut s = *b"logring00";
    s[7] = b'0' + (b / 10 % 10) as u8;
    s[8] = b'0' + (b % 10) as u8;
    Name::new(&s).unwrap_or(Name::NONE)
}

/// The blob that holds record `seq`.
pub fn blob_of(seq: u64) -> usize {
    slot_of(seq) / BLOB_RECORDS
}

fn fnv1a(parts: [&[u8]; 2]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for part in parts {
        for &b in part {
            h ^= u32::from(b);
            h = h.wrapping_mul(0x0100_0193);
        }
    }
    h
}

fn checksum(blob: &[u8; BLOB_BYTES]) -> u32 {
    fnv1a([&blob[..12], &blob[HEADER..]])
}

/// Writes blob `b` of `ring` into `out`.
pub fn encode_blob(ring: &Ring, b: usize, out: &mut [u8; BLOB_BYTES]) {
    out.fill(0);
    out[0..4].copy_from_slice(&MAGIC.to_le_bytes());
    out[4..6].copy_from_slice(&(b as u16).to_le_bytes());
    out[6..8].copy_from_slice(&(BLOB_RECORDS as u16).to_le_bytes());
    for i in 0..BLOB_RECORDS {
        let r = &ring.slots()[(b * BLOB_RECORDS + i) % RING];
        if r.seq == 0 {
            continue;
        }
        let s = &mut out[HEADER + i * SLOT..HEADER + (i + 1) * SLOT];
        let (name, name_len) = r.sender.stored();
        let text = r.text.as_bytes();
        s[0..8].copy_from_slice(&r.seq.to_le_bytes());
        s[8] = r.level.get();
        s[9] = name_len;
        s[10] = text.len() as u8;
        s[12..28].copy_from_slice(name);
        s[28..28 + text.len()].copy_from_slice(text);
    }
    let sum = checksum(out);
    out[12..16].copy_from_slice(&sum.to_le_bytes());
}

fn decode_slot(s: &[u8], slot: usize) -> Result<Record, BlobError> {
    let mut seq = [0u8; 8];
    seq.copy_from_slice(&s[0..8]);
    let seq = u64::from_le_bytes(seq);
    if seq == 0 {
        return if s.iter().all(|&b| b == 0) {
            Ok(Record::EMPTY)
        } else {
            Err(BlobError::Record)
        };
    }
    if slot_of(seq) != slot || s[11] != 0 {
        return Err(BlobError::Record);
    }
    let level = Level::new(u64::from(s[8])).ok_or(BlobError::Record)?;
    let mut name = [0u8; 16];
    name.copy_from_slice(&s[12..28]);
    let sender = Name::from_stored(&name, s[9]).ok_or(BlobError::Record)?;
    let len = usize::from(s[10]);
    let msg = &s[28..28 + MSG_MAX];
    if len > MSG_MAX || msg[len..].iter().any(|&b| b != 0) {
        return Err(BlobError::Record);
    }
    let text = Text::new(&msg[..len]).ok_or(BlobError::Record)?;
    Ok(Record {
        seq,
        level,
        sender,
        text,
    })
}

/// The records of blob `b` (slots that were never written come back as number 0).
pub fn decode_blob(bytes: &[u8], b: usize) -> Result<[Record; BLOB_RECORDS], BlobError> {
    let blob: &[u8; BLOB_BYTES] = bytes.try_into().map_err(|_| BlobError::Size)?;
    if blob[0..4] != MAGIC.to_le_bytes() {
        return Err(BlobError::Magic);
    }
    if blob[4..6] != (b as u16).to_le_bytes()
        || blob[6..8] != (BLOB_RECORDS as u16).to_le_bytes()
        || blob[8..12] != [0; 4]
    {
        return Err(BlobError::Header);
    }
    if blob[12..16] != checksum(blob).to_le_bytes() {
        return Err(BlobError::Checksum);
    }
    if blob[HEADER + BLOB_RECORDS * SLOT..].iter().any(|&x| x != 0) {
        return Err(BlobError::Record);
    }
    let mut out = [Record::EMPTY; BLOB_RECORDS];
    for (i, r) in out.iter_mut().enumerate() {
        let s = &blob[HEADER + i * SLOT..HEADER + (i + 1) * SLOT];
        *r = decode_slot(s, b * BLOB_RECORDS + i)?;
    }
    Ok(out)
}

/// What a restore found.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct RestoreReport {
    /// Blobs restored, missing, refused.
    pub good: u32,
    pub missing: u32,
    pub bad: u32,
    /// Records in the restored ring.
    pub records: u32,
}

/// Rebuilds the ring from the blobs `blob(b, buffer)` fetches (it fills `buffer` and
/// returns its length, or None if the store has no such entry).  Never fails: what
/// cannot be used is counted and left out.
pub fn restore(
    mut blob: impl FnMut(usize, &mut [u8; BLOB_BYTES]) -> Option<usize>,
) -> (Ring, RestoreReport) {
    let mut records = [Record::EMPTY; RING];
    let mut report = RestoreReport::default();
    let mut buffer = [0u8; BLOB_BYTES];
    for b in 0..BLOBS {
        buffer.fill(0);
        let got = blob(b, &mut buffer).map(|len| decode_blob(&buffer[..len.min(BLOB_BYTES)], b));
        match got {
            None => report.missing += 1,
            Some(Err(_)) => report.bad += 1,
            Some(Ok(rs)) => {
                report.good += 1;
                records[b * BLOB_RECORDS..(b + 1) * BLOB_RECORDS].copy_from_slice(&rs);
            }
        }
    }
    let ring = Ring::from_records(records.iter());
    report.records = ring.len() as u32;
    (ring, report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled(n: u64) -> Ring {
        let mut ring = Ring::new();
        for i in 1..=n {
            let sender = if i % 3 == 0 {
                Name::unknown(i as u32)
            } else {
                Name::new(b"svc").unwrap()
            };
            let text = [b'a' + (i % 26) as u8; 96];
            ring.push(
                Level::new(i % 5).unwrap(),
                sender,
                &Text::new(&text[..(i as usize * 7) % 97]).unwrap(),
            );
        }
        ring
    }

    fn blobs(ring: &Ring) -> Vec<[u8; BLOB_BYTES]> {
        (0..BLOBS)
            .map(|b| {
                let mut out = [0u8; BLOB_BYTES];
                encode_blob(ring, b, &mut out);
                out
            })
            .collect()
    }

    fn same(a: &Ring, b: &Ring) -> bool {
        a.next_seq() == b.next_seq()
            && a.newest_first(crate::ring::Filter::ALL)
                .eq(b.newest_first(crate::ring::Filter::ALL))
    }

    #[test]
    fn blob_names_are_store_names() {
        assert_eq!(blob_name(0).as_str(), "logring00");
        assert_eq!(blob_name(15).as_str(), "logring15");
        assert_eq!(blob_of(1), 0);
        assert_eq!(blob_of(5), 1);
        assert_eq!(blob_of(65), 0);
    }

    #[test]
    fn round_trip_empty_partial_wrapped() {
        for n in [0, 1, 5, 63, 64, 65, 200] {
            let ring = filled(n);
            let bs = blobs(&ring);
            let (back, report) = restore(|b, out| {
                *out = bs[b];
                Some(BLOB_BYTES)
            });
            assert!(same(&ring, &back), "n = {n}");
            assert_eq!(
                report,
                RestoreReport {
                    good: 16,
                    missing: 0,
                    bad: 0,
                    records: n.min(64) as u32
                }
            );
        }
    }

    #[test]
    fn missing_and_corrupt_blobs_lose_only_their_records() {
        let ring = filled(100);
        let mut bs = blobs(&ring);
        bs[3][40] ^= 1; // a flipped bit: checksum
        bs[5][0] = b'X'; // magic
        let (back, report) = restore(|b, out| {
            *out = bs[b];
            (b != 7).then_some(BLOB_BYTES)
        });
        assert_eq!(
            report,
            RestoreReport {
                good: 13,
                missing: 1,
                bad: 2,
                records: 64 - 12
            }
        );
        assert_eq!(back.next_seq(), 101);
        for r in ring.newest_first(crate::ring::Filter::ALL) {
            let lost = [3, 5, 7].contains(&blob_of(r.seq));
            assert_eq!(back.get(r.seq).is_none(), lost, "seq {}", r.seq);
        }
        // Nothing at all: an empty ring.
        let (empty, report) = restore(|_, _| None);
        assert!(empty.is_empty());
        assert_eq!(report.missing, 16);
    }

    #[test]
    fn a_valid_checksum_does_not_let_bad_records_in() {
        let ring = filled(10);
        let reseal = |mut blob: [u8; BLOB_BYTES]| {
            let sum = checksum(&blob);
            blob[12..16].copy_from_slice(&sum.to_le_bytes());
            blob
        };
        let base = blobs(&ring)[0];
        let mut cases = Vec::new();
        let mut b = base;
        b[16 + 8] = 9; // level
        cases.push(reseal(b));
        b = base;
        b[16 + 10] = 97; // message length
        cases.push(reseal(b));
        b = base;
        b[16 + 28] = 0x07; // text
        cases.push(reseal(b));
        b = base;
        b[16] = 2; // seq 2 in slot 0
        cases.push(reseal(b));
        b = base;
        b[16 + 12] = b'A'; // name
        cases.push(reseal(b));
        b = base;
        b[511] = 1; // trailing bytes
        cases.push(reseal(b));
        for (i, c) in cases.iter().enumerate() {
            assert_eq!(decode_blob(c, 0), Err(BlobError::Record), "case {i}");
        }
        assert_eq!(decode_blob(&base, 1), Err(BlobError::Header));
        assert_eq!(decode_blob(&base[..511], 0), Err(BlobError::Size));
    }

    #[test]
    fn a_stale_blob_from_before_a_crash_keeps_the_newer_ones() {
        // Blob 0 saved at 40 records, the rest at 70: records 65..68 (slots 0..3) went
        // into the ring but their blob was not saved.  Blob 0 holds 1..4, outside the
        // window of 70, so restore gives 7..64, 69 and 70.
        let old = blobs(&filled(40));
        let new = blobs(&filled(70));
        let (back, _) = restore(|b, out| {
            *out = if b == 0 { old[0] } else { new[b] };
            Some(BLOB_BYTES)
        });
        assert_eq!(back.next_seq(), 71);
        assert!((65..=68).all(|s| back.get(s).is_none()));
        assert!([7, 64, 69, 70].iter().all(|&s| back.get(s).is_some()));
        assert!(back.get(6).is_none());
        assert_eq!(back.len(), 60);
    }
}
