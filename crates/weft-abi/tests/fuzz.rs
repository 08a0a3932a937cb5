//! A deterministic fuzz smoke test: random types and values lowered then lifted come back
//! equal, and lifting random guest memory and core values never panics.

mod common;

use std::sync::Arc;

use common::*;
use futures::executor::block_on;
use weft_abi::abi::{
    flatten_types, lift_flat_values, load, lower_values, type_check, CoreType, CoreVal, Options,
    Spill, StringEncoding,
};
use weft_abi::{
    EnumType, FlagsType, RecordType, Resource, ResourceType, ResultType, Type, Val, VariantType,
};

/// xorshift64*: small, deterministic, good enough to pick shapes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn usize(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    fn chance(&mut self, one_in: u64) -> bool {
        self.below(one_in) == 0
    }
}

fn names(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

fn gen_type(rng: &mut Rng, depth: u32) -> Type {
    let leaf = depth == 0 || rng.chance(3);
    if leaf {
        return match rng.below(20) {
            0 => Type::Bool,
            1 => Type::S8,
            2 => Type::U8,
            3 => Type::S16,
            4 => Type::U16,
            5 => Type::S32,
            6 => Type::U32,
            7 => Type::S64,
            8 => Type::U64,
            9 => Type::F32,
            10 => Type::F64,
            11 => Type::Char,
            12..=16 => Type::String,
            17 => Type::Own(ResourceType(rng.below(3) as u32)),
            18 => Type::Borrow(ResourceType(rng.below(3) as u32)),
            _ => Type::Flags(Arc::new(FlagsType {
                names: names("f", 1 + rng.usize(70)),
            })),
        };
    }
    let d = depth - 1;
    match rng.below(10) {
        0 => Type::List(Arc::new(gen_type(rng, d))),
        1 => Type::FixedList(Arc::new(gen_type(rng, d)), 1 + rng.below(4) as u32),
        2 => Type::Map(Arc::new((gen_type(rng, d), gen_type(rng, d)))),
        3 => Type::Record(Arc::new(RecordType {
            fields: names("r", 1 + rng.usize(4))
                .into_iter()
                .map(|n| (n, gen_type(rng, d)))
                .collect(),
        })),
        4 => Type::Tuple((0..1 + rng.usize(4)).map(|_| gen_type(rng, d)).collect()),
        5 => Type::Variant(Arc::new(VariantType {
            cases: names("v", 1 + rng.usize(4))
                .into_iter()
                .map(|n| (n, (!rng.chance(3)).then(|| gen_type(rng, d))))
                .collect(),
        })),
        6 => Type::Enum(Arc::new(EnumType {
            cases: names(
                "e",
                if rng.chance(8) {
                    257 + rng.usize(300)
                } else {
                    1 + rng.usize(5)
                },
            ),
        })),
        7 => Type::Option(Arc::new(gen_type(rng, d))),
        8 => Type::Result(Arc::new(ResultType {
            ok: (!rng.chance(3)).then(|| gen_type(rng, d)),
            err: (!rng.chance(3)).then(|| gen_type(rng, d)),
        })),
        _ => gen_type(rng, d),
    }
}

fn gen_string(rng: &mut Rng) -> String {
    const POOL: &[char] = &[
        'a', 'Z', ' ', '\0', 'é', 'ÿ', '\u{80}', 'Ā', '☃', '\u{ffff}', '😀', '𝄞',
    ];
    let n = rng.usize(12);
    // Some strings all-ASCII, some Latin-1, some anything, to hit every latin1+utf16 path.
    let pool = match rng.below(3) {
        0 => &POOL[..4],
        1 => &POOL[..7],
        _ => POOL,
    };
    (0..n).map(|_| pool[rng.usize(pool.len())]).collect()
}

fn gen_val(rng: &mut Rng, t: &Type) -> Val {
    match t {
        Type::Bool => Val::Bool(rng.chance(2)),
        Type::S8 => Val::S8(rng.next() as i8),
        Type::U8 => Val::U8(rng.next() as u8),
        Type::S16 => Val::S16(rng.next() as i16),
        Type::U16 => Val::U16(rng.next() as u16),
        Type::S32 => Val::S32(rng.next() as i32),
        Type::U32 => Val::U32(rng.next() as u32),
        Type::S64 => Val::S64(rng.next() as i64),
        Type::U64 => Val::U64(rng.next()),
        Type::F32 => Val::F32(f32::from_bits(rng.next() as u32)),
        Type::F64 => Val::F64(f64::from_bits(rng.next())),
        Type::Char => Val::Char(loop {
            if let Some(c) = char::from_u32(rng.below(0x11_0000) as u32) {
                break c;
            }
        }),
        Type::String => Val::String(gen_string(rng)),
        Type::List(e) => Val::List((0..rng.usize(5)).map(|_| gen_val(rng, e)).collect()),
        Type::FixedList(e, n) => Val::List((0..*n).map(|_| gen_val(rng, e)).collect()),
        Type::Map(kv) => Val::Map(
            (0..rng.usize(4))
                .map(|_| (gen_val(rng, &kv.0), gen_val(rng, &kv.1)))
                .collect(),
        ),
        Type::Record(r) => Val::Record(
            r.fields
                .iter()
                .map(|(n, t)| (n.clone(), gen_val(rng, t)))
                .collect(),
        ),
        Type::Tuple(ts) => Val::Tuple(ts.iter().map(|t| gen_val(rng, t)).collect()),
        Type::Variant(v) => {
            let (name, pt) = &v.cases[rng.usize(v.cases.len())];
            Val::Variant(name.clone(), pt.as_ref().map(|t| Box::new(gen_val(rng, t))))
        }
        Type::Enum(e) => Val::Enum(e.cases[rng.usize(e.cases.len())].clone()),
        Type::Option(t) => Val::Option((!rng.chance(3)).then(|| Box::new(gen_val(rng, t)))),
        Type::Result(r) => match rng.chance(2) {
            true => Val::Result(Ok(r.ok.as_ref().map(|t| Box::new(gen_val(rng, t))))),
            false => Val::Result(Err(r.err.as_ref().map(|t| Box::new(gen_val(rng, t))))),
        },
        Type::Flags(f) => Val::Flags(f.names.iter().filter(|_| rng.chance(2)).cloned().collect()),
        Type::Own(rt) => Val::Resource(Resource {
            ty: *rt,
            rep: rng.next() as u32,
            own: true,
        }),
        Type::Borrow(rt) => Val::Resource(Resource {
            ty: *rt,
            rep: rng.next() as u32,
            own: false,
        }),
    }
}

fn gen_opts(rng: &mut Rng) -> Options {
    let encoding = match rng.below(3) {
        0 => StringEncoding::Utf8,
        1 => StringEncoding::Utf16,
        _ => StringEncoding::Latin1Utf16,
    };
    Options { encoding }
}

#[test]
fn lower_then_lift_round_trips() {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    // How many `realloc` calls, chained (string) calls and spilled lowerings the run made.
    let (mut calls, mut chained, mut spilled) = (0, 0, 0);
    for i in 0..2000 {
        let ts: Vec<Type> = (0..rng.usize(5)).map(|_| gen_type(&mut rng, 3)).collect();
        let vals: Vec<Val> = ts.iter().map(|t| gen_val(&mut rng, t)).collect();
        for (v, t) in vals.iter().zip(&ts) {
            type_check(v, t).unwrap_or_else(|e| panic!("generated value does not check: {e}"));
        }
        let opts = gen_opts(&mut rng);
        let max_flat = [0, 1, 4, 16][rng.usize(4)];
        let out_pointer = rng.chance(2);
        let mut mem = if rng.chance(2) {
            Mem::moving(1 << 18)
        } else {
            Mem::new(1 << 18)
        };
        let (_, back) = roundtrip(
            &mut mem,
            &mut Table::default(),
            &opts,
            max_flat,
            out_pointer,
            &vals,
            &ts,
        )
        .unwrap_or_else(|e| panic!("iteration {i}: {ts:?} {vals:?}: {e}"));
        assert!(
            same(&back, &vals),
            "iteration {i}: {ts:?}\n{vals:?}\n!=\n{back:?}"
        );
        calls += mem.calls.len();
        chained += mem.calls.iter().filter(|c| c.0 != 0).count();
        spilled += usize::from(flatten_types(&ts).len() > max_flat);
    }
    eprintln!("{calls} realloc calls, {chained} chained, {spilled} spilled");
    assert!(
        calls > 5000 && chained > 500 && spilled > 500,
        "{calls} {chained} {spilled}"
    );
}

#[test]
fn lifting_garbage_never_panics() {
    let mut rng = Rng(0x0bad_cafe_0000_0042);
    let mut outcomes = [0usize; 2];
    for _ in 0..2000 {
        let ts: Vec<Type> = (0..1 + rng.usize(3))
            .map(|_| gen_type(&mut rng, 3))
            .collect();
        let opts = gen_opts(&mut rng);
        // Small memory, mostly small numbers so that pointers sometimes land in it.
        let mut bytes = vec![0u8; 256 + rng.usize(512)];
        for b in bytes.iter_mut() {
            *b = match rng.below(4) {
                0 => rng.next() as u8,
                _ => rng.below(8) as u8,
            };
        }
        let small = |rng: &mut Rng| match rng.below(4) {
            0 => rng.next(),
            _ => rng.below(64),
        };
        let truncate = rng.chance(20);
        let mut flat: Vec<CoreVal> = flatten_types(&ts)
            .into_iter()
            .map(|t| match (rng.chance(50), t) {
                (true, _) => CoreVal::F64(0.0),
                (_, CoreType::I32) => CoreVal::I32(small(&mut rng) as i32),
                (_, CoreType::I64) => CoreVal::I64(small(&mut rng) as i64),
                (_, CoreType::F32) => CoreVal::F32(f32::from_bits(rng.next() as u32)),
                (_, CoreType::F64) => CoreVal::F64(f64::from_bits(rng.next())),
            })
            .collect();
        if truncate {
            flat.truncate(1);
        }
        let max_flat = [0, 1, 16][rng.usize(3)];
        let flat = match flatten_types(&ts).len() > max_flat {
            true => vec![CoreVal::I32(small(&mut rng) as i32)],
            false => flat,
        };
        let mut table = Table::default();
        for _ in 0..4 {
            let r = Resource {
                ty: ResourceType(rng.below(3) as u32),
                rep: 0,
                own: rng.chance(2),
            };
            block_on(lower_values(
                &mut Mem::new(64),
                &opts,
                &mut table,
                16,
                Spill::Realloc,
                &[Val::Resource(r)],
                &[Type::Borrow(r.ty)],
            ))
            .unwrap();
        }
        let r = lift_flat_values(&bytes, &opts, &mut table, max_flat, &flat, &ts);
        outcomes[usize::from(r.is_ok())] += 1;
        let ptr = small(&mut rng) as u32;
        let _ = load(&bytes, &opts, &mut table, ptr, &ts[0]);
    }
    // Both outcomes happen, so the test exercises more than the first check.
    assert!(outcomes[0] > 100 && outcomes[1] > 100, "{outcomes:?}");
}
