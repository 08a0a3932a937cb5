//! Value checks: does a [`Val`] have a [`Type`]? Callers check host values before lowering,
//! and [`super::allocate`] checks them too, so a wrong value is a clear error naming where it
//! went wrong rather than a malformed lowering.

use crate::{Type, Val};

/// Does `v` have type `t`? The error names the path to the mismatch and what was expected, for
/// example "field `name`: expected string, found u32".
///
/// Records must list their fields in the type's order, variants and enums name one of the
/// type's cases (with a payload exactly when the case has one), flags name only the type's
/// flags (each at most once), fixed-length lists have exactly their length, and resources have
/// the type's resource type (an `own` also needs an owned resource; a `borrow` takes either).
pub fn type_check(v: &Val, t: &Type) -> Result<(), String> {
    check(v, t).map_err(|mut e| {
        e.path.reverse();
        let mut out = String::new();
        for segment in &e.path {
            out.push_str(segment);
            out.push_str(": ");
        }
        out.push_str(&e.message);
        out
    })
}

/// A mismatch: its message and the path to it, innermost segment first.
struct Mismatch {
    path: Vec<String>,
    message: String,
}

impl Mismatch {
    fn new(message: String) -> Mismatch {
        Mismatch {
            path: Vec::new(),
            message,
        }
    }

    fn expected(t: &Type, v: &Val) -> Mismatch {
        Mismatch::new(format!("expected {t}, found {}", describe(v)))
    }

    fn at(mut self, segment: String) -> Mismatch {
        self.path.push(segment);
        self
    }
}

/// A short description of a value's kind, for messages.
pub(super) fn describe(v: &Val) -> String {
    match v {
        Val::Bool(_) => "bool".into(),
        Val::S8(_) => "s8".into(),
        Val::U8(_) => "u8".into(),
        Val::S16(_) => "s16".into(),
        Val::U16(_) => "u16".into(),
        Val::S32(_) => "s32".into(),
        Val::U32(_) => "u32".into(),
        Val::S64(_) => "s64".into(),
        Val::U64(_) => "u64".into(),
        Val::F32(_) => "f32".into(),
        Val::F64(_) => "f64".into(),
        Val::Char(_) => "char".into(),
        Val::String(_) => "string".into(),
        Val::List(items) => format!("list of {} elements", items.len()),
        Val::Map(_) => "map".into(),
        Val::Record(_) => "record".into(),
        Val::Tuple(vs) => format!("tuple of {} elements", vs.len()),
        Val::Variant(name, _) => format!("variant case `{name}`"),
        Val::Enum(name) => format!("enum case `{name}`"),
        Val::Option(_) => "option".into(),
        Val::Result(_) => "result".into(),
        Val::Flags(_) => "flags".into(),
        Val::Resource(r) => {
            let kind = if r.own { "own" } else { "borrow" };
            format!("{kind}<resource-{}>", r.ty.0)
        }
    }
}

