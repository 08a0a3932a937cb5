//! Rust types as component values: host functions with typed signatures
//! ([`crate::Linker::func_wrap`]) and typed calls of exports ([`crate::Func::typed`]).
//!
//! | WIT | Rust |
//! |---|---|
//! | `bool`, `s8`…`u64`, `f32`, `f64`, `char`, `string` | `bool`, `i8`…`u64`, `f32`, `f64`, `char`, `String` |
//! | `list<T>` | `Vec<T>` |
//! | `option<T>` | `Option<T>` |
//! | `result<T, E>` | `Result<T, E>` (`()` for a missing side) |
//! | `tuple<A, B, …>` | `(A, B, …)` |
//! | `own<R>`, `borrow<R>` | [`Resource`] |
//! | anything else | [`Val`] (checked against the type at run time) |
//!
//! The values still travel as [`Val`]s through the general canonical ABI path; the
//! conversions here are what makes the signatures typed.

use weft_abi::abi::{
    align_to64, alignment, elem_size, max_case_alignment, Block, CoreVal, Lifter, StringEncoding,
    Trap, Writer,
};
use weft_abi::{FuncType, Resource, Type, Val};

/// A Rust type that is a component value type.
pub trait ComponentValue: Sized {
    /// Whether `ty` is this Rust type's component type (`Err` says what differs).
    fn typecheck(ty: &Type) -> Result<(), String>;
    /// The value as a [`Val`].
    fn into_val(self) -> Val;
    /// The value from a [`Val`] of a type that passed [`ComponentValue::typecheck`].
    fn from_val(val: Val) -> Result<Self, String>;

    /// Lifts the next value, of type `ty`, straight from a guest's flat values and memory
    /// (the typed fast path of host functions). By default through a [`Val`].
    #[doc(hidden)]
    fn lift(lifter: &mut Lifter<'_>, ty: &Type) -> Result<Self, Trap> {
        Self::from_val(lifter.lift_flat(ty)?).map_err(Trap::new)
    }

    /// Typed lowering, phase one: whether this value, of type `ty`, is lowered on the typed
    /// path into a guest with string encoding `enc` — if so, it has pushed the blocks it needs
    /// (in the spec's order). `false`: the value goes through a [`Val`] (floats, strings into
    /// a non-UTF-8 guest, [`Val`] itself, …).
    #[doc(hidden)]
    fn fast_blocks(&self, _ty: &Type, _enc: StringEncoding, _blocks: &mut Vec<Block>) -> bool {
        false
    }

    /// Typed lowering, phase two: stores the value at `ptr` (after [`Self::fast_blocks`]
    /// said yes).
    #[doc(hidden)]
    fn fast_store(&self, _ty: &Type, _w: &mut Writer<'_>, _ptr: u64) -> Result<(), Trap> {
        Err(Trap::new(
            "internal error: no typed lowering for this value",
        ))
    }

    /// Typed lowering of a value that is one flat core value (integers, `bool`, `char`,
    /// handles); `None` for the others.
    #[doc(hidden)]
    fn fast_flat(&self, _ty: &Type, _w: &mut Writer<'_>) -> Option<Result<CoreVal, Trap>> {
        None
    }

    /// Whether [`Self::fast_flat`] gives this value (asked before anything is allocated).
    #[doc(hidden)]
    fn has_fast_flat(&self) -> bool {
        false
    }

    /// [`Self::fast_blocks`] of a `list<Self>` of these `items`, `list_ty` the list's type:
    /// its block, then its elements' (`u8` has no elements to visit).
    #[doc(hidden)]
    fn fast_list_blocks(
        items: &[Self],
        elem: &Type,
        enc: StringEncoding,
        blocks: &mut Vec<Block>,
    ) -> bool {
        let Ok(size) = u32::try_from(items.len() as u64 * u64::from(elem_size(elem))) else {
            return false;
        };
        blocks.push(Block {
            align: alignment(elem),
            size,
            string: false,
        });
        items.iter().all(|item| item.fast_blocks(elem, enc, blocks))
    }

