//! z3 contexts made while the previous query runs.
//!
//! Every query gets a z3 context of its own (`smt::in_fresh_context` says why), and making one
//! costs 1 to 4 ms: libz3 4.8.12 fills two tables of 8 MB each, a fifth of a typical query's
//! time. So each query runs on a thread of this pool, in a context that thread made while the
//! previous query ran, and while it runs another thread makes the next query's context.
//!
//! No z3 work is left running when a query returns: its thread has dropped its context before
//! the answer is handed back, and the caller waits until the next context is made. A process
//! that exits right after its last answer therefore never tears libz3 down under a thread that
//! is still inside it. Threads that wait with a made context do nothing until a job comes.
//!
//! Answers do not depend on the thread: each query has a fresh context, and the solver's caches
//! are process-wide (`regex::regions_memoized`, the action domain, the template languages).

use crate::phases;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock};

/// What a pool thread runs in its context; it returns what the thread does once the context is
/// dropped (hand the answer back).
type Job = Box<dyn FnOnce() -> Deliver + Send>;
type Deliver = Box<dyn FnOnce() + Send + Sync>;

/// A query's answer, or the message of its panic, and the time it spent in each phase.
type Answer<R> = (Result<R, String>, [std::time::Duration; phases::ALL.len()]);

/// Queries recurse through regular expressions and z3's parser: twice the stack of a main thread.
const STACK_BYTES: usize = 16 << 20;

struct Pool {
    state: Mutex<State>,
    changed: Condvar,
}

/// A context being made, by the number of the request to make it.
type Ticket = u64;

#[derive(Default)]
struct State {
    /// Threads waiting in a made context, each with the way to send it a job.
    ready: Vec<Sender<Job>>,
    /// Threads without a context, each with the way to tell it to make one.
    idle: Vec<Sender<Ticket>>,
    /// The contexts being made.
    making: Vec<Ticket>,
    issued: Ticket,
}

fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| Pool {
        state: Mutex::new(State::default()),
        changed: Condvar::new(),
    })
}

impl Pool {
    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is a few lists that no panic leaves half-changed.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn wait<'a>(&self, state: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        self.changed.wait(state).unwrap_or_else(|e| e.into_inner())
    }

    /// Has a thread make a context: an idle one, or a new one. `None` when no thread can be
    /// started.
    fn start_making(&'static self, state: &mut State) -> Option<Ticket> {
        state.issued += 1;
        let ticket = state.issued;
        let mut started = false;
        while let Some(wake) = state.idle.pop() {
            if wake.send(ticket).is_ok() {
                started = true;
                break;
            }
        }
        if !started {
            started = std::thread::Builder::new()
                .name("iamspec-z3".into())
                .stack_size(STACK_BYTES)
                .spawn(move || self.serve(ticket))
                .is_ok();
        }
        started.then(|| {
            state.making.push(ticket);
            ticket
        })
    }

    /// A thread in a made context, waiting until one is made, and the context this call had
    /// made if another was taken instead (to be settled); `None` when no thread can be started.
    fn take_ready(&'static self) -> Option<(Sender<Job>, Option<Ticket>)> {
        let mut state = self.lock();
        let mut started = None;
        loop {
            if let Some(thread) = state.ready.pop() {
                return Some((thread, started));
            }
            if state.making.is_empty() {
                started = Some(self.start_making(&mut state)?);
            }
            state = self.wait(state);
        }
    }

    /// Has the next context made while a query runs, unless one is made or being made.
    fn prepare(&'static self) -> Option<Ticket> {
        let mut state = self.lock();
        if state.ready.is_empty() && state.making.is_empty() {
            self.start_making(&mut state)
        } else {
            None
        }
    }

    /// Waits until the context of `ticket` is made.
    fn settle(&self, ticket: Ticket) {
        let mut state = self.lock();
        while state.making.contains(&ticket) {
            state = self.wait(state);
        }
    }

    /// A pool thread: make a context, wait in it for a job, run it, drop the context, hand the
    /// answer back, wait to be told to make the next one.
    fn serve(&'static self, mut ticket: Ticket) {
        let (send_job, jobs) = channel::<Job>();
        let jobs = Mutex::new(jobs);
        let (send_wake, wake): (Sender<Ticket>, Receiver<Ticket>) = channel();
        loop {
            let deliver = z3::with_z3_config(&z3::Config::new(), || {
                {
                    let mut state = self.lock();
                    state.making.retain(|t| *t != ticket);
                    state.ready.push(send_job.clone());
                }
                self.changed.notify_all();
                let job = jobs.lock().unwrap_or_else(|e| e.into_inner()).recv();
                match job {
                    Ok(job) => job(),
                    Err(_) => Box::new(|| ()) as Deliver,
                }
            });
            deliver();
            self.lock().idle.push(send_wake.clone());
            match wake.recv() {
                Ok(next) => ticket = next,
                Err(_) => return,
            }
        }
    }
}

