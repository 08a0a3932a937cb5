//! Tests of `weft inspect`, one input file per case, in the style of `tests/cli.rs`.
//!
//! Each `tests/inspect/*.wat` (or `*.wit`) case starts with directives, written after `;; `
//! (or `// `):
//!
//! ```text
//! ;; PREP: embed % --wit %dir/support/x.wit -o %tmp/x.wasm   must exit 0; output not compared
//! ;; RUN: inspect %tmp/x.wasm                                 must exit 0
//! ;; RUN[json]: inspect %tmp/x.wasm --json                    a named directive
//! ;; FAIL: inspect %                                          must exit 1
//! ```
//!
//! `%` is the case's path relative to this crate, `%dir` is `tests/inspect`, and `%tmp` is a
//! fresh scratch directory for the case (how binaries made by `weft embed` or `weft wit print
//! --wasm` are inspected without checking in a `.wasm`); in output, the scratch directory's
//! path is shown as `%tmp`. `PREP` directives run first, in order. The n-th `RUN`/`FAIL`
//! directive of `foo.wat` compares its stdout and stderr with `foo.wat.<n>.stdout` and
//! `.stderr` (a named one uses its name); empty output is a missing file. `UPDATE_EXPECT=1`
//! rewrites them.
//!
//! Also here: a truncated binary, README.md's `weft inspect` examples (regenerated from real
//! runs), and, when `fixtures/build.sh` has built them (`target/fixtures/manifest.json`), the
//! real-toolchain fixtures, whose WASI imports are checked against `wasm-tools component wit`.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use weft_test_util::repo_root;

mod common;
use common::{describe, run, scratch_dir, Check, Syntax};

/// The scratch directories of this binary's tests, `%tmp` among them.
const SCRATCH: &str = "weft-inspect-tests";
const SYNTAX: Syntax = Syntax {
    cases: "tests/inspect",
    extensions: &["wat", "wit"],
    comments: &[";; ", "// "],
    scratch: Some(SCRATCH),
    trial: "inspect-cases",
};

fn main() {
    let programmatic: [(&str, Check); 4] = [
        ("truncated_binary", truncated_binary),
        ("graph_svg", graph_svg),
        ("readme_inspect_examples", readme_examples),
        ("real_toolchain_fixtures", real_fixtures),
    ];
    common::main(&SYNTAX, &programmatic);
}

/// A component cut short in the middle of a nested module, and one cut in its header: exit 1
/// with the decoder's message under the file's name.
fn truncated_binary() -> Result<(), String> {
    let dir = scratch_dir(Path::new(SCRATCH).join("truncated"))?;
    let wasm = wat::parse_file(Path::new(SYNTAX.cases).join("component.wat"))
        .map_err(|e| e.to_string())?;
    for (name, len, needle) in [
        ("half.wasm", wasm.len() / 2, "unexpected end"),
        ("header.wasm", 6, "ends inside the 8-byte header"),
    ] {
        let path = dir.join(name);
        fs::write(&path, &wasm[..len]).map_err(|e| e.to_string())?;
        let out = run(&["inspect".as_ref(), path.as_os_str()])?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        let prefix = format!("error: failed to inspect `{}`: ", path.display());
        if out.status.code() != Some(1) || !stderr.starts_with(&prefix) || !stderr.contains(needle)
        {
            return Err(format!(
                "{name}: expected exit 1 with `{prefix}…{needle}…`:\n{}",
                describe(&out)
            ));
        }
    }
    Ok(())
}

/// `--graph --svg`: without Graphviz's `dot` on PATH, exit 1 with an error that says to install
/// it; with it (when the machine has it; `.ci/run` installs it), an SVG drawing of the same
/// graph as the DOT, its node labels in it.
fn graph_svg() -> Result<(), String> {
    let case = Path::new(SYNTAX.cases).join("component.wat");
    let args = [
        "inspect".as_ref(),
        "--graph".as_ref(),
        "--svg".as_ref(),
        case.as_os_str(),
    ];
    let empty = scratch_dir(Path::new(SCRATCH).join("no-path"))?;
    let out = common::output(common::weft(&args).env("PATH", &empty))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.code() != Some(1)
        || !stderr.contains("needs Graphviz's `dot`, which is not on PATH")
    {
        return Err(format!(
            "without `dot`: expected exit 1 and an error naming it:\n{}",
            describe(&out)
        ));
    }
    let has_dot = std::process::Command::new("dot")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_dot {
        eprintln!("skipped: the SVG itself (Graphviz's `dot` is not installed)");
        return Ok(());
    }
    let out = run(&args)?;
    let svg = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() || !svg.contains("<svg") {
        return Err(format!("expected an SVG:\n{}", describe(&out)));
    }
    // Graphviz puts each line of a label in a <text> element, with `-` escaped.
    let svg = svg.replace("&#45;", "-");
    for label in [
        "instance 3 counters",
        "of component counters-names",
        "greet (func)",
        "a:host/logging@1.0.0",
    ] {
        if !svg.contains(label) {
            return Err(format!("the SVG has no `{label}`:\n{svg}"));
        }
    }
    Ok(())
}

