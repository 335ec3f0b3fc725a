//! The small pools that generated policies and requests draw from. They are small on purpose,
//! as in cedar-spec's generators: with two accounts, a dozen actions and a few keys, a generated
//! `Resource` pattern, `Principal` or condition value names what the generated request carries
//! often enough that wildcards, conditions, principals and the `Not*` elements really collide.
//!
//! Each pool holds valid entries; the `*_INVALID` pools hold what the parsers must reject, drawn
//! rarely. `{a}` in an entry stands for each account of [`ACCOUNTS`] in turn.

use std::sync::LazyLock;

/// The accounts: the first two are the principal's and the resource's sides; the third appears
/// only through `{a}` expansions, as an account no generated principal belongs to.
pub const ACCOUNTS: [&str; 3] = ["111122223333", "444455556666", "777788889999"];

/// `{a}` replaced by each of the first two accounts (the third only in `resource_account`).
fn expand(templates: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for template in templates {
        if template.contains("{a}") {
            for account in ACCOUNTS.iter().take(2) {
                out.push(template.replace("{a}", account));
            }
        } else {
            out.push((*template).to_owned());
        }
    }
    out
}

/// A pool built once, on first use.
pub type Pool = LazyLock<Vec<String>>;

/// Request principals: users (with a path), sessions, a service-linked role's session, a role
/// named directly (D41), root users, a federated user, services, identity providers, anonymous.
pub static REQUEST_PRINCIPALS: Pool = LazyLock::new(|| {
    expand(&[
        "arn:aws:iam::{a}:user/alice",
        "arn:aws:iam::{a}:user/dev/bob",
        "arn:aws:sts::{a}:assumed-role/app/s1",
        "arn:aws:sts::{a}:assumed-role/app/s2",
        "arn:aws:sts::{a}:assumed-role/AWSServiceRoleForSupport/s1",
        "arn:aws:iam::{a}:role/app",
        "arn:aws:iam::{a}:root",
        "arn:aws:sts::{a}:federated-user/carol",
        "s3.amazonaws.com",
        "lambda.amazonaws.com",
        "accounts.google.com",
        "arn:aws:iam::{a}:oidc-provider/token.actions.githubusercontent.com",
        "anonymous",
    ])
});

pub static REQUEST_PRINCIPALS_INVALID: Pool = LazyLock::new(|| {
    expand(&[
        "alice",
        "arn:aws:iam::1111:user/alice",
        "arn:aws:sts::{a}:assumed-role/app",
        "arn:aws:s3:::bucket-a",
        "S3.AMAZONAWS.COM",
    ])
});

/// `principal_arn`: the role of a session with its path; the last one is a service-linked role.
pub static PRINCIPAL_ARNS: Pool = LazyLock::new(|| {
    expand(&[
        "arn:aws:iam::{a}:role/app",
        "arn:aws:iam::{a}:role/team/app",
        "arn:aws:iam::{a}:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport",
    ])
});

pub static PRINCIPAL_ARNS_INVALID: Pool =
    LazyLock::new(|| expand(&["arn:aws:iam::{a}:user/alice", "app"]));

/// Request actions: names that collide under `*`, `?` and case, services inside and outside
/// RCP scope (D43), trust actions and KMS (D52), changes that AWS's guard rails refuse on the
/// resources it protects and one they leave alone (D68–D71).
pub static ACTIONS: Pool = LazyLock::new(|| {
    expand(&[
        "s3:GetObject",
        "s3:GetObjectAcl",
        "s3:PutObject",
        "s3:ListBucket",
        "S3:getobject",
        "iam:PassRole",
        "iam:GetRole",
        "kms:Decrypt",
        "kms:RetireGrant",
        "sts:AssumeRole",
        "sts:TagSession",
        "sts:AssumeRoleWithWebIdentity",
        "sts:AssumeRoleWithSAML",
        "sqs:SendMessage",
        "lambda:InvokeFunction",
        "ec2:DescribeInstances",
        "logs:PutLogEvents",
        "KMS:decrypt",
        "execute-api:Invoke",
        "s3:GetObjectVersion",
        "iam:DeleteRole",
        "iam:CreatePolicyVersion",
        "iam:PutRolePolicy",
        "iam:UpdateRoleDescription",
    ])
});

