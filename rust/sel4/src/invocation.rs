//! Object invocations (manual ch. 10): a request is built by a pure function (host
//! tested) and performed by `invoke`, which packs it as libsel4's generated stubs do:
//! word arguments in message registers in declaration order, capability arguments in
//! the IPC buffer's extra-cap slots, the error in the reply's label.

use crate::cap::{CNode, CPtr, CapRights, IrqHandler, Tcb};
use crate::consts::{
    CNodeCopy, CNodeDelete, CNodeMint, CNodeMove, CNodeRevoke, IRQAckIRQ, TCBResume, TCBSuspend,
    Word, seL4_MsgMaxExtraCaps, seL4_SysCall,
};
use crate::error::Error;
use crate::ipc::{set_cap, set_mr};
use crate::message::MessageInfo;
use crate::raw;

/// The most word arguments of the invocations built here (CNode_Mint: 6).
pub const MAX_ARGS: usize = 6;
const MAX_CAPS: usize = seL4_MsgMaxExtraCaps as usize;

/// One invocation request: label, word arguments, capability arguments.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Invocation {
    label: Word,
    args: [Word; MAX_ARGS],
    nargs: usize,
    caps: [CPtr; MAX_CAPS],
    ncaps: usize,
}

impl Invocation {
    /// A request.  The sizes are fixed by each builder below (never by a caller's
    /// data), so exceeding them is a bug in this module: it panics.
    const fn new<const A: usize, const C: usize>(
        label: Word,
        args: [Word; A],
        caps: [CPtr; C],
    ) -> Self {
        assert!(A <= MAX_ARGS && C <= MAX_CAPS);
        let mut inv = Invocation {
            label,
            args: [0; MAX_ARGS],
            nargs: A,
            caps: [CPtr::NULL; MAX_CAPS],
            ncaps: C,
        };
        let mut i = 0;
        while i < A {
            inv.args[i] = args[i];
            i += 1;
        }
        let mut i = 0;
        while i < C {
            inv.caps[i] = caps[i];
            i += 1;
        }
        inv
    }

    /// The request's message info: label, extraCaps = caps, length = words.
    pub const fn info(&self) -> MessageInfo {
        MessageInfo::new(self.label, 0, self.ncaps as Word, self.nargs as Word)
    }

    pub fn args(&self) -> &[Word] {
        &self.args[..self.nargs]
    }

    pub fn caps(&self) -> &[CPtr] {
        &self.caps[..self.ncaps]
    }

    /// seL4_TCB_Suspend.
    pub const fn tcb_suspend() -> Self {
        Self::new(TCBSuspend, [], [])
    }

    /// seL4_TCB_Resume.
    pub const fn tcb_resume() -> Self {
        Self::new(TCBResume, [], [])
    }

    /// seL4_IRQHandler_Ack.
    pub const fn irq_handler_ack() -> Self {
        Self::new(IRQAckIRQ, [], [])
    }

    /// seL4_CNode_Copy.
    pub const fn cnode_copy(
        dest_index: Word,
        dest_depth: u8,
        src_root: CNode,
        src_index: Word,
        src_depth: u8,
        rights: CapRights,
    ) -> Self {
        Self::new(
            CNodeCopy,
            [
                dest_index,
                dest_depth as Word,
                src_index,
                src_depth as Word,
                rights.word(),
            ],
            [src_root.0],
        )
    }

    /// seL4_CNode_Mint.
    #[allow(clippy::too_many_arguments)]
    pub const fn cnode_mint(
        dest_index: Word,
        dest_depth: u8,
        src_root: CNode,
        src_index: Word,
        src_depth: u8,
        rights: CapRights,
        badge: Word,
    ) -> Self {
        Self::new(
            CNodeMint,
            [
                dest_index,
                dest_depth as Word,
                src_index,
                src_depth as Word,
                rights.word(),
                badge,
            ],
            [src_root.0],
        )
    }

    /// seL4_CNode_Move.
    pub const fn cnode_move(
        dest_index: Word,
        dest_depth: u8,
        src_root: CNode,
        src_index: Word,
        src_depth: u8,
    ) -> Self {
        Self::new(
            CNodeMove,
            [dest_index, dest_depth as Word, src_index, src_depth as Word],
            [src_root.0],
        )
    }

    /// seL4_CNode_Delete.
    pub const fn cnode_delete(index: Word, depth: u8) -> Self {
        Self::new(CNodeDelete, [index, depth as Word], [])
    }

    /// seL4_CNode_Revoke.
    pub const fn cnode_revoke(index: Word, depth: u8) -> Self {
        Self::new(CNodeRevoke, [index, depth as Word], [])
    }
}

/// Performs `inv` on `service` with seL4_Call and returns the error in the reply's
/// label.  On an error, message registers 0-3 hold the kernel's details (get_mr), as
/// with libsel4.
pub fn invoke(service: CPtr, inv: &Invocation) -> Result<(), Error> {
    for (i, cap) in inv.caps().iter().enumerate() {
        set_cap(i, *cap);
    }
    let mut fast = [0; 4];
    for (i, arg) in inv.args().iter().enumerate() {
        match fast.get_mut(i) {
            Some(mr) => *mr = *arg,
            None => set_mr(i, *arg),
        }
    }
    let (_, reply, mrs) = raw::sys_send_recv(seL4_SysCall, service.0, inv.info().word(), fast);
    let result = Error::check(MessageInfo::from_word(reply).label());
    if result.is_err() {
        for (i, mr) in mrs.into_iter().enumerate() {
            set_mr(i, mr);
        }
    }
    result
}

