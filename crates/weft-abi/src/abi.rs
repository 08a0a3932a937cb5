//! The canonical ABI (CanonicalABI.md of the component model specification), general path:
//! component values ([`Val`](crate::Val)) to and from core values and linear memory.
//!
//! The names are the spec's: [`alignment`], [`elem_size`], [`flatten_type`],
//! [`flatten_functype`], [`load`], `store`, `lift_flat`, `lower_flat`, [`lift_flat_values`],
//! [`lower_flat_values`], [`discriminant_type`], [`max_case_alignment`], so the code reads side
//! by side with the spec's Python definitions. Only synchronous functions with 32-bit memories
//! exist here: the types have no futures, streams or error contexts.
//!
//! Lifting (guest → host) is synchronous: it reads memory and the handle table, nothing more.
//! Lowering (host → guest) calls the guest's `realloc`, which may suspend, so it runs in two
//! phases: [`allocate`] makes every `realloc` call (asynchronously), and
//! [`lower_flat_values`] writes memory (synchronously) at the pointers phase one recorded.
//!
//! Guest memory and guest-provided core values are untrusted: every pointer and length is
//! checked as the spec says, with 64-bit arithmetic, and a violation is a [`Trap`], never a
//! panic.

mod check;
mod lift;
mod lower;

use std::fmt;
use std::future::Future;

pub use check::type_check;
pub use lift::{lift_flat_values, lift_flat_values_with_sources, load, Lifter};
pub use lower::{
    allocate, allocate_blocks, allocate_with_sources, check_out_pointer, lower_flat_values,
    lower_values, Allocations, Block, Writer,
};

use crate::{EnumType, FuncType, Resource, ResourceType, ResultType, Type, VariantType};

/// Spec `MAX_FLAT_PARAMS`: above this many flat parameters, parameters go through memory.
pub const MAX_FLAT_PARAMS: usize = 16;
/// Spec `MAX_FLAT_RESULTS`: above this many flat results, results go through memory.
pub const MAX_FLAT_RESULTS: usize = 1;
/// Spec `MAX_STRING_BYTE_LENGTH`: the longest string, in bytes, that lifting accepts.
pub const MAX_STRING_BYTE_LENGTH: u32 = (1 << 28) - 1;
/// Spec `MAX_LIST_BYTE_LENGTH`: the longest list, in bytes, that lifting accepts.
pub const MAX_LIST_BYTE_LENGTH: u32 = (1 << 28) - 1;
/// Spec `utf16_tag('i32')`: the high bit of a `latin1+utf16` length marks UTF-16.
const UTF16_TAG: u32 = 1 << 31;
/// Spec `CANONICAL_FLOAT32_NAN`.
const CANONICAL_FLOAT32_NAN: u32 = 0x7fc0_0000;
/// Spec `CANONICAL_FLOAT64_NAN`.
const CANONICAL_FLOAT64_NAN: u64 = 0x7ff8_0000_0000_0000;

/// A core WebAssembly value type, as flattening produces them.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum CoreType {
    I32,
    I64,
    F32,
    F64,
}

impl fmt::Display for CoreType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CoreType::I32 => "i32",
            CoreType::I64 => "i64",
            CoreType::F32 => "f32",
            CoreType::F64 => "f64",
        })
    }
}

/// A core WebAssembly value: a flat parameter or result.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum CoreVal {
    I32(i32),
    I64(i64),
    F32(f32),
    F64(f64),
}

impl CoreVal {
    /// The value's core type.
    pub fn ty(&self) -> CoreType {
        match self {
            CoreVal::I32(_) => CoreType::I32,
            CoreVal::I64(_) => CoreType::I64,
            CoreVal::F32(_) => CoreType::F32,
            CoreVal::F64(_) => CoreType::F64,
        }
    }

    /// The zero of a core type, which pads a variant's unused flat slots.
    fn zero(ty: CoreType) -> CoreVal {
        match ty {
            CoreType::I32 => CoreVal::I32(0),
            CoreType::I64 => CoreVal::I64(0),
            CoreType::F32 => CoreVal::F32(0.0),
            CoreType::F64 => CoreVal::F64(0.0),
        }
    }
}

/// The `string-encoding` canonical option.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum StringEncoding {
    #[default]
    Utf8,
    Utf16,
    /// `latin1+utf16`: each string is Latin-1 or UTF-16, told apart by the length's high bit.
    Latin1Utf16,
}

