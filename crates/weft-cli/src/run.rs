//! `weft run`: instantiate a component and call one of its functions.
//!
//! `--invoke 'greet("Ada")'` names an export (a top-level function, `instance#function`,
//! wasmtime's `ns:pkg/iface.function@version`, or a function name that only one export
//! has) and its arguments in WAVE; the result is printed in WAVE.

use std::path::PathBuf;

use anyhow::{anyhow, bail, Context as _, Result};
use wasm_wave::untyped::UntypedFuncCall;
use weft_abi::{FuncType, Val};
use weft_runtime::{Component, Engine, Linker, Store};

/// `weft run`: the command line.
#[derive(clap::Args)]
pub struct Args {
    /// The component: a `.wasm` binary or `.wat` text.
    component: PathBuf,
    /// Call this export with these arguments, in WAVE: `greet("Ada")`,
    /// `'example:types/torture#echo-u8(42)'`.
    #[arg(long, value_name = "CALL")]
    invoke: Option<String>,
    /// Turn imports the host does not provide into functions that trap when called.
    #[arg(long)]
    stub_missing: bool,
    /// Arguments for the program (after `--`).
    #[arg(last = true)]
    args: Vec<String>,
}

impl Args {
    /// Runs `weft run`.
    pub fn run(self) -> Result<()> {
        let bytes = crate::input::read(&self.component)?;
        let bytes = match weft_binary::kind(&bytes) {
            weft_binary::Kind::Text => wat::parse_bytes(&bytes)
                .map_err(|e| anyhow!("{e}"))
                .with_context(|| format!("failed to parse `{}`", self.component.display()))?
                .into_owned(),
            _ => bytes.to_vec(),
        };
        if weft_binary::kind(&bytes) == weft_binary::Kind::Module {
            bail!(
                "`{}` is a core module, not a component\n      = help: wrap it first: `weft new {} -o component.wasm`",
                self.component.display(),
                self.component.display()
            );
        }
        let engine = Engine::new()?;
        let component = Component::new(&engine, &bytes)
            .with_context(|| format!("failed to load `{}`", self.component.display()))?;
        let Some(invoke) = &self.invoke else {
            let example = component
                .exports()
                .first()
                .map(|(name, ty)| format!("{name}({})", example_args(ty)))
                .unwrap_or_else(|| "NAME(ARGS)".to_string());
            bail!(
                "`{}` does not export `wasi:cli/run` (running commands comes with the WASI host); call one of its functions instead\n      = help: weft run --invoke '{example}' {}",
                self.component.display(),
                self.component.display()
            );
        };
        let call = UntypedFuncCall::parse(invoke).map_err(|e| {
            let span = e.span();
            let start = span.start.min(invoke.len());
            anyhow!(
                "`--invoke` is not a WAVE function call: {}\n  {invoke}\n  {}{}\n      = help: write the call as `name(arg, …)`, e.g. `greet(\"Ada\")`",
                e.kind(),
                " ".repeat(invoke[..start].chars().count()),
                "^".repeat(span.end.saturating_sub(span.start).max(1))
            )
        })?;
        let name = component.resolve_export(call.name())?;
        let mut store = Store::new(&engine, ());
        let mut linker = Linker::new();
        linker.stub_missing(self.stub_missing);
        let instance = linker.instantiate(&mut store, &component).map_err(|e| {
            if let weft_runtime::ErrorKind::MissingImports(_) = e.kind() {
                anyhow!("{e}\n      = help: `weft run` provides no imports yet (the WASI host comes next); pass `--stub-missing` to instantiate anyway, with each of these trapping when called")
            } else {
                anyhow!("{e}")
            }
        })?;
        let func = instance
            .func(&store, &name)
            .ok_or_else(|| anyhow!("no function `{name}`"))?;
        let ty = func.ty().clone();
        let types: Vec<_> = ty.params.iter().map(|(_, t)| t).collect();
        let args: Vec<Val> = call
            .to_wasm_params(types)
            .map_err(|e| bad_arguments(invoke, &name, &ty, &e))?;
        let _ = &self.args;
        match func.call(&mut store, &args) {
            Ok(Some(v)) => println!("{}", weft_abi::print_val(&v)),
            Ok(None) => {}
            Err(e) => {
                if let weft_runtime::ErrorKind::Trap {
                    backtrace: Some(bt),
                    ..
                } = e.kind()
                {
                    bail!("{e}\nwasm backtrace:\n{bt}");
                }
                bail!("{e}");
            }
        }
        Ok(())
    }
}

