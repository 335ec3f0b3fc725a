//! `iamspec check`: properties of one policy (or a pair), proved or refuted by the solver.

use crate::equiv::{
    bug, combine, deployment, grants_placement, input_warnings, load, load_pair, print_failure,
    print_placements, report, table, warn, witness_cases, Combined, Common, SarifTarget, Wording,
    AS_GIVEN, EXIT_UNKNOWN,
};
use crate::EXIT_INPUT;
use iamspec_model::policy::PolicyKind;
use iamspec_solver::{Callers, Verdict};
use serde_json::json;
use std::path::PathBuf;

#[derive(clap::Subcommand)]
pub enum Command {
    /// NEW grants nothing OLD does not: every request NEW allows, OLD allows too.
    NoNewAccess {
        /// The policy (or policy set) before the change.
        old: PathBuf,
        /// The policy (or policy set) after the change.
        new: PathBuf,
        #[command(flatten)]
        common: Common,
    },
    /// POLICY allows none of the given actions on the given resources.
    AccessNotGranted {
        /// A policy document or a policy set.
        policy: PathBuf,
        /// An action pattern (`s3:GetObject`, `iam:*`); repeat for several; none means all.
        #[arg(long = "action")]
        actions: Vec<String>,
        /// A resource pattern; repeat for several; none means all.
        #[arg(long = "resource")]
        resources: Vec<String>,
        #[command(flatten)]
        common: Common,
    },
    /// A resource policy grants nothing to anonymous callers or to principals of accounts it does
    /// not name (whose own policies allow everything).
    ///
    /// As IAM Access Analyzer: an outsider can create its own organization, VPC, VPC endpoint or
    /// source resource, so a condition on `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`,
    /// `aws:SourceVpc`, `aws:SourceVpce`, `aws:SourceAccount`, `aws:SourceArn`,
    /// `aws:SourceOwner`, `aws:SourceOrgID` or `aws:SourceOrgPaths` makes a policy private only
    /// where it pins a named value (`"o-a1b2c3d4e5"`, `"o-a1b2c3d4e5/*"`, a VPC or endpoint id,
    /// an ARN through its account); `"o-*"` or a `Null` test ("present") does not (D86).
    NoPublicAccess {
        /// A resource-based policy (or role trust policy with `--kind trust`); `--kind` is
        /// `resource` unless it says `trust`.
        policy: PathBuf,
        #[command(flatten)]
        common: Common,
    },
}

/// Exit 0 when the property holds, 1 when it fails (with witnesses), 2 on bad input, 3 when
/// unknown, 4 on a solver bug, 5 (no-new-access) when neither side allows anything.
pub fn run(command: Command) -> u8 {
    match command {
        Command::NoNewAccess {
            old,
            new,
            mut common,
        } => {
            common.sarif_target = SarifTarget {
                rule: "iamspec/no-new-access",
                description: "A changed policy grants access the previous version did not",
                file: new.display().to_string(),
            };
            common.files = vec![old.display().to_string(), new.display().to_string()];
            let pair = match load_pair(&old, &new, &common) {
                Ok(pair) => pair,
                Err(message) => {
                    eprintln!("{message}");
                    return EXIT_INPUT;
                }
            };
            let (old, new) = (&pair.a, &pair.b);
            let set = old.first().is_some_and(|p| p.label == AS_GIVEN);
            let options = common.options();
            // Witnesses: requests NEW allows and OLD does not.
            let outcome = combine(old.len().min(new.len()), |i| {
                match (new.get(i), old.get(i)) {
                    (Some(n), Some(o)) => iamspec_solver::implies(&n.set, &o.set, &options),
                    _ => Ok(Verdict::Holds),
                }
            });
            report(
                &common,
                outcome,
                (new, old),
                &pair.warnings,
                grants_placement(set, common.kind),
                Wording {
                    holds: "no new access: everything the new policy allows, the old one allows",
                    fails: "new access",
                    names: ["new", "old"],
                    // Identity-side policies govern IAM identities, not the root user (D53).
                    new_actions: Some(
                        if !set
                            && matches!(
                                common.kind,
                                PolicyKind::Identity
                                    | PolicyKind::PermissionBoundary
                                    | PolicyKind::Session
                            )
                        {
                            Callers::IamIdentities
                        } else {
                            Callers::All
                        },
                    ),
                },
            )
        }
        Command::AccessNotGranted {
            policy,
            actions,
            resources,
            mut common,
        } => {
            common.sarif_target = SarifTarget {
                rule: "iamspec/access-not-granted",
                description: "A policy grants access that must not be granted",
                file: policy.display().to_string(),
            };
            common.files = vec![policy.display().to_string()];
            if let Some(message) = common.invalid() {
                eprintln!("{message}");
                return EXIT_INPUT;
            }
            let input = match load(&policy, common.kind) {
                Ok(input) => input,
                Err(message) => {
                    eprintln!("{message}");
                    return EXIT_INPUT;
                }
            };
            if let Some(message) = unknown_action_arguments(&actions, &input) {
                eprintln!("{message}");
                return EXIT_INPUT;
            }
            warn(&input_warnings(&[&input]));
            let placed = input.placed(common.kind, &deployment(&common, &[&input]));
            let mut options = common.options();
            // The root user needs no identity policy (D53): a lone identity policy, boundary
            // or session policy is asked about the principals it can be attached to.
            if !input.is_set()
                && matches!(
                    common.kind,
                    PolicyKind::Identity | PolicyKind::PermissionBoundary | PolicyKind::Session
                )
            {
                options.callers = Callers::IamIdentities;
            }
            // Identity-side policies: only where their own grants show (the second placement
            // lets an open resource policy grant everything not explicitly denied, D80).
            let mut placed = placed;
            if !input.is_set()
                && matches!(
                    common.kind,
                    PolicyKind::Identity | PolicyKind::PermissionBoundary | PolicyKind::Session
                )
            {
                placed.truncate(1);
            }
            let outcome = combine(placed.len(), |i| match placed.get(i) {
                Some(p) => {
                    iamspec_solver::access_not_granted(&p.set, &actions, &resources, &options)
                }
                None => Ok(Verdict::Holds),
            });
            single(
                &common,
                outcome,
                &placed,
                "access is not granted",
                "access granted",
            )
        }
        Command::NoPublicAccess { policy, mut common } => {
            // The question is about a resource's own policy: `--kind` is `resource` unless it
            // is `trust` (the shared default, `identity`, would refuse `Principal`).
            if common.kind != PolicyKind::Trust {
                common.kind = PolicyKind::Resource;
            }
            common.sarif_target = SarifTarget {
                rule: "iamspec/no-public-access",
                description:
                    "A resource policy grants access to anonymous callers or unnamed accounts",
                file: policy.display().to_string(),
            };
            common.files = vec![policy.display().to_string()];
            let input = match load(&policy, common.kind) {
                Ok(input) => input,
                Err(message) => {
                    eprintln!("{message}");
                    return EXIT_INPUT;
                }
            };
            if let Some(message) = common.invalid() {
                eprintln!("{message}");
                return EXIT_INPUT;
            }
            warn(&input_warnings(&[&input]));
            let crate::equiv::Input::Policy { policy, json } = input else {
                eprintln!("no-public-access takes one resource-based policy document");
                return EXIT_INPUT;
            };
            let kind = match common.kind {
                PolicyKind::Trust => PolicyKind::Trust,
                _ => PolicyKind::Resource,
            };
            let options = common.options();
            let outcome =
                iamspec_solver::no_public_access(&policy, kind, &options).map(|v| match v {
                    Verdict::Holds => Combined::Holds,
                    Verdict::Fails(w) => Combined::Fails(0, w),
                    Verdict::Unknown(reason) => Combined::Unknown(reason),
                });
            let harness = serde_json::json!({
                "identity": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}],
                "resource": json.to_value(),
            });
            let harness = iamspec_model::json::Json::parse(&harness.to_string()).unwrap_or(json);
            let placed = vec![iamspec_solver::harness::Placed {
                set: iamspec_model::PolicySet {
                    identity: vec![iamspec_solver::harness::allow_all()],
                    resource: Some(policy.clone()),
                    resource_kind: Some(kind),
                    ..iamspec_model::PolicySet::default()
                },
                json: harness,
                label: "as the resource policy, for outsiders whose own identity policies allow everything".into(),
            }];
            single(
                &common,
                outcome,
                &placed,
                "no public access",
                "public access",
            )
        }
    }
}

