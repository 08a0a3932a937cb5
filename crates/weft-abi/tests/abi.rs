//! The canonical ABI's public API: layout, flattening, round trips of every type kind, the
//! exact `realloc` call sequences the spec prescribes, and traps on bad guest input.

mod common;

use common::*;
use futures::executor::block_on;
use weft_abi::abi::{
    alignment, allocate, discriminant_type, elem_size, flatten_functype, flatten_type,
    flatten_types, lift_flat_values, load, lower_flat_values, lower_values, max_case_alignment,
    type_check, Context, CoreType, CoreVal, NoHandles, Options, Spill, StringEncoding,
    MAX_FLAT_PARAMS, MAX_FLAT_RESULTS,
};
use weft_abi::{FuncType, Resource, ResourceType, Type, Val};

use CoreType::{F32, F64, I32, I64};

const UTF8: Options = Options {
    encoding: StringEncoding::Utf8,
};
const UTF16: Options = Options {
    encoding: StringEncoding::Utf16,
};
const LATIN1: Options = Options {
    encoding: StringEncoding::Latin1Utf16,
};
const ALL_ENCODINGS: [Options; 3] = [UTF8, UTF16, LATIN1];

// ---- Layout and flattening. ----

#[test]
fn layout_of_every_kind() {
    let cases: Vec<(Type, u32, u32)> = vec![
        (Type::Bool, 1, 1),
        (Type::S8, 1, 1),
        (Type::U16, 2, 2),
        (Type::S32, 4, 4),
        (Type::U64, 8, 8),
        (Type::F32, 4, 4),
        (Type::F64, 8, 8),
        (Type::Char, 4, 4),
        (Type::String, 4, 8),
        (list(Type::U64), 4, 8),
        (map(Type::String, Type::U64), 4, 8),
        (fixed(Type::U16, 3), 2, 6),
        (fixed(Type::String, 2), 4, 16),
        (
            record(&[("a", Type::U8), ("b", Type::U32), ("c", Type::U16)]),
            4,
            12,
        ),
        (tuple(vec![Type::U8, Type::U64]), 8, 16),
        (tuple(vec![Type::U8, Type::U8, Type::U8]), 1, 3),
        (option(Type::U64), 8, 16),
        (option(Type::U8), 1, 2),
        (result(None, None), 1, 1),
        (result(Some(Type::U8), Some(Type::U32)), 4, 8),
        (enum_(&["a", "b"]), 1, 1),
        (variant(&[("a", None), ("b", Some(Type::String))]), 4, 12),
        (Type::Own(ResourceType(0)), 4, 4),
        (Type::Borrow(ResourceType(0)), 4, 4),
    ];
    for (t, a, s) in cases {
        assert_eq!((alignment(&t), elem_size(&t)), (a, s), "{t}");
    }
}

#[test]
fn discriminant_widths() {
    assert_eq!(discriminant_type(1), Type::U8);
    assert_eq!(discriminant_type(256), Type::U8);
    assert_eq!(discriminant_type(257), Type::U16);
    assert_eq!(discriminant_type(65536), Type::U16);
    assert_eq!(discriminant_type(65537), Type::U32);
    for (n, size) in [(2, 1), (256, 1), (257, 2), (65536, 2), (65537, 4)] {
        let t = enum_n(n);
        assert_eq!((alignment(&t), elem_size(&t)), (size, size), "enum of {n}");
        assert_eq!(flatten_type(&t), [I32]);
    }
    // A u16 discriminant followed by a u8 payload: the payload is at offset 2.
    let mut cases: Vec<(String, Option<Type>)> =
        (0..300).map(|i| (format!("c{i}"), None)).collect();
    cases[299].1 = Some(Type::U8);
    let t = Type::Variant(std::sync::Arc::new(weft_abi::VariantType { cases }));
    assert_eq!(
        (alignment(&t), elem_size(&t), max_case_alignment(&t)),
        (2, 4, 1)
    );
    let mut mem = Mem::new(1024);
    let v = Val::Variant("c299".into(), Some(Box::new(Val::U8(7))));
    let (_, back) = roundtrip(
        &mut mem,
        &mut Table::default(),
        &UTF8,
        0,
        true,
        std::slice::from_ref(&v),
        std::slice::from_ref(&t),
    )
    .unwrap();
    assert_eq!(back, [v]);
    // And in memory: discriminant 299 little-endian, then the payload.
    let ptr = (1024 - 4 - 64) & !7;
    assert_eq!(&mem.mem[ptr..ptr + 3], &[43, 1, 7]);

    let t = enum_n(65537);
    let v = Val::Enum("c65536".into());
    for max_flat in [0, 16] {
        let (_, back) = roundtrip(
            &mut Mem::new(1024),
            &mut Table::default(),
            &UTF8,
            max_flat,
            true,
            std::slice::from_ref(&v),
            std::slice::from_ref(&t),
        )
        .unwrap();
        assert_eq!(back, std::slice::from_ref(&v));
    }
}

#[test]
fn flags_layout_from_1_to_64() {
    for n in 1..=64usize {
        let t = flags_n(n);
        let (a, size, flat) = match n {
            1..=8 => (1, 1, 1),
            9..=16 => (2, 2, 1),
            17..=32 => (4, 4, 1),
            _ => (4, 8, 2),
        };
        assert_eq!(
            (alignment(&t), elem_size(&t), flatten_type(&t).len()),
            (a, size, flat),
            "{n}"
        );
        // Every other flag, plus the last one, round-trips flat and through memory.
        let set: Vec<String> = (0..n)
            .filter(|i| i % 2 == 0 || *i == n - 1)
            .map(|i| format!("f{i}"))
            .collect();
        let v = Val::Flags(set);
        for max_flat in [0, 16] {
            let (_, back) = roundtrip(
                &mut Mem::new(1024),
                &mut Table::default(),
                &UTF8,
                max_flat,
                false,
                std::slice::from_ref(&v),
                std::slice::from_ref(&t),
            )
            .unwrap();
            assert_eq!(
                back,
                std::slice::from_ref(&v),
                "{n} flags, max_flat {max_flat}"
            );
        }
    }
}

#[test]
fn flags_bits_layout_and_masking() {
    // 33 flags: two i32s flat, 8 bytes in memory; flag 32 is bit 0 of the second word.
    let t = flags_n(33);
    let v = Val::Flags(vec!["f0".into(), "f32".into()]);
    let (flat, _) = roundtrip(
        &mut Mem::new(256),
        &mut Table::default(),
        &UTF8,
        16,
        false,
        &[v],
        std::slice::from_ref(&t),
    )
    .unwrap();
    assert_eq!(flat, [CoreVal::I32(1), CoreVal::I32(1)]);
    let mem = [1, 0, 0, 0, 1, 0, 0, 0];
    let back = load(&mem, &UTF8, &mut NoHandles, 0, &t).unwrap();
    assert_eq!(back, Val::Flags(vec!["f0".into(), "f32".into()]));

    // Undefined upper bits are ignored, flat and in memory.
    let t = flags_n(3);
    let back = lift_flat_values(
        &[],
        &UTF8,
        &mut NoHandles,
        16,
        &[CoreVal::I32(-1)],
        std::slice::from_ref(&t),
    );
    assert_eq!(
        back.unwrap(),
        [Val::Flags(vec!["f0".into(), "f1".into(), "f2".into()])]
    );
    let back = load(&[0b1111_1010], &UTF8, &mut NoHandles, 0, &t).unwrap();
    assert_eq!(back, Val::Flags(vec!["f1".into()]));
}

