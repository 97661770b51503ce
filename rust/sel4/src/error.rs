//! seL4_Error: the error an invocation's reply carries in its label (manual 10.1).

use crate::consts::{
    Word, seL4_AlignmentError, seL4_DeleteFirst, seL4_FailedLookup, seL4_IllegalOperation,
    seL4_InvalidArgument, seL4_InvalidCapability, seL4_NoError, seL4_NotEnoughMemory,
    seL4_NumErrors, seL4_RangeError, seL4_RevokeFirst, seL4_TruncatedMessage,
};
use core::fmt;

/// Every seL4_Error but seL4_NoError (which is `Ok`), and `Unknown` for a reply label
/// that is no seL4 error (a user-level server may reply anything).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Error {
    InvalidArgument,
    InvalidCapability,
    IllegalOperation,
    RangeError,
    AlignmentError,
    FailedLookup,
    TruncatedMessage,
    DeleteFirst,
    RevokeFirst,
    NotEnoughMemory,
    Unknown(Word),
}

const KNOWN: [(Word, Error); 10] = [
    (seL4_InvalidArgument, Error::InvalidArgument),
    (seL4_InvalidCapability, Error::InvalidCapability),
    (seL4_IllegalOperation, Error::IllegalOperation),
    (seL4_RangeError, Error::RangeError),
    (seL4_AlignmentError, Error::AlignmentError),
    (seL4_FailedLookup, Error::FailedLookup),
    (seL4_TruncatedMessage, Error::TruncatedMessage),
    (seL4_DeleteFirst, Error::DeleteFirst),
    (seL4_RevokeFirst, Error::RevokeFirst),
    (seL4_NotEnoughMemory, Error::NotEnoughMemory),
];

// A new error in sel4/errors.h must be added here (KNOWN and the enum).
const _: () = assert!(seL4_NumErrors == KNOWN.len() as Word + 1);

impl Error {
    /// The result a reply label stands for: seL4_NoError is Ok.
    pub fn check(label: Word) -> Result<(), Error> {
        if label == seL4_NoError {
            return Ok(());
        }
        for (code, err) in KNOWN {
            if code == label {
                return Err(err);
            }
        }
        Err(Error::Unknown(label))
    }

    /// The seL4_Error value.
    pub fn code(self) -> Word {
        if let Error::Unknown(code) = self {
            return code;
        }
        for (code, err) in KNOWN {
            if err == self {
                return code;
            }
        }
        unreachable!("every named error is in KNOWN")
    }

    /// libsel4's name of the error.
    pub fn name(self) -> &'static str {
        match self {
            Error::InvalidArgument => "seL4_InvalidArgument",
            Error::InvalidCapability => "seL4_InvalidCapability",
            Error::IllegalOperation => "seL4_IllegalOperation",
            Error::RangeError => "seL4_RangeError",
            Error::AlignmentError => "seL4_AlignmentError",
            Error::FailedLookup => "seL4_FailedLookup",
            Error::TruncatedMessage => "seL4_TruncatedMessage",
            Error::DeleteFirst => "seL4_DeleteFirst",
            Error::RevokeFirst => "seL4_RevokeFirst",
            Error::NotEnoughMemory => "seL4_NotEnoughMemory",
            Error::Unknown(_) => "unknown error",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_error_is_ok() {
        assert_eq!(Error::check(0), Ok(()));
    }

    #[test]
    fn codes_are_the_manuals() {
        assert_eq!(Error::check(1), Err(Error::InvalidArgument));
        assert_eq!(Error::check(3), Err(Error::IllegalOperation));
        assert_eq!(Error::check(6), Err(Error::FailedLookup));
        assert_eq!(Error::check(10), Err(Error::NotEnoughMemory));
        assert_eq!(Error::check(11), Err(Error::Unknown(11)));
        assert_eq!(Error::check(Word::MAX), Err(Error::Unknown(Word::MAX)));
    }

    #[test]
    fn every_code_round_trips() {
        for code in 1..=seL4_NumErrors + 2 {
            assert_eq!(Error::check(code).unwrap_err().code(), code);
        }
    }

    #[test]
    fn display_names_the_error() {
        assert_eq!(
            format!("{}", Error::RangeError),
            "seL4_RangeError (4)".to_string()
        );
    }
}
