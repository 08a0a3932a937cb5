//! `weft wit …`: check, print, format and inspect WIT packages.
//!
//! Every subcommand takes a path that is either one `.wit` file or a package directory (its
//! `.wit` files plus an optional `deps/` folder of dependencies), the layout wit-parser and
//! wasm-tools use. WIT errors are rendered by weft-wit (`path:line:col`, the source line and a
//! caret) and returned as the error message; `main` prints it.

use std::collections::HashSet;
use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context as _, Result};
use clap::Subcommand;
use weft_wit::print::PrintOptions;
use weft_wit::{PackageId, Resolve, SourceMap};

// `weft wit`: options shared by every WIT subcommand, then the subcommand — or, with no
// subcommand, a path to print (`weft wit component.wasm` is `weft wit print component.wasm`).
// (Not a doc comment: clap would make it the subcommand's `about`, replacing the one
// `main.rs` gives, since subcommands' arguments are built late, `defer`.)
#[derive(clap::Args)]
#[command(arg_required_else_help = true)]
pub struct Args {
    #[command(flatten)]
    features: Features,
    #[command(subcommand)]
    command: Option<WitCommand>,
    #[command(flatten)]
    print: PrintArgs,
}

// What `weft wit print` (and `weft wit PATH`) takes.
// (Not a doc comment: clap would make it the subcommand's `about`, replacing the one
// `main.rs` gives, since subcommands' arguments are built late, `defer`.)
#[derive(clap::Args)]
struct PrintArgs {
    /// A `.wit` file, a package directory with an optional `deps/` folder, or a binary: a
    /// component, a WIT package encoded as one, or a core module with `component-type`
    /// sections.
    path: Option<PathBuf>,
    /// Print only this world (`name`, or `namespace:package/name@version` for a dependency's).
    #[arg(long, short)]
    world: Option<String>,
    /// Write to this file instead of stdout.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Write the package as a component binary (the format of `wasm-tools component wit
    /// --wasm`), or with `--world` that world alone; never to a terminal, use `-o`.
    #[arg(long)]
    wasm: bool,
    /// Print the resolved packages as JSON instead, as `weft wit json` does (the flag of
    /// `wasm-tools component wit --json`).
    #[arg(long, conflicts_with = "wasm")]
    json: bool,
}

impl PrintArgs {
    /// These (given after `print`) with those given before it (`weft wit PATH -o F print`); a
    /// value given in both places is an error.
    fn merge(self, before: PrintArgs) -> Result<PrintArgs> {
        fn one<T>(what: &str, after: Option<T>, before: Option<T>) -> Result<Option<T>> {
            match (after, before) {
                (Some(_), Some(_)) => Err(crate::usage(format!(
                    "{what} is given both before and after `print`\n      = help: give it once: \
                     `weft wit print PATH [-w WORLD] [-o FILE]`"
                ))),
                (after, before) => Ok(after.or(before)),
            }
        }
        Ok(PrintArgs {
            path: one("the path", self.path, before.path)?,
            world: one("`--world`", self.world, before.world)?,
            output: one("`--output`", self.output, before.output)?,
            wasm: self.wasm || before.wasm,
            json: self.json || before.json,
        })
    }
}

// Which `@unstable(feature = …)` items to keep; everything gated is dropped by default.
// (Not a doc comment: clap would make it the subcommand's `about`, replacing the one
// `main.rs` gives, since subcommands' arguments are built late, `defer`.)
#[derive(clap::Args)]
pub(crate) struct Features {
    /// Enable these `@unstable` features (comma-separated, or repeat the flag).
    #[arg(long, global = true, value_delimiter = ',', value_name = "NAMES")]
    features: Vec<String>,
    /// Enable every `@unstable` feature.
    #[arg(long, global = true)]
    all_features: bool,
}

