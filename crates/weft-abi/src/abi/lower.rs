//! Lowering (host → guest): spec `store`, `lower_flat` and `lower_flat_values`, split in two
//! phases so that only the `realloc` calls are asynchronous.
//!
//! Phase one, [`allocate`], walks the values in the spec's order and makes every `realloc`
//! call lowering them makes, with the same arguments, checking each result for alignment and
//! bounds right after the call, as the spec does. It records the final pointers (and, for
//! strings, the final length) in an [`Allocations`], and writes nothing.
//!
//! Phase two, [`lower_flat_values`], walks the values again in the same order, writing them
//! into memory at the recorded pointers, lowering resources through the handle table, and
//! producing the flat core values.
//!
//! The spec interleaves writes and `realloc` calls, and for strings it transcodes (into UTF-16,
//! `latin1+utf16`, or UTF-8 from another encoding) it writes before a shrinking or growing
//! `realloc` that moves those bytes.
//! Every `realloc` argument depends only on the string's contents, its source (the encoding
//! and code-unit count it was lifted with from another guest, [`StringSource`], or UTF-8 for
//! a host string) and earlier `realloc` results, never on memory contents, so phase one
//! computes them from the string and its source alone.
//! Phase two then writes the final encoding at the final pointer: the bytes there are exactly
//! those the spec's sequence leaves (a `realloc` that moves a block copies its old contents,
//! which the spec had written, and phase two writes the same bytes after the fact). What
//! differs is only what a `realloc` could observe in memory while it runs, and, likewise, that
//! resource handles are added to the table after the `realloc` calls rather than between them.

use std::borrow::Cow;
use std::ops::Range;

use super::{
    align_to64, alignment, alignment_record, canonicalize_nan32, canonicalize_nan64, check,
    elem_size, elem_size_flags, elem_size_record, flatten_types, flatten_variant, needs_realloc,
    num_i32_flags, trap_if, Cases, CoreType, CoreVal, Handles, MemoryRealloc, Options, Realloc,
    SimpleEncoding, Spill, StringEncoding, StringSource, Trap, UTF16_TAG,
};
use crate::{Resource, Type, Val};

/// The results of phase one ([`allocate`]): the pointer of every block `realloc` returned, in
/// traversal order, for phase two ([`lower_flat_values`]) to write into.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Allocations {
    entries: Vec<Allocated>,
}

/// One allocated block: the final pointer of a spilled tuple, a list or a string.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
struct Allocated {
    what: What,
    ptr: u32,
    /// A list's element count, a string's (tagged) code-unit count; 0 for a tuple.
    len: u32,
}

/// What a block holds, which phase two checks and trap messages name.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum What {
    Tuple,
    List,
    String,
}

impl What {
    /// The wording of an out-of-bounds trap for this kind of block (wasmtime's, for the spec
    /// tests that assert on it).
    fn out_of_bounds(self) -> &'static str {
        match self {
            What::Tuple => "pointer out of bounds of memory",
            What::List => "list content out-of-bounds",
            What::String => "string content out-of-bounds",
        }
    }
}

/// One `realloc` call of a block: the first of a block is `realloc(0, 0, align, new_size)`,
/// each later one `realloc(previous_result, old_size, align, new_size)`.
#[derive(Copy, Clone, Debug)]
struct Step {
    old_size: u32,
    align: u32,
    new_size: u32,
}

/// A block to allocate: its `realloc` calls (a range of [`Planner::steps`]) and the length to
/// record.
struct Request {
    what: What,
    steps: Range<usize>,
    len: u32,
}

/// Phase one, synchronous part: the `realloc` calls lowering the values makes, in order.
struct Planner<'a> {
    opts: &'a Options,
    /// The sources of the strings, in traversal order, if they were lifted from a guest;
    /// `None` for host strings (UTF-8).
    sources: Option<std::slice::Iter<'a, StringSource>>,
    requests: Vec<Request>,
    steps: Vec<Step>,
}

/// Phase 1: performs, in the spec's order, every `realloc` call lowering `vals: ts` will make
/// (the spilled tuple if any, each list and string, including the `utf16` and `latin1+utf16`
/// shrinking and growing calls), checks each result for alignment and bounds against
/// [`Realloc::memory_len`] right after the call, and records the resulting pointers. Does not
/// write memory. Values that do not match their types are a trap naming the mismatch.
///
/// With [`Spill::OutPointer`], the out-pointer is checked first, as the spec checks it before
/// storing anything.
pub async fn allocate<R: Realloc>(
    realloc: &mut R,
    opts: &Options,
    max_flat: usize,
    spill: Spill,
    vals: &[Val],
    ts: &[Type],
) -> Result<Allocations, Trap> {
    allocate_from(realloc, opts, max_flat, spill, vals, ts, None).await
}

/// [`allocate`] for values lifted from another guest: `sources` holds the [`StringSource`] of
/// each string in `vals`, in traversal order (as
/// [`lift_flat_values_with_sources`](super::lift_flat_values_with_sources) returns them), and
/// each string gets the `realloc` calls spec `store_string_into_range` makes for its source
/// encoding and code-unit count. A source that does not describe its string (another encoding's
/// code-unit count, Latin-1 for a string outside Latin-1), or a count of sources other than
/// the number of strings, is a trap. Phase two ([`lower_flat_values`]) is the same either way:
/// the final bytes depend only on the string and the destination encoding.
pub async fn allocate_with_sources<R: Realloc>(
    realloc: &mut R,
    opts: &Options,
    max_flat: usize,
    spill: Spill,
    vals: &[Val],
    ts: &[Type],
    sources: &[StringSource],
) -> Result<Allocations, Trap> {
    allocate_from(realloc, opts, max_flat, spill, vals, ts, Some(sources)).await
}

