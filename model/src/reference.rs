//! The reference evaluator: a direct transcription of the decision procedure of SEMANTICS.md
//! §4.3, to be read beside it. Obviously right beats fast; optimizations belong in `fast`.

use crate::answer::{Answer, Decision, StatementRef};
use crate::arn::resource_pattern_matches;
use crate::condition::{clause_holds, KeyLog};
use crate::guard_rail;
use crate::pattern::Pattern;
use crate::policy::{Effect, Policy, PolicyKind, Statement};
use crate::policy_set::PolicySet;
use crate::principal::{Caller, MatchClass};
use crate::request::{Request, Resource};
use crate::scope::{rcp_governs, request_needs_resource_grant};

/// What one kind of policy says about a request (§4.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    /// Allowed, and how strongly the allowing statement named the caller (§2.3).
    Allow(MatchClass),
    ExplicitDeny,
    ImplicitDeny,
}

/// Decides `request` under `policies`.
pub fn authorize(policies: &PolicySet, request: &Request) -> Answer {
    let mut eval = Evaluation {
        request,
        has_boundary: policies.permission_boundary.is_some(),
        matched: Vec::new(),
        keys: KeyLog::default(),
    };
    let (decision, deciding) = decide(policies, &mut eval);
    // What the policies allow, AWS still refuses on the resources it owns or protects (D68).
    let guard_rail = (decision == Decision::Allow)
        .then(|| guard_rail::refusing(request))
        .flatten();
    let (decision, deciding) = match guard_rail {
        Some(_) => (Decision::ImplicitDeny, None),
        None => (decision, deciding),
    };
    Answer {
        decision,
        deciding,
        matched: eval.matched,
        missing_keys: eval.keys.missing.into_iter().collect(),
        guard_rail,
    }
}

fn decide(p: &PolicySet, e: &mut Evaluation) -> (Decision, Option<PolicyKind>) {
    use PolicyKind::*;
    let caller = &e.request.principal;
    let deny = |kind| (Decision::ImplicitDeny, Some(kind));

    // Which controls apply to this caller and resource (§4.2).
    let scp_applies = caller.has_identity_side() && !caller.is_service_linked_role();
    let rcp_applies = rcp_governs(&e.request.action) && !caller.is_service_linked_role();
    let identity_applies = caller.has_identity_side() && !matches!(caller, Caller::Root { .. });

    let scp = p
        .scp
        .as_ref()
        .filter(|_| scp_applies)
        .map(|levels| e.chain(Scp, levels));
    let rcp = p
        .rcp
        .as_ref()
        .filter(|_| rcp_applies)
        .map(|levels| e.chain(Rcp, levels));
    let vpce = p
        .vpc_endpoint
        .as_ref()
        .map(|policy| e.kind(VpcEndpoint, std::slice::from_ref(policy)));
    let boundary = p
        .permission_boundary
        .as_ref()
        .filter(|_| identity_applies)
        .map(|policy| e.kind(PermissionBoundary, std::slice::from_ref(policy)));
    let session = (!p.session.is_empty() && identity_applies).then(|| e.kind(Session, &p.session));
    let identity = identity_applies.then(|| e.kind(Identity, &p.identity));
    let resource_kind = p.resource_kind.unwrap_or(Resource);
    let resource = p
        .resource
        .as_ref()
        .map(|policy| e.kind(resource_kind, std::slice::from_ref(policy)));

    // 1. An explicit deny in any policy wins (reported in the order of D50).
    let all = [
        (Scp, scp),
        (Rcp, rcp),
        (VpcEndpoint, vpce),
        (PermissionBoundary, boundary),
        (Session, session),
        (Identity, identity),
        (resource_kind, resource),
    ];
    if let Some((kind, _)) = all.iter().find(|(_, o)| *o == Some(Outcome::ExplicitDeny)) {
        return (Decision::ExplicitDeny, Some(*kind));
    }
    // 2. Guardrails: every SCP level, every RCP level and the VPC endpoint policy must allow.
    for (kind, outcome) in [(Scp, scp), (Rcp, rcp), (VpcEndpoint, vpce)] {
        if outcome == Some(Outcome::ImplicitDeny) {
            return deny(kind);
        }
    }
    let granted = match resource {
        Some(Outcome::Allow(class)) => Some(class),
        _ => None,
    };
    // Service principals, identity providers and anonymous callers have no identity side:
    // only a resource-based policy naming them (or everyone) can allow (§4.6).
    if !caller.has_identity_side() {
        return match granted {
            Some(MatchClass::Direct | MatchClass::Wildcard) => {
                (Decision::Allow, Some(resource_kind))
            }
            _ => deny(resource_kind),
        };
    }
    // 3. Cross-account: the resource side and the identity side must both allow (§4.5).
    let mut blocking = identity_side(caller, identity, boundary, session);
    let allowed_by = identity_applies.then_some(Identity);
    if e.request.resource_account.as_deref() != caller.account() {
        if granted.is_none() {
            blocking.push(resource_kind);
        }
        return verdict(&blocking, allowed_by);
    }
    // 4. Same account: a resource-policy grant may suffice on its own (§4.4).
    match granted {
        Some(MatchClass::Direct | MatchClass::Wildcard) => (Decision::Allow, Some(resource_kind)),
        Some(MatchClass::ParentRole | MatchClass::ParentUser) => {
            blocking.retain(|kind| matches!(kind, PermissionBoundary | Session));
            match verdict(&blocking, allowed_by) {
                (Decision::Allow, _) => (Decision::Allow, Some(resource_kind)),
                denied => denied,
            }
        }
        // An account-level grant delegates to the account's IAM; role trust policies and KMS
        // key policies must grant access themselves (D52).
        Some(MatchClass::AccountLevel) => verdict(&blocking, allowed_by),
        None => {
            if request_needs_resource_grant(&e.request.action, &e.request.resource) {
                blocking.push(resource_kind);
            }
            verdict(&blocking, allowed_by)
        }
    }
}

