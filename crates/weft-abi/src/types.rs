//! Component value types, as the runtime sees them: every name resolved, every type
//! structural except resources, which are identified by a [`ResourceType`].

use std::fmt;
use std::sync::Arc;

/// A component value type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    Bool,
    S8,
    U8,
    S16,
    U16,
    S32,
    U32,
    S64,
    U64,
    F32,
    F64,
    Char,
    String,
    List(Arc<Type>),
    /// `list<T, N>`.
    FixedList(Arc<Type>, u32),
    /// `map<K, V>`: lowered as `list<tuple<K, V>>`.
    Map(Arc<(Type, Type)>),
    Record(Arc<RecordType>),
    Tuple(Arc<[Type]>),
    Variant(Arc<VariantType>),
    Enum(Arc<EnumType>),
    Option(Arc<Type>),
    Result(Arc<ResultType>),
    Flags(Arc<FlagsType>),
    Own(ResourceType),
    Borrow(ResourceType),
}

/// A record's fields, in order.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RecordType {
    pub fields: Vec<(String, Type)>,
}

/// A variant's cases, in order, each with an optional payload.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct VariantType {
    pub cases: Vec<(String, Option<Type>)>,
}

/// An enum's cases, in order.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EnumType {
    pub cases: Vec<String>,
}

/// `result<ok, err>`; either side may be absent.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ResultType {
    pub ok: Option<Type>,
    pub err: Option<Type>,
}

/// A flags type's names, in order (at most 32 in the component model today; the ABI handles
/// any number).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FlagsType {
    pub names: Vec<String>,
}

/// A resource type: opaque to the ABI, compared for identity. The runtime gives each resource
/// type of each instantiation, and each host resource type, its own.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceType(pub u32);

/// A component function type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FuncType {
    pub params: Vec<(String, Type)>,
    pub result: Option<Type>,
}

impl fmt::Display for Type {
    /// The type as written in WIT, structurally (records, variants, enums and flags are
    /// anonymous at runtime, so they print as their shape).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Bool => f.write_str("bool"),
            Type::S8 => f.write_str("s8"),
            Type::U8 => f.write_str("u8"),
            Type::S16 => f.write_str("s16"),
            Type::U16 => f.write_str("u16"),
            Type::S32 => f.write_str("s32"),
            Type::U32 => f.write_str("u32"),
            Type::S64 => f.write_str("s64"),
            Type::U64 => f.write_str("u64"),
            Type::F32 => f.write_str("f32"),
            Type::F64 => f.write_str("f64"),
            Type::Char => f.write_str("char"),
            Type::String => f.write_str("string"),
            Type::List(t) => write!(f, "list<{t}>"),
            Type::FixedList(t, n) => write!(f, "list<{t}, {n}>"),
            Type::Map(kv) => write!(f, "map<{}, {}>", kv.0, kv.1),
            Type::Record(r) => {
                f.write_str("record { ")?;
                for (i, (name, t)) in r.fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{name}: {t}")?;
                }
                f.write_str(" }")
            }
            Type::Tuple(ts) => {
                f.write_str("tuple<")?;
                for (i, t) in ts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{t}")?;
                }
                f.write_str(">")
            }
            Type::Variant(v) => {
                f.write_str("variant { ")?;
                for (i, (name, t)) in v.cases.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    match t {
                        Some(t) => write!(f, "{name}({t})")?,
                        None => f.write_str(name)?,
                    }
                }
                f.write_str(" }")
            }
            Type::Enum(e) => write!(f, "enum {{ {} }}", e.cases.join(", ")),
            Type::Option(t) => write!(f, "option<{t}>"),
            Type::Result(r) => match (&r.ok, &r.err) {
                (None, None) => f.write_str("result"),
                (Some(ok), None) => write!(f, "result<{ok}>"),
                (None, Some(err)) => write!(f, "result<_, {err}>"),
                (Some(ok), Some(err)) => write!(f, "result<{ok}, {err}>"),
            },
            Type::Flags(fl) => write!(f, "flags {{ {} }}", fl.names.join(", ")),
            Type::Own(r) => write!(f, "own<resource-{}>", r.0),
            Type::Borrow(r) => write!(f, "borrow<resource-{}>", r.0),
        }
    }
}

impl fmt::Display for FuncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("func(")?;
        for (i, (name, t)) in self.params.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{name}: {t}")?;
        }
        f.write_str(")")?;
        if let Some(r) = &self.result {
            write!(f, " -> {r}")?;
        }
        Ok(())
    }
}