/// [`allocate`] with optional string sources.
async fn allocate_from<R: Realloc>(
    realloc: &mut R,
    opts: &Options,
    max_flat: usize,
    spill: Spill,
    vals: &[Val],
    ts: &[Type],
    sources: Option<&[StringSource]>,
) -> Result<Allocations, Trap> {
    check_values(vals, ts)?;
    let mut planner = Planner {
        opts,
        sources: sources.map(<[StringSource]>::iter),
        requests: Vec::new(),
        steps: Vec::new(),
    };
    if flatten_types(ts).len() > max_flat {
        match spill {
            Spill::Realloc => {
                let step = Step {
                    old_size: 0,
                    align: alignment_record(ts),
                    new_size: elem_size_record(ts),
                };
                planner.request(What::Tuple, &[step], 0);
            }
            Spill::OutPointer(ptr) => check_ptr(realloc.memory_len(), ptr, ts)?,
        }
    }
    for (v, t) in vals.iter().zip(ts) {
        planner.plan(v, t)?;
    }
    trap_if(
        planner.sources.as_mut().is_some_and(|s| s.next().is_some()),
        || sources_mismatch().message,
    )?;

    let Planner {
        requests, steps, ..
    } = planner;
    let mut entries = Vec::with_capacity(requests.len());
    for req in &requests {
        let mut ptr = 0;
        for (i, step) in steps
            .get(req.steps.clone())
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            let old_ptr = if i == 0 { 0 } else { ptr };
            ptr = realloc
                .realloc(old_ptr, step.old_size, step.align, step.new_size)
                .await?;
            let ptr64 = u64::from(ptr);
            trap_if(ptr64 != align_to64(ptr64, step.align), || {
                "realloc return: result not aligned (unaligned pointer)".into()
            })?;
            trap_if(
                ptr64 + u64::from(step.new_size) > realloc.memory_len() as u64,
                || {
                    format!(
                        "realloc return: beyond end of memory ({})",
                        req.what.out_of_bounds()
                    )
                },
            )?;
        }
        entries.push(Allocated {
            what: req.what,
            ptr,
            len: req.len,
        });
    }
    Ok(Allocations { entries })
}

/// Phase 2: writes `vals: ts` into `mem` at the pointers `allocs` recorded (in the same
/// traversal order), lowers resources through `handles`, and returns the flat core values: for
/// [`Spill::Realloc`] beyond `max_flat`, `[I32(ptr)]`; for [`Spill::OutPointer`] beyond
/// `max_flat`, nothing, after storing at the out-pointer (alignment- and bounds-checked).
///
/// `allocs` must come from [`allocate`] with the same options, values and types; otherwise
/// this traps (it never panics).
#[allow(
    clippy::too_many_arguments,
    reason = "the spec's parameters plus phase one's results"
)]
pub fn lower_flat_values(
    mem: &mut [u8],
    opts: &Options,
    handles: &mut dyn Handles,
    allocs: &Allocations,
    max_flat: usize,
    spill: Spill,
    vals: &[Val],
    ts: &[Type],
) -> Result<Vec<CoreVal>, Trap> {
    trap_if(vals.len() != ts.len(), || {
        format!("expected {} values, found {}", ts.len(), vals.len())
    })?;
    let mut cx = LowerCx {
        mem,
        opts,
        handles,
        allocs: allocs.entries.iter(),
    };
    let flat = if flatten_types(ts).len() > max_flat {
        let (ptr, flat) = match spill {
            Spill::Realloc => {
                let a = cx.next_alloc(What::Tuple)?;
                (a.ptr, vec![CoreVal::I32(a.ptr as i32)])
            }
            Spill::OutPointer(ptr) => (ptr, Vec::new()),
        };
        check_ptr(cx.mem.len(), ptr, ts)?;
        cx.store_fields(u64::from(ptr), vals.iter().zip(ts))?;
        flat
    } else {
        let mut flat = Vec::new();
        for (v, t) in vals.iter().zip(ts) {
            cx.lower_flat(v, t, &mut flat)?;
        }
        flat
    };
    trap_if(cx.allocs.next().is_some(), || {
        allocations_mismatch().message
    })?;
    Ok(flat)
}

/// Convenience for tests and simple embedders: [`allocate`] then [`lower_flat_values`], where
/// `r` also owns the memory.
///
/// The returned future holds `handles` (a `&mut dyn Handles`, not `Send`), so it is not
/// `Send`; an embedder that needs a `Send` future calls [`allocate`] (whose future is `Send`)
/// and then [`lower_flat_values`] itself, as the runtime does.
pub async fn lower_values<R: MemoryRealloc>(
    r: &mut R,
    opts: &Options,
    handles: &mut dyn Handles,
    max_flat: usize,
    spill: Spill,
    vals: &[Val],
    ts: &[Type],
) -> Result<Vec<CoreVal>, Trap> {
    let allocs = allocate(r, opts, max_flat, spill, vals, ts).await?;
    lower_flat_values(
        r.memory_mut(),
        opts,
        handles,
        &allocs,
        max_flat,
        spill,
        vals,
        ts,
    )
}

