//! The adapter function's code: [`generate`] writes the module of a [`Shape`] with
//! wasm-encoder, following the host path's order (see the parent module); [`Gen`] emits the
//! checks and copies type by type, the spec's `lift_flat`/`load` checks without making values,
//! then `lower_flat(lift_flat(…))` and `store(load(…))` from one memory to the other.

use std::borrow::Cow;

use wasm_encoder::{
    BlockType, CodeSection, EntityType, ExportKind, ExportSection, Function, FunctionSection,
    ImportSection, Instruction as I, MemArg, MemoryType, Module, TypeSection, ValType,
};
use weft_abi::abi::{
    alignment, discriminant_type, elem_size, flatten_functype, flatten_type, Context, CoreType,
    MAX_LIST_BYTE_LENGTH, MAX_STRING_BYTE_LENGTH,
};
use weft_abi::Type;

use super::{
    cases, field_offsets, fields, is_variant, needs_check, payload_offset, plain, Code, Import,
    Shape, OP_CALLEE_FREE, OP_CALLEE_STAY, OP_CALLER_FREE, OP_CALLER_STAY, OP_CHECK_ENTER,
    OP_CHECK_LEAVE, OP_POP, OP_PUSH,
};

/// Generates the adapter module of `shape` and lists its imports.
pub(super) fn generate(shape: &Shape) -> (Vec<u8>, Vec<Import>) {
    let ty = weft_abi::FuncType {
        params: shape
            .params
            .iter()
            .enumerate()
            .map(|(i, t)| (format!("p{i}"), t.clone()))
            .collect(),
        result: shape.result.clone(),
    };
    let (lower_params, lower_results) = flatten_functype(&ty, Context::Lower);
    let (lift_params, lift_results) = flatten_functype(&ty, Context::Lift);
    let vals = |ts: &[CoreType]| ts.iter().copied().map(val_type).collect::<Vec<_>>();

    let mut types = TypeSection::new();
    let mut imports = ImportSection::new();
    let mut list = Vec::new();
    let mut funcs = 0u32;
    let mut import_func =
        |module: &str, name: &str, params: Vec<ValType>, results: Vec<ValType>, which: Import| {
            let index = types.len();
            types.ty().function(params, results);
            imports.import(module, name, EntityType::Function(index));
            list.push(which);
            funcs += 1;
            funcs - 1
        };
    let rt = import_func("rt", "rt", vec![ValType::I32], vec![], Import::Rt);
    let trap = import_func(
        "rt",
        "trap",
        vec![ValType::I32, ValType::I64, ValType::I64],
        vec![],
        Import::Trap,
    );
    let utf8 = match shape.strings {
        true => import_func("rt", "utf8", vec![ValType::I32; 3], vec![], Import::Utf8),
        false => u32::MAX,
    };
    let callee = import_func(
        "callee",
        "func",
        vals(&lift_params),
        vals(&lift_results),
        Import::CalleeFunc,
    );
    let realloc_ty = || (vec![ValType::I32; 4], vec![ValType::I32]);
    let callee_realloc = match shape.params_spill || shape.params_alloc {
        true => {
            let (p, r) = realloc_ty();
            import_func("callee", "realloc", p, r, Import::CalleeRealloc)
        }
        false => u32::MAX,
    };
    let post_return = match shape.post_return {
        true => import_func(
            "callee",
            "post-return",
            vals(&lift_results),
            vec![],
            Import::CalleePostReturn,
        ),
        false => u32::MAX,
    };
    let caller_realloc = match shape.result_alloc {
        true => {
            let (p, r) = realloc_ty();
            import_func("caller", "realloc", p, r, Import::CallerRealloc)
        }
        false => u32::MAX,
    };
    let memory_type = MemoryType {
        minimum: 0,
        maximum: None,
        memory64: false,
        shared: false,
        page_size_log2: None,
    };
    let (caller_mem, callee_mem) =
        match shape.params_spill || shape.params_alloc || shape.results_spill {
            true => {
                imports.import("caller", "memory", memory_type);
                imports.import("callee", "memory", memory_type);
                list.extend([Import::CallerMemory, Import::CalleeMemory]);
                (0, 1)
            }
            false => (u32::MAX, u32::MAX),
        };
    let adapter_ty = types.len();
    types
        .ty()
        .function(vals(&lower_params), vals(&lower_results));

    let mut g = Gen {
        code: Vec::new(),
        params: lower_params.len() as u32,
        locals: Vec::new(),
        rt,
        trap,
        utf8,
    };
    let args = Dir {
        src: caller_mem,
        dst: callee_mem,
        realloc: callee_realloc,
        which: 0,
    };
    let back = Dir {
        src: callee_mem,
        dst: caller_mem,
        realloc: caller_realloc,
        which: 1,
    };
    let callee_alloc = shape.params_spill || shape.params_alloc;
    let tuple = Type::Tuple(shape.params.clone().into());

    // 1. The caller may leave; 2. the arguments are checked.
    g.rt(OP_CHECK_LEAVE);
    let param_locals: Vec<u32> = (0..lower_params.len() as u32).collect();
    if shape.params_spill {
        g.check_ptr(args.src, 0, &tuple);
        g.validate_mem(args, &tuple, 0, 0);
    } else {
        let mut k = 0;
        for t in &shape.params {
            let n = flatten_type(t).len();
            g.validate_flat(args, t, &param_locals[k..k + n]);
            k += n;
        }
    }
    // 3. The callee is entered; 4. the arguments are copied.
    let stay = if callee_alloc { OP_CALLEE_STAY } else { 0 };
    g.rt(OP_CHECK_ENTER | OP_PUSH | stay);
    let call_args: Vec<u32> = if shape.params_spill {
        let d = g.realloc(
            args,
            alignment(&tuple),
            Size::Const(elem_size(&tuple)),
            Code::ReallocTuple,
        );
        g.copy_mem(args, &tuple, 0, 0, d, 0);
        vec![d]
    } else {
        let mut k = 0;
        let mut out = Vec::new();
        for t in &shape.params {
            let flat = flatten_type(t);
            let dst = g.locals_of(&flat);
            g.copy_flat(args, t, &param_locals[k..k + flat.len()], &dst);
            k += flat.len();
            out.extend(dst);
        }
        out
    };
    if callee_alloc {
        g.rt(OP_CALLEE_FREE);
    }
    // 5. The call.
    for a in &call_args {
        g.get(*a);
    }
    g.i(I::Call(callee));
    let results = g.locals_of(&lift_results);
    for r in results.iter().rev() {
        g.set(*r);
    }
    // 6. The results, then the post-return function.
    let caller_alloc = shape.result_alloc;
    let mut returned = Vec::new();
    match &shape.result {
        Some(t) if shape.results_spill => {
            let ptr = results[0];
            let one = Type::Tuple(vec![t.clone()].into());
            g.check_ptr(back.src, ptr, &one);
            g.validate_mem(back, t, ptr, 0);
            g.rt(OP_POP | if caller_alloc { OP_CALLER_STAY } else { 0 });
            let out = g.params - 1;
            g.check_ptr(back.dst, out, &one);
            g.copy_mem(back, t, ptr, 0, out, 0);
        }
        Some(t) => {
            g.validate_flat(back, t, &results);
            g.rt(OP_POP);
            returned = g.locals_of(&flatten_type(t));
            g.copy_flat(back, t, &results, &returned);
        }
        None => g.rt(OP_POP),
    }
    let free = if caller_alloc { OP_CALLER_FREE } else { 0 };
    if shape.post_return {
        g.rt(free | OP_PUSH | OP_CALLEE_STAY);
        for r in &results {
            g.get(*r);
        }
        g.i(I::Call(post_return));
        g.rt(OP_POP | OP_CALLEE_FREE);
    } else if free != 0 {
        g.rt(free);
    }
    for r in &returned {
        g.get(*r);
    }
    g.i(I::End);

    let mut function = Function::new_with_locals_types(g.locals.iter().copied());
    for i in &g.code {
        function.instruction(i);
    }
    let mut functions = FunctionSection::new();
    functions.function(adapter_ty);
    let mut exports = ExportSection::new();
    exports.export("adapter", ExportKind::Func, funcs);
    let mut code = CodeSection::new();
    code.function(&function);
    let mut module = Module::new();
    module
        .section(&types)
        .section(&imports)
        .section(&functions)
        .section(&exports)
        .section(&code);
    (module.finish(), list)
}

