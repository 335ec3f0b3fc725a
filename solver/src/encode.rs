//! The decision procedure of `model/src/reference.rs`, transcribed over the symbolic request.
//! Read it beside `reference.rs`: every function here mirrors one there.

use crate::actions::{rail_element, ActionDomain};
use crate::domain::{Domain, KeyType};
use crate::err::Unsupported;
use crate::glob::{self, Piece};
use crate::regex::{Class, Re};
use crate::smt::{self, Expr, Problem, Sort};
use crate::strings::{Atoms, Finished};
use crate::symbolic::{CallerKind, KeyVar, Mode, Slot, Strs, SymRequest};
use crate::values;
use iamspec_model::arn::{split_fields, Arn};
use iamspec_model::condition::value::{decode_base64, parse_bool, Cidr};
use iamspec_model::condition::variables::{Part, Template};
use iamspec_model::condition::{Comparison, ConditionOperator, SetQualifier};
use iamspec_model::guard_rail::GuardRail;
use iamspec_model::pattern::Pattern;
use iamspec_model::policy::{
    ConditionClause, Effect, Policy, PolicyKind, PrincipalType, Principals, Statement, Version,
};
use iamspec_model::principal::{account_principal, Caller};
use iamspec_model::PolicySet;
use std::collections::HashMap;

/// A policy kind's outcome (`Outcome` in reference.rs): an applicable Deny, and for each
/// match-class level an applicable Allow at least that strong.
#[derive(Clone, Debug)]
struct Out {
    deny: Expr,
    /// `[AccountLevel, ParentUser/ParentRole, Wildcard]`: some applicable Allow named the caller
    /// at least this strongly.
    allow: [Expr; 3],
}

/// The encoding of one query: the problem, the symbolic request, and the string tests made.
pub struct Encoder {
    pub p: Problem,
    pub req: SymRequest,
    pub actions: ActionDomain,
    pub(crate) atoms: Atoms,
    pub(crate) finished: Finished,
    resource_cache: HashMap<(String, bool), Expr>,
    /// Why the encoding covers only part of the request domain, if it does (`Partition` mode
    /// with policy variables or account-specific patterns): then only its witnesses count,
    /// and "no witness" proves nothing.
    pub restricted: Option<String>,
    /// Policy variables in `Partition` mode: the key's choice among `tokens`.
    var_choices: HashMap<String, Expr>,
    tokens: Vec<String>,
    /// How many candidate values each variable gets, so that a value with several variables
    /// stays a manageable number of alternatives.
    variable_values: usize,
    /// Abstract mode: every test that involves a policy variable is an unconstrained Boolean,
    /// one per text, so the encoding over-approximates: unsatisfiable means the property holds.
    pub abstract_variables: bool,
    opaque: HashMap<String, Expr>,
    /// The opaque tests `generic` can relate, with their Booleans.
    opaque_tests: Vec<(crate::generic::Test, Expr)>,
    /// Each statement encoded since the queries last took them, with whether it applies (its
    /// principal at any match class, action, resource, conditions): witnesses are told apart
    /// by the statements that decided them (issue 10).
    pub statements: Vec<(Effect, Expr)>,
    /// Whether `finish` ties the caller's partition to the resource's (D75): asked for only
    /// when a witness crossed partitions, since the classes it adds cost every query.
    pub tie_partitions: bool,
}

/// How many values a policy variable is tried with in restricted mode.
const VARIABLE_VALUES: usize = 12;

/// How many alternatives the substitution of one value may make in restricted mode.
const ALTERNATIVES: usize = 4 * VARIABLE_VALUES;

fn no(c: char) -> Re {
    Re::Class(Class::not([c]))
}

impl Encoder {
    pub fn new(
        mode: Mode,
        domain: &Domain,
        abstract_variables: bool,
    ) -> Result<Encoder, Unsupported> {
        let actions = ActionDomain::build(&domain.action_elements);
        let mut p = Problem::default();
        let req = SymRequest::new(&mut p, mode, &actions, domain)?;
        let restricted = match mode {
            Mode::Partition => domain.account_specific.clone(),
            Mode::Strings => None,
        };
        // Account ids first: `${aws:PrincipalAccount}` is the commonest variable.
        let mut tokens: Vec<String> = match &req.strs {
            Strs::Partition(regions) => regions.accounts.clone(),
            Strs::Z3(_) => Vec::new(),
        };
        let limit = tokens.len() + VARIABLE_VALUES;
        // Values of the typed keys too (D85: a region code, a Bool, an ARN), so that a variable
        // compared with `aws:RequestedRegion` or a Bool key has a value it can take.
        for token in [
            "alice",
            "x",
            "us-east-1",
            "true",
            "arn:aws:s3:::example-bucket",
        ]
        .iter()
        .map(|t| (*t).to_owned())
        .chain(domain.tokens.iter().cloned())
        {
            if tokens.len() >= limit {
                break;
            }
            if !tokens.contains(&token) {
                tokens.push(token);
            }
        }
        let mut encoder = Encoder {
            p,
            req,
            actions,
            atoms: Atoms::default(),
            finished: Finished::default(),
            resource_cache: HashMap::new(),
            tie_partitions: false,
            restricted,
            var_choices: HashMap::new(),
            tokens,
            variable_values: match domain.variables_per_value {
                0 | 1 => usize::MAX,
                // At most `ALTERNATIVES` combinations for a value with `v` variables.
                v => (1..=VARIABLE_VALUES)
                    .take_while(|c| {
                        u32::try_from(v)
                            .ok()
                            .and_then(|v| c.checked_pow(v))
                            .is_some_and(|n| n <= ALTERNATIVES)
                    })
                    .last()
                    .unwrap_or(1),
            },
            abstract_variables,
            opaque: HashMap::new(),
            opaque_tests: Vec::new(),
            statements: Vec::new(),
        };
        encoder.request_space()?;
        Ok(encoder)
    }

    pub fn finished(&self) -> &Finished {
        &self.finished
    }

    /// As [`Encoder::opaque`], remembering the test for [`Encoder::relate_opaque`].
    fn opaque_test(&mut self, text: String, test: crate::generic::Test) -> Expr {
        let known = self.opaque.contains_key(&text);
        let e = self.opaque(text);
        if !known {
            self.opaque_tests.push((test, e.clone()));
        }
        e
    }