/// Traps unless the tuple of `ts` fits, aligned, at `ptr` in a memory of `mem_len` bytes (the
/// checks of spec `lower_flat_values`).
fn check_ptr(mem_len: usize, ptr: u32, ts: &[Type]) -> Result<(), Trap> {
    let ptr = u64::from(ptr);
    trap_if(ptr != align_to64(ptr, alignment_record(ts)), || {
        "unaligned pointer".into()
    })?;
    trap_if(
        ptr + u64::from(elem_size_record(ts)) > mem_len as u64,
        || "pointer out of bounds of memory".into(),
    )
}

/// Traps unless `vals` has one value of each of `ts`.
fn check_values(vals: &[Val], ts: &[Type]) -> Result<(), Trap> {
    trap_if(vals.len() != ts.len(), || {
        format!("expected {} values, found {}", ts.len(), vals.len())
    })?;
    for (i, (v, t)) in vals.iter().zip(ts).enumerate() {
        if let Err(e) = check::type_check(v, t) {
            return Err(Trap::new(format!("value {i} does not match its type: {e}")));
        }
    }
    Ok(())
}

fn sources_mismatch() -> Trap {
    Trap::new("string sources do not match the strings being lowered")
}

fn allocations_mismatch() -> Trap {
    Trap::new("allocations do not match the values being lowered")
}

fn mismatch(v: &Val, t: &Type) -> Trap {
    Trap::new(format!(
        "value does not match its type: expected {t}, found {}",
        check::describe(v)
    ))
}

/// Spec `match_case`: the case index of a variant-like value, and its payload.
fn match_case<'v>(v: &'v Val, cases: Cases<'_>) -> Option<(usize, Option<&'v Val>)> {
    match (cases, v) {
        (Cases::Variant(vt), Val::Variant(name, payload)) => {
            let i = vt.cases.iter().position(|(n, _)| n == name)?;
            Some((i, payload.as_deref()))
        }
        (Cases::Enum(e), Val::Enum(name)) => Some((e.cases.iter().position(|n| n == name)?, None)),
        (Cases::Option(_), Val::Option(o)) => Some((usize::from(o.is_some()), o.as_deref())),
        (Cases::Result(_), Val::Result(Ok(p))) => Some((0, p.as_deref())),
        (Cases::Result(_), Val::Result(Err(p))) => Some((1, p.as_deref())),
        _ => None,
    }
}

/// The byte length of `len` elements of `size` bytes, or a trap if it exceeds what a 32-bit
/// `realloc` can allocate (the spec asserts `byte_length <= REALLOC_I32_MAX`).
/// Also returns the length as a `u32`.
pub(super) fn list_byte_length(len: usize, size: u32) -> Result<(u32, u32), Trap> {
    let too_long = || Trap::new(format!("list too long to lower: {len} elements"));
    let n = u32::try_from(len).map_err(|_| too_long())?;
    let byte_length = u64::from(n) * u64::from(size);
    Ok((n, u32::try_from(byte_length).map_err(|_| too_long())?))
}