    /// [`Self::fast_store`] of a list's `items` into its block at `ptr`.
    #[doc(hidden)]
    fn fast_store_list(
        items: &[Self],
        elem: &Type,
        w: &mut Writer<'_>,
        ptr: u64,
    ) -> Result<(), Trap> {
        let size = u64::from(elem_size(elem));
        for (i, item) in items.iter().enumerate() {
            item.fast_store(elem, w, ptr + i as u64 * size)?;
        }
        Ok(())
    }

    /// Lifts the next value, a `list<Self>` of type `list_ty`. By default through a [`Val`];
    /// `u8` copies the bytes at once.
    #[doc(hidden)]
    fn lift_list(lifter: &mut Lifter<'_>, list_ty: &Type) -> Result<Vec<Self>, Trap> {
        match lifter.lift_flat(list_ty)? {
            Val::List(items) => items
                .into_iter()
                .map(|v| Self::from_val(v).map_err(Trap::new))
                .collect(),
            other => Err(Trap::new(wrong("list", &other))),
        }
    }
}

/// The longest string the canonical ABI lowers (spec `MAX_STRING_BYTE_LENGTH`): longer ones
/// take the general path, which traps with the spec's message.
const MAX_STRING_BYTES: usize = (1 << 28) - 1;

/// A pointer and a length, stored as two `i32`s at `ptr`.
fn write_pair(w: &mut Writer<'_>, ptr: u64, begin: u32, length: u32) -> Result<(), Trap> {
    w.write(ptr, &begin.to_le_bytes())?;
    w.write(ptr + 4, &length.to_le_bytes())
}

fn mismatch(expected: &str, ty: &Type) -> Result<(), String> {
    Err(format!("expected {expected}, found {ty}"))
}

fn wrong(expected: &str, val: &Val) -> String {
    format!("expected a {expected} value, found {val:?}")
}

macro_rules! primitive {
    (@core I32, $w:expr) => { CoreVal::I32($w as u32 as i32) };
    (@core I64, $w:expr) => { CoreVal::I64($w as i64) };
    // An integer (or `bool`, `char`) stored as `$bytes` little-endian bytes of `$wide` and
    // flattened to one `$core` value.
    (int $rust:ty, $ty:ident, $val:ident, $name:literal, $conv:expr, $core:ident, $bytes:literal $(, { $($extra:tt)* })?) => {
        primitive!($rust, $ty, $val, $name, {
            fn fast_blocks(&self, ty: &Type, _: StringEncoding, _: &mut Vec<Block>) -> bool {
                matches!(ty, Type::$ty)
            }
            fn fast_store(&self, _: &Type, w: &mut Writer<'_>, ptr: u64) -> Result<(), Trap> {
                let wide: u64 = $conv(*self);
                w.write(ptr, &wide.to_le_bytes()[..$bytes])
            }
            fn fast_flat(&self, _: &Type, _: &mut Writer<'_>) -> Option<Result<CoreVal, Trap>> {
                let wide: u64 = $conv(*self);
                Some(Ok(primitive!(@core $core, wide)))
            }
            fn has_fast_flat(&self) -> bool {
                true
            }
            $($($extra)*)?
        });
    };
    ($rust:ty, $ty:ident, $val:ident, $name:literal) => {
        primitive!($rust, $ty, $val, $name, {});
    };
    ($rust:ty, $ty:ident, $val:ident, $name:literal, { $($extra:tt)* }) => {
        impl ComponentValue for $rust {
            fn typecheck(ty: &Type) -> Result<(), String> {
                match ty {
                    Type::$ty => Ok(()),
                    other => mismatch($name, other),
                }
            }
            fn into_val(self) -> Val {
                Val::$val(self)
            }
            fn from_val(val: Val) -> Result<Self, String> {
                match val {
                    Val::$val(v) => Ok(v),
                    other => Err(wrong($name, &other)),
                }
            }
            $($extra)*
        }
    };
}

