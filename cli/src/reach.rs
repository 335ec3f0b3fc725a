//! `iamspec reach`: which principals can perform an action on a resource, and whether always or
//! only in some contexts.

use crate::equiv::{bug, deployment, load, witness_cases, Common, Input, EXIT_UNKNOWN};
use crate::EXIT_INPUT;
use iamspec_model::policy::PolicyKind;
use iamspec_solver::ReachVerdict;
use serde_json::json;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// A policy set (a conformance case's `policies` object), or one policy document of `--kind`
    /// (a resource policy is placed with identity policies that allow everything).
    policies: PathBuf,
    /// The action (`s3:GetObject`).
    #[arg(long)]
    action: String,
    /// The resource ARN, or `*`.
    #[arg(long, default_value = "*")]
    resource: String,
    #[command(flatten)]
    common: Common,
}

/// Exit 0 with the groups that can reach (none is an answer too), 2 on bad input, 3 when
/// unknown, 4 on a solver bug.
pub fn run(mut args: Args) -> u8 {
    args.common.files = vec![args.policies.display().to_string()];
    let input = match load(&args.policies, args.common.kind) {
        Ok(input) => input,
        Err(message) => {
            eprintln!("{message}");
            return EXIT_INPUT;
        }
    };
    if let Some(message) = args.common.invalid() {
        eprintln!("{message}");
        return EXIT_INPUT;
    }
    if args.common.sarif() {
        eprintln!("`--format sarif`: reach prints `text` or `json`");
        return EXIT_INPUT;
    }
    let placed = input.placed(args.common.kind, &deployment(&args.common, &[&input]));
    let chosen = match (&input, args.common.kind) {
        (Input::Policy { .. }, PolicyKind::Resource | PolicyKind::Trust) => placed.get(1),
        _ => placed.first(),
    };
    let Some(chosen) = chosen else {
        eprintln!("internal: nothing to evaluate");
        return EXIT_INPUT;
    };
    if let Some(message) =
        crate::check::unknown_action_arguments(std::slice::from_ref(&args.action), &input)
    {
        eprintln!("{message}");
        return EXIT_INPUT;
    }
    let mut warnings = Vec::new();
    if args.resource == "*" {
        warnings.push(iamspec_reach::warnings::NO_RESOURCE.to_owned());
    } else if args.common.resource_account.is_none()
        && iamspec_model::arn::Arn::parse(&args.resource).is_ok_and(|a| a.account().is_empty())
    {
        warnings.push(format!(
            "`{}` names no account and `--resource-account` is not given: the resource is taken to be in the caller's own account, so no group is cross-account",
            args.resource
        ));
    }
    crate::equiv::warn(&warnings);
    crate::equiv::warn(&crate::equiv::input_warnings(&[&input]));
    let options = args.common.options();
    let verdict = match iamspec_solver::who_can_reach(
        &chosen.set,
        &args.action,
        &args.resource,
        args.common.resource_account.as_deref(),
        &options,
    ) {
        Ok(v) => v,
        Err(e) => return bug(e),
    };
    let groups = match verdict {
        ReachVerdict::Unknown(reason) => {
            if args.common.json() {
                args.common
                    .print_json(json!({"verdict": "unknown", "reason": reason}));
            } else {
                println!("unknown: {reason}");
            }
            return EXIT_UNKNOWN;
        }
        ReachVerdict::Groups(groups) => groups,
    };
    if args.common.json() {
        let list: Vec<_> = groups
            .iter()
            .enumerate()
            .map(|(n, g)| {
                json!({
                    "principals": g.group.to_string(),
                    "always": g.always,
                    "conditions": conditions(&chosen.set, &g.witness),
                    "case": witness_cases(n + 1, &g.witness, &[("policies", &chosen.json)], "reaches")
                        .pop()
                        .map(|case| case.to_value()),
                })
            })
            .collect();
        args.common
            .print_json(json!({"action": args.action, "resource": args.resource, "reach": list}));
    } else {
        println!(
            "who can perform {} on {} ({}):",
            args.action, args.resource, chosen.label
        );
        if groups.is_empty() {
            println!("  nobody");
        }
        for g in &groups {
            let when = if g.always {
                "always"
            } else {
                "in some cases (conditions or part of the group)"
            };
            println!("  {}: {when}", g.group);
            for line in conditions(&chosen.set, &g.witness) {
                println!("    {line}");
            }
            println!("    e.g. {}", g.witness.request_json.to_compact_string());
        }
    }
    0
}

/// The conditions of the statements that allowed the group's example request, one line per
/// statement: what a caller of the group must meet (other allowing statements may exist).
fn conditions(set: &iamspec_model::PolicySet, witness: &iamspec_solver::Witness) -> Vec<String> {
    use iamspec_model::policy::Effect;
    let answer = iamspec_model::reference::authorize(set, &witness.request);
    let mut lines = Vec::new();
    for m in answer.matched.iter().filter(|m| m.effect == Effect::Allow) {
        let Some(statement) = statement_of(set, m) else {
            continue;
        };
        if statement.condition.is_empty() {
            continue;
        }
        let clauses: Vec<String> = statement
            .condition
            .iter()
            .map(|c| {
                let values: Vec<&str> = c.values.iter().collect();
                format!("{} {} {}", c.operator_text, c.key, values.join(" | "))
            })
            .collect();
        let sid = m
            .sid
            .as_deref()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default();
        lines.push(format!(
            "when {} [{}[{}] Statement[{}]{sid}]",
            clauses.join(" and "),
            m.kind.as_str(),
            m.policy,
            m.statement
        ));
    }
    lines
}

fn statement_of<'a>(
    set: &'a iamspec_model::PolicySet,
    m: &iamspec_model::answer::StatementRef,
) -> Option<&'a iamspec_model::policy::Statement> {
    let policy = match m.kind {
        PolicyKind::Identity => set.identity.get(m.policy),
        PolicyKind::Session => set.session.get(m.policy),
        PolicyKind::PermissionBoundary => set.permission_boundary.as_ref(),
        PolicyKind::Resource | PolicyKind::Trust => set.resource.as_ref(),
        PolicyKind::VpcEndpoint => set.vpc_endpoint.as_ref(),
        PolicyKind::Scp => set.scp.as_ref()?.get(m.level?)?.get(m.policy),
        PolicyKind::Rcp => set.rcp.as_ref()?.get(m.level?)?.get(m.policy),
    }?;
    policy.statements.get(m.statement)
}