    /// Abstract mode: asserts the implications between opaque tests that hold for every value
    /// of the variables (`generic.rs`), so that the over-approximation can prove more.
    pub fn relate_opaque(&mut self) {
        let tests: Vec<crate::generic::Test> =
            self.opaque_tests.iter().map(|(t, _)| t.clone()).collect();
        for (i, j) in crate::generic::implications(&tests) {
            if let (Some((_, a)), Some((_, b))) =
                (self.opaque_tests.get(i), self.opaque_tests.get(j))
            {
                let fact = smt::implies(a, b);
                self.p.assert(&fact);
            }
        }
    }

    /// An unconstrained Boolean standing for the test written as `text` (abstract mode).
    fn opaque(&mut self, text: String) -> Expr {
        if let Some(e) = self.opaque.get(&text) {
            return e.clone();
        }
        let name = self.p.fresh("opaque");
        let e = self.p.declare(&name, Sort::Bool);
        self.opaque.insert(text, e.clone());
        e
    }

    fn is_service_linked_role(&mut self) -> Result<Expr, Unsupported> {
        let slr = Re::concat(vec![
            Re::lit("arn:"),
            Re::plus(no(':')),
            Re::lit(":iam::"),
            Re::star(no(':')),
            Re::lit(":role/aws-service-role/"),
            Re::all(),
        ]);
        let mut options = Vec::new();
        for kind in [CallerKind::Role, CallerKind::RoleSession] {
            let re = if kind == CallerKind::RoleSession {
                Re::concat(vec![slr.clone(), Re::lit("/"), Re::plus(no('/'))])
            } else {
                slr.clone()
            };
            let is = self.req.is(kind);
            options.push(smt::and([is, self.principal_pred(kind, re)?]));
        }
        Ok(smt::or(options))
    }

    /// Does one of AWS's guard rails refuse the request (`guard_rail::refusing`, D68)? Its
    /// actions, on an ARN of its shape, by a caller it binds.
    fn guard_rails(&mut self, slr: &Expr) -> Result<Expr, Unsupported> {
        let no_colon = || Re::star(no(':'));
        let mut refused = Vec::new();
        for rail in GuardRail::ALL {
            let shape = rail.arn_shape();
            let arn = Re::concat(vec![
                Re::lit("arn:"),
                Re::plus(no(':')),
                Re::lit(":iam:"),
                no_colon(),
                Re::lit(":"),
                shape.account.map_or_else(no_colon, Re::lit),
                Re::lit(":"),
                Re::lit(shape.resource_prefix),
                Re::all(),
            ]);
            let classes = self.actions.classes_of(&rail_element(rail)).to_vec();
            let action = self.req.action_in(&classes, self.actions.class_count());
            let resource = smt::and([smt::not(&self.req.rany), self.resource_pred(arn)?]);
            let binds = match rail {
                GuardRail::AwsManagedPolicy => Expr::t(),
                GuardRail::ServiceLinkedRole | GuardRail::IdentityCenterRole => {
                    smt::and([smt::not(&self.req.is(CallerKind::Service)), smt::not(slr)])
                }
            };
            refused.push(smt::and([action, resource, binds]));
        }
        Ok(smt::or(refused))
    }

