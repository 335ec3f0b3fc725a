//! `iamspec who-can SNAPSHOT --action A --resource R [--max-hops N] [--paths K]`: every principal
//! of a world that can perform an action on a resource, directly or through a path
//! (iamspec-reach does the work).

use crate::EXIT_INPUT;
use iamspec_reach::{render, who_can, Graph, Limits};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// An iamspec-snapshot/1 directory or file, or a GAAD file.
    snapshot: PathBuf,
    /// The action (`s3:GetObject`).
    #[arg(long)]
    action: String,
    /// The resource (an ARN, or `*`).
    #[arg(long)]
    resource: String,
    #[command(flatten)]
    common: Common,
}

/// Options every reach command shares.
#[derive(clap::Args)]
pub struct Common {
    /// The longest path searched.
    #[arg(long, default_value_t = 6)]
    pub max_hops: usize,
    /// The K shortest paths per principal instead of every minimal path.
    #[arg(long)]
    pub paths: Option<usize>,
    /// `text`, `json`, `sarif`, `dot` or `mermaid`.
    #[arg(long, default_value = "text")]
    pub format: String,
}

impl Common {
    pub fn limits(&self) -> Limits {
        Limits {
            max_hops: self.max_hops,
            paths: self.paths,
        }
    }
}

/// The world and its graph, or the load error printed.
pub fn load(snapshot: &std::path::Path) -> Result<(iamspec_world::World, Graph), u8> {
    let world = crate::input::load_world(snapshot)?;
    let graph = Graph::build(&world);
    Ok((world, graph))
}

/// Prints `records`; exit 0, or 2 on a bad `--format`.
pub fn print(
    common: &Common,
    records: &[iamspec_reach::Record],
    title: &str,
    snapshot: &std::path::Path,
    rule: &str,
    description: &str,
) -> u8 {
    let name = snapshot.display().to_string();
    match render::render(&common.format, records, title, &name, rule, description) {
        Ok(out) => {
            print!("{out}");
            0
        }
        Err(error) => {
            eprintln!("{error}");
            EXIT_INPUT
        }
    }
}

/// Exit 0, or 2 on bad input.
pub fn run(args: Args) -> u8 {
    let (world, graph) = match load(&args.snapshot) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    if iamspec_model::request::Action::parse(&args.action).is_none() {
        eprintln!(
            "--action: `{}` is not an action (`service:ActionName`, no wildcards)",
            iamspec_model::quote::shown(&args.action)
        );
        return EXIT_INPUT;
    }
    if args.resource != "*" {
        if let Err(error) = iamspec_model::arn::Arn::parse(&args.resource) {
            eprintln!("--resource: {error}");
            return EXIT_INPUT;
        }
    }
    let records = who_can(
        &world,
        &graph,
        &args.action,
        &args.resource,
        args.common.limits(),
    );
    let title = format!("who can {} on {}", args.action, args.resource);
    print(
        &args.common,
        &records,
        &title,
        &args.snapshot,
        "reach/who-can",
        &format!("can perform {} on {}", args.action, args.resource),
    )
}
