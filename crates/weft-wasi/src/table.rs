//! The host's resource table: every stream, pollable, error, descriptor and socket a guest
//! holds a handle to lives here, under the representation (`rep`) the runtime hands back to
//! the host functions.
//!
//! A rep is a slot index and the slot's generation: freeing a slot bumps its generation, so
//! a stale rep (a host bug; guests cannot forge reps, the runtime's handle tables map their
//! handles) never reaches the entry that reused the slot. An entry has one Rust type; asking
//! for another is an error, not a misinterpretation.

use std::any::Any;

/// Bits of a rep that hold the slot index; the rest hold the generation.
const INDEX_BITS: u32 = 24;
const INDEX_MASK: u32 = (1 << INDEX_BITS) - 1;
/// At most this many entries at once (a guest that leaks handles hits it instead of
/// exhausting the host's memory).
pub const MAX_ENTRIES: usize = 1 << INDEX_BITS;

struct Slot {
    generation: u32,
    entry: Option<Box<dyn Any + Send>>,
}

/// Host resources by rep.
#[derive(Default)]
pub struct Table {
    slots: Vec<Slot>,
    free: Vec<u32>,
}

/// Why a rep did not lead to an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableError {
    /// No live entry has this rep.
    NotFound(u32),
    /// The entry is of another type.
    WrongType { rep: u32, expected: &'static str },
    /// The table is full.
    Full,
}

impl std::fmt::Display for TableError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TableError::NotFound(rep) => write!(f, "no host resource has representation {rep}"),
            TableError::WrongType { rep, expected } => {
                write!(f, "host resource {rep} is not a {expected}")
            }
            TableError::Full => write!(f, "too many host resources ({MAX_ENTRIES}) are alive"),
        }
    }
}

impl std::error::Error for TableError {}

impl From<TableError> for String {
    fn from(e: TableError) -> String {
        e.to_string()
    }
}

impl Table {
    /// An empty table.
    pub fn new() -> Table {
        Table::default()
    }

    /// Adds `entry`; returns its rep.
    pub fn push<E: Any + Send>(&mut self, entry: E) -> Result<u32, TableError> {
        let index = match self.free.pop() {
            Some(i) => i,
            None => {
                if self.slots.len() >= MAX_ENTRIES {
                    return Err(TableError::Full);
                }
                self.slots.push(Slot {
                    generation: 0,
                    entry: None,
                });
                (self.slots.len() - 1) as u32
            }
        };
        let slot = &mut self.slots[index as usize];
        slot.entry = Some(Box::new(entry));
        Ok(index | (slot.generation << INDEX_BITS))
    }

    fn slot(&self, rep: u32) -> Result<&Slot, TableError> {
        match self.slots.get((rep & INDEX_MASK) as usize) {
            Some(s) if s.generation == rep >> INDEX_BITS && s.entry.is_some() => Ok(s),
            _ => Err(TableError::NotFound(rep)),
        }
    }

    /// The entry `rep`, which must be an `E`.
    pub fn get<E: Any + Send>(&self, rep: u32) -> Result<&E, TableError> {
        let slot = self.slot(rep)?;
        slot.entry
            .as_ref()
            .and_then(|e| e.downcast_ref())
            .ok_or(TableError::WrongType {
                rep,
                expected: std::any::type_name::<E>(),
            })
    }

    /// The entry `rep`, which must be an `E`, mutably.
    pub fn get_mut<E: Any + Send>(&mut self, rep: u32) -> Result<&mut E, TableError> {
        self.slot(rep)?;
        self.slots[(rep & INDEX_MASK) as usize]
            .entry
            .as_mut()
            .and_then(|e| e.downcast_mut())
            .ok_or(TableError::WrongType {
                rep,
                expected: std::any::type_name::<E>(),
            })
    }

    /// Whether `rep` is a live entry of type `E`.
    pub fn is<E: Any + Send>(&self, rep: u32) -> bool {
        self.get::<E>(rep).is_ok()
    }

    /// Removes entry `rep`, which must be an `E`, and returns it.
    pub fn delete<E: Any + Send>(&mut self, rep: u32) -> Result<E, TableError> {
        self.get::<E>(rep)?;
        let index = rep & INDEX_MASK;
        let slot = &mut self.slots[index as usize];
        let entry = slot.entry.take().expect("checked above");
        slot.generation = (slot.generation + 1) & (u32::MAX >> INDEX_BITS);
        self.free.push(index);
        Ok(*entry.downcast().expect("checked above"))
    }

    /// How many entries are alive.
    pub fn len(&self) -> usize {
        self.slots.len() - self.free.len()
    }

    /// Whether no entry is alive.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_and_mistyped_reps_are_refused() {
        let mut t = Table::new();
        let a = t.push(1u32).unwrap();
        assert_eq!(*t.get::<u32>(a).unwrap(), 1);
        assert!(matches!(
            t.get::<String>(a),
            Err(TableError::WrongType { .. })
        ));
        assert_eq!(t.delete::<u32>(a).unwrap(), 1);
        let b = t.push(String::from("x")).unwrap();
        // The slot is reused under a new generation: the old rep is dead.
        assert_eq!(b & INDEX_MASK, a & INDEX_MASK);
        assert_ne!(a, b);
        assert_eq!(t.get::<u32>(a), Err(TableError::NotFound(a)));
        assert_eq!(t.get::<String>(b).unwrap(), "x");
        assert_eq!(t.len(), 1);
    }
}