/// Prints a one-sided outcome.
fn single(
    common: &Common,
    outcome: Result<Combined, iamspec_solver::SolverError>,
    placed: &[iamspec_solver::harness::Placed],
    holds: &str,
    fails: &str,
) -> u8 {
    let combined = match outcome {
        Ok(c) => c,
        Err(e) => return bug(e),
    };
    match combined {
        Combined::Holds => {
            let labels: Vec<&str> = placed.iter().map(|p| p.label.as_str()).collect();
            if common.sarif() {
                common.print_sarif(&[]);
            } else if common.json() {
                common.print_json(json!({"verdict": "holds", "placements": labels}));
            } else {
                println!("{}", common.headline(holds, false));
                if !common.quiet() {
                    print_placements(&labels);
                    println!(
                        "(assuming actions are those of {} and those the policies name)",
                        iamspec_solver::catalogue_assumption()
                    );
                }
            }
            0
        }
        Combined::Unknown(reason) => {
            if common.sarif() {
                common.print_sarif(&[("warning", format!("unknown: {reason}"))]);
            } else if common.json() {
                common.print_json(json!({"verdict": "unknown", "reason": reason}));
            } else {
                println!("unknown: {reason}");
            }
            EXIT_UNKNOWN
        }
        Combined::Fails(index, witnesses) => {
            let Some(p) = placed.get(index) else {
                return EXIT_UNKNOWN;
            };
            let mut cases = Vec::new();
            let mut tables = Vec::new();
            for (n, w) in witnesses.iter().enumerate() {
                cases.extend(witness_cases(n + 1, w, &[("policy", &p.json)], fails));
                tables.push(table(n + 1, w, &[("policy", p)]));
            }
            let count = witnesses.len();
            let mut extra = Vec::new();
            if count < common.witnesses {
                extra.push(format!(
                    "({count} of the {} witnesses asked for: no other combination of deciding statements shows a failure)",
                    common.witnesses
                ));
            }
            print_failure(common, fails, &p.label, &tables, &extra, cases)
        }
    }
}

/// An `--action` that matches no action of the catalogue and none the policy names: the
/// question asks about nothing.
pub fn unknown_action_arguments(actions: &[String], input: &crate::equiv::Input) -> Option<String> {
    let catalogue = iamspec_corpus::Catalogue::embedded();
    let named = input.actions_named();
    for action in actions {
        let pattern = iamspec_model::pattern::Pattern::new(action).ignore_case();
        let in_catalogue = !catalogue.expand(action).is_empty();
        let in_policy = named
            .iter()
            .any(|n| pattern.matches(&n.to_ascii_lowercase()));
        if !in_catalogue && !in_policy {
            return Some(format!(
                "`--action {action}` matches no action of {} nor any the policy names: the check would be about nothing",
                iamspec_solver::catalogue_assumption()
            ));
        }
    }
    None
}