/// Where a lifted string came from: the spec's `String` is a triple `(src, src_encoding,
/// src_tagged_code_units)`, and `store_string_into_range` chooses its `realloc` calls from the
/// last two. Lifting records one per string ([`lift_flat_values_with_sources`]) and lowering
/// the same values into another guest takes them back ([`allocate_with_sources`]); a string
/// from the host has none and is lowered as UTF-8 with its bytes as code units.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct StringSource {
    /// The `string-encoding` of the component the string was lifted from.
    pub encoding: StringEncoding,
    /// The code-unit count lifting read, for `latin1+utf16` with the high bit
    /// (`1 << 31`) set if the string was UTF-16.
    pub tagged_code_units: u32,
}

/// The spec's simple encodings, which `store_string_into_range` derives from the source's
/// encoding and tag.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum SimpleEncoding {
    Utf8,
    Utf16,
    Latin1,
}

impl StringSource {
    /// The source of a host string: UTF-8, one code unit per byte (`None` if `s` is too long
    /// for a 32-bit length).
    pub fn utf8(s: &str) -> Option<StringSource> {
        Some(StringSource {
            encoding: StringEncoding::Utf8,
            tagged_code_units: u32::try_from(s.len()).ok()?,
        })
    }

    /// The source's simple encoding and untagged code-unit count (the start of spec
    /// `store_string_into_range`).
    fn simple(self) -> (SimpleEncoding, u32) {
        let n = self.tagged_code_units;
        match self.encoding {
            StringEncoding::Utf8 => (SimpleEncoding::Utf8, n),
            StringEncoding::Utf16 => (SimpleEncoding::Utf16, n),
            StringEncoding::Latin1Utf16 if n & UTF16_TAG != 0 => {
                (SimpleEncoding::Utf16, n ^ UTF16_TAG)
            }
            StringEncoding::Latin1Utf16 => (SimpleEncoding::Latin1, n),
        }
    }
}

/// A trap raised by the canonical ABI. The message follows the spec's and wasmtime's wording
/// (for example "unaligned pointer" or "invalid `char` bit pattern"), so that the component
/// model's spec tests, which assert on it, match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trap {
    pub message: String,
}

impl Trap {
    /// A trap with the given message.
    pub fn new(message: impl Into<String>) -> Trap {
        Trap {
            message: message.into(),
        }
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Trap {}

/// Spec `trap_if`: a `Result` that is an error when `cond` holds.
fn trap_if(cond: bool, message: impl FnOnce() -> String) -> Result<(), Trap> {
    match cond {
        true => Err(Trap::new(message())),
        false => Ok(()),
    }
}

/// Whether a function is lifted (`canon lift`: a core export becomes a component function) or
/// lowered (`canon lower`: a component function becomes a core import).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Context {
    Lift,
    Lower,
}

/// The canonical options lifting and lowering values need (besides memory and `realloc`, which
/// are arguments).
#[derive(Copy, Clone, Debug, Default)]
pub struct Options {
    pub encoding: StringEncoding,
}

/// Resource handle tables of the component instance on the guest side of the call.
pub trait Handles {
    /// Lifting an `own<rt>` from handle index `h`: removes it from the table (trap if not an
    /// own handle of type rt, or if it has outstanding lends).
    fn lift_own(&mut self, rt: ResourceType, h: u32) -> Result<Resource, Trap>;
    /// Lifting a `borrow<rt>` from `h` (own or borrow handle of rt); the runtime records the
    /// lend for the call.
    fn lift_borrow(&mut self, rt: ResourceType, h: u32) -> Result<Resource, Trap>;
    /// Lowering an owned resource into the table: returns the new handle index.
    fn lower_own(&mut self, r: Resource) -> Result<u32, Trap>;
    /// Lowering a borrow; returns the handle index (or, per the spec, the rep when the callee
    /// instance implements the resource type; that decision belongs to the implementor).
    fn lower_borrow(&mut self, r: Resource) -> Result<u32, Trap>;
}

/// A [`Handles`] for types without resources: every method traps.
pub struct NoHandles;

impl NoHandles {
    fn trap() -> Trap {
        Trap::new("resources are not supported here")
    }
}

impl Handles for NoHandles {
    fn lift_own(&mut self, _: ResourceType, _: u32) -> Result<Resource, Trap> {
        Err(NoHandles::trap())
    }

    fn lift_borrow(&mut self, _: ResourceType, _: u32) -> Result<Resource, Trap> {
        Err(NoHandles::trap())
    }

    fn lower_own(&mut self, _: Resource) -> Result<u32, Trap> {
        Err(NoHandles::trap())
    }