#[derive(Subcommand)]
#[command(defer = true)]
enum WitCommand {
    /// Parse and resolve a package and its dependencies, and report the first error.
    Check {
        /// A `.wit` file, or a package directory with an optional `deps/` folder.
        path: PathBuf,
    },
    /// Print a package, or one of its worlds, as canonical WIT.
    ///
    /// With `--wasm`, write it as a component binary instead, in the format of `wasm-tools
    /// component wit --wasm`.
    Print(PrintArgs),
    /// Format `.wit` files in place, keeping comments.
    ///
    /// A directory formats every `.wit` file directly in it; its `deps/` belong to other
    /// packages and are left alone. Only files whose text changes are written.
    Fmt {
        /// `.wit` files or package directories.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Change nothing: list the files that would change and exit with 1 if there are any.
        #[arg(long)]
        check: bool,
    },
    /// Print the resolved packages as JSON (wit-parser's schema).
    ///
    /// The output is the whole `Resolve`, in the schema of wit-parser's serialized `Resolve`:
    /// `worlds`, `interfaces`, `types` and `packages`, referring to each other by index.
    Json {
        /// A `.wit` file, or a package directory with an optional `deps/` folder.
        path: PathBuf,
        /// Also select this world (`name`, or `namespace:package/name@version`): its index in
        /// `worlds` is added as a top-level `"world"` key.
        #[arg(long, short)]
        world: Option<String>,
        /// Write to this file instead of stdout.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

impl Args {
    /// Runs the selected `weft wit` subcommand.
    pub fn run(self) -> Result<()> {
        let Some(command) = self.command else {
            return print_args(self.print, &self.features);
        };
        match command {
            WitCommand::Check { path } => check(&path, &self.features),
            // `weft wit PATH [FLAGS] print [FLAGS]` as `weft wit print PATH [FLAGS]`.
            WitCommand::Print(args) => print_args(args.merge(self.print)?, &self.features),
            WitCommand::Fmt { paths, check } => fmt(&paths, check),
            WitCommand::Json {
                path,
                world,
                output,
            } => json(&path, world.as_deref(), output.as_deref(), &self.features),
        }
    }
}

fn print_args(args: PrintArgs, features: &Features) -> Result<()> {
    let Some(path) = args.path else {
        anyhow::bail!("missing the path to print\n      = help: `weft wit PATH` prints a WIT package or a binary's world; see `weft wit --help`");
    };
    if args.json {
        // (clap sees the two together only when both come on one side of `print`.)
        if args.wasm {
            return Err(crate::usage(
                "`--json` and `--wasm` are two different outputs: choose one",
            ));
        }
        return json(
            &path,
            args.world.as_deref(),
            args.output.as_deref(),
            features,
        );
    }
    print(
        &path,
        args.world.as_deref(),
        args.output.as_deref(),
        args.wasm,
        features,
    )
}

fn check(path: &Path, features: &Features) -> Result<()> {
    let (resolve, pkg) = load(path, features)?;
    let main = &resolve.packages[pkg];
    let deps = resolve.packages.len().saturating_sub(1);
    let text = format!(
        "ok: {} ({}, {}{})\n",
        main.name,
        plural(main.interfaces.len(), "interface"),
        plural(main.worlds.len(), "world"),
        match deps {
            0 => String::new(),
            n => format!("; {}", plural(n, "other package")),
        }
    );
    crate::output::write_stdout(text.as_bytes())?;
    leak_at_exit(resolve);
    Ok(())
}

fn print(
    path: &Path,
    world: Option<&str>,
    output: Option<&Path>,
    wasm: bool,
    features: &Features,
) -> Result<()> {
    let suggested = if wasm { "wasm" } else { "wit" };
    crate::output::refuse_overwriting_source(output, &[path], suggested)?;
    let (resolve, mut pkg) = load(path, features)?;
    let world = match world {
        Some(name) => {
            let id = select_world(&resolve, pkg, name)?;
            // `ns:pkg/world` may name a world of a dependency: print it within its package.
            pkg = resolve.worlds[id].package.unwrap_or(pkg);
            Some(id)
        }
        None => None,
    };
    if wasm {
        let bytes = match world {
            Some(world) => weft_component::encode_world(&resolve, world),
            None => weft_component::encode_package(&resolve, pkg),
        }
        .map_err(|e| anyhow!("failed to encode `{}`: {e}", path.display()))?;
        crate::output::write_binary(output, &bytes)?;
        leak_at_exit(resolve);
        return Ok(());
    }
    let text = match world {
        // With the other packages it loaded (a binary's, a WIT file's nested ones, `deps/`), as
        // `wasm-tools component wit` prints it: one self-contained file, which resolves again.
        None => weft_wit::print::print_all(&resolve, pkg),
        Some(_) => weft_wit::print::print_package(&resolve, pkg, &PrintOptions { world }),
    };
    crate::output::write_text(output, &text)?;
    leak_at_exit(resolve);
    Ok(())
}

fn json(
    path: &Path,
    world: Option<&str>,
    output: Option<&Path>,
    features: &Features,
) -> Result<()> {
    crate::output::refuse_overwriting_source(output, &[path], "json")?;
    let (resolve, pkg) = load(path, features)?;
    let world = match world {
        Some(name) => Some(select_world(&resolve, pkg, name)?),
        None => None,
    };
    if let Some(output) = output.filter(|o| !crate::output::is_stdout(o)) {
        let mut text = Vec::new();
        weft_wit::json::write_json(&resolve, world, &mut text)?;
        text.push(b'\n');
        crate::output::write_file(output, &text)?;
        leak_at_exit(resolve);
        return Ok(());
    }
    // To stdout, streamed: a large package's JSON is not held whole.
    let mut out = io::stdout().lock();
    weft_wit::json::write_json(&resolve, world, &mut out)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush())
        .context("failed to write to stdout")?;
    leak_at_exit(resolve);
    Ok(())
}

fn fmt(paths: &[PathBuf], check: bool) -> Result<()> {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match fmt_targets(path) {
            Ok(found) => files.extend(found),
            Err(e) => errors.push(format!("{e:#}")),
        }
    }
    let mut seen = HashSet::new();
    files.retain(|f| seen.insert(f.clone()));

