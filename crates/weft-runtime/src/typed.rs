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

use weft_abi::abi::{Lifter, Trap};
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

fn mismatch(expected: &str, ty: &Type) -> Result<(), String> {
    Err(format!("expected {expected}, found {ty}"))
}

fn wrong(expected: &str, val: &Val) -> String {
    format!("expected a {expected} value, found {val:?}")
}

macro_rules! primitive {
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

primitive!(bool, Bool, Bool, "bool");
primitive!(i8, S8, S8, "s8");
primitive!(u8, U8, U8, "u8", {
    fn lift_list(lifter: &mut Lifter<'_>, list_ty: &Type) -> Result<Vec<u8>, Trap> {
        if !matches!(list_ty, Type::List(e) if **e == Type::U8) {
            return Err(Trap::new(format!("expected list<u8>, found {list_ty}")));
        }
        let ptr = lifter.next_i32()?;
        let length = lifter.next_i32()?;
        Ok(lifter.byte_list(ptr, length)?.to_vec())
    }
});
primitive!(i16, S16, S16, "s16");
primitive!(u16, U16, U16, "u16");
primitive!(i32, S32, S32, "s32");
primitive!(u32, U32, U32, "u32");
primitive!(i64, S64, S64, "s64");
primitive!(u64, U64, U64, "u64");
primitive!(f32, F32, F32, "f32");
primitive!(f64, F64, F64, "f64");
primitive!(char, Char, Char, "char");
primitive!(String, String, String, "string");

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
}

/// One side of a `result`: `()` stands for a missing payload.
pub trait ResultPayload: Sized {
    /// Whether `ty` (absent for a missing payload) matches.
    fn typecheck_payload(ty: Option<&Type>) -> Result<(), String>;
    /// The payload as a value, if any.
    fn into_payload(self) -> Option<Box<Val>>;
    /// The payload from a value.
    fn from_payload(val: Option<Box<Val>>) -> Result<Self, String>;
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
        }
    )*};
}

tuple_values! {
    (A 0),
    (A 0, B 1),
    (A 0, B 1, C 2),
    (A 0, B 1, C 2, D 3),
    (A 0, B 1, C 2, D 3, E 4),
    (A 0, B 1, C 2, D 3, E 4, F 5),
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6),
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7),
}

tuples! {
    (),
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
}

/// Whether `ty` is the type of a function taking `P` and returning `R`.
pub(crate) fn typecheck_func<P: ComponentList, R: ComponentResult>(
    ty: &FuncType,
) -> Result<(), String> {
    let params: Vec<&Type> = ty.params.iter().map(|(_, t)| t).collect();
    P::typecheck_list(&params).map_err(|e| format!("parameters: {e}"))?;
    R::typecheck_result(ty.result.as_ref()).map_err(|e| format!("result: {e}"))
}
