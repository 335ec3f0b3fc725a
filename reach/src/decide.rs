//! One request decided against the world: the world assembles the policy set (with what an
//! escalation added), the fast evaluator decides it. Nothing here matches action names to decide.

use iamspec_model::evaluator::Evaluator;
use iamspec_model::json::Json;
use iamspec_model::policy::{Policy, PolicyKind};
use iamspec_model::request::ContextValue;
use iamspec_model::Decision;
use iamspec_world::{Query, World};
use serde::Serialize;

/// An edge's or a request's standing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Yes,
    Conditional,
    No,
}

/// A decision with the facts a conditional one waits on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub verdict: Verdict,
    pub needs: Vec<String>,
}

impl Outcome {
    pub fn yes() -> Outcome {
        Outcome {
            verdict: Verdict::Yes,
            needs: Vec::new(),
        }
    }

    pub fn no() -> Outcome {
        Outcome {
            verdict: Verdict::No,
            needs: Vec::new(),
        }
    }

    pub fn conditional(fact: String) -> Outcome {
        Outcome {
            verdict: Verdict::Conditional,
            needs: vec![fact],
        }
    }

    pub fn holds(&self) -> bool {
        self.verdict != Verdict::No
    }

    /// Both: the weaker verdict, the facts of both.
    pub fn and(mut self, other: Outcome) -> Outcome {
        self.verdict = match (&self.verdict, &other.verdict) {
            (Verdict::No, _) | (_, Verdict::No) => Verdict::No,
            (Verdict::Conditional, _) | (_, Verdict::Conditional) => Verdict::Conditional,
            _ => Verdict::Yes,
        };
        for need in other.needs {
            if !self.needs.contains(&need) {
                self.needs.push(need);
            }
        }
        if self.verdict == Verdict::No {
            self.needs.clear();
        }
        self
    }

    /// Either: the stronger.
    pub fn or(self, other: Outcome) -> Outcome {
        match (&self.verdict, &other.verdict) {
            (Verdict::Yes, _) => self,
            (_, Verdict::Yes) => other,
            (Verdict::Conditional, _) => self,
            _ => other,
        }
    }
}

/// One request, replayable with `iamspec access SNAPSHOT --principal P --action A --resource R
/// [--context k=v]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Check {
    pub principal: String,
    pub action: String,
    pub resource: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub context: Vec<(String, String)>,
    /// What the check assumes changed in the world before it (a rewritten trust policy, policies
    /// an earlier step added).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assuming: Option<String>,
}

/// What a step changed about a principal before the request: policies added to its identity
/// side (an escalation), or a trust policy replaced (`iam:UpdateAssumeRolePolicy`).
#[derive(Clone, Debug, Default)]
pub struct Changes<'a> {
    pub added: &'a [Policy],
    pub trust: Option<&'a Policy>,
}

/// Decides `action` on `resource` for `principal` with `context`.
pub fn decide(
    world: &World,
    principal: &str,
    action: &str,
    resource: &str,
    context: &[(&str, &str)],
    changes: &Changes<'_>,
) -> Outcome {
    decide_with(world, principal, action, resource, context, |set| {
        set.identity.extend(changes.added.iter().cloned());
        if let Some(trust) = changes.trust {
            set.resource = Some(trust.clone());
            set.resource_kind = Some(PolicyKind::Trust);
        }
    })
}

/// [`decide`] on the assembled set as `change` leaves it.
pub fn decide_with(
    world: &World,
    principal: &str,
    action: &str,
    resource: &str,
    context: &[(&str, &str)],
    change: impl FnOnce(&mut iamspec_model::PolicySet),
) -> Outcome {
    let query = Query {
        principal: principal.to_owned(),
        action: action.to_owned(),
        resource: resource.to_owned(),
        context: context
            .iter()
            .map(|(k, v)| ((*k).to_owned(), ContextValue::Single((*v).to_owned())))
            .collect(),
        session_policies: Vec::new(),
    };
    // An input the world cannot assemble (a bad ARN) is never an edge: fail closed.
    let Ok(mut assembled) = world.assemble(&query) else {
        return Outcome::no();
    };
    change(&mut assembled.set);
    let answer = iamspec_model::fast::Compiled::new(&assembled.set).authorize(&assembled.request);
    match answer.decision {
        Decision::Allow if assembled.unavailable.is_empty() => Outcome::yes(),
        // Fail closed (D90), but say which fact would decide it.
        Decision::Allow => Outcome {
            verdict: Verdict::Conditional,
            needs: assembled.unavailable,
        },
        // Denied as asked: with a context the caller chooses (D104), or the keys the
        // evaluator found missing, would it be allowed?
        Decision::ExplicitDeny | Decision::ImplicitDeny => {
            let keys =
                crate::context::open_keys(&assembled.set, &assembled.request, &answer.missing_keys);
            if keys.is_empty() || !crate::context::could_allow(&assembled.set, &assembled.request) {
                return Outcome::no();
            }
            let found = crate::context::witness(&assembled.set, &assembled.request, &keys)
                .or_else(|| crate::context::solver_witness(&assembled.set, &assembled.request));
            match found {
                Some(context) if assembled.unavailable.is_empty() => Outcome {
                    verdict: Verdict::Conditional,
                    needs: context
                        .iter()
                        .map(|(k, v)| crate::context::need(&assembled.set, k, v))
                        .collect(),
                },
                Some(_) => Outcome {
                    verdict: Verdict::Conditional,
                    needs: assembled.unavailable,
                },
                None => Outcome::no(),
            }
        }
    }
}

/// Whether a statement's `Action`/`NotAction` covers `action` (case-insensitive, wildcards).
pub fn names_action(statement: &iamspec_model::policy::Statement, action: &str) -> bool {
    let any = statement.action.patterns.items.iter().any(|p| {
        iamspec_model::pattern::Pattern::new(p)
            .ignore_case()
            .matches(action)
    });
    any != statement.action.negated
}

/// `{"Version":"2012-10-17","Statement":[...]}` from a statement list written as JSON text.
pub fn policy(statements: &str) -> Option<Policy> {
    let text = format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#);
    let json = Json::parse(&text).ok()?;
    Policy::from_json(&json).ok()
}

/// What an attacker writes or attaches when it escalates: everything.
pub fn administrator() -> Policy {
    policy(r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#).unwrap_or(Policy {
        version: iamspec_model::policy::Version::V2012_10_17,
        id: None,
        statements: Vec::new(),
    })
}

/// A trust policy that lets `principal` assume the role.
pub fn trusting(principal: &str) -> Option<Policy> {
    policy(&format!(
        r#"{{"Effect":"Allow","Principal":{{"AWS":"{principal}"}},"Action":"sts:AssumeRole"}}"#
    ))
}