#[test]
fn flattening() {
    assert_eq!(flatten_type(&Type::String), [I32, I32]);
    assert_eq!(flatten_type(&fixed(Type::F64, 3)), [F64, F64, F64]);
    assert_eq!(flatten_type(&map(Type::U8, Type::U8)), [I32, I32]);
    assert_eq!(
        flatten_type(&record(&[("a", Type::U64), ("b", Type::F32)])),
        [I64, F32]
    );
    assert_eq!(flatten_type(&option(Type::F32)), [I32, F32]);
    assert_eq!(
        flatten_type(&result(Some(Type::F32), Some(Type::U32))),
        [I32, I32]
    );
    assert_eq!(
        flatten_type(&variant(&[("a", Some(Type::F32)), ("b", Some(Type::S64))])),
        [I32, I64]
    );
    assert_eq!(
        flatten_type(&variant(&[("a", Some(Type::F64)), ("b", Some(Type::F32))])),
        [I32, I64]
    );
    assert_eq!(
        flatten_type(&variant(&[
            ("a", Some(tuple(vec![Type::F32, Type::U32]))),
            ("b", Some(Type::F64)),
            ("c", None),
        ])),
        [I32, I64, I32]
    );
    assert_eq!(flatten_type(&enum_(&["a"])), [I32]);
    assert_eq!(flatten_types(&[Type::U8, Type::String]), [I32, I32, I32]);
}

#[test]
fn flatten_functype_limits() {
    let func = |n: usize, result: Option<Type>| FuncType {
        params: (0..n).map(|i| (format!("p{i}"), Type::U32)).collect(),
        result,
    };
    let at_limit = func(MAX_FLAT_PARAMS, Some(Type::U64));
    assert_eq!(
        flatten_functype(&at_limit, Context::Lift),
        (vec![I32; 16], vec![I64])
    );
    assert_eq!(
        flatten_functype(&at_limit, Context::Lower),
        (vec![I32; 16], vec![I64])
    );
    let over = func(MAX_FLAT_PARAMS + 1, Some(Type::String));
    assert_eq!(
        flatten_functype(&over, Context::Lift),
        (vec![I32], vec![I32])
    );
    assert_eq!(
        flatten_functype(&over, Context::Lower),
        (vec![I32, I32], vec![])
    );
    let small = func(1, Some(tuple(vec![Type::U8; MAX_FLAT_RESULTS + 1])));
    assert_eq!(
        flatten_functype(&small, Context::Lower),
        (vec![I32, I32], vec![])
    );
    assert_eq!(
        flatten_functype(&func(0, None), Context::Lift),
        (vec![], vec![])
    );
}

// ---- Round trips. ----

/// One value of every kind, at edges.
fn samples() -> Vec<(Type, Val)> {
    let r = ResourceType(3);
    vec![
        (Type::Bool, Val::Bool(true)),
        (Type::Bool, Val::Bool(false)),
        (Type::S8, Val::S8(i8::MIN)),
        (Type::U8, Val::U8(u8::MAX)),
        (Type::S16, Val::S16(-1)),
        (Type::U16, Val::U16(u16::MAX)),
        (Type::S32, Val::S32(i32::MIN)),
        (Type::U32, Val::U32(u32::MAX)),
        (Type::S64, Val::S64(i64::MIN)),
        (Type::U64, Val::U64(u64::MAX)),
        (Type::F32, Val::F32(-0.0)),
        (Type::F32, Val::F32(f32::INFINITY)),
        (Type::F32, Val::F32(f32::NAN)),
        (Type::F64, Val::F64(f64::MIN_POSITIVE)),
        (Type::F64, Val::F64(f64::NAN)),
        (Type::Char, Val::Char('\u{d7ff}')),
        (Type::Char, Val::Char('\u{e000}')),
        (Type::Char, Val::Char('\u{10ffff}')),
        (Type::String, s("")),
        (Type::String, s("hello")),
        (Type::String, s("café")),
        (Type::String, s("ÿ\u{80}")),
        (Type::String, s("☃ snow")),
        (Type::String, s("astral 😀 𝄞")),
        (list(Type::U8), Val::List(vec![])),
        (list(Type::U8), Val::List((0..=255).map(Val::U8).collect())),
        (
            list(Type::U64),
            Val::List((0..1000).map(Val::U64).collect()),
        ),
        (list(Type::String), Val::List(vec![s("a"), s(""), s("ü😀")])),
        (
            list(list(Type::String)),
            Val::List(vec![Val::List(vec![s("x")]), Val::List(vec![])]),
        ),
        (
            fixed(Type::U16, 3),
            Val::List(vec![Val::U16(1), Val::U16(2), Val::U16(3)]),
        ),
        (fixed(Type::String, 2), Val::List(vec![s("ab"), s("ö")])),
        (
            map(Type::String, list(Type::U32)),
            Val::Map(vec![
                (s("k"), Val::List(vec![Val::U32(1)])),
                (s("ü"), Val::List(vec![])),
            ]),
        ),
        (map(Type::U8, Type::U64), Val::Map(vec![])),
        (
            record(&[("a", Type::U8), ("b", Type::String), ("c", Type::U64)]),
            Val::Record(vec![
                ("a".into(), Val::U8(1)),
                ("b".into(), s("bé")),
                ("c".into(), Val::U64(3)),
            ]),
        ),
        (
            tuple(vec![Type::U8, Type::F64, Type::Char]),
            Val::Tuple(vec![Val::U8(9), Val::F64(0.5), Val::Char('ß')]),
        ),
        (enum_(&["x", "y", "z"]), Val::Enum("z".into())),
        (option(Type::String), Val::Option(None)),
        (option(Type::String), some(s("some"))),
        (option(option(Type::U32)), some(Val::Option(None))),
        (option(option(Type::U32)), some(some(Val::U32(5)))),
        (result(None, None), Val::Result(Ok(None))),
        (result(None, None), Val::Result(Err(None))),
        (
            result(
                Some(option(Type::String)),
                Some(result(None, Some(Type::U8))),
            ),
            Val::Result(Ok(Some(Box::new(some(s("ok")))))),
        ),
        (
            result(
                Some(option(Type::String)),
                Some(result(None, Some(Type::U8))),
            ),
            Val::Result(Err(Some(Box::new(Val::Result(Err(Some(Box::new(
                Val::U8(4),
            )))))))),
        ),
        (
            variant(&[("a", Some(Type::F32)), ("b", Some(Type::S64)), ("c", None)]),
            case("a", Some(Val::F32(-1.25))),
        ),
        (
            variant(&[("a", Some(Type::F32)), ("b", Some(Type::S64)), ("c", None)]),
            case("b", Some(Val::S64(-2))),
        ),
        (
            variant(&[("a", Some(Type::F32)), ("b", Some(Type::S64)), ("c", None)]),
            case("c", None),
        ),
        (
            variant(&[("s", Some(Type::String)), ("l", Some(list(Type::F64)))]),
            case("l", Some(Val::List(vec![Val::F64(1.0)]))),
        ),
        (flags_n(3), Val::Flags(vec![])),
        (flags_n(40), Val::Flags(vec!["f0".into(), "f39".into()])),
        (
            Type::Own(r),
            Val::Resource(Resource {
                ty: r,
                rep: 42,
                own: true,
            }),
        ),
        (
            Type::Borrow(r),
            Val::Resource(Resource {
                ty: r,
                rep: 43,
                own: false,
            }),
        ),
        (
            list(Type::Own(r)),
            Val::List(vec![
                Val::Resource(Resource {
                    ty: r,
                    rep: 1,
                    own: true
                });
                3
            ]),
        ),
    ]
}

