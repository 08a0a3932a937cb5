//! Writing a command's output: to a file given with `-o` (through a temporary file and a
//! rename, so the file is never left half-written, and so `-o` may name a binary input), or to
//! stdout (no `-o`, or `-o -`), which never receives a binary when it is a terminal.
//!
//! `-o` through a symbolic link writes the file the link points to, as wasm-tools does; the
//! link stays a link. A FIFO or a device (`-o /dev/null`) is written directly, never replaced.
//! `-o` naming a text input (`.wat`, `.wit`) is refused before anything is written: replacing
//! source text with the output is never what was meant.

use std::fs;
use std::io::{self, IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context as _, Result};

/// Whether `-o PATH` means stdout (`-o -`).
pub fn is_stdout(path: &Path) -> bool {
    path == Path::new("-")
}

/// Whether `-o PATH` names something other than a regular file or a new one (a FIFO, a device
/// such as `/dev/null`): written directly, so what was written cannot be read back.
pub fn is_special(path: &Path) -> bool {
    destination(path)
        .ok()
        .and_then(|p| fs::metadata(p).ok())
        .is_some_and(|m| !m.is_file() && !m.is_dir())
}

/// Writes `bytes` to `path` through a temporary file beside it, renamed over it at the end.
/// An existing file keeps its permissions.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    Pending::write(path, |f| f.write_all(bytes))?.commit()
}

/// Writes text to `output`, or to stdout when there is none (or it is `-`).
pub fn write_text(output: Option<&Path>, text: &str) -> Result<()> {
    match output {
        Some(path) if !is_stdout(path) => write_file(path, text.as_bytes()),
        _ => write_stdout(text.as_bytes()),
    }
}

/// Writes a binary to `output`, or to stdout when there is none (or it is `-`); a terminal
/// stdout is refused.
pub fn write_binary(output: Option<&Path>, bytes: &[u8]) -> Result<()> {
    if let Some(path) = output.filter(|p| !is_stdout(p)) {
        return write_file(path, bytes);
    }
    if io::stdout().is_terminal() {
        bail!(
            "refusing to write a binary to the terminal\n      = help: name an output file with \
             `-o FILE`, or redirect stdout"
        );
    }
    write_stdout(bytes)
}

/// Writes `bytes` to stdout and flushes it (a closed pipe is `main`'s to end quietly).
pub fn write_stdout(bytes: &[u8]) -> Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .context("failed to write to stdout")
}

/// A file being written: a temporary file beside its path, renamed over the path by
/// [`Pending::commit`], removed if dropped before.
pub struct Pending {
    /// The path as given, for messages.
    shown: PathBuf,
    /// Where the file goes: the path, or the file a symbolic link there points to.
    path: PathBuf,
    /// The temporary file; `None` when the destination is not a regular file (a FIFO, a
    /// device such as `/dev/null`), which is written directly and never replaced.
    tmp: Option<PathBuf>,
    committed: bool,
}

impl Pending {
    /// Creates the temporary file for `path` and lets `write` fill it.
    pub fn write(
        path: &Path,
        write: impl FnOnce(&mut fs::File) -> io::Result<()>,
    ) -> Result<Pending> {
        let target = destination(path)?;
        let special = fs::metadata(&target).is_ok_and(|m| !m.is_file());
        let name = target
            .file_name()
            .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
        let pending = Pending {
            shown: path.to_path_buf(),
            tmp: (!special)
                .then(|| target.with_file_name(format!(".{name}.weft-{}", std::process::id()))),
            path: target,
            committed: false,
        };
        fs::File::create(pending.tmp.as_ref().unwrap_or(&pending.path))
            .and_then(|mut f| write(&mut f))
            .map_err(|e| write_error(path, &pending.path, &e))?;
        Ok(pending)
    }

    /// The file as written so far: the temporary file, or the destination itself.
    pub fn tmp_path(&self) -> &Path {
        self.tmp.as_ref().unwrap_or(&self.path)
    }

    /// Renames the temporary file over the path; an existing file keeps its permissions.
    pub fn commit(mut self) -> Result<()> {
        let Some(tmp) = &self.tmp else {
            self.committed = true;
            return Ok(());
        };
        let result = match fs::metadata(&self.path) {
            Ok(meta) => fs::set_permissions(tmp, meta.permissions()),
            Err(_) => Ok(()),
        }
        .and_then(|()| fs::rename(tmp, &self.path));
        self.committed = result.is_ok();
        result.map_err(|e| write_error(&self.shown, &self.path, &e))
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let (false, Some(tmp)) = (self.committed, &self.tmp) {
            let _ = fs::remove_file(tmp);
        }
    }
}