/// The `<!-- readme:inspect… -->` sections of README.md: real runs from the repository root.
fn readme_examples() -> Result<(), String> {
    let examples: [(&str, &[&str], usize); 2] = [
        (
            "inspect",
            &["inspect", "crates/weft-cli/tests/inspect/component.wat"],
            usize::MAX,
        ),
        (
            "inspect-module",
            &["inspect", "crates/weft-cli/tests/inspect/preview1.wat"],
            usize::MAX,
        ),
    ];
    common::readme_examples(&examples)
}

/// Every component and core module of `target/fixtures/manifest.json` inspects without
/// error, in both formats; a component's WASI imports are those `wasm-tools component wit`
/// shows in its world. Without the manifest (or wasm-tools, for the comparison) this says so
/// and passes.
fn real_fixtures() -> Result<(), String> {
    let root = repo_root();
    let dir = root.join("target").join("fixtures");
    let manifest = dir.join("manifest.json");
    let Ok(text) = fs::read_to_string(&manifest) else {
        println!(
            "skipped: `{}` does not exist; run `fixtures/build.sh` to build the real-toolchain fixtures",
            manifest.display()
        );
        return Ok(());
    };
    let manifest: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("`{}`: {e}", manifest.display()))?;
    let wasm_tools = weft_test_util::wasm_tools();
    if wasm_tools.is_none() {
        println!(
            "not comparing WASI imports: {}",
            weft_test_util::no_wasm_tools_reason()
        );
    }
    let mut errors = Vec::new();
    let (mut seen, mut compared) = (0, 0);
    let fixtures = manifest["fixtures"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for (name, fixture) in &fixtures {
        let artifacts = fixture["artifacts"].as_array().cloned().unwrap_or_default();
        for artifact in artifacts {
            let kind = artifact["kind"].as_str().unwrap_or("");
            if kind != "component" && kind != "core-module" {
                continue;
            }
            let Some(rel) = artifact["path"].as_str() else {
                continue;
            };
            let path = dir.join(rel);
            seen += 1;
            match check_fixture(&path, kind, wasm_tools.as_deref()) {
                Ok(true) => compared += 1,
                Ok(false) => {}
                Err(e) => errors.push(format!("{name}: {e}")),
            }
        }
    }
    println!(
        "inspected {seen} fixture binaries; WASI imports of {compared} components equal wasm-tools'"
    );
    common::all_ok(errors, "\n\n")
}

/// Inspects one fixture; `Ok(true)` when its WASI imports were compared with wasm-tools'.
fn check_fixture(path: &Path, kind: &str, wasm_tools: Option<&Path>) -> Result<bool, String> {
    let text = run(&["inspect".as_ref(), path.as_os_str()])?;
    if !text.status.success() {
        return Err(format!(
            "`weft inspect {}` failed:\n{}",
            path.display(),
            describe(&text)
        ));
    }
    let out = run(&["inspect".as_ref(), path.as_os_str(), "--json".as_ref()])?;
    if !out.status.success() {
        return Err(format!(
            "`weft inspect --json {}` failed:\n{}",
            path.display(),
            describe(&out)
        ));
    }
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("`--json` printed invalid JSON: {e}"))?;
    let want_kind = match kind {
        "component" => "component",
        _ => "core-module",
    };
    if report["kind"] != want_kind {
        return Err(format!(
            "`kind` is {}, expected `{want_kind}`",
            report["kind"]
        ));
    }
    if kind != "component" {
        return Ok(false);
    }
    if !report["wit_error"].is_null() {
        return Err(format!("no WIT view: {}", report["wit_error"]));
    }
    let Some(wasm_tools) = wasm_tools else {
        return Ok(false);
    };
    let wit = weft_test_util::run_wasm_tools(
        wasm_tools,
        &["component".as_ref(), "wit".as_ref(), path.as_os_str()],
    )?;
    let expected = wasi_imports_of_wit(&wit);
    let mut actual = BTreeSet::new();
    for package in report["wasi"]["imports"].as_array().into_iter().flatten() {
        let name = package["package"].as_str().unwrap_or("");
        let version = package["version"]
            .as_str()
            .map(|v| format!("@{v}"))
            .unwrap_or_default();
        for iface in package["interfaces"].as_array().into_iter().flatten() {
            actual.insert(format!("{name}/{}{version}", iface.as_str().unwrap_or("")));
        }
    }
    if actual != expected {
        return Err(format!(
            "WASI imports differ from `wasm-tools component wit`:\n  only weft: {:?}\n  only wasm-tools: {:?}",
            actual.difference(&expected).collect::<Vec<_>>(),
            expected.difference(&actual).collect::<Vec<_>>()
        ));
    }
    Ok(true)
}

/// `import wasi:…;` lines of the `world root { … }` block of `wasm-tools component wit`.
fn wasi_imports_of_wit(wit: &str) -> BTreeSet<String> {
    let mut in_root = false;
    let mut out = BTreeSet::new();
    for line in wit.lines() {
        let line = line.trim();
        if line.starts_with("world root") {
            in_root = true;
        } else if in_root && line == "}" {
            in_root = false;
        } else if in_root {
            if let Some(name) = line.strip_prefix("import wasi:") {
                out.insert(format!("wasi:{}", name.trim_end_matches(';')));
            }
        }
    }
    out
}