    fn lower_borrow(&mut self, _: Resource) -> Result<u32, Trap> {
        Err(NoHandles::trap())
    }
}

/// The guest's `realloc` (async because calling into the guest may suspend) and its memory
/// size.
pub trait Realloc: Send {
    /// Calls the guest's `realloc(old_ptr, old_size, align, new_size)`.
    fn realloc(
        &mut self,
        old_ptr: u32,
        old_size: u32,
        align: u32,
        new_size: u32,
    ) -> impl Future<Output = Result<u32, Trap>> + Send;
    /// The guest memory's current length in bytes.
    fn memory_len(&self) -> usize;
}

/// A [`Realloc`] that also owns the guest memory, for [`lower_values`] (tests and simple
/// embedders).
pub trait MemoryRealloc: Realloc {
    /// The guest memory.
    fn memory_mut(&mut self) -> &mut [u8];
}

/// Where lowered values go beyond the flat limit.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Spill {
    /// Parameters of a call into the guest: more than `max_flat` flat values → the tuple is
    /// stored in memory obtained from `realloc(0, 0, alignment(tuple), elem_size(tuple))`, and
    /// the single flat value is that pointer.
    Realloc,
    /// Results returned to the guest: more than `max_flat` → stored at an out-pointer the guest
    /// passed.
    OutPointer(u32),
}

// ---- Despecialization helpers. ----

/// The cases of a variant-like type (spec `despecialize`: `enum`, `option` and `result` are
/// variants), without allocating a despecialized type.
#[derive(Copy, Clone)]
enum Cases<'a> {
    Variant(&'a VariantType),
    Enum(&'a EnumType),
    /// `none`, then `some(t)`.
    Option(&'a Type),
    /// `ok(t?)`, then `error(t?)`.
    Result(&'a ResultType),
}

impl<'a> Cases<'a> {
    /// The cases of `t`, if it is variant-like.
    fn of(t: &'a Type) -> Option<Cases<'a>> {
        match t {
            Type::Variant(v) => Some(Cases::Variant(v)),
            Type::Enum(e) => Some(Cases::Enum(e)),
            Type::Option(t) => Some(Cases::Option(t)),
            Type::Result(r) => Some(Cases::Result(r)),
            _ => None,
        }
    }

    fn len(self) -> usize {
        match self {
            Cases::Variant(v) => v.cases.len(),
            Cases::Enum(e) => e.cases.len(),
            Cases::Option(_) | Cases::Result(_) => 2,
        }
    }

    /// The payload type of case `i` (`None` for a case without payload or out of range).
    fn payload(self, i: usize) -> Option<&'a Type> {
        match self {
            Cases::Variant(v) => v.cases.get(i).and_then(|(_, t)| t.as_ref()),
            Cases::Enum(_) => None,
            Cases::Option(t) => (i == 1).then_some(t),
            Cases::Result(r) => match i {
                0 => r.ok.as_ref(),
                1 => r.err.as_ref(),
                _ => None,
            },
        }
    }

    fn payloads(self) -> impl Iterator<Item = Option<&'a Type>> {
        (0..self.len()).map(move |i| self.payload(i))
    }
}

/// The field types of a record-like type (spec `despecialize`: a tuple is a record).
fn fields(t: &Type) -> Option<Box<dyn Iterator<Item = &Type> + '_>> {
    match t {
        Type::Record(r) => Some(Box::new(r.fields.iter().map(|(_, t)| t))),
        Type::Tuple(ts) => Some(Box::new(ts.iter())),
        _ => None,
    }
}

// ---- Alignment and element size. ----

/// Spec `align_to`, saturating: layout sizes beyond `u32` only occur for types that validation
/// rejects (every `elem_size` is below 2^28), and a saturated size fails every bounds check.
fn align_to(x: u32, alignment: u32) -> u32 {
    match alignment {
        0 => x,
        a => x.checked_next_multiple_of(a).unwrap_or(u32::MAX),
    }
}

/// Spec `align_to` on (64-bit) pointers, which cannot overflow for 32-bit operands.
pub fn align_to64(x: u64, alignment: u32) -> u64 {
    match alignment {
        0 => x,
        a => x.next_multiple_of(u64::from(a)),
    }
}

/// Spec `alignment(t)`: the alignment of `t` in memory, in bytes.
pub fn alignment(t: &Type) -> u32 {
    match t {
        Type::Bool | Type::S8 | Type::U8 => 1,
        Type::S16 | Type::U16 => 2,
        Type::S32 | Type::U32 | Type::F32 | Type::Char => 4,
        Type::S64 | Type::U64 | Type::F64 => 8,
        Type::String | Type::List(_) | Type::Map(_) => 4,
        Type::FixedList(t, _) => alignment(t),
        Type::Record(_) | Type::Tuple(_) => alignment_record(fields(t).into_iter().flatten()),
        Type::Variant(_) | Type::Enum(_) | Type::Option(_) | Type::Result(_) => {
            Cases::of(t).map_or(1, alignment_variant)
        }
        Type::Flags(f) => alignment_flags(f.names.len()),
        Type::Own(_) | Type::Borrow(_) => 4,
    }
}

/// Spec `alignment_record`.
fn alignment_record<'a>(fields: impl IntoIterator<Item = &'a Type>) -> u32 {
    fields.into_iter().map(alignment).fold(1, u32::max)
}

