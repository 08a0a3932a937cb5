//! `weft compose`: one component from several, the root's imports (and, with
//! `--definitions`, the definitions' own, transitively) plugged with the definitions' exports.
//!
//! The work is `weft_compose::compose`; this module reads the inputs (binaries or `.wat`) and
//! writes the output through `output.rs` (to `-o`, or to stdout that is not a terminal).

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context as _, Result};
use weft_compose::{Composed, Input, Mode, Options};

use crate::input::Input as Bytes;
use crate::output;

// `weft compose`: the command line.
// (Not a doc comment: clap would make it the subcommand's `about`, replacing the one
// `main.rs` gives, since subcommands' arguments are built late, `defer`.)
#[derive(clap::Args)]
pub struct Args {
    /// The root component (the socket): a `.wasm` binary or `.wat` text.
    #[arg(required_unless_present = "config", conflicts_with = "config")]
    root: Option<PathBuf>,
    /// A definition: its exports plug the root's imports and, transitively, other
    /// definitions' imports. Each one used is instantiated once; one nothing uses is left out.
    #[arg(long, short = 'd', value_name = "DEP", num_args = 1.., required_unless_present_any = ["plug", "config"], conflicts_with = "config")]
    definitions: Vec<PathBuf>,
    /// A composition file (TOML): the root, the dependencies by name, and explicit plugs for
    /// imports that automatic matching cannot settle (see `weft_compose::config`).
    #[arg(long, value_name = "FILE", conflicts_with = "plug")]
    config: Option<PathBuf>,
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
        let out = self.output.as_deref();
        let Some(root_path) = &self.root else {
            let config = self
                .config
                .as_deref()
                .expect("clap requires ROOT or --config");
            let (placed, left_out) = compose_config(config, out)?;
            finish(out, placed)?;
            note_left_out(&left_out);
            return Ok(());
        };
        let (mode, deps) = if self.plug.is_empty() {
            (Mode::Definitions, &self.definitions)
        } else {
            (Mode::Plug, &self.plug)
        };
        let root = read(root_path)?;
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
            label: label(root_path),
            bytes: &root,
        };
        let options = Options {
            mode,
            plugs: Vec::new(),
        };
        let mut left_out = Vec::new();
        let placed = weft_compose::compose_into(root_input, &defs, &options, |c| {
            left_out = c
                .left_out()
                .iter()
                .map(|&i| defs[i - 1].label.clone())
                .collect();
            place(out, c)
        })?
        .map_err(|e| anyhow!("{e}"))
        .with_context(|| format!("failed to compose `{}`", root_path.display()))?;
        finish(out, placed)?;
        note_left_out(&left_out);
        Ok(())
    }
}

/// Says which definitions the composition left out (nothing imports what they export), so
/// that a misspelt interface or version does not go unnoticed.
fn note_left_out(labels: &[String]) {
    for label in labels {
        eprintln!("note: `{label}` plugs no import, so it is not part of the composition");
    }
}

/// Where a composition is put before it is validated as a whole.
enum Placed {
    /// A large one going to a file: written (the inputs' bytes straight from their maps, never
    /// through a buffer) to the temporary file, which is mapped back to be validated.
    File(output::Pending, Bytes),
    /// Anything else: in memory, written once it is valid.
    Memory(Vec<u8>),
}

impl std::ops::Deref for Placed {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Placed::File(_, bytes) => bytes,
            Placed::Memory(bytes) => bytes,
        }
    }
}

/// Places a composition bound for `out` (see [`Placed`]).
fn place(out: Option<&Path>, composed: &Composed<'_>) -> Result<Placed> {
    match out {
        Some(path) if composed.len() >= crate::input::MAP_AT as usize => {
            let pending = output::Pending::write(path, |f| composed.write_to(f))?;
            let bytes = crate::input::read(pending.tmp_path())?;
            Ok(Placed::File(pending, bytes))
        }
        _ => Ok(Placed::Memory(composed.to_vec())),
    }
}

/// Writes a validated composition to `out` (its temporary file renamed into place), or to
/// stdout.
fn finish(out: Option<&Path>, placed: Placed) -> Result<()> {
    match placed {
        Placed::File(pending, bytes) => {
            drop(bytes);
            pending.commit()
        }
        Placed::Memory(bytes) => output::write_binary(out, &bytes),
    }
}

/// `--config FILE`: the composition the file describes, its paths relative to it, placed for
/// `out`, and the dependencies it left out. Inputs are called by their paths as the file
/// writes them.
fn compose_config(path: &Path, out: Option<&Path>) -> Result<(Placed, Vec<String>)> {
    let shown = path.display().to_string();
    let fail = || format!("failed to compose `{shown}`");
    let text =
        std::fs::read_to_string(path).with_context(|| format!("failed to read `{shown}`"))?;
    let config = weft_compose::config::Config::parse(&text)
        .map_err(|e| anyhow!("{e}"))
        .with_context(fail)?;
    let dir = path.parent().unwrap_or(Path::new(""));
    let mut left_out = Vec::new();
    let placed = config
        .compose_into(
            |p| read(&dir.join(p)),
            |c| {
                left_out = c
                    .left_out()
                    .iter()
                    .map(|&i| config.dependencies[i - 1].path.clone())
                    .collect();
                place(out, c)
            },
        )?
        .map_err(|e| anyhow!("{e}"))
        .with_context(fail)?;
    Ok((placed, left_out))
}

/// What messages call an input: its path as given.
fn label(path: &Path) -> String {
    path.display().to_string()
}

/// A component's bytes: a binary as is (mapped when large, never copied), `.wat` text parsed.
fn read(path: &Path) -> Result<Bytes> {
    let bytes = crate::input::read(path)?;
    match weft_binary::kind(&bytes) {
        weft_binary::Kind::Text => Ok(Bytes::Read(
            wat::parse_bytes(&bytes)
                .map_err(|e| anyhow!("{e}"))
                .with_context(|| format!("failed to parse `{}`", path.display()))?
                .into_owned(),
        )),
        weft_binary::Kind::Module => bail!(
            "`{}` is a core module, not a component\n      = help: wrap it with `weft new` first",
            path.display()
        ),
        _ => Ok(bytes),
    }
}
