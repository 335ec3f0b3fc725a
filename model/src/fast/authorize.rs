//! The decision procedure of `reference::decide` (SEMANTICS.md §4.3), written once over an
//! [`Oracle`] that says whether a group of policies denies or allows. `decide` answers those
//! questions lazily, only as the procedure asks them, stopping at the first statement that
//! settles each one; `authorize` first evaluates every applicable group in the reference's order,
//! recording matched statements and missing keys, then runs the same procedure over the table.

use super::compile::Group;
use super::condition::NoLog;
use super::index::Probe;
use super::Compiled;
use crate::answer::{Answer, Decision, StatementRef};
use crate::condition::KeyLog;
use crate::guard_rail::{self, GuardRail};
use crate::policy::{Effect, PolicyKind};
use crate::principal::{Caller, MatchClass};
use crate::request::Request;
use crate::scope::{rcp_governs, request_needs_resource_grant};
use std::ops::ControlFlow;

/// The hot path: the decision and the deciding kind, without an explanation.
pub(super) fn decide(compiled: &Compiled, request: &Request) -> (Decision, Option<PolicyKind>) {
    let applicable = Applicable::new(compiled, request);
    let mut oracle = Lazy {
        request,
        probe: compiled.names.probe_action(&request.action),
        has_boundary: compiled.has_boundary,
    };
    let (decision, deciding) = procedure(&applicable, compiled.resource_kind, request, &mut oracle);
    let (decision, deciding, _) = guarded(decision, deciding, request);
    (decision, deciding)
}

/// The reference's last step: a guard rail refuses what the policies allow (D68).
fn guarded(
    decision: Decision,
    deciding: Option<PolicyKind>,
    request: &Request,
) -> (Decision, Option<PolicyKind>, Option<GuardRail>) {
    if decision != Decision::Allow {
        return (decision, deciding, None);
    }
    match guard_rail::refusing(request) {
        Some(rail) => (Decision::ImplicitDeny, None, Some(rail)),
        None => (decision, deciding, None),
    }
}

/// The decision with every applicable statement and every missing key, as the reference gives.
pub(super) fn authorize(compiled: &Compiled, request: &Request) -> Answer {
    let applicable = Applicable::new(compiled, request);
    let mut recorder = Recorder {
        request,
        probe: compiled.names.probe_action(&request.action),
        has_boundary: compiled.has_boundary,
        matched: Vec::new(),
        keys: KeyLog::default(),
        outcomes: vec![None; compiled.groups],
        candidates: Vec::new(),
    };
    // The reference's order of evaluation, which is the order of `matched` and decides which
    // spelling of a missing key is reported.
    let groups = applicable
        .scp
        .into_iter()
        .flatten()
        .chain(applicable.rcp.into_iter().flatten())
        .chain(applicable.vpc_endpoint)
        .chain(applicable.boundary)
        .chain(applicable.session)
        .chain(applicable.identity)
        .chain(applicable.resource);
    for group in groups {
        recorder.evaluate(group);
    }
    let (decision, deciding) = procedure(
        &applicable,
        compiled.resource_kind,
        request,
        &mut Table(&recorder.outcomes),
    );
    let (decision, deciding, guard_rail) = guarded(decision, deciding, request);
    Answer {
        decision,
        deciding,
        matched: recorder.matched,
        missing_keys: recorder.keys.missing.into_iter().collect(),
        guard_rail,
    }
}

/// The groups that govern one request (§4.2), selected as `reference::decide` selects them.
struct Applicable<'a> {
    scp: Option<&'a [Group]>,
    rcp: Option<&'a [Group]>,
    vpc_endpoint: Option<&'a Group>,
    boundary: Option<&'a Group>,
    session: Option<&'a Group>,
    identity: Option<&'a Group>,
    resource: Option<&'a Group>,
}