impl Planner<'_> {
    fn request(&mut self, what: What, steps: &[Step], len: u32) {
        let start = self.steps.len();
        self.steps.extend_from_slice(steps);
        self.requests.push(Request {
            what,
            steps: start..self.steps.len(),
            len,
        });
    }

    /// The `realloc` calls of `store(v, t)` / `lower_flat(v, t)`, in the spec's order: a list's
    /// own block before its elements', elements and fields in order.
    fn plan(&mut self, v: &Val, t: &Type) -> Result<(), Trap> {
        match (t, v) {
            (Type::String, Val::String(s)) => self.plan_string(s),
            (Type::List(e), Val::List(items)) => {
                let (len, byte_length) = list_byte_length(items.len(), elem_size(e))?;
                let step = Step {
                    old_size: 0,
                    align: alignment(e),
                    new_size: byte_length,
                };
                self.request(What::List, &[step], len);
                if needs_realloc(e) {
                    for item in items {
                        self.plan(item, e)?;
                    }
                }
                Ok(())
            }
            (Type::Map(kv), Val::Map(entries)) => {
                let (kt, vt) = (&kv.0, &kv.1);
                let (len, byte_length) =
                    list_byte_length(entries.len(), elem_size_record([kt, vt]))?;
                let step = Step {
                    old_size: 0,
                    align: alignment_record([kt, vt]),
                    new_size: byte_length,
                };
                self.request(What::List, &[step], len);
                if needs_realloc(kt) || needs_realloc(vt) {
                    for (k, v) in entries {
                        self.plan(k, kt)?;
                        self.plan(v, vt)?;
                    }
                }
                Ok(())
            }
            (Type::FixedList(e, _), Val::List(items)) => {
                if needs_realloc(e) {
                    for item in items {
                        self.plan(item, e)?;
                    }
                }
                Ok(())
            }
            (Type::Record(r), Val::Record(fields)) => {
                for ((_, t), (_, v)) in r.fields.iter().zip(fields) {
                    self.plan(v, t)?;
                }
                Ok(())
            }
            (Type::Tuple(ts), Val::Tuple(vs)) => {
                for (t, v) in ts.iter().zip(vs) {
                    self.plan(v, t)?;
                }
                Ok(())
            }
            (Type::Variant(_) | Type::Enum(_) | Type::Option(_) | Type::Result(_), _) => {
                let Some(cases) = Cases::of(t) else {
                    return Ok(());
                };
                match match_case(v, cases) {
                    Some((i, Some(payload))) => match cases.payload(i) {
                        Some(pt) => self.plan(payload, pt),
                        None => Ok(()),
                    },
                    _ => Ok(()),
                }
            }
            _ => Ok(()),
        }
    }

    /// The `realloc` calls of spec `store_string_into_range` for `s`, from its recorded source
    /// if the values were lifted from a guest, else as a host string (UTF-8, its bytes as code
    /// units).
    fn plan_string(&mut self, s: &str) -> Result<(), Trap> {
        let too_long = || Trap::new(format!("string too long to lower: {} bytes", s.len()));
        let src = match self.sources.as_mut() {
            None => StringSource::utf8(s).ok_or_else(too_long)?,
            Some(sources) => *sources.next().ok_or_else(sources_mismatch)?,
        };
        let (simple, n) = src.simple();
        let described = match simple {
            SimpleEncoding::Utf8 => s.len() == n as usize,
            SimpleEncoding::Utf16 => s.chars().map(char::len_utf16).sum::<usize>() == n as usize,
            SimpleEncoding::Latin1 => latin1_len(s) == Some(n),
        };
        trap_if(!described, || {
            format!("string source {src:?} does not describe the string being lowered")
        })?;
        let times = |k: u32| n.checked_mul(k).ok_or_else(too_long);
        let steps = match (self.opts.encoding, src.encoding, simple) {
            (StringEncoding::Utf8, _, SimpleEncoding::Utf8) => store_string_copy(n, 1, 1),
            (StringEncoding::Utf8, _, SimpleEncoding::Utf16) => {
                store_string_to_utf8(s, n, times(3)?)
            }
            (StringEncoding::Utf8, _, SimpleEncoding::Latin1) => {
                store_string_to_utf8(s, n, times(2)?)
            }
            (StringEncoding::Utf16, _, SimpleEncoding::Utf8) => store_utf8_to_utf16(s, times(2)?),
            (StringEncoding::Utf16, _, SimpleEncoding::Utf16 | SimpleEncoding::Latin1) => {
                store_string_copy(n, 2, 2)
            }
            (StringEncoding::Latin1Utf16, StringEncoding::Utf8 | StringEncoding::Utf16, _) => {
                store_string_to_latin1_or_utf16(s, n, times(2)?)
            }
            (StringEncoding::Latin1Utf16, StringEncoding::Latin1Utf16, SimpleEncoding::Latin1) => {
                store_string_copy(n, 1, 2)
            }
            // (A `latin1+utf16` source is Latin-1 or UTF-16.)
            (StringEncoding::Latin1Utf16, StringEncoding::Latin1Utf16, _) => {
                store_probably_utf16_to_latin1_or_utf16(s, times(2)?)
            }
        };
        // The (tagged) code units the spec returns, which depend only on the string and the
        // destination encoding: whatever the path, a `latin1+utf16` string ends up Latin-1
        // exactly when all of it is.
        let len = match self.opts.encoding {
            StringEncoding::Utf8 => u32::try_from(s.len()).map_err(|_| too_long())?,
            StringEncoding::Utf16 => utf16_len(s),
            StringEncoding::Latin1Utf16 => match latin1_len(s) {
                Some(latin1) => latin1,
                None => utf16_len(s) | UTF16_TAG,
            },
        };
        self.request(What::String, &steps, len);
        Ok(())
    }
}

/// A `realloc(…, old_size, align, new_size)` call.
fn step(old_size: u32, align: u32, new_size: u32) -> Step {
    Step {
        old_size,
        align,
        new_size,
    }
}

/// The `realloc` calls of spec `store_string_copy(cx, src, src_code_units, dst_code_unit_size,
/// dst_alignment, …)`: one allocation of the exact size. `n * dst_code_unit_size` fits, as
/// the caller computed `2 * n` already where the unit is 2 bytes.
fn store_string_copy(n: u32, dst_code_unit_size: u32, dst_alignment: u32) -> Vec<Step> {
    vec![step(0, dst_alignment, n.saturating_mul(dst_code_unit_size))]
}

/// The `realloc` calls of spec `store_string_to_utf8` (`store_utf16_to_utf8` with a worst case
/// of 3 bytes per code unit, `store_latin1_to_utf8` with 2): optimistically one byte per
/// source code unit; at the first character outside ASCII, grow to the worst case, then
/// shrink to the UTF-8 length if it is shorter.
fn store_string_to_utf8(s: &str, n: u32, worst_case_size: u32) -> Vec<Step> {
    let mut steps = vec![step(0, 1, n)];
    if !s.is_ascii() {
        steps.push(step(n, 1, worst_case_size));
        let encoded = s.len() as u32;
        if worst_case_size > encoded {
            steps.push(step(worst_case_size, 1, encoded));
        }
    }
    steps
}

/// The `realloc` calls of spec `store_utf8_to_utf16`: the worst case (2 bytes per UTF-8
/// byte), then shrink if the encoding is shorter.
fn store_utf8_to_utf16(s: &str, worst_case_size: u32) -> Vec<Step> {
    let encoded = utf16_len(s) * 2;
    let mut steps = vec![step(0, 2, worst_case_size)];
    if encoded < worst_case_size {
        steps.push(step(worst_case_size, 2, encoded));
    }
    steps
}

/// The `realloc` calls of spec `store_string_to_latin1_or_utf16`: optimistically Latin-1 with
/// `n` bytes (`n` the source's code units); at the first character outside Latin-1, grow to
/// the UTF-16 worst case `2 * n`, then shrink to the UTF-16 encoding if shorter; if all of it
/// is Latin-1, shrink to the Latin-1 length if shorter.
fn store_string_to_latin1_or_utf16(s: &str, n: u32, worst_case_size: u32) -> Vec<Step> {
    let mut steps = vec![step(0, 2, n)];
    match latin1_len(s) {
        Some(latin1) => {
            if latin1 < n {
                steps.push(step(n, 2, latin1));
            }
        }
        None => {
            let encoded = utf16_len(s) * 2;
            steps.push(step(n, 2, worst_case_size));
            if worst_case_size > encoded {
                steps.push(step(worst_case_size, 2, encoded));
            }
        }
    }
    steps
}

