//! The small core modules `weft new` generates (the shim, the fixup, `_initialize`'s caller,
//! a `cabi_realloc` for adapters whose main module has none), and the preparation of adapters.

use std::borrow::Cow;

use weft_binary::{CoreFuncType, CoreValType, Module};
use weft_wit::TypeId;

use crate::{Error, Result};

/// One trampoline of the shim module: a function that must be importable by a core module
/// before the function it stands for exists.
pub(crate) enum ShimEntry<'a> {
    /// A lowered import of unit `unit` that needs the main module's memory (or an adapter's
    /// `cabi_realloc`).
    Lower {
        unit: usize,
        module: &'a str,
        field: &'a str,
        realloc: bool,
        sig: CoreFuncType,
    },
    /// A function the main module imports from an adapter.
    Adapter {
        module: &'a str,
        field: &'a str,
        sig: CoreFuncType,
    },
    /// A built-in that needs the main module's memory.
    Builtin {
        unit: usize,
        module: &'a str,
        field: &'a str,
        sig: CoreFuncType,
    },
    /// The destructor of an exported resource.
    Dtor {
        unit: usize,
        resource: TypeId,
        export: &'a str,
    },
}

impl ShimEntry<'_> {
    fn sig(&self) -> CoreFuncType {
        match self {
            ShimEntry::Lower { sig, .. }
            | ShimEntry::Adapter { sig, .. }
            | ShimEntry::Builtin { sig, .. } => sig.clone(),
            ShimEntry::Dtor { .. } => CoreFuncType {
                params: vec![CoreValType::I32],
                results: vec![],
            },
        }
    }
}

fn val_type(t: CoreValType) -> wasm_encoder::ValType {
    match t {
        CoreValType::I32 => wasm_encoder::ValType::I32,
        CoreValType::I64 => wasm_encoder::ValType::I64,
        CoreValType::F32 => wasm_encoder::ValType::F32,
        CoreValType::F64 => wasm_encoder::ValType::F64,
        CoreValType::V128 => wasm_encoder::ValType::V128,
        CoreValType::Ref => wasm_encoder::ValType::FUNCREF,
    }
}

fn func_type(types: &mut wasm_encoder::TypeSection, sig: &CoreFuncType) {
    types.ty().function(
        sig.params.iter().copied().map(val_type),
        sig.results.iter().copied().map(val_type),
    );
}

fn table_type(n: usize) -> wasm_encoder::TableType {
    wasm_encoder::TableType {
        element_type: wasm_encoder::RefType::FUNCREF,
        minimum: n as u64,
        maximum: Some(n as u64),
        table64: false,
        shared: false,
    }
}

