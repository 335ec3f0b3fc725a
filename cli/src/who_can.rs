//! `iamspec who-can SNAPSHOT --action A --resource R [--max-hops N] [--paths K]`: every principal
//! of a world that can perform an action on a resource, directly or through a path
//! (iamspec-reach does the work).

use crate::output::ColorChoice;
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
    /// Also write every request that decided a hop as a conformance suite to FILE (replay with
    /// `iamspec eval FILE`).
    #[arg(long, value_name = "FILE")]
    pub cases_out: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub output: GraphOutputArgs,
}

/// What the reach commands print: `--format text|json|sarif|dot|mermaid`. The conventions of
/// `output::OutputArgs` (`--json` as the alias of `--format json`, `--color`, `-q`), with the
/// formats a graph answer has besides text and JSON.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct GraphOutputArgs {
    /// Output format.
    #[arg(long, value_enum, value_name = "FORMAT")]
    format: Option<GraphFormat>,
    /// The same as `--format json`.
    #[arg(long, conflicts_with = "format")]
    json: bool,
    /// When to colour the output (`NO_COLOR` in the environment means `never` for `auto`).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    color: ColorChoice,
    /// Print only the principals and the summary line, without their paths.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    #[default]
    Text,
    /// One record per principal (reach/README.md).
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// Graphviz DOT.
    Dot,
    /// A Mermaid flowchart.
    Mermaid,
}

impl GraphOutputArgs {
    pub(crate) fn format(&self) -> GraphFormat {
        if self.json {
            GraphFormat::Json
        } else {
            self.format.unwrap_or_default()
        }
    }

    pub(crate) fn style(&self) -> render::TextStyle {
        use std::io::IsTerminal;
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => !no_color && std::io::stdout().is_terminal(),
        };
        render::TextStyle {
            color,
            brief: self.quiet,
        }
    }
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
    crate::equiv::warn(&iamspec_reach::warnings::unusable(&graph));
    Ok((world, graph))
}

/// Writes the hops of `records` as a conformance suite where `--cases-out` asks; exit 2 when it
/// cannot be written.
pub fn write_cases(
    common: &Common,
    world: &iamspec_world::World,
    graph: &Graph,
    records: &[iamspec_reach::Record],
    name: &str,
    target: Option<(&str, &str)>,
) -> Result<(), u8> {
    let Some(file) = &common.cases_out else {
        return Ok(());
    };
    let suite = iamspec_reach::cases::suite(world, graph, records, name, target);
    let text = serde_json::to_string_pretty(&suite).unwrap_or_default() + "\n";
    std::fs::write(file, text).map_err(|e| {
        eprintln!("--cases-out: cannot write `{}`: {e}", file.display());
        EXIT_INPUT
    })
}

/// A record of the JSON output, with the snapshot it is about.
#[derive(serde::Serialize)]
struct Named<'a> {
    #[serde(flatten)]
    record: &'a iamspec_reach::Record,
    file: &'a str,
}

/// Prints `records` (a closed pipe ends the command quietly); exit 0.
pub fn print(
    common: &Common,
    records: &[iamspec_reach::Record],
    title: &str,
    snapshot: &std::path::Path,
    rule: &str,
    description: &str,
) -> u8 {
    let name = snapshot.display().to_string();
    let out = match common.output.format() {
        GraphFormat::Text => render::text_styled(title, records, common.output.style()),
        GraphFormat::Json => {
            // Every command's JSON names its file in each record (issue 14).
            let named: Vec<Named> = records
                .iter()
                .map(|record| Named {
                    record,
                    file: &name,
                })
                .collect();
            serde_json::to_string_pretty(&named).unwrap_or_else(|_| "[]".into()) + "\n"
        }
        GraphFormat::Sarif => {
            serde_json::to_string_pretty(&render::sarif(records, &name, rule, description))
                .unwrap_or_default()
                + "\n"
        }
        GraphFormat::Dot => render::dot(records),
        GraphFormat::Mermaid => render::mermaid(records),
    };
    crate::out!("{}", out.trim_end_matches('\n'));
    0
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
    crate::equiv::warn(&iamspec_reach::warnings::question(
        &world,
        &args.action,
        &args.resource,
    ));
    let records = who_can(
        &world,
        &graph,
        &args.action,
        &args.resource,
        args.common.limits(),
    );
    if let Err(code) = write_cases(
        &args.common,
        &world,
        &graph,
        &records,
        "who-can",
        Some((&args.action, &args.resource)),
    ) {
        return code;
    }
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
