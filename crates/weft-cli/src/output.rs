//! Writing a command's output: to a file given with `-o` (through a temporary file and a
//! rename, so the file is never left half-written, and so `-o` may name the input), or to
//! stdout, which never receives a binary when it is a terminal.

use std::fs;
use std::io::{self, IsTerminal as _, Write as _};
use std::path::Path;

use anyhow::{bail, Context as _, Result};

/// Writes `bytes` to `path` through a temporary file beside it, renamed over it at the end.
/// An existing file keeps its permissions.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let tmp = path.with_file_name(format!(".{name}.weft-{}", std::process::id()));
    let result = fs::write(&tmp, bytes)
        .and_then(|()| match fs::metadata(path) {
            Ok(meta) => fs::set_permissions(&tmp, meta.permissions()),
            Err(_) => Ok(()),
        })
        .and_then(|()| fs::rename(&tmp, path));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.with_context(|| format!("failed to write `{}`", path.display()))
}

/// Writes a binary to `output`, or to stdout when there is none; a terminal stdout is refused.
pub fn write_binary(output: Option<&Path>, bytes: &[u8]) -> Result<()> {
    if let Some(path) = output {
        return write_file(path, bytes);
    }
    let mut out = io::stdout().lock();
    if out.is_terminal() {
        bail!(
            "refusing to write a binary to the terminal\n      = help: name an output file with \
             `-o FILE`, or redirect stdout"
        );
    }
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .context("failed to write to stdout")
}
