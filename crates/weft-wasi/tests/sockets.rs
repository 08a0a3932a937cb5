//! `wasi:sockets` through a hand-written component: denied by default, and with the network
//! granted, a TCP client echoing through a host listener, a TCP server accepting a host
//! connection, UDP datagrams both ways, name lookup, the state machines' error codes, and
//! an allow-list. The guest's exports are thin loops over the imports (retrying on
//! `would-block` after `pollable.block`), so every result the tests check is the host's.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};

use weft_runtime::{Instance, Store, Val};
use weft_wasi::{SocketAddrUse, WasiCtx, WasiCtxBuilder};

/// The guest. Error codes come back as the `error-code` case index (`access-denied` is 1,
/// `invalid-argument` 3, `not-in-progress` 7, `would-block` 8, `invalid-state` 9,
/// `connection-refused` 14); 255 means ok; functions returning a port return
/// `0x10000 | code` on failure.
///
/// * `tcp-connect(port)`: connects to 127.0.0.1:`port`, keeping the streams.
/// * `send(data)`: `check-write`, `write`, `flush`, then blocks on the stream's pollable.
/// * `recv(n)`: reads until it has `n` bytes, blocking on the stream's pollable.
/// * `tcp-listen()`: binds 127.0.0.1:0, listens; the port.
/// * `tcp-accept-echo(n)`: accepts, reads `n` bytes, writes them back; the bytes.
/// * `udp-bind()`: binds a UDP socket to 127.0.0.1:0 and makes its streams; the port.
/// * `udp-send(port, data)`: sends one datagram to 127.0.0.1:`port`; how many went.
/// * `udp-recv()`: the next datagram's data (and `udp-last-port()` its source port).
/// * `lookup(name)`: each address as `4, a, b, c, d` or `6` and 16 bytes (the `u16`s
///   little-endian); an error as `0xee, code`.
/// * `states(closed-port)`: the codes of a sequence of calls in the wrong state or with bad
///   arguments (see `the_state_machines_answer_with_the_spec_codes`).
const GUEST: &str = concat!(
    r#"(component
  (import "wasi:io/error@0.2.0" (instance $err (export "error" (type (sub resource)))))
  (alias export $err "error" (type $error))
  (import "wasi:io/poll@0.2.0" (instance $poll
    (export "pollable" (type $p (sub resource)))
    (export "[method]pollable.block" (func (param "self" (borrow $p))))))
  (alias export $poll "pollable" (type $pollable))
  (import "wasi:io/streams@0.2.3" (instance $streams
    (export "input-stream" (type $is (sub resource)))
    (export "output-stream" (type $os (sub resource)))
    (alias outer 1 $error (type $e)) (export "error" (type $e2 (eq $e)))
    (alias outer 1 $pollable (type $p)) (export "pollable" (type $p2 (eq $p)))
    (type $se (variant (case "last-operation-failed" (own $e2)) (case "closed")))
    (export "stream-error" (type $se2 (eq $se)))
    (export "[method]input-stream.read"
      (func (param "self" (borrow $is)) (param "len" u64) (result (result (list u8) (error $se2)))))
    (export "[method]input-stream.subscribe" (func (param "self" (borrow $is)) (result (own $p2))))
    (export "[method]output-stream.check-write"
      (func (param "self" (borrow $os)) (result (result u64 (error $se2)))))
    (export "[method]output-stream.write"
      (func (param "self" (borrow $os)) (param "contents" (list u8)) (result (result (error $se2)))))
    (export "[method]output-stream.flush" (func (param "self" (borrow $os)) (result (result (error $se2)))))
    (export "[method]output-stream.blocking-write-and-flush"
      (func (param "self" (borrow $os)) (param "contents" (list u8)) (result (result (error $se2)))))
    (export "[method]output-stream.subscribe" (func (param "self" (borrow $os)) (result (own $p2))))))
  (alias export $streams "input-stream" (type $input-stream))
  (alias export $streams "output-stream" (type $output-stream))
  (import "wasi:sockets/network@0.2.0" (instance $net
    (export "network" (type (sub resource)))
    (type $ec (enum "unknown" "access-denied" "not-supported" "invalid-argument" "out-of-memory"
      "timeout" "concurrency-conflict" "not-in-progress" "would-block" "invalid-state"
      "new-socket-limit" "address-not-bindable" "address-in-use" "remote-unreachable"
      "connection-refused" "connection-reset" "connection-aborted" "datagram-too-large"
      "name-unresolvable" "temporary-resolver-failure" "permanent-resolver-failure"))
    (export "error-code" (type (eq $ec)))
    (type $af (enum "ipv4" "ipv6"))
    (export "ip-address-family" (type (eq $af)))
    (type $v4 (tuple u8 u8 u8 u8))
    (export "ipv4-address" (type $v4e (eq $v4)))
    (type $v6 (tuple u16 u16 u16 u16 u16 u16 u16 u16))
    (export "ipv6-address" (type $v6e (eq $v6)))
    (type $ip (variant (case "ipv4" $v4e) (case "ipv6" $v6e)))
    (export "ip-address" (type (eq $ip)))
    (type $sa4 (record (field "port" u16) (field "address" $v4e)))
    (export "ipv4-socket-address" (type $sa4e (eq $sa4)))
    (type $sa6 (record (field "port" u16) (field "flow-info" u32) (field "address" $v6e) (field "scope-id" u32)))
    (export "ipv6-socket-address" (type $sa6e (eq $sa6)))
    (type $sa (variant (case "ipv4" $sa4e) (case "ipv6" $sa6e)))
    (export "ip-socket-address" (type (eq $sa)))))
  (alias export $net "network" (type $network))
  (alias export $net "error-code" (type $error-code))
  (alias export $net "ip-address-family" (type $family))
  (alias export $net "ip-socket-address" (type $sockaddr))
  (alias export $net "ip-address" (type $ipaddr))
  (import "wasi:sockets/instance-network@0.2.0" (instance $inet
    (alias outer 1 $network (type $n)) (export "network" (type $n2 (eq $n)))
    (export "instance-network" (func (result (own $n2))))))
  (import "wasi:sockets/tcp@0.2.0" (instance $tcp
    (alias outer 1 $input-stream (type $is)) (export "input-stream" (type $is2 (eq $is)))
    (alias outer 1 $output-stream (type $os)) (export "output-stream" (type $os2 (eq $os)))
    (alias outer 1 $pollable (type $p)) (export "pollable" (type $p2 (eq $p)))
    (alias outer 1 $network (type $n)) (export "network" (type $n2 (eq $n)))
    (alias outer 1 $error-code (type $e)) (export "error-code" (type $e2 (eq $e)))
    (alias outer 1 $sockaddr (type $a)) (export "ip-socket-address" (type $a2 (eq $a)))
    (export "tcp-socket" (type $s (sub resource)))
    (export "[method]tcp-socket.start-bind"
      (func (param "self" (borrow $s)) (param "network" (borrow $n2)) (param "local-address" $a2) (result (result (error $e2)))))
    (export "[method]tcp-socket.finish-bind" (func (param "self" (borrow $s)) (result (result (error $e2)))))
    (export "[method]tcp-socket.start-connect"
      (func (param "self" (borrow $s)) (param "network" (borrow $n2)) (param "remote-address" $a2) (result (result (error $e2)))))
    (export "[method]tcp-socket.finish-connect"
      (func (param "self" (borrow $s)) (result (result (tuple (own $is2) (own $os2)) (error $e2)))))
    (export "[method]tcp-socket.start-listen" (func (param "self" (borrow $s)) (result (result (error $e2)))))
    (export "[method]tcp-socket.finish-listen" (func (param "self" (borrow $s)) (result (result (error $e2)))))
    (export "[method]tcp-socket.accept"
      (func (param "self" (borrow $s)) (result (result (tuple (own $s) (own $is2) (own $os2)) (error $e2)))))
    (export "[method]tcp-socket.local-address" (func (param "self" (borrow $s)) (result (result $a2 (error $e2)))))
    (export "[method]tcp-socket.set-listen-backlog-size"
      (func (param "self" (borrow $s)) (param "value" u64) (result (result (error $e2)))))
    (export "[method]tcp-socket.keep-alive-enabled" (func (param "self" (borrow $s)) (result (result bool (error $e2)))))
    (export "[method]tcp-socket.set-keep-alive-enabled"
      (func (param "self" (borrow $s)) (param "value" bool) (result (result (error $e2)))))
    (export "[method]tcp-socket.set-hop-limit"
      (func (param "self" (borrow $s)) (param "value" u8) (result (result (error $e2)))))
    (export "[method]tcp-socket.subscribe" (func (param "self" (borrow $s)) (result (own $p2))))))
  (alias export $tcp "tcp-socket" (type $tcp-socket))
  (import "wasi:sockets/tcp-create-socket@0.2.0" (instance $tcpc
    (alias outer 1 $error-code (type $e)) (export "error-code" (type $e2 (eq $e)))
    (alias outer 1 $family (type $f)) (export "ip-address-family" (type $f2 (eq $f)))
    (alias outer 1 $tcp-socket (type $s)) (export "tcp-socket" (type $s2 (eq $s)))
    (export "create-tcp-socket" (func (param "address-family" $f2) (result (result (own $s2) (error $e2)))))))
  (import "wasi:sockets/udp@0.2.0" (instance $udp
    (alias outer 1 $pollable (type $p)) (export "pollable" (type $p2 (eq $p)))
    (alias outer 1 $network (type $n)) (export "network" (type $n2 (eq $n)))
    (alias outer 1 $error-code (type $e)) (export "error-code" (type $e2 (eq $e)))
    (alias outer 1 $sockaddr (type $a)) (export "ip-socket-address" (type $a2 (eq $a)))
    (type $ind (record (field "data" (list u8)) (field "remote-address" $a2)))
    (export "incoming-datagram" (type $ind2 (eq $ind)))
    (type $outd (record (field "data" (list u8)) (field "remote-address" (option $a2))))
    (export "outgoing-datagram" (type $outd2 (eq $outd)))
    (export "udp-socket" (type $u (sub resource)))
    (export "incoming-datagram-stream" (type $ids (sub resource)))
    (export "outgoing-datagram-stream" (type $ods (sub resource)))
    (export "[method]udp-socket.start-bind"
      (func (param "self" (borrow $u)) (param "network" (borrow $n2)) (param "local-address" $a2) (result (result (error $e2)))))
    (export "[method]udp-socket.finish-bind" (func (param "self" (borrow $u)) (result (result (error $e2)))))
    (export "[method]udp-socket.stream"
      (func (param "self" (borrow $u)) (param "remote-address" (option $a2)) (result (result (tuple (own $ids) (own $ods)) (error $e2)))))
    (export "[method]udp-socket.local-address" (func (param "self" (borrow $u)) (result (result $a2 (error $e2)))))
    (export "[method]incoming-datagram-stream.receive"
      (func (param "self" (borrow $ids)) (param "max-results" u64) (result (result (list $ind2) (error $e2)))))
    (export "[method]incoming-datagram-stream.subscribe" (func (param "self" (borrow $ids)) (result (own $p2))))
    (export "[method]outgoing-datagram-stream.check-send" (func (param "self" (borrow $ods)) (result (result u64 (error $e2)))))
    (export "[method]outgoing-datagram-stream.send"
      (func (param "self" (borrow $ods)) (param "datagrams" (list $outd2)) (result (result u64 (error $e2)))))
    (export "[method]outgoing-datagram-stream.subscribe" (func (param "self" (borrow $ods)) (result (own $p2))))))
  (alias export $udp "udp-socket" (type $udp-socket))
  (import "wasi:sockets/udp-create-socket@0.2.0" (instance $udpc
    (alias outer 1 $error-code (type $e)) (export "error-code" (type $e2 (eq $e)))
    (alias outer 1 $family (type $f)) (export "ip-address-family" (type $f2 (eq $f)))
    (alias outer 1 $udp-socket (type $s)) (export "udp-socket" (type $s2 (eq $s)))
    (export "create-udp-socket" (func (param "address-family" $f2) (result (result (own $s2) (error $e2)))))))
  (import "wasi:sockets/ip-name-lookup@0.2.0" (instance $lookup
    (alias outer 1 $pollable (type $p)) (export "pollable" (type $p2 (eq $p)))
    (alias outer 1 $network (type $n)) (export "network" (type $n2 (eq $n)))
    (alias outer 1 $error-code (type $e)) (export "error-code" (type $e2 (eq $e)))
    (alias outer 1 $ipaddr (type $a)) (export "ip-address" (type $a2 (eq $a)))
    (export "resolve-address-stream" (type $r (sub resource)))
    (export "resolve-addresses"
      (func (param "network" (borrow $n2)) (param "name" string) (result (result (own $r) (error $e2)))))
    (export "[method]resolve-address-stream.resolve-next-address"
      (func (param "self" (borrow $r)) (result (result (option $a2) (error $e2)))))
    (export "[method]resolve-address-stream.subscribe" (func (param "self" (borrow $r)) (result (own $p2))))))

"#,
    common::libc!(4, 65536),
    r#"
  (core func $block (canon lower (func $poll "[method]pollable.block")))
  (core func $read (canon lower (func $streams "[method]input-stream.read") (memory $m) (realloc $realloc)))
  (core func $in-sub (canon lower (func $streams "[method]input-stream.subscribe")))
  (core func $check-write (canon lower (func $streams "[method]output-stream.check-write") (memory $m)))
  (core func $write (canon lower (func $streams "[method]output-stream.write") (memory $m)))
  (core func $flush (canon lower (func $streams "[method]output-stream.flush") (memory $m)))
  (core func $bwf (canon lower (func $streams "[method]output-stream.blocking-write-and-flush") (memory $m)))
  (core func $out-sub (canon lower (func $streams "[method]output-stream.subscribe")))
  (core func $instance-network (canon lower (func $inet "instance-network")))
  (core func $tcp-create (canon lower (func $tcpc "create-tcp-socket") (memory $m)))
  (core func $tcp-start-bind (canon lower (func $tcp "[method]tcp-socket.start-bind") (memory $m)))
  (core func $tcp-finish-bind (canon lower (func $tcp "[method]tcp-socket.finish-bind") (memory $m)))
  (core func $tcp-start-connect (canon lower (func $tcp "[method]tcp-socket.start-connect") (memory $m)))
  (core func $tcp-finish-connect (canon lower (func $tcp "[method]tcp-socket.finish-connect") (memory $m)))
  (core func $tcp-start-listen (canon lower (func $tcp "[method]tcp-socket.start-listen") (memory $m)))
  (core func $tcp-finish-listen (canon lower (func $tcp "[method]tcp-socket.finish-listen") (memory $m)))
  (core func $tcp-accept (canon lower (func $tcp "[method]tcp-socket.accept") (memory $m)))
  (core func $tcp-local (canon lower (func $tcp "[method]tcp-socket.local-address") (memory $m)))
  (core func $tcp-backlog (canon lower (func $tcp "[method]tcp-socket.set-listen-backlog-size") (memory $m)))
  (core func $tcp-ka (canon lower (func $tcp "[method]tcp-socket.keep-alive-enabled") (memory $m)))
  (core func $tcp-set-ka (canon lower (func $tcp "[method]tcp-socket.set-keep-alive-enabled") (memory $m)))
  (core func $tcp-set-hops (canon lower (func $tcp "[method]tcp-socket.set-hop-limit") (memory $m)))
  (core func $tcp-sub (canon lower (func $tcp "[method]tcp-socket.subscribe")))
  (core func $udp-create (canon lower (func $udpc "create-udp-socket") (memory $m)))
  (core func $udp-start-bind (canon lower (func $udp "[method]udp-socket.start-bind") (memory $m)))
  (core func $udp-finish-bind (canon lower (func $udp "[method]udp-socket.finish-bind") (memory $m)))
  (core func $udp-stream (canon lower (func $udp "[method]udp-socket.stream") (memory $m)))
  (core func $udp-local (canon lower (func $udp "[method]udp-socket.local-address") (memory $m)))
  (core func $receive (canon lower (func $udp "[method]incoming-datagram-stream.receive") (memory $m) (realloc $realloc)))
  (core func $in-dsub (canon lower (func $udp "[method]incoming-datagram-stream.subscribe")))
  (core func $check-send (canon lower (func $udp "[method]outgoing-datagram-stream.check-send") (memory $m)))
  (core func $send (canon lower (func $udp "[method]outgoing-datagram-stream.send") (memory $m)))
  (core func $out-dsub (canon lower (func $udp "[method]outgoing-datagram-stream.subscribe")))
  (core func $resolve (canon lower (func $lookup "resolve-addresses") (memory $m)))
  (core func $next-address (canon lower (func $lookup "[method]resolve-address-stream.resolve-next-address") (memory $m)))
  (core func $lookup-sub (canon lower (func $lookup "[method]resolve-address-stream.subscribe")))

  (core module $main
    (import "" "memory" (memory 4))
    (import "" "block" (func $block (param i32)))
    (import "" "read" (func $read (param i32 i64 i32)))
    (import "" "in-sub" (func $in-sub (param i32) (result i32)))
    (import "" "check-write" (func $check-write (param i32 i32)))
    (import "" "write" (func $write (param i32 i32 i32 i32)))
    (import "" "flush" (func $flush (param i32 i32)))
    (import "" "bwf" (func $bwf (param i32 i32 i32 i32)))
    (import "" "out-sub" (func $out-sub (param i32) (result i32)))
    (import "" "instance-network" (func $instance-network (result i32)))
    (import "" "tcp-create" (func $tcp-create (param i32 i32)))
    (import "" "tcp-start-bind" (func $tcp-start-bind (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)))
    (import "" "tcp-finish-bind" (func $tcp-finish-bind (param i32 i32)))
    (import "" "tcp-start-connect" (func $tcp-start-connect (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)))
    (import "" "tcp-finish-connect" (func $tcp-finish-connect (param i32 i32)))
    (import "" "tcp-start-listen" (func $tcp-start-listen (param i32 i32)))
    (import "" "tcp-finish-listen" (func $tcp-finish-listen (param i32 i32)))
    (import "" "tcp-accept" (func $tcp-accept (param i32 i32)))
    (import "" "tcp-local" (func $tcp-local (param i32 i32)))
    (import "" "tcp-backlog" (func $tcp-backlog (param i32 i64 i32)))
    (import "" "tcp-ka" (func $tcp-ka (param i32 i32)))
    (import "" "tcp-set-ka" (func $tcp-set-ka (param i32 i32 i32)))
    (import "" "tcp-set-hops" (func $tcp-set-hops (param i32 i32 i32)))
    (import "" "tcp-sub" (func $tcp-sub (param i32) (result i32)))
    (import "" "udp-create" (func $udp-create (param i32 i32)))
    (import "" "udp-start-bind" (func $udp-start-bind (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)))
    (import "" "udp-finish-bind" (func $udp-finish-bind (param i32 i32)))
    (import "" "udp-stream" (func $udp-stream (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)))
    (import "" "udp-local" (func $udp-local (param i32 i32)))
    (import "" "receive" (func $receive (param i32 i64 i32)))
    (import "" "in-dsub" (func $in-dsub (param i32) (result i32)))
    (import "" "check-send" (func $check-send (param i32 i32)))
    (import "" "send" (func $send (param i32 i32 i32 i32)))
    (import "" "out-dsub" (func $out-dsub (param i32) (result i32)))
    (import "" "resolve" (func $resolve (param i32 i32 i32 i32)))
    (import "" "next-address" (func $next-address (param i32 i32)))
    (import "" "lookup-sub" (func $lookup-sub (param i32) (result i32)))

    ;; Results land at 64; lists returned to the host are described at 128 and built at 4096.
    (global $net (mut i32) (i32.const -1))
    (global $in (mut i32) (i32.const 0))
    (global $out (mut i32) (i32.const 0))
    (global $listener (mut i32) (i32.const 0))
    (global $uin (mut i32) (i32.const 0))
    (global $uout (mut i32) (i32.const 0))
    (global $last-port (mut i32) (i32.const 0))
    (global $n (mut i32) (i32.const 0))

    (func $network (result i32)
      (if (i32.eq (global.get $net) (i32.const -1)) (then (global.set $net (call $instance-network))))
      (global.get $net))
    ;; The error code of the result at 64 whose payload is at 64 + `at`, or 255 when ok.
    (func $code (param $at i32) (result i32)
      (if (result i32) (i32.load8_u (i32.const 64))
        (then (i32.load8_u (i32.add (i32.const 64) (local.get $at))))
        (else (i32.const 255))))
    (func $fail (param $at i32) (result i32) (i32.or (i32.const 0x10000) (call $code (local.get $at))))
    (func $is-err (result i32) (i32.load8_u (i32.const 64)))
    ;; Appends a byte to the list at 4096.
    (func $put (param $b i32)
      (i32.store8 (i32.add (i32.const 4096) (global.get $n)) (local.get $b))
      (global.set $n (i32.add (global.get $n) (i32.const 1))))
    (func $list (result i32)
      (i32.store (i32.const 128) (i32.const 4096))
      (i32.store (i32.const 132) (global.get $n))
      (i32.const 128))

    (func $tcp-connect (export "tcp-connect") (param $port i32) (result i32)
      (local $s i32) (local $p i32) (local $c i32)
      (call $tcp-create (i32.const 0) (i32.const 64))
      (if (call $is-err) (then (return (call $code (i32.const 4)))))
      (local.set $s (i32.load (i32.const 68)))
      (call $tcp-start-connect (local.get $s) (call $network)
        (i32.const 0) (local.get $port) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1)
        (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
        (i32.const 64))
      (if (call $is-err) (then (return (call $code (i32.const 1)))))
      (local.set $p (call $tcp-sub (local.get $s)))
      (block $done (loop $again
        (call $tcp-finish-connect (local.get $s) (i32.const 64))
        (br_if $done (i32.eqz (call $is-err)))
        (local.set $c (call $code (i32.const 4)))
        (if (i32.ne (local.get $c) (i32.const 8)) (then (return (local.get $c))))
        (call $block (local.get $p))
        (br $again)))
      (global.set $in (i32.load (i32.const 68)))
      (global.set $out (i32.load (i32.const 72)))
      (i32.const 255))

    (func (export "send") (param $ptr i32) (param $len i32)
      (call $check-write (global.get $out) (i32.const 64))
      (if (call $is-err) (then unreachable))
      (if (i64.lt_u (i64.load (i32.const 72)) (i64.extend_i32_u (local.get $len))) (then unreachable))
      (call $write (global.get $out) (local.get $ptr) (local.get $len) (i32.const 64))
      (if (call $is-err) (then unreachable))
      (call $flush (global.get $out) (i32.const 64))
      (if (call $is-err) (then unreachable))
      ;; Ready once the flush is done.
      (call $block (call $out-sub (global.get $out)))
      (call $check-write (global.get $out) (i32.const 64))
      (if (call $is-err) (then unreachable))
      (if (i64.eqz (i64.load (i32.const 72))) (then unreachable)))

    (func $recv (export "recv") (param $want i32) (result i32)
      (local $p i32) (local $len i32)
      (global.set $n (i32.const 0))
      (local.set $p (call $in-sub (global.get $in)))
      (block $done (loop $more
        (br_if $done (i32.ge_u (global.get $n) (local.get $want)))
        (call $block (local.get $p))
        (call $read (global.get $in) (i64.extend_i32_u (i32.sub (local.get $want) (global.get $n))) (i32.const 64))
        (if (call $is-err) (then unreachable))
        (local.set $len (i32.load (i32.const 72)))
        (memory.copy (i32.add (i32.const 4096) (global.get $n)) (i32.load (i32.const 68)) (local.get $len))
        (global.set $n (i32.add (global.get $n) (local.get $len)))
        (br $more)))
      (call $list))

    (func (export "tcp-listen") (result i32)
      (local $s i32)
      (call $tcp-create (i32.const 0) (i32.const 64))
      (if (call $is-err) (then (return (call $fail (i32.const 4)))))
      (local.set $s (i32.load (i32.const 68)))
      (call $tcp-start-bind (local.get $s) (call $network)
        (i32.const 0) (i32.const 0) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1)
        (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
        (i32.const 64))
      (if (call $is-err) (then (return (call $fail (i32.const 1)))))
      (call $tcp-finish-bind (local.get $s) (i32.const 64))
      (if (call $is-err) (then (return (call $fail (i32.const 1)))))
      (call $tcp-start-listen (local.get $s) (i32.const 64))
      (if (call $is-err) (then (return (call $fail (i32.const 1)))))
      (call $tcp-finish-listen (local.get $s) (i32.const 64))
      (if (call $is-err) (then (return (call $fail (i32.const 1)))))
      (call $tcp-local (local.get $s) (i32.const 64))
      (if (call $is-err) (then (return (call $fail (i32.const 4)))))
      (global.set $listener (local.get $s))
      (i32.load16_u (i32.const 72)))

    (func (export "tcp-accept-echo") (param $want i32) (result i32)
      (local $p i32)
      (local.set $p (call $tcp-sub (global.get $listener)))
      (block $done (loop $again
        (call $tcp-accept (global.get $listener) (i32.const 64))
        (br_if $done (i32.eqz (call $is-err)))
        (if (i32.ne (call $code (i32.const 4)) (i32.const 8)) (then unreachable))
        (call $block (local.get $p))
        (br $again)))
      (global.set $in (i32.load (i32.const 72)))
      (global.set $out (i32.load (i32.const 76)))
      (drop (call $recv (local.get $want)))
      (call $bwf (global.get $out) (i32.const 4096) (global.get $n) (i32.const 64))
      (if (call $is-err) (then unreachable))
      (call $list))

    (func (export "udp-bind") (result i32)
      (local $s i32)
      (call $udp-create (i32.const 0) (i32.const 64))
      (if (call $is-err) (then (return (call $fail (i32.const 4)))))
      (local.set $s (i32.load (i32.const 68)))
      (call $udp-start-bind (local.get $s) (call $network)
        (i32.const 0) (i32.const 0) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1)
        (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
        (i32.const 64))
      (if (call $is-err) (then (return (call $fail (i32.const 1)))))
      (call $udp-finish-bind (local.get $s) (i32.const 64))
      (if (call $is-err) (then (return (call $fail (i32.const 1)))))
      ;; No remote address: `option::none` and twelve flat zeros.
      (call $udp-stream (local.get $s) (i32.const 0)
        (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
        (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
        (i32.const 64))
      (if (call $is-err) (then (return (call $fail (i32.const 4)))))
      (global.set $uin (i32.load (i32.const 68)))
      (global.set $uout (i32.load (i32.const 72)))
      (call $udp-local (local.get $s) (i32.const 64))
      (if (call $is-err) (then (return (call $fail (i32.const 4)))))
      (i32.load16_u (i32.const 72)))

    (func (export "udp-send") (param $port i32) (param $ptr i32) (param $len i32) (result i32)
      (local $p i32)
      (local.set $p (call $out-dsub (global.get $uout)))
      (block $done (loop $again
        (call $check-send (global.get $uout) (i32.const 64))
        (if (call $is-err) (then (return (call $fail (i32.const 8)))))
        (br_if $done (i64.ne (i64.load (i32.const 72)) (i64.const 0)))
        (call $block (local.get $p))
        (br $again)))
      ;; outgoing-datagram { data, remote-address: some(ipv4 { port, 127.0.0.1 }) } at 256.
      (i32.store (i32.const 256) (local.get $ptr))
      (i32.store (i32.const 260) (local.get $len))
      (i32.store8 (i32.const 264) (i32.const 1))
      (i32.store8 (i32.const 268) (i32.const 0))
      (i32.store16 (i32.const 272) (local.get $port))
      (i32.store (i32.const 274) (i32.const 0x0100007f))
      (call $send (global.get $uout) (i32.const 256) (i32.const 1) (i32.const 64))
      (if (call $is-err) (then (return (call $fail (i32.const 8)))))
      (i32.wrap_i64 (i64.load (i32.const 72))))

    (func (export "udp-recv") (result i32)
      (local $p i32) (local $d i32)
      (local.set $p (call $in-dsub (global.get $uin)))
      (block $done (loop $again
        (call $receive (global.get $uin) (i64.const 1) (i32.const 64))
        (if (call $is-err) (then unreachable))
        (br_if $done (i32.load (i32.const 72)))
        (call $block (local.get $p))
        (br $again)))
      ;; incoming-datagram { data (ptr, len), remote-address: ipv4 { port at 12 } }.
      (local.set $d (i32.load (i32.const 68)))
      (global.set $last-port (i32.load16_u (i32.add (local.get $d) (i32.const 12))))
      (i32.store (i32.const 128) (i32.load (local.get $d)))
      (i32.store (i32.const 132) (i32.load (i32.add (local.get $d) (i32.const 4))))
      (i32.const 128))

    (func (export "udp-last-port") (result i32) (global.get $last-port))

    (func (export "lookup") (param $ptr i32) (param $len i32) (result i32)
      (local $r i32) (local $p i32) (local $c i32)
      (global.set $n (i32.const 0))
      (block $end
        (call $resolve (call $network) (local.get $ptr) (local.get $len) (i32.const 64))
        (if (call $is-err) (then
          (call $put (i32.const 0xee)) (call $put (call $code (i32.const 4))) (br $end)))
        (local.set $r (i32.load (i32.const 68)))
        (local.set $p (call $lookup-sub (local.get $r)))
        (loop $next
          (call $next-address (local.get $r) (i32.const 64))
          (if (call $is-err) (then
            (local.set $c (call $code (i32.const 2)))
            (if (i32.eq (local.get $c) (i32.const 8)) (then (call $block (local.get $p)) (br $next)))
            (call $put (i32.const 0xee)) (call $put (local.get $c)) (br $end)))
          ;; option::none: no more addresses.
          (br_if $end (i32.eqz (i32.load8_u (i32.const 66))))
          (if (i32.eqz (i32.load8_u (i32.const 68)))
            (then
              (call $put (i32.const 4))
              (i32.store (i32.add (i32.const 4096) (global.get $n)) (i32.load (i32.const 70)))
              (global.set $n (i32.add (global.get $n) (i32.const 4))))
            (else
              (call $put (i32.const 6))
              (memory.copy (i32.add (i32.const 4096) (global.get $n)) (i32.const 70) (i32.const 16))
              (global.set $n (i32.add (global.get $n) (i32.const 16)))))
          (br $next)))
      (call $list))

    (func (export "states") (param $closed i32) (result i32)
      (local $s i32) (local $p i32) (local $c i32)
      (global.set $n (i32.const 0))
      (call $tcp-create (i32.const 0) (i32.const 64))
      (if (call $is-err) (then unreachable))
      (local.set $s (i32.load (i32.const 68)))
      (call $tcp-finish-bind (local.get $s) (i32.const 64))
      (call $put (call $code (i32.const 1)))
      (call $tcp-start-listen (local.get $s) (i32.const 64))
      (call $put (call $code (i32.const 1)))
      (call $tcp-local (local.get $s) (i32.const 64))
      (call $put (call $code (i32.const 4)))
      (call $tcp-finish-connect (local.get $s) (i32.const 64))
      (call $put (call $code (i32.const 4)))
      (call $tcp-accept (local.get $s) (i32.const 64))
      (call $put (call $code (i32.const 4)))
      ;; Binding an IPv4 socket to [::1]:0.
      (call $tcp-start-bind (local.get $s) (call $network)
        (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
        (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 0)
        (i32.const 64))
      (call $put (call $code (i32.const 1)))
      ;; Connecting to port 0.
      (call $tcp-start-connect (local.get $s) (call $network)
        (i32.const 0) (i32.const 0) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1)
        (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
        (i32.const 64))
      (call $put (call $code (i32.const 1)))
      (call $tcp-backlog (local.get $s) (i64.const 0) (i32.const 64))
      (call $put (call $code (i32.const 1)))
      (call $tcp-set-hops (local.get $s) (i32.const 0) (i32.const 64))
      (call $put (call $code (i32.const 1)))
      (call $tcp-set-ka (local.get $s) (i32.const 1) (i32.const 64))
      (call $put (call $code (i32.const 1)))
      (call $tcp-ka (local.get $s) (i32.const 64))
      (call $put (if (result i32) (call $is-err)
        (then (i32.or (i32.const 0x80) (call $code (i32.const 1))))
        (else (i32.load8_u (i32.const 65)))))
      (call $tcp-start-bind (local.get $s) (call $network)
        (i32.const 0) (i32.const 0) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1)
        (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
        (i32.const 64))
      (call $put (call $code (i32.const 1)))
      (call $tcp-start-bind (local.get $s) (call $network)
        (i32.const 0) (i32.const 0) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1)
        (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
        (i32.const 64))
      (call $put (call $code (i32.const 1)))
      (call $tcp-finish-bind (local.get $s) (i32.const 64))
      (call $put (call $code (i32.const 1)))
      (call $tcp-finish-bind (local.get $s) (i32.const 64))
      (call $put (call $code (i32.const 1)))
      ;; Connecting to a closed port: refused, by `start-connect` or by `finish-connect`.
      (call $tcp-start-connect (local.get $s) (call $network)
        (i32.const 0) (local.get $closed) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1)
        (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
        (i32.const 64))
      (if (call $is-err)
        (then (call $put (call $code (i32.const 1))))
        (else
          (local.set $p (call $tcp-sub (local.get $s)))
          (block $done (loop $again
            (call $tcp-finish-connect (local.get $s) (i32.const 64))
            (local.set $c (call $code (i32.const 4)))
            (br_if $done (i32.ne (local.get $c) (i32.const 8)))
            (call $block (local.get $p))
            (br $again)))
          (call $put (local.get $c))))
      (call $tcp-finish-connect (local.get $s) (i32.const 64))
      (call $put (call $code (i32.const 4)))
      ;; A UDP socket: streams and finish-bind before binding.
      (call $udp-create (i32.const 0) (i32.const 64))
      (if (call $is-err) (then unreachable))
      (local.set $s (i32.load (i32.const 68)))
      (call $udp-stream (local.get $s) (i32.const 0)
        (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
        (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
        (i32.const 64))
      (call $put (call $code (i32.const 4)))
      (call $udp-finish-bind (local.get $s) (i32.const 64))
      (call $put (call $code (i32.const 1)))
      (call $list)))

  (core instance $i (instantiate $main (with "" (instance
    (export "memory" (memory $m))
    (export "block" (func $block)) (export "read" (func $read)) (export "in-sub" (func $in-sub))
    (export "check-write" (func $check-write)) (export "write" (func $write))
    (export "flush" (func $flush)) (export "bwf" (func $bwf)) (export "out-sub" (func $out-sub))
    (export "instance-network" (func $instance-network))
    (export "tcp-create" (func $tcp-create)) (export "tcp-start-bind" (func $tcp-start-bind))
    (export "tcp-finish-bind" (func $tcp-finish-bind)) (export "tcp-start-connect" (func $tcp-start-connect))
    (export "tcp-finish-connect" (func $tcp-finish-connect)) (export "tcp-start-listen" (func $tcp-start-listen))
    (export "tcp-finish-listen" (func $tcp-finish-listen)) (export "tcp-accept" (func $tcp-accept))
    (export "tcp-local" (func $tcp-local)) (export "tcp-backlog" (func $tcp-backlog))
    (export "tcp-ka" (func $tcp-ka)) (export "tcp-set-ka" (func $tcp-set-ka))
    (export "tcp-set-hops" (func $tcp-set-hops)) (export "tcp-sub" (func $tcp-sub))
    (export "udp-create" (func $udp-create)) (export "udp-start-bind" (func $udp-start-bind))
    (export "udp-finish-bind" (func $udp-finish-bind)) (export "udp-stream" (func $udp-stream))
    (export "udp-local" (func $udp-local)) (export "receive" (func $receive))
    (export "in-dsub" (func $in-dsub)) (export "check-send" (func $check-send))
    (export "send" (func $send)) (export "out-dsub" (func $out-dsub))
    (export "resolve" (func $resolve)) (export "next-address" (func $next-address))
    (export "lookup-sub" (func $lookup-sub))))))

  (func (export "tcp-connect") (param "port" u32) (result u32) (canon lift (core func $i "tcp-connect")))
  (func (export "send") (param "data" (list u8))
    (canon lift (core func $i "send") (memory $m) (realloc $realloc)))
  (func (export "recv") (param "n" u32) (result (list u8)) (canon lift (core func $i "recv") (memory $m)))
  (func (export "tcp-listen") (result u32) (canon lift (core func $i "tcp-listen")))
  (func (export "tcp-accept-echo") (param "n" u32) (result (list u8))
    (canon lift (core func $i "tcp-accept-echo") (memory $m)))
  (func (export "udp-bind") (result u32) (canon lift (core func $i "udp-bind")))
  (func (export "udp-send") (param "port" u32) (param "data" (list u8)) (result u32)
    (canon lift (core func $i "udp-send") (memory $m) (realloc $realloc)))
  (func (export "udp-recv") (result (list u8)) (canon lift (core func $i "udp-recv") (memory $m)))
  (func (export "udp-last-port") (result u32) (canon lift (core func $i "udp-last-port")))
  (func (export "lookup") (param "name" string) (result (list u8))
    (canon lift (core func $i "lookup") (memory $m) (realloc $realloc)))
  (func (export "states") (param "closed-port" u32) (result (list u8))
    (canon lift (core func $i "states") (memory $m))))"#
);

/// A guest instance and its store.
struct Guest {
    store: Store<WasiCtx>,
    instance: Instance,
}

impl Guest {
    fn new(ctx: WasiCtx) -> Guest {
        let (store, instance) = common::instantiate(GUEST, ctx);
        Guest { store, instance }
    }

    fn call(&mut self, name: &str, args: &[Val]) -> Option<Val> {
        let f = self.instance.func(&self.store, name).unwrap();
        f.call(&mut self.store, args)
            .unwrap_or_else(|e| panic!("`{name}` failed: {e}"))
    }

    async fn call_async(&mut self, name: &str, args: Vec<Val>) -> Option<Val> {
        let f = self.instance.func(&self.store, name).unwrap();
        f.call_async(&mut self.store, &args)
            .await
            .unwrap_or_else(|e| panic!("`{name}` failed: {e}"))
    }

    fn u32(&mut self, name: &str, args: &[Val]) -> u32 {
        match self.call(name, args) {
            Some(Val::U32(n)) => n,
            other => panic!("`{name}` returned {other:?}"),
        }
    }

    fn bytes(&mut self, name: &str, args: &[Val]) -> Vec<u8> {
        match self.call(name, args) {
            Some(v) => bytes_of(v),
            None => panic!("`{name}` returned nothing"),
        }
    }
}

fn bytes_of(v: Val) -> Vec<u8> {
    match v {
        Val::List(items) => items
            .into_iter()
            .map(|b| match b {
                Val::U8(b) => b,
                other => panic!("not a byte: {other:?}"),
            })
            .collect(),
        other => panic!("not a list: {other:?}"),
    }
}

fn list(bytes: &[u8]) -> Val {
    Val::List(bytes.iter().map(|b| Val::U8(*b)).collect())
}

const OK: u32 = 255;
const ACCESS_DENIED: u32 = 1;

/// A listener on 127.0.0.1 that echoes what each connection sends until it closes.
fn echo_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            std::thread::spawn(move || {
                let mut buf = [0u8; 1024];
                while let Ok(n) = conn.read(&mut buf) {
                    if n == 0 || conn.write_all(&buf[..n]).is_err() {
                        return;
                    }
                }
            });
        }
    });
    port
}

