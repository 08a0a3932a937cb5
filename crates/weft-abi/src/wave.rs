//! [WAVE](https://github.com/bytecodealliance/wasm-tools/tree/main/crates/wasm-wave), the
//! WebAssembly Value Encoding, for [`Type`] and [`Val`]: wasm-wave's [`WasmType`] and
//! [`WasmValue`] traits, which its parser and writer are generic over.
//!
//! Two choices where WAVE and weft's types differ:
//! * A fixed-length list `list<T, N>` has kind [`WasmTypeKind::List`]: WAVE writes it like any
//!   list, and wasm-wave's parser only parses lists of that kind. Making the value checks the
//!   length.
//! * Resources have kind [`WasmTypeKind::Unsupported`], as WAVE cannot express handles: parsing
//!   a value of a type containing one is an error, and [`crate::print_val`] prints them in a
//!   form of its own.
//!
//! The `unwrap_*` methods, which wasm-wave only calls on values of the matching kind, return a
//! default rather than panic on any other value.

use std::borrow::Cow;

use wasm_wave::wasm::{WasmType, WasmTypeKind, WasmValue, WasmValueError};

use crate::{Type, Val};

impl WasmType for Type {
    fn kind(&self) -> WasmTypeKind {
        match self {
            Type::Bool => WasmTypeKind::Bool,
            Type::S8 => WasmTypeKind::S8,
            Type::U8 => WasmTypeKind::U8,
            Type::S16 => WasmTypeKind::S16,
            Type::U16 => WasmTypeKind::U16,
            Type::S32 => WasmTypeKind::S32,
            Type::U32 => WasmTypeKind::U32,
            Type::S64 => WasmTypeKind::S64,
            Type::U64 => WasmTypeKind::U64,
            Type::F32 => WasmTypeKind::F32,
            Type::F64 => WasmTypeKind::F64,
            Type::Char => WasmTypeKind::Char,
            Type::String => WasmTypeKind::String,
            Type::List(_) | Type::FixedList(..) => WasmTypeKind::List,
            Type::Map(_) => WasmTypeKind::Map,
            Type::Record(_) => WasmTypeKind::Record,
            Type::Tuple(_) => WasmTypeKind::Tuple,
            Type::Variant(_) => WasmTypeKind::Variant,
            Type::Enum(_) => WasmTypeKind::Enum,
            Type::Option(_) => WasmTypeKind::Option,
            Type::Result(_) => WasmTypeKind::Result,
            Type::Flags(_) => WasmTypeKind::Flags,
            Type::Own(_) | Type::Borrow(_) => WasmTypeKind::Unsupported,
        }
    }

    fn list_element_type(&self) -> Option<Self> {
        match self {
            Type::List(t) | Type::FixedList(t, _) => Some(Type::clone(t)),
            _ => None,
        }
    }

    fn record_fields(&self) -> Box<dyn Iterator<Item = (Cow<'_, str>, Self)> + '_> {
        match self {
            Type::Record(r) => Box::new(
                r.fields
                    .iter()
                    .map(|(n, t)| (Cow::Borrowed(n.as_str()), t.clone())),
            ),
            _ => Box::new(std::iter::empty()),
        }
    }

    fn tuple_element_types(&self) -> Box<dyn Iterator<Item = Self> + '_> {
        match self {
            Type::Tuple(ts) => Box::new(ts.iter().cloned()),
            _ => Box::new(std::iter::empty()),
        }
    }

