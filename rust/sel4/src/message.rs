//! seL4_MessageInfo: the word that describes a message (label, capsUnwrapped,
//! extraCaps, length).  Field positions come from the C encoder (consts).

use crate::consts::{
    MESSAGE_INFO_CAPS_UNWRAPPED_BITS, MESSAGE_INFO_CAPS_UNWRAPPED_SHIFT,
    MESSAGE_INFO_EXTRA_CAPS_BITS, MESSAGE_INFO_EXTRA_CAPS_SHIFT, MESSAGE_INFO_LABEL_BITS,
    MESSAGE_INFO_LABEL_SHIFT, MESSAGE_INFO_LENGTH_BITS, MESSAGE_INFO_LENGTH_SHIFT, Word,
};

const fn mask(bits: u32) -> Word {
    if bits >= Word::BITS {
        Word::MAX
    } else {
        (1 << bits) - 1
    }
}

const fn put(word: Word, shift: u32, bits: u32, value: Word) -> Word {
    (word & !(mask(bits) << shift)) | ((value & mask(bits)) << shift)
}

const fn get(word: Word, shift: u32, bits: u32) -> Word {
    (word >> shift) & mask(bits)
}

/// seL4_MessageInfo_t.  Like seL4_MessageInfo_new, every field is cut to its width.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct MessageInfo(Word);

impl MessageInfo {
    /// seL4_MessageInfo_new(label, capsUnwrapped, extraCaps, length).
    pub const fn new(label: Word, caps_unwrapped: Word, extra_caps: Word, length: Word) -> Self {
        let w = put(0, MESSAGE_INFO_LABEL_SHIFT, MESSAGE_INFO_LABEL_BITS, label);
        let w = put(
            w,
            MESSAGE_INFO_CAPS_UNWRAPPED_SHIFT,
            MESSAGE_INFO_CAPS_UNWRAPPED_BITS,
            caps_unwrapped,
        );
        let w = put(
            w,
            MESSAGE_INFO_EXTRA_CAPS_SHIFT,
            MESSAGE_INFO_EXTRA_CAPS_BITS,
            extra_caps,
        );
        MessageInfo(put(
            w,
            MESSAGE_INFO_LENGTH_SHIFT,
            MESSAGE_INFO_LENGTH_BITS,
            length,
        ))
    }

    /// The message info in the raw word the kernel passes in rsi.
    pub const fn from_word(word: Word) -> Self {
        MessageInfo(word)
    }

    pub const fn word(self) -> Word {
        self.0
    }

    pub const fn label(self) -> Word {
        get(self.0, MESSAGE_INFO_LABEL_SHIFT, MESSAGE_INFO_LABEL_BITS)
    }

    pub const fn caps_unwrapped(self) -> Word {
        get(
            self.0,
            MESSAGE_INFO_CAPS_UNWRAPPED_SHIFT,
            MESSAGE_INFO_CAPS_UNWRAPPED_BITS,
        )
    }

    pub const fn extra_caps(self) -> Word {
        get(
            self.0,
            MESSAGE_INFO_EXTRA_CAPS_SHIFT,
            MESSAGE_INFO_EXTRA_CAPS_BITS,
        )
    }

    pub const fn length(self) -> Word {
        get(self.0, MESSAGE_INFO_LENGTH_SHIFT, MESSAGE_INFO_LENGTH_BITS)
    }

    pub const fn with_label(self, v: Word) -> Self {
        MessageInfo(put(
            self.0,
            MESSAGE_INFO_LABEL_SHIFT,
            MESSAGE_INFO_LABEL_BITS,
            v,
        ))
    }

    pub const fn with_caps_unwrapped(self, v: Word) -> Self {
        MessageInfo(put(
            self.0,
            MESSAGE_INFO_CAPS_UNWRAPPED_SHIFT,
            MESSAGE_INFO_CAPS_UNWRAPPED_BITS,
            v,
        ))
    }

    pub const fn with_extra_caps(self, v: Word) -> Self {
        MessageInfo(put(
            self.0,
            MESSAGE_INFO_EXTRA_CAPS_SHIFT,
            MESSAGE_INFO_EXTRA_CAPS_BITS,
            v,
        ))
    }

    pub const fn with_length(self, v: Word) -> Self {
        MessageInfo(put(
            self.0,
            MESSAGE_INFO_LENGTH_SHIFT,
            MESSAGE_INFO_LENGTH_BITS,
            v,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consts::MESSAGE_INFO_VECTORS;

    #[test]
    fn encodes_like_the_c_encoder() {
        for [label, unwrapped, extra, length, word] in MESSAGE_INFO_VECTORS {
            let m = MessageInfo::new(label, unwrapped, extra, length);
            assert_eq!(
                m.word(),
                word,
                "new({label:#x}, {unwrapped}, {extra}, {length})"
            );
        }
    }

    #[test]
    fn decodes_what_it_encodes() {
        let m = MessageInfo::new(0x123, 5, 2, 0x45);
        assert_eq!(
            (m.label(), m.caps_unwrapped(), m.extra_caps(), m.length()),
            (0x123, 5, 2, 0x45)
        );
        let w = MessageInfo::from_word(m.word());
        assert_eq!(w, m);
    }

    #[test]
    fn layout_is_the_manuals() {
        // Manual 4.1: label:52 | capsUnwrapped:3 | extraCaps:2 | length:7.
        assert_eq!(
            MessageInfo::new(0x123, 5, 2, 0x45).word(),
            (0x123 << 12) | (5 << 9) | (2 << 7) | 0x45
        );
    }

    #[test]
    fn fields_never_spill_into_neighbours() {
        assert_eq!(MessageInfo::new(0, 0, 0, 0xff).word(), 0x7f);
        assert_eq!(MessageInfo::new(0, 0, 4, 0).extra_caps(), 0);
        assert_eq!(MessageInfo::new(0, 8, 0, 0).caps_unwrapped(), 0);
        let m = MessageInfo::new(Word::MAX, 0, 0, 0);
        assert_eq!(m.length(), 0);
        assert_eq!(m.extra_caps(), 0);
        let m = m
            .with_length(3)
            .with_extra_caps(1)
            .with_caps_unwrapped(7)
            .with_label(9);
        assert_eq!(m.word(), (9 << 12) | (7 << 9) | (1 << 7) | 3);
        assert_eq!(m.with_length(200).length(), 200 & 0x7f);
        assert_eq!(m.with_length(200).label(), 9);
    }
}
