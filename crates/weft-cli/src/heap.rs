//! Heap tuning for the WIT resolver's memory (glibc on Linux only; elsewhere nothing).
//!
//! Resolving WIT allocates about five times the text's size in heap for a package like WASI
//! 0.2, and thirty times for a large one with many types, in many small pieces; on a virtual
//! machine first touching each 4 KiB page costs more than the work done in it (`wit json` of
//! the 700 KB benchmark package: 5,100 page faults, a fifth of its time). weft-wit calls
//! [`expect_wit`] with the size of the text before it parses (`Resolve::before_parse`), and
//! the heap is prepared for what follows (BENCHMARKS.md, "WIT"):
//!
//! * below [`PREFAULT_WIT_BYTES`], nothing: the few pages are cheaper to fault one by one;
//! * up to [`LARGE_WIT_BYTES`], the heap is grown once by five times the text and its pages
//!   are faulted in by one system call (`MADV_POPULATE_WRITE`), not one trap each;
//! * above, the heap is grown once by a generous margin and marked for transparent huge
//!   pages, so it faults in 2 MiB at a time (a huge page costs more to clear than a small
//!   input touches, so smaller ones do not get them). That is done before the files are read
//!   ([`expect_large_wit`], from the size of the main package's files): done after, with the
//!   texts already in the heap, it saved a quarter fewer page faults.

/// Below this much WIT text the heap is left alone.
pub const PREFAULT_WIT_BYTES: usize = 64 << 10;

/// From this much WIT text on, the heap gets transparent huge pages: the size from which
/// weft-wit parses on two threads, where the resolver's memory grows large.
pub const LARGE_WIT_BYTES: usize = weft_wit::PARALLEL_PARSE_BYTES;

/// Whether the heap has been prepared already (once is enough: the margin stays).
static PREPARED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// `Resolve::before_parse`: prepares the heap for parsing and resolving `bytes` of WIT text,
/// unless [`expect_large_wit`] did already (see the module docs).
pub fn expect_wit(bytes: usize) {
    if bytes >= PREFAULT_WIT_BYTES {
        prepare(bytes);
    }
}

/// Prepares the heap for a WIT input whose main package's files hold `bytes`, before they
/// are read: huge pages from [`LARGE_WIT_BYTES`] on (see the module docs).
pub fn expect_large_wit(bytes: u64) {
    if bytes >= LARGE_WIT_BYTES as u64 {
        prepare(usize::try_from(bytes).unwrap_or(usize::MAX));
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(
    unsafe_code,
    reason = "tuning glibc's allocator and advising the kernel on the heap; see the SAFETY note"
)]
fn prepare(bytes: usize) {
    const MIB: usize = 1 << 20;
    const HUGE: usize = 2 * MIB;
    const PAGE: usize = 4096;
    if PREPARED.swap(true, std::sync::atomic::Ordering::Relaxed) {
        return;
    }
    let large = bytes >= LARGE_WIT_BYTES;
    // Measured: 0.9 MB of heap for WASI 0.2's 141 KB, 20 MB for the benchmark's 700 KB.
    let margin = match large {
        true => bytes.saturating_mul(40).clamp(16 * MIB, 512 * MIB),
        false => bytes * 5,
    };
    let as_int = |n: usize| libc::c_int::try_from(n).unwrap_or(libc::c_int::MAX);
    // SAFETY: `mallopt`, `malloc`, `free` and `sbrk(0)` are glibc's own entry points, called
    // with valid arguments; `madvise` only advises on, or faults in, the pages this call added
    // to the heap (between the break before and after the allocation), which stay mapped: the
    // trim threshold keeps `free` from giving them back.
    unsafe {
        // Blocks up to the margin come from the heap, not from maps of their own, and freed
        // memory stays in it.
        libc::mallopt(libc::M_MMAP_THRESHOLD, as_int(margin.clamp(MIB, 32 * MIB)));
        libc::mallopt(libc::M_TRIM_THRESHOLD, as_int(margin.saturating_mul(2)));
        let before = libc::sbrk(0) as usize;
        // One allocation grows the heap: by the margin itself for a prefault, by a megabyte
        // and the margin as padding for huge pages. `black_box`: an allocation only freed
        // again would be optimized away.
        let probe = if large {
            libc::mallopt(libc::M_TOP_PAD, as_int(margin));
            std::hint::black_box(libc::malloc(MIB))
        } else {
            std::hint::black_box(libc::malloc(margin))
        };
        let after = libc::sbrk(0) as usize;
        libc::free(probe);
        if before == usize::MAX || after == usize::MAX || after <= before {
            return;
        }
        // Advice only: without huge pages to give, or on a kernel before 5.14 (no
        // `MADV_POPULATE_WRITE`), pages just fault in as they would have.
        if large {
            let start = before.next_multiple_of(HUGE);
            if after > start + HUGE {
                libc::madvise(
                    start as *mut libc::c_void,
                    after - start,
                    libc::MADV_HUGEPAGE,
                );
            }
        } else {
            let start = before.next_multiple_of(PAGE);
            if after > start {
                libc::madvise(
                    start as *mut libc::c_void,
                    after - start,
                    libc::MADV_POPULATE_WRITE,
                );
            }
        }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn prepare(_bytes: usize) {}

/// About how many bytes of WIT text `path` holds: the file's size, or for a directory the
/// sizes of its `.wit` files (not of `deps/`: a main package is what makes an input large, and
/// a `stat` of every dependency would cost a tenth of what prefaulting saves).
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
