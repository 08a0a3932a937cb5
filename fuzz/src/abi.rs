//! The canonical ABI (`weft_abi::abi`): lowering then lifting gives the value back, and lifting
//! untrusted guest memory and core values never panics.
//!
//! Each input runs one of two checks:
//!
//! * [`round_trip`]: up to four random types (every kind, nested up to three deep) and a value
//!   of each. For each string encoding (`utf8`, `utf16`, `latin1+utf16`) the values are
//!   lowered into a fresh guest memory (flat or spilled past a random `max_flat`, through
//!   `realloc` or to an out-pointer, with a `realloc` that shrinks in place or moves every
//!   block) and lifted back; the flat values must have the flattened types and the lifted
//!   values must equal the originals, with NaNs canonical and every other float bit-exact.
//!   The lifted values, with the string sources lifting recorded, are then lowered into a
//!   second guest with a random encoding (the guest-to-guest transcoding path) and lifted
//!   again, with the same result.
//! * [`lift_garbage`]: random types lifted from random core values (sometimes of the wrong
//!   core type, too few or too many) and random memory (mostly small numbers, so pointers and
//!   lengths land inside it) with a handle table holding a few resources, and a random
//!   pointer loaded. Any outcome but a panic is fine; a successful lift must match its types
//!   and survive a round trip of its own.

use std::sync::Arc;

use arbitrary::{Result, Unstructured};
use futures::executor::block_on;
use weft_abi::abi::{
    allocate, allocate_with_sources, elem_size, flatten_types, lift_flat_values_with_sources, load,
    lower_flat_values, type_check, CoreType, CoreVal, Options, Spill, StringSource,
};
use weft_abi::{
    EnumType, FlagsType, RecordType, Resource, ResourceType, ResultType, StringEncoding, Trap,
    Type, Val, VariantType,
};
use weft_test_util::abi::{GuestMemory, HandleTable, PAGE};

/// How deep [`ty`] nests types in [`run`].
const DEPTH: u32 = 3;
/// Every `string-encoding`.
const ENCODINGS: [StringEncoding; 3] = [
    StringEncoding::Utf8,
    StringEncoding::Utf16,
    StringEncoding::Latin1Utf16,
];
/// The flat limits tried: everything spilled, results-like, a middle one, parameters-like.
const MAX_FLATS: [usize; 4] = [0, 1, 4, 16];
/// Spec `CANONICAL_FLOAT32_NAN` and `CANONICAL_FLOAT64_NAN`: the only NaNs lifting produces.
const CANONICAL_NAN32: u32 = 0x7fc0_0000;
const CANONICAL_NAN64: u64 = 0x7ff8_0000_0000_0000;

/// One fuzz iteration.
pub fn run(u: &mut Unstructured<'_>) -> Result<()> {
    run_counting(u, &mut Stats::default())
}

/// [`run`], adding what it exercised to `stats` (which the smoke test checks, so that the
/// generator is known to reach the interesting paths).
pub fn run_counting(u: &mut Unstructured<'_>, stats: &mut Stats) -> Result<()> {
    match u.arbitrary()? {
        true => lift_garbage(u, stats),
        false => round_trip(u, stats),
    }
}

/// What the iterations exercised.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    /// Lowerings of the round trip (host to guest and guest to guest).
    pub lowerings: usize,
    /// Of those, how many spilled past `max_flat` into memory.
    pub spilled: usize,
    /// `realloc` calls they made.
    pub reallocs: usize,
    /// Of those, how many resized an earlier block (string transcoding).
    pub chained: usize,
    /// Lifts of garbage that trapped.
    pub garbage_traps: usize,
    /// Lifts of garbage that succeeded.
    pub garbage_values: usize,
}

