//! `wasi:sockets`, network denied: the only mode weft's host has so far.
//!
//! Every interface is there, so components that import sockets (componentize-py's and
//! componentize-js's do, whether they use them or not) link and run; `instance-network`
//! hands out the network, and creating a TCP or UDP socket or resolving a name returns
//! `access-denied`, the error code WASI gives when the host grants no network. Since no
//! socket can be created, the socket methods cannot be reached with a valid handle: they
//! trap as a host bug would, naming the function.

use std::sync::Arc;

use weft_runtime::{Linker, Resource, Val};

use crate::io::dtor;
use crate::WasiView;

/// The `wasi:sockets/network.network` resource in the table.
pub struct NetworkEntry;

const NETWORK: &str = "wasi:sockets/network@0.2.12";
const INSTANCE_NETWORK: &str = "wasi:sockets/instance-network@0.2.12";
const TCP: &str = "wasi:sockets/tcp@0.2.12";
const TCP_CREATE: &str = "wasi:sockets/tcp-create-socket@0.2.12";
const UDP: &str = "wasi:sockets/udp@0.2.12";
const UDP_CREATE: &str = "wasi:sockets/udp-create-socket@0.2.12";
const LOOKUP: &str = "wasi:sockets/ip-name-lookup@0.2.12";

/// The methods of the socket resources, by interface and resource.
const METHODS: &[(&str, &str, &[&str])] = &[
    (
        TCP,
        "tcp-socket",
        &[
            "start-bind",
            "finish-bind",
            "start-connect",
            "finish-connect",
            "start-listen",
            "finish-listen",
            "accept",
            "local-address",
            "remote-address",
            "is-listening",
            "address-family",
            "set-listen-backlog-size",
            "keep-alive-enabled",
            "set-keep-alive-enabled",
            "keep-alive-idle-time",
            "set-keep-alive-idle-time",
            "keep-alive-interval",
            "set-keep-alive-interval",
            "keep-alive-count",
            "set-keep-alive-count",
            "hop-limit",
            "set-hop-limit",
            "receive-buffer-size",
            "set-receive-buffer-size",
            "send-buffer-size",
            "set-send-buffer-size",
            "subscribe",
            "shutdown",
        ],
    ),
    (
        UDP,
        "udp-socket",
        &[
            "start-bind",
            "finish-bind",
            "stream",
            "local-address",
            "remote-address",
            "address-family",
            "unicast-hop-limit",
            "set-unicast-hop-limit",
            "receive-buffer-size",
            "set-receive-buffer-size",
            "send-buffer-size",
            "set-send-buffer-size",
            "subscribe",
        ],
    ),
    (UDP, "incoming-datagram-stream", &["receive", "subscribe"]),
    (
        UDP,
        "outgoing-datagram-stream",
        &["check-send", "send", "subscribe"],
    ),
    (
        LOOKUP,
        "resolve-address-stream",
        &["resolve-next-address", "subscribe"],
    ),
];

/// The `error-code` of a denied operation.
fn access_denied() -> Val {
    Val::Enum("access-denied".into())
}

pub(crate) fn add<T: WasiView>(l: &mut Linker<T>) {
    let network = l.resource(NETWORK, "network", Some(dtor::<T, NetworkEntry>()));
    // No entry of these types is ever made: their destructors have nothing to drop.
    for (iface, resource, methods) in METHODS {
        l.resource(iface, resource, None);
        for method in *methods {
            let name = format!("[method]{resource}.{method}");
            let message = format!(
                "`{iface}#{name}` was called, but no socket can exist: weft's host denies the network"
            );
            l.instance_func(
                iface,
                &name,
                Arc::new(move |_: &mut T, _: &[Val]| Err(message.clone())),
            );
        }
    }

    l.instance_func_wrap(
        INSTANCE_NETWORK,
        "instance-network",
        move |t: &mut T, (): ()| {
            let rep = t.wasi().table.push(NetworkEntry)?;
            Ok(Resource {
                ty: network,
                rep,
                own: true,
            })
        },
    );
    // Errors from weft's streams never come from a socket.
    l.instance_func_wrap(
        NETWORK,
        "network-error-code",
        |_: &mut T, (_,): (Resource,)| Ok(Option::<Val>::None),
    );
    for (iface, func) in [
        (TCP_CREATE, "create-tcp-socket"),
        (UDP_CREATE, "create-udp-socket"),
    ] {
        l.instance_func_wrap(iface, func, |_: &mut T, (_family,): (Val,)| {
            Ok(Err::<Resource, Val>(access_denied()))
        });
    }
    l.instance_func_wrap(
        LOOKUP,
        "resolve-addresses",
        |_: &mut T, (_network, _name): (Resource, String)| {
            Ok(Err::<Resource, Val>(access_denied()))
        },
    );
}