/// Spec `alignment_variant`.
fn alignment_variant(cases: Cases<'_>) -> u32 {
    alignment(&discriminant_type(cases.len())).max(max_case_alignment_of(cases))
}

/// Spec `discriminant_type(cases)`, taking the number of cases: the smallest unsigned integer
/// type that numbers them (`u8` up to 256 cases, `u16` up to 65536, else `u32`).
pub fn discriminant_type(num_cases: usize) -> Type {
    match num_cases {
        0..=0x100 => Type::U8,
        0x101..=0x1_0000 => Type::U16,
        _ => Type::U32,
    }
}

/// Spec `max_case_alignment(cases)` of a variant-like type (`variant`, `enum`, `option`,
/// `result`); 1 for any other type.
pub fn max_case_alignment(t: &Type) -> u32 {
    Cases::of(t).map_or(1, max_case_alignment_of)
}

fn max_case_alignment_of(cases: Cases<'_>) -> u32 {
    cases.payloads().flatten().map(alignment).fold(1, u32::max)
}

/// Spec `alignment_flags`, generalized beyond 32 flags (as the spec was before flags were
/// limited to 32): more than 16 flags are stored as `i32`s.
fn alignment_flags(n: usize) -> u32 {
    match n {
        0..=8 => 1,
        9..=16 => 2,
        _ => 4,
    }
}

/// Spec `elem_size(t)`: the size of `t` in memory, in bytes (its stride as a list element).
pub fn elem_size(t: &Type) -> u32 {
    match t {
        Type::Bool | Type::S8 | Type::U8 => 1,
        Type::S16 | Type::U16 => 2,
        Type::S32 | Type::U32 | Type::F32 | Type::Char => 4,
        Type::S64 | Type::U64 | Type::F64 => 8,
        Type::String | Type::List(_) | Type::Map(_) => 8,
        Type::FixedList(t, n) => n.saturating_mul(elem_size(t)),
        Type::Record(_) | Type::Tuple(_) => elem_size_record(fields(t).into_iter().flatten()),
        Type::Variant(_) | Type::Enum(_) | Type::Option(_) | Type::Result(_) => {
            Cases::of(t).map_or(0, elem_size_variant)
        }
        Type::Flags(f) => elem_size_flags(f.names.len()),
        Type::Own(_) | Type::Borrow(_) => 4,
    }
}

/// Spec `elem_size_record`.
fn elem_size_record<'a>(fields: impl IntoIterator<Item = &'a Type>) -> u32 {
    let mut s = 0u32;
    let mut a = 1;
    for t in fields {
        let ta = alignment(t);
        s = align_to(s, ta).saturating_add(elem_size(t));
        a = a.max(ta);
    }
    align_to(s, a)
}

/// Spec `elem_size_variant`.
fn elem_size_variant(cases: Cases<'_>) -> u32 {
    let s = elem_size(&discriminant_type(cases.len()));
    let s = align_to(s, max_case_alignment_of(cases));
    let cs = cases.payloads().flatten().map(elem_size).fold(0, u32::max);
    align_to(s.saturating_add(cs), alignment_variant(cases))
}

/// Spec `elem_size_flags`, generalized beyond 32 flags: `4 * ceil(n / 32)` bytes.
fn elem_size_flags(n: usize) -> u32 {
    match n {
        0 => 0,
        1..=8 => 1,
        9..=16 => 2,
        _ => u32::try_from(num_i32_flags(n)).map_or(u32::MAX, |w| w.saturating_mul(4)),
    }
}

/// The number of `i32`s that hold `n` flags when flattened.
fn num_i32_flags(n: usize) -> usize {
    n.div_ceil(32)
}

// ---- Flattening. ----

/// Spec `flatten_type(t)`: the core values `t` is passed as.
pub fn flatten_type(t: &Type) -> Vec<CoreType> {
    let mut out = Vec::new();
    push_flat(t, &mut out);
    out
}

/// Spec `flatten_types(ts)`: the core values a sequence of values is passed as.
pub fn flatten_types(ts: &[Type]) -> Vec<CoreType> {
    let mut out = Vec::new();
    for t in ts {
        push_flat(t, &mut out);
    }
    out
}