impl<'a> Applicable<'a> {
    fn new(compiled: &'a Compiled, request: &Request) -> Applicable<'a> {
        let caller = &request.principal;
        // The scope tests cost something: they run only when there is a chain to apply.
        let scp_applies = || caller.has_identity_side() && !caller.is_service_linked_role();
        let rcp_applies = || rcp_governs(&request.action) && !caller.is_service_linked_role();
        let identity_applies = caller.has_identity_side() && !matches!(caller, Caller::Root { .. });
        Applicable {
            scp: compiled.scp.as_deref().filter(|_| scp_applies()),
            rcp: compiled.rcp.as_deref().filter(|_| rcp_applies()),
            vpc_endpoint: compiled.vpc_endpoint.as_ref(),
            boundary: compiled.boundary.as_ref().filter(|_| identity_applies),
            session: compiled.session.as_ref().filter(|_| identity_applies),
            identity: identity_applies.then_some(&compiled.identity),
            resource: compiled.resource.as_ref(),
        }
    }
}

/// What the procedure asks about a group of policies. `allows` is asked only of a group for
/// which `denies` said no.
trait Oracle {
    /// Does any `Deny` statement of the group apply?
    fn denies(&mut self, group: &Group) -> bool;
    /// How strongly the group's strongest applicable `Allow` names the caller, if one applies.
    fn allows(&mut self, group: &Group) -> Option<MatchClass>;
}

/// Mirrors `reference::decide` step by step, asking the oracle only what each step needs.
fn procedure(
    a: &Applicable<'_>,
    resource_kind: PolicyKind,
    request: &Request,
    o: &mut impl Oracle,
) -> (Decision, Option<PolicyKind>) {
    use PolicyKind::*;
    let caller = &request.principal;
    let deny = |kind| (Decision::ImplicitDeny, Some(kind));

    // 1. An explicit deny in any policy wins (reported in the order of D50).
    for (kind, levels) in [(Scp, a.scp), (Rcp, a.rcp)] {
        if levels.is_some_and(|levels| levels.iter().any(|group| o.denies(group))) {
            return (Decision::ExplicitDeny, Some(kind));
        }
    }
    let groups = [
        (VpcEndpoint, a.vpc_endpoint),
        (PermissionBoundary, a.boundary),
        (Session, a.session),
        (Identity, a.identity),
        (resource_kind, a.resource),
    ];
    for (kind, group) in groups {
        if group.is_some_and(|group| o.denies(group)) {
            return (Decision::ExplicitDeny, Some(kind));
        }
    }
    // 2. Guardrails: every SCP level, every RCP level and the VPC endpoint policy must allow.
    for (kind, levels) in [(Scp, a.scp), (Rcp, a.rcp)] {
        if levels.is_some_and(|levels| levels.iter().any(|group| o.allows(group).is_none())) {
            return deny(kind);
        }
    }
    if a.vpc_endpoint
        .is_some_and(|group| o.allows(group).is_none())
    {
        return deny(VpcEndpoint);
    }
    let granted = a.resource.and_then(|group| o.allows(group));
    // Callers without an identity side: only a resource-based policy naming them can allow.
    if !caller.has_identity_side() {
        return match granted {
            Some(MatchClass::Direct | MatchClass::Wildcard) => {
                (Decision::Allow, Some(resource_kind))
            }
            _ => deny(resource_kind),
        };
    }
    let allowed_by = a.identity.is_some().then_some(Identity);
    // 3. Cross-account: the resource side and the identity side must both allow (§4.5).
    if request.resource_account.as_deref() != caller.account() {
        let mut blocking = identity_side(caller, a, o, true);
        if granted.is_none() {
            blocking.insert(resource_kind);
        }
        return verdict(blocking, allowed_by);
    }
    // 4. Same account: a resource-policy grant may suffice on its own (§4.4).
    match granted {
        Some(MatchClass::Direct | MatchClass::Wildcard) => (Decision::Allow, Some(resource_kind)),
        // Only the boundary and session policies still count.
        Some(MatchClass::ParentRole | MatchClass::ParentUser) => {
            match verdict(identity_side(caller, a, o, false), allowed_by) {
                (Decision::Allow, _) => (Decision::Allow, Some(resource_kind)),
                denied => denied,
            }
        }
        Some(MatchClass::AccountLevel) => verdict(identity_side(caller, a, o, true), allowed_by),
        None => {
            let mut blocking = identity_side(caller, a, o, true);
            if request_needs_resource_grant(&request.action, &request.resource) {
                blocking.insert(resource_kind);
            }
            verdict(blocking, allowed_by)
        }
    }
}

/// What blocks on the principal's own side (the reference's `identity_side`); identity policies
/// are consulted only when `with_identity`.
fn identity_side(
    caller: &Caller,
    a: &Applicable<'_>,
    o: &mut impl Oracle,
    with_identity: bool,
) -> Kinds {
    let mut blocking = Kinds::default();
    if let Caller::Root { .. } = caller {
        // The root user needs no identity policy and has no boundary or session policy (D53).
        return blocking;
    }
    if with_identity && a.identity.is_none_or(|group| o.allows(group).is_none()) {
        blocking.insert(PolicyKind::Identity);
    }
    if a.boundary.is_some_and(|group| o.allows(group).is_none()) {
        blocking.insert(PolicyKind::PermissionBoundary);
    }
    // A federated user without a session policy gets nothing from identity policies (D54).
    let federated_without_session =
        a.session.is_none() && matches!(caller, Caller::FederatedUser { .. });
    if federated_without_session || a.session.is_some_and(|group| o.allows(group).is_none()) {
        blocking.insert(PolicyKind::Session);
    }
    blocking
}

/// Allowed when nothing blocks; otherwise an implicit deny reported as the first blocking kind
/// in D50's order.
fn verdict(blocking: Kinds, allowed_by: Option<PolicyKind>) -> (Decision, Option<PolicyKind>) {
    match blocking.first() {
        Some(kind) => (Decision::ImplicitDeny, Some(kind)),
        None => (Decision::Allow, allowed_by),
    }
}

/// Every kind in the order `PolicyKind` declares them, which is D50's reporting order.
const ORDER: [PolicyKind; 8] = [
    PolicyKind::Scp,
    PolicyKind::Rcp,
    PolicyKind::VpcEndpoint,
    PolicyKind::PermissionBoundary,
    PolicyKind::Session,
    PolicyKind::Identity,
    PolicyKind::Resource,
    PolicyKind::Trust,
];

/// A set of policy kinds without allocation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Kinds(u8);

impl Kinds {
    fn insert(&mut self, kind: PolicyKind) {
        if let Some(bit) = ORDER.iter().position(|k| *k == kind) {
            self.0 |= 1 << bit;
        }
    }

