//! Statements compiled once and grouped as the decision procedure consults them: one group per
//! policy kind (and per organization level for SCPs and RCPs), its statements numbered in the
//! order the reference visits them, with one action index per effect.

use super::condition::{Clause, Log};
use super::index::{ActionIndex, IndexBuilder, Names};
use super::resource::ResourceTest;
use crate::policy::{Effect, Policy, PolicyKind, Principals, Statement as Written};
use crate::principal::{Caller, MatchClass};
use crate::request::Request;

/// The policies of one kind (and level) that the reference evaluates together.
#[derive(Clone, Debug)]
pub(super) struct Group {
    /// Dense number among the groups of a compiled set, for per-request tables.
    pub(super) id: usize,
    pub(super) kind: PolicyKind,
    pub(super) level: Option<usize>,
    /// In reference order: by policy, then by statement.
    pub(super) statements: Vec<Statement>,
    pub(super) deny: ActionIndex,
    pub(super) allow: ActionIndex,
}

impl Group {
    pub(super) fn compile(
        id: usize,
        kind: PolicyKind,
        level: Option<usize>,
        policies: &[Policy],
        names: &mut Names,
    ) -> Group {
        let mut statements = Vec::new();
        let mut deny = IndexBuilder::default();
        let mut allow = IndexBuilder::default();
        for (index, policy) in policies.iter().enumerate() {
            for (number, written) in policy.statements.iter().enumerate() {
                let statement = Statement::compile(kind, policy, index, number, written);
                // A statement that can never apply is left out of the index.
                if !matches!(statement.principal, PrincipalTest::Absent) {
                    let builder = match written.effect {
                        Effect::Deny => &mut deny,
                        Effect::Allow => &mut allow,
                    };
                    builder.add(names, &written.action, statements.len());
                }
                statements.push(statement);
            }
        }
        Group {
            id,
            kind,
            level,
            statements,
            deny: deny.finish(),
            allow: allow.finish(),
        }
    }
}

/// One statement, its action already matched by the index.
#[derive(Clone, Debug)]
pub(super) struct Statement {
    /// The policy's index among the group's policies.
    pub(super) policy: usize,
    /// The statement's index in its policy.
    pub(super) number: usize,
    pub(super) sid: Option<String>,
    pub(super) effect: Effect,
    principal: PrincipalTest,
    resource: Option<ResourceTest>,
    conditions: Vec<Clause>,
}

#[derive(Clone, Debug)]
enum PrincipalTest {
    /// The kind names no principal (identity, boundary, session, SCP): it applies directly.
    Implied,
    /// The kind names principals but the statement has none: it never applies.
    Absent,
    Listed(Principals),
    /// `NotPrincipal`.
    Excluded(Principals),
}

impl Statement {
    fn compile(
        kind: PolicyKind,
        policy: &Policy,
        index: usize,
        number: usize,
        written: &Written,
    ) -> Statement {
        let principal = match &written.principal {
            _ if !kind.has_principal() => PrincipalTest::Implied,
            None => PrincipalTest::Absent,
            Some(element) if element.negated => PrincipalTest::Excluded(element.principals.clone()),
            Some(element) => PrincipalTest::Listed(element.principals.clone()),
        };
        let resource = written.resource.as_ref().map(|element| {
            ResourceTest::compile(
                element.negated,
                element.patterns.iter(),
                policy.version.substitutes_variables(),
            )
        });
        Statement {
            policy: index,
            number,
            sid: written.sid.clone(),
            effect: written.effect,
            principal,
            resource,
            conditions: written
                .condition
                .iter()
                .map(|clause| Clause::compile(clause, policy.version))
                .collect(),
        }
    }

    /// Whether the statement applies (its action matched), and with what principal-match
    /// class; mirrors the reference's `applies`. `has_boundary`: the set has a permissions
    /// boundary (D55).
    pub(super) fn applies<L: Log>(
        &self,
        request: &Request,
        has_boundary: bool,
        log: &mut L,
    ) -> Option<MatchClass> {
        let class = self.principal_class(&request.principal, has_boundary)?;
        if !self.resource_matches(request) {
            return None;
        }
        let holds = if L::RECORDS {
            // Every clause is evaluated, so that every missing key is reported.
            let mut holds = true;
            for clause in &self.conditions {
                holds &= clause.holds(&request.context, log);
            }
            holds
        } else {
            self.conditions
                .iter()
                .all(|clause| clause.holds(&request.context, log))
        };
        holds.then_some(class)
    }

    fn principal_class(&self, caller: &Caller, has_boundary: bool) -> Option<MatchClass> {
        match &self.principal {
            PrincipalTest::Implied => Some(MatchClass::Direct),
            PrincipalTest::Absent => None,
            PrincipalTest::Listed(principals) => caller.matched_by(principals),
            PrincipalTest::Excluded(principals) => {
                // NotPrincipal applies to everyone it does not exclude, and a Deny always
                // applies to a user or role with a permissions boundary (§2.4, D55).
                let boundary_quirk = self.effect == Effect::Deny
                    && has_boundary
                    && matches!(caller, Caller::User { .. } | Caller::RoleSession { .. });
                (!caller.excluded_by(principals) || boundary_quirk).then_some(MatchClass::Wildcard)
            }
        }
    }

    fn resource_matches(&self, request: &Request) -> bool {
        // Trust policies (and some resource policies) omit Resource: the resource is implied.
        self.resource
            .as_ref()
            .is_none_or(|resource| resource.matches(request))
    }
}
