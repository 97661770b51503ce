//! Property test of logd's decoder and request handling, driven by a small seeded PRNG
//! (no crates): random labels, badges, caps and registers, and valid writes mutated one
//! field at a time.  After every request: nothing panicked; a refused request left the
//! ring exactly as it was; an accepted WRITE added exactly its record; every message the
//! decoder accepted re-encodes to the same registers.

use logd::consts::{
    LOGD_ADMIN_BADGE, LOGD_ERR_BAD_CAP, LOGD_ERR_BAD_LEVEL, LOGD_ERR_BAD_REQUEST,
    LOGD_ERR_BAD_TEXT, LOGD_ERR_DENIED, LOGD_ERR_TOO_BIG, LOGD_ERR_VERSION, LOGD_MAX_CLIENTS,
    LOGD_OK, LOGD_OP_COUNT, LOGD_OP_WRITE,
};
use logd::protocol::{MAX_REQUEST_MRS, Message, Request, decode, encode_write, label};
use logd::record::{Level, MSG_MAX, Record};
use logd::ring::{Filter, RING};
use logd::server::Logd;

/// xorshift64*: deterministic, seeded per run.
struct Prng(u64);

impl Prng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
}

fn snapshot(logd: &Logd) -> (u64, Vec<Record>) {
    (
        logd.ring.next_seq(),
        logd.ring.newest_first(Filter::ALL).copied().collect(),
    )
}

fn random_badge(p: &mut Prng) -> u64 {
    match p.below(6) {
        0 => 0,
        1 => LOGD_ADMIN_BADGE,
        2 => LOGD_MAX_CLIENTS + 1 + p.below(1000),
        3 => p.next(),
        _ => 1 + p.below(LOGD_MAX_CLIENTS),
    }
}

fn random_text(p: &mut Prng, printable: bool) -> Vec<u8> {
    let len = p.below(MSG_MAX as u64 + 1) as usize;
    (0..len)
        .map(|_| {
            if printable {
                0x20 + p.below(0x5f) as u8
            } else {
                p.next() as u8
            }
        })
        .collect()
}

/// A valid WRITE, then maybe one field broken; returns the registers and the error the
/// decoder must give (None: valid).
fn write_case(p: &mut Prng) -> (u64, u64, u64, Vec<u64>, Option<u64>) {
    let text = random_text(p, true);
    let level = Level::new(p.below(5)).unwrap();
    let mut mrs = [0u64; MAX_REQUEST_MRS];
    let (mut lab, n) = encode_write(level, &text, &mut mrs).unwrap();
    let mut mrs = mrs[..n].to_vec();
    let mut badge = 1 + p.below(LOGD_MAX_CLIENTS);
    let mut caps = 0;
    let want = match p.below(10) {
        0 => {
            mrs[0] = (mrs[0] & !0xff) | (5 + p.below(251));
            Some(LOGD_ERR_BAD_LEVEL)
        }
        1 => {
            mrs[0] = (mrs[0] & 0xff) | ((MSG_MAX as u64 + 1 + p.below(159)) << 8);
            Some(LOGD_ERR_TOO_BIG)
        }
        2 if !text.is_empty() => {
            let at = p.below(text.len() as u64) as usize;
            let bad = p.pick(&[0u8, 0x0a, 0x1b, 0x7f, 0x80, 0xff]);
            mrs[1 + at / 8] =
                (mrs[1 + at / 8] & !(0xff << (8 * (at % 8)))) | (u64::from(bad) << (8 * (at % 8)));
            Some(LOGD_ERR_BAD_TEXT)
        }
        3 if !text.len().is_multiple_of(8) => {
            let last = mrs.len() - 1;
            mrs[last] |= 1 << 63;
            Some(LOGD_ERR_BAD_REQUEST)
        }
        4 => {
            if mrs.len() > 1 && p.below(2) == 0 {
                mrs.pop();
            } else if mrs.len() < MAX_REQUEST_MRS {
                mrs.push(p.next());
            } else {
                mrs.push(0);
                return (lab, badge, caps, mrs, Some(LOGD_ERR_TOO_BIG));
            }
            Some(LOGD_ERR_BAD_REQUEST)
        }
        5 => {
            caps = 1 + p.below(3);
            Some(LOGD_ERR_BAD_CAP)
        }
        6 => {
            badge = p.pick(&[
                0,
                LOGD_MAX_CLIENTS + 1,
                1 << 63,
                1 << 62,
                LOGD_ADMIN_BADGE + 1,
            ]);
            Some(LOGD_ERR_DENIED)
        }
        7 => {
            lab += (1 + p.below(254)) << 12;
            Some(LOGD_ERR_VERSION)
        }
        8 => {
            mrs[0] |= (1 + p.below(0xffff)) << 16;
            Some(LOGD_ERR_BAD_REQUEST)
        }
        _ => None,
    };
    (lab, badge, caps, mrs, want)
}