fn val_type(t: CoreType) -> ValType {
    match t {
        CoreType::I32 => ValType::I32,
        CoreType::I64 => ValType::I64,
        CoreType::F32 => ValType::F32,
        CoreType::F64 => ValType::F64,
    }
}

/// Which way values travel: from memory `src` to memory `dst`, allocated there with function
/// `realloc`; `which` is `src` for the `utf8` intrinsic (0: the caller's, 1: the callee's).
#[derive(Copy, Clone)]
struct Dir {
    src: u32,
    dst: u32,
    realloc: u32,
    which: i32,
}

/// A `realloc` size: a constant or an `i32` local.
#[derive(Copy, Clone)]
enum Size {
    Const(u32),
    Local(u32),
}

/// A trap operand: a constant, an `i32` local (zero-extended) or an `i64` local.
#[derive(Copy, Clone)]
enum Arg {
    Const(i64),
    U32(u32),
    I64(u32),
}

/// The adapter function being generated.
struct Gen {
    code: Vec<I<'static>>,
    /// The number of parameters (the first locals).
    params: u32,
    /// The other locals' types.
    locals: Vec<ValType>,
    rt: u32,
    trap: u32,
    utf8: u32,
}

fn mem_arg(offset: u32, memory: u32) -> MemArg {
    MemArg {
        offset: offset.into(),
        align: 0,
        memory_index: memory,
    }
}

