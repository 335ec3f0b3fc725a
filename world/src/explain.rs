//! `access`: the decision on an assembled set, by the model's evaluators, explained with every
//! policy named by its real name or ARN and where it is attached, in the spirit of
//! `aws iam simulate-principal-policy`.

use crate::assemble::{AssembleError, Assembled, PolicyLabel, Query};
use crate::entity::World;
use iamspec_model::evaluator::Evaluator;
use iamspec_model::policy::{Effect, PolicyKind};
use iamspec_model::{Answer, Decision};
use serde::Serialize;

/// The decision with its explanation.
#[derive(Clone, Debug, Serialize)]
pub struct Access {
    pub principal: String,
    pub action: String,
    pub resource: String,
    /// The final decision: the evaluators' one, except that an Allow that depends on a policy
    /// the snapshot lacks is reported as `implicit_deny` (fail closed, D90).
    pub decision: Decision,
    /// The evaluators' answer on the policies that are in the snapshot.
    pub evaluated: Answer,
    /// AWS's wording of the decision.
    pub message: String,
    /// Why, naming each policy and where it is attached.
    pub reasons: Vec<String>,
    /// Policies in force that the snapshot lacks or that are invalid.
    pub unavailable: Vec<String>,
    pub assumptions: Vec<String>,
    /// The context keys of the request (derived and given), sorted.
    pub context: Vec<(String, Vec<String>)>,
}

impl World {
    /// Decides `query` with the fast evaluator and explains it.
    pub fn access(&self, query: &Query) -> Result<Access, AssembleError> {
        let assembled = self.assemble(query)?;
        let answer =
            iamspec_model::fast::Compiled::new(&assembled.set).authorize(&assembled.request);
        Ok(explain(query, &assembled, answer))
    }
}

/// The explanation of `answer` for `assembled`.
pub fn explain(query: &Query, assembled: &Assembled, answer: Answer) -> Access {
    let request = &assembled.request;
    let labels = &assembled.labels;
    let action = request.action.as_str();
    let name = |r: &iamspec_model::StatementRef| {
        let statement = match &r.sid {
            Some(sid) => format!("Statement[{}] (Sid `{sid}`)", r.statement),
            None => format!("Statement[{}]", r.statement),
        };
        match labels.of(r) {
            Some(label) => format!("{label}, {statement}"),
            None => format!("{} {statement}", r.kind.aws_name()),
        }
    };
    let mut reasons = Vec::new();
    match (answer.decision, answer.deciding) {
        (Decision::ExplicitDeny, _) => {
            for r in answer.matched.iter().filter(|r| r.effect == Effect::Deny) {
                reasons.push(format!("explicit deny in {}", name(r)));
            }
        }
        (Decision::Allow, _) => {
            let guardrail = |r: &&iamspec_model::StatementRef| {
                matches!(r.kind, PolicyKind::Scp | PolicyKind::Rcp)
            };
            for r in answer
                .matched
                .iter()
                .filter(|r| r.effect == Effect::Allow && !guardrail(r))
            {
                reasons.push(format!("allowed by {}", name(r)));
            }
            for (kind, levels) in [("SCP", &labels.scp), ("RCP", &labels.rcp)] {
                if levels.is_empty() {
                    continue;
                }
                let each: Vec<String> = levels
                    .iter()
                    .map(|(place, here)| {
                        let names: Vec<String> =
                            here.iter().map(|l| format!("`{}`", l.name)).collect();
                        format!("{place} ({})", names.join(", "))
                    })
                    .collect();
                reasons.push(format!(
                    "every level of the {kind} chain allows it: {}",
                    each.join(", ")
                ));
            }
            if answer.deciding.is_none() {
                reasons
                    .push("the root user needs no identity-based policy in its own account".into());
            }
        }
        (Decision::ImplicitDeny, Some(kind @ (PolicyKind::Scp | PolicyKind::Rcp))) => {
            let levels = if kind == PolicyKind::Scp {
                &labels.scp
            } else {
                &labels.rcp
            };
            for (i, (place, here)) in levels.iter().enumerate() {
                let allowed = answer
                    .matched
                    .iter()
                    .any(|r| r.kind == kind && r.level == Some(i) && r.effect == Effect::Allow);
                if !allowed {
                    reasons.push(format!(
                        "no {} attached to {place} allows {action} ({})",
                        if kind == PolicyKind::Scp {
                            "SCP"
                        } else {
                            "RCP"
                        },
                        list(here)
                    ));
                }
            }
        }
        (Decision::ImplicitDeny, Some(PolicyKind::Identity)) => {
            reasons.push(format!(
                "no identity-based policy allows {action}: {}",
                list(&labels.identity)
            ));
        }
        (Decision::ImplicitDeny, Some(PolicyKind::PermissionBoundary)) => {
            reasons.push(format!(
                "{} does not allow {action}",
                labels
                    .permission_boundary
                    .as_ref()
                    .map_or("the permissions boundary".to_owned(), ToString::to_string)
            ));
        }
        (Decision::ImplicitDeny, Some(PolicyKind::Session)) => {
            reasons.push(format!(
                "no session policy allows {action}: {}",
                list(&labels.session)
            ));
        }
        (Decision::ImplicitDeny, Some(kind @ (PolicyKind::Resource | PolicyKind::Trust))) => {
            reasons.push(match &labels.resource {
                Some(label) => format!("{label} does not allow {action} for this principal"),
                None => format!(
                    "no {} allows {action} (the resource has none in the snapshot)",
                    kind.aws_name()
                ),
            });
        }
        // The policies allowed it; AWS refuses it (D68).
        (Decision::ImplicitDeny, None) if answer.guard_rail.is_some() => {
            if let Some(rail) = answer.guard_rail {
                reasons.push(format!("refused by an AWS guard rail: {}", rail.reason()));
            }
        }
        (Decision::ImplicitDeny, _) => reasons.push("no policy allows it".into()),
    }
    let mut decision = answer.decision;
    if decision == Decision::Allow && !assembled.unavailable.is_empty() {
        decision = Decision::ImplicitDeny;
        reasons.push("denied fail closed: the policies in the snapshot allow it, but a policy in force is missing or invalid (D90)".into());
    }
    let mut context: Vec<(String, Vec<String>)> = request
        .context
        .iter()
        .map(|(k, v)| (k.to_owned(), v.as_slice().to_vec()))
        .collect();
    context.sort();
    Access {
        principal: query.principal.clone(),
        action: query.action.clone(),
        resource: query.resource.clone(),
        decision,
        message: answer.message(request),
        evaluated: answer,
        reasons,
        unavailable: assembled.unavailable.clone(),
        assumptions: assembled.assumptions.clone(),
        context,
    }
}

fn list(labels: &[PolicyLabel]) -> String {
    if labels.is_empty() {
        return "none in force".into();
    }
    labels
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl Access {
    /// The text form.
    pub fn render_text(&self) -> String {
        let mut out = format!(
            "{} {} on {}: {}\n  {}\n",
            self.principal, self.action, self.resource, self.decision, self.message
        );
        for reason in &self.reasons {
            out.push_str(&format!("  - {reason}\n"));
        }
        for missing in &self.unavailable {
            out.push_str(&format!("  ! {missing}\n"));
        }
        for assumption in &self.assumptions {
            out.push_str(&format!("  assumed: {assumption}\n"));
        }
        if !self.evaluated.missing_keys.is_empty() {
            out.push_str(&format!(
                "  context keys the policies asked for and the request lacked: {}\n",
                self.evaluated.missing_keys.join(", ")
            ));
        }
        out
    }
}
