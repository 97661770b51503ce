//! The state store's client side for logd's blobs (store/PROTOCOL.md): PUT and GET
//! requests as message registers, GET replies checked.  Constants from the C headers.

use crate::consts::{
    NAME_MRS, STORE_OK, STORE_OP_GET, STORE_OP_GET_INCARNATION, STORE_OP_PUT,
    STORE_PROTOCOL_VERSION, STORE_REQUEST_MAX_MRS, STORE_VALUE_MAX,
};
use crate::persist::BLOB_BYTES;
use crate::protocol::pack_bytes;
use crate::record::Name;

/// Registers of the largest request (PUT: its arguments and the check word); a reply
/// takes fewer.
pub const MAX_MRS: usize = STORE_REQUEST_MAX_MRS as usize;
const NAME_WORDS: usize = NAME_MRS as usize;
const _: () = assert!(BLOB_BYTES <= STORE_VALUE_MAX as usize);

/// The label of store request `op`.
pub const fn label(op: u64) -> u64 {
    (STORE_PROTOCOL_VERSION << 12) | op
}

/// The check word that ends every request (store_check_word, store/protocol/messages.h):
/// FNV-1a over the label, the register count with the check word and the arguments, each
/// a little-endian word.  The store refuses a request whose registers were damaged on
/// their way with STORE_ERR_CHECK, nothing changed.
pub fn check_word(label: u64, args: &[u64]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let count = args.len() as u64 + 1;
    for w in [label, count].iter().chain(args) {
        for b in w.to_le_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// Appends the check word after `n` argument registers: label and register count.
fn sealed(label: u64, out: &mut [u64; MAX_MRS], n: usize) -> (u64, usize) {
    out[n] = check_word(label, &out[..n]);
    (label, n + 1)
}

/// PUT(name, value): label and register count.
pub fn put(name: &Name, value: &[u8; BLOB_BYTES], out: &mut [u64; MAX_MRS]) -> (u64, usize) {
    out[..NAME_WORDS].copy_from_slice(&name.to_words());
    out[NAME_WORDS] = BLOB_BYTES as u64;
    let n = pack_bytes(value, &mut out[NAME_WORDS + 1..]);
    sealed(label(STORE_OP_PUT), out, NAME_WORDS + 1 + n)
}

/// GET(name): label and register count.
pub fn get(name: &Name, out: &mut [u64; MAX_MRS]) -> (u64, usize) {
    out[..NAME_WORDS].copy_from_slice(&name.to_words());
    sealed(label(STORE_OP_GET), out, NAME_WORDS)
}

/// GET_INCARNATION: label and register count (the check word only).
pub fn get_incarnation(out: &mut [u64; MAX_MRS]) -> (u64, usize) {
    sealed(label(STORE_OP_GET_INCARNATION), out, 0)
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
        assert_eq!((l, n), (STORE_LABEL_PUT, 68));
        assert_eq!(mrs[n - 1], check_word(l, &mrs[..n - 1]));
        assert_eq!(Name::from_words([mrs[0], mrs[1]]), Ok(Some(name)));
        // What the store would answer to GET: len, then the same registers.
        let reply = &mrs[2..n - 1];
        let mut back = [0u8; BLOB_BYTES];
        assert_eq!(get_reply(STORE_OK, reply, &mut back), Some(()));
        assert_eq!(back, value);
        assert_eq!(get_reply(STORE_ERR_NOT_FOUND, reply, &mut back), None);
        assert_eq!(get_reply(STORE_OK, &reply[..20], &mut back), None);
        assert_eq!(get_reply(STORE_OK, &[100, 0], &mut back), None);
        assert_eq!(get(&name, &mut mrs), (label(STORE_OP_GET), 3));
        assert_eq!(
            get_incarnation(&mut mrs),
            (label(STORE_OP_GET_INCARNATION), 1)
        );
    }

    #[test]
    fn check_word_is_the_c_one() {
        // the known answer of store/tests/protocol_test.c
        let sample = [0x3130_676e_6972_6c67, 0, 512];
        assert_eq!(check_word(STORE_LABEL_PUT, &sample), 0xbfb0_b28d_743a_0917);
        assert_ne!(
            check_word(STORE_LABEL_PUT, &sample[..2]),
            0xbfb0_b28d_743a_0917
        );
    }
}
