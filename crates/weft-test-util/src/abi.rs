//! A guest for testing the canonical ABI (`weft_abi::abi`) on plain vectors: its linear memory
//! with a bump allocator as `realloc` ([`GuestMemory`]) and a resource handle table
//! ([`HandleTable`]). weft-abi's integration tests and the `abi` fuzz target both use them.

use std::future::Future;

use weft_abi::abi::{Handles, MemoryRealloc, Realloc};
use weft_abi::{Resource, ResourceType, Trap};

/// A wasm page: a growable [`GuestMemory`] grows by whole pages.
pub const PAGE: usize = 1 << 16;

/// Guest memory with a bump allocator as its `realloc`, recording every call.
pub struct GuestMemory {
    /// The memory's contents.
    pub mem: Vec<u8>,
    /// Where the next block may start (the allocator aligns it up).
    pub next: u32,
    /// Every `realloc(old_ptr, old_size, align, new_size)` call, in order.
    pub calls: Vec<(u32, u32, u32, u32)>,
    /// Every result, in order.
    pub results: Vec<u32>,
    /// Whether every `realloc` of an existing block moves it (and scribbles on the old one),
    /// rather than shrinking in place.
    pub moving: bool,
    /// A pointer every call returns instead of allocating (to test the result checks).
    pub fixed_result: Option<u32>,
    /// How far the memory may grow, by whole [`PAGE`]s, when a block does not fit; with `None`
    /// it keeps its size and a block that does not fit traps.
    pub grow_up_to: Option<usize>,
}

impl GuestMemory {
    /// `size` bytes of zeros, a `realloc` that shrinks in place, the first block at 16.
    pub fn new(size: usize) -> GuestMemory {
        GuestMemory {
            mem: vec![0; size],
            next: 16,
            calls: Vec::new(),
            results: Vec::new(),
            moving: false,
            fixed_result: None,
            grow_up_to: None,
        }
    }

    /// [`GuestMemory::new`] with a `realloc` that moves every block.
    pub fn moving(size: usize) -> GuestMemory {
        GuestMemory {
            moving: true,
            ..GuestMemory::new(size)
        }
    }

    /// The bump allocator: shrinks in place unless `moving`, otherwise moves the block to fresh
    /// memory (growing the memory if it may) and fills the old one with garbage.
    fn bump(
        &mut self,
        old_ptr: u32,
        old_size: u32,
        align: u32,
        new_size: u32,
    ) -> Result<u32, Trap> {
        if let Some(p) = self.fixed_result {
            return Ok(p);
        }
        if old_ptr != 0 && new_size <= old_size && !self.moving {
            return Ok(old_ptr);
        }
        let ptr = self.next.next_multiple_of(align.max(1));
        let end = ptr as usize + new_size as usize;
        if end > self.grow_up_to.unwrap_or(self.mem.len()) {
            return Err(Trap::new("the guest's memory is exhausted"));
        }
        if end > self.mem.len() {
            self.mem.resize(end.next_multiple_of(PAGE), 0);
        }
        if old_ptr != 0 {
            let (old, n) = (old_ptr as usize, old_size.min(new_size) as usize);
            self.mem.copy_within(old..old + n, ptr as usize);
            // A freed block's contents are garbage.
            self.mem[old..old + old_size as usize].fill(0xaa);
        }
        self.next = end as u32;
        Ok(ptr)
    }
}

impl Realloc for GuestMemory {
    fn realloc(
        &mut self,
        old_ptr: u32,
        old_size: u32,
        align: u32,
        new_size: u32,
    ) -> impl Future<Output = Result<u32, Trap>> + Send {
        self.calls.push((old_ptr, old_size, align, new_size));
        let r = self.bump(old_ptr, old_size, align, new_size);
        if let Ok(p) = r {
            self.results.push(p);
        }
        std::future::ready(r)
    }

    fn memory_len(&self) -> usize {
        self.mem.len()
    }
}

impl MemoryRealloc for GuestMemory {
    fn memory_mut(&mut self) -> &mut [u8] {
        &mut self.mem
    }
}

/// A resource handle table like a component instance's: index 0 is reserved.
#[derive(Default)]
pub struct HandleTable {
    /// The handles; a lifted `own` leaves its slot empty.
    pub slots: Vec<Option<Resource>>,
}

impl HandleTable {
    /// Adds `r` to the table, returning its handle.
    pub fn add(&mut self, r: Resource) -> u32 {
        if self.slots.is_empty() {
            self.slots.push(None);
        }
        self.slots.push(Some(r));
        (self.slots.len() - 1) as u32
    }

    fn get(&self, h: u32) -> Result<Resource, Trap> {
        match self.slots.get(h as usize) {
            Some(Some(r)) if h != 0 => Ok(*r),
            _ => Err(Trap::new(format!("unknown handle index {h}"))),
        }
    }
}

impl Handles for HandleTable {
    fn lift_own(&mut self, rt: ResourceType, h: u32) -> Result<Resource, Trap> {
        let r = self.get(h)?;
        if r.ty != rt || !r.own {
            return Err(Trap::new(format!(
                "handle index {h} used with the wrong type"
            )));
        }
        self.slots[h as usize] = None;
        Ok(r)
    }

    fn lift_borrow(&mut self, rt: ResourceType, h: u32) -> Result<Resource, Trap> {
        let r = self.get(h)?;
        if r.ty != rt {
            return Err(Trap::new(format!(
                "handle index {h} used with the wrong type"
            )));
        }
        Ok(Resource { own: false, ..r })
    }

    fn lower_own(&mut self, r: Resource) -> Result<u32, Trap> {
        Ok(self.add(r))
    }

    fn lower_borrow(&mut self, r: Resource) -> Result<u32, Trap> {
        Ok(self.add(Resource { own: false, ..r }))
    }
}