fn network() -> WasiCtx {
    WasiCtxBuilder::new().allow_network(true).build()
}

#[test]
fn the_network_is_denied_by_default() {
    let mut g = Guest::new(WasiCtxBuilder::new().build());
    let port = echo_server();
    assert_eq!(
        g.u32("tcp-connect", &[Val::U32(port.into())]),
        ACCESS_DENIED
    );
    assert_eq!(g.u32("tcp-listen", &[]), 0x10000 | ACCESS_DENIED);
    assert_eq!(g.u32("udp-bind", &[]), 0x10000 | ACCESS_DENIED);
    let name = [Val::String("127.0.0.1".into())];
    assert_eq!(g.bytes("lookup", &name), [0xee, ACCESS_DENIED as u8]);
    // The network without name lookup.
    let mut g = Guest::new(network());
    assert_eq!(g.bytes("lookup", &name), [0xee, ACCESS_DENIED as u8]);
}

#[test]
fn a_tcp_client_echoes_through_a_host_listener() {
    let port = echo_server();
    let mut g = Guest::new(network());
    assert_eq!(g.u32("tcp-connect", &[Val::U32(port.into())]), OK);
    g.call("send", &[list(b"hello, weft")]);
    assert_eq!(g.bytes("recv", &[Val::U32(11)]), b"hello, weft");
    // A second exchange on the same connection.
    g.call("send", &[list(&[0, 1, 2, 255])]);
    assert_eq!(g.bytes("recv", &[Val::U32(4)]), [0, 1, 2, 255]);
}

