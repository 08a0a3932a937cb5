//! Lowering strings lifted from another guest: the `realloc` calls of spec
//! `store_string_into_range` for every source encoding (utf8, utf16, latin1+utf16 tagged
//! Latin-1 or UTF-16) and destination encoding, through
//! [`lift_flat_values_with_sources`] and [`allocate_with_sources`].

mod common;

use common::{list, option, record, s, some, Mem};
use futures::executor::block_on;
use weft_abi::abi::{
    allocate, allocate_with_sources, lift_flat_values, lift_flat_values_with_sources,
    lower_flat_values, lower_values, CoreVal, NoHandles, Options, Spill, StringSource,
};
use weft_abi::{StringEncoding, Type, Val};

const TAG: u32 = 1 << 31;
const UTF8: Options = Options {
    encoding: StringEncoding::Utf8,
};
const UTF16: Options = Options {
    encoding: StringEncoding::Utf16,
};
const LATIN1: Options = Options {
    encoding: StringEncoding::Latin1Utf16,
};

/// A string in the source guest's memory: its encoding, as the spec's (encoding, tag) pairs.
#[derive(Copy, Clone, Debug)]
enum Src {
    Utf8,
    Utf16,
    /// `latin1+utf16`, Latin-1.
    Latin1,
    /// `latin1+utf16`, tagged UTF-16.
    Tagged,
}

/// A `realloc(old_ptr, old_size, align, new_size)` call, `old_ptr` as the index (+1) of the
/// call that returned it (0 stays 0).
type Call = (u32, u32, u32, u32);

fn utf16le(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn latin1(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap())
        .collect()
}

/// The source options, bytes and tagged code-unit count of `text` as `src`.
fn encode(src: Src, text: &str) -> (Options, Vec<u8>, u32) {
    match src {
        Src::Utf8 => (UTF8, text.into(), text.len() as u32),
        Src::Utf16 => (UTF16, utf16le(text), text.encode_utf16().count() as u32),
        Src::Latin1 => (LATIN1, latin1(text), text.chars().count() as u32),
        Src::Tagged => (
            LATIN1,
            utf16le(text),
            text.encode_utf16().count() as u32 | TAG,
        ),
    }
}

/// The bytes of `text` in a destination encoding, for its final tagged length.
fn dst_bytes(opts: Options, text: &str, len: u32) -> Vec<u8> {
    match opts.encoding {
        StringEncoding::Utf8 => text.into(),
        StringEncoding::Utf16 => utf16le(text),
        StringEncoding::Latin1Utf16 if len & TAG != 0 => utf16le(text),
        StringEncoding::Latin1Utf16 => latin1(text),
    }
}

/// Lifts `text` from a source guest's memory in `src`, lowers it into a destination guest
/// with `dst` (with the recorded source), and returns the destination's `realloc` calls and
/// the string's tagged length; checks the bytes at the final pointer and that they lift back.
fn transcode(src: Src, dst: Options, text: &str, moving: bool) -> (Vec<Call>, u32) {
    let (src_opts, bytes, tagged) = encode(src, text);
    let mut src_mem = vec![0u8; 64];
    src_mem[16..16 + bytes.len()].copy_from_slice(&bytes);
    let flat = [CoreVal::I32(16), CoreVal::I32(tagged as i32)];
    let (vals, sources) = lift_flat_values_with_sources(
        &src_mem,
        &src_opts,
        &mut NoHandles,
        16,
        &flat,
        &[Type::String],
    )
    .unwrap();
    assert_eq!(vals, [s(text)]);
    assert_eq!(
        sources,
        [StringSource {
            encoding: src_opts.encoding,
            tagged_code_units: tagged,
        }]
    );

    let mut mem = if moving {
        Mem::moving(4096)
    } else {
        Mem::new(4096)
    };
    let ts = [Type::String];
    let allocs = block_on(allocate_with_sources(
        &mut mem,
        &dst,
        16,
        Spill::Realloc,
        &vals,
        &ts,
        &sources,
    ))
    .unwrap();
    let out = lower_flat_values(
        &mut mem.mem,
        &dst,
        &mut NoHandles,
        &allocs,
        16,
        Spill::Realloc,
        &vals,
        &ts,
    )
    .unwrap();
    let [CoreVal::I32(ptr), CoreVal::I32(len)] = out[..] else {
        panic!("{out:?}")
    };
    let (ptr, len) = (ptr as u32, len as u32);
    assert_eq!(
        ptr,
        *mem.results.last().unwrap(),
        "the string is at the last result"
    );
    let want = dst_bytes(dst, text, len);
    assert_eq!(&mem.mem[ptr as usize..ptr as usize + want.len()], &want[..]);
    let back = lift_flat_values(&mem.mem, &dst, &mut NoHandles, 16, &out, &ts).unwrap();
    assert_eq!(back, vals);
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
        .collect();
    (calls, len)
}

