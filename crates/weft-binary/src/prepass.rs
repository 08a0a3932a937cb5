//! Limits checked on the bytes before wasmparser 0.254 reads them, which it does not enforce
//! itself and which wasmparser 0.262 (wasm-tools 1.262) does:
//!
//! * **Type nesting.** wasmparser 0.254 reads a component or instance type declared inside
//!   another one by recursion, with no limit, so a type section of 10,000 nested
//!   `(instance (type (instance …)))` overflows the stack, and one of a few hundred trips an
//!   assertion of its validator. [`component_type_section`] walks a component type section
//!   with an explicit stack, without recursion, and rejects a component or instance type
//!   nested more than [`MAX_TYPE_DEPTH`] deep (wasmparser 0.262's
//!   `MAX_WASM_COMPONENT_TYPE_DEPTH`, with its message and offset).
//! * **Binaries per binary.** At most [`MAX_BINARIES`] modules and components, nested ones
//!   and the outermost included (wasmparser 0.262's `MAX_WASM_MODULES_AND_COMPONENTS`).
//!
//! [`crate::payloads`] applies both to every payload it gives, so every reader in weft
//! (validation, `decode_unvalidated`, `component_types`, the runtime's translation) sees only
//! sections wasmparser's recursive readers can read.
//!
//! The walk costs one scan of a type section's bytes: a section with at most
//! [`MAX_TYPE_DEPTH`] bytes `0x41` or `0x42` (which every component or instance type starts
//! with) cannot nest too deep and is not walked; a larger one is read once, without allocating
//! (a core module type, rare in a component type, is read by wasmparser's reader).
//! Only nesting is checked: at anything malformed the walk stops and leaves the error to
//! wasmparser, which reads the same bytes the same way up to that point.

use wasmparser::{
    BinaryReader, BinaryReaderError, ComponentAlias, ComponentExternName, ComponentImport,
    ComponentType, ComponentTypeRef, ComponentValType, CoreType, VariantCase,
};

use crate::{Error, Result};

/// How deep component and instance types may nest: the outermost is at depth 0, and one at
/// depth `MAX_TYPE_DEPTH` is an error (wasmparser 0.262's `MAX_WASM_COMPONENT_TYPE_DEPTH`).
pub(crate) const MAX_TYPE_DEPTH: usize = 100;

/// How many modules and components one binary may hold, itself and the nested ones at every
/// level included (wasmparser 0.262's `MAX_WASM_MODULES_AND_COMPONENTS`).
pub(crate) const MAX_BINARIES: usize = 1000;

/// The error for the `count`th binary (1-based) whose header is at `offset`, if over the
/// limit.
pub(crate) fn binary_count(count: usize, offset: usize) -> Result<()> {
    if count <= MAX_BINARIES {
        return Ok(());
    }
    Err(Error::at(
        offset,
        format!("modules and components count exceeds limit of {MAX_BINARIES}"),
    )
    .with_help(format!(
        "a binary holds at most {MAX_BINARIES} core modules and components, nested ones included, \
         as in wasm-tools"
    )))
}

/// Checks that no component or instance type of the component type section `section` (its
/// contents after the section header, the item count first, at byte `offset` of the binary)
/// nests deeper than [`MAX_TYPE_DEPTH`].
pub(crate) fn component_type_section(section: &[u8], offset: usize) -> Result<()> {
    let openings: usize = section
        .iter()
        .map(|&b| usize::from(b.wrapping_sub(0x41) < 2))
        .sum();
    if openings <= MAX_TYPE_DEPTH {
        return Ok(());
    }
    match walk(&mut BinaryReader::new(section, offset)) {
        Err(Stop::TooDeep(at)) => Err(Error::at(at, "component type nesting is too deep")
            .with_help(format!(
                "component and instance types nest at most {MAX_TYPE_DEPTH} deep (as in wasm-tools)"
            ))),
        Ok(()) | Err(Stop::Malformed) => Ok(()),
    }
}

/// Why [`walk`] stopped early.
#[derive(Debug)]
enum Stop {
    /// A component or instance type at this offset (after its `0x41`/`0x42`) is too deep.
    TooDeep(usize),
    /// Something malformed, for wasmparser to report.
    Malformed,
}

impl From<BinaryReaderError> for Stop {
    fn from(_: BinaryReaderError) -> Stop {
        Stop::Malformed
    }
}

/// Reads the type section in `r` to its last item, component and instance types on an
/// explicit stack: one entry per type being read, whether it is a component type (which may
/// hold imports) and how many of its declarations are left.
fn walk(r: &mut BinaryReader<'_>) -> Result<(), Stop> {
    let mut open = [(false, 0u32); MAX_TYPE_DEPTH];
    let mut depth = 0;
    for _ in 0..r.read_var_u32()? {
        ty(r, &mut open, &mut depth)?;
        while depth > 0 {
            let (component, left) = &mut open[depth - 1];
            if *left == 0 {
                depth -= 1;
                continue;
            }
            *left -= 1;
            let component = *component;
            // `ComponentTypeDeclaration` and `InstanceTypeDeclaration`.
            match r.read_u8()? {
                0x00 => {
                    r.read::<CoreType>()?;
                }
                0x01 => ty(r, &mut open, &mut depth)?,
                0x02 => {
                    r.read::<ComponentAlias>()?;
                }
                0x03 if component => {
                    r.read::<ComponentImport>()?;
                }
                0x04 => {
                    r.read::<ComponentExternName>()?;
                    r.read::<ComponentTypeRef>()?;
                }
                _ => return Err(Stop::Malformed),
            }
        }
    }
    Ok(())
}

/// Reads one `ComponentType`: a component or instance type is opened on the stack (its
/// declarations are read by [`walk`]); the types wasmparser's reader allocates for are read
/// here without allocating; the others by wasmparser's reader, which does not nest for them.
fn ty(
    r: &mut BinaryReader<'_>,
    open: &mut [(bool, u32); MAX_TYPE_DEPTH],
    depth: &mut usize,
) -> Result<(), Stop> {
    let start = r.clone();
    match r.read_u8()? {
        b @ (0x41 | 0x42) => {
            if *depth >= MAX_TYPE_DEPTH {
                return Err(Stop::TooDeep(r.original_position()));
            }
            open[*depth] = (b == 0x41, r.read_var_u32()?);
            *depth += 1;
        }
        // A function type: named parameters, then the result list.
        0x40 | 0x43 => {
            for _ in 0..r.read_var_u32()? {
                r.read_string()?;
                r.read::<ComponentValType>()?;
            }
            match r.read_u8()? {
                0x00 => {
                    r.read::<ComponentValType>()?;
                }
                0x01 if r.read_u8()? == 0x00 => {}
                _ => return Err(Stop::Malformed),
            }
        }
        // record
        0x72 => {
            for _ in 0..r.read_var_u32()? {
                r.read_string()?;
                r.read::<ComponentValType>()?;
            }
        }
        // variant
        0x71 => {
            for _ in 0..r.read_var_u32()? {
                r.read::<VariantCase>()?;
            }
        }
        // tuple
        0x6f => {
            for _ in 0..r.read_var_u32()? {
                r.read::<ComponentValType>()?;
            }
        }
        // flags, enum
        0x6e | 0x6d => {
            for _ in 0..r.read_var_u32()? {
                r.read_string()?;
            }
        }
        _ => {
            *r = start;
            r.read::<ComponentType>()?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
