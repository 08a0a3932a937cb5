//! Component values.

use crate::ResourceType;

/// A component value. Records carry their field names and variants, enums and flags their
/// case names, so a value can be printed (as WAVE) without its type.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Bool(bool),
    S8(i8),
    U8(u8),
    S16(i16),
    U16(u16),
    S32(i32),
    U32(u32),
    S64(i64),
    U64(u64),
    F32(f32),
    F64(f64),
    Char(char),
    String(String),
    List(Vec<Val>),
    /// A `map<K, V>`'s entries, in order.
    Map(Vec<(Val, Val)>),
    Record(Vec<(String, Val)>),
    Tuple(Vec<Val>),
    Variant(String, Option<Box<Val>>),
    Enum(String),
    Option(Option<Box<Val>>),
    Result(Result<Option<Box<Val>>, Option<Box<Val>>>),
    /// The names of the flags that are set, in the type's order.
    Flags(Vec<String>),
    Resource(Resource),
}

/// A resource handle as the host holds it: the resource's type, its representation (`rep`),
/// and whether the host owns it or borrows it for the duration of a call.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Resource {
    pub ty: ResourceType,
    pub rep: u32,
    pub own: bool,
}