#[test]
fn every_kind_round_trips_flat_spilled_and_as_results() {
    for opts in ALL_ENCODINGS {
        for (t, v) in samples() {
            for (max_flat, out_pointer) in [
                (MAX_FLAT_PARAMS, false),
                (0, false),
                (MAX_FLAT_RESULTS, true),
                (0, true),
            ] {
                for moving in [false, true] {
                    let mut mem = if moving {
                        Mem::moving(1 << 16)
                    } else {
                        Mem::new(1 << 16)
                    };
                    let (_, back) = roundtrip(
                        &mut mem,
                        &mut Table::default(),
                        &opts,
                        max_flat,
                        out_pointer,
                        std::slice::from_ref(&v),
                        std::slice::from_ref(&t),
                    )
                    .unwrap_or_else(|e| panic!("{t} {v:?} {opts:?}: {e}"));
                    assert!(
                        same(&back, std::slice::from_ref(&v)),
                        "{t} {opts:?} max_flat {max_flat}: {back:?} != {v:?}"
                    );
                }
            }
            // And load(store(v)) through the public `load`.
            let mut mem = Mem::new(1 << 16);
            let ptr = 8192;
            block_on(lower_values(
                &mut mem,
                &opts,
                &mut Table::default(),
                0,
                Spill::OutPointer(ptr),
                std::slice::from_ref(&v),
                std::slice::from_ref(&t),
            ))
            .unwrap();
            if !matches!(t, Type::Own(_) | Type::Borrow(_)) && !format!("{t}").contains("own") {
                let back = load(&mem.mem, &opts, &mut NoHandles, ptr, &t).unwrap();
                assert!(same(&[back], std::slice::from_ref(&v)), "{t}");
            }
        }
    }
}

#[test]
fn nan_is_canonical_when_lowered_and_lifted() {
    let nan32 = f32::from_bits(0xffc0_0001);
    let nan64 = f64::from_bits(0xfff0_0000_0000_0001);
    let (flat, _) = roundtrip(
        &mut Mem::new(64),
        &mut Table::default(),
        &UTF8,
        16,
        false,
        &[Val::F32(nan32), Val::F64(nan64)],
        &[Type::F32, Type::F64],
    )
    .unwrap();
    match flat[..] {
        [CoreVal::F32(a), CoreVal::F64(b)] => {
            assert_eq!(
                (a.to_bits(), b.to_bits()),
                (0x7fc0_0000, 0x7ff8_0000_0000_0000)
            );
        }
        _ => panic!("{flat:?}"),
    }
    let back = lift_flat_values(
        &[],
        &UTF8,
        &mut NoHandles,
        16,
        &[CoreVal::F32(nan32)],
        &[Type::F32],
    );
    match back.unwrap()[..] {
        [Val::F32(f)] => assert_eq!(f.to_bits(), 0x7fc0_0000),
        ref other => panic!("{other:?}"),
    }
}

#[test]
fn max_flat_params_boundary() {
    for n in [MAX_FLAT_PARAMS, MAX_FLAT_PARAMS + 1] {
        let ts = vec![Type::U32; n];
        let vals: Vec<Val> = (0..n as u32).map(|i| Val::U32(i * 1000)).collect();
        let mut mem = Mem::new(1024);
        let (flat, back) = roundtrip(
            &mut mem,
            &mut Table::default(),
            &UTF8,
            MAX_FLAT_PARAMS,
            false,
            &vals,
            &ts,
        )
        .unwrap();
        assert_eq!(back, vals);
        if n == MAX_FLAT_PARAMS {
            assert_eq!(flat.len(), 16);
            assert!(mem.calls.is_empty());
        } else {
            assert_eq!(mem.calls, [(0, 0, 4, 68)]);
            assert_eq!(flat, [CoreVal::I32(mem.results[0] as i32)]);
        }
    }
    // Eight strings are exactly 16 flat values; nine spill, and the tuple comes first.
    for n in [8, 9] {
        let ts = vec![Type::String; n];
        let vals: Vec<Val> = (0..n).map(|i| s(&"é".repeat(i))).collect();
        let mut mem = Mem::new(4096);
        let (flat, back) = roundtrip(
            &mut mem,
            &mut Table::default(),
            &UTF8,
            MAX_FLAT_PARAMS,
            false,
            &vals,
            &ts,
        )
        .unwrap();
        assert_eq!(back, vals);
        let mut expected: Vec<(u32, u32, u32, u32)> = Vec::new();
        if n == 9 {
            expected.push((0, 0, 4, 72));
            assert_eq!(flat.len(), 1);
        } else {
            assert_eq!(flat.len(), 16);
        }
        expected.extend((0..n as u32).map(|i| (0, 0, 1, 2 * i)));
        assert_eq!(mem.calls, expected);
    }
}

#[test]
fn results_beyond_one_flat_value_go_to_the_out_pointer() {
    let mut mem = Mem::new(256);
    let ts = [tuple(vec![Type::U32, Type::U64])];
    let vals = [Val::Tuple(vec![Val::U32(7), Val::U64(u64::MAX)])];
    let flat = block_on(lower_values(
        &mut mem,
        &UTF8,
        &mut NoHandles,
        MAX_FLAT_RESULTS,
        Spill::OutPointer(64),
        &vals,
        &ts,
    ))
    .unwrap();
    assert_eq!(flat, []);
    assert!(mem.calls.is_empty());
    assert_eq!(
        &mem.mem[64..80],
        &[7, 0, 0, 0, 0, 0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255]
    );
    let back = lift_flat_values(&mem.mem, &UTF8, &mut NoHandles, 1, &[CoreVal::I32(64)], &ts);
    assert_eq!(back.unwrap(), vals);
    // One flat result is returned as is.
    let flat = block_on(lower_values(
        &mut mem,
        &UTF8,
        &mut NoHandles,
        MAX_FLAT_RESULTS,
        Spill::OutPointer(64),
        &[Val::U64(5)],
        &[Type::U64],
    ))
    .unwrap();
    assert_eq!(flat, [CoreVal::I64(5)]);
}

// ---- `realloc` call sequences. ----

/// A `realloc(old_ptr, old_size, align, new_size)` call.
type Call = (u32, u32, u32, u32);

