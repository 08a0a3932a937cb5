//! Keeping a preview1 program's exit status.
//!
//! The preview1 adapter turns `proc_exit(n)` into `wasi:cli/exit.exit(err)` for every
//! non-zero `n`, so a program that exits with 3 ends with status 1. Runtimes that run preview1
//! modules natively (`wasmtime run prog.wasm`) keep the 3. [`preview1_exit_with_code`] makes a
//! module whose `proc_exit` import is served instead by a one-function adapter that calls
//! `wasi:cli/exit.exit-with-code` (WASI 0.2.12), so that `weft run` keeps it too. The status
//! reaches the host as it is up to 255 (and as 255 beyond, or when negative); which statuses
//! to keep is the host's choice (`weft run`, as wasmtime, keeps 0 to 125).

use wasm_encoder::{
    CodeSection, EntityType, ExportKind, ExportSection, Function, FunctionSection, ImportSection,
    Instruction, Module, RawSection, TypeSection, ValType,
};
use wasmparser::{Parser, Payload, TypeRef};

use crate::{Error, Result, StringEncoding};

/// The import module name of the adapter that serves `proc_exit`.
pub const EXIT_ADAPTER: &str = "weft_preview1_exit";

/// The world of the exit adapter: `wasi:cli/exit@0.2.12`, whose `exit-with-code` keeps the
/// status.
const WORLD: &str = r#"package weft:preview1-exit;

package wasi:cli@0.2.12 {
  interface exit {
    exit: func(status: result);
    exit-with-code: func(status-code: u8);
  }
}

world adapter {
  import wasi:cli/exit@0.2.12;
}
"#;

/// A module with its `proc_exit` import renamed, and the adapter that serves it (its import
/// module name and bytes).
pub type Rerouted = (Vec<u8>, (String, Vec<u8>));

/// For a core module that imports `wasi_snapshot_preview1.proc_exit`: the module with that
/// import renamed to come from [`EXIT_ADAPTER`], and that adapter (its import module name and
/// bytes), to wrap with [`new_component`](crate::new_component)'s `adapters`. `None` when the
/// module does not import `proc_exit`.
pub fn preview1_exit_with_code(module: &[u8]) -> Result<Option<Rerouted>> {
    let mut out = Module::new();
    let mut renamed = false;
    for payload in Parser::new(0).parse_all(module) {
        let payload = payload.map_err(|e| Error::msg(format!("reading the module: {e}")))?;
        match &payload {
            Payload::Version { .. } | Payload::End(_) => {}
            Payload::ImportSection(reader) => {
                let mut imports = ImportSection::new();
                for import in reader.clone().into_imports() {
                    let import =
                        import.map_err(|e| Error::msg(format!("reading the imports: {e}")))?;
                    let module_name = if import.module == crate::new::PREVIEW1
                        && import.name == "proc_exit"
                        && matches!(import.ty, TypeRef::Func(_))
                    {
                        renamed = true;
                        EXIT_ADAPTER
                    } else {
                        import.module
                    };
                    imports.import(module_name, import.name, entity(import.ty)?);
                }
                out.section(&imports);
            }
            other => {
                // Every other section is copied as it is.
                if let Some((id, range)) = other.as_section() {
                    out.section(&RawSection {
                        id,
                        data: &module[range],
                    });
                }
            }
        }
    }
    if !renamed {
        return Ok(None);
    }
    Ok(Some((
        out.finish(),
        (EXIT_ADAPTER.to_string(), exit_adapter()?),
    )))
}

/// An import's type, for re-encoding.
fn entity(ty: TypeRef) -> Result<EntityType> {
    let unsupported = || Error::msg("an import of a kind `weft run` cannot re-encode");
    Ok(match ty {
        TypeRef::Func(i) => EntityType::Function(i),
        TypeRef::Table(t) => EntityType::Table(t.try_into().map_err(|_| unsupported())?),
        TypeRef::Memory(m) => EntityType::Memory(m.into()),
        TypeRef::Global(g) => EntityType::Global(g.try_into().map_err(|_| unsupported())?),
        TypeRef::Tag(t) => EntityType::Tag(t.try_into().map_err(|_| unsupported())?),
        _ => return Err(unsupported()),
    })
}

