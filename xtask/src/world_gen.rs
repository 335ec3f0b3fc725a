//! `cargo xtask world-gen`: write a seeded synthetic GAAD file (one account) for the world
//! benchmarks (BENCHMARKS.md) and for measuring other tools on the same input. The default size
//! is issue #11's target: 2,000 users, 5,000 roles, 3,000 customer managed policies.

use iamspec_world::synth::{gaad, Size};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Where to write the GAAD JSON.
    #[arg(long, default_value = "target/world/gaad-7000.json")]
    out: PathBuf,
    #[arg(long, default_value_t = 11)]
    seed: u64,
    #[arg(long, default_value_t = Size::LARGE.users)]
    users: usize,
    #[arg(long, default_value_t = Size::LARGE.roles)]
    roles: usize,
    #[arg(long, default_value_t = Size::LARGE.groups)]
    groups: usize,
    #[arg(long, default_value_t = Size::LARGE.policies)]
    policies: usize,
    /// The account id of the ARNs.
    #[arg(long, default_value = "123456789012")]
    account: String,
}

pub fn run(args: &Args) -> Result<(), String> {
    let size = Size {
        users: args.users,
        roles: args.roles,
        groups: args.groups,
        policies: args.policies,
    };
    let json = gaad(&args.account, size, args.seed);
    let text = serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?;
    if let Some(dir) = args.out.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(&args.out, &text).map_err(|e| format!("{}: {e}", args.out.display()))?;
    println!(
        "{}: {} users, {} roles, {} groups, {} customer policies, {:.1} MB (seed {})",
        args.out.display(),
        size.users,
        size.roles,
        size.groups,
        size.policies,
        text.len() as f64 / 1e6,
        args.seed
    );
    Ok(())
}
