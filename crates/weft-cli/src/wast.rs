//! `weft wast`: run component `.wast` scripts.
//!
//! Each directive passes, fails or is skipped; a skip names its reason (a component using a
//! feature weft does not run yet, and every directive that needs it). The report has one
//! line per failure and per skip reason, then the counts; the exit code is 1 if anything
//! failed.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _, Result};
use wast::component::WastVal;
use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, Wast, WastArg, WastDirective, WastExecute, WastInvoke, WastRet, Wat};
use weft_abi::Val;
use weft_runtime::{Component, Engine, ErrorKind, Instance, Linker, Store};

// `weft wast`: the command line.
// (Not a doc comment: clap would make it the subcommand's `about`, replacing the one
// `main.rs` gives, since subcommands' arguments are built late, `defer`.)
#[derive(clap::Args)]
pub struct Args {
    /// The scripts to run.
    #[arg(required = true)]
    scripts: Vec<PathBuf>,
    /// Print every directive's outcome, not only failures and skips.
    #[arg(long, short)]
    verbose: bool,
}

impl Args {
    /// Runs `weft wast`.
    pub fn run(self) -> Result<()> {
        let engine = Engine::new()?;
        let mut total = Counts::default();
        for script in &self.scripts {
            let report = run_script(&engine, script)?;
            let mut out = String::new();
            for line in &report.lines {
                if self.verbose || !line.starts_with("ok ") {
                    let _ = writeln!(out, "{}:{line}", script.display());
                }
            }
            let _ = writeln!(
                out,
                "{}: {} passed, {} failed, {} skipped",
                script.display(),
                report.counts.passed,
                report.counts.failed,
                report.counts.skipped
            );
            print!("{out}");
            total.add(&report.counts);
        }
        if self.scripts.len() > 1 {
            println!(
                "total: {} passed, {} failed, {} skipped",
                total.passed, total.failed, total.skipped
            );
        }
        if total.failed > 0 {
            bail!("{} directive(s) failed", total.failed);
        }
        Ok(())
    }
}

/// Directive outcomes.
#[derive(Default, Debug, Clone, Copy)]
pub struct Counts {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

impl Counts {
    fn add(&mut self, other: &Counts) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.skipped += other.skipped;
    }
}

/// The outcome of one script: counts, and one line per directive (`ok …`, `FAIL …`,
/// `skip …`), each starting with `line:col: `.
pub struct Report {
    pub counts: Counts,
    pub lines: Vec<String>,
}

/// What a directive came to.
enum Outcome {
    Pass,
    Fail(String),
    Skip(String),
}

/// A component definition or instance by name, or why it could not be made.
#[derive(Clone)]
enum Slot<T> {
    Ready(T),
    Skipped(String),
}

struct Runner<'e> {
    engine: &'e Engine,
    store: Store<()>,
    definitions: HashMap<String, Slot<Component>>,
    instances: HashMap<String, Slot<Instance>>,
    current: Option<Slot<Instance>>,
}

/// Runs the script at `path`.
pub fn run_script(engine: &Engine, path: &Path) -> Result<Report> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("failed to read `{}`", path.display()))?;
    let buf = ParseBuffer::new(&text).map_err(|mut e| {
        e.set_path(path);
        e.set_text(&text);
        anyhow::anyhow!("{e}")
    })?;
    let wast: Wast<'_> = parser::parse(&buf).map_err(|mut e| {
        e.set_path(path);
        e.set_text(&text);
        anyhow::anyhow!("{e}")
    })?;
    let mut runner = Runner {
        engine,
        store: Store::new(engine, ()),
        definitions: HashMap::new(),
        instances: HashMap::new(),
        current: None,
    };
    let mut report = Report {
        counts: Counts::default(),
        lines: Vec::new(),
    };
    for directive in wast.directives {
        let (line, col) = directive.span().linecol_in(&text);
        let kind = directive_name(&directive);
        let outcome = runner.directive(directive);
        let at = format!("{}:{}", line + 1, col + 1);
        match outcome {
            Outcome::Pass => {
                report.counts.passed += 1;
                report.lines.push(format!("ok {at}: {kind}"));
            }
            Outcome::Fail(why) => {
                report.counts.failed += 1;
                report.lines.push(format!("{at}: FAIL {kind}: {why}"));
            }
            Outcome::Skip(why) => {
                report.counts.skipped += 1;
                report.lines.push(format!("{at}: skip {kind}: {why}"));
            }
        }
    }
    // `ok` lines are kept apart so that `lines` reads as failures and skips first.
    report.lines.sort_by_key(|l| l.starts_with("ok "));
    Ok(report)
}

