#![no_std]
#![no_main]
#![forbid(unsafe_code)]
sel4::main!(main);
fn main(_startup: &sel4::Startup) -> i32 {
    0
}
