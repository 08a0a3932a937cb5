//! The only filesystem code of `weft-wit`: a `.wit` file, or a package directory with its
//! `deps/` folder, read into source groups for the resolver.
//!
//! A package directory holds the package's `.wit` files (every one belongs to the package).
//! Its `deps/` folder holds one entry per dependency: a directory of `.wit` files or a single
//! `.wit` file. Dependencies of dependencies are found in the same `deps/` folder. Other files
//! (`.txt`, hidden files, …) are ignored.
//!
//! Binary-encoded WIT packages (`.wasm`, or `.wat` text) can be dependencies too, and a path
//! may name one. Decoding them is not this crate's job (it knows nothing of binaries): the
//! caller passes a [`BinaryLoader`] to [`Resolve::push_path_with`] (`weft_component::push_path`
//! does). Binary dependencies are pushed before the text packages, which may then use them.

use std::fs;
use std::path::{Path, PathBuf};

use crate::resolve::SourceGroup;
use crate::{Error, PackageId, Resolve, Result};

/// Decodes a binary-encoded WIT package (the bytes of a `.wasm` or `.wat` file at the given
/// path) into the `Resolve`, returning its package. See [`Resolve::push_path_with`].
pub type BinaryLoader<'a> = dyn FnMut(&mut Resolve, &Path, &[u8]) -> Result<PackageId> + 'a;

impl Resolve {
    /// Reads and resolves a `.wit` file, or a package directory and its `deps/`.
    /// Returns the main package.
    ///
    /// Binary-encoded packages (`.wasm`, `.wat`) are rejected with a hint; use
    /// [`Resolve::push_path_with`] with a decoder to read them.
    pub fn push_path(&mut self, path: impl AsRef<Path>) -> Result<PackageId> {
        self.push_path_with(path, &mut |_: &mut Resolve, path: &Path, _: &[u8]| {
            Err(Error::io(format!(
                "`{}` is a binary-encoded WIT package, which `weft-wit` alone cannot read",
                path.display()
            ))
            .with_help("read it with `weft_component::push_path`, or replace it with the package's `.wit` sources"))
        })
    }

    /// Like [`Resolve::push_path`], with `binary` decoding binary-encoded WIT packages: a
    /// `.wasm` or `.wat` file in `deps/`, or a path whose contents are a WebAssembly binary
    /// (recognized by its `\0asm` header, whatever its extension) or whose extension is
    /// `.wasm`/`.wat`. Binary dependencies are pushed first, then the text packages.
    pub fn push_path_with(
        &mut self,
        path: impl AsRef<Path>,
        binary: &mut BinaryLoader<'_>,
    ) -> Result<PackageId> {
        let path = path.as_ref();
        let meta = fs::metadata(path).map_err(|e| io_error(path, &e))?;
        let mut groups = Vec::new();
        if meta.is_dir() {
            groups.push(read_dir_group(path)?);
            let deps = path.join("deps");
            if deps.is_dir() {
                for (entry, is_dir) in sorted_entries(&deps)? {
                    if is_dir {
                        groups.push(read_dir_group(&entry)?);
                    } else if has_extension(&entry, "wit") {
                        groups.push(SourceGroup {
                            files: vec![read_file(&entry)?],
                        });
                    } else if has_extension(&entry, "wasm") || has_extension(&entry, "wat") {
                        let bytes = fs::read(&entry).map_err(|e| io_error(&entry, &e))?;
                        binary(self, &entry, &bytes)?;
                    }
                }
            }
        } else {
            let bytes = fs::read(path).map_err(|e| io_error(path, &e))?;
            if bytes.starts_with(b"\0asm")
                || has_extension(path, "wasm")
                || has_extension(path, "wat")
            {
                return binary(self, path, &bytes);
            }
            groups.push(SourceGroup {
                files: vec![text_file(path, bytes)?],
            });
        }
        self.push_groups(groups)
    }

    /// Reads and resolves one `.wit` file (no dependencies are looked up).
    pub fn push_file(&mut self, path: impl AsRef<Path>) -> Result<PackageId> {
        let path = path.as_ref();
        self.push_groups(vec![SourceGroup {
            files: vec![read_file(path)?],
        }])
    }
}

/// Every `.wit` file directly in `dir`, sorted by name.
pub fn wit_files(dir: &Path) -> Result<Vec<PathBuf>> {
    Ok(sorted_entries(dir)?
        .into_iter()
        .filter(|(p, is_dir)| !is_dir && has_extension(p, "wit"))
        .map(|(p, _)| p)
        .collect())
}

fn read_dir_group(dir: &Path) -> Result<SourceGroup> {
    let files = wit_files(dir)?;
    if files.is_empty() {
        return Err(
            Error::io(format!("no `.wit` files found in `{}`", dir.display()))
                .with_help("a WIT package directory holds one or more `.wit` files"),
        );
    }
    let mut out = Vec::with_capacity(files.len());
    for f in files {
        out.push(read_file(&f)?);
    }
    Ok(SourceGroup { files: out })
}

fn read_file(path: &Path) -> Result<(String, String)> {
    let bytes = fs::read(path).map_err(|e| io_error(path, &e))?;
    text_file(path, bytes)
}

/// The text of a `.wit` file read as `bytes`, or an error naming a binary or non-UTF-8 file.
fn text_file(path: &Path, bytes: Vec<u8>) -> Result<(String, String)> {
    if bytes.starts_with(b"\0asm") {
        return Err(Error::io(format!(
            "`{}` is a WebAssembly binary, not WIT text",
            path.display()
        ))
        .with_help("a `.wit` file must be WIT text; name a binary-encoded package `.wasm` to use it as a dependency"));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        Error::io(format!(
            "`{}` is not valid UTF-8 (invalid byte at offset {})",
            path.display(),
            e.utf8_error().valid_up_to()
        ))
        .with_help("WIT files must be UTF-8 text; is this a binary file?")
    })?;
    Ok((path.display().to_string(), text))
}

/// The visible entries of `dir`, sorted, each with whether it is a directory (following
/// symbolic links). The type comes from the directory listing where the file system gives it,
/// so most entries cost no `stat`.
fn sorted_entries(dir: &Path) -> Result<Vec<(PathBuf, bool)>> {
    let mut entries = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| io_error(dir, &e))? {
        let entry = entry.map_err(|e| io_error(dir, &e))?;
        let path = entry.path();
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        let is_dir = match entry.file_type() {
            Ok(t) if !t.is_symlink() => t.is_dir(),
            _ => path.is_dir(),
        };
        entries.push((path, is_dir));
    }
    entries.sort();
    Ok(entries)
}

fn has_extension(path: &Path, ext: &str) -> bool {
    path.extension().and_then(|e| e.to_str()) == Some(ext)
}

fn io_error(path: &Path, e: &std::io::Error) -> Error {
    let err = Error::io(format!("failed to read `{}`: {e}", path.display()));
    match e.kind() {
        std::io::ErrorKind::NotFound => {
            err.with_help("check the path; `weft wit` takes a `.wit` file or a package directory")
        }
        std::io::ErrorKind::PermissionDenied => err.with_help("check the file's permissions"),
        _ => err,
    }
}