/// Options, a string, its `realloc` calls, its (tagged) length and its bytes in memory.
type StringCase = (Options, &'static str, Vec<Call>, u32, Vec<u8>);

/// Lowers one string and returns the `realloc` calls, with every `old_ptr` replaced by the index
/// of the call whose result it is (+1; 0 stays 0), the flat values and the bytes at the result.
fn string_calls(opts: Options, text: &str, moving: bool) -> (Vec<Call>, u32, Vec<u8>) {
    let mut mem = if moving {
        Mem::moving(4096)
    } else {
        Mem::new(4096)
    };
    let flat = block_on(lower_values(
        &mut mem,
        &opts,
        &mut NoHandles,
        16,
        Spill::Realloc,
        &[s(text)],
        &[Type::String],
    ))
    .unwrap();
    let [CoreVal::I32(ptr), CoreVal::I32(len)] = flat[..] else {
        panic!("{flat:?}")
    };
    let calls = mem
        .calls
        .iter()
        .map(|&(old, old_size, align, new_size)| {
            let old = match old {
                0 => 0,
                p => mem.results.iter().position(|&r| r == p).unwrap() as u32 + 1,
            };
            (old, old_size, align, new_size)
        })
        .collect::<Vec<_>>();
    assert_eq!(
        ptr as u32,
        *mem.results.last().unwrap(),
        "the string is at the last result"
    );
    let byte_len = match opts.encoding {
        StringEncoding::Utf8 => len as u32,
        StringEncoding::Utf16 => 2 * len as u32,
        StringEncoding::Latin1Utf16 if len < 0 => 2 * (len as u32 & !(1 << 31)),
        StringEncoding::Latin1Utf16 => len as u32,
    };
    let bytes = mem.mem[ptr as usize..(ptr as u32 + byte_len) as usize].to_vec();
    // And the string lifts back.
    let back = lift_flat_values(&mem.mem, &opts, &mut NoHandles, 16, &flat, &[Type::String]);
    assert_eq!(back.unwrap(), [s(text)]);
    (calls, len as u32, bytes)
}

fn utf16le(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

#[test]
fn string_realloc_sequences_follow_the_spec() {
    const TAG: u32 = 1 << 31;
    #[rustfmt::skip]
    let cases: Vec<StringCase> = vec![
        // store_string_copy: one allocation of the exact size.
        (UTF8, "", vec![(0, 0, 1, 0)], 0, vec![]),
        (UTF8, "héllo", vec![(0, 0, 1, 6)], 6, "héllo".into()),
        // store_utf8_to_utf16: worst case 2 * bytes, then shrink if shorter.
        (UTF16, "", vec![(0, 0, 2, 0)], 0, vec![]),
        (UTF16, "hello", vec![(0, 0, 2, 10)], 5, utf16le("hello")),
        (UTF16, "héllo", vec![(0, 0, 2, 12), (1, 12, 2, 10)], 5, utf16le("héllo")),
        (UTF16, "😀", vec![(0, 0, 2, 8), (1, 8, 2, 4)], 2, utf16le("😀")),
        (UTF16, "☃", vec![(0, 0, 2, 6), (1, 6, 2, 2)], 1, utf16le("☃")),
        // store_string_to_latin1_or_utf16: Latin-1 of the source length, shrunk if shorter...
        (LATIN1, "", vec![(0, 0, 2, 0)], 0, vec![]),
        (LATIN1, "hello", vec![(0, 0, 2, 5)], 5, b"hello".to_vec()),
        (LATIN1, "héllo", vec![(0, 0, 2, 6), (1, 6, 2, 5)], 5, vec![b'h', 0xe9, b'l', b'l', b'o']),
        (LATIN1, "ÿ", vec![(0, 0, 2, 2), (1, 2, 2, 1)], 1, vec![0xff]),
        // ...or, at the first character outside Latin-1, grown to 2 * source length, then
        // shrunk to the UTF-16 length.
        (LATIN1, "h☃", vec![(0, 0, 2, 4), (1, 4, 2, 8), (2, 8, 2, 4)], 2 | TAG, utf16le("h☃")),
        (LATIN1, "😀", vec![(0, 0, 2, 4), (1, 4, 2, 8), (2, 8, 2, 4)], 2 | TAG, utf16le("😀")),
        (LATIN1, "é☃", vec![(0, 0, 2, 5), (1, 5, 2, 10), (2, 10, 2, 4)], 2 | TAG, utf16le("é☃")),
        (LATIN1, "ab\u{100}", vec![(0, 0, 2, 4), (1, 4, 2, 8), (2, 8, 2, 6)], 3 | TAG, utf16le("ab\u{100}")),
    ];
    for (opts, text, calls, len, bytes) in cases {
        for moving in [false, true] {
            let (got_calls, got_len, got_bytes) = string_calls(opts, text, moving);
            assert_eq!(got_calls, calls, "{:?} {text:?}", opts.encoding);
            assert_eq!(got_len, len, "{:?} {text:?}", opts.encoding);
            assert_eq!(got_bytes, bytes, "{:?} {text:?}", opts.encoding);
        }
    }
}

#[test]
fn list_realloc_sequences_are_in_traversal_order() {
    let ts = [list(Type::U32), list(list(Type::String)), Type::String];
    let vals = [
        Val::List(vec![]),
        Val::List(vec![
            Val::List(vec![s("a"), s("bc")]),
            Val::List(vec![s("def")]),
        ]),
        s("ghij"),
    ];
    let mut mem = Mem::new(4096);
    let (_, back) = roundtrip(
        &mut mem,
        &mut Table::default(),
        &UTF8,
        16,
        false,
        &vals,
        &ts,
    )
    .unwrap();
    assert_eq!(back, vals);
    let no_old = |c: &(u32, u32, u32, u32)| (c.1, c.2, c.3);
    assert_eq!(
        mem.calls.iter().map(no_old).collect::<Vec<_>>(),
        [
            (0, 4, 0),  // list<u32> []: realloc is called even for zero bytes
            (0, 4, 16), // the outer list of two lists
            (0, 4, 16), // ["a", "bc"]
            (0, 1, 1),
            (0, 1, 2),
            (0, 4, 8), // ["def"]
            (0, 1, 3),
            (0, 1, 4), // "ghij"
        ]
    );
    // Spilled: the tuple first, then the same sequence.
    let mut mem = Mem::new(4096);
    roundtrip(&mut mem, &mut Table::default(), &UTF8, 2, false, &vals, &ts).unwrap();
    assert_eq!(mem.calls[0], (0, 0, 4, 24));
    assert_eq!(mem.calls.len(), 9);
}

// ---- Traps on guest input. ----

fn lift_err(mem: &[u8], opts: &Options, vals: &[CoreVal], ts: &[Type]) -> String {
    match lift_flat_values(mem, opts, &mut NoHandles, MAX_FLAT_PARAMS, vals, ts) {
        Ok(v) => panic!("lifting {ts:?} from {vals:?} succeeded: {v:?}"),
        Err(e) => e.message,
    }
}

fn i32s(xs: &[u32]) -> Vec<CoreVal> {
    xs.iter().map(|&x| CoreVal::I32(x as i32)).collect()
}

#[track_caller]
fn assert_contains(message: &str, expected: &str) {
    assert!(
        message.contains(expected),
        "{message:?} does not contain {expected:?}"
    );
}

#[test]
fn unaligned_and_out_of_bounds_pointers_trap() {
    let mem = vec![0u8; 64];
    assert_contains(
        &load(&mem, &UTF8, &mut NoHandles, 2, &Type::U32)
            .unwrap_err()
            .message,
        "unaligned pointer",
    );
    assert_contains(
        &load(&mem, &UTF8, &mut NoHandles, 62, &Type::U16)
            .map(|_| "ok".to_string())
            .unwrap_or_else(|e| e.message),
        "ok",
    );
    assert_contains(
        &load(&mem, &UTF8, &mut NoHandles, 64, &Type::U8)
            .unwrap_err()
            .message,
        "pointer out of bounds of memory",
    );
    assert_contains(
        &load(&mem, &UTF8, &mut NoHandles, u32::MAX - 3, &Type::U32)
            .unwrap_err()
            .message,
        "pointer out of bounds of memory",
    );
    // A spilled tuple's pointer.
    let ts = vec![Type::U64; 17];
    assert_contains(
        &lift_err(&mem, &UTF8, &i32s(&[4]), &ts),
        "unaligned pointer",
    );
    assert_contains(
        &lift_err(&mem, &UTF8, &i32s(&[8]), &ts),
        "pointer out of bounds of memory",
    );
    // Lists and strings, including pointer + length overflowing 32 bits.
    assert_contains(
        &lift_err(&mem, &UTF8, &i32s(&[0xffff_fff0, 0x100]), &[list(Type::U8)]),
        "list content out-of-bounds",
    );
    assert_contains(
        &lift_err(&mem, &UTF8, &i32s(&[0xffff_fff0, 0x100]), &[Type::String]),
        "string content out-of-bounds",
    );
    assert_contains(
        &lift_err(&mem, &UTF8, &i32s(&[60, 5]), &[Type::String]),
        "string pointer/length out of bounds of memory",
    );
    assert_contains(
        &lift_err(&mem, &UTF8, &i32s(&[60, 5]), &[list(Type::U8)]),
        "list content out-of-bounds",
    );
    assert_contains(
        &lift_err(&mem, &UTF8, &i32s(&[56, 2]), &[list(Type::U64)]),
        "list content out-of-bounds",
    );
    assert_contains(
        &lift_err(&mem, &UTF8, &i32s(&[0xdead_beef, 0]), &[Type::String]),
        "out of bounds",
    );
    assert_contains(
        &lift_err(&mem, &UTF8, &i32s(&[2, 1]), &[list(Type::U32)]),
        "unaligned pointer",
    );
    assert_contains(
        &lift_err(&mem, &UTF16, &i32s(&[1, 0]), &[Type::String]),
        "unaligned pointer",
    );
    assert_contains(
        &lift_err(&mem, &LATIN1, &i32s(&[1, 0]), &[Type::String]),
        "unaligned pointer",
    );
    assert_contains(
        &lift_err(&mem, &LATIN1, &i32s(&[1, 1 << 31]), &[Type::String]),
        "unaligned pointer",
    );
    // Lengths beyond the spec's maxima, before any bounds check.
    assert_contains(
        &lift_err(&mem, &UTF8, &i32s(&[0, 1 << 28]), &[Type::String]),
        "string too long",
    );
    assert_contains(
        &lift_err(&mem, &UTF16, &i32s(&[0, 1 << 27]), &[Type::String]),
        "string too long",
    );
    assert_contains(
        &lift_err(&mem, &UTF8, &i32s(&[0, 0x2000_0000]), &[list(Type::U64)]),
        "list too long",
    );
    assert_contains(
        &lift_err(&mem, &UTF8, &i32s(&[0, u32::MAX]), &[list(Type::String)]),
        "list too long",
    );
    // Zero-length ranges in bounds are fine, even at the end of memory.
    let back = lift_flat_values(
        &mem,
        &UTF8,
        &mut NoHandles,
        16,
        &i32s(&[64, 0, 64, 0]),
        &[Type::String, list(Type::U8)],
    );
    assert_eq!(back.unwrap(), [s(""), Val::List(vec![])]);
}

#[test]
fn nested_pointers_in_memory_are_checked() {
    // A list<string> whose second string points outside memory.
    let mut mem = vec![0u8; 64];
    mem[0..4].copy_from_slice(&16u32.to_le_bytes());
    mem[4..8].copy_from_slice(&2u32.to_le_bytes());
    mem[16..20].copy_from_slice(&40u32.to_le_bytes());
    mem[20..24].copy_from_slice(&1u32.to_le_bytes());
    mem[24..28].copy_from_slice(&0xffff_ff00u32.to_le_bytes());
    mem[28..32].copy_from_slice(&0x200u32.to_le_bytes());
    mem[40] = b'x';
    let err = load(&mem, &UTF8, &mut NoHandles, 0, &list(Type::String)).unwrap_err();
    assert_contains(&err.message, "string content out-of-bounds");
    mem[28..32].copy_from_slice(&0u32.to_le_bytes());
    mem[24..28].copy_from_slice(&41u32.to_le_bytes());
    let back = load(&mem, &UTF8, &mut NoHandles, 0, &list(Type::String)).unwrap();
    assert_eq!(back, Val::List(vec![s("x"), s("")]));
}

#[test]
fn invalid_strings_trap() {
    let lift = |opts: &Options, bytes: &[u8], len: u32| {
        let mut mem = vec![0u8; 16];
        mem[..bytes.len()].copy_from_slice(bytes);
        lift_flat_values(
            &mem,
            opts,
            &mut NoHandles,
            16,
            &i32s(&[0, len]),
            &[Type::String],
        )
    };
    assert_contains(
        &lift(&UTF8, &[0xff], 1).unwrap_err().message,
        "invalid utf-8",
    );
    assert_contains(
        &lift(&UTF8, &[0xc3], 1).unwrap_err().message,
        "incomplete utf-8 byte sequence",
    );
    assert_contains(
        &lift(&UTF8, &[0xed, 0xa0, 0x80], 3).unwrap_err().message,
        "invalid utf-8",
    );
    assert_contains(
        &lift(&UTF16, &[0x00, 0xd8], 1).unwrap_err().message,
        "invalid utf-16",
    );
    assert_contains(
        &lift(&UTF16, &[0x00, 0xdc, 0x41, 0x00], 2)
            .unwrap_err()
            .message,
        "invalid utf-16",
    );
    assert_contains(
        &lift(&LATIN1, &[0x00, 0xd8], 1 | 1 << 31)
            .unwrap_err()
            .message,
        "invalid utf-16",
    );
    // Latin-1 is any bytes; a tagged length is UTF-16.
    assert_eq!(lift(&LATIN1, &[b'a', 0xe9, 0xff], 3).unwrap(), [s("aéÿ")]);
    assert_eq!(
        lift(&LATIN1, &utf16le("é☃"), 2 | 1 << 31).unwrap(),
        [s("é☃")]
    );
    assert_eq!(lift(&UTF16, &utf16le("😀"), 2).unwrap(), [s("😀")]);
}

#[test]
fn chars_outside_the_unicode_scalar_values_trap() {
    for bad in [0xd800, 0xdfff, 0x11_0000, u32::MAX] {
        let err = lift_err(&[], &UTF8, &i32s(&[bad]), &[Type::Char]);
        assert_contains(&err, "invalid `char` bit pattern");
        let err = load(&bad.to_le_bytes(), &UTF8, &mut NoHandles, 0, &Type::Char).unwrap_err();
        assert_contains(&err.message, "invalid `char` bit pattern");
    }
    for good in [0, 0xd7ff, 0xe000, 0x10_ffff] {
        let back = lift_flat_values(
            &[],
            &UTF8,
            &mut NoHandles,
            16,
            &i32s(&[good]),
            &[Type::Char],
        );
        assert_eq!(back.unwrap(), [Val::Char(char::from_u32(good).unwrap())]);
    }
}

#[test]
fn discriminants_out_of_range_trap() {
    let v = variant(&[("a", Some(Type::U32)), ("b", None)]);
    for (t, flat, bad) in [
        (v.clone(), vec![2, 0], 2u32),
        (enum_(&["x", "y", "z"]), vec![3], 3),
        (option(Type::U8), vec![2, 0], 2),
        (result(None, Some(Type::U8)), vec![2, 0], 2),
        (enum_n(300), vec![300], 300),
        (enum_n(300), vec![0xffff_ffff], 0xffff_ffff),
    ] {
        assert_contains(
            &lift_err(&[], &UTF8, &i32s(&flat), std::slice::from_ref(&t)),
            "invalid variant discriminant",
        );
        let mut mem = vec![0u8; 16];
        mem[..4].copy_from_slice(&bad.to_le_bytes());
        let err = load(&mem, &UTF8, &mut NoHandles, 0, &t).unwrap_err();
        assert_contains(&err.message, "invalid variant discriminant");
    }
}

#[test]
fn narrow_integers_and_bools_from_wide_core_values() {
    let ts = [
        Type::Bool,
        Type::Bool,
        Type::U8,
        Type::S8,
        Type::U16,
        Type::S16,
    ];
    let flat = i32s(&[2, 0x100, 0x1ff, 0xff, 0x1_ffff, 0x8000]);
    let back = lift_flat_values(&[], &UTF8, &mut NoHandles, 16, &flat, &ts).unwrap();
    assert_eq!(
        back,
        [
            Val::Bool(true),
            Val::Bool(true),
            Val::U8(0xff),
            Val::S8(-1),
            Val::U16(0xffff),
            Val::S16(i16::MIN)
        ]
    );
    // From memory a bool is one byte: any nonzero byte is true.
    assert_eq!(
        load(&[0x80], &UTF8, &mut NoHandles, 0, &Type::Bool).unwrap(),
        Val::Bool(true)
    );
    assert_eq!(
        load(&[0], &UTF8, &mut NoHandles, 0, &Type::Bool).unwrap(),
        Val::Bool(false)
    );
    // Lowering sign-extends signed types to i32.
    let (flat, _) = roundtrip(
        &mut Mem::new(64),
        &mut Table::default(),
        &UTF8,
        16,
        false,
        &[Val::S8(-1), Val::U8(255), Val::S16(-2)],
        &[Type::S8, Type::U8, Type::S16],
    )
    .unwrap();
    assert_eq!(
        flat,
        [CoreVal::I32(-1), CoreVal::I32(255), CoreVal::I32(-2)]
    );
}

#[test]
fn core_value_mismatches_trap_instead_of_panicking() {
    assert_contains(
        &lift_err(&[], &UTF8, &[], &[Type::U32]),
        "too few core values",
    );
    assert_contains(
        &lift_err(&[], &UTF8, &[CoreVal::I64(1)], &[Type::U32]),
        "core value type mismatch",
    );
    assert_contains(
        &lift_err(&[], &UTF8, &[CoreVal::F32(1.0)], &[Type::F64]),
        "core value type mismatch",
    );
    assert_contains(
        &lift_err(&[], &UTF8, &[CoreVal::I32(0)], &[Type::String]),
        "too few core values",
    );
    // Trailing core values (a lowered import's out-pointer) are left alone.
    let back = lift_flat_values(&[], &UTF8, &mut NoHandles, 16, &i32s(&[1, 2]), &[Type::U32]);
    assert_eq!(back.unwrap(), [Val::U32(1)]);
}

// ---- Variant flattening: `join` and its coercions. ----

#[test]
fn joined_variant_slots_coerce_both_ways() {
    let t = variant(&[("a", Some(Type::F32)), ("b", Some(Type::S64)), ("c", None)]);
    let lower = |v: Val| {
        roundtrip(
            &mut Mem::new(64),
            &mut Table::default(),
            &UTF8,
            16,
            false,
            &[v],
            std::slice::from_ref(&t),
        )
        .unwrap()
    };
    let (flat, _) = lower(case("a", Some(Val::F32(1.5))));
    assert_eq!(
        flat,
        [CoreVal::I32(0), CoreVal::I64(i64::from(1.5f32.to_bits()))]
    );
    // Zero-extended, not sign-extended.
    let (flat, back) = lower(case("a", Some(Val::F32(-1.5))));
    assert_eq!(flat, [CoreVal::I32(0), CoreVal::I64(0xbfc0_0000)]);
    assert_eq!(back, [case("a", Some(Val::F32(-1.5)))]);
    let (flat, _) = lower(case("b", Some(Val::S64(-1))));
    assert_eq!(flat, [CoreVal::I32(1), CoreVal::I64(-1)]);
    let (flat, _) = lower(case("c", None));
    assert_eq!(flat, [CoreVal::I32(2), CoreVal::I64(0)]);
    // Lifting a(f32) from an i64 slot takes the low 32 bits.
    let bits = 0xdead_beef_0000_0000u64 as i64 | i64::from(2.5f32.to_bits());
    let back = lift_flat_values(
        &[],
        &UTF8,
        &mut NoHandles,
        16,
        &[CoreVal::I32(0), CoreVal::I64(bits)],
        std::slice::from_ref(&t),
    );
    assert_eq!(back.unwrap(), [case("a", Some(Val::F32(2.5)))]);

    // u32 in an i64 slot is zero-extended when lowered and wrapped when lifted.
    let t = variant(&[("a", Some(Type::U32)), ("b", Some(Type::U64))]);
    let (flat, _) = roundtrip(
        &mut Mem::new(64),
        &mut Table::default(),
        &UTF8,
        16,
        false,
        &[case("a", Some(Val::U32(u32::MAX)))],
        std::slice::from_ref(&t),
    )
    .unwrap();
    assert_eq!(flat, [CoreVal::I32(0), CoreVal::I64(0xffff_ffff)]);
    let back = lift_flat_values(
        &[],
        &UTF8,
        &mut NoHandles,
        16,
        &[CoreVal::I32(0), CoreVal::I64(0x1_0000_0005)],
        &[t],
    );
    assert_eq!(back.unwrap(), [case("a", Some(Val::U32(5)))]);

    // f32 in an i32 slot is its bits; f64 and f32 share an i64 slot.
    let t = variant(&[("a", Some(Type::F32)), ("b", Some(Type::U32))]);
    assert_eq!(flatten_type(&t), [I32, I32]);
    let (flat, back) = roundtrip(
        &mut Mem::new(64),
        &mut Table::default(),
        &UTF8,
        16,
        false,
        &[case("a", Some(Val::F32(-0.0)))],
        &[t],
    )
    .unwrap();
    assert_eq!(flat, [CoreVal::I32(0), CoreVal::I32(0x8000_0000u32 as i32)]);
    assert!(same(&back, &[case("a", Some(Val::F32(-0.0)))]));
    let t = variant(&[("a", Some(Type::F64)), ("b", Some(Type::F32))]);
    let (flat, back) = roundtrip(
        &mut Mem::new(64),
        &mut Table::default(),
        &UTF8,
        16,
        false,
        &[case("b", Some(Val::F32(3.0)))],
        std::slice::from_ref(&t),
    )
    .unwrap();
    assert_eq!(
        flat,
        [CoreVal::I32(1), CoreVal::I64(i64::from(3.0f32.to_bits()))]
    );
    assert_eq!(back, [case("b", Some(Val::F32(3.0)))]);
    let (flat, _) = roundtrip(
        &mut Mem::new(64),
        &mut Table::default(),
        &UTF8,
        16,
        false,
        &[case("a", Some(Val::F64(-2.0)))],
        &[t],
    )
    .unwrap();
    assert_eq!(
        flat,
        [CoreVal::I32(0), CoreVal::I64((-2.0f64).to_bits() as i64)]
    );

    // A shorter payload pads the remaining slots with zeros.
    let t = variant(&[
        ("p", Some(tuple(vec![Type::F32, Type::F32]))),
        ("q", Some(Type::U64)),
    ]);
    assert_eq!(flatten_type(&t), [I32, I64, F32]);
    let (flat, back) = roundtrip(
        &mut Mem::new(64),
        &mut Table::default(),
        &UTF8,
        16,
        false,
        &[case("q", Some(Val::U64(9)))],
        std::slice::from_ref(&t),
    )
    .unwrap();
    assert_eq!(flat, [CoreVal::I32(1), CoreVal::I64(9), CoreVal::F32(0.0)]);
    assert_eq!(back, [case("q", Some(Val::U64(9)))]);
    let p = case("p", Some(Val::Tuple(vec![Val::F32(1.0), Val::F32(2.0)])));
    let (flat, back) = roundtrip(
        &mut Mem::new(64),
        &mut Table::default(),
        &UTF8,
        16,
        false,
        std::slice::from_ref(&p),
        &[t],
    )
    .unwrap();
    assert_eq!(
        flat,
        [
            CoreVal::I32(0),
            CoreVal::I64(i64::from(1.0f32.to_bits())),
            CoreVal::F32(2.0)
        ]
    );
    assert_eq!(back, [p]);
}

// ---- Lowering: checks of `realloc` results, out-pointers and values. ----

fn lower_err(mem: &mut Mem, spill: Spill, max_flat: usize, vals: &[Val], ts: &[Type]) -> String {
    match block_on(lower_values(
        mem,
        &UTF8,
        &mut NoHandles,
        max_flat,
        spill,
        vals,
        ts,
    )) {
        Ok(flat) => panic!("lowering succeeded: {flat:?}"),
        Err(e) => e.message,
    }
}

#[test]
fn realloc_results_are_checked() {
    let vals = [Val::List(vec![Val::U32(1), Val::U32(2)])];
    let ts = [list(Type::U32)];
    let mut mem = Mem {
        fixed_result: Some(2),
        ..Mem::new(64)
    };
    let err = lower_err(&mut mem, Spill::Realloc, 16, &vals, &ts);
    assert_contains(&err, "realloc return: result not aligned");
    assert_contains(&err, "unaligned pointer");
    let mut mem = Mem {
        fixed_result: Some(u32::MAX),
        ..Mem::new(64)
    };
    assert_contains(
        &lower_err(&mut mem, Spill::Realloc, 16, &vals, &ts),
        "realloc return: result not aligned",
    );
    let mut mem = Mem {
        fixed_result: Some(u32::MAX - 3),
        ..Mem::new(64)
    };
    let err = lower_err(&mut mem, Spill::Realloc, 16, &vals, &ts);
    assert_contains(&err, "realloc return: beyond end of memory");
    assert_contains(&err, "list content out-of-bounds");
    // Even a zero-byte allocation is bounds-checked.
    let mut mem = Mem {
        fixed_result: Some(68),
        ..Mem::new(64)
    };
    let err = lower_err(&mut mem, Spill::Realloc, 16, &[Val::List(vec![])], &ts);
    assert_contains(&err, "realloc return: beyond end of memory");
    let mut mem = Mem {
        fixed_result: Some(u32::MAX),
        ..Mem::new(64)
    };
    let err = lower_err(&mut mem, Spill::Realloc, 16, &[s("x")], &[Type::String]);
    assert_contains(&err, "string content out-of-bounds");
    // The first call of a chain that fails stops lowering.
    let mut mem = Mem {
        fixed_result: Some(62),
        ..Mem::new(64)
    };
    let err = block_on(lower_values(
        &mut mem,
        &UTF16,
        &mut NoHandles,
        16,
        Spill::Realloc,
        &[s("abc")],
        &[Type::String],
    ));
    assert_contains(&err.unwrap_err().message, "beyond end of memory");
    assert_eq!(mem.calls, [(0, 0, 2, 6)]);
}

#[test]
fn out_pointers_are_checked_before_any_realloc() {
    let ts = [tuple(vec![Type::String, Type::U32])];
    let vals = [Val::Tuple(vec![s("x"), Val::U32(1)])];
    let mut mem = Mem::new(64);
    assert_contains(
        &lower_err(&mut mem, Spill::OutPointer(2), 1, &vals, &ts),
        "unaligned pointer",
    );
    assert_contains(
        &lower_err(&mut mem, Spill::OutPointer(60), 1, &vals, &ts),
        "pointer out of bounds of memory",
    );
    assert_contains(
        &lower_err(&mut mem, Spill::OutPointer(u32::MAX - 3), 1, &vals, &ts),
        "out of bounds",
    );
    assert!(mem.calls.is_empty());
    // And again in phase two, against the memory it is given.
    let allocs = block_on(allocate(
        &mut mem,
        &UTF8,
        1,
        Spill::OutPointer(48),
        &vals,
        &ts,
    ))
    .unwrap();
    let err = lower_flat_values(
        &mut [0u8; 32],
        &UTF8,
        &mut NoHandles,
        &allocs,
        1,
        Spill::OutPointer(48),
        &vals,
        &ts,
    );
    assert_contains(&err.unwrap_err().message, "out of bounds");
}

#[test]
fn ill_typed_values_are_rejected_before_any_realloc() {
    let t = record(&[("name", Type::String), ("tags", flags_n(2))]);
    let bad = [
        (
            Val::Record(vec![
                ("name".into(), Val::U32(1)),
                ("tags".into(), Val::Flags(vec![])),
            ]),
            "field `name`: expected string, found u32",
        ),
        (
            Val::Record(vec![
                ("name".into(), s("x")),
                ("tags".into(), Val::Flags(vec!["nope".into()])),
            ]),
            "field `tags`: unknown flag `nope`",
        ),
        (
            Val::Record(vec![("name".into(), s("x"))]),
            "missing field `tags`",
        ),
        (
            Val::Record(vec![
                ("tags".into(), Val::Flags(vec![])),
                ("name".into(), s("x")),
            ]),
            "expected field `name`, found field `tags`",
        ),
        (Val::U8(1), "expected record"),
    ];
    for (v, message) in bad {
        assert_contains(&type_check(&v, &t).unwrap_err(), message);
        let mut mem = Mem::new(256);
        assert_contains(
            &lower_err(&mut mem, Spill::Realloc, 16, &[v], std::slice::from_ref(&t)),
            message,
        );
        assert!(mem.calls.is_empty());
    }
    let checks = [
        (enum_(&["a"]), Val::Enum("b".into()), "unknown case `b`"),
        (
            variant(&[("a", Some(Type::U8))]),
            case("a", None),
            "expects a payload",
        ),
        (
            variant(&[("a", None)]),
            case("a", Some(Val::U8(1))),
            "has no payload",
        ),
        (
            list(Type::U8),
            Val::List(vec![Val::U8(1), Val::U16(2)]),
            "element 1: expected u8, found u16",
        ),
        (
            fixed(Type::U8, 2),
            Val::List(vec![Val::U8(1)]),
            "of 2 elements, found 1 elements",
        ),
        (
            result(Some(Type::U8), None),
            Val::Result(Err(Some(Box::new(Val::U8(1))))),
            "case `err` has no payload",
        ),
        (
            option(list(Type::Char)),
            some(Val::List(vec![Val::U8(0)])),
            "some: element 0: expected char",
        ),
        (
            map(Type::String, Type::U8),
            Val::Map(vec![(s("k"), s("v"))]),
            "value of map entry 0: expected u8",
        ),
        (
            Type::Own(ResourceType(1)),
            Val::Resource(Resource {
                ty: ResourceType(2),
                rep: 0,
                own: true,
            }),
            "expected own<resource-1>",
        ),
        (
            Type::Own(ResourceType(1)),
            Val::Resource(Resource {
                ty: ResourceType(1),
                rep: 0,
                own: false,
            }),
            "borrowed",
        ),
        (
            flags_n(2),
            Val::Flags(vec!["f0".into(), "f0".into()]),
            "set twice",
        ),
    ];
    for (t, v, message) in checks {
        assert_contains(&type_check(&v, &t).unwrap_err(), message);
    }
    assert!(type_check(
        &Val::Resource(Resource {
            ty: ResourceType(1),
            rep: 0,
            own: true
        }),
        &Type::Borrow(ResourceType(1))
    )
    .is_ok());
    assert_contains(
        &lower_err(&mut Mem::new(64), Spill::Realloc, 16, &[Val::U8(1)], &[]),
        "expected 0 values, found 1",
    );
}

#[test]
fn phase_two_with_other_values_traps_instead_of_panicking() {
    let ts = [list(Type::String)];
    let vals = [Val::List(vec![s("ab"), s("c")])];
    let mut mem = Mem::new(256);
    let allocs = block_on(allocate(&mut mem, &UTF8, 16, Spill::Realloc, &vals, &ts)).unwrap();
    let others: [&[Val]; 4] = [
        &[Val::List(vec![s("ab")])],
        &[Val::List(vec![s("ab"), s("cd")])],
        &[Val::List(vec![s("ab"), s("c"), s("")])],
        &[Val::U8(1)],
    ];
    for other in others {
        let err = lower_flat_values(
            &mut mem.mem,
            &UTF8,
            &mut NoHandles,
            &allocs,
            16,
            Spill::Realloc,
            other,
            &ts,
        );
        assert!(err.is_err(), "{other:?}");
    }
    // Spilled in phase one, not in phase two.
    let spilled = block_on(allocate(&mut mem, &UTF8, 0, Spill::Realloc, &vals, &ts)).unwrap();
    let err = lower_flat_values(
        &mut mem.mem,
        &UTF8,
        &mut NoHandles,
        &spilled,
        16,
        Spill::Realloc,
        &vals,
        &ts,
    );
    assert!(err.is_err());
    // A memory smaller than phase one's is a trap too.
    let err = lower_flat_values(
        &mut [0u8; 8],
        &UTF8,
        &mut NoHandles,
        &allocs,
        16,
        Spill::Realloc,
        &vals,
        &ts,
    );
    assert_contains(&err.unwrap_err().message, "out of bounds");
}

#[test]
fn zero_sized_elements_allocate_zero_bytes() {
    let vals = [
        Val::List(vec![Val::Tuple(vec![]); 3]),
        Val::List(vec![Val::U64(0); 3]),
    ];
    let ts = [list(tuple(vec![])), list(Type::U64)];
    let mut mem = Mem::new(256);
    let (_, back) = roundtrip(
        &mut mem,
        &mut Table::default(),
        &UTF8,
        16,
        false,
        &vals,
        &ts,
    )
    .unwrap();
    assert_eq!(back, vals);
    assert_eq!(mem.calls[0], (0, 0, 1, 0));
    assert_eq!(mem.calls[1], (0, 0, 8, 24));
}

// ---- Resources. ----

#[test]
fn resources_go_through_the_handle_table() {
    let r = ResourceType(7);
    let own = Val::Resource(Resource {
        ty: r,
        rep: 100,
        own: true,
    });
    let borrow = Val::Resource(Resource {
        ty: r,
        rep: 101,
        own: false,
    });
    let ts = [Type::Own(r), Type::Borrow(r), option(Type::Own(r))];
    let vals = [own.clone(), borrow.clone(), some(own.clone())];
    let mut table = Table::default();
    let (flat, back) =
        roundtrip(&mut Mem::new(64), &mut table, &UTF8, 16, false, &vals, &ts).unwrap();
    assert_eq!(flat, i32s(&[1, 2, 1, 3]));
    assert_eq!(back, vals);
    // Owned handles moved out of the table when lifted; the borrow stays.
    assert_eq!(table.slots.iter().filter(|s| s.is_some()).count(), 1);
    // Lifting the moved handle again fails in the table.
    let err =
        lift_flat_values(&[], &UTF8, &mut table, 16, &i32s(&[1]), &[Type::Own(r)]).unwrap_err();
    assert_eq!(err.message, "unknown handle index 1");
    // A borrow lifted from an own handle (the table decides) is not owned.
    let mut table = Table::default();
    block_on(lower_values(
        &mut Mem::new(64),
        &UTF8,
        &mut table,
        16,
        Spill::Realloc,
        std::slice::from_ref(&own),
        &[Type::Own(r)],
    ))
    .unwrap();
    let back =
        lift_flat_values(&[], &UTF8, &mut table, 16, &i32s(&[1]), &[Type::Borrow(r)]).unwrap();
    assert_eq!(
        back,
        [Val::Resource(Resource {
            ty: r,
            rep: 100,
            own: false
        })]
    );
    // Without a table, resources trap.
    let err =
        lift_flat_values(&[], &UTF8, &mut NoHandles, 16, &i32s(&[1]), &[Type::Own(r)]).unwrap_err();
    assert_contains(&err.message, "resources are not supported");
    let err = block_on(lower_values(
        &mut Mem::new(64),
        &UTF8,
        &mut NoHandles,
        16,
        Spill::Realloc,
        &[own],
        &[Type::Own(r)],
    ));
    assert_contains(&err.unwrap_err().message, "resources are not supported");
}

#[test]
fn allocate_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    let mut mem = Mem::new(64);
    let fut = allocate(&mut mem, &UTF8, 16, Spill::Realloc, &[], &[]);
    assert_send(&fut);
    assert_eq!(block_on(fut).unwrap(), Default::default());
}