    /// Is the request allowed under `set` (`decide` in reference.rs)?
    pub fn allowed(&mut self, set: &PolicySet) -> Result<Expr, Unsupported> {
        use CallerKind::*;
        let has_id = self.req.has_identity_side();
        let slr = self.is_service_linked_role()?;
        let slr = self.p.define("slr", Sort::Bool, slr);
        let scp_applies = smt::and([has_id.clone(), smt::not(&slr)]);
        let rcp_applies = smt::and([
            self.req
                .action_in(self.actions.rcp_classes(), self.actions.class_count()),
            smt::not(&slr),
        ]);
        let identity_applies = smt::and([has_id.clone(), smt::not(&self.req.is(Root))]);
        let has_boundary = set.permission_boundary.is_some();

        let scp = match &set.scp {
            Some(levels) => Some(self.chain(PolicyKind::Scp, levels, has_boundary)?),
            None => None,
        };
        let rcp = match &set.rcp {
            Some(levels) => Some(self.chain(PolicyKind::Rcp, levels, has_boundary)?),
            None => None,
        };
        let vpce = match &set.vpc_endpoint {
            Some(policy) => Some(self.policies(
                PolicyKind::VpcEndpoint,
                std::slice::from_ref(policy),
                has_boundary,
            )?),
            None => None,
        };
        let boundary = match &set.permission_boundary {
            Some(policy) => Some(self.policies(
                PolicyKind::PermissionBoundary,
                std::slice::from_ref(policy),
                has_boundary,
            )?),
            None => None,
        };
        let session = if set.session.is_empty() {
            None
        } else {
            Some(self.policies(PolicyKind::Session, &set.session, has_boundary)?)
        };
        let identity = self.policies(PolicyKind::Identity, &set.identity, has_boundary)?;
        let resource_kind = set.resource_kind.unwrap_or(PolicyKind::Resource);
        let resource = match &set.resource {
            Some(policy) => {
                Some(self.policies(resource_kind, std::slice::from_ref(policy), has_boundary)?)
            }
            None => None,
        };

        // 1. An explicit deny in any policy that applies; 2. the guardrails.
        let mut explicit = Vec::new();
        let mut guard_implicit = Vec::new();
        if let Some(o) = &scp {
            explicit.push(smt::and([scp_applies.clone(), o.deny.clone()]));
            guard_implicit.push(smt::and([scp_applies.clone(), implicit(o)]));
        }
        if let Some(o) = &rcp {
            explicit.push(smt::and([rcp_applies.clone(), o.deny.clone()]));
            guard_implicit.push(smt::and([rcp_applies.clone(), implicit(o)]));
        }
        if let Some(o) = &vpce {
            explicit.push(o.deny.clone());
            guard_implicit.push(implicit(o));
        }
        for o in [&boundary, &session].into_iter().flatten() {
            explicit.push(smt::and([identity_applies.clone(), o.deny.clone()]));
        }
        explicit.push(smt::and([identity_applies.clone(), identity.deny.clone()]));
        if let Some(o) = &resource {
            explicit.push(o.deny.clone());
        }
        let explicit = smt::or(explicit);
        let guard_implicit = smt::or(guard_implicit);

        // What the resource policy grants, by level (only when it allows).
        let granted: [Expr; 3] = match &resource {
            Some(o) => [0, 1, 2].map(|l| {
                smt::and([
                    smt::not(&o.deny),
                    o.allow.get(l).cloned().unwrap_or_else(Expr::f),
                ])
            }),
            None => [Expr::f(), Expr::f(), Expr::f()],
        };
        let [g_account, g_parent, g_wildcard] = granted;

        // 3./4. The identity side (`identity_side` in reference.rs).
        let not_root = smt::not(&self.req.is(Root));
        let b_identity = smt::and([not_root.clone(), smt::not(&identity.allow[0])]);
        let b_boundary = match &boundary {
            Some(o) => smt::and([not_root.clone(), smt::not(&o.allow[0])]),
            None => Expr::f(),
        };
        // A federated user without a session policy gets nothing from identity policies (D54).
        let b_session = match &session {
            Some(o) => smt::and([not_root.clone(), smt::not(&o.allow[0])]),
            None => self.req.is(FederatedUser),
        };
        let no_block = smt::and([
            smt::not(&b_identity),
            smt::not(&b_boundary),
            smt::not(&b_session),
        ]);
        let no_block = self.p.define("no_block", Sort::Bool, no_block);
        let same_account = self.same_account();
        let allow_cross = smt::and([no_block.clone(), g_account.clone()]);
        let grant_action = self
            .req
            .action_in(self.actions.grant_classes(), self.actions.class_count());
        // A KMS alias is not a key: no key policy is asked (D67, `scope::is_kms_alias`).
        let no_colon = || Re::star(Re::Class(Class::not([':'])));
        let alias = Re::concat(vec![
            Re::lit("arn:"),
            no_colon(),
            Re::lit(":kms:"),
            no_colon(),
            Re::lit(":"),
            no_colon(),
            Re::lit(":alias/"),
            Re::all(),
        ]);
        let needs_grant = if self.actions.grant_classes().is_empty() {
            grant_action
        } else {
            let is_alias = smt::and([smt::not(&self.req.rany), self.resource_pred(alias)?]);
            smt::and([grant_action, smt::not(&is_alias)])
        };
        let allow_same = smt::or([
            g_wildcard.clone(),
            smt::and([g_parent, smt::not(&b_boundary), smt::not(&b_session)]),
            smt::and([no_block, smt::or([g_account, smt::not(&needs_grant)])]),
        ]);
        let allow_identity_side = smt::bool_ite(&same_account, &allow_same, &allow_cross);
        // AWS's guard rails refuse what the policies allow (D68, `guard_rail::refusing`).
        let refused = self.guard_rails(&slr)?;
        let allowed = smt::and([
            smt::not(&explicit),
            smt::not(&guard_implicit),
            smt::bool_ite(&has_id, &allow_identity_side, &g_wildcard),
            smt::not(&refused),
        ]);
        Ok(self.p.define("allowed", Sort::Bool, allowed))
    }

    /// An SCP or RCP chain: a deny at any level denies; every level needs an allow.
    fn chain(
        &mut self,
        kind: PolicyKind,
        levels: &[Vec<Policy>],
        has_boundary: bool,
    ) -> Result<Out, Unsupported> {
        let mut deny = Vec::new();
        let mut allow = Vec::new();
        for level in levels {
            let o = self.policies(kind, level, has_boundary)?;
            deny.push(o.deny);
            let [a, _, _] = o.allow;
            allow.push(a);
        }
        let allow = smt::and(allow);
        Ok(Out {
            deny: smt::or(deny),
            allow: [allow.clone(), allow.clone(), allow],
        })
    }

    /// Policies of one kind: any applicable Deny denies; else the strongest Allow allows.
    fn policies(
        &mut self,
        kind: PolicyKind,
        policies: &[Policy],
        has_boundary: bool,
    ) -> Result<Out, Unsupported> {
        let mut deny = Vec::new();
        let mut allow: [Vec<Expr>; 3] = [Vec::new(), Vec::new(), Vec::new()];
        for policy in policies {
            for statement in &policy.statements {
                let levels = self.applies(kind, policy, statement, has_boundary)?;
                self.statements.push((statement.effect, levels[0].clone()));
                match statement.effect {
                    Effect::Deny => deny.push(levels[0].clone()),
                    Effect::Allow => {
                        for (list, level) in allow.iter_mut().zip(levels) {
                            list.push(level);
                        }
                    }
                }
            }
        }
        let deny = smt::or(deny);
        let deny = self.p.define("deny", Sort::Bool, deny);
        let [a0, a1, a2] = allow;
        let a0 = self.p.define("allow", Sort::Bool, smt::or(a0));
        let a1 = self.p.define("allow", Sort::Bool, smt::or(a1));
        let a2 = self.p.define("allow", Sort::Bool, smt::or(a2));
        Ok(Out {
            deny,
            allow: [a0, a1, a2],
        })
    }

    /// Whether `statement` applies, for each match-class level.
    fn applies(
        &mut self,
        kind: PolicyKind,
        policy: &Policy,
        statement: &Statement,
        has_boundary: bool,
    ) -> Result<[Expr; 3], Unsupported> {
        let principal = self.principal_matches(kind, statement, has_boundary)?;
        if principal.iter().all(Expr::is_false) {
            return Ok([Expr::f(), Expr::f(), Expr::f()]);
        }
        let action = self.action_matches(statement);
        if action.is_false() {
            return Ok([Expr::f(), Expr::f(), Expr::f()]);
        }
        let resource = self.resource_matches(policy, statement)?;
        let mut conditions = Vec::new();
        for clause in &statement.condition {
            conditions.push(self.clause(clause, policy.version)?);
        }
        let body = smt::and([action, resource, smt::and(conditions)]);
        let body = self.p.define("stmt", Sort::Bool, body);
        Ok(principal.map(|level| smt::and([level, body.clone()])))
    }

