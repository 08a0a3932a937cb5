//! Helpers shared by the decoder tests (`decode.rs`) and the real-toolchain fixture tests
//! (`fixtures.rs`): the cached `wasm-tools component wit --json` oracle, the JSON comparison in
//! canonical form, and WIT text laid out by weft's formatter.

// Each test binary compiles this module and uses a part of it.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};

use weft_component::Decoded;
use weft_test_util::canon::canonicalize;
use weft_test_util::{diff, pretty, repo_root, run_wasm_tools};

/// FNV-1a over the bytes, for cache keys.
pub fn hash(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}")
}

/// `target/decode-cache/`, where the oracle's outputs are kept (created if missing).
pub fn cache_dir() -> PathBuf {
    let dir = repo_root().join("target").join("decode-cache");
    let _ = fs::create_dir_all(&dir);
    dir
}

/// `wasm-tools component wit --json` of a binary, cached.
pub fn oracle_json(wt: &Path, wasm: &[u8]) -> Result<serde_json::Value, String> {
    let mut key = b"wit-json".to_vec();
    key.extend_from_slice(wasm);
    let h = hash(&key);
    let cached = cache_dir().join(format!("{h}.json"));
    let text = match fs::read_to_string(&cached) {
        Ok(t) => t,
        Err(_) => {
            let input = cache_dir().join(format!("{h}.input.wasm"));
            fs::write(&input, wasm).map_err(|e| e.to_string())?;
            let t = run_wasm_tools(
                wt,
                &[
                    OsStr::new("component"),
                    OsStr::new("wit"),
                    OsStr::new("--json"),
                    input.as_os_str(),
                ],
            )?;
            let _ = fs::remove_file(&input);
            fs::write(&cached, &t).map_err(|e| e.to_string())?;
            t
        }
    };
    serde_json::from_str(&text).map_err(|e| e.to_string())
}

/// Our JSON against the oracle's, both canonical.
pub fn compare_json(wt: &Path, wasm: &[u8], decoded: &Decoded) -> Result<(), String> {
    let expected = canonicalize(&oracle_json(wt, wasm)?)?;
    let ours = canonicalize(&weft_wit::json::to_json(decoded.resolve()))?;
    if expected != ours {
        return Err(format!(
            "JSON differs from `wasm-tools component wit --json` (- wasm-tools, + weft)\n{}",
            diff(&pretty(&expected), &pretty(&ours))
        ));
    }
    Ok(())
}

/// WIT text laid out by weft's formatter (`what` names it in the error), so that texts from
/// different printers can be compared.
pub fn format_wit(what: &str, text: &str) -> Result<String, String> {
    weft_wit::format::format_source(what, text).map_err(|e| {
        let mut map = weft_wit::SourceMap::default();
        map.push(what.to_string(), text.to_string());
        format!("{what} does not format: {}", e.render(&map))
    })
}
