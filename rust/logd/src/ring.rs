//! The ring of the last RING records.  Record `seq` lives in slot (seq - 1) % RING; a
//! slot whose record has another number is a hole (left by a blob that could not be
//! restored), so queries skip it.  Pushing cannot fail.

use crate::consts::LOGD_RING_RECORDS;
use crate::record::{Level, Name, Record, Text};

/// Records the ring keeps.
pub const RING: usize = LOGD_RING_RECORDS as usize;

/// Which records a query wants: levels min..=max, from one sender or any.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Filter {
    pub min: Level,
    pub max: Level,
    pub sender: Option<Name>,
}

impl Filter {
    /// Every record.
    pub const ALL: Filter = Filter {
        min: Level::MIN,
        max: Level::MAX,
        sender: None,
    };

    pub fn matches(&self, r: &Record) -> bool {
        self.min <= r.level && r.level <= self.max && self.sender.is_none_or(|s| s == r.sender)
    }
}

pub struct Ring {
    slots: [Record; RING],
    /// The number the next record gets (records are numbered from 1).
    next_seq: u64,
}

impl Default for Ring {
    fn default() -> Ring {
        Ring::new()
    }
}

/// The slot of record `seq` (>= 1).
pub fn slot_of(seq: u64) -> usize {
    (seq.wrapping_sub(1) % RING as u64) as usize
}

impl Ring {
    pub const fn new() -> Ring {
        Ring {
            slots: [Record::EMPTY; RING],
            next_seq: 1,
        }
    }

    /// Appends a record (overwriting the oldest when full); returns its number.
    pub fn push(&mut self, level: Level, sender: Name, text: &Text) -> u64 {
        let seq = self.next_seq;
        let slot = &mut self.slots[slot_of(seq)];
        slot.seq = seq;
        slot.level = level;
        slot.sender = sender;
        slot.text = *text;
        self.next_seq = seq + 1;
        seq
    }

    /// The number the next record gets.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// Record `seq`, if the ring still holds it.
    pub fn get(&self, seq: u64) -> Option<&Record> {
        if seq == 0 || seq >= self.next_seq || self.next_seq - seq > RING as u64 {
            return None;
        }
        let r = &self.slots[slot_of(seq)];
        (r.seq == seq).then_some(r)
    }

    /// The slots as stored (for persistence): slot i holds a record with seq 0 (never
    /// written) or with (seq - 1) % RING == i, possibly older than the window.
    pub fn slots(&self) -> &[Record; RING] {
        &self.slots
    }

    /// Records held, oldest to newest (holes skipped).
    pub fn len(&self) -> usize {
        self.newest_first(Filter::ALL).count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The newest record matching `filter` numbered below `before` (0: no bound).
    pub fn query(&self, filter: Filter, before: u64) -> Option<&Record> {
        let start = if before == 0 || before > self.next_seq {
            self.next_seq
        } else {
            before
        };
        let oldest = self.next_seq.saturating_sub(RING as u64).max(1);
        (oldest..start)
            .rev()
            .filter_map(|seq| self.get(seq))
            .find(|r| filter.matches(r))
    }

    /// The records matching `filter`, newest first ("last K": `.take(k)`).
    pub fn newest_first(&self, filter: Filter) -> impl Iterator<Item = &Record> + '_ {
        let oldest = self.next_seq.saturating_sub(RING as u64).max(1);
        (oldest..self.next_seq)
            .rev()
            .filter_map(|seq| self.get(seq))
            .filter(move |r| filter.matches(r))
    }

