//! `iamspec path SNAPSHOT --from ARN --to ARN|admin`: the paths from one principal of a world to
//! another, or to any administrator (iamspec-reach does the work).

use crate::who_can::{load, print, write_cases, Common, GraphFormat};
use crate::EXIT_INPUT;
use iamspec_reach::{path, render, Verdict};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// An iamspec-snapshot/1 directory or file, or a GAAD file.
    snapshot: PathBuf,
    /// The principal the paths start at.
    #[arg(long)]
    from: String,
    /// The principal they end at, or `admin` for any administrator.
    #[arg(long)]
    to: String,
    #[command(flatten)]
    common: Common,
}

/// Exit 0 when a path exists (conditionally or not), 1 when none does, 2 on bad input.
pub fn run(args: Args) -> u8 {
    let (world, graph) = match load(&args.snapshot) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    for (flag, arn) in [("--from", &args.from), ("--to", &args.to)] {
        if !(flag == "--to" && arn == "admin") && graph.node(arn).is_none() {
            eprintln!(
                "{flag}: `{}` is not a user, role or identity provider of the snapshot",
                iamspec_model::quote::shown(arn)
            );
            return EXIT_INPUT;
        }
    }
    let Some(record) = path(&world, &graph, &args.from, &args.to, args.common.limits()) else {
        return EXIT_INPUT;
    };
    if let Err(code) = write_cases(
        &args.common,
        &world,
        &graph,
        std::slice::from_ref(&record),
        "path",
        None,
    ) {
        return code;
    }
    let title = format!("paths from {} to {}", args.from, args.to);
    let found = record.verdict != Verdict::No;
    let code = if args.common.output.format() == GraphFormat::Text {
        // One principal: how many paths, or that there is none, rather than a count of
        // principals.
        let text = render::path_text_styled(
            &title,
            &record,
            args.common.limits().max_hops,
            args.common.output.style(),
        );
        crate::out!("{}", text.trim_end_matches('\n'));
        0
    } else {
        print(
            &args.common,
            std::slice::from_ref(&record),
            &title,
            &args.snapshot,
            "reach/path",
            &format!("can reach {}", args.to),
        )
    };
    if code == 0 && !found {
        1
    } else {
        code
    }
}