primitive!(int bool, Bool, Bool, "bool", |b: bool| u64::from(b), I32, 1);
primitive!(int i8, S8, S8, "s8", |x: i8| x as u8 as u64, I32, 1);
primitive!(int u8, U8, U8, "u8", u64::from, I32, 1, {
    fn lift_list(lifter: &mut Lifter<'_>, list_ty: &Type) -> Result<Vec<u8>, Trap> {
        if !matches!(list_ty, Type::List(e) if **e == Type::U8) {
            return Err(Trap::new(format!("expected list<u8>, found {list_ty}")));
        }
        let ptr = lifter.next_i32()?;
        let length = lifter.next_i32()?;
        Ok(lifter.byte_list(ptr, length)?.to_vec())
    }
    fn fast_list_blocks(items: &[u8], elem: &Type, _: StringEncoding, blocks: &mut Vec<Block>) -> bool {
        let Ok(size) = u32::try_from(items.len()) else {
            return false;
        };
        blocks.push(Block { align: 1, size, string: false });
        *elem == Type::U8
    }
    fn fast_store_list(items: &[u8], _: &Type, w: &mut Writer<'_>, ptr: u64) -> Result<(), Trap> {
        w.write(ptr, items)
    }
});
primitive!(int i16, S16, S16, "s16", |x: i16| x as u16 as u64, I32, 2);
primitive!(int u16, U16, U16, "u16", u64::from, I32, 2);
primitive!(int i32, S32, S32, "s32", |x: i32| x as u32 as u64, I32, 4);
primitive!(int u32, U32, U32, "u32", u64::from, I32, 4);
primitive!(int i64, S64, S64, "s64", |x: i64| x as u64, I64, 8);
primitive!(int u64, U64, U64, "u64", |x: u64| x, I64, 8);
primitive!(f32, F32, F32, "f32");
primitive!(f64, F64, F64, "f64");
primitive!(int char, Char, Char, "char", |c: char| u64::from(u32::from(c)), I32, 4);
primitive!(String, String, String, "string", {
    fn fast_blocks(&self, ty: &Type, enc: StringEncoding, blocks: &mut Vec<Block>) -> bool {
        // A host string is UTF-8: into a UTF-8 guest it is one copy (spec
        // `store_string_copy`); other encodings transcode on the general path.
        if *ty != Type::String || enc != StringEncoding::Utf8 || self.len() > MAX_STRING_BYTES {
            return false;
        }
        blocks.push(Block {
            align: 1,
            size: self.len() as u32,
            string: true,
        });
        true
    }
    fn fast_store(&self, _: &Type, w: &mut Writer<'_>, ptr: u64) -> Result<(), Trap> {
        let block = w.next_block()?;
        w.write(u64::from(block), self.as_bytes())?;
        write_pair(w, ptr, block, self.len() as u32)
    }
});

impl<T: ComponentValue> ComponentValue for Vec<T> {
    fn typecheck(ty: &Type) -> Result<(), String> {
        match ty {
            Type::List(e) => T::typecheck(e).map_err(|e| format!("list element: {e}")),
            other => mismatch("list", other),
        }
    }
    fn into_val(self) -> Val {
        Val::List(self.into_iter().map(T::into_val).collect())
    }
    fn from_val(val: Val) -> Result<Self, String> {
        match val {
            Val::List(items) => items.into_iter().map(T::from_val).collect(),
            other => Err(wrong("list", &other)),
        }
    }
    fn lift(lifter: &mut Lifter<'_>, ty: &Type) -> Result<Self, Trap> {
        T::lift_list(lifter, ty)
    }
    fn fast_blocks(&self, ty: &Type, enc: StringEncoding, blocks: &mut Vec<Block>) -> bool {
        match ty {
            Type::List(e) => T::fast_list_blocks(self, e, enc, blocks),
            _ => false,
        }
    }
    fn fast_store(&self, ty: &Type, w: &mut Writer<'_>, ptr: u64) -> Result<(), Trap> {
        let Type::List(e) = ty else {
            return Err(Trap::new(format!("expected a list type, found {ty}")));
        };
        let block = w.next_block()?;
        T::fast_store_list(self, e, w, u64::from(block))?;
        write_pair(w, ptr, block, self.len() as u32)
    }
}