    let mut changed = Vec::new();
    for file in &files {
        match fmt_file(file, check) {
            Ok(true) => changed.push(file),
            Ok(false) => {}
            Err(e) => errors.push(format!("{e:#}")),
        }
    }
    if check && !changed.is_empty() {
        let list: String = changed
            .iter()
            .map(|f| format!("{}\n", f.display()))
            .collect();
        crate::output::write_stdout(list.as_bytes())?;
        errors.push(match changed.len() {
            1 => "1 file is not formatted; run `weft wit fmt` without `--check` to rewrite it"
                .to_string(),
            n => format!(
                "{n} files are not formatted; run `weft wit fmt` without `--check` to rewrite them"
            ),
        });
    }
    match errors.is_empty() {
        true => Ok(()),
        // `main` prefixes the first message with `error: `; the others get it here.
        false => Err(anyhow!(errors.join("\nerror: "))),
    }
}

/// The files `weft wit fmt` formats for one argument: the file itself, or every `.wit` file
/// directly in a directory (its `deps/` belong to other packages and are left alone).
fn fmt_targets(path: &Path) -> Result<Vec<PathBuf>> {
    let meta = fs::metadata(path).map_err(|e| missing_or_io(path, &e))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let files =
        weft_wit::fs::wit_files(path).map_err(|e| anyhow!(e.render(&SourceMap::default())))?;
    if files.is_empty() {
        bail!(
            "no `.wit` files found in `{}`\n      = help: `weft wit fmt DIR` formats the `.wit` files directly in DIR, \
             not those in its subdirectories",
            path.display()
        );
    }
    Ok(files)
}