    fn variant_cases(&self) -> Box<dyn Iterator<Item = (Cow<'_, str>, Option<Self>)> + '_> {
        match self {
            Type::Variant(v) => Box::new(
                v.cases
                    .iter()
                    .map(|(n, t)| (Cow::Borrowed(n.as_str()), t.clone())),
            ),
            _ => Box::new(std::iter::empty()),
        }
    }

    fn enum_cases(&self) -> Box<dyn Iterator<Item = Cow<'_, str>> + '_> {
        match self {
            Type::Enum(e) => Box::new(e.cases.iter().map(|n| Cow::Borrowed(n.as_str()))),
            _ => Box::new(std::iter::empty()),
        }
    }

    fn option_some_type(&self) -> Option<Self> {
        match self {
            Type::Option(t) => Some(Type::clone(t)),
            _ => None,
        }
    }

    fn result_types(&self) -> Option<(Option<Self>, Option<Self>)> {
        match self {
            Type::Result(r) => Some((r.ok.clone(), r.err.clone())),
            _ => None,
        }
    }

    fn flags_names(&self) -> Box<dyn Iterator<Item = Cow<'_, str>> + '_> {
        match self {
            Type::Flags(f) => Box::new(f.names.iter().map(|n| Cow::Borrowed(n.as_str()))),
            _ => Box::new(std::iter::empty()),
        }
    }

    fn map_key_value_types(&self) -> Option<(Self, Self)> {
        match self {
            Type::Map(kv) => Some((kv.0.clone(), kv.1.clone())),
            _ => None,
        }
    }
}

fn wrong_kind(ty: &Type, kind: WasmTypeKind) -> WasmValueError {
    WasmValueError::WrongTypeKind {
        kind,
        ty: ty.to_string(),
    }
}

impl WasmValue for Val {
    type Type = Type;

    fn kind(&self) -> WasmTypeKind {
        match self {
            Val::Bool(_) => WasmTypeKind::Bool,
            Val::S8(_) => WasmTypeKind::S8,
            Val::U8(_) => WasmTypeKind::U8,
            Val::S16(_) => WasmTypeKind::S16,
            Val::U16(_) => WasmTypeKind::U16,
            Val::S32(_) => WasmTypeKind::S32,
            Val::U32(_) => WasmTypeKind::U32,
            Val::S64(_) => WasmTypeKind::S64,
            Val::U64(_) => WasmTypeKind::U64,
            Val::F32(_) => WasmTypeKind::F32,
            Val::F64(_) => WasmTypeKind::F64,
            Val::Char(_) => WasmTypeKind::Char,
            Val::String(_) => WasmTypeKind::String,
            Val::List(_) => WasmTypeKind::List,
            Val::Map(_) => WasmTypeKind::Map,
            Val::Record(_) => WasmTypeKind::Record,
            Val::Tuple(_) => WasmTypeKind::Tuple,
            Val::Variant(..) => WasmTypeKind::Variant,
            Val::Enum(_) => WasmTypeKind::Enum,
            Val::Option(_) => WasmTypeKind::Option,
            Val::Result(_) => WasmTypeKind::Result,
            Val::Flags(_) => WasmTypeKind::Flags,
            Val::Resource(_) => WasmTypeKind::Unsupported,
        }
    }

    fn make_bool(val: bool) -> Self {
        Val::Bool(val)
    }

    fn make_s8(val: i8) -> Self {
        Val::S8(val)
    }

    fn make_s16(val: i16) -> Self {
        Val::S16(val)
    }

    fn make_s32(val: i32) -> Self {
        Val::S32(val)
    }

    fn make_s64(val: i64) -> Self {
        Val::S64(val)
    }

    fn make_u8(val: u8) -> Self {
        Val::U8(val)
    }

    fn make_u16(val: u16) -> Self {
        Val::U16(val)
    }

    fn make_u32(val: u32) -> Self {
        Val::U32(val)
    }

    fn make_u64(val: u64) -> Self {
        Val::U64(val)
    }

    fn make_f32(val: f32) -> Self {
        Val::F32(val)
    }

    fn make_f64(val: f64) -> Self {
        Val::F64(val)
    }

    fn make_char(val: char) -> Self {
        Val::Char(val)
    }

    fn make_string(val: Cow<'_, str>) -> Self {
        Val::String(val.into_owned())
    }

    fn make_list(
        ty: &Self::Type,
        vals: impl IntoIterator<Item = Self>,
    ) -> Result<Self, WasmValueError> {
        let vals: Vec<Val> = vals.into_iter().collect();
        match ty {
            Type::List(_) => Ok(Val::List(vals)),
            Type::FixedList(_, n) if vals.len() == *n as usize => Ok(Val::List(vals)),
            Type::FixedList(_, n) => Err(WasmValueError::Other(format!(
                "expected {n} list elements; got {}",
                vals.len()
            ))),
            _ => Err(wrong_kind(ty, WasmTypeKind::List)),
        }
    }

