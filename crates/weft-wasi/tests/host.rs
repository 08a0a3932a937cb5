//! The WASI host through a hand-written command component: arguments and stdout (lists and
//! strings lowered with the guest's `realloc`, bytes lifted on the typed path), a timer
//! through `poll`, and `exit`.

mod common;

use weft_runtime::Val;
use weft_wasi::{MemoryOutputPipe, WasiCtxBuilder};

/// A command that writes each of its arguments and a newline to stdout, then waits on a
/// 20 ms timer with `poll` (trapping if `poll` returned before the clock says 20 ms passed),
/// then exits with `exit(err)` when it was given exactly three arguments, else returns ok.
const COMMAND: &str = concat!(
    r#"(component
  (import "wasi:io/error@0.2.0" (instance $err (export "error" (type (sub resource)))))
  (alias export $err "error" (type $error))
  (import "wasi:io/poll@0.2.0" (instance $poll
    (export "pollable" (type $p (sub resource)))
    (export "poll" (func (param "in" (list (borrow $p))) (result (list u32))))))
  (alias export $poll "pollable" (type $pollable))
  (import "wasi:io/streams@0.2.3" (instance $streams
    (export "output-stream" (type $os (sub resource)))
    (alias outer 1 $error (type $e))
    (export "error" (type $e2 (eq $e)))
    (type $se (variant (case "last-operation-failed" (own $e2)) (case "closed")))
    (export "stream-error" (type $se2 (eq $se)))
    (export "[method]output-stream.blocking-write-and-flush"
      (func (param "self" (borrow $os)) (param "contents" (list u8)) (result (result (error $se2)))))))
  (alias export $streams "output-stream" (type $output-stream))
  (import "wasi:cli/stdout@0.2.0" (instance $stdout
    (alias outer 1 $output-stream (type $o))
    (export "output-stream" (type $o2 (eq $o)))
    (export "get-stdout" (func (result (own $o2))))))
  (import "wasi:cli/environment@0.2.0" (instance $env
    (export "get-arguments" (func (result (list string))))))
  (import "wasi:clocks/monotonic-clock@0.2.0" (instance $clock
    (alias outer 1 $pollable (type $p))
    (export "pollable" (type $p2 (eq $p)))
    (export "now" (func (result u64)))
    (export "subscribe-duration" (func (param "when" u64) (result (own $p2))))))
  (import "wasi:cli/exit@0.2.0" (instance $exit (export "exit" (func (param "status" (result))))))

"#,
    common::libc!(1, 4096),
    r#"  (core func $get-stdout (canon lower (func $stdout "get-stdout")))
  (core func $write (canon lower (func $streams "[method]output-stream.blocking-write-and-flush") (memory $m)))
  (core func $args (canon lower (func $env "get-arguments") (memory $m) (realloc $realloc)))
  (core func $now (canon lower (func $clock "now")))
  (core func $sub (canon lower (func $clock "subscribe-duration")))
  (core func $poll (canon lower (func $poll "poll") (memory $m) (realloc $realloc)))
  (core func $exit (canon lower (func $exit "exit")))
  (core module $main
    (import "" "get-stdout" (func $get-stdout (result i32)))
    (import "" "write" (func $write (param i32 i32 i32 i32)))
    (import "" "args" (func $args (param i32)))
    (import "" "now" (func $now (result i64)))
    (import "" "sub" (func $sub (param i64) (result i32)))
    (import "" "poll" (func $poll (param i32 i32 i32)))
    (import "" "exit" (func $exit (param i32)))
    (import "" "memory" (memory 1))
    (data (i32.const 768) "\n")
    (func (export "run") (result i32)
      (local $out i32) (local $i i32) (local $n i32) (local $list i32) (local $t0 i64)
      (local.set $out (call $get-stdout))
      (call $args (i32.const 256))
      (local.set $list (i32.load (i32.const 256)))
      (local.set $n (i32.load (i32.const 260)))
      (block $done
        (loop $each
          (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
          (call $write (local.get $out)
            (i32.load (i32.add (local.get $list) (i32.mul (local.get $i) (i32.const 8))))
            (i32.load (i32.add (local.get $list) (i32.add (i32.mul (local.get $i) (i32.const 8)) (i32.const 4))))
            (i32.const 512))
          (if (i32.load8_u (i32.const 512)) (then unreachable))
          (call $write (local.get $out) (i32.const 768) (i32.const 1) (i32.const 512))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $each)))
      ;; Wait 20 ms through poll.
      (local.set $t0 (call $now))
      (i32.store (i32.const 1024) (call $sub (i64.const 20000000)))
      (call $poll (i32.const 1024) (i32.const 1) (i32.const 1040))
      ;; poll returned [0]: one index, 0.
      (if (i32.ne (i32.load (i32.const 1044)) (i32.const 1)) (then unreachable))
      (if (i32.ne (i32.load (i32.load (i32.const 1040))) (i32.const 0)) (then unreachable))
      (if (i64.lt_u (i64.sub (call $now) (local.get $t0)) (i64.const 20000000)) (then unreachable))
      (if (i32.eq (local.get $n) (i32.const 3)) (then (call $exit (i32.const 1))))
      (i32.const 0)))
  (core instance $i (instantiate $main (with "" (instance
    (export "get-stdout" (func $get-stdout)) (export "write" (func $write))
    (export "args" (func $args)) (export "now" (func $now)) (export "sub" (func $sub))
    (export "poll" (func $poll)) (export "exit" (func $exit)) (export "memory" (memory $m))))))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $run-inst (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run-inst)))"#
);

