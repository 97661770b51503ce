//! The IPC system calls (manual 4 and 5) and the message registers, with libsel4's
//! semantics: message registers 0-3 travel in CPU registers and the rest in the IPC
//! buffer, but the functions here load and store all of them through the IPC buffer, so
//! callers use `set_mr`/`get_mr` for every register (as with seL4_SetMR/seL4_GetMR).

use crate::cap::{CPtr, Endpoint, Notification};
use crate::consts::{
    IPC_BUFFER_OFFSET_CAPS_OR_BADGES, IPC_BUFFER_OFFSET_RECEIVE_CNODE,
    IPC_BUFFER_OFFSET_RECEIVE_DEPTH, IPC_BUFFER_OFFSET_RECEIVE_INDEX, Word, seL4_MsgMaxExtraCaps,
    seL4_MsgMaxLength, seL4_SysCall, seL4_SysNBRecv, seL4_SysNBSend, seL4_SysRecv, seL4_SysReply,
    seL4_SysReplyRecv, seL4_SysSend, seL4_SysYield,
};
use crate::message::MessageInfo;
use crate::raw::{self, FastMrs, IPC_MSG_INDEX};

const WORD: usize = core::mem::size_of::<Word>();

/// seL4_SetMR: message register `i` (< seL4_MsgMaxLength; panics otherwise).
pub fn set_mr(i: usize, value: Word) {
    assert!((i as Word) < seL4_MsgMaxLength, "message register {i}");
    raw::ipc_write(IPC_MSG_INDEX + i, value);
}

/// seL4_GetMR: message register `i` (< seL4_MsgMaxLength; panics otherwise).
pub fn get_mr(i: usize) -> Word {
    assert!((i as Word) < seL4_MsgMaxLength, "message register {i}");
    raw::ipc_read(IPC_MSG_INDEX + i)
}

/// seL4_SetCap: extra cap `i` (< seL4_MsgMaxExtraCaps) of the next message.
pub fn set_cap(i: usize, cap: CPtr) {
    assert!((i as Word) < seL4_MsgMaxExtraCaps, "extra cap {i}");
    raw::ipc_write(IPC_BUFFER_OFFSET_CAPS_OR_BADGES / WORD + i, cap.0);
}

/// seL4_GetBadge: the badge of extra cap `i` of the received message.
pub fn get_badge(i: usize) -> Word {
    assert!((i as Word) < seL4_MsgMaxExtraCaps, "extra cap {i}");
    raw::ipc_read(IPC_BUFFER_OFFSET_CAPS_OR_BADGES / WORD + i)
}

/// seL4_SetCapReceivePath: where a received cap goes (index resolved at `depth` in
/// `cnode`); a null CNode receives no caps.
pub fn set_cap_receive_path(cnode: CPtr, index: Word, depth: Word) {
    raw::ipc_write(IPC_BUFFER_OFFSET_RECEIVE_CNODE / WORD, cnode.0);
    raw::ipc_write(IPC_BUFFER_OFFSET_RECEIVE_INDEX / WORD, index);
    raw::ipc_write(IPC_BUFFER_OFFSET_RECEIVE_DEPTH / WORD, depth);
}

/// Message registers 0-3 of an outgoing message of `info.length()` registers.
fn fast_mrs_in(info: MessageInfo) -> FastMrs {
    let mut mrs = [0; 4];
    for (i, mr) in mrs.iter_mut().enumerate() {
        if (i as Word) < info.length() {
            *mr = get_mr(i);
        }
    }
    mrs
}

/// Stores received message registers 0-3 into the IPC buffer.
fn fast_mrs_out(mrs: FastMrs) {
    for (i, mr) in mrs.into_iter().enumerate() {
        set_mr(i, mr);
    }
}

impl Endpoint {
    /// seL4_Send: blocks until the message is delivered.
    pub fn send(self, info: MessageInfo) {
        raw::sys_send(seL4_SysSend, self.0.0, info.word(), fast_mrs_in(info));
    }

    /// seL4_NBSend: delivers the message only if a receiver is waiting.
    pub fn nb_send(self, info: MessageInfo) {
        raw::sys_send(seL4_SysNBSend, self.0.0, info.word(), fast_mrs_in(info));
    }

    /// seL4_Call: sends, then waits for the reply; returns the reply's message info.
    pub fn call(self, info: MessageInfo) -> MessageInfo {
        let (_, out, mrs) =
            raw::sys_send_recv(seL4_SysCall, self.0.0, info.word(), fast_mrs_in(info));
        fast_mrs_out(mrs);
        MessageInfo::from_word(out)
    }

    /// seL4_Recv: waits for a message; returns its message info and the sender's badge.
    pub fn recv(self) -> (MessageInfo, Word) {
        let (badge, info, mrs) = raw::sys_recv(seL4_SysRecv, self.0.0);
        fast_mrs_out(mrs);
        (MessageInfo::from_word(info), badge)
    }

    /// seL4_NBRecv: like recv, but returns at once if no message is waiting (then the
    /// badge is 0 and the message info is seL4_MessageInfo_new(0, 0, 0, 0)).
    pub fn nb_recv(self) -> (MessageInfo, Word) {
        let (badge, info, mrs) = raw::sys_recv(seL4_SysNBRecv, self.0.0);
        fast_mrs_out(mrs);
        (MessageInfo::from_word(info), badge)
    }

    /// seL4_ReplyRecv: replies to the last caller, then waits on this endpoint.
    pub fn reply_recv(self, reply: MessageInfo) -> (MessageInfo, Word) {
        let (badge, info, mrs) = raw::sys_send_recv(
            seL4_SysReplyRecv,
            self.0.0,
            reply.word(),
            fast_mrs_in(reply),
        );
        fast_mrs_out(mrs);
        (MessageInfo::from_word(info), badge)
    }
}

/// seL4_Reply: replies to the last caller (a no-op if there is none).
pub fn reply(info: MessageInfo) {
    raw::sys_send(seL4_SysReply, 0, info.word(), fast_mrs_in(info));
}

/// seL4_Yield.
pub fn yield_now() {
    raw::sys_null(seL4_SysYield);
}

impl Notification {
    /// seL4_Signal.
    pub fn signal(self) {
        let info = MessageInfo::new(0, 0, 0, 1);
        raw::sys_send(seL4_SysSend, self.0.0, info.word(), [0; 4]);
    }

    /// seL4_Wait: blocks until signalled; returns the accumulated badge bits.
    pub fn wait(self) -> Word {
        raw::sys_recv(seL4_SysRecv, self.0.0).0
    }

    /// seL4_Poll: the accumulated badge bits, 0 if the notification was not signalled.
    pub fn poll(self) -> Word {
        raw::sys_recv(seL4_SysNBRecv, self.0.0).0
    }
}