/// `(module (table N N funcref) (export "$imports" (table 0)) (func (export "i") … call_indirect))`.
pub(crate) fn shim_module(
    entries: &[ShimEntry<'_>],
    memory: Option<&weft_binary::Memory>,
) -> Vec<u8> {
    let mut types = wasm_encoder::TypeSection::new();
    let mut memories = wasm_encoder::MemorySection::new();
    let mut funcs = wasm_encoder::FunctionSection::new();
    let mut tables = wasm_encoder::TableSection::new();
    let mut exports = wasm_encoder::ExportSection::new();
    let mut code = wasm_encoder::CodeSection::new();
    tables.table(table_type(entries.len()));
    for (i, e) in entries.iter().enumerate() {
        let sig = e.sig();
        func_type(&mut types, &sig);
        funcs.function(i as u32);
        exports.export(&i.to_string(), wasm_encoder::ExportKind::Func, i as u32);
        let mut body = wasm_encoder::Function::new([]);
        for p in 0..sig.params.len() {
            body.instruction(&wasm_encoder::Instruction::LocalGet(p as u32));
        }
        body.instruction(&wasm_encoder::Instruction::I32Const(i as i32));
        body.instruction(&wasm_encoder::Instruction::CallIndirect {
            type_index: i as u32,
            table_index: 0,
        });
        body.instruction(&wasm_encoder::Instruction::End);
        code.function(&body);
    }
    exports.export("$imports", wasm_encoder::ExportKind::Table, 0);
    if let Some(mem) = memory {
        // The memory a module imports is defined here, the first module instantiated.
        memories.memory(wasm_encoder::MemoryType {
            minimum: mem.initial,
            maximum: mem.maximum,
            memory64: false,
            shared: false,
            page_size_log2: None,
        });
        exports.export("$memory", wasm_encoder::ExportKind::Memory, 0);
    }
    let mut m = wasm_encoder::Module::new();
    m.section(&types).section(&funcs).section(&tables);
    if memory.is_some() {
        m.section(&memories);
    }
    m.section(&exports).section(&code);
    m.finish()
}

/// `(module (import "shim" "$imports" (table …)) (import "actual" "i" (func …)) (elem …))`.
pub(crate) fn fixup_module(entries: &[ShimEntry<'_>]) -> Vec<u8> {
    let mut types = wasm_encoder::TypeSection::new();
    let mut imports = wasm_encoder::ImportSection::new();
    for (i, e) in entries.iter().enumerate() {
        func_type(&mut types, &e.sig());
        imports.import(
            "actual",
            &i.to_string(),
            wasm_encoder::EntityType::Function(i as u32),
        );
    }
    imports.import(
        "shim",
        "$imports",
        wasm_encoder::EntityType::Table(table_type(entries.len())),
    );
    let mut elems = wasm_encoder::ElementSection::new();
    let funcs: Vec<u32> = (0..entries.len() as u32).collect();
    elems.active(
        Some(0),
        &wasm_encoder::ConstExpr::i32_const(0),
        wasm_encoder::Elements::Functions(funcs.into()),
    );
    let mut m = wasm_encoder::Module::new();
    m.section(&types).section(&imports).section(&elems);
    m.finish()
}

/// `(module (import "main" "_initialize" (func)) (start 0))`, with the initializer's real
/// export name.
pub(crate) fn initialize_module(name: &str) -> Vec<u8> {
    let mut types = wasm_encoder::TypeSection::new();
    types.ty().function([], []);
    let mut imports = wasm_encoder::ImportSection::new();
    imports.import("main", name, wasm_encoder::EntityType::Function(0));
    let mut m = wasm_encoder::Module::new();
    m.section(&types)
        .section(&imports)
        .section(&wasm_encoder::StartSection { function_index: 0 });
    m.finish()
}

pub(crate) fn producers_data(section: &wasm_encoder::ProducersSection) -> Vec<u8> {
    use wasm_encoder::Encode;
    let mut data = Vec::new();
    section.encode(&mut data);
    // `encode` writes the whole custom section (id, size, name); keep only the payload.
    let mut reader = wasmparser::BinaryReader::new(&data, 0);
    let payload = (|| -> wasmparser::Result<Vec<u8>> {
        reader.read_u8()?;
        reader.read_var_u32()?;
        reader.read_string()?;
        Ok(reader.read_bytes(reader.bytes_remaining())?.to_vec())
    })();
    payload.unwrap_or_default()
}

/// `(module (global (mut T) …) (func (export "get") …) (func (export "set") …))`: where a
/// module without threads keeps the TLS base wasm-ld asks for.
pub(crate) fn tls_module(ty: wasm_encoder::ValType) -> Vec<u8> {
    use wasm_encoder::Instruction as I;
    let mut types = wasm_encoder::TypeSection::new();
    types.ty().function([], [ty]);
    types.ty().function([ty], []);
    let mut funcs = wasm_encoder::FunctionSection::new();
    funcs.function(0);
    funcs.function(1);
    let mut globals = wasm_encoder::GlobalSection::new();
    let init = match ty {
        wasm_encoder::ValType::I64 => wasm_encoder::ConstExpr::i64_const(0),
        _ => wasm_encoder::ConstExpr::i32_const(0),
    };
    globals.global(
        wasm_encoder::GlobalType {
            val_type: ty,
            mutable: true,
            shared: false,
        },
        &init,
    );
    let mut exports = wasm_encoder::ExportSection::new();
    exports.export("get", wasm_encoder::ExportKind::Func, 0);
    exports.export("set", wasm_encoder::ExportKind::Func, 1);
    let mut code = wasm_encoder::CodeSection::new();
    let mut get = wasm_encoder::Function::new([]);
    get.instruction(&I::GlobalGet(0)).instruction(&I::End);
    code.function(&get);
    let mut set = wasm_encoder::Function::new([]);
    set.instruction(&I::LocalGet(0))
        .instruction(&I::GlobalSet(0))
        .instruction(&I::End);
    code.function(&set);
    let mut m = wasm_encoder::Module::new();
    m.section(&types)
        .section(&funcs)
        .section(&globals)
        .section(&exports)
        .section(&code);
    m.finish()
}

/// What a task-hook wrapper calls the hook with after the function it wraps.
pub(crate) enum HookEnd {
    /// Nothing (a sync export with a post-return: the post-return's wrapper ends the task).
    None,
    /// This code.
    Code(i32),
    /// 4 (blocked) when the async function's returned code is non-zero, 5 (finished) when it
    /// is zero.
    AsyncCode,
}

/// One function wrapped to call `__wasm_task_hook`.
pub(crate) struct HookEntry {
    pub(crate) unit: usize,
    pub(crate) name: String,
    pub(crate) sig: CoreFuncType,
    pub(crate) start: Option<i32>,
    pub(crate) end: HookEnd,
}

/// `(module (import "main" "<hook>" …) (import "unitN" "<name>" …) (func (export "hookI") …))`:
/// wrappers that call the hook around the functions they forward to.
pub(crate) fn hook_module(hook: &str, entries: &[HookEntry]) -> Vec<u8> {
    use wasm_encoder::Instruction as I;
    let mut types = wasm_encoder::TypeSection::new();
    types.ty().function([wasm_encoder::ValType::I32], []);
    let mut imports = wasm_encoder::ImportSection::new();
    imports.import("main", hook, wasm_encoder::EntityType::Function(0));
    for (i, e) in entries.iter().enumerate() {
        func_type(&mut types, &e.sig);
        imports.import(
            &format!("unit{}", e.unit),
            &e.name,
            wasm_encoder::EntityType::Function(i as u32 + 1),
        );
    }
    let imported = entries.len() as u32 + 1;
    let mut funcs = wasm_encoder::FunctionSection::new();
    let mut exports = wasm_encoder::ExportSection::new();
    let mut code = wasm_encoder::CodeSection::new();
    for (i, e) in entries.iter().enumerate() {
        funcs.function(i as u32 + 1);
        exports.export(
            &format!("hook{i}"),
            wasm_encoder::ExportKind::Func,
            imported + i as u32,
        );
        let params = e.sig.params.len() as u32;
        let locals = match e.end {
            HookEnd::AsyncCode => vec![(1, wasm_encoder::ValType::I32)],
            _ => vec![],
        };
        let mut body = wasm_encoder::Function::new(locals);
        if let Some(start) = e.start {
            body.instruction(&I::I32Const(start))
                .instruction(&I::Call(0));
        }
        for p in 0..params {
            body.instruction(&I::LocalGet(p));
        }
        body.instruction(&I::Call(i as u32 + 1));
        match e.end {
            HookEnd::None => {}
            HookEnd::Code(c) => {
                body.instruction(&I::I32Const(c)).instruction(&I::Call(0));
            }
            HookEnd::AsyncCode => {
                body.instruction(&I::LocalSet(params))
                    .instruction(&I::I32Const(4))
                    .instruction(&I::I32Const(5))
                    .instruction(&I::LocalGet(params))
                    .instruction(&I::Select)
                    .instruction(&I::Call(0))
                    .instruction(&I::LocalGet(params));
            }
        }
        body.instruction(&I::End);
        code.function(&body);
    }
    functions_module(&types, &imports, &funcs, &exports, &code)
}

/// A module of imported and defined functions: the five sections, in order.
fn functions_module(
    types: &wasm_encoder::TypeSection,
    imports: &wasm_encoder::ImportSection,
    funcs: &wasm_encoder::FunctionSection,
    exports: &wasm_encoder::ExportSection,
    code: &wasm_encoder::CodeSection,
) -> Vec<u8> {
    let mut m = wasm_encoder::Module::new();
    m.section(types)
        .section(imports)
        .section(funcs)
        .section(exports)
        .section(code);
    m.finish()
}

/// How many pages of `2^page_size_log2` bytes make the 64 KiB an adapter's stack (or a
/// `cabi_realloc` call) takes.
fn stack_pages(page_size_log2: u32) -> i32 {
    1 << 16u32.saturating_sub(page_size_log2.min(16))
}

/// The Wasm page size the adapters' memory uses.
const PAGE_SIZE: i32 = 65536;

/// `(module (import "env" "memory" (memory 0)) (func (export "cabi_realloc") …))`: an
/// allocator for adapters whose main module exports no `cabi_realloc`. It grows memory by one
/// page per call and traps for anything but a fresh one-page allocation, which is all the
/// adapters ask of it (their state and stack).
pub(crate) fn realloc_module(page_size_log2: u32) -> Vec<u8> {
    use wasm_encoder::Instruction as I;
    let mut types = wasm_encoder::TypeSection::new();
    types.ty().function(
        [wasm_encoder::ValType::I32; 4],
        [wasm_encoder::ValType::I32],
    );
    let mut imports = wasm_encoder::ImportSection::new();
    imports.import(
        "env",
        "memory",
        wasm_encoder::EntityType::Memory(wasm_encoder::MemoryType {
            minimum: 0,
            maximum: None,
            memory64: false,
            shared: false,
            page_size_log2: (page_size_log2 != 16).then_some(page_size_log2),
        }),
    );
    let mut funcs = wasm_encoder::FunctionSection::new();
    funcs.function(0);
    let mut exports = wasm_encoder::ExportSection::new();
    exports.export("cabi_realloc", wasm_encoder::ExportKind::Func, 0);
    // Enough pages for 64 KiB (one page of the default size).
    let pages = stack_pages(page_size_log2);
    let mut body = wasm_encoder::Function::new([(1, wasm_encoder::ValType::I32)]);
    // Only `realloc(0, 0, align, PAGE_SIZE)` with `align <= PAGE_SIZE` is supported.
    for ins in [
        I::LocalGet(0),
        I::LocalGet(1),
        I::I32Or,
        I::LocalGet(3),
        I::I32Const(PAGE_SIZE),
        I::I32Ne,
        I::I32Or,
        I::If(wasm_encoder::BlockType::Empty),
        I::Unreachable,
        I::End,
        I::I32Const(pages),
        I::MemoryGrow(0),
        I::LocalTee(4),
        I::I32Const(-1),
        I::I32Eq,
        I::If(wasm_encoder::BlockType::Empty),
        I::Unreachable,
        I::End,
        I::LocalGet(4),
        I::I32Const(page_size_log2 as i32),
        I::I32Shl,
        I::End,
    ] {
        body.instruction(&ins);
    }
    let mut code = wasm_encoder::CodeSection::new();
    code.function(&body);
    functions_module(&types, &imports, &funcs, &exports, &code)
}

/// Prepares an adapter for instantiation: an adapter with a shadow stack (a mutable `i32`
/// global named `__stack_pointer`) gets a start function that allocates its stack — one page
/// grown from the shared memory — and, when it has an `allocation_state` global, marks the
/// stack allocated the way the adapter expects (0 unallocated, 1 allocating, 2 allocated).
///
/// Only things are added (a type, a function and its body, a start section); no index of the
/// adapter changes.
pub(crate) fn prepare_adapter(bytes: &[u8], module: &Module) -> Result<Vec<u8>> {
    let globals = global_names(bytes)?;
    let Some(sp) = globals
        .iter()
        .find(|(_, n)| n == "__stack_pointer")
        .map(|(i, _)| *i)
    else {
        return Ok(bytes.to_vec());
    };
    if module.start.is_some() {
        return Err(Error::msg(
            "the adapter has a start function already; weft cannot add the one that allocates its stack",
        ));
    }
    if module.memories.len() != 1 {
        return Err(Error::msg(format!(
            "an adapter must import exactly one memory (the main module's); this one has {}",
            module.memories.len()
        )));
    }
    let state = globals
        .iter()
        .find(|(_, n)| n == "allocation_state")
        .map(|(i, _)| *i);
    let new_type = module.func_types.len() as u32;
    let new_func = module.funcs.len() as u32;

    use wasm_encoder::Instruction as I;
    let mut body = wasm_encoder::Function::new([(1, wasm_encoder::ValType::I32)]);
    let mut ins: Vec<I<'_>> = Vec::new();
    if let Some(state) = state {
        ins.extend([
            I::GlobalGet(state),
            I::I32Eqz,
            I::If(wasm_encoder::BlockType::Empty),
            I::I32Const(1),
            I::GlobalSet(state),
        ]);
    }
    let log2 = module.memories[0].page_size_log2;
    let pages = stack_pages(log2);
    ins.extend([
        I::I32Const(pages),
        I::MemoryGrow(0),
        I::LocalTee(0),
        I::I32Const(-1),
        I::I32Eq,
        I::If(wasm_encoder::BlockType::Empty),
        I::Unreachable,
        I::End,
        // The stack grows down from the end of the new 64 KiB.
        I::LocalGet(0),
        I::I32Const(pages),
        I::I32Add,
        I::I32Const(log2 as i32),
        I::I32Shl,
        I::GlobalSet(sp),
    ]);
    if let Some(state) = state {
        ins.extend([I::I32Const(2), I::GlobalSet(state), I::End]);
    }
    ins.push(I::End);
    for i in &ins {
        body.instruction(i);
    }
    let mut body_bytes = Vec::new();
    wasm_encoder::Encode::encode(&body, &mut body_bytes);

    let mut out = wasm_encoder::Module::new();
    let mut started = false;
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        let payload = payload?;
        let Some((id, range)) = payload.as_section() else {
            continue;
        };
        let data = &bytes[range];
        // Section ids of the core binary format.
        const TYPE: u8 = 1;
        const FUNCTION: u8 = 3;
        const ELEMENT: u8 = 9;
        const CODE: u8 = 10;
        const DATA: u8 = 11;
        const DATA_COUNT: u8 = 12;
        // The start section goes after the export section and before elements, data count,
        // code and data.
        if !started && matches!(id, ELEMENT | DATA_COUNT | CODE | DATA) {
            out.section(&wasm_encoder::StartSection {
                function_index: new_func,
            });
            started = true;
        }
        let data: Cow<'_, [u8]> = match id {
            TYPE => Cow::Owned(append_entry(data, &[0x60, 0, 0])?),
            FUNCTION => {
                let mut entry = Vec::new();
                leb(new_type, &mut entry);
                Cow::Owned(append_entry(data, &entry)?)
            }
            CODE => {
                // `body_bytes` is already size-prefixed, as a code section entry is.
                Cow::Owned(append_entry(data, &body_bytes)?)
            }
            _ => Cow::Borrowed(data),
        };
        out.section(&wasm_encoder::RawSection { id, data: &data });
    }
    if !started {
        return Err(Error::msg("the adapter has no code section"));
    }
    // Validated, structurally, when decoded after garbage collection.
    Ok(out.finish())
}

/// Global index → name, from the `name` section.
fn global_names(bytes: &[u8]) -> Result<Vec<(u32, String)>> {
    let mut out = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        if let wasmparser::Payload::CustomSection(c) = payload? {
            if let wasmparser::KnownCustom::Name(names) = c.as_known() {
                for name in names.into_iter().flatten() {
                    if let wasmparser::Name::Global(map) = name {
                        for naming in map.into_iter().flatten() {
                            out.push((naming.index, naming.name.to_string()));
                        }
                    }
                }
            }
        }
    }
    Ok(out)
}

/// A vector section's payload with one more entry: the count is rewritten, the entries are
/// kept byte for byte.
fn append_entry(section: &[u8], entry: &[u8]) -> Result<Vec<u8>> {
    let mut reader = wasmparser::BinaryReader::new(section, 0);
    let count = reader.read_var_u32()?;
    let rest = &section[reader.original_position()..];
    let mut out = Vec::with_capacity(section.len() + entry.len() + 5);
    leb(count + 1, &mut out);
    out.extend_from_slice(rest);
    out.extend_from_slice(entry);
    Ok(out)
}

/// `n` as an unsigned LEB128.
pub(crate) fn leb(mut n: u32, out: &mut Vec<u8>) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}
