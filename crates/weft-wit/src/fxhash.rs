//! A fast, non-cryptographic hasher for internal maps, shared by weft's crates: rustc's FxHash
//! (the `rustc-hash` crate, which wasmtime's Cranelift already links in). Keys are names and ids
//! from the input being processed, and no map outlives one command, so hash flooding can at
//! worst slow one run down.

pub use rustc_hash::FxHasher;

/// `HashMap` with [`FxHasher`].
pub type HashMap<K, V> = rustc_hash::FxHashMap<K, V>;
/// `HashSet` with [`FxHasher`].
pub type HashSet<K> = rustc_hash::FxHashSet<K>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn distinguishes_nearby_keys() {
        let b = rustc_hash::FxBuildHasher;
        let keys = [
            "a",
            "b",
            "ab",
            "ba",
            "abcdefgh",
            "abcdefghi",
            "",
            "a-b",
            "ab-",
        ];
        let hashes: HashSet<u64> = keys.iter().map(|k| b.hash_one(k)).collect();
        assert_eq!(hashes.len(), keys.len());
    }
}