#[test]
fn a_tcp_client_runs_on_a_current_thread_runtime() {
    // As under `weft run`: the sockets register with the guest's own runtime.
    let port = echo_server();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut g = rt.block_on(async { Guest::new(network()) });
    let result = rt.block_on(async {
        assert_eq!(
            g.call_async("tcp-connect", vec![Val::U32(port.into())])
                .await,
            Some(Val::U32(OK))
        );
        g.call_async("send", vec![list(b"on tokio")]).await;
        g.call_async("recv", vec![Val::U32(8)]).await
    });
    assert_eq!(bytes_of(result.unwrap()), b"on tokio");
}

#[test]
fn a_tcp_server_accepts_a_host_connection() {
    let mut g = Guest::new(network());
    let port = g.u32("tcp-listen", &[]);
    assert!(port < 0x10000 && port != 0, "{port:#x}");
    let mut client = TcpStream::connect(("127.0.0.1", port as u16)).unwrap();
    client.write_all(b"ping").unwrap();
    assert_eq!(g.bytes("tcp-accept-echo", &[Val::U32(4)]), b"ping");
    let mut back = [0u8; 4];
    client.read_exact(&mut back).unwrap();
    assert_eq!(&back, b"ping");
}

#[test]
fn udp_datagrams_go_both_ways() {
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    let peer_port = peer.local_addr().unwrap().port();
    let mut g = Guest::new(network());
    let port = g.u32("udp-bind", &[]);
    assert!(port < 0x10000 && port != 0, "{port:#x}");
    let sent = g.u32("udp-send", &[Val::U32(peer_port.into()), list(b"datagram")]);
    assert_eq!(sent, 1);
    let mut buf = [0u8; 64];
    let (n, from) = peer.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"datagram");
    assert_eq!(from, SocketAddr::from(([127, 0, 0, 1], port as u16)));
    peer.send_to(b"reply", from).unwrap();
    assert_eq!(g.bytes("udp-recv", &[]), b"reply");
    assert_eq!(g.u32("udp-last-port", &[]), u32::from(peer_port));
}