fn directive_name(d: &WastDirective<'_>) -> &'static str {
    match d {
        WastDirective::Module(_) => "component",
        WastDirective::ModuleDefinition(_) => "component definition",
        WastDirective::ModuleInstance { .. } => "component instance",
        WastDirective::AssertMalformed { .. } | WastDirective::AssertMalformedCustom { .. } => {
            "assert_malformed"
        }
        WastDirective::AssertInvalid { .. } | WastDirective::AssertInvalidCustom { .. } => {
            "assert_invalid"
        }
        WastDirective::Register { .. } => "register",
        WastDirective::Invoke(_) => "invoke",
        WastDirective::AssertTrap { .. } => "assert_trap",
        WastDirective::AssertReturn { .. } => "assert_return",
        WastDirective::AssertExhaustion { .. } => "assert_exhaustion",
        WastDirective::AssertUnlinkable { .. } => "assert_unlinkable",
        WastDirective::AssertException { .. } => "assert_exception",
        WastDirective::AssertSuspension { .. } => "assert_suspension",
        WastDirective::Thread(_) => "thread",
        WastDirective::Wait { .. } => "wait",
    }
}

impl Runner<'_> {
    fn directive(&mut self, d: WastDirective<'_>) -> Outcome {
        match d {
            WastDirective::Module(mut q) => {
                let name = q.name().map(|id| id.name().to_string());
                let slot = match self.compile(&mut q) {
                    Ok(c) => match self.instantiate(&c) {
                        Ok(i) => Slot::Ready(i),
                        Err(Outcome::Skip(why)) => Slot::Skipped(why),
                        Err(other) => return other,
                    },
                    Err(Outcome::Skip(why)) => Slot::Skipped(why),
                    Err(other) => return other,
                };
                let outcome = match &slot {
                    Slot::Ready(_) => Outcome::Pass,
                    Slot::Skipped(why) => Outcome::Skip(why.clone()),
                };
                if let Some(name) = name {
                    self.instances.insert(name, slot.clone());
                }
                self.current = Some(slot);
                outcome
            }
            WastDirective::ModuleDefinition(mut q) => {
                let name = q.name().map(|id| id.name().to_string());
                let (slot, outcome) = match self.compile(&mut q) {
                    Ok(c) => (Slot::Ready(c), Outcome::Pass),
                    Err(Outcome::Skip(why)) => (Slot::Skipped(why.clone()), Outcome::Skip(why)),
                    Err(other) => return other,
                };
                if let Some(name) = name {
                    self.definitions.insert(name, slot);
                }
                outcome
            }
            WastDirective::ModuleInstance {
                instance, module, ..
            } => {
                let Some(module) = module else {
                    return Outcome::Fail("`component instance` without a definition".into());
                };
                let slot = match self.definitions.get(module.name()).cloned() {
                    Some(Slot::Ready(c)) => match self.instantiate(&c) {
                        Ok(i) => Slot::Ready(i),
                        Err(Outcome::Skip(why)) => Slot::Skipped(why),
                        Err(other) => return other,
                    },
                    Some(Slot::Skipped(why)) => Slot::Skipped(why),
                    None => return Outcome::Fail(format!("no definition `{}`", module.name())),
                };
                let outcome = match &slot {
                    Slot::Ready(_) => Outcome::Pass,
                    Slot::Skipped(why) => Outcome::Skip(why.clone()),
                };
                if let Some(instance) = instance {
                    self.instances
                        .insert(instance.name().to_string(), slot.clone());
                }
                self.current = Some(slot);
                outcome
            }
            WastDirective::AssertMalformed { mut module, .. }
            | WastDirective::AssertMalformedCustom { mut module, .. } => {
                if let QuoteWat::Wat(Wat::Module(_)) | QuoteWat::QuoteModule(..) = module {
                    return Outcome::Skip(
                        "core module scripts belong to a core wasm runner".into(),
                    );
                }
                match module.encode() {
                    Err(_) => Outcome::Pass,
                    Ok(bytes) => match Component::new(self.engine, &bytes) {
                        Err(e) if matches!(e.kind(), ErrorKind::Binary { .. }) => Outcome::Pass,
                        Err(e) => Outcome::Skip(format!("rejected, but not as malformed: {e}")),
                        Ok(_) => Outcome::Fail("the component was accepted".into()),
                    },
                }
            }
            WastDirective::AssertInvalid {
                mut module,
                message,
                ..
            }
            | WastDirective::AssertInvalidCustom {
                mut module,
                message,
                ..
            } => {
                if let QuoteWat::Wat(Wat::Module(_)) | QuoteWat::QuoteModule(..) = module {
                    return Outcome::Skip(
                        "core module scripts belong to a core wasm runner".into(),
                    );
                }
                let bytes = match module.encode() {
                    Ok(bytes) => bytes,
                    Err(e) => return Outcome::Fail(format!("the text does not encode: {e}")),
                };
                match Component::new(self.engine, &bytes) {
                    Err(e) if matches!(e.kind(), ErrorKind::Binary { .. }) => Outcome::Pass,
                    Err(e) if matches!(e.kind(), ErrorKind::Unsupported) => {
                        Outcome::Skip(e.to_string())
                    }
                    Err(e) => Outcome::Fail(format!(
                        "rejected for another reason ({e}); expected `{message}`"
                    )),
                    Ok(_) => {
                        Outcome::Fail(format!("the component was accepted; expected `{message}`"))
                    }
                }
            }
            WastDirective::AssertUnlinkable {
                module, message, ..
            } => {
                let mut q = QuoteWat::Wat(module);
                let c = match self.compile(&mut q) {
                    Ok(c) => c,
                    Err(other) => return other,
                };
                match self.instantiate(&c) {
                    Ok(_) => Outcome::Fail(format!("instantiated; expected `{message}`")),
                    Err(Outcome::Skip(why)) => Outcome::Skip(why),
                    Err(_) => Outcome::Pass,
                }
            }
            WastDirective::Register { .. } => Outcome::Skip("`register` of components".into()),
            WastDirective::Invoke(invoke) => match self.invoke(&invoke) {
                Ok(Ok(_)) => Outcome::Pass,
                Ok(Err(e)) => Outcome::Fail(e.to_string()),
                Err(outcome) => outcome,
            },
            WastDirective::AssertReturn { exec, results, .. } => {
                let WastExecute::Invoke(invoke) = exec else {
                    return Outcome::Skip("assert_return on something other than `invoke`".into());
                };
                match self.invoke(&invoke) {
                    Ok(Ok(got)) => {
                        let expected: Result<Vec<Val>> = results
                            .iter()
                            .map(|r| match r {
                                WastRet::Component(v) => val(v),
                                WastRet::Core(c) => core_ret(c),
                                _ => bail!("an unknown kind of expected value"),
                            })
                            .collect();
                        let expected = match expected {
                            Ok(e) => e,
                            Err(e) => return Outcome::Fail(e.to_string()),
                        };
                        let got: Vec<Val> = got.into_iter().collect();
                        if got.len() == expected.len()
                            && got.iter().zip(&expected).all(|(a, b)| same(a, b))
                        {
                            Outcome::Pass
                        } else {
                            Outcome::Fail(format!(
                                "returned {}, expected {}",
                                show(&got),
                                show(&expected)
                            ))
                        }
                    }
                    Ok(Err(e)) => Outcome::Fail(e.to_string()),
                    Err(outcome) => outcome,
                }
            }
            WastDirective::AssertTrap { exec, message, .. } => match exec {
                WastExecute::Invoke(invoke) => match self.invoke(&invoke) {
                    Ok(Ok(got)) => Outcome::Fail(format!(
                        "returned {}; expected a trap `{message}`",
                        show(&got.into_iter().collect::<Vec<_>>())
                    )),
                    Ok(Err(e)) if matches!(e.kind(), ErrorKind::Trap { .. }) => {
                        // "wasm trap: " is how wasmtime prints traps, not part of the trap.
                        let message = message.strip_prefix("wasm trap: ").unwrap_or(message);
                        if e.message().contains(message) {
                            Outcome::Pass
                        } else {
                            Outcome::Fail(format!(
                                "trapped with `{}`, expected `{message}`",
                                e.message()
                            ))
                        }
                    }
                    Ok(Err(e)) => Outcome::Fail(format!("failed without trapping: {e}")),
                    Err(outcome) => outcome,
                },
                WastExecute::Wat(wat) => {
                    let mut q = QuoteWat::Wat(wat);
                    let c = match self.compile(&mut q) {
                        Ok(c) => c,
                        Err(other) => return other,
                    };
                    match self.instantiate(&c) {
                        Ok(_) => {
                            Outcome::Fail(format!("instantiated; expected a trap `{message}`"))
                        }
                        Err(Outcome::Fail(why)) if why.contains(message) => Outcome::Pass,
                        Err(other) => other,
                    }
                }
                WastExecute::Get { .. } => Outcome::Skip("`get` of a global".into()),
            },
            WastDirective::AssertExhaustion { .. }
            | WastDirective::AssertException { .. }
            | WastDirective::AssertSuspension { .. }
            | WastDirective::Thread(_)
            | WastDirective::Wait { .. } => Outcome::Skip("a core wasm directive".into()),
        }
    }

    /// Encodes and translates a component.
    fn compile(&self, q: &mut QuoteWat<'_>) -> Result<Component, Outcome> {
        if let QuoteWat::Wat(Wat::Module(_)) | QuoteWat::QuoteModule(..) = q {
            return Err(Outcome::Skip(
                "core module scripts belong to a core wasm runner".into(),
            ));
        }
        let bytes = q
            .encode()
            .map_err(|e| Outcome::Fail(format!("the text does not encode: {e}")))?;
        Component::new(self.engine, &bytes).map_err(|e| match e.kind() {
            ErrorKind::Unsupported => Outcome::Skip(e.to_string()),
            _ => Outcome::Fail(e.to_string()),
        })
    }

    fn instantiate(&mut self, c: &Component) -> Result<Instance, Outcome> {
        Linker::new()
            .instantiate(&mut self.store, c)
            .map_err(|e| match e.kind() {
                ErrorKind::Unsupported => Outcome::Skip(e.to_string()),
                _ => Outcome::Fail(e.to_string()),
            })
    }

    /// Calls the function an `invoke` names; `Err` when the instance is missing or skipped.
    #[allow(clippy::type_complexity)]
    fn invoke(
        &mut self,
        invoke: &WastInvoke<'_>,
    ) -> Result<Result<Option<Val>, weft_runtime::Error>, Outcome> {
        let slot = match invoke.module {
            Some(id) => self.instances.get(id.name()).cloned(),
            None => self.current.clone(),
        };
        let instance = match slot {
            Some(Slot::Ready(i)) => i,
            Some(Slot::Skipped(why)) => return Err(Outcome::Skip(why)),
            None => return Err(Outcome::Fail("no instance to invoke".into())),
        };
        let func = instance
            .func(&self.store, invoke.name)
            .ok_or_else(|| Outcome::Fail(format!("no exported function `{}`", invoke.name)))?;
        let args = invoke
            .args
            .iter()
            .map(|a| match a {
                WastArg::Component(v) => val(v),
                WastArg::Core(c) => core_arg(c),
                _ => bail!("an unknown kind of argument"),
            })
            .collect::<Result<Vec<_>>>()
            .map_err(|e| Outcome::Fail(e.to_string()))?;
        Ok(func.call(&mut self.store, &args))
    }
}