/// Allowed when nothing blocks; otherwise an implicit deny reported as the first blocking kind
/// in D50's order (the order `PolicyKind` is declared in).
/// `allowed_by` is the kind named when nothing blocks: identity policies, or none for the root
/// user's implicit permissions.
fn verdict(
    blocking: &[PolicyKind],
    allowed_by: Option<PolicyKind>,
) -> (Decision, Option<PolicyKind>) {
    match blocking.iter().min() {
        Some(kind) => (Decision::ImplicitDeny, Some(*kind)),
        None => (Decision::Allow, allowed_by),
    }
}

/// What blocks on the principal's own side: identity policies, the boundary, session policies.
fn identity_side(
    caller: &Caller,
    identity: Option<Outcome>,
    boundary: Option<Outcome>,
    session: Option<Outcome>,
) -> Vec<PolicyKind> {
    let mut blocking = Vec::new();
    if let Caller::Root { .. } = caller {
        // The root user needs no identity policy and has no boundary or session policy (D53).
        return blocking;
    }
    if !matches!(identity, Some(Outcome::Allow(_))) {
        blocking.push(PolicyKind::Identity);
    }
    if boundary == Some(Outcome::ImplicitDeny) {
        blocking.push(PolicyKind::PermissionBoundary);
    }
    // A federated user without a session policy gets nothing from identity policies (D54).
    let federated_without_session =
        session.is_none() && matches!(caller, Caller::FederatedUser { .. });
    if session == Some(Outcome::ImplicitDeny) || federated_without_session {
        blocking.push(PolicyKind::Session);
    }
    blocking
}

/// The state of one evaluation: what applied, and which keys were missing.
struct Evaluation<'a> {
    request: &'a Request,
    has_boundary: bool,
    matched: Vec<StatementRef>,
    keys: KeyLog,
}