    fn principal_matches(
        &mut self,
        kind: PolicyKind,
        statement: &Statement,
        has_boundary: bool,
    ) -> Result<[Expr; 3], Unsupported> {
        use CallerKind::*;
        if !kind.has_principal() {
            return Ok([Expr::t(), Expr::t(), Expr::t()]);
        }
        let Some(element) = &statement.principal else {
            return Ok([Expr::f(), Expr::f(), Expr::f()]);
        };
        let levels = self.principals(&element.principals)?;
        if !element.negated {
            return Ok(levels);
        }
        // NotPrincipal (D55): applies unless it excludes the caller, and a Deny always applies
        // to a user or role session when there is a permissions boundary.
        let [l0, l1, _] = levels;
        let excluded = smt::or([l1, smt::and([self.req.is(Root), l0])]);
        let quirk = if statement.effect == Effect::Deny && has_boundary {
            self.req.is_any(&[User, RoleSession, Role])
        } else {
            Expr::f()
        };
        let applies = smt::or([smt::not(&excluded), quirk]);
        Ok([applies.clone(), applies.clone(), applies])
    }

    /// The best class with which `principals` names the caller, as levels (`matched_by`).
    fn principals(&mut self, principals: &Principals) -> Result<[Expr; 3], Unsupported> {
        let entries = match principals {
            Principals::Any => return Ok([Expr::t(), Expr::t(), Expr::t()]),
            Principals::Typed(entries) => entries,
        };
        let mut levels: [Vec<Expr>; 3] = [Vec::new(), Vec::new(), Vec::new()];
        for (ty, values) in entries {
            for value in values.iter() {
                let value_levels = self.principal_value(*ty, value)?;
                for (list, level) in levels.iter_mut().zip(value_levels) {
                    list.push(level);
                }
            }
        }
        Ok(levels.map(smt::or))
    }

    /// How one principal value names the caller (`matched_by_value`).
    pub(crate) fn principal_value(
        &mut self,
        ty: PrincipalType,
        value: &str,
    ) -> Result<[Expr; 3], Unsupported> {
        use CallerKind::*;
        let all = |e: Expr| [e.clone(), e.clone(), e];
        Ok(match ty {
            PrincipalType::Aws => {
                if value == "*" {
                    return Ok(all(Expr::t()));
                }
                if let Some(account) = account_principal(value) {
                    let has = self.req.has_identity_side();
                    let hit = smt::and([has, self.account_pred(&Re::lit(account))?]);
                    return Ok([hit, Expr::f(), Expr::f()]);
                }
                // Only a value of the right shape can equal one of the caller's ARNs (they
                // always parse as such).
                match Caller::parse(value, None) {
                    Ok(Caller::User { .. }) => {
                        let is = self.req.is(User);
                        all(smt::and([is, self.principal_pred(User, Re::lit(value))?]))
                    }
                    Ok(Caller::RoleSession {
                        session_arn: Some(_),
                        role_arn,
                        ..
                    }) => {
                        // The caller is its role ARN (any path), `/`, and its session name.
                        let region_empty = Arn::parse(value)
                            .map(|a| a.region().is_empty())
                            .unwrap_or(false);
                        let (Some((role_prefix, role_name)), Some(session)) =
                            (role_arn.rsplit_once('/'), value.rsplit('/').next())
                        else {
                            return Ok(all(Expr::f()));
                        };
                        if !region_empty {
                            return Ok(all(Expr::f()));
                        }
                        let re = Re::concat(vec![
                            Re::lit(&format!("{role_prefix}/")),
                            Re::opt(Re::concat(vec![Re::all(), Re::lit("/")])),
                            Re::lit(&format!("{role_name}/{session}")),
                        ]);
                        let is = self.req.is(RoleSession);
                        all(smt::and([is, self.principal_pred(RoleSession, re)?]))
                    }
                    Ok(Caller::RoleSession {
                        session_arn: None, ..
                    }) => {
                        let session =
                            Re::concat(vec![Re::lit(value), Re::lit("/"), Re::plus(no('/'))]);
                        let is_session = self.req.is(RoleSession);
                        let is_role = self.req.is(Role);
                        let parent = smt::or([
                            smt::and([is_session, self.principal_pred(RoleSession, session)?]),
                            smt::and([is_role, self.principal_pred(Role, Re::lit(value))?]),
                        ]);
                        [parent.clone(), parent, Expr::f()]
                    }
                    Ok(Caller::FederatedUser { .. }) => {
                        let is = self.req.is(FederatedUser);
                        all(smt::and([
                            is,
                            self.principal_pred(FederatedUser, Re::lit(value))?,
                        ]))
                    }
                    _ => all(Expr::f()),
                }
            }
            PrincipalType::Service => {
                // `eq_ignore_ascii_case` against a name that is lowercase ASCII by construction.
                let is = self.req.is(Service);
                all(smt::and([
                    is,
                    self.principal_pred(Service, Re::lit(&value.to_ascii_lowercase()))?,
                ]))
            }
            PrincipalType::Federated => {
                let is = self.req.is(IdentityProvider);
                all(smt::and([
                    is,
                    self.principal_pred(IdentityProvider, Re::lit(value))?,
                ]))
            }
            PrincipalType::CanonicalUser => all(Expr::f()),
        })
    }

    fn action_matches(&self, statement: &Statement) -> Expr {
        let classes = self.actions.classes_of(&statement.action.patterns.items);
        let listed = self.req.action_in(classes, self.actions.class_count());
        if statement.action.negated {
            smt::not(&listed)
        } else {
            listed
        }
    }

    fn resource_matches(
        &mut self,
        policy: &Policy,
        statement: &Statement,
    ) -> Result<Expr, Unsupported> {
        let Some(element) = &statement.resource else {
            return Ok(Expr::t());
        };
        let substitutes = policy.version.substitutes_variables();
        let listed = self.resource_element(&element.patterns.items, substitutes)?;
        Ok(if element.negated {
            smt::not(&listed)
        } else {
            listed
        })
    }

