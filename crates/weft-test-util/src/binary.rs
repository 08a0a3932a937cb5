//! Hand-built binaries for tests of malformed or extreme input, byte by byte (what `wat` cannot
//! or will not write: types nested 10,000 deep, truncated sections).

/// The header of a component.
pub const COMPONENT: &[u8] = b"\0asm\x0d\0\x01\0";

/// The header of a core module.
pub const MODULE: &[u8] = b"\0asm\x01\0\0\0";

/// Appends `n` as an unsigned LEB128.
pub fn leb(mut n: usize, out: &mut Vec<u8>) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            return out.push(byte);
        }
        out.push(byte | 0x80);
    }
}

/// `contents` as a section `id`: its id, size and contents.
pub fn section(id: u8, contents: &[u8]) -> Vec<u8> {
    let mut out = vec![id];
    leb(contents.len(), &mut out);
    out.extend(contents);
    out
}

/// A component with one type: `levels` component (`0x41`) or instance (`0x42`) types, each
/// declaring the next as its only type, the innermost empty.
pub fn nested_types(levels: usize, opening: u8) -> Vec<u8> {
    let mut ty = Vec::with_capacity(3 * levels);
    for _ in 1..levels {
        ty.extend([opening, 1, 1]);
    }
    ty.extend([opening, 0]);
    [COMPONENT, &section(7, &[&[1][..], &ty].concat())].concat()
}

/// `count` components, each nested in the one before, the innermost holding `innermost` after
/// its header (built outside in, in linear time).
pub fn nested_components(count: usize, innermost: &[u8]) -> Vec<u8> {
    // The size of each level, innermost first.
    let mut sizes = vec![COMPONENT.len() + innermost.len()];
    for _ in 1..count {
        let inner = *sizes.last().unwrap();
        let mut header = Vec::new();
        leb(inner, &mut header);
        sizes.push(COMPONENT.len() + 1 + header.len() + inner);
    }
    let mut wasm = Vec::with_capacity(sizes[count - 1]);
    for &inner in sizes[..count - 1].iter().rev() {
        wasm.extend(COMPONENT);
        wasm.push(4);
        leb(inner, &mut wasm);
    }
    wasm.extend(COMPONENT);
    wasm.extend(innermost);
    assert_eq!(wasm.len(), sizes[count - 1]);
    wasm
}

/// A valid component (wasm-tools' tests/cli/component-model/import.wast, line 250) on which
/// wasmparser 0.254's validator fails an assertion, as WAT.
pub const WASMPARSER_PANICS_ON: &str = r#"(component
    (component $c
        (type $t (instance (type u32) (export "t" (type (eq 0)))))
        (import "a" (instance (type $t)))
        (import "b" (instance (type $t))))
    (type $u u32)
    (instance $i (export "t" (type $u)))
    (instance (instantiate $c (with "a" (instance $i)) (with "b" (instance $i)))))"#;