impl Evaluation<'_> {
    /// An SCP or RCP chain: a deny at any level denies; every level needs an allow (§4.1).
    fn chain(&mut self, kind: PolicyKind, levels: &[Vec<Policy>]) -> Outcome {
        let outcomes: Vec<Outcome> = levels
            .iter()
            .enumerate()
            .map(|(level, policies)| self.policies(kind, Some(level), policies))
            .collect();
        if outcomes.contains(&Outcome::ExplicitDeny) {
            Outcome::ExplicitDeny
        } else if outcomes.contains(&Outcome::ImplicitDeny) {
            Outcome::ImplicitDeny
        } else {
            Outcome::Allow(MatchClass::Direct)
        }
    }

    fn kind(&mut self, kind: PolicyKind, policies: &[Policy]) -> Outcome {
        self.policies(kind, None, policies)
    }

    /// A set of policies of one kind: any applicable Deny denies; otherwise the strongest
    /// applicable Allow allows; otherwise nothing allows.
    fn policies(&mut self, kind: PolicyKind, level: Option<usize>, policies: &[Policy]) -> Outcome {
        let mut denied = false;
        let mut allowed: Option<MatchClass> = None;
        for (index, policy) in policies.iter().enumerate() {
            for (number, statement) in policy.statements.iter().enumerate() {
                let Some(class) = self.applies(kind, policy, statement) else {
                    continue;
                };
                self.matched.push(StatementRef {
                    kind,
                    level,
                    policy: index,
                    statement: number,
                    sid: statement.sid.clone(),
                    effect: statement.effect,
                });
                match statement.effect {
                    Effect::Deny => denied = true,
                    Effect::Allow => allowed = allowed.max(Some(class)),
                }
            }
        }
        match (denied, allowed) {
            (true, _) => Outcome::ExplicitDeny,
            (false, Some(class)) => Outcome::Allow(class),
            (false, None) => Outcome::ImplicitDeny,
        }
    }

    /// Whether `statement` applies (§2.5), and with what principal-match class.
    fn applies(
        &mut self,
        kind: PolicyKind,
        policy: &Policy,
        statement: &Statement,
    ) -> Option<MatchClass> {
        let class = self.principal_matches(kind, statement)?;
        if !self.action_matches(statement) || !self.resource_matches(policy, statement) {
            return None;
        }
        // Every clause is evaluated, so that every missing key is reported.
        let mut holds = true;
        for clause in &statement.condition {
            holds &= clause_holds(
                clause,
                policy.version,
                &self.request.context,
                &mut self.keys,
            );
        }
        holds.then_some(class)
    }

    fn principal_matches(&self, kind: PolicyKind, statement: &Statement) -> Option<MatchClass> {
        if !kind.has_principal() {
            return Some(MatchClass::Direct);
        }
        let element = statement.principal.as_ref()?;
        let caller = &self.request.principal;
        if !element.negated {
            return caller.matched_by(&element.principals);
        }
        // NotPrincipal applies to everyone it does not exclude (§2.4, D55), and a Deny always
        // applies to a user or role with a permissions boundary (D55).
        let boundary_quirk = statement.effect == Effect::Deny
            && self.has_boundary
            && matches!(caller, Caller::User { .. } | Caller::RoleSession { .. });
        (!caller.excluded_by(&element.principals) || boundary_quirk).then_some(MatchClass::Wildcard)
    }

    fn action_matches(&self, statement: &Statement) -> bool {
        let action = self.request.action.lowercase();
        let listed = statement
            .action
            .patterns
            .iter()
            .any(|p| Pattern::new(p).ignore_case().matches(action));
        listed != statement.action.negated
    }

    fn resource_matches(&self, policy: &Policy, statement: &Statement) -> bool {
        // Trust policies (and some resource policies) omit Resource: the resource is implied.
        let Some(element) = &statement.resource else {
            return true;
        };
        let variables = policy
            .version
            .substitutes_variables()
            .then_some(&self.request.context);
        let listed = element
            .patterns
            .iter()
            .any(|pattern| match &self.request.resource {
                _ if pattern == "*" => true,
                Resource::Any => false,
                Resource::Arn(arn) => resource_pattern_matches(pattern, arn, variables),
            });
        listed != element.negated
    }
}