    fn make_record<'a>(
        ty: &Self::Type,
        fields: impl IntoIterator<Item = (&'a str, Self)>,
    ) -> Result<Self, WasmValueError> {
        let Type::Record(r) = ty else {
            return Err(wrong_kind(ty, WasmTypeKind::Record));
        };
        let mut given: Vec<(&str, Option<Val>)> =
            fields.into_iter().map(|(n, v)| (n, Some(v))).collect();
        let mut out = Vec::with_capacity(r.fields.len());
        for (name, _) in &r.fields {
            let value = given
                .iter_mut()
                .find(|(n, _)| n == name)
                .and_then(|(_, v)| v.take());
            match value {
                Some(v) => out.push((name.clone(), v)),
                None => return Err(WasmValueError::MissingField(name.clone())),
            }
        }
        match given.iter().find(|(_, v)| v.is_some()) {
            Some((n, _)) => Err(WasmValueError::UnknownField(n.to_string())),
            None => Ok(Val::Record(out)),
        }
    }

    fn make_tuple(
        ty: &Self::Type,
        vals: impl IntoIterator<Item = Self>,
    ) -> Result<Self, WasmValueError> {
        let Type::Tuple(ts) = ty else {
            return Err(wrong_kind(ty, WasmTypeKind::Tuple));
        };
        let vals: Vec<Val> = vals.into_iter().collect();
        match vals.len() == ts.len() {
            true => Ok(Val::Tuple(vals)),
            false => Err(WasmValueError::WrongNumberOfTupleValues {
                want: ts.len(),
                got: vals.len(),
            }),
        }
    }

    fn make_variant(
        ty: &Self::Type,
        case: &str,
        val: Option<Self>,
    ) -> Result<Self, WasmValueError> {
        let Type::Variant(v) = ty else {
            return Err(wrong_kind(ty, WasmTypeKind::Variant));
        };
        match v.cases.iter().find(|(n, _)| n == case) {
            None => Err(WasmValueError::UnknownCase(case.to_string())),
            Some((_, Some(_))) if val.is_none() => {
                Err(WasmValueError::MissingPayload(case.to_string()))
            }
            Some((_, None)) if val.is_some() => {
                Err(WasmValueError::UnexpectedPayload(case.to_string()))
            }
            Some((name, _)) => Ok(Val::Variant(name.clone(), val.map(Box::new))),
        }
    }

    fn make_enum(ty: &Self::Type, case: &str) -> Result<Self, WasmValueError> {
        let Type::Enum(e) = ty else {
            return Err(wrong_kind(ty, WasmTypeKind::Enum));
        };
        match e.cases.iter().any(|n| n == case) {
            true => Ok(Val::Enum(case.to_string())),
            false => Err(WasmValueError::UnknownCase(case.to_string())),
        }
    }

    fn make_option(ty: &Self::Type, val: Option<Self>) -> Result<Self, WasmValueError> {
        match ty {
            Type::Option(_) => Ok(Val::Option(val.map(Box::new))),
            _ => Err(wrong_kind(ty, WasmTypeKind::Option)),
        }
    }

    fn make_result(
        ty: &Self::Type,
        val: Result<Option<Self>, Option<Self>>,
    ) -> Result<Self, WasmValueError> {
        let Type::Result(r) = ty else {
            return Err(wrong_kind(ty, WasmTypeKind::Result));
        };
        let (case, payload, expected) = match &val {
            Ok(p) => ("ok", p, &r.ok),
            Err(p) => ("err", p, &r.err),
        };
        match (payload, expected) {
            (None, Some(_)) => Err(WasmValueError::MissingPayload(case.into())),
            (Some(_), None) => Err(WasmValueError::UnexpectedPayload(case.into())),
            _ => Ok(Val::Result(
                val.map(|p| p.map(Box::new)).map_err(|p| p.map(Box::new)),
            )),
        }
    }

