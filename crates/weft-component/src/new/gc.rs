//! Removing what an adapter does not need: functions no kept export reaches, and the imports
//! only they called. An adapter implements a whole old ABI (all of preview1); a module uses a
//! few of its functions, and the component should import only the interfaces those need.
//!
//! Roots are the exports to keep, the start function, and functions referenced from element
//! segments or global initializers. Everything a root reaches through `call`,
//! `return_call` or `ref.func` is live. The module is re-encoded with live functions only,
//! function indices renumbered; the `name` section (which names functions by index) is
//! dropped.

use std::collections::hash_map::Entry;
use std::convert::Infallible;
use weft_wit::fxhash::{HashMap, HashSet};

use wasm_encoder::reencode::{Error as ReencodeError, Reencode};
use wasmparser::{ExternalKind, Operator, Parser, Payload, TypeRef};

use crate::{Error, Result};

struct Renumber {
    /// Old function index → new index, for live functions.
    map: Vec<Option<u32>>,
}

impl Reencode for Renumber {
    type Error = Infallible;

    fn function_index(&mut self, func: u32) -> Result<u32, ReencodeError<Infallible>> {
        // Only live functions are ever referenced from live code.
        Ok(self
            .map
            .get(func as usize)
            .copied()
            .flatten()
            .unwrap_or(u32::MAX))
    }
}

fn reencode_error(e: ReencodeError<Infallible>) -> Error {
    Error::msg(format!("re-encoding the adapter: {e}"))
}

/// `bytes` with only the functions reachable from the exports in `keep` (and from the start
/// function, element segments and global initializers).
pub(crate) fn gc(bytes: &[u8], keep: &HashSet<&str>) -> Result<Vec<u8>> {
    // Each function's body (`None` for imports), and the roots.
    let mut bodies: Vec<Option<wasmparser::FunctionBody<'_>>> = Vec::new();
    let mut roots: Vec<u32> = Vec::new();
    for payload in Parser::new(0).parse_all(bytes) {
        match payload? {
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    if matches!(import?.ty, TypeRef::Func(_) | TypeRef::FuncExact(_)) {
                        bodies.push(None);
                    }
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export?;
                    if matches!(export.kind, ExternalKind::Func | ExternalKind::FuncExact)
                        && keep.contains(export.name)
                    {
                        roots.push(export.index);
                    }
                }
            }
            Payload::StartSection { func, .. } => roots.push(func),
            Payload::ElementSection(reader) => {
                for elem in reader {
                    match elem?.items {
                        wasmparser::ElementItems::Functions(funcs) => {
                            for f in funcs {
                                roots.push(f?);
                            }
                        }
                        wasmparser::ElementItems::Expressions(_, exprs) => {
                            for expr in exprs {
                                for op in expr?.get_operators_reader() {
                                    if let Operator::RefFunc { function_index } = op? {
                                        roots.push(function_index);
                                    }
                                }
                            }
                        }
                    }
                }
            }
            Payload::GlobalSection(reader) => {
                for global in reader {
                    for op in global?.init_expr.get_operators_reader() {
                        if let Operator::RefFunc { function_index } = op? {
                            roots.push(function_index);
                        }
                    }
                }
            }
            Payload::CodeSectionEntry(body) => bodies.push(Some(body)),
            _ => {}
        }
    }
    // A body is read when its function is found live, once: its call sites are kept for
    // renumbering. Most of an adapter is dead for any one module and never read.
    let mut live = vec![false; bodies.len()];
    let mut sites: Vec<Option<Vec<Site>>> = vec![None; bodies.len()];
    while let Some(f) = roots.pop() {
        let Some(slot) = live.get_mut(f as usize) else {
            return Err(Error::msg(format!(
                "the adapter refers to unknown function {f}"
            )));
        };
        if !*slot {
            *slot = true;
            if let Some(body) = &bodies[f as usize] {
                let found = call_sites(body)?;
                roots.extend(found.iter().map(|s| s.callee));
                sites[f as usize] = Some(found);
            }
        }
    }
    let mut next = 0;
    let map: Vec<Option<u32>> = live
        .iter()
        .map(|&l| {
            l.then(|| {
                next += 1;
                next - 1
            })
        })
        .collect();
    rewrite(bytes, &live, map, Some(&sites))
}

