//! The tokio runtime the host waits on for I/O: the one the guest runs in (`weft run`'s
//! current-thread runtime, an embedder's), or, when the guest runs outside tokio (the
//! synchronous API is `futures::executor::block_on`), a process-wide current-thread runtime,
//! made on first use, which a thread of its own drives (its I/O driver and timer): the
//! guest's thread waits on it from any executor.
//!
//! Sockets register with the runtime current when they are made, so a store's sockets must
//! be waited on from that runtime (or from outside any, for the process-wide one). A guest
//! called through the synchronous API from a thread inside a current-thread runtime's
//! `block_on` would wait forever: that runtime is not driven while the thread is blocked.

use std::io;
use std::sync::OnceLock;
use std::time::Instant;

use futures::future::BoxFuture;
use tokio::runtime::Handle;

/// The runtime for I/O: the current one, else the process-wide one.
pub(crate) fn handle() -> io::Result<Handle> {
    if let Ok(h) = Handle::try_current() {
        return Ok(h);
    }
    static FALLBACK: OnceLock<Result<Handle, String>> = OnceLock::new();
    let fallback = FALLBACK.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let handle = rt.handle().clone();
        // The runtime's thread drives its I/O driver and timer for the rest of the process.
        std::thread::Builder::new()
            .name("weft-wasi-io".into())
            .spawn(move || rt.block_on(std::future::pending::<()>()))
            .map_err(|e| e.to_string())?;
        Ok(handle)
    });
    match fallback {
        Ok(h) => Ok(h.clone()),
        Err(e) => Err(io::Error::other(format!(
            "cannot start the runtime for WASI I/O: {e}"
        ))),
    }
}

/// A timer for `deadline` on the I/O runtime, to wait on together with I/O readiness.
pub(crate) fn sleep_until(deadline: Instant) -> BoxFuture<'static, ()> {
    match handle() {
        Ok(h) => {
            let _guard = h.enter();
            Box::pin(tokio::time::sleep_until(deadline.into()))
        }
        // Without a runtime nothing registered with one can be waited on either: sleep.
        Err(_) => Box::pin(async move {
            std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
        }),
    }
}
