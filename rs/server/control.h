/* The control interface (rs/PROTOCOL.md): one request in, the reply out. */
#pragma once
#include <sel4/sel4.h>

/* Handles the request just received with `badge`; returns the reply to send. */
seL4_MessageInfo_t rs_control(seL4_MessageInfo_t info, seL4_Word badge);