pub static ACTIONS_INVALID: Pool =
    LazyLock::new(|| expand(&["s3GetObject", "s3:Get*", "", "s3:Get Object"]));

/// `Action` / `NotAction` patterns.
pub static ACTION_PATTERNS: Pool = LazyLock::new(|| {
    expand(&[
        "*",
        "s3:*",
        "s3:Get*",
        "s3:GetObject",
        "s3:getobject",
        "S3:GETOBJECT*",
        "s3:Get?bject",
        "s3:*Object",
        "s3:GetObject?cl",
        "s3:*Object*",
        "*:GetObject",
        "s?:*",
        "kms:*",
        "kms:Decrypt",
        "kms:RetireGrant",
        "sts:AssumeRole*",
        "sts:*",
        "sts:TagSession",
        "iam:*Role",
        "iam:PassRole",
        "sqs:*",
        "lambda:Invoke*",
        "ec2:Describe*",
        "logs:*",
        "S3:*",
        "*:*",
        "s3:*Acl",
        "s3:Get*Acl",
        "s3:GetObjec?",
        "kms:De*t",
        "*3:Get*",
        "s3*:*",
        "execute-api:*",
        "execute-api:Invoke",
        "s3:GetObject*",
        "iam:*",
        "iam:*Policy*",
        "iam:Delete*",
    ])
});

/// The action patterns an RCP's customer statements may name: those of services that support
/// RCPs (an RCP may not name `*` or other services, D43).
pub static RCP_ACTION_PATTERNS: Pool = LazyLock::new(|| {
    ACTION_PATTERNS
        .iter()
        .filter(|p| {
            p.split_once(':').is_some_and(|(service, _)| {
                crate::scope::RCP_SERVICES
                    .binary_search(&service.to_ascii_lowercase().as_str())
                    .is_ok()
            })
        })
        .cloned()
        .collect()
});

pub static ACTION_PATTERNS_INVALID: Pool =
    LazyLock::new(|| expand(&["s3", "s3:Get Object", "", "*Object", "s3:Get:Object"]));

/// Request resources: S3 objects and buckets (no account field), IAM roles (with a path), a KMS
/// key, ARNs with colons in the resource part, a literal `*` in an object key, and `*` (D13);
/// an AWS managed policy, a service-linked role and an IAM Identity Center role (D69–D71).
pub static RESOURCES: Pool = LazyLock::new(|| {
    expand(&[
        "*",
        "arn:aws:s3:::bucket-a/key.txt",
        "arn:aws:s3:::bucket-a/dir/key.txt",
        "arn:aws:s3:::bucket-a",
        "arn:aws:s3:::bucket-b/alice/notes.txt",
        "arn:aws:s3:::bucket-b/a*b",
        "arn:aws:iam::{a}:role/app",
        "arn:aws:iam::{a}:role/team/app",
        "arn:aws:iam::{a}:user/alice",
        "arn:aws:kms:us-east-1:{a}:key/1234abcd",
        "arn:aws:logs:us-east-1:{a}:log-group:app:log-stream:s1",
        "arn:aws:sqs:us-east-1:{a}:queue-a",
        "arn:aws:lambda:us-east-1:{a}:function:fn",
        "arn:aws:lambda:us-east-1:{a}:function:fn:1",
        "arn:aws:iam::aws:policy/AdministratorAccess",
        "arn:aws:iam::{a}:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport",
        "arn:aws:iam::{a}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef",
    ])
});

/// IAM changes to policies and roles: those AWS's guard rails refuse on the resources they
/// protect (D68–D71), in another case too, and some they leave alone; each with the resources it
/// acts on, protected and look-alikes, so that a draw of both often meets a guard rail.
fn guarded(rails: &[crate::guard_rail::GuardRail], others: &[&str]) -> Vec<String> {
    let mut actions: Vec<String> = rails
        .iter()
        .flat_map(|rail| rail.actions().iter().map(|a| (*a).to_owned()))
        .collect();
    actions.sort();
    actions.dedup();
    actions.extend(others.iter().map(|a| (*a).to_owned()));
    actions
}

