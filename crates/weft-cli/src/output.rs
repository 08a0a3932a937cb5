//! Writing a command's output: to a file given with `-o` (through a temporary file and a
//! rename, so the file is never left half-written, and so `-o` may name the input), or to
//! stdout, which never receives a binary when it is a terminal.

use std::fs;
use std::io::{self, IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _, Result};

/// Writes `bytes` to `path` through a temporary file beside it, renamed over it at the end.
/// An existing file keeps its permissions.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    Pending::write(path, |f| f.write_all(bytes))?.commit()
}

/// A file being written: a temporary file beside its path, renamed over the path by
/// [`Pending::commit`], removed if dropped before.
pub struct Pending {
    path: PathBuf,
    tmp: PathBuf,
    committed: bool,
}

impl Pending {
    /// Creates the temporary file for `path` and lets `write` fill it.
    pub fn write(
        path: &Path,
        write: impl FnOnce(&mut fs::File) -> io::Result<()>,
    ) -> Result<Pending> {
        let name = path
            .file_name()
            .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
        let pending = Pending {
            path: path.to_path_buf(),
            tmp: path.with_file_name(format!(".{name}.weft-{}", std::process::id())),
            committed: false,
        };
        fs::File::create(&pending.tmp)
            .and_then(|mut f| write(&mut f))
            .with_context(|| format!("failed to write `{}`", path.display()))?;
        Ok(pending)
    }

    /// The temporary file, as written.
    pub fn tmp_path(&self) -> &Path {
        &self.tmp
    }

    /// Renames the temporary file over the path; an existing file keeps its permissions.
    pub fn commit(mut self) -> Result<()> {
        let result = match fs::metadata(&self.path) {
            Ok(meta) => fs::set_permissions(&self.tmp, meta.permissions()),
            Err(_) => Ok(()),
        }
        .and_then(|()| fs::rename(&self.tmp, &self.path));
        self.committed = result.is_ok();
        result.with_context(|| format!("failed to write `{}`", self.path.display()))
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_file(&self.tmp);
        }
    }
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
