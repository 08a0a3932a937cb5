//! `weft new`: wrap a core module into a component.
//!
//! The world comes from `--wit` (and `--world`) or from the module's `component-type*` custom
//! sections. The output goes to `-o` (which may name the input) or to stdout, never to a
//! terminal.

use std::path::PathBuf;

use anyhow::{anyhow, Context as _, Result};
use weft_component::{NewOptions, StringEncoding};

use crate::embed::{parse_encoding, read_core_module};
use crate::output;
use crate::wit::{load, select_world, Features};

/// `weft new`: the command line.
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
    /// Write the component to this file instead of stdout.
    #[arg(long, short)]
    output: Option<PathBuf>,
    #[command(flatten)]
    features: Features,
}

impl Args {
    /// Runs `weft new`.
    pub fn run(self) -> Result<()> {
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
        let bytes = weft_component::new_component(
            &module,
            NewOptions {
                world,
                string_encoding: self.string_encoding,
            },
        )
        .map_err(|e| anyhow!("{e}"))
        .with_context(|| format!("failed to make a component of `{}`", self.module.display()))?;
        output::write_binary(self.output.as_deref(), &bytes)
    }
}