/// Lower then lift random values of random types, in every encoding, and again from guest to
/// guest; every step must succeed and give the values back.
pub fn round_trip(u: &mut Unstructured<'_>, stats: &mut Stats) -> Result<()> {
    let n = u.int_in_range(0..=4)?;
    let ts = (0..n)
        .map(|_| ty(u, DEPTH))
        .collect::<Result<Vec<Type>>>()?;
    let vals = ts.iter().map(|t| val(u, t)).collect::<Result<Vec<Val>>>()?;
    for (v, t) in vals.iter().zip(&ts) {
        if let Err(e) = type_check(v, t) {
            panic!("the generated value does not check: {e}\n{t:?}\n{v:?}");
        }
    }
    let expected: Vec<Val> = vals.iter().map(canonical).collect();
    for encoding in ENCODINGS {
        let opts = Options { encoding };
        let mut guest = Guest::arbitrary(u, &ts)?;
        let (back, sources) = guest.lower_lift(&opts, &vals, &ts, None, stats);
        check_same(&expected, &back, &ts, &guest, "lowered from the host");

        // Guest to guest: what was lifted, with the sources of its strings, into a guest
        // with another (or the same) encoding.
        let dst = Options {
            encoding: *u.choose(&ENCODINGS)?,
        };
        let mut other = Guest::arbitrary(u, &ts)?;
        let (again, _) = other.lower_lift(&dst, &back, &ts, Some(&sources), stats);
        check_same(&expected, &again, &ts, &other, "lowered from another guest");
    }
    Ok(())
}

/// Lift random core values and memory as random types: traps are fine, panics are not, and
/// what lifts must be well-typed and round-trip.
pub fn lift_garbage(u: &mut Unstructured<'_>, stats: &mut Stats) -> Result<()> {
    let n = u.int_in_range(1..=3)?;
    let ts = (0..n)
        .map(|_| ty(u, DEPTH))
        .collect::<Result<Vec<Type>>>()?;
    let opts = Options {
        encoding: *u.choose(&ENCODINGS)?,
    };
    let max_flat = *u.choose(&MAX_FLATS)?;
    let flat_types = flatten_types(&ts);
    let mut flat = if flat_types.len() > max_flat {
        vec![CoreVal::I32(small(u)? as i32)]
    } else {
        flat_types
            .iter()
            .map(|&t| core_val(u, t))
            .collect::<Result<Vec<_>>>()?
    };
    match u.int_in_range(0..=19)? {
        0 => flat.truncate(1),
        1 => flat.push(CoreVal::I32(small(u)? as i32)),
        _ => {}
    }
    let mut table = HandleTable::default();
    for _ in 0..4 {
        table.add(Resource {
            ty: ResourceType(u.int_in_range(0..=2)?),
            rep: u.arbitrary()?,
            own: u.arbitrary()?,
        });
    }
    let ptr = small(u)? as u32;
    // Memory last, so that a short input starves it (zeros) rather than the types.
    let len = 256 + u.int_in_range(0..=511)?;
    let mem = (0..len).map(|_| mem_byte(u)).collect::<Result<Vec<u8>>>()?;

    match lift_flat_values_with_sources(&mem, &opts, &mut table, max_flat, &flat, &ts) {
        Ok((lifted, sources)) => {
            stats.garbage_values += 1;
            check_types(&lifted, &ts, "lifted from garbage");
            // What lifted is a valid value: it must survive a round trip of its own, from
            // this guest (its string sources) into a well-behaved one. Lists in garbage may
            // overlap, so nested ones can lift to a value far larger than the memory; those
            // are not lowered again.
            if lifted.iter().map(weight).sum::<usize>() <= MAX_WEIGHT {
                let mut guest = Guest::new(PAGE, false, None);
                let (back, _) =
                    guest.lower_lift(&opts, &lifted, &ts, Some(&sources), &mut Stats::default());
                let expected: Vec<Val> = lifted.iter().map(canonical).collect();
                check_same(
                    &expected,
                    &back,
                    &ts,
                    &guest,
                    "lifted from garbage, lowered again",
                );
            }
        }
        Err(_) => stats.garbage_traps += 1,
    }
    if let Ok(v) = load(&mem, &opts, &mut table, ptr, &ts[0]) {
        check_types(std::slice::from_ref(&v), &ts[..1], "loaded from garbage");
    }
    Ok(())
}

/// The largest [`weight`] of garbage-lifted values that are lowered again.
const MAX_WEIGHT: usize = 1 << 16;