/// The module with duplicate function imports (same module, name and type) merged into the
/// first: components do not allow a core module to import one name twice.
pub(crate) fn dedupe_imports(bytes: &[u8]) -> Result<Vec<u8>> {
    // Each distinct (module, name, type): its place among the distinct ones, in order.
    let mut seen: HashMap<(String, String, u32), usize> = HashMap::default();
    // For each function import: the place of the distinct import it duplicates, if any.
    let mut first: Vec<Option<usize>> = Vec::new();
    let mut total = 0usize;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload? {
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import?;
                    if let TypeRef::Func(ty) | TypeRef::FuncExact(ty) = import.ty {
                        let key = (import.module.to_string(), import.name.to_string(), ty);
                        let distinct = seen.len();
                        match seen.entry(key) {
                            Entry::Occupied(e) => first.push(Some(*e.get())),
                            Entry::Vacant(e) => {
                                e.insert(distinct);
                                first.push(None);
                            }
                        }
                    }
                }
            }
            Payload::FunctionSection(reader) => total = first.len() + reader.count() as usize,
            _ => {}
        }
    }
    if first.iter().all(Option::is_none) {
        return Ok(bytes.to_vec());
    }
    total = total.max(first.len());
    let keep: Vec<bool> = (0..total)
        .map(|i| first.get(i).copied().flatten().is_none())
        .collect();
    // New indices of kept functions; a duplicate takes the index of the import it repeats.
    let mut new = Vec::with_capacity(total);
    let mut next = 0u32;
    for k in &keep {
        new.push(k.then(|| {
            next += 1;
            next - 1
        }));
    }
    // The n-th distinct import is at new index n.
    let mut map = new.clone();
    for (i, f) in first.iter().enumerate() {
        if let Some(f) = f {
            map[i] = Some(*f as u32);
        }
    }
    rewrite(bytes, &keep, map, None)
}

/// A function reference in a body: `call`, `return_call` or `ref.func` (each a one-byte
/// opcode followed by the index as a LEB128).
#[derive(Clone, Copy, Debug)]
struct Site {
    /// Where the opcode is in the module's bytes.
    opcode: usize,
    /// Where the index's LEB128 ends.
    end: usize,
    /// The function referred to.
    callee: u32,
}

/// The function references in `body`, in order.
fn call_sites(body: &wasmparser::FunctionBody<'_>) -> Result<Vec<Site>> {
    let mut sites = Vec::new();
    let mut ops = body.get_operators_reader()?;
    while !ops.eof() {
        let (op, opcode) = ops.read_with_offset()?;
        if let Operator::Call { function_index }
        | Operator::ReturnCall { function_index }
        | Operator::RefFunc { function_index } = op
        {
            sites.push(Site {
                opcode,
                end: ops.original_position(),
                callee: function_index,
            });
        }
    }
    Ok(sites)
}

/// The bytes of `body` with the function references at `sites` renumbered through `map`,
/// everything else copied byte for byte.
fn renumber_body(
    bytes: &[u8],
    body: &wasmparser::FunctionBody<'_>,
    sites: &[Site],
    map: &[Option<u32>],
) -> Result<Vec<u8>> {
    let range = body.range();
    let mut out = Vec::with_capacity(range.len() + 8);
    let mut last = range.start;
    for site in sites {
        let new = map
            .get(site.callee as usize)
            .copied()
            .flatten()
            .ok_or_else(|| {
                Error::msg(format!(
                    "a live function calls removed function {}",
                    site.callee
                ))
            })?;
        out.extend_from_slice(&bytes[last..site.opcode + 1]);
        super::modules::leb(new, &mut out);
        last = site.end;
    }
    out.extend_from_slice(&bytes[last..range.end]);
    Ok(out)
}