/// The bytes of a `list<u8>` result, held by the host or written in place: a host
/// function that can tell how many bytes it will return before it has them (a file read, which
/// knows the file's size) lets the typed lowering write them straight into the block the guest
/// allocated for the list, with no copy through a host buffer.
pub struct Bytes(BytesRepr);

enum BytesRepr {
    Held(Vec<u8>),
    InPlace { len: usize, fill: Box<dyn Fill> },
}

/// What writes a [`Bytes`] in place.
pub trait Fill: Send {
    /// Writes the bytes into `dest` (as long as the length the [`Bytes`] was made with) and
    /// returns how many it wrote: fewer than `dest.len()` when the source came up short (a
    /// file truncated meanwhile); the list then holds those, in a block that is larger.
    fn fill(&self, dest: &mut [u8]) -> usize;
}

impl Bytes {
    /// `len` bytes that `fill` writes when the result is lowered.
    pub fn in_place(len: usize, fill: Box<dyn Fill>) -> Bytes {
        Bytes(BytesRepr::InPlace { len, fill })
    }

    /// The bytes, in a vector (the general path, and callers that want them in the host).
    pub fn into_vec(self) -> Vec<u8> {
        match self.0 {
            BytesRepr::Held(v) => v,
            BytesRepr::InPlace { len, fill } => {
                let mut v = vec![0; len];
                let n = fill.fill(&mut v);
                v.truncate(n);
                v
            }
        }
    }

