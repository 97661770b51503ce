/*
 * The crash-safe arena the RS keeps for a service (store/core/arena.h): an anonymous
 * memory-server object created once, charged to the service, and mapped read-write at
 * RS_ARENA_VADDR into every incarnation, so that what the service commits there survives
 * its crashes.  Which services get one: rs/server/survive.c (by image name).
 */
#pragma once

#define RS_ARENA_VADDR 0x20000000ul
#define RS_ARENA_SIZE  (64u * 1024u)
