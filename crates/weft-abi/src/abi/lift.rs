//! Lifting (guest → host): spec `load`, `lift_flat` and `lift_flat_values`.
//!
//! Everything read here comes from the guest and is checked before use. Pointers are widened
//! to `u64` as soon as they are read, so `ptr + length` never overflows, and every memory read
//! goes through [`LiftCx::bytes`], which traps instead of panicking even where the spec only
//! asserts (an internal inconsistency must not become a host panic either).

use std::sync::Arc;

use super::{
    align_to64, alignment, alignment_record, canonicalize_nan32, canonicalize_nan64,
    discriminant_type, elem_size, elem_size_flags, elem_size_record, flatten_type, flatten_types,
    flatten_variant, max_case_alignment_of, num_i32_flags, trap_if, Cases, CoreType, CoreVal,
    Handles, Options, StringEncoding, StringSource, Trap, MAX_LIST_BYTE_LENGTH,
    MAX_STRING_BYTE_LENGTH, UTF16_TAG,
};
use crate::{Type, Val};

/// Spec `load(cx, ptr, t)`: reads a value of type `t` at `ptr` in `mem`. Unlike the spec's
/// `load`, which asserts, this entry point traps if `ptr` is unaligned or `t` does not fit in
/// memory there, since the pointer usually comes from the guest (a return pointer, say).
pub fn load(
    mem: &[u8],
    opts: &Options,
    handles: &mut dyn Handles,
    ptr: u32,
    t: &Type,
) -> Result<Val, Trap> {
    let ptr = u64::from(ptr);
    check_ptr(mem, ptr, alignment(t), elem_size(t))?;
    LiftCx::new(mem, opts, handles).load(ptr, t)
}

/// Spec `lift_flat_values(cx, max_flat, vi, ts)`: lifts a tuple of values of types `ts` from
/// core values. If `flatten_types(ts)` has more than `max_flat` values, `vals` starts with a
/// pointer (an `i32`) to the tuple in memory, which is alignment- and bounds-checked.
///
/// Core values beyond those the types use are ignored, as the spec's `CoreValueIter` leaves
/// them (a lowered import's trailing out-pointer, for one).
pub fn lift_flat_values(
    mem: &[u8],
    opts: &Options,
    handles: &mut dyn Handles,
    max_flat: usize,
    vals: &[CoreVal],
    ts: &[Type],
) -> Result<Vec<Val>, Trap> {
    lift_flat_values_with_sources(mem, opts, handles, max_flat, vals, ts).map(|(vals, _)| vals)
}

/// [`lift_flat_values`], also returning the [`StringSource`] of every string lifted, in
/// traversal order (the order in which lowering visits them), for lowering the values into
/// another guest with [`allocate_with_sources`](super::allocate_with_sources).
pub fn lift_flat_values_with_sources(
    mem: &[u8],
    opts: &Options,
    handles: &mut dyn Handles,
    max_flat: usize,
    vals: &[CoreVal],
    ts: &[Type],
) -> Result<(Vec<Val>, Vec<StringSource>), Trap> {
    let mut cx = LiftCx::new(mem, opts, handles);
    let mut vi = CoreValueIter::new(vals);
    let vals = if flatten_types(ts).len() > max_flat {
        let ptr = u64::from(vi.next_i32()?);
        check_ptr(mem, ptr, alignment_record(ts), elem_size_record(ts))?;
        cx.load_fields(ptr, ts)?
    } else {
        ts.iter()
            .map(|t| cx.lift_flat(&mut vi, t))
            .collect::<Result<_, _>>()?
    };
    Ok((vals, cx.sources))
}

/// Lifting one value at a time, for typed hosts that lift their parameters into Rust values
/// directly instead of through [`Val`] trees (the typed fast path): a `list<u8>` becomes a
/// `Vec<u8>` with one copy, say. Every read is checked as in [`lift_flat_values`].
pub struct Lifter<'a> {
    cx: LiftCx<'a>,
    vi: CoreValueIter<'a>,
}

