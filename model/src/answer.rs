//! The answer to a request: the decision, which kind of policy decided it, every statement that
//! applied, and the context keys the policies wanted but the request lacked (SEMANTICS.md §5).

use crate::guard_rail::GuardRail;
use crate::policy::{Effect, PolicyKind};
use crate::quote::{quoted, shown};
use crate::request::Request;
use serde::Serialize;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Allow,
    ExplicitDeny,
    ImplicitDeny,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::ExplicitDeny => "explicit_deny",
            Decision::ImplicitDeny => "implicit_deny",
        }
    }

    pub fn parse(text: &str) -> Option<Decision> {
        match text {
            "allow" => Some(Decision::Allow),
            "explicit_deny" => Some(Decision::ExplicitDeny),
            "implicit_deny" => Some(Decision::ImplicitDeny),
            _ => None,
        }
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A statement that applied to the request: which policy, which statement.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct StatementRef {
    pub kind: PolicyKind,
    /// The organization level (0 = root), for SCPs and RCPs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<usize>,
    /// The policy's index among the policies of its kind (and level).
    pub policy: usize,
    /// The statement's index in the policy.
    pub statement: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    pub effect: Effect,
}

impl Serialize for PolicyKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl Serialize for Effect {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl fmt::Display for StatementRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind.slot())?;
        if let Some(level) = self.level {
            write!(f, "[level {level}]")?;
        }
        write!(f, "[{}].Statement[{}]", self.policy, self.statement)?;
        if let Some(sid) = &self.sid {
            write!(f, " (Sid {})", quoted(sid))?;
        }
        write!(f, " {}", self.effect)
    }
}

/// The decision with its explanation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Answer {
    pub decision: Decision,
    /// The kind of policy that decided: for a denial, the one AWS would name (D50); for an
    /// allow, the kind whose grant sufficed. `None` for the root user's implicit permissions.
    pub deciding: Option<PolicyKind>,
    /// Every statement that applied (principal, action, resource and conditions all matched).
    pub matched: Vec<StatementRef>,
    /// Context keys the policies referenced that the request did not have.
    pub missing_keys: Vec<String>,
    /// The AWS guard rail that refused what the policies allowed (D68): the decision is then an
    /// implicit deny that no policy decided (`deciding` is `None`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guard_rail: Option<GuardRail>,
}

impl Answer {
    /// AWS's wording (§5): `User: ... is not authorized to perform: ... with an explicit deny in a
    /// service control policy`, or a sentence saying what allowed the request.
    /// The request's values are shortened as every message shortens input ([`crate::quote`]).
    pub fn message(&self, request: &Request) -> String {
        let action = shown(request.action.as_str());
        let denied = |reason: String| {
            format!(
                "User: {} is not authorized to perform: {action} on resource: {} {reason}",
                shown(&request.principal_text),
                shown(&request.resource.to_string())
            )
        };
        let cross_account = request.resource_account.as_deref() != request.principal.account();
        if let Some(rail) = self.guard_rail {
            return denied(format!(
                "because AWS refuses it whatever the policies allow (an AWS guard rail): {}",
                rail.reason()
            ));
        }
        match (self.decision, self.deciding) {
            (Decision::Allow, Some(PolicyKind::Identity)) if cross_account =>
            {
                format!("allowed: the resource is in another account, and both a resource-based policy and an identity-based policy allow {action}")
            }
            (Decision::Allow, Some(kind)) => format!(
                "allowed: a{} {} allows {action}",
                article(kind),
                kind.aws_name()
            ),
            (Decision::Allow, None) if cross_account => format!(
                "allowed: a resource-based policy grants {action} to the root user's account, and the root user needs no identity-based policy"
            ),
            (Decision::Allow, None) => {
                format!("allowed: the root user may perform {action} in its own account")
            }
            (Decision::ExplicitDeny, Some(kind)) => denied(format!(
                "with an explicit deny in a{} {}",
                article(kind),
                kind.aws_name()
            )),
            // AWS words an SCP's implicit deny as an explicit one (§5).
            (Decision::ImplicitDeny, Some(PolicyKind::Scp)) => {
                denied("with an explicit deny in a service control policy".to_owned())
            }
            (Decision::ImplicitDeny, Some(kind)) => denied(format!(
                "because no {} allows the {action} action",
                kind.aws_name()
            )),
            (_, None) => denied("because no policy allows it".to_owned()),
        }
    }
}

fn article(kind: PolicyKind) -> &'static str {
    match kind {
        PolicyKind::Identity => "n",
        _ => "",
    }
}