    /// Rebuilds a ring from restored records in any order (persist.rs): the newest
    /// number found decides the window; records outside it, records whose slot another
    /// record with a newer number claims, and records with number 0 are dropped.
    pub fn from_records<'a>(records: impl Iterator<Item = &'a Record> + Clone) -> Ring {
        let newest = records.clone().map(|r| r.seq).max().unwrap_or(0);
        let mut ring = Ring::new();
        ring.next_seq = newest + 1;
        for r in records {
            if r.seq == 0 || newest - r.seq >= RING as u64 {
                continue;
            }
            let slot = &mut ring.slots[slot_of(r.seq)];
            if slot.seq < r.seq {
                *slot = *r;
            }
        }
        ring
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> Name {
        Name::new(s.as_bytes()).unwrap()
    }
    fn text(s: &str) -> Text {
        Text::new(s.as_bytes()).unwrap()
    }
    fn lvl(n: u64) -> Level {
        Level::new(n).unwrap()
    }

    #[test]
    fn keeps_the_last_ring_records_in_order() {
        let mut ring = Ring::new();
        assert!(ring.is_empty());
        assert_eq!(ring.query(Filter::ALL, 0), None);
        for i in 1..=(RING as u64 + 10) {
            assert_eq!(ring.push(lvl(i % 5), name("a"), &text("m")), i);
        }
        assert_eq!(ring.len(), RING);
        let seqs: Vec<u64> = ring.newest_first(Filter::ALL).map(|r| r.seq).collect();
        let want: Vec<u64> = (11..=RING as u64 + 10).rev().collect();
        assert_eq!(seqs, want);
        assert!(ring.get(10).is_none());
        assert!(ring.get(11).is_some());
        assert!(ring.get(RING as u64 + 11).is_none());
        assert!(ring.get(0).is_none());
    }

    #[test]
    fn queries_by_last_k_service_and_level() {
        let mut ring = Ring::new();
        ring.push(lvl(1), name("timer"), &text("tick"));
        ring.push(lvl(3), name("memserver"), &text("out of pages"));
        ring.push(lvl(0), name("timer"), &text("debug"));
        ring.push(lvl(2), name("kv"), &text("slow"));
        let last2: Vec<u64> = ring
            .newest_first(Filter::ALL)
            .take(2)
            .map(|r| r.seq)
            .collect();
        assert_eq!(last2, [4, 3]);
        let timer = Filter {
            sender: Some(name("timer")),
            ..Filter::ALL
        };
        let t: Vec<&str> = ring.newest_first(timer).map(|r| r.text.as_str()).collect();
        assert_eq!(t, ["debug", "tick"]);
        let warn_up = Filter {
            min: lvl(2),
            ..Filter::ALL
        };
        let w: Vec<u64> = ring.newest_first(warn_up).map(|r| r.seq).collect();
        assert_eq!(w, [4, 2]);
        let exactly_info = Filter {
            min: lvl(1),
            max: lvl(1),
            sender: None,
        };
        assert_eq!(ring.query(exactly_info, 0).map(|r| r.seq), Some(1));
        // Paging with `before`: the shell's "last K" one record per call.
        assert_eq!(ring.query(Filter::ALL, 0).map(|r| r.seq), Some(4));
        assert_eq!(ring.query(Filter::ALL, 4).map(|r| r.seq), Some(3));
        assert_eq!(ring.query(Filter::ALL, 1), None);
        assert_eq!(ring.query(timer, 3).map(|r| r.seq), Some(1));
        assert_eq!(
            ring.query(
                Filter {
                    sender: Some(name("nobody")),
                    ..Filter::ALL
                },
                0
            ),
            None
        );
    }

    #[test]
    fn rebuilt_from_records_with_holes_and_stale_slots() {
        let mut ring = Ring::new();
        for i in 1..=100u64 {
            ring.push(
                lvl(1),
                name("a"),
                &text(if i % 2 == 0 { "even" } else { "odd" }),
            );
        }
        // Drop records 50..=53 (a lost blob) and add a stale copy of record 20 (older
        // than the window) and a stale record in the slot of 90 (number 26).
        let mut records: Vec<Record> = ring
            .slots()
            .iter()
            .copied()
            .filter(|r| !(50..=53).contains(&r.seq))
            .collect();
        let mut stale = records[0];
        stale.seq = 20;
        records.push(stale);
        stale.seq = 26;
        records.push(stale);
        let back = Ring::from_records(records.iter());
        assert_eq!(back.next_seq(), 101);
        assert_eq!(back.len(), RING - 4);
        assert!(back.get(51).is_none());
        assert_eq!(back.get(90), ring.get(90));
        assert_eq!(back.get(54), ring.get(54));
        assert_eq!(Ring::from_records([].iter()).next_seq(), 1);
    }
}