/// How many values `v` holds, counting each string's bytes.
fn weight(v: &Val) -> usize {
    let payload = |p: &Option<Box<Val>>| p.as_deref().map_or(0, weight);
    1 + match v {
        Val::String(s) => s.len(),
        Val::List(vs) | Val::Tuple(vs) => vs.iter().map(weight).sum(),
        Val::Map(kvs) => kvs.iter().map(|(k, v)| weight(k) + weight(v)).sum(),
        Val::Record(fs) => fs.iter().map(|(_, v)| weight(v)).sum(),
        Val::Variant(_, p) | Val::Option(p) | Val::Result(Ok(p) | Err(p)) => payload(p),
        _ => 0,
    }
}

// ---- Generators. ----

/// A random type at most `depth` deep: every kind, flags of 1 to 70 bits and, rarely, enums
/// with more than 256 cases (a 16-bit discriminant).
pub fn ty(u: &mut Unstructured<'_>, depth: u32) -> Result<Type> {
    // An exhausted input makes `ratio` true: a leaf.
    if depth == 0 || u.ratio(1, 3)? {
        return Ok(match u.int_in_range(0..=19)? {
            0 => Type::Bool,
            1 => Type::S8,
            2 => Type::U8,
            3 => Type::S16,
            4 => Type::U16,
            5 => Type::S32,
            6 => Type::U32,
            7 => Type::S64,
            8 => Type::U64,
            9 => Type::F32,
            10 => Type::F64,
            11 => Type::Char,
            12..=16 => Type::String,
            17 => Type::Own(ResourceType(u.int_in_range(0..=2)?)),
            18 => Type::Borrow(ResourceType(u.int_in_range(0..=2)?)),
            _ => Type::Flags(Arc::new(FlagsType {
                names: names("f", u.int_in_range(1..=70)?),
            })),
        });
    }
    let d = depth - 1;
    Ok(match u.int_in_range(0..=9)? {
        0 => Type::List(Arc::new(ty(u, d)?)),
        1 => Type::FixedList(Arc::new(ty(u, d)?), u.int_in_range(1..=4)?),
        2 => Type::Map(Arc::new((ty(u, d)?, ty(u, d)?))),
        3 => Type::Record(Arc::new(RecordType {
            fields: names("r", u.int_in_range(1..=4)?)
                .into_iter()
                .map(|n| Ok((n, ty(u, d)?)))
                .collect::<Result<_>>()?,
        })),
        4 => Type::Tuple(
            (0..u.int_in_range(1..=4)?)
                .map(|_| ty(u, d))
                .collect::<Result<Vec<_>>>()?
                .into(),
        ),
        5 => Type::Variant(Arc::new(VariantType {
            cases: names("v", u.int_in_range(1..=4)?)
                .into_iter()
                .map(|n| Ok((n, optional(u, d)?)))
                .collect::<Result<_>>()?,
        })),
        6 => Type::Enum(Arc::new(EnumType {
            cases: names(
                "e",
                match u.ratio(1, 8)? {
                    true => u.int_in_range(257..=556)?,
                    false => u.int_in_range(1..=5)?,
                },
            ),
        })),
        7 => Type::Option(Arc::new(ty(u, d)?)),
        8 => Type::Result(Arc::new(ResultType {
            ok: optional(u, d)?,
            err: optional(u, d)?,
        })),
        _ => ty(u, d)?,
    })
}

/// A payload type two times in three, else none.
fn optional(u: &mut Unstructured<'_>, depth: u32) -> Result<Option<Type>> {
    match u.ratio(2, 3)? {
        true => Ok(Some(ty(u, depth)?)),
        false => Ok(None),
    }
}

