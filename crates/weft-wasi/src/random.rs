//! `wasi:random`: secure and insecure random bytes, and the insecure seed.

use weft_runtime::Linker;

use crate::{RandomSource, WasiCtx, WasiView};

/// The most bytes one call returns; the WIT lets hosts trap beyond a reasonable size, and a
/// guest asking for more than this is more likely a bug than a need.
const MAX_BYTES: u64 = 64 << 20;

fn secure(ctx: &mut WasiCtx, buf: &mut [u8]) -> Result<(), String> {
    match &mut ctx.random {
        RandomSource::Os => {
            getrandom::fill(buf).map_err(|e| format!("the OS random generator failed: {e}"))
        }
        RandomSource::Seeded(g) => {
            g.fill(buf);
            Ok(())
        }
    }
}

fn len(n: u64) -> Result<usize, String> {
    if n > MAX_BYTES {
        return Err(format!(
            "the guest asked for {n} random bytes at once; weft gives at most {MAX_BYTES}"
        ));
    }
    Ok(n as usize)
}

pub(crate) fn add<T: WasiView>(l: &mut Linker<T>) {
    const RANDOM: &str = "wasi:random/random@0.2.12";
    l.instance_func_wrap(RANDOM, "get-random-bytes", |t: &mut T, (n,): (u64,)| {
        let mut buf = vec![0u8; len(n)?];
        secure(t.wasi(), &mut buf)?;
        Ok(buf)
    });
    l.instance_func_wrap(RANDOM, "get-random-u64", |t: &mut T, (): ()| {
        let mut buf = [0u8; 8];
        secure(t.wasi(), &mut buf)?;
        Ok(u64::from_le_bytes(buf))
    });

    const INSECURE: &str = "wasi:random/insecure@0.2.12";
    l.instance_func_wrap(
        INSECURE,
        "get-insecure-random-bytes",
        |t: &mut T, (n,): (u64,)| {
            let mut buf = vec![0u8; len(n)?];
            t.wasi().insecure.fill(&mut buf);
            Ok(buf)
        },
    );
    l.instance_func_wrap(INSECURE, "get-insecure-random-u64", |t: &mut T, (): ()| {
        Ok(t.wasi().insecure.next_u64())
    });
    l.instance_func_wrap(
        "wasi:random/insecure-seed@0.2.12",
        "insecure-seed",
        |t: &mut T, (): ()| Ok(t.wasi().insecure_seed),
    );
}
