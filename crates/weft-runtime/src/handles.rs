//! Resource handle tables: one per component instance of a plan, with the spec's rules for
//! own and borrow handles, lends and borrow scopes.

use std::collections::HashMap;

use weft_abi::abi::{Handles, Trap};
use weft_abi::{Resource, ResourceType};

/// Ends the lends of own handles `lent` lent for a call.
pub(crate) fn end_lends(table: &mut HandleTable, lent: &[u32]) {
    for &h in lent {
        if let Some(Some(handle)) = table.slots.get_mut(h as usize) {
            handle.lends = handle.lends.saturating_sub(1);
        }
    }
}

/// One slot of a handle table.
#[derive(Clone, Debug)]
pub(crate) struct Handle {
    pub(crate) rep: u32,
    pub(crate) ty: ResourceType,
    pub(crate) own: bool,
    /// Borrows of this (own) handle lent out and not yet ended.
    pub(crate) lends: u32,
    /// For a borrow handle lowered into a call, the call's id (0 otherwise): the callee must
    /// drop it before it returns.
    pub(crate) scope: u64,
}

/// A component instance's resource handles. Index 0 is never used, as in the spec.
#[derive(Default)]
pub(crate) struct HandleTable {
    pub(crate) slots: Vec<Option<Handle>>,
    pub(crate) free: Vec<u32>,
}

impl HandleTable {
    pub(crate) fn add(&mut self, h: Handle) -> Result<u32, Trap> {
        if let Some(i) = self.free.pop() {
            self.slots[i as usize] = Some(h);
            return Ok(i);
        }
        if self.slots.is_empty() {
            self.slots.push(None);
        }
        if self.slots.len() >= (1 << 28) {
            return Err(Trap::new("too many resource handles"));
        }
        self.slots.push(Some(h));
        Ok(self.slots.len() as u32 - 1)
    }

    pub(crate) fn get(&self, i: u32) -> Result<&Handle, Trap> {
        self.slots
            .get(i as usize)
            .and_then(Option::as_ref)
            .ok_or_else(|| Trap::new(format!("unknown handle index {i}")))
    }

    pub(crate) fn remove(&mut self, i: u32) -> Result<Handle, Trap> {
        let h = self
            .slots
            .get_mut(i as usize)
            .and_then(Option::take)
            .ok_or_else(|| Trap::new(format!("unknown handle index {i}")))?;
        self.free.push(i);
        Ok(h)
    }
}

/// The handle table of one component instance, as the ABI sees it.
pub(crate) struct TableView<'a> {
    pub(crate) table: &'a mut HandleTable,
    /// The component instance the table belongs to.
    pub(crate) instance: u32,
    /// The component instance implementing each resource type, by runtime type.
    pub(crate) implementers: &'a HashMap<ResourceType, u32>,
    /// Own handles lent out as borrows while lifting a call's arguments: their lends end
    /// when the call returns.
    pub(crate) lent: Vec<u32>,
    /// The call borrow handles lowered now belong to (0: none).
    pub(crate) scope: u64,
    /// How many borrow handles were lowered for `scope`.
    pub(crate) borrows: u32,
}

impl<'a> TableView<'a> {
    pub(crate) fn new(
        table: &'a mut HandleTable,
        instance: u32,
        implementers: &'a HashMap<ResourceType, u32>,
    ) -> Self {
        TableView {
            table,
            instance,
            implementers,
            lent: Vec::new(),
            scope: 0,
            borrows: 0,
        }
    }
}

pub(crate) const WRONG_TYPE: &str =
    "used with the wrong type, expected guest-defined resource but found a different guest-defined resource";

impl Handles for TableView<'_> {
    fn lift_own(&mut self, rt: ResourceType, h: u32) -> Result<Resource, Trap> {
        let handle = self.table.get(h)?;
        if handle.ty != rt {
            return Err(Trap::new(format!("handle index {h} {WRONG_TYPE}")));
        }
        if !handle.own {
            return Err(Trap::new(format!(
                "cannot lift own resource from a borrow (handle {h})"
            )));
        }
        if handle.lends != 0 {
            return Err(Trap::new(format!(
                "cannot remove owned resource while borrowed (handle {h})"
            )));
        }
        let handle = self.table.remove(h)?;
        Ok(Resource {
            ty: rt,
            rep: handle.rep,
            own: true,
        })
    }

    fn lift_borrow(&mut self, rt: ResourceType, h: u32) -> Result<Resource, Trap> {
        let handle = self.table.get(h)?;
        if handle.ty != rt {
            return Err(Trap::new(format!("handle index {h} {WRONG_TYPE}")));
        }
        let rep = handle.rep;
        if handle.own {
            // Lent for the call: the owner may not drop or pass it on until the call ends.
            if let Some(Some(handle)) = self.table.slots.get_mut(h as usize) {
                handle.lends += 1;
            }
            self.lent.push(h);
        }
        Ok(Resource {
            ty: rt,
            rep,
            own: false,
        })
    }

    fn lower_own(&mut self, r: Resource) -> Result<u32, Trap> {
        self.table.add(Handle {
            rep: r.rep,
            ty: r.ty,
            own: true,
            lends: 0,
            scope: 0,
        })
    }

    fn lower_borrow(&mut self, r: Resource) -> Result<u32, Trap> {
        // A component receives a borrow of its own resource as the representation itself.
        if self.implementers.get(&r.ty) == Some(&self.instance) {
            return Ok(r.rep);
        }
        self.borrows += 1;
        self.table.add(Handle {
            rep: r.rep,
            ty: r.ty,
            own: false,
            lends: 0,
            scope: self.scope,
        })
    }
}