    /// The smallest kind in the set (`Iterator::min` over the reference's list).
    fn first(self) -> Option<PolicyKind> {
        ORDER
            .iter()
            .enumerate()
            .find(|(bit, _)| self.0 & (1 << bit) != 0)
            .map(|(_, kind)| *kind)
    }
}

/// Answers from the compiled statements, as asked; nothing recorded.
struct Lazy<'a> {
    request: &'a Request,
    probe: Probe<'a>,
    has_boundary: bool,
}

impl Oracle for Lazy<'_> {
    fn denies(&mut self, group: &Group) -> bool {
        group
            .deny
            .try_each(&self.probe, |number| match group.statements.get(number) {
                Some(statement)
                    if statement
                        .applies(self.request, self.has_boundary, &mut NoLog)
                        .is_some() =>
                {
                    ControlFlow::Break(())
                }
                _ => ControlFlow::Continue(()),
            })
            .is_break()
    }

    fn allows(&mut self, group: &Group) -> Option<MatchClass> {
        let mut best = None;
        let _ = group.allow.try_each(&self.probe, |number| {
            let class = group
                .statements
                .get(number)
                .and_then(|s| s.applies(self.request, self.has_boundary, &mut NoLog));
            best = best.max(class);
            // Nothing names the caller more strongly than `Direct`.
            if class == Some(MatchClass::Direct) {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        best
    }
}

/// What one group said: the reference's `Outcome`.
#[derive(Clone, Copy, Debug)]
struct GroupOutcome {
    denied: bool,
    allowed: Option<MatchClass>,
}

/// Evaluates whole groups in order, recording as the reference does.
struct Recorder<'a> {
    request: &'a Request,
    probe: Probe<'a>,
    has_boundary: bool,
    matched: Vec<StatementRef>,
    keys: KeyLog,
    /// By group id.
    outcomes: Vec<Option<GroupOutcome>>,
    /// Scratch space: the statements whose action matches.
    candidates: Vec<usize>,
}

impl Recorder<'_> {
    /// The reference's `policies`: every applicable statement in order.
    fn evaluate(&mut self, group: &Group) {
        self.candidates.clear();
        group.deny.collect_into(&self.probe, &mut self.candidates);
        group.allow.collect_into(&self.probe, &mut self.candidates);
        self.candidates.sort_unstable();
        self.candidates.dedup();
        let mut outcome = GroupOutcome {
            denied: false,
            allowed: None,
        };
        for number in &self.candidates {
            let Some(statement) = group.statements.get(*number) else {
                continue;
            };
            let Some(class) = statement.applies(self.request, self.has_boundary, &mut self.keys)
            else {
                continue;
            };
            self.matched.push(StatementRef {
                kind: group.kind,
                level: group.level,
                policy: statement.policy,
                statement: statement.number,
                sid: statement.sid.clone(),
                effect: statement.effect,
            });
            match statement.effect {
                Effect::Deny => outcome.denied = true,
                Effect::Allow => outcome.allowed = outcome.allowed.max(Some(class)),
            }
        }
        if let Some(slot) = self.outcomes.get_mut(group.id) {
            *slot = Some(outcome);
        }
    }
}

/// Answers from the recorded outcomes.
struct Table<'a>(&'a [Option<GroupOutcome>]);

impl Table<'_> {
    fn outcome(&self, group: &Group) -> Option<GroupOutcome> {
        self.0.get(group.id).copied().flatten()
    }
}

impl Oracle for Table<'_> {
    fn denies(&mut self, group: &Group) -> bool {
        self.outcome(group).is_some_and(|o| o.denied)
    }

    fn allows(&mut self, group: &Group) -> Option<MatchClass> {
        self.outcome(group)
            .filter(|o| !o.denied)
            .and_then(|o| o.allowed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_is_the_declared_order_of_policy_kinds() {
        assert!(ORDER.windows(2).all(|w| w[0] < w[1]));
        for kind in PolicyKind::ALL {
            assert!(ORDER.contains(&kind));
        }
    }

    #[test]
    fn kinds_report_the_smallest() {
        let mut kinds = Kinds::default();
        assert_eq!(kinds.first(), None);
        kinds.insert(PolicyKind::Resource);
        kinds.insert(PolicyKind::Session);
        kinds.insert(PolicyKind::Identity);
        assert_eq!(kinds.first(), Some(PolicyKind::Session));
    }
}
