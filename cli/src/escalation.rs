//! `iamspec escalation SNAPSHOT [--principal ARN]`: who can become an administrator of its
//! account (D100), and how (iamspec-reach does the work).

use crate::who_can::{load, print, write_cases, Common};
use crate::EXIT_INPUT;
use iamspec_reach::{escalation, Verdict};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// An iamspec-snapshot/1 directory or file, or a GAAD file.
    snapshot: PathBuf,
    /// Only this principal (a user, role or identity provider ARN of the world).
    #[arg(long)]
    principal: Option<String>,
    #[command(flatten)]
    common: Common,
}

/// Exit 0 when no principal can become an administrator it is not already, 1 when one can
/// (conditionally or not), 2 on bad input.
pub fn run(args: Args) -> u8 {
    let (world, graph) = match load(&args.snapshot) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    if let Some(p) = &args.principal {
        if graph.node(p).is_none() {
            eprintln!(
                "--principal: `{}` is not a user, role or identity provider of the snapshot",
                iamspec_model::quote::shown(p)
            );
            return EXIT_INPUT;
        }
    }
    let records = escalation(
        &world,
        &graph,
        args.principal.as_deref(),
        args.common.limits(),
    );
    if let Err(code) = write_cases(&args.common, &world, &graph, &records, "escalation", None) {
        return code;
    }
    let code = print(
        &args.common,
        &records,
        "who can become an administrator",
        &args.snapshot,
        "reach/escalation",
        "can become an administrator",
    );
    let escalates = records
        .iter()
        .any(|r| r.verdict != Verdict::No && r.min_steps.is_some_and(|s| s > 0));
    if code == 0 && escalates {
        1
    } else {
        code
    }
}