#[test]
fn names_resolve_when_lookup_is_granted() {
    let ctx = WasiCtxBuilder::new().allow_ip_name_lookup(true).build();
    let mut g = Guest::new(ctx);
    let lookup = |g: &mut Guest, name: &str| g.bytes("lookup", &[Val::String(name.into())]);
    assert_eq!(lookup(&mut g, "127.0.0.1"), [4, 127, 0, 0, 1]);
    let mut v6 = vec![6];
    v6.extend([0u8; 14]);
    v6.extend([1, 0]);
    assert_eq!(lookup(&mut g, "[::1]"), v6);
    assert_eq!(lookup(&mut g, "no spaces allowed"), [0xee, 3]);
    // `localhost` goes through the host's resolver, on a thread: the guest waits on the
    // stream's pollable. Every answer is a loopback address.
    let answer = lookup(&mut g, "localhost");
    assert!(!answer.is_empty() && answer[0] != 0xee, "{answer:?}");
    let mut rest = &answer[..];
    while let Some((&tag, tail)) = rest.split_first() {
        match tag {
            4 => {
                assert_eq!(tail[0], 127, "{answer:?}");
                rest = &tail[4..];
            }
            6 => {
                assert_eq!(tail[..16], v6[1..], "{answer:?}");
                rest = &tail[16..];
            }
            _ => panic!("{answer:?}"),
        }
    }
}