pub static GUARDED_POLICY_ACTIONS: Pool = LazyLock::new(|| {
    use crate::guard_rail::GuardRail::*;
    guarded(
        &[AwsManagedPolicy],
        &["IAM:createpolicyversion", "iam:GetPolicy"],
    )
});

pub static GUARDED_POLICIES: Pool = LazyLock::new(|| {
    expand(&[
        "arn:aws:iam::aws:policy/AdministratorAccess",
        "arn:aws-cn:iam::aws:policy/job-function/ViewOnlyAccess",
        "arn:aws:iam::{a}:policy/AdministratorAccess",
    ])
});

pub static GUARDED_ROLE_ACTIONS: Pool = LazyLock::new(|| {
    use crate::guard_rail::GuardRail::*;
    guarded(
        &[ServiceLinkedRole, IdentityCenterRole],
        &[
            "IAM:deleterole",
            "iam:DeleteServiceLinkedRole",
            "iam:TagRole",
            "iam:GetRole",
        ],
    )
});

pub static GUARDED_ROLES: Pool = LazyLock::new(|| {
    expand(&[
        "arn:aws:iam::{a}:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport",
        "arn:aws:iam::{a}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef",
        "arn:aws:iam::{a}:role/team/aws-service-role/app",
    ])
});

pub static RESOURCES_INVALID: Pool =
    LazyLock::new(|| expand(&["bucket-a", "arn:aws:s3", "arn::s3:::bucket-a"]));

/// `Resource` / `NotResource` patterns: wildcards at the end of a field and inside one (D11),
/// short patterns (D12), case, variables in the sixth field and (not substituted) elsewhere.
pub static RESOURCE_PATTERNS: Pool = LazyLock::new(|| {
    expand(&[
        "*",
        "arn:aws:s3:::bucket-a/*",
        "arn:aws:s3:::bucket-a",
        "arn:aws:s3:::bucket-a*",
        "arn:aws:s3:::*/key.txt",
        "arn:aws:s3:::bucket-?/*",
        "arn:aws:s3:::*",
        "arn:aws:s3:::BUCKET-A/*",
        "arn:aws:s3:*",
        "arn:aws:s3",
        "arn:aws:s3:::",
        "arn:*:s3:::bucket-a/*",
        "arn:aws:s3:::bucket-b/${aws:username}/*",
        "arn:aws:s3:::bucket-b/${aws:username, 'alice'}/*",
        "arn:aws:s3:::bucket-b/a${*}b",
        "arn:aws:s3:::bucket-b/${aws:PrincipalTag/team, 'alice'}/*",
        "arn:aws:s3:::bucket-?/${aws:username}*",
        "arn:aws:iam::{a}:role/*",
        "arn:aws:iam::*:role/app",
        "arn:aws:iam::{a}:role/team/*",
        "arn:aws:iam::{a}:*",
        "arn:aws:iam::${aws:PrincipalAccount}:role/*",
        "arn:aws:kms:*:{a}:key/*",
        "arn:aws:kms:us-east-1:*:*",
        "arn:aws:logs:*:*:log-group:app:*",
        "arn:aws:logs:us-east-1:{a}:log-group:app*",
        "arn:aws:logs:*:{a}:*",
        "arn:aws:*:*:{a}:*",
        "arn:aws:*:us-*:*:*",
        "arn:aws:sqs:*:*:queue-?",
        "arn:aws:sqs:us-east-1:{a}",
        "arn:aws:lambda:*:*:function:fn",
        "arn:aws:lambda:*:*:function:fn:*",
        "arn:aws:lambda:*:*:function:*",
        "arn:aws:iam::*:policy/*",
        "arn:aws:iam::aws:policy/*",
        "arn:aws:iam::{a}:role/aws-*",
    ])
});

pub static RESOURCE_PATTERNS_INVALID: Pool =
    LazyLock::new(|| expand(&["bucket-a/*", "s3:::bucket-a", ""]));