impl<'a> Lifter<'a> {
    /// A lifter of the flat values `vals` over `mem`.
    pub fn new(
        mem: &'a [u8],
        opts: &'a Options,
        handles: &'a mut dyn Handles,
        vals: &'a [CoreVal],
    ) -> Lifter<'a> {
        Lifter {
            cx: LiftCx::new(mem, opts, handles),
            vi: CoreValueIter::new(vals),
        }
    }

    /// Spec `lift_flat` of the next value, of type `t`, from the flat values.
    pub fn lift_flat(&mut self, t: &Type) -> Result<Val, Trap> {
        self.cx.lift_flat(&mut self.vi, t)
    }

    /// The next flat value, an `i32` (a pointer or a length, say).
    pub fn next_i32(&mut self) -> Result<u32, Trap> {
        self.vi.next_i32()
    }

    /// Spec `load` of a value of type `t` at `ptr`, checked for alignment and bounds.
    pub fn load(&mut self, ptr: u32, t: &Type) -> Result<Val, Trap> {
        let ptr = u64::from(ptr);
        check_ptr(self.cx.mem, ptr, alignment(t), elem_size(t))?;
        self.cx.load(ptr, t)
    }

    /// The bytes of a `list<u8>` (or `list<s8>`) at `ptr` of `length` elements: spec
    /// `load_list_from_range` without making a value per byte.
    pub fn byte_list(&self, ptr: u32, length: u32) -> Result<&'a [u8], Trap> {
        trap_if(length > MAX_LIST_BYTE_LENGTH, || {
            format!("list too long: {length} elements, {length} bytes")
        })?;
        let mem: &'a [u8] = self.cx.mem;
        let start = ptr as usize;
        start
            .checked_add(length as usize)
            .and_then(|end| mem.get(start..end))
            .ok_or_else(|| {
                Trap::new("list content out-of-bounds: list pointer/length out of bounds of memory")
            })
    }
}

/// Traps unless a value of the given alignment and size fits at `ptr` (the checks of
/// `lift_flat_values` and of `load`'s callers).
fn check_ptr(mem: &[u8], ptr: u64, align: u32, size: u32) -> Result<(), Trap> {
    trap_if(ptr != align_to64(ptr, align), || "unaligned pointer".into())?;
    trap_if(ptr + u64::from(size) > mem.len() as u64, || {
        "pointer out of bounds of memory".into()
    })
}

/// Spec `CoreValueIter`: the flat values being lifted. Unlike the spec's, whose type checks are
/// assertions, a missing value or one of the wrong core type is a trap.
struct CoreValueIter<'a> {
    values: &'a [CoreVal],
    i: usize,
}

impl<'a> CoreValueIter<'a> {
    fn new(values: &'a [CoreVal]) -> CoreValueIter<'a> {
        CoreValueIter { values, i: 0 }
    }

    fn next(&mut self, t: CoreType) -> Result<CoreVal, Trap> {
        let Some(v) = self.values.get(self.i) else {
            return Err(Trap::new(format!(
                "too few core values: expected a {t} at index {}",
                self.i
            )));
        };
        self.i += 1;
        match v.ty() == t {
            true => Ok(*v),
            false => Err(Trap::new(format!(
                "core value type mismatch at index {}: expected {t}, found {}",
                self.i - 1,
                v.ty()
            ))),
        }
    }

    /// The next `i32`, as the spec's unsigned Python int.
    fn next_i32(&mut self) -> Result<u32, Trap> {
        match self.next(CoreType::I32)? {
            CoreVal::I32(x) => Ok(x as u32),
            _ => Err(Trap::new("core value type mismatch")),
        }
    }

    fn next_i64(&mut self) -> Result<u64, Trap> {
        match self.next(CoreType::I64)? {
            CoreVal::I64(x) => Ok(x as u64),
            _ => Err(Trap::new("core value type mismatch")),
        }
    }

    fn next_f32(&mut self) -> Result<f32, Trap> {
        match self.next(CoreType::F32)? {
            CoreVal::F32(x) => Ok(x),
            _ => Err(Trap::new("core value type mismatch")),
        }
    }

    fn next_f64(&mut self) -> Result<f64, Trap> {
        match self.next(CoreType::F64)? {
            CoreVal::F64(x) => Ok(x),
            _ => Err(Trap::new("core value type mismatch")),
        }
    }
}

/// Spec `LiftLowerContext`, for lifting.
struct LiftCx<'a> {
    mem: &'a [u8],
    opts: &'a Options,
    handles: &'a mut dyn Handles,
    /// The source of every string lifted so far, in order.
    sources: Vec<StringSource>,
}

