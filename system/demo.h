/* The demo service's one request (demo.c): a job, sent with seL4_Send, MR0 = its number. */
#pragma once
#define DEMO_JOB 1u