/// `AWS` principal values: accounts in both spellings, the request principals exactly and in
/// another case, roles with and without a path, sessions, and `*`.
pub static AWS_PRINCIPALS: Pool = LazyLock::new(|| {
    expand(&[
        "*",
        "{a}",
        "arn:aws:iam::{a}:root",
        "arn:aws:iam::{a}:user/alice",
        "arn:aws:iam::{a}:user/Alice",
        "arn:aws:iam::{a}:user/dev/bob",
        "arn:aws:iam::{a}:role/app",
        "arn:aws:iam::{a}:role/team/app",
        "arn:aws:sts::{a}:assumed-role/app/s1",
        "arn:aws:sts::{a}:federated-user/carol",
        "AIDACKCEVSQ6C2EXAMPLE",
    ])
});

pub static AWS_PRINCIPALS_INVALID: Pool =
    LazyLock::new(|| expand(&["arn:aws:iam::{a}:user/*", "alice", "arn:aws:s3:::bucket-a"]));

pub const SERVICE_PRINCIPALS: [&str; 4] = [
    "s3.amazonaws.com",
    "lambda.amazonaws.com",
    "S3.amazonaws.com",
    "*",
];

pub static FEDERATED_PRINCIPALS: Pool = LazyLock::new(|| {
    expand(&[
        "accounts.google.com",
        "arn:aws:iam::{a}:oidc-provider/token.actions.githubusercontent.com",
        "cognito-identity.amazonaws.com",
    ])
});

pub const CANONICAL_USERS: [&str; 1] =
    ["79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"];

/// Condition keys: global keys the request derives (D40), keys only a context can give, tag
/// keys with a `/`, multivalued keys, a service key, and one in another case.
pub const CONDITION_KEYS: [&str; 22] = [
    "aws:username",
    "AWS:UserName",
    "aws:PrincipalArn",
    "aws:PrincipalAccount",
    "aws:PrincipalType",
    "aws:userid",
    "aws:ResourceAccount",
    "aws:PrincipalServiceName",
    "aws:PrincipalIsAWSService",
    "aws:RequestTag/team",
    "aws:PrincipalTag/team",
    "s3:prefix",
    "aws:SourceVpce",
    "aws:MultiFactorAuthAge",
    "s3:max-keys",
    "aws:CurrentTime",
    "aws:EpochTime",
    "aws:MultiFactorAuthPresent",
    "aws:SecureTransport",
    "aws:SourceIp",
    "aws:TagKeys",
    "aws:SourceArn",
];

/// Condition operator names that are not operators (D2) or that decorate `Null`.
pub const OPERATORS_INVALID: [&str; 5] = [
    "StringEqual",
    "stringequals",
    "NullIfExists",
    "ForAnyValue:Null",
    "ForSomeValues:StringEquals",
];

/// Values by the type an operator compares. Every pool is shared by policies and requests, so
/// policy values and context values meet.
pub static STRING_VALUES: Pool = LazyLock::new(|| {
    expand(&[
        "alice",
        "Alice",
        "bob",
        "al*",
        "a?ice",
        "*",
        "",
        "team",
        "dev",
        "User",
        "AssumedRole",
        "{a}",
        "${aws:username}",
        "${aws:PrincipalAccount}",
        "${aws:username, 'bob'}",
        "x${*}y",
        "home/",
        "home/${aws:username}/*",
        "vpce-1a2b3c4d",
        "s3.amazonaws.com",
    ])
});

pub static NUMERIC_VALUES: Pool =
    LazyLock::new(|| expand(&["10", "0", "3600", "-1", "1.5", "007", "7", "10.0", "7200"]));
pub static NUMERIC_VALUES_INVALID: Pool = LazyLock::new(|| expand(&["1e3", "abc"]));

pub static DATE_VALUES: Pool = LazyLock::new(|| {
    expand(&[
        "2024-01-01",
        "2024-01-01T12:00:00Z",
        "2024-06-01T00:00:00+02:00",
        "1704067200",
        "2030-01-01T00:00:00Z",
        "2024-03-01T00:00:00.500Z",
    ])
});
pub static DATE_VALUES_INVALID: Pool = LazyLock::new(|| expand(&["yesterday"]));

