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
pub fn run(args: Args) -> u8 {
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
    let placed = input.placed(args.common.kind, &deployment(&args.common, &[&input]));
    let chosen = match (&input, args.common.kind) {
        (Input::Policy { .. }, PolicyKind::Resource | PolicyKind::Trust) => placed.get(1),
        _ => placed.first(),
    };
    let Some(chosen) = chosen else {
        eprintln!("internal: nothing to evaluate");
        return EXIT_INPUT;
    };
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
            if args.common.json {
                println!("{}", json!({"verdict": "unknown", "reason": reason}));
            } else {
                println!("unknown: {reason}");
            }
            return EXIT_UNKNOWN;
        }
        ReachVerdict::Groups(groups) => groups,
    };
    if args.common.json {
        let list: Vec<_> = groups
            .iter()
            .enumerate()
            .map(|(n, g)| {
                json!({
                    "principals": g.group.to_string(),
                    "always": g.always,
                    "case": witness_cases(n + 1, &g.witness, &[("policies", &chosen.json)], "reaches")
                        .pop()
                        .map(|case| case.to_value()),
                })
            })
            .collect();
        println!(
            "{}",
            json!({"action": args.action, "resource": args.resource, "reach": list})
        );
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
            println!("    e.g. {}", g.witness.request_json.to_compact_string());
        }
    }
    0
}
