//! Links the `stratus` executable at a fixed address (non-PIE) on Linux.
//! The generated service-model tables are full of pointers; in a
//! position-independent executable every one is a load-time relocation
//! (~70k of them), which costs startup time and makes ~4 MiB of the binary
//! private memory in every process. Fixed-address linking resolves them
//! when linking instead. (The only loss is ASLR for the executable itself,
//! which a local emulator does not need.)

fn main() {
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
