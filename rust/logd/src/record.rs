//! A log record: a sequence number, a level, the sender's name (from its badge) and a
//! bounded message of printable text.

use crate::consts::{LOGD_LEVEL_COUNT, LOGD_MSG_MAX, NAME_MAX_LEN};

/// Longest message in bytes.
pub const MSG_MAX: usize = LOGD_MSG_MAX as usize;
/// Longest name in bytes.
pub const NAME_MAX: usize = NAME_MAX_LEN as usize;

/// A record's level, 0 (debug) .. LOGD_LEVEL_COUNT - 1 (fatal).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Default)]
pub struct Level(u8);

impl Level {
    pub const MIN: Level = Level(0);
    pub const MAX: Level = Level((LOGD_LEVEL_COUNT - 1) as u8);

    /// The level with this number, if there is one.
    pub fn new(n: u64) -> Option<Level> {
        (n < LOGD_LEVEL_COUNT).then_some(Level(n as u8))
    }

    pub fn get(self) -> u8 {
        self.0
    }

    /// "debug", "info", ... for printing.
    pub fn text(self) -> &'static str {
        ["debug", "info", "warn", "error", "fatal"]
            .get(usize::from(self.0))
            .copied()
            .unwrap_or("?")
    }
}

/// True for the characters of a name: [a-z0-9_-].
fn name_char(c: u8) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_' || c == b'-'
}

/// Two registers that hold no valid name.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct BadName;

/// A sender name: 1..15 of [a-z0-9_-] (names/protocol/name.h), or the placeholder
/// "#N" for a client whose name logd does not know ('#' is never part of a real name).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Name {
    bytes: [u8; 16],
    len: u8,
}

impl Name {
    /// No name (the sender of an empty slot).
    pub const NONE: Name = Name {
        bytes: [0; 16],
        len: 0,
    };

    /// A valid name, or None.
    pub fn new(s: &[u8]) -> Option<Name> {
        if s.is_empty() || s.len() > NAME_MAX || !s.iter().all(|&c| name_char(c)) {
            return None;
        }
        let mut bytes = [0u8; 16];
        bytes[..s.len()].copy_from_slice(s);
        Some(Name {
            bytes,
            len: s.len() as u8,
        })
    }

    /// "#N": the name of client N while logd does not know it.
    pub fn unknown(index: u32) -> Name {
        let mut bytes = [0u8; 16];
        bytes[0] = b'#';
        let mut digits = [0u8; 10];
        let mut n = index;
        let mut count = 0;
        loop {
            digits[count] = b'0' + (n % 10) as u8;
            count += 1;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        for i in 0..count {
            bytes[1 + i] = digits[count - 1 - i];
        }
        Name {
            bytes,
            len: 1 + count as u8,
        }
    }

    /// A name read back from its 16 stored bytes (valid or "#N"), or None.
    pub fn from_stored(bytes: &[u8; 16], len: u8) -> Option<Name> {
        let l = usize::from(len);
        if l == 0 || l > NAME_MAX || bytes[l..].iter().any(|&b| b != 0) {
            return None;
        }
        let s = &bytes[..l];
        let placeholder = s[0] == b'#' && l > 1 && s[1..].iter().all(u8::is_ascii_digit);
        if !placeholder && !s.iter().all(|&c| name_char(c)) {
            return None;
        }
        Some(Name { bytes: *bytes, len })
    }

    /// Unpacks two message registers (16 bytes, little-endian, NUL padded): a valid name,
    /// Ok(None) for two zero registers, Err for anything else.
    pub fn from_words(w: [u64; 2]) -> Result<Option<Name>, BadName> {
        if w == [0, 0] {
            return Ok(None);
        }
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&w[0].to_le_bytes());
        b[8..].copy_from_slice(&w[1].to_le_bytes());
        let len = b.iter().position(|&c| c == 0).ok_or(BadName)?;
        if b[len..].iter().any(|&c| c != 0) {
            return Err(BadName);
        }
        Name::new(&b[..len]).map(Some).ok_or(BadName)
    }

    /// The two message registers of this name.
    pub fn to_words(&self) -> [u64; 2] {
        let mut lo = [0u8; 8];
        let mut hi = [0u8; 8];
        lo.copy_from_slice(&self.bytes[..8]);
        hi.copy_from_slice(&self.bytes[8..]);
        [u64::from_le_bytes(lo), u64::from_le_bytes(hi)]
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// The 16 stored bytes (NUL padded) and the length.
    pub fn stored(&self) -> (&[u8; 16], u8) {
        (&self.bytes, self.len)
    }

    pub fn as_str(&self) -> &str {
        core::str::from_utf8(self.as_bytes()).unwrap_or("?")
    }
}

/// True for a message byte: printable ASCII or tab.
pub fn text_byte(c: u8) -> bool {
    (0x20..0x7f).contains(&c) || c == b'\t'
}

/// A record's message: up to MSG_MAX bytes of printable text.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Text {
    bytes: [u8; MSG_MAX],
    len: u8,
}

impl Default for Text {
    fn default() -> Text {
        Text::EMPTY
    }
}

impl Text {
    pub const EMPTY: Text = Text {
        bytes: [0; MSG_MAX],
        len: 0,
    };

