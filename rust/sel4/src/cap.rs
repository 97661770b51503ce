//! Capability pointers and the capability types the bindings invoke.  A CPtr is
//! resolved in the caller's CSpace at depth seL4_WordBits, as in every project program
//! (runtime/startup.h: one CNode whose guard makes every CPtr a slot number).

use crate::consts::{
    CAP_RIGHTS_GRANT_REPLY_SHIFT, CAP_RIGHTS_GRANT_SHIFT, CAP_RIGHTS_READ_SHIFT,
    CAP_RIGHTS_WRITE_SHIFT, Word, seL4_CapNull,
};

/// seL4_CPtr.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, PartialOrd, Ord, Hash)]
pub struct CPtr(pub Word);

impl CPtr {
    pub const NULL: CPtr = CPtr(seL4_CapNull);

    pub const fn is_null(self) -> bool {
        self.0 == seL4_CapNull
    }
}

/// seL4_CapRights_t.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct CapRights(Word);

impl CapRights {
    /// seL4_CapRights_new(grantReply, grant, read, write).
    pub const fn new(grant_reply: bool, grant: bool, read: bool, write: bool) -> Self {
        CapRights(
            ((grant_reply as Word) << CAP_RIGHTS_GRANT_REPLY_SHIFT)
                | ((grant as Word) << CAP_RIGHTS_GRANT_SHIFT)
                | ((read as Word) << CAP_RIGHTS_READ_SHIFT)
                | ((write as Word) << CAP_RIGHTS_WRITE_SHIFT),
        )
    }

    pub const ALL: CapRights = CapRights::new(true, true, true, true);
    pub const READ_WRITE: CapRights = CapRights::new(false, false, true, true);
    pub const CAN_READ: CapRights = CapRights::new(false, false, true, false);
    pub const NONE: CapRights = CapRights::new(false, false, false, false);

    pub const fn word(self) -> Word {
        self.0
    }
}

macro_rules! cap_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Debug)]
        pub struct $name(pub CPtr);

        impl $name {
            pub const fn cptr(self) -> CPtr {
                self.0
            }
        }
    };
}

cap_type!(
    /// An endpoint capability (Send, Call, Recv, ...: crate::ipc).
    Endpoint
);
cap_type!(
    /// A notification capability (Signal, Wait, Poll: crate::ipc).
    Notification
);
cap_type!(
    /// A TCB capability (seL4_TCB_*).
    Tcb
);
cap_type!(
    /// A CNode capability (seL4_CNode_*).
    CNode
);
cap_type!(
    /// An IRQ handler capability (seL4_IRQHandler_*).
    IrqHandler
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rights_are_the_manuals() {
        // grantReply | grant | read | write in bits 3..0 (sel4/types.h).
        assert_eq!(CapRights::ALL.word(), 0xf);
        assert_eq!(CapRights::READ_WRITE.word(), 0x3);
        assert_eq!(CapRights::CAN_READ.word(), 0x2);
        assert_eq!(CapRights::new(true, false, false, false).word(), 0x8);
        assert_eq!(CapRights::new(false, true, false, false).word(), 0x4);
        assert_eq!(CapRights::NONE.word(), 0);
    }

    #[test]
    fn null_cptr() {
        assert!(CPtr::NULL.is_null());
        assert!(!CPtr(5).is_null());
    }
}