    /// A `Resource` list (its entries OR'ed) against the request's resource. In `Partition`
    /// mode a list without variables is one language, the union of its patterns: one region
    /// cut instead of one per pattern.
    pub fn resource_element(
        &mut self,
        patterns: &[String],
        substitutes: bool,
    ) -> Result<Expr, Unsupported> {
        if patterns.iter().any(|p| p == "*") {
            return Ok(Expr::t());
        }
        let plain = !substitutes || !patterns.iter().any(|p| has_variables(p));
        if self.req.mode != Mode::Partition || !plain || patterns.len() < 2 {
            let mut listed = Vec::new();
            for pattern in patterns {
                listed.push(self.resource_pattern(pattern, substitutes)?);
            }
            return Ok(smt::or(listed));
        }
        let key = (patterns.join("\u{0}"), substitutes);
        if let Some(cached) = self.resource_cache.get(&key) {
            return Ok(cached.clone());
        }
        let mut languages = Vec::with_capacity(patterns.len());
        for pattern in patterns {
            for (_, pieces) in self.resource_pieces(pattern, substitutes)? {
                languages.push(
                    pieces_to_re(&pieces).ok_or_else(|| {
                        Unsupported::new("internal: a variable in a plain pattern")
                    })?,
                );
            }
        }
        let member = self.resource_pred(Re::union(languages))?;
        let e = smt::and([smt::not(&self.req.rany), member]);
        let e = self.p.define("res", Sort::Bool, e);
        self.resource_cache.insert(key, e.clone());
        Ok(e)
    }

    /// One `Resource` entry against the request's resource (D11, D13, D36).
    pub fn resource_pattern(
        &mut self,
        pattern: &str,
        substitutes: bool,
    ) -> Result<Expr, Unsupported> {
        if pattern == "*" {
            return Ok(Expr::t());
        }
        let key = (pattern.to_owned(), substitutes);
        if let Some(cached) = self.resource_cache.get(&key) {
            return Ok(cached.clone());
        }
        if self.abstract_variables && substitutes && has_variables(pattern) {
            return Ok(self.opaque_test(
                format!("resource {pattern}"),
                crate::generic::Test::Resource {
                    pattern: pattern.to_owned(),
                },
            ));
        }
        let mut options = Vec::new();
        for (resolvable, parts) in self.resource_pieces(pattern, substitutes)? {
            let member = match pieces_to_re(&parts) {
                Some(re) => self.resource_pred(re)?,
                None => {
                    let Strs::Z3(z) = &self.req.strs else {
                        return Err(Unsupported::new("a policy variable in a resource pattern"));
                    };
                    glob::member(&z.res, &parts)?
                }
            };
            options.push(smt::and([resolvable, member]));
        }
        let e = smt::and([smt::not(&self.req.rany), smt::or(options)]);
        let e = self.p.define("res", Sort::Bool, e);
        self.resource_cache.insert(key, e.clone());
        Ok(e)
    }

    /// The glob of a resource pattern over the whole ARN (D11, ResourcePattern in arn/glob.rs):
    /// in the first five fields `?` and a `*` that does not end its field stay within the
    /// field; a `*` that ends one of them crosses `:`; in the sixth field both cross everything,
    /// and variables are substituted there (D37).
    fn resource_pieces(
        &mut self,
        pattern: &str,
        substitutes: bool,
    ) -> Result<Vec<(Expr, Vec<Piece>)>, Unsupported> {
        let fields = split_fields(pattern);
        let mut pieces = Vec::new();
        let mut sixth = Vec::new();
        for (index, field) in fields.iter().enumerate() {
            if index > 0 {
                glob::push_lit(&mut pieces, ':');
            }
            if index < 5 {
                let chars: Vec<char> = field.chars().collect();
                for (at, c) in chars.iter().enumerate() {
                    match c {
                        '*' if at + 1 == chars.len() => pieces.push(Piece::Star(glob::Class::Any)),
                        '*' => pieces.push(Piece::Star(glob::Class::NoColon)),
                        '?' => pieces.push(Piece::One(glob::Class::NoColon)),
                        other => glob::push_lit(&mut pieces, *other),
                    }
                }
            } else {
                let template = if substitutes {
                    Template::parse(field)
                } else {
                    Template::literal(field)
                };
                sixth = self.resolve(&template)?;
            }
        }
        if sixth.is_empty() && fields.len() <= 5 {
            return Ok(vec![(Expr::t(), pieces)]);
        }
        Ok(sixth
            .into_iter()
            .map(|(ok, parts)| {
                let mut all = pieces.clone();
                push_parts_as_glob(&mut all, &parts);
                (ok, all)
            })
            .collect())
    }

    /// Substitutes a template symbolically: alternatives, each a condition and the parts under
    /// it. In `Strings` mode there is one: every variable resolves (D36), and its value is a
    /// string term (D35). In `Partition` mode each variable takes one of the candidate values
    /// (restricting the encoding) or its default.
    fn resolve(&mut self, template: &Template) -> Result<Vec<(Expr, Vec<Resolved>)>, Unsupported> {
        let mut alternatives: Vec<(Vec<Expr>, Vec<Resolved>)> = vec![(Vec::new(), Vec::new())];
        for part in &template.parts {
            let choices: Vec<(Expr, Resolved)> = match part {
                Part::Text(text) => vec![(Expr::t(), Resolved::Text(text.clone()))],
                Part::Escape(c) => vec![(Expr::t(), Resolved::Literal(c.to_string()))],
                Part::Variable { key, default } => self.variable(key, default.as_deref())?,
            };
            let mut next = Vec::with_capacity(alternatives.len() * choices.len());
            for (guards, parts) in &alternatives {
                for (guard, part) in &choices {
                    let mut g = guards.clone();
                    g.push(guard.clone());
                    let mut p = parts.clone();
                    p.push(part.clone());
                    next.push((g, p));
                }
            }
            if next.len() > ALTERNATIVES {
                return Err(Unsupported::new("too many policy variables in one value"));
            }
            alternatives = next;
        }
        Ok(alternatives
            .into_iter()
            .map(|(guards, parts)| (smt::and(guards), parts))
            .collect())
    }