impl Gen {
    fn i(&mut self, i: I<'static>) {
        self.code.push(i);
    }

    fn local(&mut self, t: ValType) -> u32 {
        self.locals.push(t);
        self.params + self.locals.len() as u32 - 1
    }

    fn locals_of(&mut self, ts: &[CoreType]) -> Vec<u32> {
        ts.iter().map(|t| self.local(val_type(*t))).collect()
    }

    fn get(&mut self, l: u32) {
        self.i(I::LocalGet(l));
    }

    fn set(&mut self, l: u32) {
        self.i(I::LocalSet(l));
    }

    fn i32(&mut self, x: u32) {
        self.i(I::I32Const(x as i32));
    }

    fn rt(&mut self, op: i32) {
        self.i(I::I32Const(op));
        self.i(I::Call(self.rt));
    }

    fn arg(&mut self, a: Arg) {
        match a {
            Arg::Const(x) => self.i(I::I64Const(x)),
            Arg::U32(l) => {
                self.get(l);
                self.i(I::I64ExtendI32U);
            }
            Arg::I64(l) => self.get(l),
        }
    }

    /// Traps with `code` (the condition is on the stack): `if { trap } end`.
    fn trap_if(&mut self, code: Code, a: Arg, b: Arg) {
        self.i(I::If(BlockType::Empty));
        self.i(I::I32Const(code as i32));
        self.arg(a);
        self.arg(b);
        self.i(I::Call(self.trap));
        self.i(I::Unreachable);
        self.i(I::End);
    }

    /// Pushes the byte length of memory `memory`, as an `i64`.
    fn memory_bytes(&mut self, memory: u32) {
        self.i(I::MemorySize(memory));
        self.i(I::I64ExtendI32U);
        self.i(I::I64Const(16));
        self.i(I::I64Shl);
    }

    /// Traps with `code` unless `ptr` (an `i32` local) is a multiple of `align`.
    fn check_align(&mut self, ptr: u32, align: u32, code: Code) {
        if align > 1 {
            self.get(ptr);
            self.i32(align - 1);
            self.i(I::I32And);
            self.trap_if(code, Arg::Const(0), Arg::Const(0));
        }
    }

    /// Traps with `code` if `ptr + len` (`len` pushed as an `i64` by `push_len`) is beyond
    /// the end of `memory` (64-bit arithmetic: no wrapping).
    fn check_bounds(&mut self, memory: u32, ptr: u32, push_len: impl FnOnce(&mut Gen), code: Code) {
        self.get(ptr);
        self.i(I::I64ExtendI32U);
        push_len(self);
        self.i(I::I64Add);
        self.memory_bytes(memory);
        self.i(I::I64GtU);
        self.trap_if(code, Arg::Const(0), Arg::Const(0));
    }

    /// The checks of a tuple of `t`'s alignment and size at `ptr` in `memory` (the spilled
    /// parameters, returned results and out-pointers: `check_ptr` of weft-abi's lifting and
    /// lowering).
    fn check_ptr(&mut self, memory: u32, ptr: u32, t: &Type) {
        self.check_align(ptr, alignment(t), Code::Unaligned);
        let size = elem_size(t);
        self.check_bounds(
            memory,
            ptr,
            |g| g.i(I::I64Const(size.into())),
            Code::OutOfBounds,
        );
    }

    /// `realloc(0, 0, align, size)` in `dir`'s destination, with the checks of weft-abi's
    /// `allocate` on the result; returns the local holding it.
    fn realloc(&mut self, dir: Dir, align: u32, size: Size, beyond: Code) -> u32 {
        self.i32(0);
        self.i32(0);
        self.i32(align);
        let push_size = |g: &mut Gen| match size {
            Size::Const(n) => g.i32(n),
            Size::Local(l) => g.get(l),
        };
        push_size(self);
        self.i(I::Call(dir.realloc));
        let ptr = self.local(ValType::I32);
        self.set(ptr);
        self.check_align(ptr, align, Code::ReallocUnaligned);
        self.check_bounds(
            dir.dst,
            ptr,
            |g| {
                push_size(g);
                g.i(I::I64ExtendI32U);
            },
            beyond,
        );
        ptr
    }

