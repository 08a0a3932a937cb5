//! weft's composition corpus: one directory per case under `tests/corpus/`.
//!
//! A case holds `root.wat`, its definitions (`a.wat`, `b.wat`, …) and `args`: the flags of
//! `weft compose` after the root (`--definitions a.wat b.wat`, `-d a.wat`, or `--plug a.wat`),
//! or `--config compose.toml` for a composition file (which names the root itself).
//! A composition that succeeds must validate and print (`weft wit` of the result) as
//! `expected.wit`, or, for a result WIT cannot show, as `expected.print` (`wasm-tools print`
//! without the nested inputs; compared only when wasm-tools is there); one that fails must fail
//! with the message in `expected.err`.
//! `UPDATE_EXPECT=1` rewrites both. When a wasm-tools binary is available, a case with a
//! `wasm-tools` file (holding `wasm-tools compose` flags) is also composed by it and its WIT
//! must equal ours.

use std::fs;
use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Failed, Trial};
use weft_compose::{Input, Mode};

fn main() {
    let args = Arguments::from_args();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("corpus");
    let mut cases: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("tests/corpus")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    let mut trials = Vec::new();
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let c = case.clone();
        trials.push(Trial::test(name.clone(), move || run(&c)));
        if case.join("wasm-tools").is_file() {
            trials.push(Trial::test(format!("{name}-vs-wasm-tools"), move || {
                oracle(&case)
            }));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}

fn wat(path: &Path) -> Result<Vec<u8>, String> {
    wat::parse_file(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Parses `args` into the mode and the definition files.
fn parse_args(case: &Path) -> Result<(Mode, Vec<String>), String> {
    let text = fs::read_to_string(case.join("args")).map_err(|e| format!("args: {e}"))?;
    let mut mode = None;
    let mut files = Vec::new();
    for word in text.split_whitespace() {
        match word {
            "--definitions" | "-d" => mode = Some(Mode::Definitions),
            "--plug" => mode = Some(Mode::Plug),
            f => files.push(f.to_string()),
        }
    }
    Ok((mode.ok_or("args: no `--definitions` or `--plug`")?, files))
}

/// Composes a case with a composition file as `weft compose --config` would.
fn compose_config(case: &Path, file: &str) -> Result<Result<Vec<u8>, String>, String> {
    let text = fs::read_to_string(case.join(file)).map_err(|e| format!("{file}: {e}"))?;
    let config = match weft_compose::config::Config::parse(&text) {
        Ok(c) => c,
        Err(e) => return Ok(Err(format!("{file}: {e}"))),
    };
    // The file's own errors name it; composition's are reported as `weft compose` prints them.
    if let Err(e) = config.options() {
        return Ok(Err(format!("{file}: {e}")));
    }
    Ok(config
        .compose(|p| wat(&case.join(p)))?
        .map_err(|e| e.to_string()))
}

/// Composes the case as `weft compose` would.
fn compose(case: &Path) -> Result<Result<Vec<u8>, String>, String> {
    let args = fs::read_to_string(case.join("args")).map_err(|e| format!("args: {e}"))?;
    if let Some(file) = args.trim().strip_prefix("--config ") {
        return compose_config(case, file.trim());
    }
    let (mode, files) = parse_args(case)?;
    let root = wat(&case.join("root.wat"))?;
    let mut deps = Vec::new();
    for f in &files {
        deps.push((f.clone(), wat(&case.join(f))?));
    }
    let inputs: Vec<Input<'_>> = deps
        .iter()
        .map(|(label, bytes)| Input {
            label: label.clone(),
            bytes,
        })
        .collect();
    let root = Input {
        label: "root.wat".into(),
        bytes: &root,
    };
    Ok(weft_compose::compose(root, &inputs, mode).map_err(|e| e.to_string()))
}

/// `weft wit` of a component.
fn wit_of(bytes: &[u8]) -> Result<String, String> {
    let mut resolve = weft_wit::Resolve::default();
    let pkg = weft_component::push_binary(&mut resolve, bytes).map_err(|e| e.to_string())?;
    Ok(weft_wit::print::print_all(&resolve, pkg))
}

fn run(case: &Path) -> Result<(), Failed> {
    let wit_file = case.join("expected.wit");
    let err_file = case.join("expected.err");
    match compose(case)? {
        Ok(bytes) => {
            weft_binary::validate(&bytes, weft_binary::Validation::Full)
                .map_err(|e| format!("the output does not validate: {e}"))?;
            let print_file = case.join("expected.print");
            if print_file.exists() {
                return expect_print(case, &bytes, &print_file);
            }
            let wit = wit_of(&bytes)?;
            if err_file.exists() && !weft_test_util::bless() {
                return Err(format!("expected an error, composed:\n{wit}").into());
            }
            let _ = fs::remove_file(&err_file);
            weft_test_util::expect_file(&wit_file, &wit)?;
        }
        Err(e) => {
            if wit_file.exists() && !weft_test_util::bless() {
                return Err(format!("expected a composition, got: {e}").into());
            }
            let _ = fs::remove_file(&wit_file);
            weft_test_util::expect_file(&err_file, &format!("{e}\n"))?;
        }
    }
    Ok(())
}

/// For a result WIT cannot show (core module, value or component imports): its text as
/// `wasm-tools print` writes it, without the nested components (the inputs, as they were),
/// must equal `expected.print`.
fn expect_print(case: &Path, bytes: &[u8], print_file: &Path) -> Result<(), Failed> {
    let Some(tool) = weft_test_util::wasm_tools() else {
        println!(
            "{}: output validated; text comparison skipped: {}",
            case.display(),
            weft_test_util::no_wasm_tools_reason()
        );
        return Ok(());
    };
    let tmp = std::env::temp_dir().join(format!(
        "weft-compose-print-{}-{}.wasm",
        std::process::id(),
        case.file_name().unwrap().to_string_lossy()
    ));
    fs::write(&tmp, bytes).map_err(|e| e.to_string())?;
    let printed = weft_test_util::run_wasm_tools(&tool, &["print".as_ref(), tmp.as_os_str()]);
    let _ = fs::remove_file(&tmp);
    let mut text = String::new();
    let mut in_nested = false;
    for line in printed?.lines() {
        let open = line.matches('(').count() > line.matches(')').count();
        if line.starts_with("  (component ") && open {
            in_nested = true;
            continue;
        }
        if in_nested {
            in_nested = line != "  )";
            continue;
        }
        text.push_str(line);
        text.push('\n');
    }
    Ok(weft_test_util::expect_file(print_file, &text)?)
}

/// Our output's WIT against `wasm-tools compose`'s.
fn oracle(case: &Path) -> Result<(), Failed> {
    let Some(tool) = weft_test_util::wasm_tools() else {
        println!("skipped: {}", weft_test_util::no_wasm_tools_reason());
        return Ok(());
    };
    let ours = match compose(case)? {
        Ok(bytes) => wit_of(&bytes)?,
        Err(e) => return Err(e.into()),
    };
    let tmp = std::env::temp_dir().join(format!(
        "weft-compose-{}-{}",
        std::process::id(),
        case.file_name().unwrap().to_string_lossy()
    ));
    fs::create_dir_all(&tmp).map_err(|e| e.to_string())?;
    let mut args: Vec<std::ffi::OsString> = vec!["compose".into()];
    let root = tmp.join("root.wasm");
    fs::write(&root, wat(&case.join("root.wat"))?).map_err(|e| e.to_string())?;
    args.push(root.into());
    let flags = fs::read_to_string(case.join("wasm-tools")).map_err(|e| e.to_string())?;
    for word in flags.split_whitespace() {
        if let Some(stem) = word.strip_suffix(".wat") {
            let out = tmp.join(format!("{stem}.wasm"));
            fs::write(&out, wat(&case.join(word))?).map_err(|e| e.to_string())?;
            args.push(out.into());
        } else {
            args.push(word.into());
        }
    }
    let out = tmp.join("out.wasm");
    args.push("-o".into());
    args.push(out.clone().into());
    let refs: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    weft_test_util::run_wasm_tools(&tool, &refs)?;
    let theirs = wit_of(&fs::read(&out).map_err(|e| e.to_string())?)?;
    let _ = fs::remove_dir_all(&tmp);
    if ours != theirs {
        return Err(format!(
            "weft's WIT differs from wasm-tools compose's (- wasm-tools, + weft)\n{}",
            weft_test_util::diff(&theirs, &ours)
        )
        .into());
    }
    Ok(())
}