    /// The values a variable can take, each with its condition.
    fn variable(
        &mut self,
        key: &str,
        default: Option<&str>,
    ) -> Result<Vec<(Expr, Resolved)>, Unsupported> {
        let var = self.key(key)?;
        let single = var.single();
        let mut choices = Vec::new();
        if let Some(default) = default {
            choices.push((smt::not(&single), Resolved::Literal(default.to_owned())));
        }
        match self.req.mode {
            Mode::Strings => {
                let value = match var.slots.first() {
                    Some(Slot::Str(Some(term))) => term.clone(),
                    _ => {
                        return Err(Unsupported::new(format!(
                            "the key `{key}` is used as a policy variable and compared as a number, date or IP address"
                        )))
                    }
                };
                choices.push((single, Resolved::Var(value)));
            }
            Mode::Partition => {
                if var.ty != KeyType::String {
                    return Err(Unsupported::new(format!(
                        "the key `{key}` is used as a policy variable and compared as a number, date or IP address"
                    )));
                }
                let choice = self.variable_choice(&var)?;
                for (i, token) in self.candidates(&var).iter().enumerate() {
                    let is = smt::eq(&choice, &Expr::int(i64::try_from(i).unwrap_or(i64::MAX)));
                    choices.push((
                        smt::and([single.clone(), is]),
                        Resolved::Literal(token.clone()),
                    ));
                }
            }
        }
        Ok(choices)
    }

    /// The values a variable is tried with: account ids for the keys that hold one, else the
    /// short texts of the policies.
    fn candidates(&self, var: &KeyVar) -> Vec<String> {
        let accounts = match &self.req.strs {
            Strs::Partition(regions) => regions.accounts.clone(),
            Strs::Z3(_) => Vec::new(),
        };
        let mut candidates = if matches!(
            var.lowercase.as_str(),
            "aws:principalaccount" | "aws:resourceaccount" | "aws:sourceaccount"
        ) && !accounts.is_empty()
        {
            accounts
        } else if var.lowercase == "aws:requestedregion" {
            // Region codes only (D85): the policies' own first.
            let mut regions: Vec<String> = self
                .tokens
                .iter()
                .filter(|t| crate::space::is_region_code(t))
                .cloned()
                .collect();
            for example in ["us-east-1", "eu-west-1"] {
                if !regions.iter().any(|r| r == example) {
                    regions.push(example.to_owned());
                }
            }
            regions
        } else if var.lowercase == "aws:userid" {
            // The unique ids of a user and of a role session (D84), then the accounts (root).
            crate::space::PREFERRED_UNIQUE_IDS
                .iter()
                .map(|s| (*s).to_owned())
                .chain(self.tokens.iter().cloned())
                .collect()
        } else {
            self.tokens.clone()
        };
        candidates.truncate(self.variable_values);
        candidates
    }

    /// The constant saying which candidate value `var` has when it is single-valued; creating
    /// it restricts the encoding to those values.
    fn variable_choice(&mut self, var: &KeyVar) -> Result<Expr, Unsupported> {
        if let Some(choice) = self.var_choices.get(&var.lowercase) {
            return Ok(choice.clone());
        }
        let name = self.p.fresh("var_choice");
        let choice = self.p.declare(&name, Sort::Int);
        let candidates = self.candidates(var);
        let n = candidates.len();
        self.p.assert(&smt::and([
            smt::ge(&choice, &Expr::int(0)),
            smt::lt(&choice, &Expr::int(i64::try_from(n).unwrap_or(i64::MAX))),
        ]));
        let single = var.single();
        for (i, token) in candidates.iter().enumerate() {
            let is = smt::eq(&choice, &Expr::int(i64::try_from(i).unwrap_or(i64::MAX)));
            let value = if var.derived {
                self.derived_pred(&var.lowercase, &Re::lit(token))?
            } else {
                self.key_pred(&var.lowercase, 0, Re::lit(token))?
            };
            self.p
                .assert(&smt::implies(&smt::and([single.clone(), is]), &value));
        }
        self.restricted.get_or_insert_with(|| {
            format!(
                "the policy variable `${{{}}}` was tried with {n} values from the policies",
                var.name
            )
        });
        self.var_choices
            .insert(var.lowercase.clone(), choice.clone());
        Ok(choice)
    }

    fn key(&self, key: &str) -> Result<KeyVar, Unsupported> {
        self.req
            .keys
            .get(&key.to_lowercase())
            .cloned()
            .ok_or_else(|| Unsupported::new(format!("internal: the key `{key}` was not collected")))
    }

    /// One condition clause (`clause_holds` in condition/eval.rs).
    pub fn clause(
        &mut self,
        clause: &ConditionClause,
        version: Version,
    ) -> Result<Expr, Unsupported> {
        let op = clause.operator;
        let var = self.key(&clause.key)?;
        if op.comparison == Comparison::Null {
            // `true`: absent; `false`: present (§3.3).
            return Ok(smt::or(clause.values.iter().map(|v| match parse_bool(v) {
                Some(true) => smt::not(&var.present),
                Some(false) => var.present.clone(),
                None => Expr::f(),
            })));
        }
        let absent = match op.qualifier {
            Some(SetQualifier::ForAllValues) => true,
            // `IfExists` does not rescue `ForAnyValue` (D25).
            Some(SetQualifier::ForAnyValue) => false,
            None => op.if_exists || op.negated,
        };
        let templated =
            version.substitutes_variables() && op.comparison.value_type().takes_variables();
        let mut templates = Vec::new();
        // Abstract mode: a value with variables is, against each value slot of the key, an
        // unconstrained Boolean named by the test it stands for; the clause around it (absent
        // keys, qualifiers, negation) stays exact, so that splitting or reordering values
        // changes nothing.
        let mut opaque_values = Vec::new();
        for value in clause.values.iter() {
            let template = if templated {
                Template::parse(value)
            } else {
                Template::literal(value)
            };
            if self.abstract_variables && template.has_variables() {
                opaque_values.push(value.to_owned());
                continue;
            }
            templates.extend(self.resolve(&template)?);
        }
        let mut m = Vec::with_capacity(var.slots.len());
        for (index, slot) in var.slots.iter().enumerate() {
            let mut any = vec![self.any_value_matches(op, &templates, &var, index, slot)?];
            for value in &opaque_values {
                let text = format!("{:?} {} {index} {value}", op.comparison, var.lowercase);
                let like = match op.comparison {
                    Comparison::StringLike => Some(true),
                    Comparison::StringEquals => Some(false),
                    _ => None,
                };
                any.push(match like {
                    Some(like) => self.opaque_test(
                        text,
                        crate::generic::Test::Value {
                            like,
                            key: var.lowercase.clone(),
                            slot: index,
                            value: value.clone(),
                        },
                    ),
                    None => self.opaque(text),
                });
            }
            let any = smt::or(any);
            m.push(if op.negated { smt::not(&any) } else { any });
        }
        let present = match op.qualifier {
            None => smt::bool_ite(
                &var.multi,
                &Expr::Bool(op.negated),
                m.first().unwrap_or(&Expr::f()),
            ),
            Some(SetQualifier::ForAllValues) => smt::and(
                var.active
                    .iter()
                    .zip(&m)
                    .map(|(active, holds)| smt::implies(active, holds)),
            ),
            Some(SetQualifier::ForAnyValue) => smt::or(
                var.active
                    .iter()
                    .zip(&m)
                    .map(|(active, holds)| smt::and([active.clone(), holds.clone()])),
            ),
        };
        let e = smt::bool_ite(&var.present, &present, &Expr::Bool(absent));
        Ok(self.p.define("cond", Sort::Bool, e))
    }