/// The `realloc` calls of spec `store_probably_utf16_to_latin1_or_utf16` (a UTF-16-tagged
/// `latin1+utf16` source of `n` code units): allocate the `2 * n` UTF-16 bytes; if all of it
/// is Latin-1, always shrink (with alignment 1) to the Latin-1 length, which is then `n`.
fn store_probably_utf16_to_latin1_or_utf16(s: &str, src_byte_length: u32) -> Vec<Step> {
    let mut steps = vec![step(0, 2, src_byte_length)];
    if let Some(latin1) = latin1_len(s) {
        steps.push(step(src_byte_length, 1, latin1));
    }
    steps
}

/// The number of UTF-16 code units of `s`, which is at most its UTF-8 length (so it fits in a
/// `u32` whenever the caller checked that).
fn utf16_len(s: &str) -> u32 {
    s.chars()
        .map(|c| c.len_utf16() as u32)
        .fold(0, u32::saturating_add)
}

/// The Latin-1 length of `s` (its number of characters), or `None` if some character is
/// outside Latin-1.
fn latin1_len(s: &str) -> Option<u32> {
    s.chars().try_fold(0u32, |n, c| {
        (u32::from(c) < 0x100).then(|| n.saturating_add(1))
    })
}

/// Writes `bytes` at `ptr` in `mem`, or traps if they do not all fit.
fn write_at(mem: &mut [u8], ptr: u64, bytes: &[u8]) -> Result<(), Trap> {
    memory_at(mem, ptr, bytes.len() as u64)?.copy_from_slice(bytes);
    Ok(())
}

/// The `len` bytes of `mem` at `ptr`, or a trap if they do not all fit.
fn memory_at(mem: &mut [u8], ptr: u64, len: u64) -> Result<&mut [u8], Trap> {
    let range = usize::try_from(ptr).ok().zip(
        ptr.checked_add(len)
            .and_then(|end| usize::try_from(end).ok()),
    );
    range
        .and_then(|(start, end)| mem.get_mut(start..end))
        .ok_or_else(|| Trap::new("pointer out of bounds of memory"))
}

/// Spec `LiftLowerContext`, for phase two of lowering.
struct LowerCx<'a> {
    mem: &'a mut [u8],
    opts: &'a Options,
    handles: &'a mut dyn Handles,
    allocs: std::slice::Iter<'a, Allocated>,
}

