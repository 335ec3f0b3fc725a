//! `cargo xtask fuzz --seconds N`: the fuzz target of `fuzz/` (bytes → `arbitrary` case → parse →
//! both evaluators → same answer, no panic) as a plain loop over random byte strings, for
//! machines without a nightly toolchain and `cargo fuzz`. No coverage guidance: every byte
//! string decodes to a well-formed generated case, so random bytes already explore the pools.

use iamspec_model::testing::differential::Mismatch;
use iamspec_model::testing::{suite, FuzzInput};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct FuzzArgs {
    /// How long to run.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// The seed of the byte generator (default: from the clock).
    #[arg(long)]
    seed: Option<u64>,
    /// The longest input, in bytes.
    #[arg(long, default_value_t = 4096)]
    max_len: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum FuzzError {
    #[error("cannot write `{path}`: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{count} inputs failed; they are in {dir}")]
    Failed { count: u64, dir: String },
}

/// xorshift64*: fast, and enough for bytes that `arbitrary` turns into choices.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn fill(&mut self, out: &mut Vec<u8>, len: usize) {
        out.clear();
        while out.len() < len {
            out.extend_from_slice(&self.next().to_le_bytes());
        }
        out.truncate(len);
    }
}

pub fn run(args: &FuzzArgs) -> Result<(), FuzzError> {
    let seed = args.seed.unwrap_or_else(crate::prop::clock_seed);
    println!(
        "fuzz: differential target for {} s, seed {seed}, inputs up to {} bytes",
        args.seconds, args.max_len
    );
    let dir = crate::prop::target_dir().join("fuzz-failures");
    let mut rng = Rng(seed | 1);
    let mut bytes = Vec::with_capacity(args.max_len);
    let started = Instant::now();
    let deadline = Duration::from_secs(args.seconds);
    let mut last_print = Instant::now();
    let (mut executions, mut failures, mut rejected) = (0u64, 0u64, 0u64);
    while started.elapsed() < deadline {
        // Mostly short inputs, as a fuzzer's corpus starts; now and then long ones.
        let len = match rng.next() % 4 {
            0 => (rng.next() % (args.max_len as u64 + 1)) as usize,
            _ => (rng.next() % 512) as usize,
        };
        rng.fill(&mut bytes, len);
        let input = FuzzInput::from_bytes(&bytes);
        let outcome = catch_unwind(AssertUnwindSafe(|| input.check())).unwrap_or_else(|_| {
            Err(Mismatch {
                what: "panic".to_owned(),
                reference: String::new(),
                candidate: String::new(),
            })
        });
        executions += 1;
        match outcome {
            Ok(iamspec_model::testing::Outcome::Rejected(_)) => rejected += 1,
            Ok(_) => {}
            Err(mismatch) => {
                failures += 1;
                println!("fuzz: input {executions} failed: {mismatch}");
                if failures <= 20 {
                    write_failure(&dir, executions, &bytes, &input, &mismatch)?;
                }
            }
        }
        if last_print.elapsed() >= Duration::from_secs(30) {
            last_print = Instant::now();
            println!(
                "fuzz: {executions} executions, {:.0}/s, {failures} failed",
                executions as f64 / started.elapsed().as_secs_f64()
            );
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "fuzz: {executions} executions in {seconds:.0} s ({:.0}/s), {rejected} rejected inputs, {failures} failed",
        executions as f64 / seconds
    );
    if failures > 0 {
        return Err(FuzzError::Failed {
            count: failures,
            dir: dir.display().to_string(),
        });
    }
    Ok(())
}

/// The raw bytes (for `cargo fuzz run differential FILE`) and the case as a conformance suite.
fn write_failure(
    dir: &std::path::Path,
    n: u64,
    bytes: &[u8],
    input: &FuzzInput,
    mismatch: &Mismatch,
) -> Result<(), FuzzError> {
    let io = |path: PathBuf| move |source| FuzzError::Write { path, source };
    std::fs::create_dir_all(dir).map_err(io(dir.to_owned()))?;
    let raw = dir.join(format!("crash-{n}"));
    std::fs::write(&raw, bytes).map_err(io(raw.clone()))?;
    let outcome = suite::reference_outcome(&input.case);
    let case = suite::case(
        &format!("fuzz/{n}"),
        &format!(
            "{}{}. The evaluators disagree ({mismatch}).",
            input.case.describe(),
            input
                .raw_policy
                .as_ref()
                .map(|raw| format!(", the identity policies replaced by the text {raw:?}"))
                .unwrap_or_default()
        ),
        "found by cargo xtask fuzz; expected decision from the iamspec reference evaluator",
        &input.case,
        &outcome,
    );
    let path = dir.join(format!("crash-{n}.json"));
    let text = suite::to_pretty(&suite::suite(
        "fuzz-failures",
        "An input of the fuzz target on which the evaluators disagree",
        vec![case],
    ));
    std::fs::write(&path, text).map_err(io(path.clone()))?;
    Ok(())
}