impl Tcb {
    /// seL4_TCB_Suspend.
    pub fn suspend(self) -> Result<(), Error> {
        invoke(self.0, &Invocation::tcb_suspend())
    }

    /// seL4_TCB_Resume.
    pub fn resume(self) -> Result<(), Error> {
        invoke(self.0, &Invocation::tcb_resume())
    }
}

impl IrqHandler {
    /// seL4_IRQHandler_Ack.
    pub fn ack(self) -> Result<(), Error> {
        invoke(self.0, &Invocation::irq_handler_ack())
    }
}

impl CNode {
    /// seL4_CNode_Copy: copies the cap at src_root/src_index/src_depth into this CNode's
    /// slot dest_index/dest_depth with `rights` (at most the source's).
    pub fn copy(
        self,
        dest_index: Word,
        dest_depth: u8,
        src_root: CNode,
        src_index: Word,
        src_depth: u8,
        rights: CapRights,
    ) -> Result<(), Error> {
        let inv = Invocation::cnode_copy(
            dest_index, dest_depth, src_root, src_index, src_depth, rights,
        );
        invoke(self.0, &inv)
    }

    /// seL4_CNode_Mint: like copy, and sets the badge (or guard) of the new cap.
    #[allow(clippy::too_many_arguments)]
    pub fn mint(
        self,
        dest_index: Word,
        dest_depth: u8,
        src_root: CNode,
        src_index: Word,
        src_depth: u8,
        rights: CapRights,
        badge: Word,
    ) -> Result<(), Error> {
        let inv = Invocation::cnode_mint(
            dest_index, dest_depth, src_root, src_index, src_depth, rights, badge,
        );
        invoke(self.0, &inv)
    }

    /// seL4_CNode_Move.
    pub fn move_cap(
        self,
        dest_index: Word,
        dest_depth: u8,
        src_root: CNode,
        src_index: Word,
        src_depth: u8,
    ) -> Result<(), Error> {
        let inv = Invocation::cnode_move(dest_index, dest_depth, src_root, src_index, src_depth);
        invoke(self.0, &inv)
    }

    /// seL4_CNode_Delete.
    pub fn delete(self, index: Word, depth: u8) -> Result<(), Error> {
        invoke(self.0, &Invocation::cnode_delete(index, depth))
    }

    /// seL4_CNode_Revoke.
    pub fn revoke(self, index: Word, depth: u8) -> Result<(), Error> {
        invoke(self.0, &Invocation::cnode_revoke(index, depth))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected packings follow the C stubs of sel4/invocations.h (libsel4's order).

    #[test]
    fn suspend_and_ack_carry_no_arguments() {
        let inv = Invocation::tcb_suspend();
        assert_eq!(inv.info(), MessageInfo::new(TCBSuspend, 0, 0, 0));
        assert!(inv.args().is_empty() && inv.caps().is_empty());
        let inv = Invocation::tcb_resume();
        assert_eq!(inv.info(), MessageInfo::new(TCBResume, 0, 0, 0));
        let inv = Invocation::irq_handler_ack();
        assert_eq!(inv.info(), MessageInfo::new(IRQAckIRQ, 0, 0, 0));
    }

    #[test]
    fn cnode_copy_packs_like_libsel4() {
        let inv = Invocation::cnode_copy(9, 64, CNode(CPtr(2)), 8, 64, CapRights::ALL);
        assert_eq!(inv.info(), MessageInfo::new(CNodeCopy, 0, 1, 5));
        assert_eq!(inv.args(), &[9, 64, 8, 64, 0xf]);
        assert_eq!(inv.caps(), &[CPtr(2)]);
    }

    #[test]
    fn cnode_mint_adds_the_badge() {
        let inv =
            Invocation::cnode_mint(10, 64, CNode(CPtr(2)), 8, 64, CapRights::READ_WRITE, 0x77);
        assert_eq!(inv.info(), MessageInfo::new(CNodeMint, 0, 1, 6));
        assert_eq!(inv.args(), &[10, 64, 8, 64, 0x3, 0x77]);
        assert_eq!(inv.caps(), &[CPtr(2)]);
    }

    #[test]
    fn cnode_move_delete_revoke() {
        let inv = Invocation::cnode_move(11, 64, CNode(CPtr(2)), 10, 64);
        assert_eq!(inv.info(), MessageInfo::new(CNodeMove, 0, 1, 4));
        assert_eq!(inv.args(), &[11, 64, 10, 64]);
        let inv = Invocation::cnode_delete(11, 64);
        assert_eq!(inv.info(), MessageInfo::new(CNodeDelete, 0, 0, 2));
        assert_eq!(inv.args(), &[11, 64]);
        let inv = Invocation::cnode_revoke(12, 32);
        assert_eq!(inv.info(), MessageInfo::new(CNodeRevoke, 0, 0, 2));
        assert_eq!(inv.args(), &[12, 32]);
    }

    #[test]
    fn labels_are_sel4_16s() {
        // seL4 16.0.0 x86_64 non-MCS (invocation.h); a change in the C header changes
        // the generated constants, and this test names the values users rely on.
        assert_eq!(TCBSuspend, 11);
        assert_eq!(CNodeCopy, 20);
        assert_eq!(IRQAckIRQ, 27);
    }
}