pub static BOOL_VALUES: Pool =
    LazyLock::new(|| expand(&["true", "false", "TRUE", "yes", "${aws:SecureTransport}"]));

/// `Null` takes `true` or `false` in any case (D31).
pub static NULL_VALUES: Pool = LazyLock::new(|| expand(&["true", "false", "FALSE"]));
pub static NULL_VALUES_INVALID: Pool = LazyLock::new(|| expand(&["yes"]));

pub static IP_VALUES: Pool = LazyLock::new(|| {
    expand(&[
        "203.0.113.7",
        "203.0.113.0/24",
        "203.0.113.7/32",
        "10.0.0.0/8",
        "10.1.2.3",
        "2001:db8::/32",
        "2001:db8::1",
        "::ffff:203.0.113.7",
    ])
});
pub static IP_VALUES_INVALID: Pool = LazyLock::new(|| expand(&["203.0.113.300", "not-an-ip"]));

pub static BINARY_VALUES: Pool = LazyLock::new(|| expand(&["QUJD", "YWJj"]));
pub static BINARY_VALUES_INVALID: Pool = LazyLock::new(|| expand(&["!!!"]));

pub static ARN_VALUES: Pool = LazyLock::new(|| {
    expand(&[
        "arn:aws:iam::{a}:user/alice",
        "arn:aws:iam::{a}:role/*",
        "arn:aws:iam::{a}:role/app",
        "arn:aws:sts::{a}:assumed-role/app/*",
        "arn:aws:s3:::bucket-a",
        "arn:aws:iam::*:root",
        "arn:aws:*:*:{a}:*",
        "arn:aws:iam::{a}",
        "arn:aws:s3:::bucket-a/${aws:username}",
        "arn:aws:iam::${aws:PrincipalAccount}:user/*",
    ])
});

/// JSON numbers (read as their text, D3) that also appear as strings above.
pub const JSON_NUMBERS: [&str; 4] = ["10", "3600", "1.5", "-1"];

/// What kind of value a pool holds: decides which values a condition operator or a context key
/// is given, most of the time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValueKind {
    String,
    Numeric,
    Date,
    Bool,
    Ip,
    Binary,
    Arn,
    Null,
}

impl ValueKind {
    pub const ALL: [ValueKind; 8] = [
        ValueKind::String,
        ValueKind::Numeric,
        ValueKind::Date,
        ValueKind::Bool,
        ValueKind::Ip,
        ValueKind::Binary,
        ValueKind::Arn,
        ValueKind::Null,
    ];