fn names(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

/// A random value of type `t`.
pub fn val(u: &mut Unstructured<'_>, t: &Type) -> Result<Val> {
    Ok(match t {
        Type::Bool => Val::Bool(u.arbitrary()?),
        Type::S8 => Val::S8(u.arbitrary()?),
        Type::U8 => Val::U8(u.arbitrary()?),
        Type::S16 => Val::S16(u.arbitrary()?),
        Type::U16 => Val::U16(u.arbitrary()?),
        Type::S32 => Val::S32(u.arbitrary()?),
        Type::U32 => Val::U32(u.arbitrary()?),
        Type::S64 => Val::S64(u.arbitrary()?),
        Type::U64 => Val::U64(u.arbitrary()?),
        Type::F32 => Val::F32(f32::from_bits(float_bits(u, F32_SPECIAL)? as u32)),
        Type::F64 => Val::F64(f64::from_bits(float_bits(u, F64_SPECIAL)?)),
        Type::Char => Val::Char(char(u)?),
        Type::String => Val::String(string(u)?),
        Type::List(e) => Val::List(
            (0..u.int_in_range(0..=4)?)
                .map(|_| val(u, e))
                .collect::<Result<_>>()?,
        ),
        Type::FixedList(e, n) => Val::List((0..*n).map(|_| val(u, e)).collect::<Result<_>>()?),
        Type::Map(kv) => Val::Map(
            (0..u.int_in_range(0..=3)?)
                .map(|_| Ok((val(u, &kv.0)?, val(u, &kv.1)?)))
                .collect::<Result<_>>()?,
        ),
        Type::Record(r) => Val::Record(
            r.fields
                .iter()
                .map(|(n, t)| Ok((n.clone(), val(u, t)?)))
                .collect::<Result<_>>()?,
        ),
        Type::Tuple(ts) => Val::Tuple(ts.iter().map(|t| val(u, t)).collect::<Result<_>>()?),
        Type::Variant(v) => {
            let (name, payload) = u.choose(&v.cases)?;
            Val::Variant(name.clone(), boxed(u, payload.as_ref())?)
        }
        Type::Enum(e) => Val::Enum(u.choose(&e.cases)?.clone()),
        Type::Option(t) => match u.ratio(2, 3)? {
            true => Val::Option(Some(Box::new(val(u, t)?))),
            false => Val::Option(None),
        },
        Type::Result(r) => match u.arbitrary()? {
            true => Val::Result(Ok(boxed(u, r.ok.as_ref())?)),
            false => Val::Result(Err(boxed(u, r.err.as_ref())?)),
        },
        Type::Flags(f) => {
            let mut set = Vec::new();
            for name in &f.names {
                if u.arbitrary()? {
                    set.push(name.clone());
                }
            }
            Val::Flags(set)
        }
        Type::Own(rt) | Type::Borrow(rt) => Val::Resource(Resource {
            ty: *rt,
            rep: u.arbitrary()?,
            own: matches!(t, Type::Own(_)),
        }),
    })
}

/// A value of the payload type, if there is one.
fn boxed(u: &mut Unstructured<'_>, t: Option<&Type>) -> Result<Option<Box<Val>>> {
    t.map(|t| val(u, t).map(Box::new)).transpose()
}

/// Float bit patterns worth trying on purpose: zeros of both signs, infinities, NaNs (quiet,
/// signalling, negative, with payloads), the smallest subnormal, the extremes.
const F32_SPECIAL: &[u64] = &[
    0x0000_0000,
    0x8000_0000,
    0x7f80_0000,
    0xff80_0000,
    0x7fc0_0000,
    0xffc0_0000,
    0x7f80_0001,
    0x7fff_ffff,
    0xffff_ffff,
    0x0000_0001,
    0x7f7f_ffff,
    0xff7f_ffff,
];
const F64_SPECIAL: &[u64] = &[
    0x0000_0000_0000_0000,
    0x8000_0000_0000_0000,
    0x7ff0_0000_0000_0000,
    0xfff0_0000_0000_0000,
    0x7ff8_0000_0000_0000,
    0xfff8_0000_0000_0000,
    0x7ff0_0000_0000_0001,
    0x7fff_ffff_ffff_ffff,
    0xffff_ffff_ffff_ffff,
    0x0000_0000_0000_0001,
    0x7fef_ffff_ffff_ffff,
    0xffef_ffff_ffff_ffff,
];

/// A special pattern one time in four, else arbitrary bits.
fn float_bits(u: &mut Unstructured<'_>, special: &[u64]) -> Result<u64> {
    match u.ratio(1, 4)? {
        true => Ok(*u.choose(special)?),
        false => u.arbitrary(),
    }
}

/// The characters strings are made of: ASCII (with NUL), Latin-1, the rest of the BMP, and
/// beyond (surrogate pairs in UTF-16, four bytes in UTF-8).
const POOL: &[char] = &[
    'a', 'Z', ' ', '\0', 'é', 'ÿ', '\u{80}', 'Ā', '☃', '\u{ffff}', '😀', '𝄞',
];

/// A character from [`POOL`] three times in four, else any scalar value.
fn char(u: &mut Unstructured<'_>) -> Result<char> {
    if !u.ratio(1, 4)? {
        return Ok(*u.choose(POOL)?);
    }
    let c = u.int_in_range(0..=0x10_ffffu32)?;
    // A surrogate is not a `char`; move it out of the surrogate range.
    Ok(char::from_u32(c).unwrap_or_else(|| char::from_u32(c + 0x800).unwrap_or('\u{e000}')))
}

/// A string of up to 11 characters: all ASCII, all Latin-1, or anything, to reach every
/// `latin1+utf16` path.
fn string(u: &mut Unstructured<'_>) -> Result<String> {
    let pool = match u.int_in_range(0..=2)? {
        0 => &POOL[..4],
        1 => &POOL[..7],
        _ => POOL,
    };
    (0..u.int_in_range(0..=11)?)
        .map(|_| u.choose(pool).copied())
        .collect()
}

/// A number that is small three times in four (so that it is a pointer or length inside the
/// garbage memory), else arbitrary.
fn small(u: &mut Unstructured<'_>) -> Result<u64> {
    match u.ratio(1, 4)? {
        true => u.arbitrary(),
        false => u.int_in_range(0..=63),
    }
}

/// A core value of type `t`, of another type one time in fifty.
fn core_val(u: &mut Unstructured<'_>, t: CoreType) -> Result<CoreVal> {
    if u.ratio(1, 50)? {
        return Ok(CoreVal::F64(0.0));
    }
    Ok(match t {
        CoreType::I32 => CoreVal::I32(small(u)? as i32),
        CoreType::I64 => CoreVal::I64(small(u)? as i64),
        CoreType::F32 => CoreVal::F32(f32::from_bits(u.arbitrary()?)),
        CoreType::F64 => CoreVal::F64(f64::from_bits(u.arbitrary()?)),
    })
}

/// A byte of garbage memory: one input byte below 0xc0 gives 0 to 7, anything else escapes
/// to the next input byte taken whole (so every byte is reachable, small ones cheaply).
fn mem_byte(u: &mut Unstructured<'_>) -> Result<u8> {
    let b: u8 = u.arbitrary()?;
    match b < 0xc0 {
        true => Ok(b & 7),
        false => u.arbitrary(),
    }
}

// ---- Checks. ----

/// Panics unless `vals` has one value of each of `ts`.
fn check_types(vals: &[Val], ts: &[Type], what: &str) {
    assert_eq!(vals.len(), ts.len(), "{what}: {ts:?}\n{vals:?}");
    for (v, t) in vals.iter().zip(ts) {
        if let Err(e) = type_check(v, t) {
            panic!("{what}: a value does not match its type: {e}\n{t:?}\n{v:?}");
        }
    }
}

/// Panics unless `back` equals `expected` exactly (floats compared bit for bit).
fn check_same(expected: &[Val], back: &[Val], ts: &[Type], guest: &Guest, what: &str) {
    let equal = expected.len() == back.len() && expected.iter().zip(back).all(|(a, b)| same(a, b));
    assert!(
        equal,
        "{what}: the lifted values differ\ntypes: {ts:?}\nexpected: {expected:?}\nlifted:   {back:?}\n{guest:?}"
    );
}

/// `v` with every NaN replaced by the canonical one, as lifting gives it back.
fn canonical(v: &Val) -> Val {
    let boxed = |p: &Option<Box<Val>>| p.as_ref().map(|v| Box::new(canonical(v)));
    match v {
        Val::F32(x) if x.is_nan() => Val::F32(f32::from_bits(CANONICAL_NAN32)),
        Val::F64(x) if x.is_nan() => Val::F64(f64::from_bits(CANONICAL_NAN64)),
        Val::List(vs) => Val::List(vs.iter().map(canonical).collect()),
        Val::Tuple(vs) => Val::Tuple(vs.iter().map(canonical).collect()),
        Val::Map(kvs) => Val::Map(
            kvs.iter()
                .map(|(k, v)| (canonical(k), canonical(v)))
                .collect(),
        ),
        Val::Record(fs) => Val::Record(fs.iter().map(|(n, v)| (n.clone(), canonical(v))).collect()),
        Val::Variant(n, p) => Val::Variant(n.clone(), boxed(p)),
        Val::Option(p) => Val::Option(boxed(p)),
        Val::Result(Ok(p)) => Val::Result(Ok(boxed(p))),
        Val::Result(Err(p)) => Val::Result(Err(boxed(p))),
        _ => v.clone(),
    }
}

/// Structural equality with floats compared by their bits (so `-0.0 != 0.0` and NaN payloads
/// count), unlike `Val`'s `PartialEq`.
fn same(a: &Val, b: &Val) -> bool {
    let all = |a: &[Val], b: &[Val]| a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same(a, b));
    let payload = |a: &Option<Box<Val>>, b: &Option<Box<Val>>| match (a, b) {
        (Some(a), Some(b)) => same(a, b),
        (None, None) => true,
        _ => false,
    };
    match (a, b) {
        (Val::F32(x), Val::F32(y)) => x.to_bits() == y.to_bits(),
        (Val::F64(x), Val::F64(y)) => x.to_bits() == y.to_bits(),
        (Val::List(x), Val::List(y)) | (Val::Tuple(x), Val::Tuple(y)) => all(x, y),
        (Val::Map(x), Val::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((k, v), (l, w))| same(k, l) && same(v, w))
        }
        (Val::Record(x), Val::Record(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|((n, v), (m, w))| n == m && same(v, w))
        }
        (Val::Variant(n, p), Val::Variant(m, q)) => n == m && payload(p, q),
        (Val::Option(p), Val::Option(q))
        | (Val::Result(Ok(p)), Val::Result(Ok(q)))
        | (Val::Result(Err(p)), Val::Result(Err(q))) => payload(p, q),
        // Every other pair holds no float: `PartialEq` is exact (and false across kinds).
        _ => a == b,
    }
}