impl LowerCx<'_> {
    /// The next block phase one allocated, which must be a `what`.
    fn next_alloc(&mut self, what: What) -> Result<Allocated, Trap> {
        match self.allocs.next() {
            Some(a) if a.what == what => Ok(*a),
            _ => Err(allocations_mismatch()),
        }
    }

    /// Writes `bytes` at `ptr`, or traps if they do not all fit in memory.
    fn write(&mut self, ptr: u64, bytes: &[u8]) -> Result<(), Trap> {
        write_at(self.mem, ptr, bytes)
    }

    /// Spec `store(cx, v, t, ptr)`.
    fn store(&mut self, v: &Val, t: &Type, ptr: u64) -> Result<(), Trap> {
        match (t, v) {
            (Type::Bool, Val::Bool(b)) => self.write(ptr, &[u8::from(*b)]),
            (Type::U8, Val::U8(x)) => self.write(ptr, &x.to_le_bytes()),
            (Type::S8, Val::S8(x)) => self.write(ptr, &x.to_le_bytes()),
            (Type::U16, Val::U16(x)) => self.write(ptr, &x.to_le_bytes()),
            (Type::S16, Val::S16(x)) => self.write(ptr, &x.to_le_bytes()),
            (Type::U32, Val::U32(x)) => self.write(ptr, &x.to_le_bytes()),
            (Type::S32, Val::S32(x)) => self.write(ptr, &x.to_le_bytes()),
            (Type::U64, Val::U64(x)) => self.write(ptr, &x.to_le_bytes()),
            (Type::S64, Val::S64(x)) => self.write(ptr, &x.to_le_bytes()),
            (Type::F32, Val::F32(x)) => self.write(ptr, &encode_float_as_i32(*x).to_le_bytes()),
            (Type::F64, Val::F64(x)) => self.write(ptr, &encode_float_as_i64(*x).to_le_bytes()),
            (Type::Char, Val::Char(c)) => self.write(ptr, &u32::from(*c).to_le_bytes()),
            (Type::String, Val::String(s)) => {
                let (begin, tagged_code_units) = self.store_string_into_range(s)?;
                self.write_pair(ptr, begin, tagged_code_units)
            }
            (Type::List(e), Val::List(items)) => {
                let (begin, length) = self.store_list_into_range(items, e)?;
                self.write_pair(ptr, begin, length)
            }
            (Type::Map(kv), Val::Map(entries)) => {
                let (begin, length) = self.store_map_into_range(entries, kv)?;
                self.write_pair(ptr, begin, length)
            }
            (Type::FixedList(e, n), Val::List(items)) => {
                trap_if(items.len() != *n as usize, || mismatch(v, t).message)?;
                self.store_list_into_valid_range(items, e, ptr)
            }
            (Type::Record(r), Val::Record(fields)) => {
                trap_if(r.fields.len() != fields.len(), || mismatch(v, t).message)?;
                self.store_fields(
                    ptr,
                    fields
                        .iter()
                        .map(|(_, v)| v)
                        .zip(r.fields.iter().map(|(_, t)| t)),
                )
            }
            (Type::Tuple(ts), Val::Tuple(vs)) => {
                trap_if(ts.len() != vs.len(), || mismatch(v, t).message)?;
                self.store_fields(ptr, vs.iter().zip(ts.iter()))
            }
            (Type::Variant(_) | Type::Enum(_) | Type::Option(_) | Type::Result(_), _) => {
                let cases = Cases::of(t).ok_or_else(|| mismatch(v, t))?;
                let (case_index, payload) = match_case(v, cases).ok_or_else(|| mismatch(v, t))?;
                let disc_size = elem_size(&super::discriminant_type(cases.len()));
                let disc = (case_index as u32).to_le_bytes();
                self.write(ptr, disc.get(..disc_size as usize).unwrap_or(&disc))?;
                let ptr = align_to64(
                    ptr + u64::from(disc_size),
                    super::max_case_alignment_of(cases),
                );
                match (cases.payload(case_index), payload) {
                    (Some(pt), Some(pv)) => self.store(pv, pt, ptr),
                    (None, None) => Ok(()),
                    _ => Err(mismatch(v, t)),
                }
            }
            (Type::Flags(f), Val::Flags(set)) => {
                let mut bytes = vec![0u8; elem_size_flags(f.names.len()) as usize];
                for i in flag_indices(&f.names, set).ok_or_else(|| mismatch(v, t))? {
                    if let Some(b) = bytes.get_mut(i / 8) {
                        *b |= 1 << (i % 8);
                    }
                }
                self.write(ptr, &bytes)
            }
            (Type::Own(_) | Type::Borrow(_), Val::Resource(_)) => {
                let h = self.lower_handle(v, t)?;
                self.write(ptr, &h.to_le_bytes())
            }
            _ => Err(mismatch(v, t)),
        }
    }

    /// A pointer and a length, stored as two `i32`s.
    fn write_pair(&mut self, ptr: u64, begin: u32, length: u32) -> Result<(), Trap> {
        self.write(ptr, &begin.to_le_bytes())?;
        self.write(ptr + 4, &length.to_le_bytes())
    }

    /// Spec `store_record`, for field values and types in order.
    fn store_fields<'v, 't>(
        &mut self,
        mut ptr: u64,
        fields: impl IntoIterator<Item = (&'v Val, &'t Type)>,
    ) -> Result<(), Trap> {
        for (v, t) in fields {
            ptr = align_to64(ptr, alignment(t));
            self.store(v, t, ptr)?;
            ptr += u64::from(elem_size(t));
        }
        Ok(())
    }

    /// Spec `store_string_into_range` for a host (UTF-8) string: the bytes of the final
    /// encoding at the final pointer phase one allocated.
    fn store_string_into_range(&mut self, s: &str) -> Result<(u32, u32), Trap> {
        let a = self.next_alloc(What::String)?;
        let utf16 = |s: &str| -> Vec<u8> { s.encode_utf16().flat_map(u16::to_le_bytes).collect() };
        let (bytes, tagged_code_units): (Cow<'_, [u8]>, u64) = match self.opts.encoding {
            StringEncoding::Utf8 => (Cow::Borrowed(s.as_bytes()), s.len() as u64),
            StringEncoding::Utf16 => {
                let bytes = utf16(s);
                let units = bytes.len() as u64 / 2;
                (Cow::Owned(bytes), units)
            }
            StringEncoding::Latin1Utf16 => match latin1_len(s) {
                Some(_) => {
                    let bytes: Vec<u8> = s.chars().map(|c| u32::from(c) as u8).collect();
                    let len = bytes.len() as u64;
                    (Cow::Owned(bytes), len)
                }
                None => {
                    let bytes = utf16(s);
                    let units = bytes.len() as u64 / 2;
                    (Cow::Owned(bytes), units | u64::from(UTF16_TAG))
                }
            },
        };
        trap_if(tagged_code_units != u64::from(a.len), || {
            allocations_mismatch().message
        })?;
        self.write(u64::from(a.ptr), &bytes)?;
        Ok((a.ptr, a.len))
    }

    /// Spec `store_list_into_range`, at the block phase one allocated.
    fn store_list_into_range(&mut self, items: &[Val], e: &Type) -> Result<(u32, u32), Trap> {
        let a = self.next_alloc(What::List)?;
        trap_if(items.len() != a.len as usize, || {
            allocations_mismatch().message
        })?;
        self.store_list_into_valid_range(items, e, u64::from(a.ptr))?;
        Ok((a.ptr, a.len))
    }

    /// Spec `store_list_into_valid_range`.
    fn store_list_into_valid_range(
        &mut self,
        items: &[Val],
        e: &Type,
        ptr: u64,
    ) -> Result<(), Trap> {
        let size = u64::from(elem_size(e));
        for (i, item) in items.iter().enumerate() {
            self.store(item, e, ptr + i as u64 * size)?;
        }
        Ok(())
    }

    /// `store_list_into_range` for a map's entries, as a `list<tuple<k, v>>`.
    fn store_map_into_range(
        &mut self,
        entries: &[(Val, Val)],
        kv: &(Type, Type),
    ) -> Result<(u32, u32), Trap> {
        let a = self.next_alloc(What::List)?;
        trap_if(entries.len() != a.len as usize, || {
            allocations_mismatch().message
        })?;
        let size = u64::from(elem_size_record([&kv.0, &kv.1]));
        for (i, (k, v)) in entries.iter().enumerate() {
            let ptr = u64::from(a.ptr) + i as u64 * size;
            self.store_fields(ptr, [(k, &kv.0), (v, &kv.1)])?;
        }
        Ok((a.ptr, a.len))
    }

    /// Spec `lower_own` / `lower_borrow`, through the handle table.
    fn lower_handle(&mut self, v: &Val, t: &Type) -> Result<u32, Trap> {
        match (t, v) {
            (Type::Own(rt), Val::Resource(r)) if r.ty == *rt && r.own => self.handles.lower_own(*r),
            (Type::Borrow(rt), Val::Resource(r)) if r.ty == *rt => self.handles.lower_borrow(*r),
            _ => Err(mismatch(v, t)),
        }
    }

    /// Spec `lower_flat(cx, v, t)`, appending to `out`.
    fn lower_flat(&mut self, v: &Val, t: &Type, out: &mut Vec<CoreVal>) -> Result<(), Trap> {
        match (t, v) {
            (Type::Bool, Val::Bool(b)) => out.push(CoreVal::I32(i32::from(*b))),
            (Type::U8, Val::U8(x)) => out.push(CoreVal::I32(i32::from(*x))),
            (Type::S8, Val::S8(x)) => out.push(CoreVal::I32(i32::from(*x))),
            (Type::U16, Val::U16(x)) => out.push(CoreVal::I32(i32::from(*x))),
            (Type::S16, Val::S16(x)) => out.push(CoreVal::I32(i32::from(*x))),
            (Type::U32, Val::U32(x)) => out.push(CoreVal::I32(*x as i32)),
            (Type::S32, Val::S32(x)) => out.push(CoreVal::I32(*x)),
            (Type::U64, Val::U64(x)) => out.push(CoreVal::I64(*x as i64)),
            (Type::S64, Val::S64(x)) => out.push(CoreVal::I64(*x)),
            (Type::F32, Val::F32(x)) => out.push(CoreVal::F32(canonicalize_nan32(*x))),
            (Type::F64, Val::F64(x)) => out.push(CoreVal::F64(canonicalize_nan64(*x))),
            (Type::Char, Val::Char(c)) => out.push(CoreVal::I32(u32::from(*c) as i32)),
            (Type::String, Val::String(s)) => {
                let (ptr, packed_length) = self.store_string_into_range(s)?;
                out.extend([CoreVal::I32(ptr as i32), CoreVal::I32(packed_length as i32)]);
            }
            (Type::List(e), Val::List(items)) => {
                let (ptr, length) = self.store_list_into_range(items, e)?;
                out.extend([CoreVal::I32(ptr as i32), CoreVal::I32(length as i32)]);
            }
            (Type::Map(kv), Val::Map(entries)) => {
                let (ptr, length) = self.store_map_into_range(entries, kv)?;
                out.extend([CoreVal::I32(ptr as i32), CoreVal::I32(length as i32)]);
            }
            (Type::FixedList(e, n), Val::List(items)) => {
                trap_if(items.len() != *n as usize, || mismatch(v, t).message)?;
                for item in items {
                    self.lower_flat(item, e, out)?;
                }
            }
            (Type::Record(r), Val::Record(fields)) => {
                trap_if(r.fields.len() != fields.len(), || mismatch(v, t).message)?;
                for ((_, t), (_, v)) in r.fields.iter().zip(fields) {
                    self.lower_flat(v, t, out)?;
                }
            }
            (Type::Tuple(ts), Val::Tuple(vs)) => {
                trap_if(ts.len() != vs.len(), || mismatch(v, t).message)?;
                for (t, v) in ts.iter().zip(vs) {
                    self.lower_flat(v, t, out)?;
                }
            }
            (Type::Variant(_) | Type::Enum(_) | Type::Option(_) | Type::Result(_), _) => {
                let cases = Cases::of(t).ok_or_else(|| mismatch(v, t))?;
                self.lower_flat_variant(v, t, cases, out)?;
            }
            (Type::Flags(f), Val::Flags(set)) => {
                let mut words = vec![0u32; num_i32_flags(f.names.len())];
                for i in flag_indices(&f.names, set).ok_or_else(|| mismatch(v, t))? {
                    if let Some(w) = words.get_mut(i / 32) {
                        *w |= 1 << (i % 32);
                    }
                }
                out.extend(words.into_iter().map(|w| CoreVal::I32(w as i32)));
            }
            (Type::Own(_) | Type::Borrow(_), Val::Resource(_)) => {
                out.push(CoreVal::I32(self.lower_handle(v, t)? as i32));
            }
            _ => return Err(mismatch(v, t)),
        }
        Ok(())
    }

    /// Spec `lower_flat_variant`: the discriminant, the payload's flat values coerced to the
    /// joined flat types, and zeros for the slots the payload does not use.
    fn lower_flat_variant(
        &mut self,
        v: &Val,
        t: &Type,
        cases: Cases<'_>,
        out: &mut Vec<CoreVal>,
    ) -> Result<(), Trap> {
        let (case_index, payload) = match_case(v, cases).ok_or_else(|| mismatch(v, t))?;
        let flat_types = flatten_variant(cases);
        out.push(CoreVal::I32(case_index as i32));
        let mut payload_flat = Vec::new();
        match (cases.payload(case_index), payload) {
            (Some(pt), Some(pv)) => self.lower_flat(pv, pt, &mut payload_flat)?,
            (None, None) => {}
            _ => return Err(mismatch(v, t)),
        }
        for (i, &want) in flat_types.iter().skip(1).enumerate() {
            out.push(match payload_flat.get(i) {
                Some(&have) => coerce_lower(have, want)?,
                None => CoreVal::zero(want),
            });
        }
        Ok(())
    }
}