    /// `br_table` over the `cases` values of `disc` (checked already): `case(i)` emits case
    /// `i`'s code; out-of-range values are unreachable.
    fn dispatch(&mut self, disc: u32, cases: usize, case: &mut dyn FnMut(&mut Gen, usize)) {
        self.i(I::Block(BlockType::Empty));
        for _ in 0..cases {
            self.i(I::Block(BlockType::Empty));
        }
        self.i(I::Block(BlockType::Empty));
        self.get(disc);
        let targets: Vec<u32> = (1..=cases as u32).collect();
        self.i(I::BrTable(Cow::Owned(targets), 0));
        self.i(I::End);
        self.i(I::Unreachable);
        for i in 0..cases {
            self.i(I::End);
            case(self, i);
            self.i(I::Br((cases - 1 - i) as u32));
        }
        self.i(I::End);
    }

    /// A loop over `len` elements of `size` bytes from `src` (and `dst`): `body(s, d)` with
    /// the element's addresses in locals.
    fn each(
        &mut self,
        src: u32,
        dst: Option<u32>,
        len: u32,
        size: u32,
        body: &mut dyn FnMut(&mut Gen, u32, Option<u32>),
    ) {
        let s = self.local(ValType::I32);
        let n = self.local(ValType::I32);
        self.get(src);
        self.set(s);
        self.get(len);
        self.set(n);
        let d = dst.map(|dst| {
            let d = self.local(ValType::I32);
            self.get(dst);
            self.set(d);
            d
        });
        self.i(I::Block(BlockType::Empty));
        self.i(I::Loop(BlockType::Empty));
        self.get(n);
        self.i(I::I32Eqz);
        self.i(I::BrIf(1));
        body(self, s, d);
        for p in std::iter::once(s).chain(d) {
            self.get(p);
            self.i32(size);
            self.i(I::I32Add);
            self.set(p);
        }
        self.get(n);
        self.i32(1);
        self.i(I::I32Sub);
        self.set(n);
        self.i(I::Br(0));
        self.i(I::End);
        self.i(I::End);
    }

    // -- Checks (lifting without making values). --

    fn check_char(&mut self, c: u32) {
        // Above U+10FFFF or a surrogate (U+D800 to U+DFFF).
        self.get(c);
        self.i32(0x10ffff);
        self.i(I::I32GtU);
        self.get(c);
        self.i32(0xd800);
        self.i(I::I32Sub);
        self.i32(0x800);
        self.i(I::I32LtU);
        self.i(I::I32Or);
        self.trap_if(Code::Char, Arg::U32(c), Arg::Const(0));
    }

    fn check_discriminant(&mut self, disc: u32, cases: usize, code: Code) {
        self.get(disc);
        self.i32(cases as u32);
        self.i(I::I32GeU);
        self.trap_if(code, Arg::U32(disc), Arg::Const(cases as i64));
    }

    /// Spec `load_string_from_range`'s checks for UTF-8.
    fn check_string(&mut self, dir: Dir, ptr: u32, len: u32) {
        self.get(len);
        self.i32(MAX_STRING_BYTE_LENGTH);
        self.i(I::I32GtU);
        self.trap_if(Code::StringTooLong, Arg::U32(len), Arg::Const(0));
        self.check_bounds(
            dir.src,
            ptr,
            |g| {
                g.get(len);
                g.i(I::I64ExtendI32U);
            },
            Code::StringOutOfBounds,
        );
        self.i(I::I32Const(dir.which));
        self.get(ptr);
        self.get(len);
        self.i(I::Call(self.utf8));
    }

    /// Spec `load_list_from_range`'s checks, and its elements'.
    fn check_list(&mut self, dir: Dir, ptr: u32, len: u32, e: &Type) {
        // (A zero-sized element counts as a byte, as in weft-abi.)
        let bytes = self.local(ValType::I64);
        self.get(len);
        self.i(I::I64ExtendI32U);
        self.i(I::I64Const(elem_size(e).max(1).into()));
        self.i(I::I64Mul);
        self.set(bytes);
        self.get(bytes);
        self.i(I::I64Const(MAX_LIST_BYTE_LENGTH.into()));
        self.i(I::I64GtU);
        self.trap_if(Code::ListTooLong, Arg::U32(len), Arg::I64(bytes));
        self.check_align(ptr, alignment(e), Code::Unaligned);
        self.check_bounds(dir.src, ptr, |g| g.get(bytes), Code::ListOutOfBounds);
        if needs_check(e) {
            self.each(ptr, None, len, elem_size(e), &mut |g, s, _| {
                g.validate_mem(dir, e, s, 0)
            });
        }
    }