// ---- The guest. ----

/// A guest instance: its linear memory with a bump allocator as `realloc` (recording every
/// call, growing the memory by whole pages), its handle table, and how its values are passed.
struct Guest {
    memory: GuestMemory,
    table: HandleTable,
    max_flat: usize,
    /// Results-style: spilled values go to this pointer, which the guest reserved.
    out_pointer: Option<u32>,
}

/// Memory never grows past this: far more than the generated values need, so reaching it
/// means the generator is unbounded.
const MAX_MEMORY: usize = 1 << 26;

impl Guest {
    /// A guest with `len` bytes of memory (rounded up to whole pages) and, if `out_pointer`,
    /// a reserved block for a tuple of `out_pointer` bytes at its start.
    fn new(len: usize, moving: bool, out_pointer: Option<u32>) -> Guest {
        // The out-pointer's block starts at 16, and the bump allocator after it.
        let next = out_pointer.map_or(16, |size| (16 + size).next_multiple_of(8) + 64);
        Guest {
            memory: GuestMemory {
                next,
                moving,
                grow_up_to: Some(MAX_MEMORY),
                ..GuestMemory::new(len.max(next as usize).next_multiple_of(PAGE))
            },
            table: HandleTable::default(),
            max_flat: 16,
            out_pointer: out_pointer.map(|_| 16),
        }
    }

