//! The reincarnation server's events in the log.  The RS never calls a service (a
//! supervisor blocked in a call to a service that died would be stuck), so logd pulls the
//! RS's event list (control `LOG`) at each heartbeat ping and writes each event as a
//! record of sender `rs`.  The text starts with the RS's event number, `#N `, so that a new
//! incarnation of logd goes on after the newest event its restored ring holds.

use crate::consts::{
    LOGD_LEVEL_ERROR, LOGD_LEVEL_INFO, LOGD_LEVEL_WARN, RS_ERR_BAD_REQUEST, RS_ERR_CHECK,
    RS_ERR_DENIED, RS_ERR_VERSION,
};
use crate::persist::blob_of;
use crate::record::{Level, MSG_MAX, Name, Record, Text, text_byte};
use crate::ring::{Filter, Ring};

/// The sender name of the RS's records (also logd's name for the admin badge).
pub const RS_NAME: &[u8] = b"rs";

/// Words that make an RS event a warning (a service failed) or an error (a group gave up).
const WARN_WORDS: [&[u8]; 3] = [b"crashed", b" hang", b"exited with status"];
const ERROR_WORDS: [&[u8]; 3] = [b"give up", b"gave up", b"escalated"];

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The level of an RS event: error when a group gives up, warn when a service failed,
/// else info.  ("exited with status 0" is an ordinary end: info.)
pub fn event_level(text: &[u8]) -> Level {
    let n = if ERROR_WORDS.iter().any(|w| contains(text, w)) {
        LOGD_LEVEL_ERROR
    } else if WARN_WORDS.iter().any(|w| contains(text, w))
        && !contains(text, b"exited with status 0 ")
    {
        LOGD_LEVEL_WARN
    } else {
        LOGD_LEVEL_INFO
    };
    Level::new(n).unwrap_or(Level::MIN)
}

/// The record text of RS event `seq`: "#seq " and the event's text (a leading "rs: "
/// dropped, bytes that are not text as '?'), cut at MSG_MAX bytes.
pub fn event_text(seq: u64, text: &[u8]) -> Text {
    let mut out = [0u8; MSG_MAX];
    let mut n = 0;
    let mut digits = [0u8; 20];
    let mut d = 0;
    let mut v = seq;
    loop {
        digits[d] = b'0' + (v % 10) as u8;
        d += 1;
        v /= 10;
        if v == 0 || d == digits.len() {
            break;
        }
    }
    out[n] = b'#';
    n += 1;
    for k in (0..d).rev() {
        out[n] = digits[k];
        n += 1;
    }
    out[n] = b' ';
    n += 1;
    let body = text.strip_prefix(b"rs: ").unwrap_or(text);
    for &c in body.iter().take(MSG_MAX - n) {
        out[n] = if text_byte(c) { c } else { b'?' };
        n += 1;
    }
    Text::new(&out[..n]).unwrap_or(Text::EMPTY)
}

/// The RS event number of a record, if it is one of the RS's events.
pub fn event_seq(r: &Record) -> Option<u64> {
    if r.sender.as_bytes() != RS_NAME {
        return None;
    }
    let t = r.text.as_bytes().strip_prefix(b"#")?;
    let end = t.iter().position(|&c| c == b' ')?;
    if end == 0 || end > 19 {
        return None;
    }
    t[..end].iter().try_fold(0u64, |v, &c| {
        c.is_ascii_digit().then(|| v * 10 + u64::from(c - b'0'))
    })
}

/// The RS event to pull first: one after the newest RS event in the ring, else 0.
pub fn resume_point(ring: &Ring) -> u64 {
    ring.newest_first(Filter::ALL)
        .find_map(event_seq)
        .map_or(0, |s| s.saturating_add(1))
}

/// Puts RS event `seq` into the ring; returns the blob to save.
pub fn push_event(ring: &mut Ring, seq: u64, text: &[u8]) -> usize {
    let name = Name::new(RS_NAME).unwrap_or(Name::NONE);
    let n = ring.push(event_level(text), name, &event_text(seq, text));
    blob_of(n)
}