/// `(f32.const …)` and `(f64.const …)` parse as core values (they are spelled the same in
/// both); they are the component's `f32` and `f64`. Other core values have no component
/// meaning.
fn core_arg(c: &wast::core::WastArgCore<'_>) -> Result<Val> {
    match c {
        wast::core::WastArgCore::F32(x) => Ok(Val::F32(f32::from_bits(x.bits))),
        wast::core::WastArgCore::F64(x) => Ok(Val::F64(f64::from_bits(x.bits))),
        _ => bail!("a core value that is not a component value (use `u32.const`, `s32.const`, …)"),
    }
}

/// An expected `(f32.const …)`/`(f64.const …)` result; a NaN pattern is any NaN.
fn core_ret(c: &wast::core::WastRetCore<'_>) -> Result<Val> {
    use wast::core::{NanPattern, WastRetCore};
    match c {
        WastRetCore::F32(NanPattern::Value(x)) => Ok(Val::F32(f32::from_bits(x.bits))),
        WastRetCore::F32(_) => Ok(Val::F32(f32::NAN)),
        WastRetCore::F64(NanPattern::Value(x)) => Ok(Val::F64(f64::from_bits(x.bits))),
        WastRetCore::F64(_) => Ok(Val::F64(f64::NAN)),
        _ => bail!("a core value that is not a component value (use `u32.const`, `s32.const`, …)"),
    }
}