    /// The text, if it is short enough and printable.
    pub fn new(s: &[u8]) -> Option<Text> {
        if s.len() > MSG_MAX || !s.iter().all(|&c| text_byte(c)) {
            return None;
        }
        let mut t = Text::default();
        t.bytes[..s.len()].copy_from_slice(s);
        t.len = s.len() as u8;
        Some(t)
    }

    /// The text of `len` bytes packed in `words` (little-endian, exactly
    /// ceil(len / 8) of them, the bytes after `len` zero), checked in one pass.
    pub fn from_words(words: &[u64], len: usize) -> Result<Text, TextError> {
        if len > MSG_MAX || words.len() != len.div_ceil(8) {
            return Err(TextError::Length);
        }
        let mut t = Text::EMPTY;
        for (i, (&w, chunk)) in words.iter().zip(t.bytes.chunks_mut(8)).enumerate() {
            let n = (len - i * 8).min(8);
            if n < 8 && w >> (8 * n) != 0 {
                return Err(TextError::Padding);
            }
            chunk[..n].copy_from_slice(&w.to_le_bytes()[..n]);
        }
        if !t.bytes[..len].iter().all(|&c| text_byte(c)) {
            return Err(TextError::NotText);
        }
        t.len = len as u8;
        Ok(t)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    pub fn as_str(&self) -> &str {
        core::str::from_utf8(self.as_bytes()).unwrap_or("?")
    }
}

/// Why registers hold no text (Text::from_words).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TextError {
    /// Longer than MSG_MAX, or not ceil(len / 8) registers.
    Length,
    /// A byte after the text is not zero.
    Padding,
    /// A byte is not printable ASCII or tab.
    NotText,
}

/// One log record.  `seq` numbers records from 1 in the order logd accepted them.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Record {
    pub seq: u64,
    pub level: Level,
    pub sender: Name,
    pub text: Text,
}

impl Record {
    /// An empty slot (number 0).
    pub const EMPTY: Record = Record {
        seq: 0,
        level: Level::MIN,
        sender: Name::NONE,
        text: Text::EMPTY,
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_name_rules() {
        assert!(Name::new(b"timer").is_some());
        assert!(Name::new(b"a-b_c9").is_some());
        assert!(Name::new(b"").is_none());
        assert!(Name::new(b"Timer").is_none());
        assert!(Name::new(b"a b").is_none());
        assert!(Name::new(b"0123456789abcdef").is_none());
        assert!(Name::new(b"0123456789abcde").is_some());
    }

    #[test]
    fn names_travel_in_two_registers() {
        let n = Name::new(b"memserver-logs1").unwrap();
        assert_eq!(Name::from_words(n.to_words()), Ok(Some(n)));
        assert_eq!(Name::from_words([0, 0]), Ok(None));
        // Bytes after the NUL, no NUL at all, invalid characters: refused.
        assert_eq!(
            Name::from_words([u64::from_le_bytes(*b"ab\0c\0\0\0\0"), 0]),
            Err(BadName)
        );
        assert_eq!(
            Name::from_words([u64::MAX >> 1, u64::MAX >> 1]),
            Err(BadName)
        );
        assert_eq!(
            Name::from_words([u64::from_le_bytes(*b"AB\0\0\0\0\0\0"), 0]),
            Err(BadName)
        );
    }

    #[test]
    fn unknown_clients_get_a_placeholder_that_is_no_name() {
        assert_eq!(Name::unknown(0).as_str(), "#0");
        assert_eq!(Name::unknown(31).as_str(), "#31");
        assert_eq!(Name::unknown(u32::MAX).as_str(), "#4294967295");
        let seven = Name::unknown(7);
        let (b, l) = seven.stored();
        assert_eq!(Name::from_stored(b, l), Some(seven));
        assert!(Name::new(b"#7").is_none());
    }

    #[test]
    fn text_is_bounded_and_printable() {
        assert!(Text::new(b"").is_some());
        assert!(Text::new(&[b'x'; MSG_MAX]).is_some());
        assert!(Text::new(&[b'x'; MSG_MAX + 1]).is_none());
        assert!(Text::new(b"tab\there").is_some());
        assert!(Text::new(b"bell\x07").is_none());
        assert!(Text::new(b"nl\n").is_none());
        assert!(Text::new(&[0xc3, 0xa9]).is_none());
    }

    #[test]
    fn text_from_registers() {
        let w = [
            u64::from_le_bytes(*b"abcdefgh"),
            u64::from_le_bytes(*b"ij\0\0\0\0\0\0"),
        ];
        assert_eq!(Text::from_words(&w, 10).unwrap().as_bytes(), b"abcdefghij");
        assert_eq!(
            Text::from_words(&w[..1], 8).unwrap().as_bytes(),
            b"abcdefgh"
        );
        assert_eq!(Text::from_words(&[], 0), Ok(Text::EMPTY));
        assert_eq!(Text::from_words(&w, 9), Err(TextError::Padding));
        assert_eq!(Text::from_words(&w, 8), Err(TextError::Length));
        assert_eq!(Text::from_words(&[0x0a], 1), Err(TextError::NotText));
        assert_eq!(Text::from_words(&[0; 13], 97), Err(TextError::Length));
    }

    #[test]
    fn levels() {
        assert_eq!(Level::new(0).map(Level::text), Some("debug"));
        assert_eq!(Level::new(4).map(Level::text), Some("fatal"));
        assert_eq!(Level::new(LOGD_LEVEL_COUNT), None);
    }
}
