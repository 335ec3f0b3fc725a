//! `cargo xtask pmapper DIR... [--timeout S]`: PMapper (principalmapper, AGPL-3.0: installed,
//! never copied) on the synthetic accounts of `cargo xtask reach-gen`, offline, beside the planted
//! truth.
//!
//! PMapper's CLI (`pmapper graph create`) reads an account through boto3 with credentials. It is
//! run here without AWS: `src/pmapper.py` loads the account's `gaad.json` into moto's in-process
//! IAM (moto patches botocore) and calls PMapper's own `gathering.create_graph`, whose IAM calls
//! (access keys, login profiles, MFA devices...) moto answers from the loaded copy;
//! `get-account-authorization-details` answers with the file itself (moto's answer lacks
//! fields PMapper reads); every other service PMapper asks is moto's, empty. Then PMapper's
//! `privesc` preset decides each principal; a principal PMapper calls an admin because it can
//! grant itself anything counts as escalating unless it holds AdministratorAccess already.
//!
//! Both are pip-installed into a virtual environment outside the repository
//! (`$IAMSPEC_PMAPPER_DIR`, or `~/.cache/iamspec-pmapper`). PMapper 1.1.5 does not import on
//! Python 3.10 or later (`from collections import Mapping`); the installed copy's one import line
//! is rewritten to `collections.abc` (outside the repository, printed when done).

use crate::peer_env::{self, run_ok};
use std::path::{Path, PathBuf};
use std::process::Command;

const PMAPPER: &str = "principalmapper==1.1.5";
const MOTO: &str = "moto[server]==5.2.6";
const ACCOUNT: &str = "100000000001";

#[derive(clap::Args)]
pub struct Args {
    /// reach-gen output directories (each with `gaad.json` and `truth.json`).
    #[arg(required = true)]
    dirs: Vec<PathBuf>,
    /// Seconds PMapper may take per account before it is stopped.
    #[arg(long, default_value_t = 1800)]
    timeout: u64,
}

fn venv() -> PathBuf {
    peer_env::venv("IAMSPEC_PMAPPER_DIR", "iamspec-pmapper")
}

/// The environment's python, PMapper and moto installed first when missing.
fn install() -> Result<PathBuf, String> {
    let dir = venv();
    let python = dir.join("bin").join("python");
    let probe = |python: &Path| {
        Command::new(python)
            .args(["-c", "import principalmapper.__main__, moto"])
            .status()
            .is_ok_and(|s| s.success())
    };
    if python.exists() && probe(&python) {
        return Ok(python);
    }
    eprintln!(
        "installing {PMAPPER} and {MOTO} into {} (outside the repository)",
        dir.display()
    );
    if !python.exists() {
        run_ok(Command::new("python3").arg("-m").arg("venv").arg(&dir))?;
    }
    run_ok(Command::new(&python).args(["-m", "pip", "install", "--quiet", PMAPPER, MOTO]))?;
    // Python 3.10 removed the aliases of `collections.abc` in `collections`.
    let out = Command::new(&python)
        .args([
            "-c",
            "import principalmapper, os; print(os.path.dirname(principalmapper.__file__))",
        ])
        .output()
        .map_err(|e| e.to_string())?;
    let root = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    let file = root.join("util").join("case_insensitive_dict.py");
    let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    let fixed = text.replace(
        "from collections import Mapping, MutableMapping, OrderedDict",
        "from collections import OrderedDict\nfrom collections.abc import Mapping, MutableMapping",
    );
    if fixed != text {
        std::fs::write(&file, fixed).map_err(|e| format!("{}: {e}", file.display()))?;
        eprintln!("patched {} (collections.abc)", file.display());
    }
    if probe(&python) {
        Ok(python)
    } else {
        Err("principalmapper does not import after installation".into())
    }
}

pub fn run(args: &Args) -> Result<(), String> {
    let python = install()?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join("pmapper.py");
    println!("| account | principals | PMapper graph | privesc | planted found | false positives | missed |");
    println!("|---|---|---|---|---|---|---|");
    for dir in &args.dirs {
        let out = Command::new("timeout")
            .arg(args.timeout.to_string())
            .arg(&python)
            .arg(&script)
            .arg(dir.join("gaad.json"))
            .arg(ACCOUNT)
            .arg(dir.join("truth.json"))
            .output()
            .map_err(|e| format!("{}: {e}", python.display()))?;
        if out.status.code() == Some(124) {
            println!(
                "| {} | | did not finish in {} s | | | | |",
                dir.display(),
                args.timeout
            );
            continue;
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let Some(line) = text.lines().last() else {
            return Err(format!(
                "{}: PMapper printed nothing: {}",
                dir.display(),
                String::from_utf8_lossy(&out.stderr)
            ));
        };
        let v: serde_json::Value =
            serde_json::from_str(line).map_err(|e| format!("{}: {e}: {line}", dir.display()))?;
        let get = |k: &str| v.get(k).map(|x| x.to_string()).unwrap_or_default();
        println!(
            "| {} | {} | {} s | {} s | {} of {} | {} | {} |",
            dir.display(),
            get("principals"),
            get("graph_s"),
            get("privesc_s"),
            get("found"),
            get("truth"),
            get("false_positives"),
            get("missed")
        );
        eprintln!("{line}");
    }
    Ok(())
}