/// A script's value as weft's.
fn val(v: &WastVal<'_>) -> Result<Val> {
    Ok(match v {
        WastVal::Bool(b) => Val::Bool(*b),
        WastVal::U8(x) => Val::U8(*x),
        WastVal::S8(x) => Val::S8(*x),
        WastVal::U16(x) => Val::U16(*x),
        WastVal::S16(x) => Val::S16(*x),
        WastVal::U32(x) => Val::U32(*x),
        WastVal::S32(x) => Val::S32(*x),
        WastVal::U64(x) => Val::U64(*x),
        WastVal::S64(x) => Val::S64(*x),
        WastVal::F32(x) => Val::F32(f32::from_bits(x.bits)),
        WastVal::F64(x) => Val::F64(f64::from_bits(x.bits)),
        WastVal::Char(c) => Val::Char(*c),
        WastVal::String(s) => Val::String(s.to_string()),
        WastVal::List(items) => Val::List(items.iter().map(val).collect::<Result<_>>()?),
        WastVal::Map(entries) => Val::Map(
            entries
                .iter()
                .map(|(k, v)| Ok((val(k)?, val(v)?)))
                .collect::<Result<_>>()?,
        ),
        WastVal::Record(fields) => Val::Record(
            fields
                .iter()
                .map(|(n, v)| Ok((n.to_string(), val(v)?)))
                .collect::<Result<_>>()?,
        ),
        WastVal::Tuple(items) => Val::Tuple(items.iter().map(val).collect::<Result<_>>()?),
        WastVal::Variant(name, payload) => Val::Variant(
            name.to_string(),
            payload.as_ref().map(|p| val(p).map(Box::new)).transpose()?,
        ),
        WastVal::Enum(name) => Val::Enum(name.to_string()),
        WastVal::Option(v) => Val::Option(v.as_ref().map(|p| val(p).map(Box::new)).transpose()?),
        WastVal::Result(r) => Val::Result(match r {
            Ok(v) => Ok(v.as_ref().map(|p| val(p).map(Box::new)).transpose()?),
            Err(v) => Err(v.as_ref().map(|p| val(p).map(Box::new)).transpose()?),
        }),
        WastVal::Flags(names) => Val::Flags(names.iter().map(|n| n.to_string()).collect()),
    })
}