/// The coercions of spec `lower_flat_variant`: a payload's flat value `have` in the joined
/// slot type `want`.
fn coerce_lower(have: CoreVal, want: CoreType) -> Result<CoreVal, Trap> {
    Ok(match (have, want) {
        (CoreVal::F32(f), CoreType::I32) => CoreVal::I32(encode_float_as_i32(f) as i32),
        (CoreVal::I32(x), CoreType::I64) => CoreVal::I64(i64::from(x as u32)),
        (CoreVal::F32(f), CoreType::I64) => CoreVal::I64(i64::from(encode_float_as_i32(f))),
        (CoreVal::F64(f), CoreType::I64) => CoreVal::I64(encode_float_as_i64(f) as i64),
        (v, want) if v.ty() == want => v,
        (v, want) => {
            return Err(Trap::new(format!(
                "cannot coerce a {} to a {want} variant slot",
                v.ty()
            )))
        }
    })
}

/// The indices of the set flags `set` among `names`, or `None` if one is not a flag.
fn flag_indices(names: &[String], set: &[String]) -> Option<Vec<usize>> {
    set.iter()
        .map(|s| names.iter().position(|n| n == s))
        .collect()
}

/// Spec `encode_float_as_i32`, in the deterministic profile: NaNs are canonical.
fn encode_float_as_i32(f: f32) -> u32 {
    canonicalize_nan32(f).to_bits()
}

