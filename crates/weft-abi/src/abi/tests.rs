//! Unit tests of the private layout helpers; the public API is tested in `tests/`.

use super::*;

#[test]
fn join_picks_the_tightest_type() {
    use CoreType::*;
    assert_eq!(join(I32, I32), I32);
    assert_eq!(join(I32, F32), I32);
    assert_eq!(join(F32, I32), I32);
    assert_eq!(join(F32, F32), F32);
    assert_eq!(join(F32, F64), I64);
    assert_eq!(join(I32, I64), I64);
    assert_eq!(join(F64, F64), F64);
    assert_eq!(join(I32, F64), I64);
}

#[test]
fn align_to_saturates() {
    assert_eq!(align_to(0, 4), 0);
    assert_eq!(align_to(5, 4), 8);
    assert_eq!(align_to(u32::MAX - 1, 4), u32::MAX);
    assert_eq!(align_to64(u64::from(u32::MAX), 8), 1 << 32);
}

#[test]
fn needs_realloc_looks_inside() {
    assert!(!needs_realloc(&Type::U32));
    assert!(needs_realloc(&Type::String));
    assert!(needs_realloc(&Type::Option(std::sync::Arc::new(
        Type::String
    ))));
    assert!(!needs_realloc(&Type::FixedList(
        std::sync::Arc::new(Type::String),
        0
    )));
}

#[test]
fn list_byte_length_fits_32_bits() {
    assert_eq!(lower::list_byte_length(3, 8), Ok((3, 24)));
    assert_eq!(
        lower::list_byte_length(0x1fff_ffff, 8),
        Ok((0x1fff_ffff, 0xffff_fff8))
    );
    assert!(lower::list_byte_length(0x2000_0000, 8).is_err());
    assert_eq!(
        lower::list_byte_length(u32::MAX as usize, 0),
        Ok((u32::MAX, 0))
    );
    if usize::BITS > 32 {
        assert!(lower::list_byte_length(1 << 32, 0).is_err());
    }
}
