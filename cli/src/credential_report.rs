//! `iamspec credential-report SNAPSHOT [--account ID] --at TIME`: the credential report AWS
//! would generate for an account of the world at TIME, as AWS's CSV (iamspec-world does the work).

use crate::output::{OutputArgs, Records};
use crate::EXIT_INPUT;
use iamspec_world::report;
use iamspec_world::time::Timestamp;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// An iamspec-snapshot/1 directory or file, or a GAAD file.
    snapshot: PathBuf,
    /// The account (needed when the world has more than one).
    #[arg(long, value_name = "ID")]
    account: Option<String>,
    /// The generation time, ISO 8601 (`2024-06-01T00:00:00Z`).
    #[arg(long, value_name = "TIME")]
    at: String,
    /// `text`: AWS's CSV; `json`: an array holding one record, `{"file", "account", "at",
    /// "rows"}`, each row an object by column name.
    #[command(flatten)]
    output: OutputArgs,
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
    let csv = report::generate(account, at);
    if !args.output.resolve().json() {
        crate::print_out(&csv);
        return 0;
    }
    let file = crate::display_name(&args.snapshot);
    let rows = match iamspec_world::credential_report::parse(&file, &csv) {
        Ok(rows) => rows,
        Err(error) => {
            // The report was generated here: not reading it back is a bug, said as such.
            eprintln!("the generated report does not read back: {error}");
            return EXIT_INPUT;
        }
    };
    let mut rows = rows;
    rows.sort_by_key(|row| row.line);
    let rows: Vec<_> = rows.into_iter().map(|row| row.fields).collect();
    let mut records = Records::new();
    records.push(&serde_json::json!({
        "file": file,
        "account": account.id,
        "at": report::format_time(at),
        "rows": rows,
    }));
    records.finish();
    0
}