/// Formats one file; returns whether its text changes. Writes it unless `check` is set.
fn fmt_file(path: &Path, check: bool) -> Result<bool> {
    let text =
        fs::read_to_string(path).with_context(|| format!("failed to read `{}`", path.display()))?;
    let display = path.display().to_string();
    let formatted = match weft_wit::format::format_source(&display, &text) {
        Ok(formatted) => formatted,
        Err(e) => {
            let mut map = SourceMap::default();
            map.push(display, text);
            return Err(anyhow!(e.render(&map)));
        }
    };
    if formatted == text {
        return Ok(false);
    }
    if !check {
        crate::output::write_file(path, formatted.as_bytes())?;
    }
    Ok(true)
}

/// Reads and resolves `path` with the requested features; returns the main package.
pub(crate) fn load(path: &Path, features: &Features) -> Result<(Resolve, PackageId)> {
    let meta = fs::metadata(path).map_err(|e| missing_or_io(path, &e))?;
    let mut resolve = Resolve::new();
    for feature in &features.features {
        let feature = feature.trim();
        if !feature.is_empty() {
            resolve.features.insert(feature.to_string());
        }
    }
    resolve.all_features = features.all_features;
    resolve.before_parse = Some(crate::heap::expect_wit);
    // A binary file given directly is read here (mapped when large) and decoded.
    if meta.is_file() && is_binary(path) {
        let mut bytes = crate::input::read(path)?;
        if weft_binary::kind(&bytes) == weft_binary::Kind::Text {
            bytes = crate::input::Input::Read(crate::input::parse_text(path, &bytes)?);
        }
        return match weft_component::push_binary(&mut resolve, &bytes) {
            Ok(pkg) => Ok((resolve, pkg)),
            Err(e) => Err(anyhow!("failed to decode `{}`: {e}", path.display())),
        };
    }
    crate::heap::expect_large_wit(crate::heap::wit_bytes(path, &meta));
    // A component or binary WIT package (`.wasm`, `.wat`, or any file with the `\0asm`
    // header), and `.wasm`/`.wat` dependencies in `deps/`, are decoded by weft-component.
    match weft_component::push_path(&mut resolve, path) {
        Ok(pkg) => Ok((resolve, pkg)),
        Err(e) => Err(anyhow!(resolve.render_error(&e))),
    }
}

pub(crate) fn select_world(
    resolve: &Resolve,
    pkg: PackageId,
    name: &str,
) -> Result<weft_wit::WorldId> {
    resolve
        .select_world(pkg, Some(name))
        .map_err(|e| anyhow!(resolve.render_error(&e)))
}

/// Whether `path` is a file holding a WebAssembly binary or text (by header or extension).
fn is_binary(path: &Path) -> bool {
    use std::io::Read as _;
    if matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("wasm" | "wat")
    ) {
        return true;
    }
    let mut head = [0u8; 4];
    fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && head == *b"\0asm"
}

/// The error for a path that cannot be read: a missing one names the fix.
fn missing_or_io(path: &Path, e: &io::Error) -> anyhow::Error {
    match e.kind() {
        io::ErrorKind::NotFound => anyhow!(
            "`{}` does not exist\n      = help: pass a `.wit` file, or a package directory holding `.wit` files \
             (and its dependencies in `deps/`)",
            path.display()
        ),
        _ => anyhow!("failed to read `{}`: {e}", path.display()),
    }
}

/// Drops `resolve` without freeing its memory. Only for a resolve whose command has written
/// and flushed all of its output, right before the process exits.
///
/// A resolved package is a tree of many small allocations (names, docs, maps, vectors in
/// every type, function and world). On a large package, walking and freeing all of them
/// costs several percent of the whole run (about 7% of `weft wit check` on the large bench
/// package), and it is pointless: the process is about to exit
/// and the OS takes the memory back at once. The resolve holds no files or other resources
/// that need a destructor. This is confined to the CLI; the library always frees.
fn leak_at_exit(resolve: Resolve) {
    std::mem::forget(resolve);
}

fn plural(n: usize, what: &str) -> String {
    match n {
        1 => format!("1 {what}"),
        n => format!("{n} {what}s"),
    }
}