    /// The values of this kind that parse.
    pub fn valid(self) -> &'static [String] {
        match self {
            ValueKind::String => &STRING_VALUES,
            ValueKind::Numeric => &NUMERIC_VALUES,
            ValueKind::Date => &DATE_VALUES,
            ValueKind::Bool => &BOOL_VALUES,
            ValueKind::Ip => &IP_VALUES,
            ValueKind::Binary => &BINARY_VALUES,
            ValueKind::Arn => &ARN_VALUES,
            ValueKind::Null => &NULL_VALUES,
        }
    }

    /// Values that a policy may not give an operator of this kind (empty where every text is
    /// accepted).
    pub fn invalid(self) -> &'static [String] {
        match self {
            ValueKind::Numeric => &NUMERIC_VALUES_INVALID,
            ValueKind::Date => &DATE_VALUES_INVALID,
            ValueKind::Ip => &IP_VALUES_INVALID,
            ValueKind::Binary => &BINARY_VALUES_INVALID,
            ValueKind::Null => &NULL_VALUES_INVALID,
            ValueKind::String | ValueKind::Bool | ValueKind::Arn => &[],
        }
    }

    /// Does a policy accept any text as a value of this kind (so values of other kinds, JSON
    /// numbers and booleans are all valid)?
    pub fn accepts_any_text(self) -> bool {
        matches!(self, ValueKind::String | ValueKind::Bool | ValueKind::Arn)
    }

    /// The kind of values a condition operator compares; strings for what does not parse.
    pub fn of_operator(text: &str) -> ValueKind {
        use crate::condition::{ConditionOperator, ValueType};
        match ConditionOperator::parse(text).map(|op| op.comparison.value_type()) {
            Ok(ValueType::Numeric) => ValueKind::Numeric,
            Ok(ValueType::Date) => ValueKind::Date,
            Ok(ValueType::Bool) => ValueKind::Bool,
            Ok(ValueType::Null) => ValueKind::Null,
            Ok(ValueType::Ip) => ValueKind::Ip,
            Ok(ValueType::Binary) => ValueKind::Binary,
            Ok(ValueType::Arn) => ValueKind::Arn,
            Ok(ValueType::String) | Err(_) => ValueKind::String,
        }
    }

    /// The kind of values a request carries under a context key of [`CONDITION_KEYS`].
    pub fn of_key(key: &str) -> ValueKind {
        match key.to_ascii_lowercase().as_str() {
            "aws:multifactorauthage" | "s3:max-keys" => ValueKind::Numeric,
            "aws:currenttime" | "aws:epochtime" => ValueKind::Date,
            "aws:multifactorauthpresent" | "aws:securetransport" | "aws:principalisawsservice" => {
                ValueKind::Bool
            }
            "aws:sourceip" => ValueKind::Ip,
            "aws:sourcearn" | "aws:principalarn" => ValueKind::Arn,
            _ => ValueKind::String,
        }
    }

    /// The keys of [`CONDITION_KEYS`] that carry values of this kind (strings for `Null`,
    /// `Binary`, which no key carries).
    pub fn keys(self) -> &'static [String] {
        static KEYS: LazyLock<Vec<(ValueKind, Vec<String>)>> = LazyLock::new(|| {
            ValueKind::ALL
                .iter()
                .map(|kind| {
                    let keys = CONDITION_KEYS
                        .iter()
                        .filter(|k| ValueKind::of_key(k) == *kind)
                        .map(|k| (*k).to_owned())
                        .collect();
                    (*kind, keys)
                })
                .collect()
        });
        let keys = KEYS
            .iter()
            .find(|(kind, keys)| *kind == self && !keys.is_empty())
            .or_else(|| KEYS.iter().find(|(kind, _)| *kind == ValueKind::String));
        keys.map_or(&[], |(_, keys)| keys.as_slice())
    }

    /// The documented operator base names that compare values of this kind (`StringLike`...).
    pub fn operators(self) -> &'static [&'static str] {
        static OPERATORS: LazyLock<Vec<(ValueKind, Vec<&'static str>)>> = LazyLock::new(|| {
            ValueKind::ALL
                .iter()
                .map(|kind| {
                    let names = crate::condition::ConditionOperator::all_base_names()
                        .filter(|name| ValueKind::of_operator(name) == *kind)
                        .collect();
                    (*kind, names)
                })
                .collect()
        });
        OPERATORS
            .iter()
            .find(|(kind, _)| *kind == self)
            .map_or(&[], |(_, names)| names.as_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_operators_and_keys() {
        for kind in ValueKind::ALL {
            assert!(!kind.operators().is_empty(), "{kind:?}");
            assert!(!kind.keys().is_empty(), "{kind:?}");
            assert!(!kind.valid().is_empty(), "{kind:?}");
        }
        assert_eq!(ValueKind::Null.operators(), ["Null"]);
        assert_eq!(
            ValueKind::of_operator("ForAnyValue:ArnNotLikeIfExists"),
            ValueKind::Arn
        );
    }

    #[test]
    fn rcp_actions_name_rcp_services_only() {
        assert!(RCP_ACTION_PATTERNS.contains(&"s3:Get*".to_owned()));
        assert!(RCP_ACTION_PATTERNS.contains(&"S3:GETOBJECT*".to_owned()));
        assert!(!RCP_ACTION_PATTERNS
            .iter()
            .any(|p| p == "*" || p.starts_with("s?")));
        assert!(!RCP_ACTION_PATTERNS.iter().any(|p| p.starts_with("iam:")));
    }

    #[test]
    fn pools_expand_accounts() {
        assert!(REQUEST_PRINCIPALS.contains(&"arn:aws:iam::444455556666:root".to_owned()));
        assert!(!REQUEST_PRINCIPALS.iter().any(|p| p.contains("{a}")));
    }
}