#[test]
fn the_state_machines_answer_with_the_spec_codes() {
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_port = closed.local_addr().unwrap().port();
    drop(closed);
    let mut g = Guest::new(network());
    let codes = g.bytes("states", &[Val::U32(closed_port.into())]);
    assert_eq!(
        codes,
        [
            7,   // finish-bind, nothing started: not-in-progress
            9,   // start-listen unbound: invalid-state
            9,   // local-address unbound: invalid-state
            7,   // finish-connect, nothing started: not-in-progress
            9,   // accept, not listening: invalid-state
            3,   // start-bind of an IPv4 socket to [::1]: invalid-argument
            3,   // start-connect to port 0: invalid-argument
            3,   // set-listen-backlog-size(0): invalid-argument
            3,   // set-hop-limit(0): invalid-argument
            255, // set-keep-alive-enabled(true)
            1,   // keep-alive-enabled: true
            255, // start-bind 127.0.0.1:0
            9,   // start-bind again: invalid-state
            255, // finish-bind
            7,   // finish-bind again: not-in-progress
            14,  // connecting to a closed port: connection-refused
            7,   // finish-connect on the closed socket: not-in-progress
            9,   // udp stream before bind: invalid-state
            7,   // udp finish-bind, nothing started: not-in-progress
        ]
    );
}