fn check(v: &Val, t: &Type) -> Result<(), Mismatch> {
    match (t, v) {
        (Type::Bool, Val::Bool(_))
        | (Type::S8, Val::S8(_))
        | (Type::U8, Val::U8(_))
        | (Type::S16, Val::S16(_))
        | (Type::U16, Val::U16(_))
        | (Type::S32, Val::S32(_))
        | (Type::U32, Val::U32(_))
        | (Type::S64, Val::S64(_))
        | (Type::U64, Val::U64(_))
        | (Type::F32, Val::F32(_))
        | (Type::F64, Val::F64(_))
        | (Type::Char, Val::Char(_))
        | (Type::String, Val::String(_)) => Ok(()),
        (Type::List(e), Val::List(items)) => check_elements(items, e),
        (Type::FixedList(e, n), Val::List(items)) => {
            if items.len() != *n as usize {
                return Err(Mismatch::new(format!(
                    "expected {t} of {n} elements, found {} elements",
                    items.len()
                )));
            }
            check_elements(items, e)
        }
        (Type::Map(kv), Val::Map(entries)) => {
            for (i, (k, v)) in entries.iter().enumerate() {
                check(k, &kv.0).map_err(|e| e.at(format!("key of map entry {i}")))?;
                check(v, &kv.1).map_err(|e| e.at(format!("value of map entry {i}")))?;
            }
            Ok(())
        }
        (Type::Record(r), Val::Record(fields)) => {
            for (i, (name, ft)) in r.fields.iter().enumerate() {
                match fields.get(i) {
                    Some((n, fv)) if n == name => {
                        check(fv, ft).map_err(|e| e.at(format!("field `{name}`")))?;
                    }
                    Some((n, _)) => {
                        return Err(Mismatch::new(format!(
                            "expected field `{name}`, found field `{n}`"
                        )))
                    }
                    None => return Err(Mismatch::new(format!("missing field `{name}`"))),
                }
            }
            match fields.get(r.fields.len()) {
                Some((n, _)) => Err(Mismatch::new(format!("unexpected field `{n}`"))),
                None => Ok(()),
            }
        }
        (Type::Tuple(ts), Val::Tuple(vs)) => {
            if ts.len() != vs.len() {
                return Err(Mismatch::new(format!(
                    "expected {t}, found a tuple of {} elements",
                    vs.len()
                )));
            }
            for (i, (t, v)) in ts.iter().zip(vs).enumerate() {
                check(v, t).map_err(|e| e.at(format!("tuple element {i}")))?;
            }
            Ok(())
        }
        (Type::Variant(vt), Val::Variant(name, payload)) => {
            match vt.cases.iter().find(|(n, _)| n == name) {
                Some((_, pt)) => check_payload(payload.as_deref(), pt.as_ref(), name),
                None => Err(Mismatch::new(format!("unknown case `{name}` of {t}"))),
            }
        }
        (Type::Enum(e), Val::Enum(name)) => match e.cases.contains(name) {
            true => Ok(()),
            false => Err(Mismatch::new(format!("unknown case `{name}` of {t}"))),
        },
        (Type::Option(pt), Val::Option(payload)) => match payload {
            Some(pv) => check(pv, pt).map_err(|e| e.at("some".into())),
            None => Ok(()),
        },
        (Type::Result(r), Val::Result(Ok(payload))) => {
            check_payload(payload.as_deref(), r.ok.as_ref(), "ok")
        }
        (Type::Result(r), Val::Result(Err(payload))) => {
            check_payload(payload.as_deref(), r.err.as_ref(), "err")
        }
        (Type::Flags(f), Val::Flags(set)) => {
            for (i, name) in set.iter().enumerate() {
                if !f.names.contains(name) {
                    return Err(Mismatch::new(format!("unknown flag `{name}` of {t}")));
                }
                if set[..i].contains(name) {
                    return Err(Mismatch::new(format!("flag `{name}` set twice")));
                }
            }
            Ok(())
        }
        (Type::Own(rt), Val::Resource(r)) if r.ty == *rt && r.own => Ok(()),
        (Type::Own(rt), Val::Resource(r)) if r.ty == *rt => Err(Mismatch::new(format!(
            "expected {t}, found a borrowed resource (an owned one cannot be made from it)"
        ))),
        (Type::Borrow(rt), Val::Resource(r)) if r.ty == *rt => Ok(()),
        _ => Err(Mismatch::expected(t, v)),
    }
}

fn check_elements(items: &[Val], e: &Type) -> Result<(), Mismatch> {
    for (i, item) in items.iter().enumerate() {
        check(item, e).map_err(|m| m.at(format!("element {i}")))?;
    }
    Ok(())
}

/// A case's payload against the case's payload type: both present (and matching) or both
/// absent.
fn check_payload(payload: Option<&Val>, t: Option<&Type>, case: &str) -> Result<(), Mismatch> {
    match (payload, t) {
        (Some(pv), Some(pt)) => check(pv, pt).map_err(|e| e.at(format!("case `{case}`"))),
        (None, None) => Ok(()),
        (Some(_), None) => Err(Mismatch::new(format!(
            "case `{case}` has no payload, found one"
        ))),
        (None, Some(pt)) => Err(Mismatch::new(format!(
            "case `{case}` expects a payload of type {pt}, found none"
        ))),
    }
}