    /// The checks of lifting a `t` from the flat values in locals `s`.
    fn validate_flat(&mut self, dir: Dir, t: &Type, s: &[u32]) {
        match t {
            Type::Char => self.check_char(s[0]),
            Type::String => self.check_string(dir, s[0], s[1]),
            Type::List(e) => self.check_list(dir, s[0], s[1], e),
            Type::Record(_) | Type::Tuple(_) => {
                let mut k = 0;
                for f in fields(t) {
                    let n = flatten_type(f).len();
                    self.validate_flat(dir, f, &s[k..k + n]);
                    k += n;
                }
            }
            _ if is_variant(t) => {
                let (code, cases) = cases(t);
                self.check_discriminant(s[0], cases.len(), code);
                if cases.iter().flatten().any(|p| needs_check(p)) {
                    let joined = flatten_type(t);
                    self.dispatch(s[0], cases.len(), &mut |g, i| {
                        if let Some(p) = cases[i].filter(|p| needs_check(p)) {
                            let payload = g.coerce_lift(&s[1..], &joined[1..], p);
                            g.validate_flat(dir, p, &payload);
                        }
                    });
                }
            }
            _ => {}
        }
    }

    /// The checks of loading a `t` at `base + offset` of `dir.src`.
    fn validate_mem(&mut self, dir: Dir, t: &Type, base: u32, offset: u32) {
        if !needs_check(t) {
            return;
        }
        match t {
            Type::Char => {
                let c = self.load32(dir.src, base, offset);
                self.check_char(c);
            }
            Type::String => {
                let ptr = self.load32(dir.src, base, offset);
                let len = self.load32(dir.src, base, offset + 4);
                self.check_string(dir, ptr, len);
            }
            Type::List(e) => {
                let ptr = self.load32(dir.src, base, offset);
                let len = self.load32(dir.src, base, offset + 4);
                self.check_list(dir, ptr, len, e);
            }
            Type::Record(_) | Type::Tuple(_) => {
                for (f, at) in field_offsets(t) {
                    self.validate_mem(dir, f, base, offset + at);
                }
            }
            _ if is_variant(t) => {
                let (code, cases) = cases(t);
                let disc = self.load_discriminant(dir.src, base, offset, cases.len());
                self.check_discriminant(disc, cases.len(), code);
                if cases.iter().flatten().any(|p| needs_check(p)) {
                    let at = offset + payload_offset(t, cases.len());
                    self.dispatch(disc, cases.len(), &mut |g, i| {
                        if let Some(p) = cases[i] {
                            g.validate_mem(dir, p, base, at);
                        }
                    });
                }
            }
            _ => {}
        }
    }

    fn load32(&mut self, memory: u32, base: u32, offset: u32) -> u32 {
        self.get(base);
        self.i(I::I32Load(mem_arg(offset, memory)));
        let l = self.local(ValType::I32);
        self.set(l);
        l
    }

    fn load_discriminant(&mut self, memory: u32, base: u32, offset: u32, cases: usize) -> u32 {
        self.get(base);
        let m = mem_arg(offset, memory);
        self.i(match elem_size(&discriminant_type(cases)) {
            1 => I::I32Load8U(m),
            2 => I::I32Load16U(m),
            _ => I::I32Load(m),
        });
        let l = self.local(ValType::I32);
        self.set(l);
        l
    }

    /// The payload of a case from a variant's joined flat slots `s` (of types `joined`):
    /// spec `lift_flat_variant`'s `CoerceValueIter`, into new locals of the payload's types.
    fn coerce_lift(&mut self, s: &[u32], joined: &[CoreType], p: &Type) -> Vec<u32> {
        let want = flatten_type(p);
        let out = self.locals_of(&want);
        for (j, (&w, &o)) in want.iter().zip(&out).enumerate() {
            self.get(s[j]);
            match (joined[j], w) {
                (CoreType::I32, CoreType::F32) => self.i(I::F32ReinterpretI32),
                (CoreType::I64, CoreType::I32) => self.i(I::I32WrapI64),
                (CoreType::I64, CoreType::F32) => {
                    self.i(I::I32WrapI64);
                    self.i(I::F32ReinterpretI32);
                }
                (CoreType::I64, CoreType::F64) => self.i(I::F64ReinterpretI64),
                _ => {}
            }
            self.set(o);
        }
        out
    }

    // -- Copies. --