/// Equality of results, with every NaN equal to every NaN.
fn same(a: &Val, b: &Val) -> bool {
    match (a, b) {
        (Val::F32(x), Val::F32(y)) => (x.is_nan() && y.is_nan()) || x.to_bits() == y.to_bits(),
        (Val::F64(x), Val::F64(y)) => (x.is_nan() && y.is_nan()) || x.to_bits() == y.to_bits(),
        (Val::List(x), Val::List(y)) | (Val::Tuple(x), Val::Tuple(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Val::Record(x), Val::Record(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|((n, a), (m, b))| n == m && same(a, b))
        }
        (Val::Variant(n, x), Val::Variant(m, y)) => n == m && same_opt(x, y),
        (Val::Option(x), Val::Option(y)) => same_opt(x, y),
        (Val::Result(Ok(x)), Val::Result(Ok(y))) | (Val::Result(Err(x)), Val::Result(Err(y))) => {
            same_opt(x, y)
        }
        (Val::Flags(x), Val::Flags(y)) => {
            let mut x = x.clone();
            let mut y = y.clone();
            x.sort();
            y.sort();
            x == y
        }
        _ => a == b,
    }
}

fn same_opt(a: &Option<Box<Val>>, b: &Option<Box<Val>>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => same(a, b),
        (None, None) => true,
        _ => false,
    }
}

fn show(vals: &[Val]) -> String {
    if vals.is_empty() {
        return "nothing".into();
    }
    vals.iter()
        .map(weft_abi::print_val)
        .collect::<Vec<_>>()
        .join(", ")
}
