//! The `irisops` binary: parses arguments and hands over to the api library.

/// mimalloc instead of glibc's malloc: the poll path allocates per varbind and per port, and
/// glibc's malloc/free (with its consolidation of freed tables) cost 18% of a poll's
/// instructions (callgrind, BENCHMARKS.md section 1).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    api::cli::main()
}