/// Runs the command with `args`: its stdout, `run`'s result, and the exit status if it exited.
fn run(args: &[&str]) -> (String, Result<Option<Val>, String>, Option<u8>) {
    let stdout = MemoryOutputPipe::new();
    let ctx = WasiCtxBuilder::new()
        .args(args.iter().copied())
        .stdout(stdout.clone())
        .build();
    let (mut store, instance) = common::instantiate(COMMAND, ctx);
    let run = instance.func(&store, "wasi:cli/run@0.2.0#run").unwrap();
    let result = run.call(&mut store, &[]).map_err(|e| e.to_string());
    let out = String::from_utf8(stdout.contents()).unwrap();
    (out, result, store.data().exit_code())
}

#[test]
fn a_command_prints_its_arguments_and_waits_on_a_timer() {
    let (out, result, exit) = run(&["prog", "héllo wörld"]);
    assert_eq!(out, "prog\nhéllo wörld\n");
    assert_eq!(result, Ok(Some(Val::Result(Ok(None)))));
    assert_eq!(exit, None);
}

#[test]
fn exit_records_the_status_and_ends_the_guest() {
    let (out, result, exit) = run(&["prog", "a", "b"]);
    assert_eq!(out, "prog\na\nb\n");
    let err = result.unwrap_err();
    assert!(err.contains(weft_wasi::EXIT_MESSAGE), "{err}");
    assert_eq!(exit, Some(1));
}

#[test]
fn a_store_grants_nothing_by_default() {
    // No arguments, and stdout discarded: the guest still runs.
    let (mut store, instance) = common::instantiate(COMMAND, WasiCtxBuilder::new().build());
    let run = instance.func(&store, "wasi:cli/run@0.2.0#run").unwrap();
    assert_eq!(
        run.call(&mut store, &[]).unwrap(),
        Some(Val::Result(Ok(None)))
    );
    // The guest never drops its stdout stream and its timer: both are still in the table.
    assert_eq!(store.data().table.len(), 2);
}

/// A component that creates a TCP socket: the network is denied, so `create-tcp-socket`
/// returns `err(access-denied)` (the case index, 1, is what `try` returns).
const TCP: &str = r#"(component
  (import "wasi:sockets/network@0.2.0" (instance $net
    (type $ec (enum "unknown" "access-denied" "not-supported"))
    (export "error-code" (type (eq $ec)))
    (type $af (enum "ipv4" "ipv6"))
    (export "ip-address-family" (type (eq $af)))))
  (alias export $net "error-code" (type $error-code))
  (alias export $net "ip-address-family" (type $family))
  (import "wasi:sockets/tcp@0.2.0" (instance $tcp (export "tcp-socket" (type (sub resource)))))
  (alias export $tcp "tcp-socket" (type $tcp-socket))
  (import "wasi:sockets/tcp-create-socket@0.2.0" (instance $create
    (alias outer 1 $error-code (type $e)) (export "error-code" (type $e2 (eq $e)))
    (alias outer 1 $family (type $f)) (export "ip-address-family" (type $f2 (eq $f)))
    (alias outer 1 $tcp-socket (type $s)) (export "tcp-socket" (type $s2 (eq $s)))
    (export "create-tcp-socket" (func (param "address-family" $f2) (result (result (own $s2) (error $e2)))))))
  (core module $libc (memory (export "memory") 1))
  (core instance $libc (instantiate $libc))
  (alias core export $libc "memory" (core memory $m))
  (core func $create (canon lower (func $create "create-tcp-socket") (memory $m)))
  (core module $main
    (import "" "create" (func $create (param i32 i32)))
    (import "" "memory" (memory 1))
    (func (export "try") (result i32)
      (call $create (i32.const 0) (i32.const 16))
      ;; result<own, error-code>: 1 = err, then the error code's case at offset 4.
      (if (i32.ne (i32.load8_u (i32.const 16)) (i32.const 1)) (then unreachable))
      (i32.load8_u (i32.const 20))))
  (core instance $i (instantiate $main (with "" (instance
    (export "create" (func $create)) (export "memory" (memory $m))))))
  (func (export "try") (result u32) (canon lift (core func $i "try"))))"#;

#[test]
fn sockets_are_denied() {
    let (mut store, instance) = common::instantiate(TCP, WasiCtxBuilder::new().build());
    let f = instance.func(&store, "try").unwrap();
    assert_eq!(f.call(&mut store, &[]).unwrap(), Some(Val::U32(1)));
}