/// Spec `encode_float_as_i64`, in the deterministic profile: NaNs are canonical.
fn encode_float_as_i64(f: f64) -> u64 {
    canonicalize_nan64(f).to_bits()
}

// ---- The typed fast path's building blocks (hosts that lower Rust values directly). ----

/// A block a typed host's result needs: a `list` or a `string` of `size` bytes, allocated
/// with one `realloc(0, 0, align, size)` (a UTF-8 string copied into a UTF-8 guest, a list of
/// scalars).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Block {
    pub align: u32,
    pub size: u32,
    /// A string (else a list), for the wording of an out-of-bounds trap.
    pub string: bool,
}

/// Phase one for typed hosts: `realloc` for each block in order, each result checked for
/// alignment and bounds as [`allocate`] checks it. Returns the pointers.
pub async fn allocate_blocks<R: Realloc>(
    realloc: &mut R,
    blocks: &[Block],
) -> Result<Vec<u32>, Trap> {
    let mut ptrs = Vec::with_capacity(blocks.len());
    for b in blocks {
        let ptr = realloc.realloc(0, 0, b.align, b.size).await?;
        let ptr64 = u64::from(ptr);
        trap_if(ptr64 != align_to64(ptr64, b.align), || {
            "realloc return: result not aligned (unaligned pointer)".into()
        })?;
        trap_if(
            ptr64 + u64::from(b.size) > realloc.memory_len() as u64,
            || {
                let what = if b.string { What::String } else { What::List };
                format!(
                    "realloc return: beyond end of memory ({})",
                    what.out_of_bounds()
                )
            },
        )?;
        ptrs.push(ptr);
    }
    Ok(ptrs)
}

/// Traps unless a tuple of `ts` fits, aligned, at out-pointer `ptr` (spec `lower_flat_values`'
/// checks, made before anything is allocated).
pub fn check_out_pointer(mem_len: usize, ptr: u32, ts: &[Type]) -> Result<(), Trap> {
    check_ptr(mem_len, ptr, ts)
}

/// Phase two for typed hosts: writes into guest memory at checked pointers, takes the blocks
/// phase one allocated in order, and lowers handles.
pub struct Writer<'a> {
    mem: &'a mut [u8],
    handles: &'a mut dyn Handles,
    blocks: std::slice::Iter<'a, u32>,
}

impl<'a> Writer<'a> {
    /// A writer into `mem` with the pointers [`allocate_blocks`] returned.
    pub fn new(mem: &'a mut [u8], handles: &'a mut dyn Handles, blocks: &'a [u32]) -> Writer<'a> {
        Writer {
            mem,
            handles,
            blocks: blocks.iter(),
        }
    }

    /// Writes `bytes` at `ptr`, or traps if they do not all fit in memory.
    pub fn write(&mut self, ptr: u64, bytes: &[u8]) -> Result<(), Trap> {
        write_at(self.mem, ptr, bytes)
    }

    /// The `len` bytes of memory at `ptr`, to be written in place, or a trap if they do not
    /// all fit in memory.
    pub fn bytes_mut(&mut self, ptr: u64, len: u64) -> Result<&mut [u8], Trap> {
        memory_at(self.mem, ptr, len)
    }

    /// The next block phase one allocated.
    pub fn next_block(&mut self) -> Result<u32, Trap> {
        self.blocks.next().copied().ok_or_else(allocations_mismatch)
    }

    /// Spec `lower_own` / `lower_borrow` of `r` as a value of handle type `t`.
    pub fn lower_handle(&mut self, r: Resource, t: &Type) -> Result<u32, Trap> {
        let v = Val::Resource(r);
        match t {
            Type::Own(rt) if r.ty == *rt && r.own => self.handles.lower_own(r),
            Type::Borrow(rt) if r.ty == *rt => self.handles.lower_borrow(r),
            _ => Err(mismatch(&v, t)),
        }
    }
}