#[test]
fn realloc_sequences_follow_the_source_encoding() {
    #[rustfmt::skip]
    let cases: Vec<(Src, Options, &str, Vec<Call>, u32)> = vec![
        // Into utf8.
        // store_string_copy(…, 1, 1): the exact size.
        (Src::Utf8, UTF8, "héllo", vec![(0, 0, 1, 6)], 6),
        (Src::Utf8, UTF8, "", vec![(0, 0, 1, 0)], 0),
        // store_utf16_to_utf8: one byte per code unit, grown to 3 per code unit at the first
        // non-ASCII character, shrunk to the UTF-8 length if shorter.
        (Src::Utf16, UTF8, "abc", vec![(0, 0, 1, 3)], 3),
        (Src::Utf16, UTF8, "héllo", vec![(0, 0, 1, 5), (1, 5, 1, 15), (2, 15, 1, 6)], 6),
        (Src::Utf16, UTF8, "😀", vec![(0, 0, 1, 2), (1, 2, 1, 6), (2, 6, 1, 4)], 4),
        (Src::Utf16, UTF8, "☃☃", vec![(0, 0, 1, 2), (1, 2, 1, 6)], 6),
        (Src::Utf16, UTF8, "", vec![(0, 0, 1, 0)], 0),
        (Src::Tagged, UTF8, "h☃", vec![(0, 0, 1, 2), (1, 2, 1, 6), (2, 6, 1, 4)], 4),
        (Src::Tagged, UTF8, "hi", vec![(0, 0, 1, 2)], 2),
        // store_latin1_to_utf8: the same with 2 bytes per code unit.
        (Src::Latin1, UTF8, "abc", vec![(0, 0, 1, 3)], 3),
        (Src::Latin1, UTF8, "héllo", vec![(0, 0, 1, 5), (1, 5, 1, 10), (2, 10, 1, 6)], 6),
        (Src::Latin1, UTF8, "éÿ", vec![(0, 0, 1, 2), (1, 2, 1, 4)], 4),
        // Into utf16.
        // store_utf8_to_utf16: 2 bytes per UTF-8 byte, shrunk if shorter.
        (Src::Utf8, UTF16, "héllo", vec![(0, 0, 2, 12), (1, 12, 2, 10)], 5),
        (Src::Utf8, UTF16, "abc", vec![(0, 0, 2, 6)], 3),
        // store_string_copy(…, 2, 2) from UTF-16 or Latin-1: the exact size.
        (Src::Utf16, UTF16, "a☃", vec![(0, 0, 2, 4)], 2),
        (Src::Utf16, UTF16, "😀", vec![(0, 0, 2, 4)], 2),
        (Src::Utf16, UTF16, "", vec![(0, 0, 2, 0)], 0),
        (Src::Tagged, UTF16, "h☃", vec![(0, 0, 2, 4)], 2),
        (Src::Tagged, UTF16, "hi", vec![(0, 0, 2, 4)], 2),
        (Src::Latin1, UTF16, "héllo", vec![(0, 0, 2, 10)], 5),
        // Into latin1+utf16.
        // store_string_to_latin1_or_utf16 from utf8 (code units: bytes)...
        (Src::Utf8, LATIN1, "héllo", vec![(0, 0, 2, 6), (1, 6, 2, 5)], 5),
        (Src::Utf8, LATIN1, "a☃", vec![(0, 0, 2, 4), (1, 4, 2, 8), (2, 8, 2, 4)], 2 | TAG),
        // ... and from utf16 (code units: UTF-16's, so the guesses are exact).
        (Src::Utf16, LATIN1, "héllo", vec![(0, 0, 2, 5)], 5),
        (Src::Utf16, LATIN1, "a☃", vec![(0, 0, 2, 2), (1, 2, 2, 4)], 2 | TAG),
        (Src::Utf16, LATIN1, "😀", vec![(0, 0, 2, 2), (1, 2, 2, 4)], 2 | TAG),
        (Src::Utf16, LATIN1, "", vec![(0, 0, 2, 0)], 0),
        // store_string_copy(…, 1, 2) from Latin-1.
        (Src::Latin1, LATIN1, "héllo", vec![(0, 0, 2, 5)], 5),
        (Src::Latin1, LATIN1, "", vec![(0, 0, 2, 0)], 0),
        // store_probably_utf16_to_latin1_or_utf16 from tagged UTF-16: the UTF-16 size, kept
        // if some character is outside Latin-1, else always shrunk, with alignment 1.
        (Src::Tagged, LATIN1, "h☃", vec![(0, 0, 2, 4)], 2 | TAG),
        (Src::Tagged, LATIN1, "😀", vec![(0, 0, 2, 4)], 2 | TAG),
        (Src::Tagged, LATIN1, "hi", vec![(0, 0, 2, 4), (1, 4, 1, 2)], 2),
        (Src::Tagged, LATIN1, "ÿ", vec![(0, 0, 2, 2), (1, 2, 1, 1)], 1),
        (Src::Tagged, LATIN1, "", vec![(0, 0, 2, 0), (1, 0, 1, 0)], 0),
    ];
    for (src, dst, text, calls, len) in cases {
        for moving in [false, true] {
            let what = format!("{src:?} → {:?} {text:?} (moving: {moving})", dst.encoding);
            let (got_calls, got_len) = transcode(src, dst, text, moving);
            assert_eq!(got_calls, calls, "{what}");
            assert_eq!(got_len, len, "{what}");
        }
    }
}