    /// How many bytes there are (at most, for bytes written in place).
    pub fn len(&self) -> usize {
        match &self.0 {
            BytesRepr::Held(v) => v.len(),
            BytesRepr::InPlace { len, .. } => *len,
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(v: Vec<u8>) -> Bytes {
        Bytes(BytesRepr::Held(v))
    }
}

impl ComponentValue for Bytes {
    fn typecheck(ty: &Type) -> Result<(), String> {
        Vec::<u8>::typecheck(ty)
    }
    fn into_val(self) -> Val {
        self.into_vec().into_val()
    }
    fn from_val(val: Val) -> Result<Self, String> {
        Vec::<u8>::from_val(val).map(Bytes::from)
    }
    fn lift(lifter: &mut Lifter<'_>, ty: &Type) -> Result<Self, Trap> {
        Vec::<u8>::lift(lifter, ty).map(Bytes::from)
    }
    fn fast_blocks(&self, ty: &Type, _: StringEncoding, blocks: &mut Vec<Block>) -> bool {
        let Ok(size) = u32::try_from(self.len()) else {
            return false;
        };
        blocks.push(Block {
            align: 1,
            size,
            string: false,
        });
        matches!(ty, Type::List(e) if **e == Type::U8)
    }
    fn fast_store(&self, ty: &Type, w: &mut Writer<'_>, ptr: u64) -> Result<(), Trap> {
        if !matches!(ty, Type::List(e) if **e == Type::U8) {
            return Err(Trap::new(format!("expected list<u8>, found {ty}")));
        }
        let block = w.next_block()?;
        let len = match &self.0 {
            BytesRepr::Held(v) => {
                w.write(u64::from(block), v)?;
                v.len()
            }
            BytesRepr::InPlace { len, fill } => {
                let dest = w.bytes_mut(u64::from(block), *len as u64)?;
                // The source cannot claim more than it was given.
                fill.fill(dest).min(*len)
            }
        };
        write_pair(w, ptr, block, len as u32)
    }
}

impl<T: ComponentValue> ComponentValue for Option<T> {
    fn typecheck(ty: &Type) -> Result<(), String> {
        match ty {
            Type::Option(e) => T::typecheck(e).map_err(|e| format!("option payload: {e}")),
            other => mismatch("option", other),
        }
    }
    fn into_val(self) -> Val {
        Val::Option(self.map(|v| Box::new(v.into_val())))
    }
    fn from_val(val: Val) -> Result<Self, String> {
        match val {
            Val::Option(v) => v.map(|v| T::from_val(*v)).transpose(),
            other => Err(wrong("option", &other)),
        }
    }
    fn fast_blocks(&self, ty: &Type, enc: StringEncoding, blocks: &mut Vec<Block>) -> bool {
        match (ty, self) {
            (Type::Option(_), None) => true,
            (Type::Option(e), Some(v)) => v.fast_blocks(e, enc, blocks),
            _ => false,
        }
    }
    fn fast_store(&self, ty: &Type, w: &mut Writer<'_>, ptr: u64) -> Result<(), Trap> {
        let Type::Option(e) = ty else {
            return Err(Trap::new(format!("expected an option type, found {ty}")));
        };
        // Two cases: a one-byte discriminant, the payload at the cases' alignment.
        w.write(ptr, &[u8::from(self.is_some())])?;
        match self {
            Some(v) => v.fast_store(e, w, align_to64(ptr + 1, max_case_alignment(ty))),
            None => Ok(()),
        }
    }
}

/// One side of a `result`: `()` stands for a missing payload.
pub trait ResultPayload: Sized {
    /// Whether `ty` (absent for a missing payload) matches.
    fn typecheck_payload(ty: Option<&Type>) -> Result<(), String>;
    /// The payload as a value, if any.
    fn into_payload(self) -> Option<Box<Val>>;
    /// The payload from a value.
    fn from_payload(val: Option<Box<Val>>) -> Result<Self, String>;
    /// [`ComponentValue::fast_blocks`] of the payload (of type `ty`, absent for none).
    #[doc(hidden)]
    fn fast_payload_blocks(
        &self,
        ty: Option<&Type>,
        enc: StringEncoding,
        blocks: &mut Vec<Block>,
    ) -> bool;
    /// [`ComponentValue::fast_store`] of the payload.
    #[doc(hidden)]
    fn fast_payload_store(
        &self,
        ty: Option<&Type>,
        w: &mut Writer<'_>,
        ptr: u64,
    ) -> Result<(), Trap>;
}

impl ResultPayload for () {
    fn typecheck_payload(ty: Option<&Type>) -> Result<(), String> {
        match ty {
            None => Ok(()),
            Some(t) => Err(format!("expected no payload, found {t}")),
        }
    }
    fn into_payload(self) -> Option<Box<Val>> {
        None
    }
    fn from_payload(_: Option<Box<Val>>) -> Result<Self, String> {
        Ok(())
    }
    fn fast_payload_blocks(
        &self,
        ty: Option<&Type>,
        _: StringEncoding,
        _: &mut Vec<Block>,
    ) -> bool {
        ty.is_none()
    }
    fn fast_payload_store(&self, _: Option<&Type>, _: &mut Writer<'_>, _: u64) -> Result<(), Trap> {
        Ok(())
    }
}

impl<T: ComponentValue> ResultPayload for T {
    fn typecheck_payload(ty: Option<&Type>) -> Result<(), String> {
        match ty {
            Some(t) => T::typecheck(t),
            None => Err("expected a payload, found none".into()),
        }
    }
    fn into_payload(self) -> Option<Box<Val>> {
        Some(Box::new(self.into_val()))
    }
    fn from_payload(val: Option<Box<Val>>) -> Result<Self, String> {
        match val {
            Some(v) => T::from_val(*v),
            None => Err("a result without its payload".into()),
        }
    }
    fn fast_payload_blocks(
        &self,
        ty: Option<&Type>,
        enc: StringEncoding,
        blocks: &mut Vec<Block>,
    ) -> bool {
        ty.is_some_and(|t| self.fast_blocks(t, enc, blocks))
    }
    fn fast_payload_store(
        &self,
        ty: Option<&Type>,
        w: &mut Writer<'_>,
        ptr: u64,
    ) -> Result<(), Trap> {
        match ty {
            Some(t) => self.fast_store(t, w, ptr),
            None => Err(Trap::new("a result payload without a type")),
        }
    }
}

impl<T: ResultPayload, E: ResultPayload> ComponentValue for Result<T, E> {
    fn typecheck(ty: &Type) -> Result<(), String> {
        match ty {
            Type::Result(r) => {
                T::typecheck_payload(r.ok.as_ref()).map_err(|e| format!("result ok: {e}"))?;
                E::typecheck_payload(r.err.as_ref()).map_err(|e| format!("result err: {e}"))
            }
            other => mismatch("result", other),
        }
    }
    fn into_val(self) -> Val {
        Val::Result(match self {
            Ok(v) => Ok(v.into_payload()),
            Err(e) => Err(e.into_payload()),
        })
    }
    fn from_val(val: Val) -> Result<Self, String> {
        match val {
            Val::Result(Ok(v)) => Ok(Ok(T::from_payload(v)?)),
            Val::Result(Err(e)) => Ok(Err(E::from_payload(e)?)),
            other => Err(wrong("result", &other)),
        }
    }
    fn fast_blocks(&self, ty: &Type, enc: StringEncoding, blocks: &mut Vec<Block>) -> bool {
        match (ty, self) {
            (Type::Result(r), Ok(v)) => v.fast_payload_blocks(r.ok.as_ref(), enc, blocks),
            (Type::Result(r), Err(e)) => e.fast_payload_blocks(r.err.as_ref(), enc, blocks),
            _ => false,
        }
    }
    fn fast_store(&self, ty: &Type, w: &mut Writer<'_>, ptr: u64) -> Result<(), Trap> {
        let Type::Result(r) = ty else {
            return Err(Trap::new(format!("expected a result type, found {ty}")));
        };
        // Two cases: a one-byte discriminant, the payload at the cases' alignment.
        w.write(ptr, &[u8::from(self.is_err())])?;
        let at = align_to64(ptr + 1, max_case_alignment(ty));
        match self {
            Ok(v) => v.fast_payload_store(r.ok.as_ref(), w, at),
            Err(e) => e.fast_payload_store(r.err.as_ref(), w, at),
        }
    }
}

impl ComponentValue for Resource {
    fn typecheck(ty: &Type) -> Result<(), String> {
        match ty {
            Type::Own(_) | Type::Borrow(_) => Ok(()),
            other => mismatch("own or borrow handle", other),
        }
    }
    fn into_val(self) -> Val {
        Val::Resource(self)
    }
    fn from_val(val: Val) -> Result<Self, String> {
        match val {
            Val::Resource(r) => Ok(r),
            other => Err(wrong("resource", &other)),
        }
    }
    fn fast_blocks(&self, ty: &Type, _: StringEncoding, _: &mut Vec<Block>) -> bool {
        matches!(ty, Type::Own(_) | Type::Borrow(_))
    }
    fn fast_store(&self, ty: &Type, w: &mut Writer<'_>, ptr: u64) -> Result<(), Trap> {
        let h = w.lower_handle(*self, ty)?;
        w.write(ptr, &h.to_le_bytes())
    }
    fn fast_flat(&self, ty: &Type, w: &mut Writer<'_>) -> Option<Result<CoreVal, Trap>> {
        Some(w.lower_handle(*self, ty).map(|h| CoreVal::I32(h as i32)))
    }
    fn has_fast_flat(&self) -> bool {
        true
    }
}

/// Any value, checked against the type when it crosses.
impl ComponentValue for Val {
    fn typecheck(_: &Type) -> Result<(), String> {
        Ok(())
    }
    fn into_val(self) -> Val {
        self
    }
    fn from_val(val: Val) -> Result<Self, String> {
        Ok(val)
    }
}

/// A tuple of [`ComponentValue`]s: the parameters of a function, or `tuple<…>` values.
pub trait ComponentList: Sized {
    /// Whether `tys` are these types.
    fn typecheck_list(tys: &[&Type]) -> Result<(), String>;
    /// The values.
    fn into_vals(self) -> Vec<Val>;
    /// The tuple from values of checked types.
    fn from_vals(vals: Vec<Val>) -> Result<Self, String>;
    /// Lifts the tuple's values, of types `tys`, straight from a guest's flat values.
    #[doc(hidden)]
    fn lift_params(lifter: &mut Lifter<'_>, tys: &[Type]) -> Result<Self, Trap>;
}

macro_rules! tuples {
    ($(($($t:ident $i:tt),*)),* $(,)?) => {$(
        impl<$($t: ComponentValue),*> ComponentList for ($($t,)*) {
            #[allow(unused_variables, unused_mut)]
            fn typecheck_list(tys: &[&Type]) -> Result<(), String> {
                let n = 0 $(+ { let _ = $i; 1 })*;
                if tys.len() != n {
                    return Err(format!("expected {n} value(s), found {}", tys.len()));
                }
                $( $t::typecheck(tys[$i]).map_err(|e| format!("value {}: {e}", $i + 1))?; )*
                Ok(())
            }
            #[allow(clippy::unused_unit)]
            fn into_vals(self) -> Vec<Val> {
                vec![$(self.$i.into_val()),*]
            }
            #[allow(unused_variables, unused_mut)]
            fn from_vals(vals: Vec<Val>) -> Result<Self, String> {
                let mut it = vals.into_iter();
                Ok(($($t::from_val(it.next().ok_or("too few values")?)?,)*))
            }
            #[allow(unused_variables)]
            fn lift_params(lifter: &mut Lifter<'_>, tys: &[Type]) -> Result<Self, Trap> {
                let n = 0 $(+ { let _ = $i; 1 })*;
                if tys.len() != n {
                    return Err(Trap::new(format!("expected {n} parameter(s), found {}", tys.len())));
                }
                Ok(($($t::lift(lifter, &tys[$i])?,)*))
            }
        }
    )*};
}

/// `tuple<A, B, …>` as `(A, B, …)` (one to eight members).
macro_rules! tuple_values {
    ($(($($t:ident $i:tt),*)),* $(,)?) => {$(
        impl<$($t: ComponentValue),*> ComponentValue for ($($t,)*) {
            fn typecheck(ty: &Type) -> Result<(), String> {
                match ty {
                    Type::Tuple(items) => {
                        let items: Vec<&Type> = items.iter().collect();
                        <($($t,)*) as ComponentList>::typecheck_list(&items)
                            .map_err(|e| format!("tuple: {e}"))
                    }
                    other => mismatch("tuple", other),
                }
            }
            fn into_val(self) -> Val {
                Val::Tuple(<($($t,)*) as ComponentList>::into_vals(self))
            }
            fn from_val(val: Val) -> Result<Self, String> {
                match val {
                    Val::Tuple(items) => <($($t,)*) as ComponentList>::from_vals(items),
                    other => Err(wrong("tuple", &other)),
                }
            }
            fn fast_blocks(&self, ty: &Type, enc: StringEncoding, blocks: &mut Vec<Block>) -> bool {
                let Type::Tuple(ts) = ty else { return false };
                let n = 0 $(+ { let _ = $i; 1 })*;
                ts.len() == n $(&& self.$i.fast_blocks(&ts[$i], enc, blocks))*
            }
            fn fast_store(&self, ty: &Type, w: &mut Writer<'_>, ptr: u64) -> Result<(), Trap> {
                let Type::Tuple(ts) = ty else {
                    return Err(Trap::new(format!("expected a tuple type, found {ty}")));
                };
                // Spec `store_record`: each field at its alignment, in order.
                let mut at = ptr;
                $(
                    at = align_to64(at, alignment(&ts[$i]));
                    self.$i.fast_store(&ts[$i], w, at)?;
                    at += u64::from(elem_size(&ts[$i]));
                )*
                let _ = at;
                Ok(())
            }
        }
    )*};
}

/// Tuples of one to eight members are parameter lists and `tuple<…>` values; `()` is only a
/// parameter list (as a value it would be a result-less `ComponentResult` twice over).
macro_rules! nonempty_tuples {
    ($($t:tt),* $(,)?) => {
        tuples! { $($t),* }
        tuple_values! { $($t),* }
    };
}

tuples! { () }

nonempty_tuples! {
    (A 0),
    (A 0, B 1),
    (A 0, B 1, C 2),
    (A 0, B 1, C 2, D 3),
    (A 0, B 1, C 2, D 3, E 4),
    (A 0, B 1, C 2, D 3, E 4, F 5),
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6),
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7),
}

/// A function result: `()` for none, else one [`ComponentValue`].
pub trait ComponentResult: Sized {
    /// Whether `ty` (absent for no result) matches.
    fn typecheck_result(ty: Option<&Type>) -> Result<(), String>;
    /// The result value, if any.
    fn into_result(self) -> Option<Val>;
    /// From the result value.
    fn from_result(val: Option<Val>) -> Result<Self, String>;
    /// The result as a [`ComponentValue`], for typed lowering (`None`: no result).
    #[doc(hidden)]
    fn as_value(&self) -> Option<&dyn FastValue> {
        None
    }
}

/// The typed-lowering half of [`ComponentValue`], object-safe.
#[doc(hidden)]
pub trait FastValue {
    fn fast_blocks(&self, ty: &Type, enc: StringEncoding, blocks: &mut Vec<Block>) -> bool;
    fn fast_store(&self, ty: &Type, w: &mut Writer<'_>, ptr: u64) -> Result<(), Trap>;
    fn fast_flat(&self, ty: &Type, w: &mut Writer<'_>) -> Option<Result<CoreVal, Trap>>;
    /// Whether [`FastValue::fast_flat`] gives the value (one flat core value).
    fn has_fast_flat(&self) -> bool;
}

impl<T: ComponentValue> FastValue for T {
    fn fast_blocks(&self, ty: &Type, enc: StringEncoding, blocks: &mut Vec<Block>) -> bool {
        ComponentValue::fast_blocks(self, ty, enc, blocks)
    }
    fn fast_store(&self, ty: &Type, w: &mut Writer<'_>, ptr: u64) -> Result<(), Trap> {
        ComponentValue::fast_store(self, ty, w, ptr)
    }
    fn fast_flat(&self, ty: &Type, w: &mut Writer<'_>) -> Option<Result<CoreVal, Trap>> {
        ComponentValue::fast_flat(self, ty, w)
    }
    fn has_fast_flat(&self) -> bool {
        ComponentValue::has_fast_flat(self)
    }
}

impl ComponentResult for () {
    fn typecheck_result(ty: Option<&Type>) -> Result<(), String> {
        match ty {
            None => Ok(()),
            Some(t) => Err(format!("expected no result, found {t}")),
        }
    }
    fn into_result(self) -> Option<Val> {
        None
    }
    fn from_result(_: Option<Val>) -> Result<Self, String> {
        Ok(())
    }
}

impl<T: ComponentValue> ComponentResult for T {
    fn typecheck_result(ty: Option<&Type>) -> Result<(), String> {
        match ty {
            Some(t) => T::typecheck(t),
            None => Err("expected a result, found none".into()),
        }
    }
    fn into_result(self) -> Option<Val> {
        Some(self.into_val())
    }
    fn from_result(val: Option<Val>) -> Result<Self, String> {
        match val {
            Some(v) => T::from_val(v),
            None => Err("no result".into()),
        }
    }
    fn as_value(&self) -> Option<&dyn FastValue> {
        Some(self)
    }
}

/// Whether `ty` is the type of a function taking `P` and returning `R`.
pub(crate) fn typecheck_func<P: ComponentList, R: ComponentResult>(
    ty: &FuncType,
) -> Result<(), String> {
    let params: Vec<&Type> = ty.params.iter().map(|(_, t)| t).collect();
    P::typecheck_list(&params).map_err(|e| format!("parameters: {e}"))?;
    R::typecheck_result(ty.result.as_ref()).map_err(|e| format!("result: {e}"))
}