    /// A guest with random options for passing `ts`: memory of one page or several (which
    /// `realloc` grows when full), a shrinking or moving `realloc`, the flat limit, and
    /// spilling through `realloc` or to an out-pointer.
    fn arbitrary(u: &mut Unstructured<'_>, ts: &[Type]) -> Result<Guest> {
        let pages = u.int_in_range(1..=4)?;
        let moving = u.arbitrary()?;
        let out_pointer = u.arbitrary::<bool>()?.then(|| elem_size(&tuple(ts)));
        let mut guest = Guest::new(pages * PAGE, moving, out_pointer);
        guest.max_flat = *u.choose(&MAX_FLATS)?;
        Ok(guest)
    }

    fn spill(&self) -> Spill {
        self.out_pointer.map_or(Spill::Realloc, Spill::OutPointer)
    }

    /// Lowers `vals: ts` into this guest (with `sources`, the string sources of the guest they
    /// were lifted from, if any) and lifts them back, with the string sources lifting recorded.
    /// Checks that the flat values have the flattened types. Panics on a trap: every step is
    /// given valid values and a well-behaved guest.
    fn lower_lift(
        &mut self,
        opts: &Options,
        vals: &[Val],
        ts: &[Type],
        sources: Option<&[StringSource]>,
        stats: &mut Stats,
    ) -> (Vec<Val>, Vec<StringSource>) {
        let (max_flat, spill) = (self.max_flat, self.spill());
        let fail = |step: &str, e: Trap, guest: &Guest| -> ! {
            panic!(
                "{step} failed: {e}\nencoding: {:?}, string sources: {sources:?}\ntypes: {ts:?}\nvalues: {vals:?}\n{guest:?}",
                opts.encoding,
            )
        };
        let allocs = match sources {
            None => block_on(allocate(&mut self.memory, opts, max_flat, spill, vals, ts)),
            Some(sources) => block_on(allocate_with_sources(
                &mut self.memory,
                opts,
                max_flat,
                spill,
                vals,
                ts,
                sources,
            )),
        }
        .unwrap_or_else(|e| fail("allocating", e, self));
        let flat = lower_flat_values(
            &mut self.memory.mem,
            opts,
            &mut self.table,
            &allocs,
            max_flat,
            spill,
            vals,
            ts,
        )
        .unwrap_or_else(|e| fail("lowering", e, self));

        let flat_types = flatten_types(ts);
        let spilled = flat_types.len() > max_flat;
        let expected = match (spilled, spill) {
            (false, _) => flat_types,
            (true, Spill::Realloc) => vec![CoreType::I32],
            (true, Spill::OutPointer(_)) => Vec::new(),
        };
        let got: Vec<CoreType> = flat.iter().map(CoreVal::ty).collect();
        assert_eq!(
            got, expected,
            "the flat values have the wrong types\ntypes: {ts:?}\nvalues: {vals:?}\nflat: {flat:?}\n{self:?}"
        );

        // The guest passes its out-pointer back as the one flat value.
        let lift_from = match (spilled, spill) {
            (true, Spill::OutPointer(ptr)) => vec![CoreVal::I32(ptr as i32)],
            _ => flat,
        };
        let lifted = lift_flat_values_with_sources(
            &self.memory.mem,
            opts,
            &mut self.table,
            max_flat,
            &lift_from,
            ts,
        )
        .unwrap_or_else(|e| fail("lifting", e, self));
        assert!(
            self.table.slots.iter().flatten().all(|r| !r.own),
            "lifting left an owned handle in the table\ntypes: {ts:?}\nvalues: {vals:?}\n{self:?}"
        );

        stats.lowerings += 1;
        stats.spilled += usize::from(spilled);
        stats.reallocs += self.memory.calls.len();
        stats.chained += self.memory.calls.iter().filter(|c| c.0 != 0).count();
        lifted
    }
}

