//! `iamspec permissions SNAPSHOT --principal ARN`: the principal's effective permissions in its
//! own account, per service and access level (iamspec-world does the work).

use crate::output::{OutputArgs, Records};
use crate::EXIT_INPUT;
use iamspec_corpus::Catalogue;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// An iamspec-snapshot/1 directory or file, or a GAAD file.
    snapshot: PathBuf,
    /// A user, role or root ARN of the snapshot.
    #[arg(long, value_name = "ARN")]
    principal: String,
    /// Context keys of the requests, `key=value` (`aws:RequestedRegion=eu-west-1`).
    #[arg(long, num_args = 1.., value_name = "KEY=VALUE")]
    context: Vec<String>,
    #[command(flatten)]
    output: OutputArgs,
}

/// Exit 0 with the permissions, 2 on bad input.
pub fn run(args: Args) -> u8 {
    let json = args.output.resolve().json();
    let Some(context) = crate::access::parse_context(&args.context) else {
        return EXIT_INPUT;
    };
    let world = match crate::input::load_world(&args.snapshot) {
        Ok(world) => world,
        Err(code) => return code,
    };
    match world.permissions(&args.principal, &context, Catalogue::embedded()) {
        Ok(permissions) if json => {
            let mut records = Records::new();
            records.push(&crate::access::with_file(&args.snapshot, &permissions));
            records.finish();
        }
        Ok(permissions) => crate::print_out(&permissions.render_text()),
        Err(error) => {
            eprintln!("{error}");
            return EXIT_INPUT;
        }
    }
    0
}
