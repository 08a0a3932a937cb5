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
    // Required unless `--config` is given, which `run` checks, to say what went wrong.
    #[arg(conflicts_with = "config")]
    root: Option<PathBuf>,
    /// A definition: its exports plug the root's imports and, transitively, other
    /// definitions' imports. Each one used is instantiated once; one nothing uses is left out.
    #[arg(long, short = 'd', value_name = "DEP", num_args = 1.., required_unless_present_any = ["plug", "config"], conflicts_with = "config")]
    definitions: Vec<PathBuf>,
    /// A composition file (TOML): the root, the dependencies by name, and explicit plugs for
    /// imports that automatic matching cannot settle.
    #[arg(long, value_name = "FILE", conflicts_with = "plug", long_help = CONFIG_HELP)]
    config: Option<PathBuf>,
    /// A plug (as `wac plug`): its exports plug the root's imports only, and it must plug at
    /// least one; its own imports become imports of the result.
    #[arg(long, value_name = "DEP", num_args = 1.., conflicts_with = "definitions")]
    plug: Vec<PathBuf>,
    /// Write the component to this file instead of stdout (`-o -` is stdout).
    #[arg(long, short)]
    output: Option<PathBuf>,
}

/// `--config`'s `--help`: the file's shape.
const CONFIG_HELP: &str = "A composition file (TOML): the root, the dependencies by name, and \
explicit plugs for imports that automatic matching cannot settle (two candidates) or would not \
find (an export of another name). Paths are relative to the file; every import it does not name \
is matched automatically, as with `-d`.

    root = \"app.wasm\"

    [dependencies]
    a = \"a.wasm\"
    b = { path = \"b.wasm\", imports = { \"a:b/log\" = \"a\" } }   # plugs one of b's imports

    [imports]                                              # the root's imports
    \"a:b/answer\" = \"b\"                                     # b's export of that name
    \"a:b/x\" = { dependency = \"a\", export = \"a:b/y\" }       # a's export `a:b/y`";

impl Args {
    /// Runs `weft compose`.
    pub fn run(self) -> Result<()> {
        let out = self.output.as_deref();
        let mut given: Vec<&Path> = self.root.iter().map(PathBuf::as_path).collect();
        given.extend(self.config.as_deref());
        given.extend(
            self.definitions
                .iter()
                .chain(&self.plug)
                .map(PathBuf::as_path),
        );
        output::refuse_overwriting_source(out, &given, "wasm")?;
        let Some(root_path) = &self.root else {
            let Some(config) = self.config.as_deref() else {
                return Err(missing_root(&self.definitions, &self.plug));
            };
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
        for (i, d) in deps.iter().enumerate() {
            if let Some(first) = deps[..i]
                .iter()
                .chain([root_path])
                .find(|p| same_file(p, d))
            {
                let also = match first == d {
                    true => String::new(),
                    false => format!(" (also as `{}`)", first.display()),
                };
                bail!(
                    "`{}` is given twice{also}\n      = help: give each component once",
                    d.display()
                );
            }
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
        Some(path)
            if !output::is_stdout(path)
                && !output::is_special(path)
                && composed.len() >= crate::input::MAP_AT as usize =>
        {
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
            |p| {
                let path = dir.join(p);
                output::refuse_overwriting_source(out, &[&path], "wasm")?;
                read(&path).with_context(|| format!("`{p}`, named in `{shown}`"))
            },
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

/// The error for a command line with neither a root nor `--config`. `-d`/`--plug` take every
/// path up to the next flag, so a root written after them was taken as one of them.
fn missing_root(definitions: &[PathBuf], plugs: &[PathBuf]) -> anyhow::Error {
    let (flag, given) = match plugs.is_empty() {
        true => ("-d", definitions),
        false => ("--plug", plugs),
    };
    match given.last() {
        Some(last) if given.len() > 1 => anyhow!(
            "no root component: `{flag}` takes every path after it up to the next flag, so \
             `{}` was read as one of its components\n      = help: put the root first: \
             `weft compose {} {flag} {}`",
            last.display(),
            last.display(),
            given[..given.len() - 1]
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(" ")
        ),
        _ => anyhow!(
            "no root component\n      = help: `weft compose ROOT -d DEP… -o OUT`, or \
             `weft compose --config FILE -o OUT`"
        ),
    }
}

/// Whether two paths name the same file (the same path, or the same file through links).
fn same_file(a: &Path, b: &Path) -> bool {
    a == b
        || matches!(
            (std::fs::canonicalize(a), std::fs::canonicalize(b)),
            (Ok(a), Ok(b)) if a == b
        )
}

/// What messages call an input: its path as given.
fn label(path: &Path) -> String {
    path.display().to_string()
}

/// A component's bytes: a binary as is (mapped when large, never copied), `.wat` text parsed.
fn read(path: &Path) -> Result<Bytes> {
    let bytes = crate::input::read_wasm(path)?;
    if weft_binary::kind(&bytes) == weft_binary::Kind::Module {
        bail!(
            "`{}` is a core module, not a component\n      = help: wrap it with `weft new` first",
            path.display()
        );
    }
    Ok(bytes)
}
