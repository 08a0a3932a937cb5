//! Reading binary inputs: large files are memory-mapped, small ones read.
//!
//! Reading an 18 MB component into a fresh buffer costs more than decoding its interface (the
//! kernel copies every byte and the buffer's pages fault in one by one); mapping the file
//! costs a fraction of that. This and `heap.rs` are the only `unsafe` in `weft-cli`.

use std::fs::File;
use std::io::Read as _;
use std::ops::Deref;
use std::path::Path;

use anyhow::{Context as _, Result};

/// Files at least this large are mapped; smaller ones are read, which is as fast for them.
pub(crate) const MAP_AT: u64 = 1 << 20;

/// The bytes of an input file.
pub(crate) enum Input {
    Mapped(memmap2::Mmap),
    Read(Vec<u8>),
}

impl Deref for Input {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Input::Mapped(m) => m,
            Input::Read(v) => v,
        }
    }
}

/// Reads the file at `path`, mapping it when it is a large regular file.
pub(crate) fn read(path: &Path) -> Result<Input> {
    let context = || format!("failed to read `{}`", path.display());
    let mut file = File::open(path).with_context(context)?;
    let meta = file.metadata().with_context(context)?;
    if meta.is_file() && meta.len() >= MAP_AT {
        if let Some(map) = map(&file) {
            return Ok(Input::Mapped(map));
        }
    }
    // From the file already open (`fs::read` would open it again), sized by its length.
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.read_to_end(&mut bytes).with_context(context)?;
    Ok(Input::Read(bytes))
}

/// Maps `file` read-only, or `None` when it cannot be mapped (then it is read instead).
#[allow(
    unsafe_code,
    reason = "memory-mapping an input file; see the SAFETY note"
)]
fn map(file: &File) -> Option<memmap2::Mmap> {
    // SAFETY: the map is private and read-only, and weft only reads it, as plain bytes that are
    // parsed and validated like any other input. The one hazard is another process shrinking
    // the file while weft reads it: the kernel then raises SIGBUS and weft stops, as any
    // program would on a file truncated under it. weft never writes to its inputs (outputs go
    // to a new file renamed into place), so that cannot lose data. The one file weft maps that
    // it wrote itself is a composition's temporary output (`compose.rs`), mapped back after it
    // is written, to be validated, and never written again.
    unsafe { memmap2::Mmap::map(file) }.ok()
}

/// A WebAssembly input: a binary as is (mapped when large), `.wat` text parsed (its errors
/// name the file), anything else an error that says what the file is.
pub(crate) fn read_wasm(path: &Path) -> Result<Input> {
    let bytes = read(path)?;
    match weft_binary::kind(&bytes) {
        weft_binary::Kind::Text => parse_text(path, &bytes).map(Input::Read),
        weft_binary::Kind::Unknown => Err(not_wasm(path, &bytes)),
        _ => Ok(bytes),
    }
}

/// WebAssembly text (`.wat`) as a binary; an error names the file, line and column.
pub(crate) fn parse_text(path: &Path, text: &[u8]) -> Result<Vec<u8>> {
    wat::parse_bytes(text)
        .map(std::borrow::Cow::into_owned)
        .map_err(|mut e| {
            e.set_path(path);
            anyhow::anyhow!("{e}")
        })
}

/// The error for a file that is neither a WebAssembly binary nor WebAssembly text: what it
/// starts with, and where a WIT file goes instead.
pub(crate) fn not_wasm(path: &Path, bytes: &[u8]) -> anyhow::Error {
    let e = weft_binary::not_wasm(bytes);
    let help = match (path.extension().is_some_and(|x| x == "wit"), e.help()) {
        (true, _) => {
            "this is WIT text; `weft wit` reads it, and `weft wit PATH --wasm -o pkg.wasm` \
             makes a binary package of it"
                .to_string()
        }
        (false, Some(help)) => help.to_string(),
        (false, None) => "pass a WebAssembly binary (`.wasm`) or text (`.wat`)".to_string(),
    };
    anyhow::anyhow!(
        "`{}` is not WebAssembly: {}\n      = help: {help}",
        path.display(),
        e.message()
    )
}