/// The registers of an RS control request with one argument (LIST, LOG): the argument,
/// then the check word (rs_encode_request: rs_check_word is the store's check word).
pub fn control_request(label: u64, arg: u64) -> [u64; 2] {
    [arg, crate::store::check_word(label, &[arg])]
}

/// A refusal that a request control_request made can only get if it arrived damaged
/// (rs_call_resending): nothing was done, it may be sent again.
pub fn control_refused_as_damaged(reply: u64) -> bool {
    matches!(
        reply,
        RS_ERR_CHECK | RS_ERR_BAD_REQUEST | RS_ERR_VERSION | RS_ERR_DENIED
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consts::{RS_LABEL_LIST, RS_LABEL_LOG, RS_OK};

    /// rs_check_word(RS_LABEL(RS_OP_LIST), {7}, 1): the C codec's, checked by
    /// rs/tests/protocol_test.c.
    const RS_LIST_7_CHECK: u64 = 0xee88_4d91_2a91_1031;

    #[test]
    fn control_requests_carry_the_c_check_word() {
        assert_eq!(control_request(RS_LABEL_LIST, 7), [7, RS_LIST_7_CHECK]);
        let log = control_request(RS_LABEL_LOG, 7);
        assert_ne!(log[1], RS_LIST_7_CHECK);
        assert!(control_refused_as_damaged(RS_ERR_CHECK));
        assert!(!control_refused_as_damaged(RS_OK));
    }

    #[test]
    fn levels_follow_what_happened() {
        assert_eq!(event_level(b"rs: kv gen 1 start").get(), 1);
        assert_eq!(event_level(b"rs: demo gen 2 crashed: VM fault").get(), 2);
        assert_eq!(
            event_level(b"rs: demo gen 4 hang: no heartbeat answer").get(),
            2
        );
        assert_eq!(
            event_level(b"rs: kvload gen 1 exited with status 0 -> not restarted").get(),
            1
        );
        assert_eq!(
            event_level(b"rs: kvload gen 1 exited with status 1 -> restart").get(),
            2
        );
        assert_eq!(
            event_level(b"rs: group app gave up: more than 10 restarts").get(),
            3
        );
    }

    #[test]
    fn texts_carry_the_event_number_and_stay_text() {
        assert_eq!(
            event_text(7, b"rs: kv gen 1 start").as_bytes(),
            b"#7 kv gen 1 start"
        );
        assert_eq!(event_text(0, b"x\x01y").as_bytes(), b"#0 x?y");
        let long = [b'a'; 200];
        let t = event_text(123_456, &long);
        assert_eq!(t.as_bytes().len(), MSG_MAX);
        assert!(t.as_bytes().starts_with(b"#123456 aaa"));
        assert_eq!(
            event_text(u64::MAX, b"").as_bytes(),
            b"#18446744073709551615 "
        );
    }

    #[test]
    fn a_restored_ring_resumes_after_its_newest_event() {
        let mut ring = Ring::new();
        assert_eq!(resume_point(&ring), 0);
        push_event(&mut ring, 4, b"rs: a");
        push_event(&mut ring, 5, b"rs: b");
        let kv = Name::new(b"kv").unwrap();
        ring.push(Level::MIN, kv, &Text::new(b"#99 not the rs").unwrap());
        assert_eq!(resume_point(&ring), 6);
        // A client cannot forge an event number: only records of sender `rs` count.
        let rec = ring.newest_first(Filter::ALL).next().unwrap();
        assert_eq!(event_seq(rec), None);
    }

    #[test]
    fn malformed_numbers_are_not_events() {
        let mut ring = Ring::new();
        let rs = Name::new(RS_NAME).unwrap();
        for t in [
            &b"#x start"[..],
            b"# start",
            b"#12",
            b"7 start",
            b"#123456789012345678901 big",
        ] {
            ring.push(Level::MIN, rs, &Text::new(t).unwrap());
        }
        assert_eq!(resume_point(&ring), 0);
    }
}
