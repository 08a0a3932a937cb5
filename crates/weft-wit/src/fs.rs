//! The only filesystem code of `weft-wit`: a `.wit` file, or a package directory with its
//! `deps/` folder, read into source groups for the resolver.
//!
//! A package directory holds the package's `.wit` files (every one belongs to the package).
//! Its `deps/` folder holds one entry per dependency: a directory of `.wit` files or a single
//! `.wit` file. Dependencies of dependencies are found in the same `deps/` folder. Other files
//! (`.txt`, hidden files, …) are ignored.

use std::fs;
use std::path::{Path, PathBuf};

use crate::resolve::SourceGroup;
use crate::{Error, PackageId, Resolve, Result};

impl Resolve {
    /// Reads and resolves a `.wit` file, or a package directory and its `deps/`.
    /// Returns the main package.
    pub fn push_path(&mut self, path: impl AsRef<Path>) -> Result<PackageId> {
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
                        return Err(Error::io(format!(
                            "`{}` is a binary-encoded WIT package, which `weft wit` cannot read yet",
                            entry.display()
                        ))
                        .with_help("replace it with the package's `.wit` sources (for example from `wasm-tools component wit`)"));
                    }
                }
            }
        } else {
            groups.push(SourceGroup {
                files: vec![read_file(path)?],
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
    if bytes.starts_with(b"\0asm") {
        return Err(Error::io(format!(
            "`{}` is a WebAssembly binary, not WIT text",
            path.display()
        ))
        .with_help("`weft wit` reads `.wit` files; reading the WIT of a component binary is not supported yet"));
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
