//! Heap tuning for inputs that need a large heap (glibc on Linux only; elsewhere nothing).
//!
//! Resolving a large WIT package allocates about 30 bytes of heap per byte of text, in many
//! small pieces, and on a virtual machine first touching each 4 KiB page costs more than the
//! work done in it: `wit json` of the 700 KB benchmark package took 5,100 page faults, a fifth
//! of its time. For such inputs the heap is grown once by a generous margin and marked for
//! transparent huge pages, so it faults in 2 MiB at a time (615 page faults, 17% less time;
//! BENCHMARKS.md, "WIT"). Small inputs are left alone: a huge page costs more to clear than
//! they touch.

/// Below this much WIT text the heap is left alone (the threshold at which weft-wit parses on
/// two threads too).
pub const LARGE_WIT_BYTES: u64 = 256 << 10;

/// Prepares the heap for about `bytes` of WIT text (see the module docs). Idempotent enough:
/// a second call only grows the margin.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(
    unsafe_code,
    reason = "tuning glibc's allocator and advising the kernel on the heap; see the SAFETY note"
)]
pub fn expect_wit(bytes: u64) {
    if bytes < LARGE_WIT_BYTES {
        return;
    }
    const MIB: usize = 1 << 20;
    const HUGE: usize = 2 * MIB;
    // Measured: 20 MB of heap for 700 KB of text.
    let margin = usize::try_from(bytes)
        .unwrap_or(usize::MAX)
        .saturating_mul(40)
        .clamp(16 * MIB, 512 * MIB);
    let as_int = |n: usize| libc::c_int::try_from(n).unwrap_or(libc::c_int::MAX);
    // SAFETY: `mallopt`, `malloc`, `free` and `sbrk(0)` are glibc's own entry points, called
    // with valid arguments; `madvise` only advises on the pages this call added to the heap
    // (between the break before and after the allocation), which stay mapped: the trim
    // threshold keeps `free` from giving them back.
    unsafe {
        // Large blocks (the resolver's arenas) come from the heap, not from their own maps,
        // and freed memory stays in it.
        libc::mallopt(libc::M_MMAP_THRESHOLD, as_int(32 * MIB));
        libc::mallopt(libc::M_TRIM_THRESHOLD, as_int(margin.saturating_mul(2)));
        libc::mallopt(libc::M_TOP_PAD, as_int(margin));
        let before = libc::sbrk(0) as usize;
        // `black_box`: an allocation only freed again would be optimized away.
        let probe = std::hint::black_box(libc::malloc(MIB));
        let after = libc::sbrk(0) as usize;
        libc::free(probe);
        if before == usize::MAX || after == usize::MAX || after <= before {
            return;
        }
        let start = before.next_multiple_of(HUGE);
        if after > start + HUGE {
            // Advice only: if the kernel has no huge pages to give, pages stay small.
            libc::madvise(
                start as *mut libc::c_void,
                after - start,
                libc::MADV_HUGEPAGE,
            );
        }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn expect_wit(_bytes: u64) {}

/// About how many bytes of WIT text `path` holds: the file's size, or for a directory the
/// sizes of its `.wit` files (not of `deps/`: a main package is what makes an input large).
pub fn wit_bytes(path: &std::path::Path, meta: &std::fs::Metadata) -> u64 {
    if meta.is_file() {
        return meta.len();
    }
    let Ok(entries) = std::fs::read_dir(path) else {
        return 0;
    };
    entries
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "wit"))
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum()
}