/// Runs `f` in a z3 context of its own, made ahead on a thread of the pool (the module's
/// comment). A panic in `f` is resumed here. When no thread can be started, `f` runs here in a
/// context made for it.
pub fn run<R, F>(f: F) -> R
where
    R: Send + Sync + 'static,
    F: FnOnce() -> R + Send + Sync + 'static,
{
    let pool = pool();
    // The time a query waits for its context, and for the next one, is the context's.
    let waiting = phases::enter(phases::Phase::Context);
    let Some((thread, started)) = pool.take_ready() else {
        drop(waiting);
        return made_here(f);
    };
    let (send_answer, answer) = channel::<Answer<R>>();
    let job: Job = Box::new(move || {
        let _ = phases::take_spent();
        let result = catch_unwind(AssertUnwindSafe(f)).map_err(|payload| panic_message(&*payload));
        let spent = phases::take_spent();
        Box::new(move || {
            let _ = send_answer.send((result, spent));
        })
    });
    let sent = thread.send(job).is_ok();
    // After the job is sent, so that the thread making the next context does not delay it.
    let next = pool.prepare();
    let answered = sent.then(|| answer.recv().ok()).flatten();
    for ticket in [started, next].into_iter().flatten() {
        pool.settle(ticket);
    }
    let Some((result, spent)) = answered else {
        drop(waiting);
        resume_unwind(Box::new(
            "internal: the z3 thread of a query stopped without an answer".to_owned(),
        ));
    };
    phases::absorb(&spent);
    drop(waiting);
    result.unwrap_or_else(|message| resume_unwind(Box::new(message)))
}

/// `f` in a context made on this thread (the pool could not start a thread).
fn made_here<R: Send + Sync>(f: impl FnOnce() -> R + Send + Sync) -> R {
    let making = phases::enter(phases::Phase::Context);
    let (result, dropping) = z3::with_z3_config(&z3::Config::new(), move || {
        drop(making);
        let result = f();
        (result, phases::enter(phases::Phase::Context))
    });
    drop(dropping);
    result
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_query_has_a_context_of_its_own() {
        // A constant declared in one query is unknown to the next: z3 rejects its use.
        let declared = run(|| {
            let solver = z3::Solver::new();
            solver.from_string("(declare-const only_here Int)(assert (> only_here 1))");
            solver.get_assertions().len()
        });
        let reused = run(|| {
            let solver = z3::Solver::new();
            solver.from_string("(assert (> only_here 1))");
            solver.get_assertions().len()
        });
        assert_eq!((declared, reused), (1, 0));
    }

    #[test]
    fn a_panic_in_a_query_reaches_its_caller() {
        let caught = catch_unwind(|| run(|| -> usize { std::panic::panic_any("boom".to_owned()) }));
        let message = caught
            .err()
            .and_then(|p| p.downcast_ref::<String>().cloned());
        assert_eq!(message.as_deref(), Some("boom"));
        // The pool still answers.
        assert_eq!(run(|| 2 + 2), 4);
    }

    #[test]
    fn concurrent_callers_each_get_their_own_answer() {
        // Eight callers at once, five queries each: each answer is the caller's own, computed
        // by z3 in a context of its own.
        let callers: Vec<_> = (0..8i64)
            .map(|caller| {
                std::thread::spawn(move || {
                    (0..5i64)
                        .map(|i| {
                            let n = caller * 10 + i;
                            run(move || {
                                let solver = z3::Solver::new();
                                let x = z3::ast::Int::new_const("x");
                                solver.assert(x.eq(z3::ast::Int::from_i64(n)));
                                solver.check();
                                solver
                                    .get_model()
                                    .and_then(|m| m.eval(&x, true))
                                    .and_then(|v| v.as_i64())
                            })
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for (caller, handle) in callers.into_iter().enumerate() {
            let answers = handle.join().unwrap_or_default();
            let caller = i64::try_from(caller).unwrap_or_default();
            let expected: Vec<Option<i64>> = (0..5).map(|i| Some(caller * 10 + i)).collect();
            assert_eq!(answers, expected);
        }
    }
}