/// Example arguments of the right types, for the help line.
fn example_args(ty: &FuncType) -> String {
    ty.params
        .iter()
        .map(|(_, t)| example_val(t))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A WAVE value of type `t`, for examples.
fn example_val(t: &weft_abi::Type) -> String {
    use weft_abi::Type;
    match t {
        Type::Bool => "true".into(),
        Type::S8
        | Type::U8
        | Type::S16
        | Type::U16
        | Type::S32
        | Type::U32
        | Type::S64
        | Type::U64 => "1".into(),
        Type::F32 | Type::F64 => "1.5".into(),
        Type::Char => "'x'".into(),
        Type::String => "\"hello\"".into(),
        Type::List(e) => format!("[{}]", example_val(e)),
        Type::FixedList(e, n) => format!("[{}]", vec![example_val(e); *n as usize].join(", ")),
        Type::Map(kv) => format!("[({}, {})]", example_val(&kv.0), example_val(&kv.1)),
        Type::Record(r) => format!(
            "{{{}}}",
            r.fields
                .iter()
                .map(|(n, t)| format!("{n}: {}", example_val(t)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Type::Tuple(ts) => format!(
            "({})",
            ts.iter().map(example_val).collect::<Vec<_>>().join(", ")
        ),
        Type::Variant(v) => match v.cases.first() {
            Some((n, Some(t))) => format!("{n}({})", example_val(t)),
            Some((n, None)) => n.clone(),
            None => "_".into(),
        },
        Type::Enum(e) => e.cases.first().cloned().unwrap_or_default(),
        Type::Option(e) => format!("some({})", example_val(e)),
        Type::Result(r) => match &r.ok {
            Some(t) => format!("ok({})", example_val(t)),
            None => "ok".into(),
        },
        Type::Flags(f) => format!("{{{}}}", f.names.first().cloned().unwrap_or_default()),
        Type::Own(_) | Type::Borrow(_) => "_".into(),
    }
}

/// The error for `--invoke` arguments that do not fit: the call with a caret under the
/// offending text, the parameter it was meant for and its type.
fn bad_arguments(
    invoke: &str,
    name: &str,
    ty: &FuncType,
    e: &wasm_wave::parser::ParserError,
) -> anyhow::Error {
    let span = e.span();
    let detail = e.detail().map(|d| format!(": {d}")).unwrap_or_default();
    let kind = e.kind();
    let param = param_at(invoke, span.start).and_then(|i| ty.params.get(i));
    let expected = match param {
        Some((p, t)) => format!("expected `{p}: {t}`"),
        None => String::new(),
    };
    let start = span.start.min(invoke.len());
    let width = span.end.saturating_sub(span.start).max(1);
    let caret = format!(
        "{}{} {expected}",
        " ".repeat(invoke[..start].chars().count()),
        "^".repeat(width)
    );
    anyhow!(
        "invalid arguments for `{name}`: {kind}{detail}\n  {invoke}\n  {}\n      = help: `{name}` is `{ty}`",
        caret.trim_end()
    )
}

/// Which parameter the text at byte `at` of a WAVE call belongs to: the number of
/// top-level commas between the call's `(` and `at`.
fn param_at(call: &str, at: usize) -> Option<usize> {
    let open = call.find('(')?;
    if at <= open {
        return None;
    }
    let (mut depth, mut index, mut quoted, mut escaped) = (0i32, 0usize, false, false);
    for (i, c) in call.char_indices().skip_while(|(i, _)| *i <= open) {
        if i >= at {
            break;
        }
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '(' | '[' | '{' if !quoted => depth += 1,
            ')' | ']' | '}' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => index += 1,
            _ => {}
        }
    }
    Some(index)
}