/// Everything but the memory's contents (its length and what the allocator used of it).
impl std::fmt::Debug for Guest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guest")
            .field("memory_len", &self.memory.mem.len())
            .field("next", &self.memory.next)
            .field("moving", &self.memory.moving)
            .field("max_flat", &self.max_flat)
            .field("out_pointer", &self.out_pointer)
            .field("realloc_calls", &self.memory.calls)
            .field("table", &self.table.slots)
            .finish()
    }
}

fn tuple(ts: &[Type]) -> Type {
    Type::Tuple(ts.into())
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::{run_counting, Stats};

    #[test]
    fn smoke() {
        let stats = RefCell::new(Stats::default());
        crate::smoke("abi", 2000, 4096, |u| {
            run_counting(u, &mut stats.borrow_mut())
        });
        let s = stats.into_inner();
        eprintln!("{s:?}");
        // The generator reaches the interesting paths: string transcoding (chained `realloc`
        // calls), spilling to memory, and both outcomes of lifting garbage, so the checks test
        // more than the first step of each.
        assert!(
            s.chained * 4 > s.lowerings && s.spilled * 4 > s.lowerings,
            "{s:?}"
        );
        assert!(
            s.garbage_values * 20 > s.garbage_traps && s.garbage_traps > s.garbage_values,
            "{s:?}"
        );
    }
}