    fn any_value_matches(
        &mut self,
        op: ConditionOperator,
        templates: &[(Expr, Vec<Resolved>)],
        var: &KeyVar,
        index: usize,
        slot: &Slot,
    ) -> Result<Expr, Unsupported> {
        let mut any = Vec::new();
        for (ok, parts) in templates {
            let hit = self.compare(op.comparison, parts, var, index, slot)?;
            any.push(smt::and([ok.clone(), hit]));
        }
        Ok(smt::or(any))
    }

    /// A string test on a key's value: a regular language, or (with variables, `Strings` mode
    /// only) a test written directly on the value's term.
    fn string_test(&mut self, var: &KeyVar, index: usize, test: Test) -> Result<Expr, Unsupported> {
        match test {
            Test::Re(re) => {
                if var.derived {
                    self.derived_pred(&var.lowercase, &re)
                } else {
                    self.key_pred(&var.lowercase, index, re)
                }
            }
            Test::Term(build) => {
                let term = match var.slots.get(index) {
                    Some(Slot::Str(Some(term))) => term.clone(),
                    _ => {
                        return Err(Unsupported::new(format!(
                            "a policy variable in a test of `{}`",
                            var.name
                        )))
                    }
                };
                build(&term)
            }
        }
    }

    /// One policy value against one request value (`compare` in condition/eval.rs).
    fn compare(
        &mut self,
        comparison: Comparison,
        parts: &[Resolved],
        var: &KeyVar,
        index: usize,
        slot: &Slot,
    ) -> Result<Expr, Unsupported> {
        use Comparison::*;
        let mismatch = || {
            Unsupported::new(format!(
                "internal: the key `{}` has no value of the type `{comparison:?}` compares",
                var.name
            ))
        };
        let concrete = || -> Result<String, Unsupported> {
            let mut text = String::new();
            for part in parts {
                match part {
                    Resolved::Text(t) | Resolved::Literal(t) => text.push_str(t),
                    Resolved::Var(_) => {
                        return Err(Unsupported::new(format!(
                            "a policy variable in a `{comparison:?}` value"
                        )))
                    }
                }
            }
            Ok(text)
        };
        let has_var = parts.iter().any(|p| matches!(p, Resolved::Var(_)));
        if matches!(
            comparison,
            StringEquals | StringLike | StringEqualsIgnoreCase | Bool | BinaryEquals | ArnLike
        ) && !matches!(slot, Slot::Str(_))
        {
            return Err(mismatch());
        }
        let test = match comparison {
            StringEquals if has_var => {
                let mut terms = Vec::new();
                for part in parts {
                    terms.push(match part {
                        Resolved::Text(t) | Resolved::Literal(t) => smt::str_lit(t)?,
                        Resolved::Var(v) => v.clone(),
                    });
                }
                let value = smt::concat(&terms);
                Test::Term(Box::new(move |r: &Expr| Ok(smt::eq(r, &value))))
            }
            StringEquals => Test::Re(Re::lit(&concrete()?)),
            StringEqualsIgnoreCase | Bool => Test::Re(glob::lowercase_preimage(&concrete()?)?),
            StringLike => {
                let mut pieces = Vec::new();
                push_parts_as_glob(&mut pieces, parts);
                match pieces_to_re(&pieces) {
                    Some(re) => Test::Re(re),
                    None => Test::Term(Box::new(move |r: &Expr| glob::member(r, &pieces))),
                }
            }
            BinaryEquals => {
                let p = concrete()?;
                // Only canonical base64 decodes, so equal bytes means equal text (D30).
                if decode_base64(&p).is_some() {
                    Test::Re(Re::lit(&p))
                } else {
                    return Ok(Expr::f());
                }
            }
            ArnLike => arn_like(parts)?,
            NumericEquals
            | NumericLessThan
            | NumericLessThanEquals
            | NumericGreaterThan
            | NumericGreaterThanEquals => {
                let (Slot::Num(region), KeyType::Numeric(constants)) = (slot, &var.ty) else {
                    return Err(mismatch());
                };
                return Ok(values::compare_region(
                    comparison,
                    region,
                    values::number_position(constants, &concrete()?),
                ));
            }
            DateEquals
            | DateLessThan
            | DateLessThanEquals
            | DateGreaterThan
            | DateGreaterThanEquals => {
                let (Slot::Date(region), KeyType::Date(constants)) = (slot, &var.ty) else {
                    return Err(mismatch());
                };
                return Ok(values::compare_region(
                    comparison,
                    region,
                    values::date_position(constants, &concrete()?),
                ));
            }
            IpAddress => {
                let Slot::Ip { kind, v4, v6 } = slot else {
                    return Err(mismatch());
                };
                return Ok(match Cidr::parse(&concrete()?) {
                    Some(Cidr::V4 { network, prefix }) => {
                        let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
                        smt::and([
                            smt::eq(kind, &Expr::int(1)),
                            smt::eq(
                                &smt::app("bvand", &[v4, &Expr::raw(format!("#x{mask:08x}"))]),
                                &Expr::raw(format!("#x{:08x}", network & mask)),
                            ),
                        ])
                    }
                    Some(Cidr::V6 { network, prefix }) => {
                        let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
                        smt::and([
                            smt::eq(kind, &Expr::int(2)),
                            smt::eq(
                                &smt::app("bvand", &[v6, &Expr::raw(format!("#x{mask:032x}"))]),
                                &Expr::raw(format!("#x{:032x}", network & mask)),
                            ),
                        ])
                    }
                    None => Expr::f(),
                });
            }
            Null => return Ok(Expr::f()),
        };
        self.string_test(var, index, test)
    }
}