impl<'a> LiftCx<'a> {
    fn new(mem: &'a [u8], opts: &'a Options, handles: &'a mut dyn Handles) -> LiftCx<'a> {
        LiftCx {
            mem,
            opts,
            handles,
            sources: Vec::new(),
        }
    }

    /// `len` bytes of memory at `ptr`, or a trap if they are not all in bounds.
    fn bytes(&self, ptr: u64, len: u64) -> Result<&[u8], Trap> {
        let range = usize::try_from(ptr).ok().zip(
            ptr.checked_add(len)
                .and_then(|end| usize::try_from(end).ok()),
        );
        range
            .and_then(|(start, end)| self.mem.get(start..end))
            .ok_or_else(|| Trap::new("pointer out of bounds of memory"))
    }

    /// Spec `load_int`, unsigned, for up to 8 bytes.
    fn load_int(&self, ptr: u64, nbytes: u32) -> Result<u64, Trap> {
        let bytes = self.bytes(ptr, u64::from(nbytes))?;
        let mut buf = [0u8; 8];
        let n = bytes.len().min(8);
        buf[..n].copy_from_slice(&bytes[..n]);
        Ok(u64::from_le_bytes(buf))
    }

    fn load_u32(&self, ptr: u64) -> Result<u32, Trap> {
        Ok(self.load_int(ptr, 4)? as u32)
    }

    /// Spec `load(cx, ptr, t)`, for a `ptr` already checked for alignment and bounds.
    fn load(&mut self, ptr: u64, t: &Type) -> Result<Val, Trap> {
        Ok(match t {
            Type::Bool => Val::Bool(self.load_int(ptr, 1)? != 0),
            Type::U8 => Val::U8(self.load_int(ptr, 1)? as u8),
            Type::U16 => Val::U16(self.load_int(ptr, 2)? as u16),
            Type::U32 => Val::U32(self.load_int(ptr, 4)? as u32),
            Type::U64 => Val::U64(self.load_int(ptr, 8)?),
            Type::S8 => Val::S8(self.load_int(ptr, 1)? as u8 as i8),
            Type::S16 => Val::S16(self.load_int(ptr, 2)? as u16 as i16),
            Type::S32 => Val::S32(self.load_int(ptr, 4)? as u32 as i32),
            Type::S64 => Val::S64(self.load_int(ptr, 8)? as i64),
            Type::F32 => Val::F32(decode_i32_as_float(self.load_u32(ptr)?)),
            Type::F64 => Val::F64(decode_i64_as_float(self.load_int(ptr, 8)?)),
            Type::Char => Val::Char(convert_i32_to_char(self.load_u32(ptr)?)?),
            Type::String => {
                let begin = self.load_u32(ptr)?;
                let tagged_code_units = self.load_u32(ptr + 4)?;
                Val::String(self.load_string_from_range(begin, tagged_code_units)?)
            }
            Type::List(e) => {
                let begin = self.load_u32(ptr)?;
                let length = self.load_u32(ptr + 4)?;
                Val::List(self.load_list_from_range(begin, length, e)?)
            }
            Type::FixedList(e, n) => Val::List(self.load_list_from_valid_range(ptr, *n, e)?),
            Type::Map(kv) => {
                let begin = self.load_u32(ptr)?;
                let length = self.load_u32(ptr + 4)?;
                let entry = map_entry_type(kv);
                let entries = self.load_list_from_range(begin, length, &entry)?;
                Val::Map(entries.into_iter().filter_map(into_map_entry).collect())
            }
            Type::Record(r) => {
                let field_types = r.fields.iter().map(|(_, t)| t);
                let vals = self.load_fields(ptr, field_types)?;
                let names = r.fields.iter().map(|(name, _)| name.clone());
                Val::Record(names.zip(vals).collect())
            }
            Type::Tuple(ts) => Val::Tuple(self.load_fields(ptr, ts.iter())?),
            Type::Variant(_) | Type::Enum(_) | Type::Option(_) | Type::Result(_) => {
                match Cases::of(t) {
                    Some(cases) => self.load_variant(ptr, cases)?,
                    None => return Err(Trap::new("not a variant type")),
                }
            }
            Type::Flags(f) => {
                let bytes = self.bytes(ptr, u64::from(elem_size_flags(f.names.len())))?;
                let is_set = |i: usize| bytes.get(i / 8).is_some_and(|b| b >> (i % 8) & 1 == 1);
                Val::Flags(unpack_flags(&f.names, is_set))
            }
            Type::Own(rt) => Val::Resource(self.handles.lift_own(*rt, self.load_u32(ptr)?)?),
            Type::Borrow(rt) => Val::Resource(self.handles.lift_borrow(*rt, self.load_u32(ptr)?)?),
        })
    }

    /// Spec `load_string_from_range`; records the string's [`StringSource`].
    fn load_string_from_range(&mut self, ptr: u32, tagged_code_units: u32) -> Result<String, Trap> {
        let s = self.decode_string(ptr, tagged_code_units)?;
        self.sources.push(StringSource {
            encoding: self.opts.encoding,
            tagged_code_units,
        });
        Ok(s)
    }

    /// The checks and decoding of spec `load_string_from_range`.
    fn decode_string(&self, ptr: u32, tagged_code_units: u32) -> Result<String, Trap> {
        #[derive(Copy, Clone)]
        enum Encoding {
            Utf8,
            Utf16,
            Latin1,
        }
        let tagged_code_units = u64::from(tagged_code_units);
        let (alignment, byte_length, encoding) = match self.opts.encoding {
            StringEncoding::Utf8 => (1, tagged_code_units, Encoding::Utf8),
            StringEncoding::Utf16 => (2, 2 * tagged_code_units, Encoding::Utf16),
            StringEncoding::Latin1Utf16 => match tagged_code_units & u64::from(UTF16_TAG) {
                0 => (2, tagged_code_units, Encoding::Latin1),
                tag => (2, 2 * (tagged_code_units ^ tag), Encoding::Utf16),
            },
        };
        let ptr = u64::from(ptr);
        trap_if(byte_length > u64::from(MAX_STRING_BYTE_LENGTH), || {
            format!("string too long: {byte_length} bytes")
        })?;
        trap_if(ptr != align_to64(ptr, alignment), || {
            "unaligned pointer".into()
        })?;
        trap_if(ptr + byte_length > self.mem.len() as u64, || {
            "string content out-of-bounds: string pointer/length out of bounds of memory".into()
        })?;
        let bytes = self.bytes(ptr, byte_length)?;
        match encoding {
            Encoding::Utf8 => match std::str::from_utf8(bytes) {
                Ok(s) => Ok(s.to_owned()),
                Err(e) => Err(Trap::new(format!("invalid utf-8 string: {e}"))),
            },
            Encoding::Utf16 => {
                let units = bytes
                    .chunks_exact(2)
                    .map(|b| u16::from_le_bytes([b[0], b[1]]));
                char::decode_utf16(units)
                    .map(|c| {
                        c.map_err(|e| {
                            Trap::new(format!(
                                "invalid utf-16 string: lone surrogate {:#06x}",
                                e.unpaired_surrogate()
                            ))
                        })
                    })
                    .collect()
            }
            Encoding::Latin1 => Ok(bytes.iter().map(|&b| char::from(b)).collect()),
        }
    }

    /// Spec `load_list_from_range`.
    fn load_list_from_range(&mut self, ptr: u32, length: u32, t: &Type) -> Result<Vec<Val>, Trap> {
        // A zero-sized element type (which validation rejects) is counted as one byte, so a
        // guest cannot make the host build billions of values from an empty range.
        let byte_length = u64::from(length) * u64::from(elem_size(t).max(1));
        let ptr = u64::from(ptr);
        trap_if(byte_length > u64::from(MAX_LIST_BYTE_LENGTH), || {
            format!("list too long: {length} elements, {byte_length} bytes")
        })?;
        trap_if(ptr != align_to64(ptr, alignment(t)), || {
            "unaligned pointer".into()
        })?;
        trap_if(ptr + byte_length > self.mem.len() as u64, || {
            "list content out-of-bounds: list pointer/length out of bounds of memory".into()
        })?;
        self.load_list_from_valid_range(ptr, length, t)
    }

    /// Spec `load_list_from_valid_range`.
    fn load_list_from_valid_range(
        &mut self,
        ptr: u64,
        length: u32,
        t: &Type,
    ) -> Result<Vec<Val>, Trap> {
        let size = u64::from(elem_size(t));
        (0..u64::from(length))
            .map(|i| self.load(ptr + i * size, t))
            .collect()
    }

    /// Spec `load_record`, returning the field values in order.
    fn load_fields<'t>(
        &mut self,
        mut ptr: u64,
        fields: impl IntoIterator<Item = &'t Type>,
    ) -> Result<Vec<Val>, Trap> {
        let mut vals = Vec::new();
        for t in fields {
            ptr = align_to64(ptr, alignment(t));
            vals.push(self.load(ptr, t)?);
            ptr += u64::from(elem_size(t));
        }
        Ok(vals)
    }

