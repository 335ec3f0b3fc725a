//! The AWS managed-policy corpus, `aws-managed-policies.json` in the shared data folder
//! (`../shared/data/` beside the repository, or `$IAMSPEC_SHARED/data/`).
//!
//! The corpus is not embedded: tests, benchmarks and corpus runs read it when it is there and
//! skip when [`ManagedPolicy::load_shared`] says it is absent.

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The corpus file's name inside the shared data folder.
pub const MANAGED_POLICIES_FILE: &str = "aws-managed-policies.json";

/// One AWS managed policy, its default version.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ManagedPolicy {
    /// `AdministratorAccess`
    pub name: String,
    /// `arn:aws:iam::aws:policy/AdministratorAccess` (some have a path: `…:policy/service-role/…`);
    /// absent for a few policies in the published data (the deprecated ones, mostly).
    pub arn: Option<String>,
    /// The default version's id, `v1`, `v2`, …
    pub version: String,
    /// When the default version was published, as AWS gives it (`2026-08-12T23:07:09+00:00`);
    /// absent for deprecated policies.
    #[serde(rename = "updatedate", default)]
    pub update_date: Option<String>,
    /// Whether AWS has deprecated the policy.
    #[serde(default)]
    pub deprecated: bool,
    /// The policy document exactly as AWS publishes it, not yet parsed as a policy.
    pub document: serde_json::Value,
}

/// Why the managed-policy corpus could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ManagedError {
    /// The file exists but cannot be read.
    #[error("cannot read `{}`: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The text is not a JSON list of managed policies.
    #[error("`{}` is not a list of managed policies: {source}", path.display())]
    Json {
        /// The file, or `<text>` for [`ManagedPolicy::from_json`].
        path: PathBuf,
        /// The underlying error.
        source: serde_json::Error,
    },
}

impl ManagedPolicy {
    /// Reads a JSON list of `{name, arn, version, updatedate, deprecated, document}`.
    pub fn from_json(text: &str) -> Result<Vec<ManagedPolicy>, ManagedError> {
        serde_json::from_str(text).map_err(|source| ManagedError::Json {
            path: PathBuf::from("<text>"),
            source,
        })
    }

    /// Reads the corpus from `path`.
    pub fn load(path: &Path) -> Result<Vec<ManagedPolicy>, ManagedError> {
        let text = std::fs::read_to_string(path).map_err(|source| ManagedError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|source| ManagedError::Json {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Reads the corpus from the shared data folder ([`shared_data_dir`]); `None` when the file
    /// is not there, an error when it is there but unreadable.
    pub fn load_shared() -> Result<Option<Vec<ManagedPolicy>>, ManagedError> {
        let path = shared_data_dir().join(MANAGED_POLICIES_FILE);
        if path.is_file() {
            ManagedPolicy::load(&path).map(Some)
        } else {
            Ok(None)
        }
    }
}

/// Where the shared data is looked for: `$IAMSPEC_SHARED/data` when that variable is set, else
/// `../shared/data` beside the repository this crate was built from. The folder may not exist.
pub fn shared_data_dir() -> PathBuf {
    let shared = std::env::var_os("IAMSPEC_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            // The crate lives in `<repo>/corpus`; the shared folder is `<repo>/../shared`.
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join("..")
                .join("shared")
        });
    shared.join("data")
}
