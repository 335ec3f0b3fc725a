//! `iamspec credential-report SNAPSHOT [--account ID] --at TIME`: the credential report AWS
//! would generate for an account of the world at TIME, as AWS's CSV (iamspec-world does the work).

use crate::EXIT_INPUT;
use iamspec_world::report;
use iamspec_world::time::Timestamp;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// An iamspec-snapshot/1 directory or file, or a GAAD file.
    snapshot: PathBuf,
    /// The account (needed when the world has more than one).
    #[arg(long)]
    account: Option<String>,
    /// The generation time, ISO 8601 (`2024-06-01T00:00:00Z`).
    #[arg(long)]
    at: String,
}

/// Exit 0 with the CSV (no newline after the last row, as AWS's), 2 on bad input.
pub fn run(args: Args) -> u8 {
    let Some(at) = Timestamp::parse(&args.at) else {
        eprintln!("--at: `{}` is not an ISO 8601 time", args.at);
        return EXIT_INPUT;
    };
    let world = match crate::input::load_world(&args.snapshot) {
        Ok(world) => world,
        Err(code) => return code,
    };
    let account = match (&args.account, world.accounts.as_slice()) {
        (Some(id), _) => world.account(id),
        (None, [only]) => Some(only),
        (None, accounts) => {
            let ids: Vec<_> = accounts.iter().map(|a| a.id.as_str()).collect();
            eprintln!(
                "the world has {} accounts ({}): choose one with --account",
                ids.len(),
                ids.join(", ")
            );
            return EXIT_INPUT;
        }
    };
    let Some(account) = account else {
        eprintln!(
            "--account: the world has no account `{}`",
            args.account.unwrap_or_default()
        );
        return EXIT_INPUT;
    };
    crate::print_out(&report::generate(account, at));
    0
}