    fn make_flags<'a>(
        ty: &Self::Type,
        names: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, WasmValueError> {
        let Type::Flags(f) = ty else {
            return Err(wrong_kind(ty, WasmTypeKind::Flags));
        };
        let mut set = vec![false; f.names.len()];
        for name in names {
            match f.names.iter().position(|n| n == name) {
                Some(i) => set[i] = true,
                None => return Err(WasmValueError::UnknownCase(name.to_string())),
            }
        }
        let names = f
            .names
            .iter()
            .zip(set)
            .filter(|(_, s)| *s)
            .map(|(n, _)| n.clone());
        Ok(Val::Flags(names.collect()))
    }

    fn make_map(
        ty: &Self::Type,
        entries: impl IntoIterator<Item = (Self, Self)>,
    ) -> Result<Self, WasmValueError> {
        match ty {
            Type::Map(_) => Ok(Val::Map(entries.into_iter().collect())),
            _ => Err(wrong_kind(ty, WasmTypeKind::Map)),
        }
    }

    fn unwrap_bool(&self) -> bool {
        matches!(self, Val::Bool(true))
    }

    fn unwrap_s8(&self) -> i8 {
        match self {
            Val::S8(x) => *x,
            _ => 0,
        }
    }

    fn unwrap_s16(&self) -> i16 {
        match self {
            Val::S16(x) => *x,
            _ => 0,
        }
    }

    fn unwrap_s32(&self) -> i32 {
        match self {
            Val::S32(x) => *x,
            _ => 0,
        }
    }

    fn unwrap_s64(&self) -> i64 {
        match self {
            Val::S64(x) => *x,
            _ => 0,
        }
    }

    fn unwrap_u8(&self) -> u8 {
        match self {
            Val::U8(x) => *x,
            _ => 0,
        }
    }

    fn unwrap_u16(&self) -> u16 {
        match self {
            Val::U16(x) => *x,
            _ => 0,
        }
    }

    fn unwrap_u32(&self) -> u32 {
        match self {
            Val::U32(x) => *x,
            _ => 0,
        }
    }

    fn unwrap_u64(&self) -> u64 {
        match self {
            Val::U64(x) => *x,
            _ => 0,
        }
    }

    fn unwrap_f32(&self) -> f32 {
        match self {
            Val::F32(x) => *x,
            _ => 0.0,
        }
    }

    fn unwrap_f64(&self) -> f64 {
        match self {
            Val::F64(x) => *x,
            _ => 0.0,
        }
    }

    fn unwrap_char(&self) -> char {
        match self {
            Val::Char(c) => *c,
            _ => '\0',
        }
    }

    fn unwrap_string(&self) -> Cow<'_, str> {
        match self {
            Val::String(s) => Cow::Borrowed(s),
            _ => Cow::Borrowed(""),
        }
    }

    fn unwrap_list(&self) -> Box<dyn Iterator<Item = Cow<'_, Self>> + '_> {
        match self {
            Val::List(items) => Box::new(items.iter().map(Cow::Borrowed)),
            _ => Box::new(std::iter::empty()),
        }
    }

    fn unwrap_record(&self) -> Box<dyn Iterator<Item = (Cow<'_, str>, Cow<'_, Self>)> + '_> {
        match self {
            Val::Record(fields) => Box::new(
                fields
                    .iter()
                    .map(|(n, v)| (Cow::Borrowed(n.as_str()), Cow::Borrowed(v))),
            ),
            _ => Box::new(std::iter::empty()),
        }
    }

    fn unwrap_tuple(&self) -> Box<dyn Iterator<Item = Cow<'_, Self>> + '_> {
        match self {
            Val::Tuple(vs) => Box::new(vs.iter().map(Cow::Borrowed)),
            _ => Box::new(std::iter::empty()),
        }
    }

    fn unwrap_variant(&self) -> (Cow<'_, str>, Option<Cow<'_, Self>>) {
        match self {
            Val::Variant(name, payload) => (
                Cow::Borrowed(name.as_str()),
                payload.as_deref().map(Cow::Borrowed),
            ),
            _ => (Cow::Borrowed(""), None),
        }
    }

    fn unwrap_enum(&self) -> Cow<'_, str> {
        match self {
            Val::Enum(name) => Cow::Borrowed(name),
            _ => Cow::Borrowed(""),
        }
    }

    fn unwrap_option(&self) -> Option<Cow<'_, Self>> {
        match self {
            Val::Option(payload) => payload.as_deref().map(Cow::Borrowed),
            _ => None,
        }
    }

    fn unwrap_result(&self) -> Result<Option<Cow<'_, Self>>, Option<Cow<'_, Self>>> {
        match self {
            Val::Result(Ok(p)) => Ok(p.as_deref().map(Cow::Borrowed)),
            Val::Result(Err(p)) => Err(p.as_deref().map(Cow::Borrowed)),
            _ => Ok(None),
        }
    }

    fn unwrap_flags(&self) -> Box<dyn Iterator<Item = Cow<'_, str>> + '_> {
        match self {
            Val::Flags(names) => Box::new(names.iter().map(|n| Cow::Borrowed(n.as_str()))),
            _ => Box::new(std::iter::empty()),
        }
    }

    fn unwrap_map(&self) -> Box<dyn Iterator<Item = (Cow<'_, Self>, Cow<'_, Self>)> + '_> {
        match self {
            Val::Map(entries) => Box::new(
                entries
                    .iter()
                    .map(|(k, v)| (Cow::Borrowed(k), Cow::Borrowed(v))),
            ),
            _ => Box::new(std::iter::empty()),
        }
    }
}

