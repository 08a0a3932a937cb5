//! `weft embed`: record the WIT world a core module was built against inside the module, as a
//! `component-type` custom section, the way bindings generators do. The module can then be
//! wrapped into a component.
//!
//! The input is a core module in binary or text form; a component, or a file that is not
//! WebAssembly, is refused with what it is. The output goes to `-o` (which may name a binary
//! input, to embed in place, but not a text one) or to stdout, never to a terminal; the input
//! is otherwise left alone.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context as _, Result};
use weft_component::StringEncoding;

use crate::output;
use crate::wit::{load, select_world, Features};

// `weft embed`: the command line.
// (Not a doc comment: clap would make it the subcommand's `about`, replacing the one
// `main.rs` gives, since subcommands' arguments are built late, `defer`.)
#[derive(clap::Args)]
pub struct Args {
    /// The core module: a `.wasm` binary or `.wat` text.
    module: PathBuf,
    /// The WIT package the world is in: a `.wit` file, or a package directory with an
    /// optional `deps/` folder.
    #[arg(long, value_name = "PATH")]
    wit: PathBuf,
    /// The world to embed (`name`, or `namespace:package/name@version` for a dependency's);
    /// may be left out when the package has exactly one world.
    #[arg(long, short)]
    world: Option<String>,
    /// The string encoding of the module's bindings.
    #[arg(long, value_name = "ENCODING", default_value = "utf8", value_parser = parse_encoding)]
    string_encoding: StringEncoding,
    /// Write the module to this file (which may be the input) instead of stdout.
    #[arg(long, short)]
    output: Option<PathBuf>,
    #[command(flatten)]
    features: Features,
}

pub(crate) fn parse_encoding(s: &str) -> Result<StringEncoding, String> {
    match s {
        "utf8" => Ok(StringEncoding::Utf8),
        "utf16" => Ok(StringEncoding::Utf16),
        // `compact-utf16` is wasm-tools' name for it.
        "latin1+utf16" | "compact-utf16" => Ok(StringEncoding::CompactUtf16),
        _ => Err("expected `utf8`, `utf16` or `latin1+utf16` (`compact-utf16`)".to_string()),
    }
}

impl Args {
    /// Runs `weft embed`.
    pub fn run(self) -> Result<()> {
        output::refuse_overwriting_source(
            self.output.as_deref(),
            &[&self.module, &self.wit],
            "wasm",
        )?;
        let module = read_core_module(&self.module)?;
        let (resolve, pkg) = load(&self.wit, &self.features)?;
        let world = match &self.world {
            Some(name) => select_world(&resolve, pkg, name)?,
            None => resolve
                .select_world(pkg, None)
                .map_err(|e| anyhow!(resolve.render_error(&e)))?,
        };
        let bytes = weft_component::embed(&module, &resolve, world, self.string_encoding)
            .map_err(|e| anyhow!("{e}"))
            .with_context(|| format!("failed to embed into `{}`", self.module.display()))?;
        output::write_binary(self.output.as_deref(), &bytes)
    }
}

/// Reads `path` as a core module: a binary, or text (`.wat`) turned into one.
pub(crate) fn read_core_module(path: &Path) -> Result<Vec<u8>> {
    let bytes = fs::read(path).with_context(|| format!("failed to read `{}`", path.display()))?;
    if !bytes.starts_with(b"\0asm") {
        // Not a binary: text format, or not WebAssembly at all.
        let looks_like_text = std::str::from_utf8(&bytes).is_ok_and(|t| {
            let t = t.trim_start();
            t.starts_with('(') || t.starts_with(";;")
        });
        if !looks_like_text {
            bail!(
                "`{}` is not a WebAssembly module (no `\\0asm` header, and not `.wat` text)",
                path.display()
            );
        }
        return check_is_core_module(path, crate::input::parse_text(path, &bytes)?);
    }
    check_is_core_module(path, bytes)
}

fn check_is_core_module(path: &Path, bytes: Vec<u8>) -> Result<Vec<u8>> {
    // Bytes 4..8: the version (1 for modules) and the layer (0 module, 1 component).
    match bytes.get(4..8) {
        Some([1, 0, 0, 0]) => Ok(bytes),
        Some([_, _, 1, 0]) => bail!(
            "`{}` is a component, not a core module\n      = help: `weft embed`, `weft new` and \
             `--adapt` take core modules; this file is already a component (`weft wit` and \
             `weft inspect` show what it holds)",
            path.display()
        ),
        _ => bail!(
            "`{}` is not a WebAssembly core module of a version weft knows",
            path.display()
        ),
    }
}
