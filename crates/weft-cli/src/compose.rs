//! `weft compose`: one component from several, the root's imports (and, with
//! `--definitions`, the definitions' own, transitively) plugged with the definitions' exports.
//!
//! The work is `weft_compose::compose`; this module reads the inputs (binaries or `.wat`) and
//! writes the output through `output.rs` (to `-o`, or to stdout that is not a terminal).

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context as _, Result};
use weft_compose::{Input, Mode};

use crate::output;

/// `weft compose`: the command line.
#[derive(clap::Args)]
pub struct Args {
    /// The root component (the socket): a `.wasm` binary or `.wat` text.
    root: PathBuf,
    /// A definition: its exports plug the root's imports and, transitively, other
    /// definitions' imports. Each one used is instantiated once; one nothing uses is left out.
    #[arg(long, short = 'd', value_name = "DEP", num_args = 1.., required_unless_present = "plug")]
    definitions: Vec<PathBuf>,
    /// A plug (as `wac plug`): its exports plug the root's imports only, and it must plug at
    /// least one; its own imports become imports of the result.
    #[arg(long, value_name = "DEP", num_args = 1.., conflicts_with = "definitions")]
    plug: Vec<PathBuf>,
    /// Write the component to this file instead of stdout.
    #[arg(long, short)]
    output: Option<PathBuf>,
}

impl Args {
    /// Runs `weft compose`.
    pub fn run(self) -> Result<()> {
        let (mode, deps) = if self.plug.is_empty() {
            (Mode::Definitions, &self.definitions)
        } else {
            (Mode::Plug, &self.plug)
        };
        let root = read(&self.root)?;
        let mut inputs = Vec::new();
        for d in deps {
            inputs.push((label(d), read(d)?));
        }
        let defs: Vec<Input<'_>> = inputs
            .iter()
            .map(|(label, bytes)| Input {
                label: label.clone(),
                bytes,
            })
            .collect();
        let root_input = Input {
            label: label(&self.root),
            bytes: &root,
        };
        let bytes = weft_compose::compose(root_input, &defs, mode)
            .map_err(|e| anyhow!("{e}"))
            .with_context(|| format!("failed to compose `{}`", self.root.display()))?;
        output::write_binary(self.output.as_deref(), &bytes)
    }
}

/// What messages call an input: its path as given.
fn label(path: &Path) -> String {
    path.display().to_string()
}

/// A component's bytes: a binary as is, `.wat` text parsed.
fn read(path: &Path) -> Result<Vec<u8>> {
    let bytes = crate::input::read(path)?;
    match weft_binary::kind(&bytes) {
        weft_binary::Kind::Text => Ok(wat::parse_bytes(&bytes)
            .map_err(|e| anyhow!("{e}"))
            .with_context(|| format!("failed to parse `{}`", path.display()))?
            .into_owned()),
        weft_binary::Kind::Module => bail!(
            "`{}` is a core module, not a component\n      = help: wrap it with `weft new` first",
            path.display()
        ),
        _ => Ok(bytes.to_vec()),
    }
}
