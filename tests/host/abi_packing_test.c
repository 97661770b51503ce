/* Bit-field packing of our ABI layer (sel4/types.h) against the layouts in the reference
 * manual: MessageInfo label:52 | capsUnwrapped:3 | extraCaps:2 | length:7, CapRights
 * grantReply | grant | read | write (bits 3..0), CNode_CapData guard:58 | guardSize:6. */
#include "check.h"
#include <sel4/sel4.h>

__thread seL4_IPCBuffer *__sel4_ipc_buffer;

static void message_info(void)
{
    seL4_MessageInfo_t m = seL4_MessageInfo_new(0x123, 5, 2, 0x45);
    CHECK_EQ(m.words[0], (0x123ull << 12) | (5u << 9) | (2u << 7) | 0x45u);
    CHECK_EQ(seL4_MessageInfo_get_label(m), 0x123);
    CHECK_EQ(seL4_MessageInfo_get_capsUnwrapped(m), 5);
    CHECK_EQ(seL4_MessageInfo_get_extraCaps(m), 2);
    CHECK_EQ(seL4_MessageInfo_get_length(m), 0x45);
    /* Out-of-range fields are cut to their width and never spill into neighbours. */
    m = seL4_MessageInfo_new(0, 0, 0, 0xff);
    CHECK_EQ(m.words[0], 0x7f);
    m = seL4_MessageInfo_new(0xfffffffffffffull, 0, 0, 0);
    CHECK_EQ(m.words[0], 0xfffffffffffff000ull);
    m = seL4_MessageInfo_set_length(m, 3);
    m = seL4_MessageInfo_set_extraCaps(m, 1);
    m = seL4_MessageInfo_set_capsUnwrapped(m, 7);
    m = seL4_MessageInfo_set_label(m, 9);
    CHECK_EQ(m.words[0], (9ull << 12) | (7u << 9) | (1u << 7) | 3u);
}

static void cap_rights(void)
{
    CHECK_EQ(seL4_CapRights_new(1, 0, 0, 0).words[0], 8);
    CHECK_EQ(seL4_CapRights_new(0, 1, 0, 0).words[0], 4);
    CHECK_EQ(seL4_CapRights_new(0, 0, 1, 0).words[0], 2);
    CHECK_EQ(seL4_CapRights_new(0, 0, 0, 1).words[0], 1);
    CHECK_EQ(seL4_AllRights.words[0], 0xf);
    CHECK_EQ(seL4_ReadWrite.words[0], 3);
    CHECK_EQ(seL4_NoWrite.words[0], 0xe);
    CHECK_EQ(seL4_NoRead.words[0], 0xd);
    seL4_CapRights_t r = { { 0xa } };
    CHECK_EQ(seL4_CapRights_get_capAllowGrantReply(r), 1);
    CHECK_EQ(seL4_CapRights_get_capAllowGrant(r), 0);
    CHECK_EQ(seL4_CapRights_get_capAllowRead(r), 1);
    CHECK_EQ(seL4_CapRights_get_capAllowWrite(r), 0);
}

static void cnode_cap_data(void)
{
    seL4_CNode_CapData_t d = seL4_CNode_CapData_new(0x5, 52);
    CHECK_EQ(d.words[0], (0x5ull << 6) | 52u);
    CHECK_EQ(seL4_CNode_CapData_get_guard(d), 5);
    CHECK_EQ(seL4_CNode_CapData_get_guardSize(d), 52);
    CHECK_EQ(seL4_CNode_CapData_new(0, 64).words[0], 0); /* 6-bit field: 64 wraps to 0 */
}

int main(void)
{
    message_info();
    cap_rights();
    cnode_cap_data();
    return check_result("abi_packing_test");
}