#[test]
fn utf8_sources_match_host_strings() {
    // `StringSource::utf8` is what `allocate` assumes for host strings.
    for opts in [UTF8, UTF16, LATIN1] {
        for text in ["", "abc", "héllo", "a☃", "😀"] {
            let vals = [s(text)];
            let ts = [Type::String];
            let mut host = Mem::new(4096);
            block_on(allocate(&mut host, &opts, 16, Spill::Realloc, &vals, &ts)).unwrap();
            let mut sourced = Mem::new(4096);
            let sources = [StringSource::utf8(text).unwrap()];
            block_on(allocate_with_sources(
                &mut sourced,
                &opts,
                16,
                Spill::Realloc,
                &vals,
                &ts,
                &sources,
            ))
            .unwrap();
            assert_eq!(host.calls, sourced.calls, "{:?} {text:?}", opts.encoding);
        }
    }
}

/// Nested strings, lowered by the host into a latin1+utf16 guest (Latin-1 where they fit,
/// else UTF-16), lifted from it with their sources (flat and spilled through memory), then
/// lowered into another latin1+utf16 guest: each string's calls follow its own source, in
/// traversal order.
#[test]
fn sources_are_recorded_in_traversal_order() {
    let ts = [
        list(Type::String),
        record(&[("a", Type::String), ("b", option(Type::String))]),
    ];
    let vals = [
        Val::List(vec![s("é"), s("a☃")]),
        Val::Record(vec![("a".into(), s("abc")), ("b".into(), some(s("😀x")))]),
    ];
    // Latin-1 "é" and "abc" are copied (1 and 3 bytes); UTF-16 "a☃" and "😀x" keep their
    // UTF-16 size (4 and 6 bytes). (As host strings they would be 2 + shrink, 4 + grow +
    // shrink, 3, and 5 + grow + shrink.)
    let strings = [(0, 0, 2, 1), (0, 0, 2, 4), (0, 0, 2, 3), (0, 0, 2, 6)];
    for max_flat in [16, 1] {
        let mut src = Mem::new(4096);
        let flat = block_on(lower_values(
            &mut src,
            &LATIN1,
            &mut NoHandles,
            max_flat,
            Spill::Realloc,
            &vals,
            &ts,
        ))
        .unwrap();
        let (lifted, sources) =
            lift_flat_values_with_sources(&src.mem, &LATIN1, &mut NoHandles, max_flat, &flat, &ts)
                .unwrap();
        assert_eq!(lifted, vals);
        let tagged = |n: u32| StringSource {
            encoding: StringEncoding::Latin1Utf16,
            tagged_code_units: n,
        };
        assert_eq!(
            sources,
            [tagged(1), tagged(2 | TAG), tagged(3), tagged(3 | TAG)]
        );

        let mut dst = Mem::new(4096);
        block_on(allocate_with_sources(
            &mut dst,
            &LATIN1,
            max_flat,
            Spill::Realloc,
            &lifted,
            &ts,
            &sources,
        ))
        .unwrap();
        let mut want = Vec::new();
        if max_flat == 1 {
            // The spilled tuple: the list (8 bytes), then the record (8 + 12).
            want.push((0, 0, 4, 28));
        }
        want.push((0, 0, 4, 16)); // the list of 2 strings
        want.extend(strings);
        let no_old = |c: &(u32, u32, u32, u32)| (0, c.1, c.2, c.3);
        assert_eq!(
            dst.calls.iter().map(no_old).collect::<Vec<_>>(),
            want,
            "max_flat {max_flat}"
        );
    }
}

