//! A resource policy against the resource it is attached to (`LintOptions::resource`): the
//! policy governs requests to that resource (and its sub-resources, such as a bucket's objects)
//! only, so a statement none of whose `Resource` entries can be one of them never applies, and an
//! action that acts on no resource type of that ARN is never granted there. Access Analyzer
//! runs these when told the resource type; S3 refuses such a bucket policy outright ("Policy has
//! invalid resource").

use super::intersect::Glob;
use super::{Linter, StatementFacts};
use iamspec_model::policy::PolicyKind;

pub(crate) fn check(linter: &mut Linter<'_, '_>, facts: &StatementFacts<'_, '_, '_>) {
    let Some(arn) = linter.resource else {
        return;
    };
    if linter.kind != PolicyKind::Resource {
        return;
    }
    // The resource itself and what lies below it (`bucket/key`, `function:alias`).
    let targets = [
        Glob::pattern(arn, false),
        Glob::pattern(&format!("{arn}/*"), false),
        Glob::pattern(&format!("{arn}:*"), false),
    ];
    let statement = facts.statement;
    let substitutes = linter.policy.version.substitutes_variables();
    if let (Some(resource), Some(path)) = (&statement.resource, statement.resource_path()) {
        let applies = resource.negated
            || resource.patterns.iter().any(|p| {
                let glob = Glob::pattern(p, substitutes);
                targets.iter().any(|t| glob.intersects(t))
            });
        if !applies {
            linter.emit(
                "resource-not-attached",
                path,
                format!("no `Resource` of this statement can be `{arn}` or below it, the resource the policy is attached to: the statement never applies"),
            );
            return;
        }
    }
    if statement.action.negated {
        return;
    }
    for pattern in facts.patterns {
        if pattern.actions.is_empty() {
            continue; // unknown to the catalogue: nothing to say
        }
        let acts = pattern.actions.iter().any(|action| {
            action.resource_types().any(|(_, rt)| {
                rt.is_some_and(|rt| {
                    let template = Glob::template(rt.arn());
                    targets.iter().any(|t| t.intersects(&template))
                })
            })
        });
        if !acts {
            linter.emit(
                "action-not-for-resource",
                pattern.path(),
                format!("`{}` acts on no resource type that `{arn}` (or a resource below it) is: this policy never grants it", pattern.text),
            );
        }
    }
}