    /// Replaces the `f32` bits on the stack (an `i32`) with the canonical NaN if they are a
    /// NaN.
    fn canonicalize32(&mut self) {
        let x = self.local(ValType::I32);
        self.set(x);
        self.i32(0x7fc0_0000);
        self.get(x);
        self.get(x);
        self.i32(0x7fff_ffff);
        self.i(I::I32And);
        self.i32(0x7f80_0000);
        self.i(I::I32GtU);
        self.i(I::Select);
    }

    /// [`Gen::canonicalize32`] for `f64` bits (an `i64`).
    fn canonicalize64(&mut self) {
        let x = self.local(ValType::I64);
        self.set(x);
        self.i(I::I64Const(0x7ff8_0000_0000_0000));
        self.get(x);
        self.get(x);
        self.i(I::I64Const(0x7fff_ffff_ffff_ffff));
        self.i(I::I64And);
        self.i(I::I64Const(0x7ff0_0000_0000_0000));
        self.i(I::I64GtU);
        self.i(I::Select);
    }

    /// The masks of a flags type's `i32` words: the bits of its flags.
    fn flag_masks(n: usize) -> Vec<u32> {
        (0..n.div_ceil(32))
            .map(|w| match n - w * 32 {
                k if k >= 32 => u32::MAX,
                k => (1u32 << k) - 1,
            })
            .collect()
    }

    /// A string of `len` bytes at `ptr` of `dir.src` copied into `dir.dst`; returns the local
    /// holding the new pointer.
    fn copy_string(&mut self, dir: Dir, ptr: u32, len: u32) -> u32 {
        let dst = self.realloc(dir, 1, Size::Local(len), Code::ReallocString);
        self.get(dst);
        self.get(ptr);
        self.get(len);
        self.i(I::MemoryCopy {
            src_mem: dir.src,
            dst_mem: dir.dst,
        });
        dst
    }

    /// A list of `len` `e`s at `ptr` of `dir.src` copied into `dir.dst`; returns the local
    /// holding the new pointer.
    fn copy_list(&mut self, dir: Dir, ptr: u32, len: u32, e: &Type) -> u32 {
        let size = elem_size(e);
        let bytes = self.local(ValType::I32);
        self.get(len);
        self.i32(size);
        self.i(I::I32Mul);
        self.set(bytes);
        let dst = self.realloc(dir, alignment(e), Size::Local(bytes), Code::ReallocList);
        if plain(e) {
            self.get(dst);
            self.get(ptr);
            self.get(bytes);
            self.i(I::MemoryCopy {
                src_mem: dir.src,
                dst_mem: dir.dst,
            });
        } else {
            self.each(ptr, Some(dst), len, size, &mut |g, s, d| {
                if let Some(d) = d {
                    g.copy_mem(dir, e, s, 0, d, 0);
                }
            });
        }
        dst
    }

