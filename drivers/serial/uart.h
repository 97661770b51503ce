/* The 16550 UART (COM1 at 0x3F8, ISA IRQ 4): registers and bits the driver uses. */
#pragma once

#define UART_BASE 0x3F8u
#define UART_RBR (UART_BASE + 0) /* receive buffer (read), transmit holding (write) */
#define UART_THR (UART_BASE + 0)
#define UART_DLL (UART_BASE + 0) /* divisor latch, with LCR.DLAB */
#define UART_IER (UART_BASE + 1)
#define UART_DLM (UART_BASE + 1)
#define UART_IIR (UART_BASE + 2) /* interrupt identification (read) */
#define UART_FCR (UART_BASE + 2) /* FIFO control (write) */
#define UART_LCR (UART_BASE + 3)
#define UART_MCR (UART_BASE + 4)
#define UART_LSR (UART_BASE + 5)

#define UART_IER_RDI  0x01u /* received data available */
#define UART_IER_ELSI 0x04u /* receiver line status (break) */
#define UART_LCR_8N1  0x03u
#define UART_LCR_DLAB 0x80u
#define UART_FCR_ENABLE 0x01u /* FIFOs on (QEMU clears them when this bit changes) */
#define UART_MCR_DTR_RTS_OUT2 0x0Bu /* OUT2 gates the interrupt line on a PC */
#define UART_LSR_DR   0x01u
#define UART_LSR_BI   0x10u /* break: in sel4-sim, the end of input (sim/devices.h) */
#define UART_LSR_THRE 0x20u
#define UART_DIVISOR_115200 1u
