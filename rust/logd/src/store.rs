//! The state store's client side for logd's blobs (store/PROTOCOL.md): PUT and GET
//! requests as message registers, GET replies checked.  Constants from the C headers.

use crate::consts::{
    NAME_MRS, STORE_MAX_MRS, STORE_OK, STORE_OP_GET, STORE_OP_GET_INCARNATION, STORE_OP_PUT,
    STORE_PROTOCOL_VERSION, STORE_VALUE_MAX,
};
use crate::persist::BLOB_BYTES;
use crate::protocol::pack_bytes;
use crate::record::Name;

pub const MAX_MRS: usize = STORE_MAX_MRS as usize;
const NAME_WORDS: usize = NAME_MRS as usize;
const _: () = assert!(BLOB_BYTES <= STORE_VALUE_MAX as usize);

/// The label of store request `op`.
pub const fn label(op: u64) -> u64 {
    (STORE_PROTOCOL_VERSION << 12) | op
}

/// PUT(name, value): label and register count.
pub fn put(name: &Name, value: &[u8; BLOB_BYTES], out: &mut [u64; MAX_MRS]) -> (u64, usize) {
    out[..NAME_WORDS].copy_from_slice(&name.to_words());
    out[NAME_WORDS] = BLOB_BYTES as u64;
    let n = pack_bytes(value, &mut out[NAME_WORDS + 1..]);
    (label(STORE_OP_PUT), NAME_WORDS + 1 + n)
}

/// GET(name): label and register count.
pub fn get(name: &Name, out: &mut [u64; MAX_MRS]) -> (u64, usize) {
    out[..NAME_WORDS].copy_from_slice(&name.to_words());
    (label(STORE_OP_GET), NAME_WORDS)
}

/// GET_INCARNATION: label and register count (none).
pub fn get_incarnation() -> (u64, usize) {
    (label(STORE_OP_GET_INCARNATION), 0)
}

/// A GET reply: the value if the store answered STORE_OK with one of BLOB_BYTES bytes
/// in exactly the right registers (zero padded); None otherwise (the blob is then
/// treated as missing).
pub fn get_reply(reply_label: u64, mrs: &[u64], out: &mut [u8; BLOB_BYTES]) -> Option<()> {
    if reply_label != STORE_OK || mrs.first() != Some(&(BLOB_BYTES as u64)) {
        return None;
    }
    let body = &mrs[1..];
    if body.len() != BLOB_BYTES.div_ceil(8) {
        return None;
    }
    for (chunk, w) in out.chunks_mut(8).zip(body) {
        chunk.copy_from_slice(&w.to_le_bytes()[..chunk.len()]);
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consts::{STORE_ERR_NOT_FOUND, STORE_LABEL_PUT};

    #[test]
    fn put_then_get_reply_round_trip() {
        assert_eq!(label(STORE_OP_PUT), STORE_LABEL_PUT);
        let mut value = [0u8; BLOB_BYTES];
        for (i, b) in value.iter_mut().enumerate() {
            *b = (i * 7) as u8;
        }
        let name = Name::new(b"logring03").unwrap();
        let mut mrs = [0u64; MAX_MRS];
        let (l, n) = put(&name, &value, &mut mrs);
        assert_eq!((l, n), (STORE_LABEL_PUT, 67));
        assert_eq!(Name::from_words([mrs[0], mrs[1]]), Ok(Some(name)));
        // What the store would answer to GET: len, then the same registers.
        let reply = &mrs[2..n];
        let mut back = [0u8; BLOB_BYTES];
        assert_eq!(get_reply(STORE_OK, reply, &mut back), Some(()));
        assert_eq!(back, value);
        assert_eq!(get_reply(STORE_ERR_NOT_FOUND, reply, &mut back), None);
        assert_eq!(get_reply(STORE_OK, &reply[..20], &mut back), None);
        assert_eq!(get_reply(STORE_OK, &[100, 0], &mut back), None);
        assert_eq!(get(&name, &mut mrs), (label(STORE_OP_GET), 2));
    }
}