/// Whether a resource pattern's sixth field has policy variables.
fn has_variables(pattern: &str) -> bool {
    let fields = split_fields(pattern);
    fields.len() == 6
        && fields
            .get(5)
            .is_some_and(|f| Template::parse(f).has_variables())
}

fn implicit(o: &Out) -> Expr {
    smt::and([smt::not(&o.deny), smt::not(&o.allow[0])])
}

/// A substituted part of a policy value.
#[derive(Clone, Debug)]
enum Resolved {
    /// Policy text: `*` and `?` are wildcards where the operator globs.
    Text(String),
    /// Literal text (an escape).
    Literal(String),
    /// A variable's value: literal (D35).
    Var(Expr),
}

type TermTest = Box<dyn FnOnce(&Expr) -> Result<Expr, Unsupported>>;

/// A string test.
enum Test {
    Re(Re),
    Term(TermTest),
}

fn push_parts_as_glob(pieces: &mut Vec<Piece>, parts: &[Resolved]) {
    for part in parts {
        match part {
            Resolved::Text(t) => glob::push_glob_text(pieces, t, glob::Class::Any),
            Resolved::Literal(t) => glob::push_lit_text(pieces, t),
            Resolved::Var(v) => pieces.push(Piece::Sym(v.clone())),
        }
    }
}

/// The language of pieces without variables.
fn pieces_to_re(pieces: &[Piece]) -> Option<Re> {
    let class = |c: &glob::Class| match c {
        glob::Class::Any => Class::any(),
        glob::Class::NoColon => Class::not([':']),
    };
    let mut parts = Vec::with_capacity(pieces.len());
    for piece in pieces {
        parts.push(match piece {
            Piece::Lit(text) => Re::lit(text),
            Piece::Star(c) => Re::star(Re::Class(class(c))),
            Piece::One(c) => Re::Class(class(c)),
            Piece::Sym(_) => return None,
        });
    }
    Some(Re::concat(parts))
}

/// `ArnLike`/`ArnEquals` (`arn_condition_matches`): the request value must be an ARN; the
/// policy value is split into fields at its first five colons and each field globs the
/// request's field; missing fields match anything (D16).
fn arn_like(parts: &[Resolved]) -> Result<Test, Unsupported> {
    let mut fields: Vec<Vec<Piece>> = vec![Vec::new()];
    for part in parts {
        let (text, wild) = match part {
            Resolved::Text(t) => (t.as_str(), true),
            Resolved::Literal(t) => (t.as_str(), false),
            Resolved::Var(v) => {
                if fields.len() < 6 {
                    return Err(Unsupported::new(
                        "a policy variable before the sixth field of an `ArnLike` value",
                    ));
                }
                if let Some(last) = fields.last_mut() {
                    last.push(Piece::Sym(v.clone()));
                }
                continue;
            }
        };
        for c in text.chars() {
            let index = fields.len() - 1;
            if c == ':' && fields.len() < 6 {
                fields.push(Vec::new());
                continue;
            }
            let class = if index < 5 {
                glob::Class::NoColon
            } else {
                glob::Class::Any
            };
            if let Some(last) = fields.last_mut() {
                match c {
                    '*' if wild => last.push(Piece::Star(class)),
                    '?' if wild => last.push(Piece::One(class)),
                    other => glob::push_lit(last, other),
                }
            }
        }
    }
    // Field 0 of an ARN is always `arn`.
    let first = fields.first().cloned().unwrap_or_default();
    if !to_pattern(&first).matches("arn") {
        return Ok(Test::Re(Re::Empty));
    }
    let colon_free = Re::star(no(':'));
    let nonempty = Re::plus(no(':'));
    let mut prefix = vec![Re::lit("arn:")];
    for index in 1..5 {
        let field = match fields.get(index).and_then(|f| pieces_to_re(f)) {
            Some(re) => re,
            None => colon_free.clone(),
        };
        // The partition and the service are never empty (Arn::parse).
        prefix.push(if index <= 2 {
            Re::inter(vec![field, nonempty.clone()])
        } else {
            field
        });
        prefix.push(Re::lit(":"));
    }
    let sixth = fields.get(5).cloned();
    match sixth.as_deref().map(pieces_to_re) {
        None => {
            prefix.push(Re::all());
            Ok(Test::Re(Re::concat(prefix)))
        }
        Some(Some(re)) => {
            prefix.push(re);
            Ok(Test::Re(Re::concat(prefix)))
        }
        Some(None) => {
            // A variable in the sixth field: test the shape, then the sixth field by offsets.
            prefix.push(Re::all());
            let shape = Re::concat(prefix).to_smt()?;
            let sixth = sixth.unwrap_or_default();
            Ok(Test::Term(Box::new(move |r: &Expr| {
                let mut at = Expr::int(-1);
                for _ in 0..5 {
                    at = smt::app(
                        "str.indexof",
                        &[r, &smt::str_lit(":")?, &smt::add(&[at, Expr::int(1)])],
                    );
                }
                let start = smt::add(&[at, Expr::int(1)]);
                let field6 = smt::substr(r, &start, &smt::sub(&smt::len(r), &start));
                Ok(smt::and([
                    smt::in_re(r, &shape),
                    glob::member(&field6, &sixth)?,
                ]))
            })))
        }
    }
}

/// Pieces without symbolic parts as a model `Pattern`, to decide concrete matches.
fn to_pattern(pieces: &[Piece]) -> Pattern {
    Pattern::from_pieces(pieces.iter().map(|p| match p {
        Piece::Lit(t) => (t.as_str(), false),
        Piece::Star(_) => ("*", true),
        Piece::One(_) => ("?", true),
        Piece::Sym(_) => ("", false),
    }))
}