/// The exit adapter: `proc_exit(status)` calls `exit-with-code(status)` (which does not
/// return; statuses of 256 and more, and negative ones, become 255), with the world above
/// embedded.
fn exit_adapter() -> Result<Vec<u8>> {
    let mut module = Module::new();
    let mut types = TypeSection::new();
    types.ty().function([ValType::I32], []);
    module.section(&types);
    let mut imports = ImportSection::new();
    imports.import(
        "wasi:cli/exit@0.2.12",
        "exit-with-code",
        EntityType::Function(0),
    );
    module.section(&imports);
    let mut funcs = FunctionSection::new();
    funcs.function(0);
    module.section(&funcs);
    let mut exports = ExportSection::new();
    exports.export("proc_exit", ExportKind::Func, 1);
    module.section(&exports);
    let mut code = CodeSection::new();
    let mut body = Function::new([]);
    // `exit-with-code` takes a `u8`: a status of 256 or more, or a negative one, is 255.
    // (wasmtime's preview1 host refuses statuses of 126 and more, which shells reserve, and
    // exits 1; `weft run` does the same, saying so, for a preview1 program.)
    body.instruction(&Instruction::LocalGet(0));
    body.instruction(&Instruction::I32Const(255));
    body.instruction(&Instruction::LocalGet(0));
    body.instruction(&Instruction::I32Const(256));
    body.instruction(&Instruction::I32LtU);
    body.instruction(&Instruction::Select);
    body.instruction(&Instruction::Call(0));
    body.instruction(&Instruction::Unreachable);
    body.instruction(&Instruction::End);
    code.function(&body);
    module.section(&code);
    let bare = module.finish();

    let mut resolve = weft_wit::Resolve::new();
    let render = |resolve: &weft_wit::Resolve, e: &weft_wit::Error| {
        Error::msg(format!(
            "the exit adapter's world: {}",
            resolve.render_error(e)
        ))
    };
    let pkg = resolve
        .push_str("weft-preview1-exit.wit", WORLD)
        .map_err(|e| render(&resolve, &e))?;
    let world = resolve
        .select_world(pkg, Some("adapter"))
        .map_err(|e| render(&resolve, &e))?;
    crate::embed(&bare, &resolve, world, StringEncoding::Utf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module importing `proc_exit` and `fd_write` from preview1 keeps `fd_write` there and
    /// gets `proc_exit` from the exit adapter; the component made of both validates.
    #[test]
    fn proc_exit_is_routed_to_the_exit_adapter() {
        let wat = r#"(module
            (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
            (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
            (memory (export "memory") 1)
            (func (export "_start") (call 1 (i32.const 3))))"#;
        let module = wat_module(wat);
        let (renamed, (name, adapter)) = preview1_exit_with_code(&module).unwrap().unwrap();
        assert_eq!(name, EXIT_ADAPTER);
        let imports: Vec<(String, String)> = Parser::new(0)
            .parse_all(&renamed)
            .filter_map(|p| match p.unwrap() {
                Payload::ImportSection(r) => Some(
                    r.into_imports()
                        .map(|i| {
                            let i = i.unwrap();
                            (i.module.to_string(), i.name.to_string())
                        })
                        .collect::<Vec<_>>(),
                ),
                _ => None,
            })
            .flatten()
            .collect();
        assert_eq!(
            imports,
            [
                ("wasi_snapshot_preview1".to_string(), "fd_write".to_string()),
                (EXIT_ADAPTER.to_string(), "proc_exit".to_string()),
            ]
        );
        let component = crate::new_component(
            &renamed,
            crate::NewOptions {
                adapters: vec![(name, adapter)],
                ..Default::default()
            },
        )
        .unwrap();
        weft_binary::validate(&component, weft_binary::Validation::Full).unwrap();
        // The component imports `exit-with-code`.
        let text = String::from_utf8_lossy(&component).into_owned();
        assert!(text.contains("exit-with-code"));
    }

    #[test]
    fn a_module_without_proc_exit_is_left_alone() {
        let module = wat_module(r#"(module (func (export "_start")))"#);
        assert!(preview1_exit_with_code(&module).unwrap().is_none());
    }

    fn wat_module(text: &str) -> Vec<u8> {
        wat::parse_str(text).unwrap()
    }
}
