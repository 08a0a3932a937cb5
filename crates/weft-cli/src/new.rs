//! `weft new`: wrap a core module into a component.
//!
//! The world comes from `--wit` (and `--world`) or from the module's `component-type*` custom
//! sections. The output goes to `-o` (which may name a binary input, not a text one) or to
//! stdout, never to a terminal.

use std::path::PathBuf;

use anyhow::{anyhow, Context as _, Result};
use weft_component::{NewOptions, StringEncoding};

use crate::embed::{parse_encoding, read_core_module};
use crate::output;
use crate::wit::{load, select_world, Features};

// `weft new`: the command line.
// (Not a doc comment: clap would make it the subcommand's `about`, replacing the one
// `main.rs` gives, since subcommands' arguments are built late, `defer`.)
#[derive(clap::Args)]
pub struct Args {
    /// The core module: a `.wasm` binary or `.wat` text.
    module: PathBuf,
    /// The WIT package the module was built against (instead of its `component-type`
    /// custom sections): a `.wit` file or a package directory.
    #[arg(long, value_name = "PATH")]
    wit: Option<PathBuf>,
    /// The world in `--wit` (may be left out when the package has exactly one world).
    #[arg(long, short, requires = "wit")]
    world: Option<String>,
    /// The string encoding of the module's bindings (default: what its custom sections say,
    /// else `utf8`).
    #[arg(long, value_name = "ENCODING", value_parser = parse_encoding)]
    string_encoding: Option<StringEncoding>,
    /// An adapter for a core import module: `NAME=adapter.wasm`, or `adapter.wasm` for the
    /// name before the file name's first dot (`wasi_snapshot_preview1.command.wasm` →
    /// `wasi_snapshot_preview1`). A `wasi_snapshot_preview1` import needs none: weft has the
    /// preview1 adapter built in.
    #[arg(long, value_name = "[NAME=]FILE")]
    adapt: Vec<String>,
    /// Write the component to this file instead of stdout.
    #[arg(long, short)]
    output: Option<PathBuf>,
    #[command(flatten)]
    features: Features,
}

impl Args {
    /// Runs `weft new`.
    pub fn run(self) -> Result<()> {
        let mut inputs = vec![self.module.as_path()];
        inputs.extend(self.wit.as_deref());
        let adapter_paths: Vec<PathBuf> = self.adapt.iter().map(|s| adapter_spec(s).1).collect();
        inputs.extend(adapter_paths.iter().map(PathBuf::as_path));
        output::refuse_overwriting_source(self.output.as_deref(), &inputs, "wasm")?;
        let module = read_core_module(&self.module)?;
        let world = match &self.wit {
            Some(path) => {
                let (resolve, pkg) = load(path, &self.features)?;
                let world = match &self.world {
                    Some(name) => select_world(&resolve, pkg, name)?,
                    None => resolve
                        .select_world(pkg, None)
                        .map_err(|e| anyhow!(resolve.render_error(&e)))?,
                };
                Some((resolve, world))
            }
            None => None,
        };
        let mut adapters = Vec::new();
        for spec in &self.adapt {
            adapters.push(read_adapter(spec)?);
        }
        let bytes = weft_component::new_component(
            &module,
            NewOptions {
                world,
                string_encoding: self.string_encoding,
                adapters,
                no_builtin_adapter: false,
            },
        )
        .map_err(|e| anyhow!("{e}"))
        .with_context(|| format!("failed to make a component of `{}`", self.module.display()))?;
        output::write_binary(self.output.as_deref(), &bytes)
    }
}

/// `NAME=FILE` or `FILE` (the name is the file name up to its first dot).
/// `--adapt [NAME=]FILE`: the name (empty when it cannot be told from the file name) and the
/// file.
fn adapter_spec(spec: &str) -> (String, PathBuf) {
    match spec.split_once('=') {
        Some((name, path)) if !name.is_empty() && !name.contains(['/', '\\']) => {
            (name.to_string(), PathBuf::from(path))
        }
        _ => {
            let path = PathBuf::from(spec);
            let file = path
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            let name = file.split('.').next().unwrap_or_default().to_string();
            (name, path)
        }
    }
}

fn read_adapter(spec: &str) -> Result<(String, Vec<u8>)> {
    if let Some(file) = spec.strip_prefix('=') {
        anyhow::bail!(
            "`--adapt {spec}` has an empty name before `=`\n      = help: name the import module the adapter implements: `--adapt NAME={file}`, or leave out `=` to take the name from the file name"
        );
    }
    let (name, path) = adapter_spec(spec);
    if name.is_empty() {
        anyhow::bail!(
            "cannot tell the import module name of adapter `{spec}`\n      = help: name it: `--adapt NAME={spec}`"
        );
    }
    let bytes =
        read_core_module(&path).with_context(|| format!("failed to read adapter `{name}`"))?;
    Ok((name, bytes))
}
