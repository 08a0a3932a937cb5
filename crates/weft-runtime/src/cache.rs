//! weft's cache of compiled core modules.
//!
//! A compiled module is kept as wasmtime serializes it, uncompressed, in
//! `<cache dir>/modules/<sha256 of the module>-<engine settings>.cwasm`, and loaded with
//! `Module::deserialize_file`, which maps the file instead of reading it: the code is not
//! copied, and the linear memories' initial images are mapped copy-on-write straight from the
//! file, so that starting a component whose memory snapshot is megabytes (componentize-py's)
//! touches only the pages it uses. wasmtime's own cache compresses its files and reads them
//! back into memory, which costs a decompression and a copy of everything on every start.
//!
//! The key is the module's SHA-256, wasmtime's hash of the engine settings that compiled
//! code depends on (and wasmtime checks both its version and those settings again when it
//! loads a file), and the cache's format. A file is written to a temporary name unique to the
//! store (process id and a per-process counter) in the same directory and renamed into place,
//! so a reader never sees half of one; a file that fails to load is compiled again and
//! replaced. Writing is best effort: a cache that cannot be written is skipped.
//!
//! This is the only module of the crate with `unsafe` code (see the SAFETY note).

use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The cache's format, part of every key. 2: files stored before it may hold another
/// module's code (two threads storing at once could share a temporary file), so they are
/// never loaded again.
const FORMAT: u32 = 2;

/// A directory of compiled modules for one engine's settings.
pub(crate) struct ModuleCache {
    dir: PathBuf,
    /// The engine settings' part of every key.
    settings: u64,
}

impl ModuleCache {
    /// The cache under `root` for `engine`, whose directory is made when first written.
    pub(crate) fn new(root: &Path, engine: &wasmtime::Engine) -> ModuleCache {
        // `DefaultHasher::new()` has fixed keys: the same settings give the same key across
        // runs of one weft build (and a stale key only costs a compilation).
        let mut h = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut h);
        FORMAT.hash(&mut h);
        ModuleCache {
            dir: root.join("modules"),
            settings: h.finish(),
        }
    }

    /// The compiled module for `bytes`: from the cache, or compiled by `compile` and stored.
    pub(crate) fn get_or_compile(
        &self,
        engine: &wasmtime::Engine,
        bytes: &[u8],
        compile: impl FnOnce() -> wasmtime::Result<wasmtime::Module>,
    ) -> wasmtime::Result<wasmtime::Module> {
        let digest = Sha256::digest(bytes);
        let mut name = String::with_capacity(64 + 1 + 16 + 6);
        for b in digest {
            name.push_str(&format!("{b:02x}"));
        }
        name.push_str(&format!("-{:016x}.cwasm", self.settings));
        let path = self.dir.join(name);
        if path.is_file() {
            if let Ok(module) = load(engine, &path) {
                return Ok(module);
            }
        }
        let module = compile()?;
        // Best effort: a cache that cannot be written only means compiling next time too.
        let _ = self.store(&path, &module);
        Ok(module)
    }

    /// Writes `module` to `path` through a temporary file renamed into place.
    fn store(&self, path: &Path, module: &wasmtime::Module) -> std::io::Result<()> {
        let bytes = module
            .serialize()
            .map_err(|e| std::io::Error::other(format!("{e:#}")))?;
        std::fs::create_dir_all(&self.dir)?;
        // Unique to this store: the modules of one component compile (and are stored) on
        // several threads at once, and two stores that shared a temporary file would each
        // rename the other's code into place under their own key. `create_new` makes a
        // clash (a file left by a process of the same id) an error rather than a shared file.
        static STORES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let tmp = self.dir.join(format!(
            ".tmp-{}-{}",
            std::process::id(),
            STORES.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        let written = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .and_then(|mut f| {
                f.write_all(&bytes)?;
                f.sync_data()
            });
        match written.and_then(|()| std::fs::rename(&tmp, path)) {
            Ok(()) => Ok(()),
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                Err(e)
            }
        }
    }
}

/// Loads a compiled module that [`ModuleCache::store`] wrote.
#[allow(
    unsafe_code,
    reason = "loading weft's own compiled modules by mapping them; see the SAFETY note"
)]
fn load(engine: &wasmtime::Engine, path: &Path) -> wasmtime::Result<wasmtime::Module> {
    // SAFETY: `deserialize_file` runs the machine code in the file, so the file must be one
    // wasmtime serialized. It is: only `ModuleCache::store` writes into this directory, under
    // the user's own cache directory (the same trust wasmtime's cache places in its files),
    // through a temporary file renamed into place, so a file is never seen half-written.
    // wasmtime checks the header — its version and the engine settings — and refuses a file
    // that does not match. The file is mapped, so it must not be modified while the module
    // lives: weft never rewrites a file in place (a replacement is a new file renamed over the
    // old name, which leaves the mapped one intact).
    unsafe { wasmtime::Module::deserialize_file(engine, path) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Many modules stored at once from many threads (as one component's modules are) each
    /// come back as themselves: no store takes another's temporary file. (Format 1 named
    /// temporary files by process id and time, and two threads storing within one clock tick
    /// shared one, which a CI run caught as a composed component running another module's
    /// code; this test exercises concurrent stores but cannot force that timing.)
    #[test]
    fn concurrent_stores_keep_each_module_its_own() {
        let dir = std::env::temp_dir().join(format!("weft-cache-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let engine = wasmtime::Engine::default();
        let cache = ModuleCache::new(&dir, &engine);
        let modules: Vec<Vec<u8>> = (0..32)
            .map(|i| wat::parse_str(format!("(module (func (export \"f{i}\")))")).unwrap())
            .collect();
        let compile_all = || {
            std::thread::scope(|s| {
                let handles: Vec<_> = modules
                    .iter()
                    .map(|bytes| {
                        let (cache, engine) = (&cache, &engine);
                        s.spawn(move || {
                            cache
                                .get_or_compile(engine, bytes, || {
                                    wasmtime::Module::from_binary(engine, bytes)
                                })
                                .unwrap()
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap())
                    .collect::<Vec<_>>()
            })
        };
        compile_all();
        // The second time every module is loaded from its file.
        for (i, module) in compile_all().iter().enumerate() {
            let exports: Vec<&str> = module.exports().map(|e| e.name()).collect();
            assert_eq!(exports, [format!("f{i}").as_str()], "module {i}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