/// The file writing `path` replaces: `path` itself, or the file at the end of the symbolic
/// links there (which need not exist yet). A directory is an error that says so.
fn destination(path: &Path) -> Result<PathBuf> {
    let mut target = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&target) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = fs::read_link(&target)
                    .with_context(|| format!("failed to read the link `{}`", target.display()))?;
                // A relative link is relative to the directory holding it.
                target = match target.parent() {
                    Some(dir) => dir.join(link),
                    None => link,
                };
            }
            Ok(meta) if meta.is_dir() => bail!(
                "cannot write `{}`: it is a directory\n      = help: name a file in it: `-o {}`",
                path.display(),
                Path::new(path).join("NAME").display()
            ),
            _ => return Ok(target),
        }
    }
    bail!(
        "cannot write `{}`: too many levels of symbolic links",
        path.display()
    )
}

/// The error for writing `shown` (which lands in `target`) failing with `e`.
fn write_error(shown: &Path, target: &Path, e: &io::Error) -> anyhow::Error {
    let via = match shown == target {
        true => String::new(),
        false => format!(" (through the link, `{}`)", target.display()),
    };
    let help = match e.kind() {
        io::ErrorKind::NotFound => {
            "\n      = help: the directory it goes in does not exist; create it first"
        }
        io::ErrorKind::NotADirectory => {
            "\n      = help: a part of the path before the file name is not a directory"
        }
        io::ErrorKind::PermissionDenied => {
            "\n      = help: weft writes a temporary file in the directory that holds the output \
             and renames it over the file, so it needs permission to create files there"
        }
        _ => "",
    };
    anyhow!("failed to write `{}`{via}: {e}{help}", shown.display())
}

/// Refuses an output path that names one of `inputs` holding text (`.wat` or `.wit` source):
/// the command would replace the source with its output. Binary inputs may be replaced (`weft
/// embed m.wasm -o m.wasm` embeds in place). A directory input (a WIT package) counts its
/// files. `suggested` is the extension the help proposes for the output (`wasm`, `wit`).
pub fn refuse_overwriting_source(
    output: Option<&Path>,
    inputs: &[&Path],
    suggested: &str,
) -> Result<()> {
    let Some(output) = output.filter(|p| !is_stdout(p)) else {
        return Ok(());
    };
    // Only an existing file can be an input.
    let Ok(out) = destination(output).and_then(|p| Ok(fs::canonicalize(p)?)) else {
        return Ok(());
    };
    for input in inputs {
        let Ok(input_path) = fs::canonicalize(input) else {
            continue;
        };
        let clash = match input_path.is_dir() {
            true => files_under(&input_path).contains(&out) && is_text(&out),
            false => out == input_path && is_text(&out),
        };
        if clash {
            let stem = output
                .file_stem()
                .map_or_else(|| "out".into(), |s| s.to_string_lossy().into_owned());
            let mut other = output.with_file_name(format!("{stem}.{suggested}"));
            if other == output {
                other = output.with_file_name(format!("{stem}.out.{suggested}"));
            }
            bail!(
                "`-o {}` would replace the input `{}`, which is source text, with the output\n      \
                 = help: write the output to another file, e.g. `-o {}`",
                output.display(),
                input.display(),
                other.display()
            );
        }
    }
    Ok(())
}

/// Every file under directory `dir` (a WIT package with its `deps/`), as canonical paths:
/// links are followed, so a package file or dependency that lives elsewhere counts too.
fn files_under(dir: &Path) -> std::collections::HashSet<PathBuf> {
    let mut files = std::collections::HashSet::new();
    let mut seen = std::collections::HashSet::new();
    let mut work = vec![(dir.to_path_buf(), 0)];
    while let Some((dir, depth)) = work.pop() {
        if depth > 8 || !seen.insert(dir.clone()) {
            continue;
        }
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(path) = fs::canonicalize(entry.path()) else {
                continue;
            };
            match path.is_dir() {
                true => work.push((path, depth + 1)),
                false => {
                    files.insert(path);
                }
            }
        }
    }
    files
}

/// Whether the file at `path` holds text rather than a WebAssembly binary.
fn is_text(path: &Path) -> bool {
    use std::io::Read as _;
    let mut head = [0u8; 4];
    match fs::File::open(path).and_then(|mut f| f.read_exact(&mut head)) {
        Ok(()) => &head != b"\0asm",
        // Shorter than a header: not a binary.
        Err(e) => e.kind() == io::ErrorKind::UnexpectedEof,
    }
}

/// `text` for a terminal: control characters other than newlines and tabs (an escape
/// sequence in a name read from a binary could clear the screen or recolour it) written as
/// `\u{1b}`.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let is_bad = |c: char| c.is_control() && c != '\n' && c != '\t';
    if !text.chars().any(is_bad) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_bad(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}