    /// Spec `load_variant`.
    fn load_variant(&mut self, ptr: u64, cases: Cases<'_>) -> Result<Val, Trap> {
        let disc_size = elem_size(&discriminant_type(cases.len()));
        let case_index = self.load_int(ptr, disc_size)?;
        let case_index = check_case_index(case_index, cases)?;
        let ptr = align_to64(ptr + u64::from(disc_size), max_case_alignment_of(cases));
        let payload = match cases.payload(case_index) {
            Some(t) => Some(self.load(ptr, t)?),
            None => None,
        };
        make_case(cases, case_index, payload)
    }

    /// Spec `lift_flat(cx, vi, t)`.
    fn lift_flat(&mut self, vi: &mut CoreValueIter<'_>, t: &Type) -> Result<Val, Trap> {
        Ok(match t {
            Type::Bool => Val::Bool(vi.next_i32()? != 0),
            Type::U8 => Val::U8(vi.next_i32()? as u8),
            Type::U16 => Val::U16(vi.next_i32()? as u16),
            Type::U32 => Val::U32(vi.next_i32()?),
            Type::U64 => Val::U64(vi.next_i64()?),
            Type::S8 => Val::S8(vi.next_i32()? as u8 as i8),
            Type::S16 => Val::S16(vi.next_i32()? as u16 as i16),
            Type::S32 => Val::S32(vi.next_i32()? as i32),
            Type::S64 => Val::S64(vi.next_i64()? as i64),
            Type::F32 => Val::F32(canonicalize_nan32(vi.next_f32()?)),
            Type::F64 => Val::F64(canonicalize_nan64(vi.next_f64()?)),
            Type::Char => Val::Char(convert_i32_to_char(vi.next_i32()?)?),
            Type::String => {
                let ptr = vi.next_i32()?;
                let packed_length = vi.next_i32()?;
                Val::String(self.load_string_from_range(ptr, packed_length)?)
            }
            Type::List(e) => {
                let ptr = vi.next_i32()?;
                let length = vi.next_i32()?;
                Val::List(self.load_list_from_range(ptr, length, e)?)
            }
            Type::FixedList(e, n) => Val::List(
                (0..*n)
                    .map(|_| self.lift_flat(vi, e))
                    .collect::<Result<_, _>>()?,
            ),
            Type::Map(kv) => {
                let ptr = vi.next_i32()?;
                let length = vi.next_i32()?;
                let entries = self.load_list_from_range(ptr, length, &map_entry_type(kv))?;
                Val::Map(entries.into_iter().filter_map(into_map_entry).collect())
            }
            Type::Record(r) => {
                let mut out = Vec::with_capacity(r.fields.len());
                for (name, t) in &r.fields {
                    out.push((name.clone(), self.lift_flat(vi, t)?));
                }
                Val::Record(out)
            }
            Type::Tuple(ts) => Val::Tuple(
                ts.iter()
                    .map(|t| self.lift_flat(vi, t))
                    .collect::<Result<_, _>>()?,
            ),
            Type::Variant(_) | Type::Enum(_) | Type::Option(_) | Type::Result(_) => {
                match Cases::of(t) {
                    Some(cases) => self.lift_flat_variant(vi, cases)?,
                    None => return Err(Trap::new("not a variant type")),
                }
            }
            Type::Flags(f) => {
                let mut words = Vec::with_capacity(num_i32_flags(f.names.len()));
                for _ in 0..num_i32_flags(f.names.len()) {
                    words.push(vi.next_i32()?);
                }
                let is_set = |i: usize| words.get(i / 32).is_some_and(|w| w >> (i % 32) & 1 == 1);
                Val::Flags(unpack_flags(&f.names, is_set))
            }
            Type::Own(rt) => Val::Resource(self.handles.lift_own(*rt, vi.next_i32()?)?),
            Type::Borrow(rt) => Val::Resource(self.handles.lift_borrow(*rt, vi.next_i32()?)?),
        })
    }