#[test]
fn decoder_never_panics_and_refusals_leave_the_ring_unharmed() {
    let seed = std::env::var("LOGD_PROPERTY_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_1095u64);
    let rounds: u64 = std::env::var("LOGD_PROPERTY_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200_000);
    let mut p = Prng(seed | 1);
    let mut logd = Logd::default();
    let (mut accepted, mut refused, mut wrong_error) = (0u64, 0u64, Vec::new());
    for round in 0..rounds {
        let structured = p.below(2) == 0;
        let (lab, badge, caps, mrs, want) = if structured {
            write_case(&mut p)
        } else {
            let op = p.below(LOGD_OP_COUNT + 2);
            let lab = if p.below(8) == 0 { p.next() } else { label(op) };
            let most = if p.below(4) == 0 { 121 } else { 6 };
            let n = p.below(most) as usize;
            let mrs: Vec<u64> = (0..n)
                .map(|_| {
                    if p.below(3) == 0 {
                        p.below(0x10000)
                    } else {
                        p.next()
                    }
                })
                .collect();
            (
                lab,
                random_badge(&mut p),
                if p.below(10) == 0 { 1 } else { 0 },
                mrs,
                None,
            )
        };
        let m = Message {
            label: lab,
            extra_caps: caps,
            badge,
            mrs: &mrs,
        };
        let before = snapshot(&logd);
        let decoded = decode(&m);
        let reply = logd.handle(&m);
        let after = snapshot(&logd);
        match decoded {
            Err(e) => {
                refused += 1;
                assert_eq!(reply.label, e);
                assert_ne!(e, LOGD_OK);
                assert!(
                    before == after,
                    "round {round}: a refused request changed the ring"
                );
                if structured && want != Some(e) {
                    wrong_error.push((round, want, e));
                }
            }
            Ok((_, req)) => {
                accepted += 1;
                if structured {
                    assert_eq!(want, None, "round {round}: a broken write was accepted");
                }
                if let Request::Write { level, text } = req {
                    assert_eq!(lab & 0xfff, LOGD_OP_WRITE);
                    assert_eq!(reply.label, LOGD_OK);
                    assert_eq!(after.0, before.0 + 1);
                    let newest = logd.ring.get(before.0).unwrap();
                    assert_eq!((newest.level, newest.text), (level, text));
                    assert_eq!(after.1.len(), (before.1.len() + 1).min(RING));
                    assert_eq!(&after.1[1..], &before.1[..after.1.len() - 1]);
                    // The accepted registers are exactly the canonical encoding.
                    let mut again = [0u64; MAX_REQUEST_MRS];
                    let (_, n) = encode_write(level, text.as_bytes(), &mut again).unwrap();
                    assert_eq!(&again[..n], &mrs[..]);
                } else {
                    assert!(
                        before == after,
                        "round {round}: a read-only request changed the ring"
                    );
                }
            }
        }
    }
    assert!(
        wrong_error.is_empty(),
        "wrong errors (round, wanted, got): {:?}",
        &wrong_error[..wrong_error.len().min(10)]
    );
    // The generator must exercise both sides.
    assert!(
        accepted > rounds / 20 && refused > rounds / 4,
        "accepted {accepted} refused {refused}"
    );
    assert_eq!(logd.stats.rejected, refused);
}