#[test]
fn sources_that_do_not_match_trap() {
    let ts = [Type::String, Type::String];
    let vals = [s("a☃"), s("hé")];
    let utf16 = |n| StringSource {
        encoding: StringEncoding::Utf16,
        tagged_code_units: n,
    };
    let latin1 = |n| StringSource {
        encoding: StringEncoding::Latin1Utf16,
        tagged_code_units: n,
    };
    let cases: Vec<(Vec<StringSource>, &str)> = vec![
        (vec![utf16(2)], "string sources do not match"),
        (
            vec![utf16(2), utf16(2), utf16(2)],
            "string sources do not match",
        ),
        // The UTF-8 length, or a Latin-1 source of a string outside Latin-1.
        (vec![utf16(4), utf16(2)], "does not describe"),
        (vec![latin1(2), latin1(2)], "does not describe"),
        (vec![utf16(2), latin1(3)], "does not describe"),
    ];
    for (sources, message) in cases {
        for opts in [UTF8, UTF16, LATIN1] {
            let mut mem = Mem::new(4096);
            let err = block_on(allocate_with_sources(
                &mut mem,
                &opts,
                16,
                Spill::Realloc,
                &vals,
                &ts,
                &sources,
            ))
            .unwrap_err();
            assert!(err.message.contains(message), "{sources:?}: {err}");
            assert!(mem.calls.is_empty(), "no `realloc` before the trap");
        }
    }
    // Matching ones are fine.
    let mut mem = Mem::new(4096);
    block_on(allocate_with_sources(
        &mut mem,
        &LATIN1,
        16,
        Spill::Realloc,
        &vals,
        &ts,
        &[utf16(2), latin1(2)],
    ))
    .unwrap();
    assert_eq!(mem.calls, [(0, 0, 2, 2), (16, 2, 2, 4), (0, 0, 2, 2)]);
}
