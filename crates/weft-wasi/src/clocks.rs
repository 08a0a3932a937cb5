//! `wasi:clocks`: the wall clock and the monotonic clock with its timers.

use std::sync::Arc;
use std::time::Instant;

use weft_runtime::{Linker, Val};

use crate::io::{new_pollable, Pollable};
use crate::{WasiTypes, WasiView};

fn datetime(d: std::time::Duration) -> Val {
    Val::Record(vec![
        ("seconds".into(), Val::U64(d.as_secs())),
        ("nanoseconds".into(), Val::U32(d.subsec_nanos())),
    ])
}

pub(crate) fn add<T: WasiView>(l: &mut Linker<T>, types: &Arc<WasiTypes>) {
    const WALL: &str = "wasi:clocks/wall-clock@0.2.12";
    l.instance_func_wrap(WALL, "now", |t: &mut T, (): ()| {
        Ok(datetime(t.wasi().wall_clock.now()))
    });
    l.instance_func_wrap(WALL, "resolution", |t: &mut T, (): ()| {
        Ok(datetime(t.wasi().wall_clock.resolution()))
    });

    const MONO: &str = "wasi:clocks/monotonic-clock@0.2.12";
    l.instance_func_wrap(MONO, "now", |t: &mut T, (): ()| {
        Ok(t.wasi().monotonic_clock.now())
    });
    l.instance_func_wrap(MONO, "resolution", |t: &mut T, (): ()| {
        Ok(t.wasi().monotonic_clock.resolution())
    });
    let ty = types.clone();
    l.instance_func_wrap(
        MONO,
        "subscribe-instant",
        move |t: &mut T, (when,): (u64,)| {
            let ctx = t.wasi();
            let at = ctx.monotonic_clock.instant_of(when);
            new_pollable(ctx, &ty, Pollable::At(at))
        },
    );
    let ty = types.clone();
    l.instance_func_wrap(
        MONO,
        "subscribe-duration",
        move |t: &mut T, (d,): (u64,)| {
            let ctx = t.wasi();
            let now = ctx.monotonic_clock.now();
            let at = ctx.monotonic_clock.instant_of(now.saturating_add(d));
            // The timer is never earlier than the call.
            new_pollable(ctx, &ty, Pollable::At(at.max(Instant::now())))
        },
    );
}