    /// Spec `lower_flat(lift_flat(t))`: the flat values of a `t` in locals `s` (checked
    /// already) into locals `d`, copying what they point to from `dir.src` into `dir.dst`.
    fn copy_flat(&mut self, dir: Dir, t: &Type, s: &[u32], d: &[u32]) {
        match t {
            Type::Bool => {
                self.get(s[0]);
                self.i32(0);
                self.i(I::I32Ne);
                self.set(d[0]);
            }
            Type::U8 | Type::U16 => {
                self.get(s[0]);
                self.i32(if matches!(t, Type::U8) { 0xff } else { 0xffff });
                self.i(I::I32And);
                self.set(d[0]);
            }
            Type::S8 | Type::S16 => {
                self.get(s[0]);
                self.i(if matches!(t, Type::S8) {
                    I::I32Extend8S
                } else {
                    I::I32Extend16S
                });
                self.set(d[0]);
            }
            Type::F32 => {
                self.get(s[0]);
                self.i(I::I32ReinterpretF32);
                self.canonicalize32();
                self.i(I::F32ReinterpretI32);
                self.set(d[0]);
            }
            Type::F64 => {
                self.get(s[0]);
                self.i(I::I64ReinterpretF64);
                self.canonicalize64();
                self.i(I::F64ReinterpretI64);
                self.set(d[0]);
            }
            Type::String => {
                let ptr = self.copy_string(dir, s[0], s[1]);
                self.get(ptr);
                self.set(d[0]);
                self.get(s[1]);
                self.set(d[1]);
            }
            Type::List(e) => {
                let ptr = self.copy_list(dir, s[0], s[1], e);
                self.get(ptr);
                self.set(d[0]);
                self.get(s[1]);
                self.set(d[1]);
            }
            Type::Record(_) | Type::Tuple(_) => {
                let mut k = 0;
                for f in fields(t) {
                    let n = flatten_type(f).len();
                    self.copy_flat(dir, f, &s[k..k + n], &d[k..k + n]);
                    k += n;
                }
            }
            Type::Flags(f) => {
                for (j, mask) in Gen::flag_masks(f.names.len()).into_iter().enumerate() {
                    self.get(s[j]);
                    if mask != u32::MAX {
                        self.i32(mask);
                        self.i(I::I32And);
                    }
                    self.set(d[j]);
                }
            }
            Type::Enum(_) => {
                self.get(s[0]);
                self.set(d[0]);
            }
            _ if is_variant(t) => {
                let (_, cases) = cases(t);
                let joined = flatten_type(t);
                self.get(s[0]);
                self.set(d[0]);
                self.dispatch(s[0], cases.len(), &mut |g, i| {
                    let mut used = 0;
                    if let Some(p) = cases[i] {
                        let src = g.coerce_lift(&s[1..], &joined[1..], p);
                        let want = flatten_type(p);
                        let dst = g.locals_of(&want);
                        g.copy_flat(dir, p, &src, &dst);
                        // Spec `lower_flat_variant`'s coercions back to the joined types.
                        for (j, (&w, &v)) in want.iter().zip(&dst).enumerate() {
                            g.get(v);
                            match (w, joined[1 + j]) {
                                (CoreType::F32, CoreType::I32) => g.i(I::I32ReinterpretF32),
                                (CoreType::I32, CoreType::I64) => g.i(I::I64ExtendI32U),
                                (CoreType::F32, CoreType::I64) => {
                                    g.i(I::I32ReinterpretF32);
                                    g.i(I::I64ExtendI32U);
                                }
                                (CoreType::F64, CoreType::I64) => g.i(I::I64ReinterpretF64),
                                _ => {}
                            }
                            g.set(d[1 + j]);
                        }
                        used = want.len();
                    }
                    // The slots the case does not use are zeros.
                    for (j, &slot) in joined[1..].iter().enumerate().skip(used) {
                        g.i(match slot {
                            CoreType::I32 => I::I32Const(0),
                            CoreType::I64 => I::I64Const(0),
                            CoreType::F32 => I::F32Const(0.0.into()),
                            CoreType::F64 => I::F64Const(0.0.into()),
                        });
                        g.set(d[1 + j]);
                    }
                });
            }
            // Integers and `char`s (checked) are their flat values.
            _ => {
                for (s, d) in s.iter().zip(d) {
                    self.get(*s);
                    self.set(*d);
                }
            }
        }
    }

    /// Spec `store(load(t))`: a `t` (checked already) at `src + src_offset` of `dir.src`
    /// into `dst + dst_offset` of `dir.dst`.
    fn copy_mem(&mut self, dir: Dir, t: &Type, src: u32, so: u32, dst: u32, d_off: u32) {
        let (from, to) = (mem_arg(so, dir.src), mem_arg(d_off, dir.dst));
        match t {
            Type::Bool => {
                self.get(dst);
                self.get(src);
                self.i(I::I32Load8U(from));
                self.i32(0);
                self.i(I::I32Ne);
                self.i(I::I32Store8(to));
            }
            Type::U8 | Type::S8 => {
                self.get(dst);
                self.get(src);
                self.i(I::I32Load8U(from));
                self.i(I::I32Store8(to));
            }
            Type::U16 | Type::S16 => {
                self.get(dst);
                self.get(src);
                self.i(I::I32Load16U(from));
                self.i(I::I32Store16(to));
            }
            Type::U32 | Type::S32 | Type::Char => {
                self.get(dst);
                self.get(src);
                self.i(I::I32Load(from));
                self.i(I::I32Store(to));
            }
            Type::U64 | Type::S64 => {
                self.get(dst);
                self.get(src);
                self.i(I::I64Load(from));
                self.i(I::I64Store(to));
            }
            Type::F32 => {
                self.get(dst);
                self.get(src);
                self.i(I::I32Load(from));
                self.canonicalize32();
                self.i(I::I32Store(to));
            }
            Type::F64 => {
                self.get(dst);
                self.get(src);
                self.i(I::I64Load(from));
                self.canonicalize64();
                self.i(I::I64Store(to));
            }
            Type::String | Type::List(_) => {
                let ptr = self.load32(dir.src, src, so);
                let len = self.load32(dir.src, src, so + 4);
                let new = match t {
                    Type::List(e) => self.copy_list(dir, ptr, len, e),
                    _ => self.copy_string(dir, ptr, len),
                };
                self.get(dst);
                self.get(new);
                self.i(I::I32Store(to));
                self.get(dst);
                self.get(len);
                self.i(I::I32Store(mem_arg(d_off + 4, dir.dst)));
            }
            Type::Record(_) | Type::Tuple(_) => {
                for (f, at) in field_offsets(t) {
                    self.copy_mem(dir, f, src, so + at, dst, d_off + at);
                }
            }
            Type::Flags(f) => {
                let n = f.names.len();
                let masks = Gen::flag_masks(n);
                type MemOp = fn(MemArg) -> I<'static>;
                let (load, store, step): (MemOp, MemOp, u32) = match n {
                    0 => return,
                    1..=8 => (I::I32Load8U, I::I32Store8, 1),
                    9..=16 => (I::I32Load16U, I::I32Store16, 2),
                    _ => (I::I32Load, I::I32Store, 4),
                };
                for (j, mask) in masks.into_iter().enumerate() {
                    let at = j as u32 * step;
                    self.get(dst);
                    self.get(src);
                    self.i(load(mem_arg(so + at, dir.src)));
                    self.i32(mask);
                    self.i(I::I32And);
                    self.i(store(mem_arg(d_off + at, dir.dst)));
                }
            }
            _ if is_variant(t) => {
                let (_, cases) = cases(t);
                let disc = self.load_discriminant(dir.src, src, so, cases.len());
                self.get(dst);
                self.get(disc);
                self.i(match elem_size(&discriminant_type(cases.len())) {
                    1 => I::I32Store8(to),
                    2 => I::I32Store16(to),
                    _ => I::I32Store(to),
                });
                if cases.iter().any(Option::is_some) {
                    let at = payload_offset(t, cases.len());
                    self.dispatch(disc, cases.len(), &mut |g, i| {
                        if let Some(p) = cases[i] {
                            g.copy_mem(dir, p, src, so + at, dst, d_off + at);
                        }
                    });
                }
            }
            // Not eligible (`supported`).
            _ => self.i(I::Unreachable),
        }
    }
}