/// Parses the WAVE text of a value of type `ty`.
pub(crate) fn parse_val(ty: &Type, text: &str) -> Result<Val, String> {
    wasm_wave::from_str::<Val>(ty, text).map_err(|e| e.to_string())
}

/// The WAVE text of `v`. Resources, which WAVE cannot express, print as
/// `own<resource-T>#REP` or `borrow<resource-T>#REP` (T the resource type's number, REP the
/// representation), which is not valid WAVE, on purpose.
pub(crate) fn print_val(v: &Val) -> String {
    let printable = without_resources(v);
    let v = printable.as_ref().unwrap_or(v);
    wasm_wave::to_string(v).unwrap_or_else(|_| format!("{v:?}"))
}

/// `v` with each resource replaced by an enum case naming it (the writer prints a case name as
/// it is), or `None` if `v` has no resources.
fn without_resources(v: &Val) -> Option<Val> {
    fn map_all(vs: &[Val]) -> Option<Vec<Val>> {
        match vs.iter().any(|v| without_resources(v).is_some()) {
            true => Some(
                vs.iter()
                    .map(|v| without_resources(v).unwrap_or_else(|| v.clone()))
                    .collect(),
            ),
            false => None,
        }
    }
    fn boxed(p: &Option<Box<Val>>) -> Option<Option<Box<Val>>> {
        p.as_deref()
            .and_then(without_resources)
            .map(|v| Some(Box::new(v)))
    }
    match v {
        Val::Resource(r) => {
            let kind = if r.own { "own" } else { "borrow" };
            Some(Val::Enum(format!("{kind}<resource-{}>#{}", r.ty.0, r.rep)))
        }
        Val::List(items) => map_all(items).map(Val::List),
        Val::Tuple(items) => map_all(items).map(Val::Tuple),
        Val::Record(fields) => {
            let vals: Vec<Val> = fields.iter().map(|(_, v)| v.clone()).collect();
            let vals = map_all(&vals)?;
            Some(Val::Record(
                fields.iter().map(|(n, _)| n.clone()).zip(vals).collect(),
            ))
        }
        Val::Map(entries) => {
            let flat: Vec<Val> = entries
                .iter()
                .flat_map(|(k, v)| [k.clone(), v.clone()])
                .collect();
            let flat = map_all(&flat)?;
            let mut it = flat.into_iter();
            let mut out = Vec::with_capacity(entries.len());
            while let (Some(k), Some(v)) = (it.next(), it.next()) {
                out.push((k, v));
            }
            Some(Val::Map(out))
        }
        Val::Variant(name, p) => boxed(p).map(|p| Val::Variant(name.clone(), p)),
        Val::Option(p) => boxed(p).map(Val::Option),
        Val::Result(Ok(p)) => boxed(p).map(|p| Val::Result(Ok(p))),
        Val::Result(Err(p)) => boxed(p).map(|p| Val::Result(Err(p))),
        _ => None,
    }
}