    /// Spec `lift_flat_variant`: reads the discriminant and every joined flat slot, then lifts
    /// the payload from the slots coerced back to the case's own flat types (the spec's
    /// `CoerceValueIter`).
    fn lift_flat_variant(
        &mut self,
        vi: &mut CoreValueIter<'_>,
        cases: Cases<'_>,
    ) -> Result<Val, Trap> {
        let flat_types = flatten_variant(cases);
        let case_index = vi.next_i32()?;
        let case_index = check_case_index(u64::from(case_index), cases)?;
        let joined = flat_types
            .iter()
            .skip(1)
            .map(|&have| vi.next(have))
            .collect::<Result<Vec<_>, _>>()?;
        let payload = match cases.payload(case_index) {
            Some(t) => {
                let coerced = flatten_type(t)
                    .into_iter()
                    .zip(&joined)
                    .map(|(want, &have)| coerce_lift(have, want))
                    .collect::<Result<Vec<_>, _>>()?;
                Some(self.lift_flat(&mut CoreValueIter::new(&coerced), t)?)
            }
            None => None,
        };
        make_case(cases, case_index, payload)
    }
}

/// The `CoerceValueIter` of spec `lift_flat_variant`: a joined flat value `have` as the
/// payload's flat type `want`.
fn coerce_lift(have: CoreVal, want: CoreType) -> Result<CoreVal, Trap> {
    Ok(match (have, want) {
        (CoreVal::I32(x), CoreType::F32) => CoreVal::F32(decode_i32_as_float(x as u32)),
        (CoreVal::I64(x), CoreType::I32) => CoreVal::I32(x as i32),
        (CoreVal::I64(x), CoreType::F32) => CoreVal::F32(decode_i32_as_float(x as u32)),
        (CoreVal::I64(x), CoreType::F64) => CoreVal::F64(decode_i64_as_float(x as u64)),
        (v, want) if v.ty() == want => v,
        (v, want) => {
            return Err(Trap::new(format!(
                "cannot coerce a {} variant slot to {want}",
                v.ty()
            )))
        }
    })
}

