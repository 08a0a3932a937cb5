//! `weft`: the one binary of the weft toolkit.
//!
//! This file parses the command line, runs one subcommand and owns everything that reaches
//! the terminal at the end: errors go to stderr as `error: …`, and the exit code is 0 on
//! success, 1 on any error and 2 on a usage error (clap exits with 2 by itself). A broken pipe
//! on stdout (`weft wit print x | head`) ends the program quietly with 0.
//!
//! Each group of subcommands lives in its own module with an `Args` struct (clap derive) and a
//! `run` method returning `anyhow::Result<()>`; adding `weft run` or `weft compose` means one
//! new module and one new variant of [`Command`].

mod compose;
mod embed;
mod heap;
mod input;
mod inspect;
mod new;
mod output;
mod run;
mod wast;
mod wit;

use std::io::{self, Write as _};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// The WebAssembly Component Model toolkit: from WIT to running, composed components.
#[derive(Parser)]
#[command(
    name = "weft",
    version,
    propagate_version = true,
    arg_required_else_help = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Each subcommand's arguments are built only when it is the one run (`defer`): building all of
/// them took about 0.1 ms, a tenth of what a short command takes in all.
#[derive(Subcommand)]
#[command(defer = true)]
enum Command {
    /// Check, print, format and inspect WIT packages.
    Wit(wit::Args),
    /// Embed a WIT world into a core module as a `component-type` custom section.
    Embed(embed::Args),
    /// Wrap a core module into a component.
    New(new::Args),
    /// Show what a component, core module or binary WIT package imports, exports and holds.
    ///
    /// The binary's structure is validated (types, imports, exports, instances, canonical
    /// options, every module's sections); function bodies are not, as `wasm-tools component
    /// wit` does not validate them either: they say nothing about the interface and are most of
    /// a large binary's validation time.
    Inspect(inspect::Args),
    /// Run a component: a command (`wasi:cli/run`) with WASI 0.2, or one of its functions
    /// with `--invoke`.
    Run(run::Args),
    /// Run component `.wast` scripts and report each directive's outcome.
    Wast(wast::Args),
    /// Compose components: plug the imports of a root component with the exports of others.
    #[command(override_usage = "weft compose ROOT -d DEP... [-o OUT]\n       \
                                weft compose ROOT --plug DEP... [-o OUT]\n       \
                                weft compose --config FILE [-o OUT]")]
    Compose(compose::Args),
}

impl Command {
    fn run(self) -> anyhow::Result<()> {
        match self {
            Command::Wit(args) => args.run(),
            Command::Embed(args) => args.run(),
            Command::New(args) => args.run(),
            Command::Inspect(args) => args.run(),
            Command::Run(args) => args.run(),
            Command::Wast(args) => args.run(),
            Command::Compose(args) => args.run(),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let err = match cli.command.run() {
        Ok(()) => return ExitCode::SUCCESS,
        Err(e) => e,
    };
    if is_broken_pipe(&err) {
        return ExitCode::SUCCESS;
    }
    // A guest that exited with a status: that status, and nothing printed.
    if let Some(run::GuestExit(code)) = err.downcast_ref() {
        return ExitCode::from(*code);
    }
    // A usage error found after parsing: status 2, as clap's own.
    if let Some(UsageError(message)) = err.downcast_ref() {
        let message = output::printable(message);
        let _ = writeln!(io::stderr().lock(), "error: {message}");
        return ExitCode::from(2);
    }
    // `{:#}` puts the causes on the same line: "failed to write `x`: Permission denied".
    // Messages quote names read from binaries: no escape sequences reach the terminal.
    let message = format!("{err:#}");
    let _ = writeln!(
        io::stderr().lock(),
        "error: {}",
        output::printable(&message)
    );
    ExitCode::FAILURE
}

/// A usage error that clap cannot see (flags that conflict with each other, say): printed as
/// any error, with exit status 2.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// A usage error found after clap parsed the command line (exit status 2, as clap's).
pub(crate) fn usage(message: impl Into<String>) -> anyhow::Error {
    UsageError(message.into()).into()
}

/// Whether the error comes from writing to a closed pipe (the reader went away).
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context as _;
    use clap::CommandFactory as _;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    /// Subcommands' arguments are built late (`defer`); a subcommand's help must still open
    /// with the summary its parent's list of commands shows, not with a doc comment of its
    /// arguments' struct.
    #[test]
    fn subcommand_help_opens_with_its_summary() {
        let help = |path: &[&str]| -> String {
            let args = std::iter::once("weft")
                .chain(path.iter().copied())
                .chain(["--help"]);
            match Cli::try_parse_from(args) {
                Ok(_) => panic!("`weft {} --help` parsed", path.join(" ")),
                Err(e) => e.render().to_string(),
            }
        };
        // The `Commands:` section of a help text: (name, summary), `help` left out.
        let commands = |text: &str| -> Vec<(String, String)> {
            text.lines()
                .skip_while(|l| *l != "Commands:")
                .skip(1)
                .take_while(|l| !l.trim().is_empty())
                .filter_map(|l| {
                    let (name, summary) = l.trim().split_once(' ')?;
                    Some((name.to_string(), summary.trim().to_string()))
                })
                .filter(|(name, _)| name != "help")
                .collect()
        };
        let top = commands(&help(&[]));
        assert!(top.iter().any(|(n, _)| n == "wit"), "{top:?}");
        for (name, summary) in &top {
            let text = help(&[name]);
            assert!(
                text.starts_with(summary.as_str()),
                "`weft {name} --help` opens with something else than `{summary}`:\n{text}"
            );
            for (nested, summary) in commands(&text) {
                let text = help(&[name, &nested]);
                assert!(
                    text.starts_with(summary.as_str()),
                    "`weft {name} {nested} --help` opens with something else than `{summary}`:\n{text}"
                );
            }
        }
    }

    #[test]
    fn broken_pipe_is_found_under_context() {
        let err = Err::<(), _>(io::Error::from(io::ErrorKind::BrokenPipe))
            .context("failed to write to stdout")
            .unwrap_err();
        assert!(is_broken_pipe(&err));
        assert!(!is_broken_pipe(&anyhow::anyhow!("something else")));
    }
}