#[test]
fn an_allow_list_grants_one_address_and_denies_others() {
    let allowed = echo_server();
    let denied = echo_server();
    let ctx = WasiCtxBuilder::new()
        .socket_addr_check(move |addr, use_| {
            use_ == SocketAddrUse::TcpConnect && addr == SocketAddr::from(([127, 0, 0, 1], allowed))
        })
        .build();
    let mut g = Guest::new(ctx);
    assert_eq!(
        g.u32("tcp-connect", &[Val::U32(denied.into())]),
        ACCESS_DENIED
    );
    assert_eq!(g.u32("tcp-connect", &[Val::U32(allowed.into())]), OK);
    g.call("send", &[list(b"allowed")]);
    assert_eq!(g.bytes("recv", &[Val::U32(7)]), b"allowed");
    // Binding is another use: denied.
    assert_eq!(g.u32("tcp-listen", &[]), 0x10000 | ACCESS_DENIED);
    assert_eq!(g.u32("udp-bind", &[]), 0x10000 | ACCESS_DENIED);
}

#[test]
fn poll_waits_on_the_earliest_of_io_and_deadlines() {
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use weft_wasi::io::{wait_ready, Pollable, Readiness};

    /// I/O that never happens.
    struct Never;
    impl Readiness for Never {
        fn is_ready(&self) -> bool {
            false
        }
        fn wait(&self) -> futures::future::BoxFuture<'static, ()> {
            Box::pin(std::future::pending())
        }
    }
    // Outside any runtime (the synchronous API): the timer is the I/O runtime's.
    let t0 = Instant::now();
    let pollables = [
        Pollable::Io(Arc::new(Never)),
        Pollable::At(t0 + Duration::from_millis(30)),
    ];
    assert_eq!(futures::executor::block_on(wait_ready(&pollables)), [1]);
    assert!(t0.elapsed() >= Duration::from_millis(30));
}
