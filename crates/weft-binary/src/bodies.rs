//! Validating function bodies on every core, while the caller goes on with other work.
//!
//! A large binary's validation time is almost all function bodies, and each body validates on
//! its own once the module around it has been read ([`wasmparser::FuncToValidate`]). A
//! [`BodyPool`] takes bodies as a reader meets them and validates them on worker threads; the
//! thread that made the pool helps once it has nothing else to do. The error it reports is the
//! one validating in order would report: the invalid body with the smallest key.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex};

use wasmparser::{FuncToValidate, FuncValidatorAllocations, FunctionBody, ValidatorResources};

use crate::Error;

/// Below this many bytes of function bodies, starting threads costs more than it saves.
pub const PARALLEL_BODY_BYTES: usize = 1 << 20;

/// How many threads (the caller's included) to validate `bytes` of function bodies on: one
/// for small inputs, every core (at most 8) for large ones.
pub fn body_threads(bytes: usize) -> usize {
    match bytes >= PARALLEL_BODY_BYTES {
        true => std::thread::available_parallelism().map_or(1, |n| n.get().min(8)),
        false => 1,
    }
}

/// One body to validate and where it comes in the order errors are reported.
struct Job<'a> {
    key: u64,
    func: FuncToValidate<ValidatorResources>,
    body: FunctionBody<'a>,
}

#[derive(Default)]
struct State<'a> {
    pending: VecDeque<Job<'a>>,
    /// No more bodies will be pushed.
    closed: bool,
    /// The invalid body with the smallest key so far, and its error.
    first_error: Option<(u64, Error)>,
    /// Bytes of bodies queued since a worker was last woken.
    unannounced: usize,
}

/// Workers are woken for this many bytes of new bodies, not for each: a worker validates
/// faster than a reader reads, so waking it per body would cost a system call per body.
const WAKE_BYTES: usize = 256 << 10;

/// Function bodies waiting to be validated (see the module docs).
#[derive(Default)]
pub struct BodyPool<'a> {
    state: Mutex<State<'a>>,
    ready: Condvar,
}

impl<'a> BodyPool<'a> {
    /// Runs `f` with a pool whose bodies `threads - 1` worker threads validate while `f` runs;
    /// then validates what is left on this thread too, and returns `f`'s result and the
    /// validation's: the key and error of the invalid body with the smallest key, if any.
    pub fn run<R>(
        threads: usize,
        f: impl FnOnce(&BodyPool<'a>) -> R,
    ) -> (R, std::result::Result<(), (u64, Error)>) {
        let pool = BodyPool::default();
        let result = std::thread::scope(|s| {
            for _ in 1..threads {
                s.spawn(|| pool.work());
            }
            // Closed however `f` ends, so that the workers stop.
            struct Close<'p, 'a>(&'p BodyPool<'a>);
            impl Drop for Close<'_, '_> {
                fn drop(&mut self) {
                    self.0.close();
                }
            }
            let close = Close(&pool);
            let result = f(&pool);
            drop(close);
            pool.work();
            result
        });
        let first_error = pool
            .state
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
            .first_error;
        (result, first_error.map_or(Ok(()), Err))
    }

    /// Queues `body` (of the function `func`) for validation. `key` orders the errors: the
    /// smallest key's is reported.
    pub fn push(&self, key: u64, func: FuncToValidate<ValidatorResources>, body: FunctionBody<'a>) {
        let mut state = self.lock();
        // Nothing after a known error can be the one reported.
        if state.first_error.as_ref().is_some_and(|(k, _)| *k < key) {
            return;
        }
        state.unannounced += body.range().len();
        state.pending.push_back(Job { key, func, body });
        if state.unannounced >= WAKE_BYTES {
            state.unannounced = 0;
            drop(state);
            self.ready.notify_one();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State<'a>> {
        // A worker that panicked (a bug in wasmparser) leaves the state as it was: go on.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn close(&self) {
        self.lock().closed = true;
        self.ready.notify_all();
    }

    /// Validates queued bodies until the pool is closed and empty.
    fn work(&self) {
        let mut allocations = FuncValidatorAllocations::default();
        loop {
            let job = {
                let mut state = self.lock();
                loop {
                    if let Some(job) = state.pending.pop_front() {
                        break job;
                    }
                    if state.closed {
                        return;
                    }
                    state = self.ready.wait(state).unwrap_or_else(|e| e.into_inner());
                }
            };
            if self
                .lock()
                .first_error
                .as_ref()
                .is_some_and(|(k, _)| *k < job.key)
            {
                continue;
            }
            let mut validator = job.func.into_validator(allocations);
            let result = validator.validate(&job.body);
            allocations = validator.into_allocations();
            if let Err(e) = result {
                let mut state = self.lock();
                if state.first_error.as_ref().is_none_or(|(k, _)| job.key < *k) {
                    state.first_error = Some((job.key, Error::from(e)));
                }
            }
        }
    }
}
