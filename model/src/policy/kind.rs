use std::fmt;
use std::str::FromStr;

/// The kinds of policy AWS evaluates (SEMANTICS.md §1.5), each with its own validation rules and
/// its own place in the decision procedure (§4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PolicyKind {
    /// Service control policy.
    Scp,
    /// Resource control policy.
    Rcp,
    VpcEndpoint,
    PermissionBoundary,
    Session,
    Identity,
    /// A resource-based policy (bucket, queue, key policy...).
    Resource,
    /// A role trust policy: the resource-based policy of a role, for `sts:AssumeRole*`.
    Trust,
}

impl PolicyKind {
    pub const ALL: [PolicyKind; 8] = [
        PolicyKind::Identity,
        PolicyKind::Resource,
        PolicyKind::Trust,
        PolicyKind::PermissionBoundary,
        PolicyKind::Session,
        PolicyKind::Scp,
        PolicyKind::Rcp,
        PolicyKind::VpcEndpoint,
    ];

    /// The name used on the command line and in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyKind::Identity => "identity",
            PolicyKind::Resource => "resource",
            PolicyKind::Trust => "trust",
            PolicyKind::PermissionBoundary => "permission_boundary",
            PolicyKind::Session => "session",
            PolicyKind::Scp => "scp",
            PolicyKind::Rcp => "rcp",
            PolicyKind::VpcEndpoint => "vpc_endpoint",
        }
    }

    /// The field of a conformance case's `policies` that holds this kind (a trust policy is
    /// given as the role's `resource` policy).
    pub fn slot(self) -> &'static str {
        match self {
            PolicyKind::Trust => "resource",
            other => other.as_str(),
        }
    }

    /// AWS's wording in denial messages (SEMANTICS.md §5).
    pub fn aws_name(self) -> &'static str {
        match self {
            PolicyKind::Identity => "identity-based policy",
            PolicyKind::Resource => "resource-based policy",
            PolicyKind::Trust => "role trust policy",
            PolicyKind::PermissionBoundary => "permissions boundary",
            PolicyKind::Session => "session policy",
            PolicyKind::Scp => "service control policy",
            PolicyKind::Rcp => "resource control policy",
            PolicyKind::VpcEndpoint => "VPC endpoint policy",
        }
    }

    /// Kinds whose statements name a principal.
    pub fn has_principal(self) -> bool {
        matches!(
            self,
            PolicyKind::Resource | PolicyKind::Trust | PolicyKind::Rcp | PolicyKind::VpcEndpoint
        )
    }
}

impl fmt::Display for PolicyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PolicyKind {
    type Err = String;
    fn from_str(s: &str) -> Result<PolicyKind, String> {
        let normalized = s.to_ascii_lowercase().replace('-', "_");
        let kind = match normalized.as_str() {
            "identity" => PolicyKind::Identity,
            "resource" => PolicyKind::Resource,
            "trust" => PolicyKind::Trust,
            "permission_boundary" | "boundary" | "permissions_boundary" => {
                PolicyKind::PermissionBoundary
            }
            "session" => PolicyKind::Session,
            "scp" => PolicyKind::Scp,
            "rcp" => PolicyKind::Rcp,
            "vpc_endpoint" | "vpce" => PolicyKind::VpcEndpoint,
            _ => {
                return Err(format!(
                    "unknown policy kind {s} (expected one of identity, resource, trust, boundary, session, scp, rcp, vpc_endpoint)", s = crate::quote::quoted(s)
                ))
            }
        };
        Ok(kind)
    }
}
