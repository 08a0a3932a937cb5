//! `wasi:cli`: arguments and environment, exit, stdio, terminals.

use std::sync::Arc;

use weft_runtime::{Linker, Resource, ResourceType};

use crate::io::{dtor, InputEntry, OutputEntry};
use crate::{WasiTypes, WasiView, EXIT_MESSAGE};

/// A `wasi:cli/terminal-input.terminal-input` or `terminal-output` in the table (they have
/// no methods: a handle only says "this stream is a terminal").
pub struct TerminalEntry;

pub(crate) fn resource_types<T: WasiView>(l: &mut Linker<T>) -> (ResourceType, ResourceType) {
    (
        l.resource(
            "wasi:cli/terminal-input@0.2.12",
            "terminal-input",
            Some(dtor::<T, TerminalEntry>()),
        ),
        l.resource(
            "wasi:cli/terminal-output@0.2.12",
            "terminal-output",
            Some(dtor::<T, TerminalEntry>()),
        ),
    )
}

pub(crate) fn add<T: WasiView>(l: &mut Linker<T>, types: &Arc<WasiTypes>) {
    const ENV: &str = "wasi:cli/environment@0.2.12";
    l.instance_func_wrap(ENV, "get-environment", |t: &mut T, (): ()| {
        Ok(t.wasi()
            .env
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<Vec<(String, String)>>())
    });
    l.instance_func_wrap(ENV, "get-arguments", |t: &mut T, (): ()| {
        Ok(t.wasi().args.clone())
    });
    l.instance_func_wrap(ENV, "initial-cwd", |t: &mut T, (): ()| {
        Ok(t.wasi().cwd.clone())
    });

    const EXIT: &str = "wasi:cli/exit@0.2.12";
    l.instance_func_wrap(EXIT, "exit", |t: &mut T, (status,): (Result<(), ()>,)| {
        t.wasi().exit_code = Some(if status.is_ok() { 0 } else { 1 });
        Err::<(), _>(EXIT_MESSAGE.to_string())
    });
    l.instance_func_wrap(EXIT, "exit-with-code", |t: &mut T, (code,): (u8,)| {
        t.wasi().exit_code = Some(code);
        Err::<(), _>(EXIT_MESSAGE.to_string())
    });

    let ty = types.clone();
    l.instance_func_wrap(
        "wasi:cli/stdin@0.2.12",
        "get-stdin",
        move |t: &mut T, (): ()| {
            let ctx = t.wasi();
            let stream = (ctx.stdin.open)();
            let rep = ctx.table.push(InputEntry(stream))?;
            Ok(Resource {
                ty: ty.input_stream,
                rep,
                own: true,
            })
        },
    );
    for (iface, func, stderr) in [
        ("wasi:cli/stdout@0.2.12", "get-stdout", false),
        ("wasi:cli/stderr@0.2.12", "get-stderr", true),
    ] {
        let ty = types.clone();
        l.instance_func_wrap(iface, func, move |t: &mut T, (): ()| {
            let ctx = t.wasi();
            let stream = if stderr {
                (ctx.stderr.open)()
            } else {
                (ctx.stdout.open)()
            };
            let rep = ctx.table.push(OutputEntry(stream))?;
            Ok(Resource {
                ty: ty.output_stream,
                rep,
                own: true,
            })
        });
    }

    for (iface, func, which) in [
        ("wasi:cli/terminal-stdin@0.2.12", "get-terminal-stdin", 0),
        ("wasi:cli/terminal-stdout@0.2.12", "get-terminal-stdout", 1),
        ("wasi:cli/terminal-stderr@0.2.12", "get-terminal-stderr", 2),
    ] {
        let ty = types.clone();
        l.instance_func_wrap(iface, func, move |t: &mut T, (): ()| {
            let ctx = t.wasi();
            let (terminal, rty) = match which {
                0 => (ctx.stdin.terminal, ty.terminal_input),
                1 => (ctx.stdout.terminal, ty.terminal_output),
                _ => (ctx.stderr.terminal, ty.terminal_output),
            };
            if !terminal {
                return Ok(None);
            }
            let rep = ctx.table.push(TerminalEntry)?;
            Ok(Some(Resource {
                ty: rty,
                rep,
                own: true,
            }))
        });
    }
}