/// Traps unless `case_index` names one of `cases`.
fn check_case_index(case_index: u64, cases: Cases<'_>) -> Result<usize, Trap> {
    usize::try_from(case_index)
        .ok()
        .filter(|&i| i < cases.len())
        .ok_or_else(|| {
            let what = match cases {
                Cases::Variant(_) => "variant",
                Cases::Enum(_) => "enum",
                Cases::Option(_) => "option",
                Cases::Result(_) => "result",
            };
            Trap::new(format!(
                "invalid variant discriminant {case_index} for {what} with {} cases",
                cases.len()
            ))
        })
}

/// The value of case `case_index` of a variant-like type, with its payload.
fn make_case(cases: Cases<'_>, case_index: usize, payload: Option<Val>) -> Result<Val, Trap> {
    let payload = payload.map(Box::new);
    Ok(match cases {
        Cases::Variant(v) => match v.cases.get(case_index) {
            Some((name, _)) => Val::Variant(name.clone(), payload),
            None => return Err(Trap::new("invalid variant discriminant")),
        },
        Cases::Enum(e) => match e.cases.get(case_index) {
            Some(name) => Val::Enum(name.clone()),
            None => return Err(Trap::new("invalid variant discriminant")),
        },
        Cases::Option(_) => Val::Option(payload.filter(|_| case_index == 1)),
        Cases::Result(_) => match case_index {
            0 => Val::Result(Ok(payload)),
            _ => Val::Result(Err(payload)),
        },
    })
}

/// Spec `unpack_flags_from_int`: the names of the set flags, in the type's order. Bits beyond
/// the type's flags are ignored.
fn unpack_flags(names: &[String], is_set: impl Fn(usize) -> bool) -> Vec<String> {
    names
        .iter()
        .enumerate()
        .filter(|&(i, _)| is_set(i))
        .map(|(_, n)| n.clone())
        .collect()
}

/// A `map<k, v>`'s entry type: spec `despecialize` makes the map a `list<tuple<k, v>>`.
pub(super) fn map_entry_type(kv: &(Type, Type)) -> Type {
    Type::Tuple(Arc::from([kv.0.clone(), kv.1.clone()]))
}

fn into_map_entry(entry: Val) -> Option<(Val, Val)> {
    match entry {
        Val::Tuple(kv) => {
            let mut kv = kv.into_iter();
            Some((kv.next()?, kv.next()?))
        }
        _ => None,
    }
}

/// Spec `convert_i32_to_char`.
fn convert_i32_to_char(i: u32) -> Result<char, Trap> {
    char::from_u32(i).ok_or_else(|| Trap::new(format!("invalid `char` bit pattern {i:#x}")))
}

/// Spec `decode_i32_as_float`.
fn decode_i32_as_float(i: u32) -> f32 {
    canonicalize_nan32(f32::from_bits(i))
}

/// Spec `decode_i64_as_float`.
fn decode_i64_as_float(i: u64) -> f64 {
    canonicalize_nan64(f64::from_bits(i))
}