#[cfg(test)]
mod tests {
    use weft_abi::abi::{flatten_types, MAX_FLAT_PARAMS, MAX_FLAT_RESULTS};

    use super::super::{has_alloc, has_string};
    use super::*;

    /// Every generated module validates (wasmparser, as wasmtime does) for a spread of types.
    #[test]
    fn generated_modules_validate() {
        use std::sync::Arc as A;
        use weft_abi::{EnumType, FlagsType, RecordType, ResultType, VariantType};
        let record = Type::Record(A::new(RecordType {
            fields: vec![
                ("a".into(), Type::U8),
                ("b".into(), Type::String),
                ("c".into(), Type::F64),
            ],
        }));
        let variant = Type::Variant(A::new(VariantType {
            cases: vec![
                ("x".into(), Some(Type::F32)),
                ("y".into(), Some(Type::U64)),
                ("z".into(), None),
                ("w".into(), Some(Type::List(A::new(Type::Char)))),
            ],
        }));
        let types = vec![
            Type::Bool,
            Type::String,
            Type::List(A::new(Type::U8)),
            Type::List(A::new(Type::String)),
            Type::List(A::new(record.clone())),
            record,
            variant.clone(),
            Type::Option(A::new(variant)),
            Type::Result(A::new(ResultType {
                ok: Some(Type::String),
                err: None,
            })),
            Type::Enum(A::new(EnumType {
                cases: vec!["a".into(), "b".into()],
            })),
            Type::Flags(A::new(FlagsType {
                names: (0..40).map(|i| format!("f{i}")).collect(),
            })),
            Type::Tuple(vec![Type::Char; 20].into()),
        ];
        for t in &types {
            for (params, result) in [
                (vec![t.clone()], Some(t.clone())),
                (vec![t.clone(); 9], None),
                (Vec::new(), Some(t.clone())),
            ] {
                let flat = flatten_types(&params).len();
                let shape = Shape {
                    params_spill: flat > MAX_FLAT_PARAMS,
                    results_spill: result
                        .as_ref()
                        .is_some_and(|t| flatten_type(t).len() > MAX_FLAT_RESULTS),
                    params_alloc: params.iter().any(has_alloc),
                    result_alloc: result.iter().any(has_alloc),
                    strings: params.iter().chain(result.iter()).any(has_string),
                    post_return: true,
                    params,
                    result,
                };
                let (bytes, _) = generate(&shape);
                let mut features = wasmparser::WasmFeatures::default();
                features.insert(wasmparser::WasmFeatures::MULTI_MEMORY);
                wasmparser::Validator::new_with_features(features)
                    .validate_all(&bytes)
                    .unwrap_or_else(|e| panic!("{t}: {e}"));
            }
        }
    }
}