/// `flatten_type(t)`, appended to `out`.
fn push_flat(t: &Type, out: &mut Vec<CoreType>) {
    match t {
        Type::Bool
        | Type::S8
        | Type::U8
        | Type::S16
        | Type::U16
        | Type::S32
        | Type::U32
        | Type::Char => out.push(CoreType::I32),
        Type::S64 | Type::U64 => out.push(CoreType::I64),
        Type::F32 => out.push(CoreType::F32),
        Type::F64 => out.push(CoreType::F64),
        Type::String | Type::List(_) | Type::Map(_) => {
            out.extend([CoreType::I32, CoreType::I32]);
        }
        Type::FixedList(e, n) => {
            let one = flatten_type(e);
            for _ in 0..*n {
                out.extend_from_slice(&one);
            }
        }
        Type::Record(_) | Type::Tuple(_) => {
            for f in fields(t).into_iter().flatten() {
                push_flat(f, out);
            }
        }
        Type::Variant(_) | Type::Enum(_) | Type::Option(_) | Type::Result(_) => {
            if let Some(cases) = Cases::of(t) {
                out.extend(flatten_variant(cases));
            }
        }
        Type::Flags(f) => {
            out.extend(std::iter::repeat_n(
                CoreType::I32,
                num_i32_flags(f.names.len()),
            ));
        }
        Type::Own(_) | Type::Borrow(_) => out.push(CoreType::I32),
    }
}

/// Spec `flatten_variant`: the discriminant, then the case payloads' flat types `join`ed slot
/// by slot.
fn flatten_variant(cases: Cases<'_>) -> Vec<CoreType> {
    let mut flat: Vec<CoreType> = Vec::new();
    for t in cases.payloads().flatten() {
        for (i, ft) in flatten_type(t).into_iter().enumerate() {
            match flat.get_mut(i) {
                Some(slot) => *slot = join(*slot, ft),
                None => flat.push(ft),
            }
        }
    }
    let mut out = Vec::with_capacity(flat.len() + 1);
    push_flat(&discriminant_type(cases.len()), &mut out);
    out.extend(flat);
    out
}

/// Spec `join`: the tightest core type both `a` and `b` can be bit-cast into.
fn join(a: CoreType, b: CoreType) -> CoreType {
    match (a, b) {
        _ if a == b => a,
        (CoreType::I32, CoreType::F32) | (CoreType::F32, CoreType::I32) => CoreType::I32,
        _ => CoreType::I64,
    }
}

/// Spec `flatten_functype(opts, ft, context)` for a synchronous function with a 32-bit memory:
/// the core signature (parameters, results) of a component function.
pub fn flatten_functype(ft: &FuncType, context: Context) -> (Vec<CoreType>, Vec<CoreType>) {
    let mut params = Vec::new();
    for (_, t) in &ft.params {
        push_flat(t, &mut params);
    }
    let mut results = Vec::new();
    if let Some(t) = &ft.result {
        push_flat(t, &mut results);
    }
    if params.len() > MAX_FLAT_PARAMS {
        params = vec![CoreType::I32];
    }
    if results.len() > MAX_FLAT_RESULTS {
        match context {
            Context::Lift => results = vec![CoreType::I32],
            Context::Lower => {
                params.push(CoreType::I32);
                results.clear();
            }
        }
    }
    (params, results)
}

/// Whether lowering a value of type `t` calls `realloc` (it contains a string or a list).
fn needs_realloc(t: &Type) -> bool {
    match t {
        Type::String | Type::List(_) | Type::Map(_) => true,
        Type::FixedList(e, n) => *n > 0 && needs_realloc(e),
        Type::Record(_) | Type::Tuple(_) => fields(t).into_iter().flatten().any(needs_realloc),
        Type::Variant(_) | Type::Enum(_) | Type::Option(_) | Type::Result(_) => {
            Cases::of(t).is_some_and(|c| c.payloads().flatten().any(needs_realloc))
        }
        _ => false,
    }
}

/// Spec `canonicalize_nan32`.
fn canonicalize_nan32(f: f32) -> f32 {
    match f.is_nan() {
        true => f32::from_bits(CANONICAL_FLOAT32_NAN),
        false => f,
    }
}

/// Spec `canonicalize_nan64`.
fn canonicalize_nan64(f: f64) -> f64 {
    match f.is_nan() {
        true => f64::from_bits(CANONICAL_FLOAT64_NAN),
        false => f,
    }
}

#[cfg(test)]
mod tests;