/// Re-encodes `bytes` keeping function `i` only where `keep[i]`, with every function reference
/// renumbered through `map`; `sites[i]`, when given, holds the function references of a kept
/// body, which is then not read again.
fn rewrite(
    bytes: &[u8],
    live: &[bool],
    map: Vec<Option<u32>>,
    sites: Option<&[Option<Vec<Site>>]>,
) -> Result<Vec<u8>> {
    let mut imported_funcs = 0u32;
    let mut total_funcs = 0usize;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload? {
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    if matches!(import?.ty, TypeRef::Func(_) | TypeRef::FuncExact(_)) {
                        imported_funcs += 1;
                    }
                }
            }
            Payload::FunctionSection(reader) => total_funcs = reader.count() as usize,
            _ => {}
        }
    }
    let total_funcs = imported_funcs as usize + total_funcs;
    let mut r = Renumber { map };

    let mut module = wasm_encoder::Module::new();
    let mut code: Option<wasm_encoder::CodeSection> = None;
    let mut func_index = 0u32;
    let mut defined = 0u32;
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload?;
        match payload {
            Payload::TypeSection(reader) => {
                let mut types = wasm_encoder::TypeSection::new();
                r.parse_type_section(&mut types, reader)
                    .map_err(reencode_error)?;
                module.section(&types);
            }
            Payload::ImportSection(reader) => {
                let mut imports = wasm_encoder::ImportSection::new();
                for import in reader.into_imports() {
                    let import = import?;
                    if matches!(import.ty, TypeRef::Func(_) | TypeRef::FuncExact(_)) {
                        let keep = live.get(func_index as usize).copied().unwrap_or(false);
                        func_index += 1;
                        if !keep {
                            continue;
                        }
                    }
                    r.parse_import(&mut imports, import)
                        .map_err(reencode_error)?;
                }
                module.section(&imports);
            }
            Payload::FunctionSection(reader) => {
                let mut funcs = wasm_encoder::FunctionSection::new();
                for (i, ty) in reader.into_iter().enumerate() {
                    let ty = ty?;
                    if live
                        .get(imported_funcs as usize + i)
                        .copied()
                        .unwrap_or(false)
                    {
                        funcs.function(ty);
                    }
                }
                module.section(&funcs);
            }
            Payload::TableSection(reader) => {
                let mut s = wasm_encoder::TableSection::new();
                r.parse_table_section(&mut s, reader)
                    .map_err(reencode_error)?;
                module.section(&s);
            }
            Payload::MemorySection(reader) => {
                let mut s = wasm_encoder::MemorySection::new();
                r.parse_memory_section(&mut s, reader)
                    .map_err(reencode_error)?;
                module.section(&s);
            }
            Payload::TagSection(reader) => {
                let mut s = wasm_encoder::TagSection::new();
                r.parse_tag_section(&mut s, reader)
                    .map_err(reencode_error)?;
                module.section(&s);
            }
            Payload::GlobalSection(reader) => {
                let mut s = wasm_encoder::GlobalSection::new();
                r.parse_global_section(&mut s, reader)
                    .map_err(reencode_error)?;
                module.section(&s);
            }
            Payload::ExportSection(reader) => {
                let mut s = wasm_encoder::ExportSection::new();
                for export in reader {
                    let export = export?;
                    if matches!(export.kind, ExternalKind::Func | ExternalKind::FuncExact)
                        && !live.get(export.index as usize).copied().unwrap_or(false)
                    {
                        continue;
                    }
                    r.parse_export(&mut s, export).map_err(reencode_error)?;
                }
                module.section(&s);
            }
            Payload::StartSection { func, .. } => {
                let function_index = r.start_section(func).map_err(reencode_error)?;
                module.section(&wasm_encoder::StartSection { function_index });
            }
            Payload::ElementSection(reader) => {
                let mut s = wasm_encoder::ElementSection::new();
                r.parse_element_section(&mut s, reader)
                    .map_err(reencode_error)?;
                module.section(&s);
            }
            Payload::DataCountSection { count, .. } => {
                module.section(&wasm_encoder::DataCountSection { count });
            }
            Payload::CodeSectionStart { .. } => code = Some(wasm_encoder::CodeSection::new()),
            Payload::CodeSectionEntry(body) => {
                let index = imported_funcs + defined;
                defined += 1;
                if live.get(index as usize).copied().unwrap_or(false) {
                    if let Some(code) = code.as_mut() {
                        let known = sites.and_then(|s| s.get(index as usize)?.as_deref());
                        let body = match known {
                            Some(sites) => renumber_body(bytes, &body, sites, &r.map)?,
                            None => renumber_body(bytes, &body, &call_sites(&body)?, &r.map)?,
                        };
                        code.raw(&body);
                    }
                }
                if (imported_funcs + defined) as usize == total_funcs {
                    if let Some(code) = code.take() {
                        module.section(&code);
                    }
                }
            }
            Payload::DataSection(reader) => {
                let mut s = wasm_encoder::DataSection::new();
                r.parse_data_section(&mut s, reader)
                    .map_err(reencode_error)?;
                module.section(&s);
            }
            Payload::CustomSection(c) if c.name() == "name" => {}
            Payload::CustomSection(c) => {
                module.section(&wasm_encoder::CustomSection {
                    name: c.name().into(),
                    data: c.data().into(),
                });
            }
            _ => {}
        }
    }
    Ok(module.finish())
}
