//! The `irisops` binary: parses arguments and hands over to the api library.

/// mimalloc instead of glibc's malloc: the poll path allocates per varbind and per port, and
/// glibc's malloc/free (with its consolidation of freed tables) cost 18% of a poll's
/// instructions (callgrind, BENCHMARKS.md section 1).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    // No transparent huge pages for this process. mimalloc asks for them on its arenas, and
    // khugepaged, scanning slowly in the background, later collapses each 2 MiB range that holds
    // a single used 4 KiB page into a resident huge page: a 2,000-device collector's RSS rose by
    // 40 MB around minute 22 of its hour with its live heap flat (AnonHugePages 100 MB;
    // BENCHMARKS.md, "Soak"). Best effort: a kernel without the flag keeps its default. Not
    // mimalloc's `no_thp` feature: it only stops the madvise, and a kernel in THP `always` mode
    // collapses the arenas all the same.
    #[cfg(target_os = "linux")]
    let _ = nix::sys::prctl::set_thp_disable(true);
    api::cli::main()
}
