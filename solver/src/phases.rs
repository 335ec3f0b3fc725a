//! Where a query's time goes, by phase (for measurement: `cargo xtask solver-corpus --phases`).
//!
//! Each phase's time is its own: a phase started inside another pauses the outer one, so the
//! phases of a query add up to its time. The clock is read twice per phase entered, a few
//! hundred times per query at most, so it is always on; nothing reads it but the benchmark.

use std::cell::RefCell;
use std::time::{Duration, Instant};

/// The phases of a query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Making the query's z3 context and dropping it (with what the query dropped).
    Context,
    /// Collecting the domain, building the action classes and the symbolic request, encoding
    /// the policy sets (the SMT-LIB text), outside the partitions.
    Encode,
    /// Building the principal's partition (`regex.rs` regions) and tying its atoms.
    Principal,
    /// The same for the resource (or setting up its lazy exploration).
    Resource,
    /// The same for the free context keys.
    Keys,
    /// z3 reading the problem's text.
    Z3Load,
    /// z3 checking (including the goal's text and the model).
    Z3Check,
    /// Realizing lazily explored domains (`Encoded::check`).
    Lazy,
    /// Reading a witness back from a model and making it readable (without its z3 re-asks).
    ReadBack,
    /// Validating, replaying and checking a witness through the reference evaluator.
    Replay,
    /// Making a witness plainer (`witness::plainest`).
    Plainer,
}

/// Every phase, in report order.
pub const ALL: [Phase; 11] = [
    Phase::Context,
    Phase::Encode,
    Phase::Principal,
    Phase::Resource,
    Phase::Keys,
    Phase::Z3Load,
    Phase::Z3Check,
    Phase::Lazy,
    Phase::ReadBack,
    Phase::Replay,
    Phase::Plainer,
];

impl Phase {
    pub fn label(self) -> &'static str {
        match self {
            Phase::Context => "z3 context",
            Phase::Encode => "encode",
            Phase::Principal => "principal regions",
            Phase::Resource => "resource regions",
            Phase::Keys => "key regions",
            Phase::Z3Load => "z3 load",
            Phase::Z3Check => "z3 check",
            Phase::Lazy => "lazy",
            Phase::ReadBack => "read back",
            Phase::Replay => "replay",
            Phase::Plainer => "plainer",
        }
    }

    fn index(self) -> usize {
        ALL.iter().position(|p| *p == self).unwrap_or(0)
    }
}

#[derive(Default)]
struct Clock {
    spent: [Duration; ALL.len()],
    /// The phases entered and not left, innermost last, each with when it last resumed.
    open: Vec<(Phase, Instant)>,
}

thread_local! {
    static CLOCK: RefCell<Clock> = RefCell::new(Clock::default());
}

/// A phase being timed: entered by [`enter`], left when dropped.
pub struct Timed(());

/// Enters `phase` (pausing the phase it is entered from) until the value is dropped.
pub fn enter(phase: Phase) -> Timed {
    let now = Instant::now();
    CLOCK.with(|c| {
        let mut c = c.borrow_mut();
        if let Some((outer, since)) = c.open.last().copied() {
            if let Some(slot) = c.spent.get_mut(outer.index()) {
                *slot += now.saturating_duration_since(since);
            }
        }
        c.open.push((phase, now));
    });
    Timed(())
}

impl Drop for Timed {
    fn drop(&mut self) {
        let now = Instant::now();
        CLOCK.with(|c| {
            let mut c = c.borrow_mut();
            if let Some((phase, since)) = c.open.pop() {
                if let Some(slot) = c.spent.get_mut(phase.index()) {
                    *slot += now.saturating_duration_since(since);
                }
            }
            if let Some(last) = c.open.last_mut() {
                last.1 = now;
            }
        });
    }
}

/// The time spent in each phase on this thread since the last call, and resets it.
pub fn take() -> Vec<(&'static str, Duration)> {
    ALL.iter().map(|p| p.label()).zip(take_spent()).collect()
}

/// [`take`], in the order of [`ALL`].
pub(crate) fn take_spent() -> [Duration; ALL.len()] {
    CLOCK.with(|c| std::mem::take(&mut c.borrow_mut().spent))
}

/// Counts on this thread the phases of work done for it on another (a query run on a thread of
/// `contexts`), and takes that time off the phase open here, which was waiting for it.
pub(crate) fn absorb(spent: &[Duration; ALL.len()]) {
    let total: Duration = spent.iter().sum();
    CLOCK.with(|c| {
        let mut c = c.borrow_mut();
        for (slot, d) in c.spent.iter_mut().zip(spent) {
            *slot += *d;
        }
        let now = Instant::now();
        if let Some(last) = c.open.last_mut() {
            last.1 = (last.1 + total).min(now);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_phases_count_their_own_time_only() {
        let _ = take();
        {
            let _outer = enter(Phase::Encode);
            std::thread::sleep(Duration::from_millis(2));
            {
                let _inner = enter(Phase::Z3Check);
                std::thread::sleep(Duration::from_millis(2));
            }
        }
        let spent: std::collections::HashMap<_, _> = take().into_iter().collect();
        let encode = spent.get("encode").copied().unwrap_or_default();
        let check = spent.get("z3 check").copied().unwrap_or_default();
        assert!(encode >= Duration::from_millis(2) && check >= Duration::from_millis(2));
        // Lower bounds only (a sleep lasts at least its time): nothing here depends on speed.
        assert_eq!(spent.get("replay").copied(), Some(Duration::ZERO));
        assert!(take().iter().all(|(_, d)| d.is_zero()));
    }
}
