//! Who is calling (the request's principal), and how strongly a `Principal` element names them
//! (SEMANTICS.md §2.3). The strength matters: in the same account a resource-policy grant to a
//! user ARN is not limited by a permissions boundary, a grant to the account is (§4.4).

use crate::arn::{arn_fields, Arn};
use crate::policy::{PrincipalType, Principals};

/// The authenticated (or anonymous) caller of a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Caller {
    /// The account's root user.
    Root { account: String },
    /// An IAM user (long-term credentials).
    User {
        arn: String,
        account: String,
        name: String,
    },
    /// A session of a role. `role_arn` includes the role's path; `session_arn` is unknown when the
    /// request names the role rather than a session (D41).
    RoleSession {
        role_arn: String,
        session_arn: Option<String>,
        account: String,
    },
    /// A GetFederationToken session.
    FederatedUser {
        arn: String,
        account: String,
        name: String,
    },
    /// An AWS service principal (`s3.amazonaws.com`).
    Service { name: String },
    /// A web-identity or SAML identity provider calling `sts:AssumeRoleWith*` (matched by
    /// `Federated` principals in trust policies).
    IdentityProvider { provider: String },
    /// An unauthenticated request.
    Anonymous,
}

/// How strongly a principal value names the caller; stronger is greater.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MatchClass {
    /// The caller's account (`123456789012`, `arn:aws:iam::123456789012:root`): delegates to the
    /// account's IAM.
    AccountLevel,
    /// The IAM user that created the caller's federated-user session.
    ParentUser,
    /// The role of the caller's session.
    ParentRole,
    /// `"*"`: everyone.
    Wildcard,
    /// The caller exactly (user, session, federated user, service, identity provider).
    Direct,
}

/// Identity providers that appear by name rather than ARN in `Federated` principals.
const NAMED_PROVIDERS: [&str; 3] = [
    "accounts.google.com",
    "graph.facebook.com",
    "www.amazon.com",
];

impl Caller {
    /// Reads the principal string of a request (conformance FORMAT.md `request.principal`).
    /// `principal_arn` is the role ARN with its path, for role sessions.
    pub fn parse(text: &str, principal_arn: Option<&str>) -> Result<Caller, String> {
        if text == "anonymous" {
            return Ok(Caller::Anonymous);
        }
        if NAMED_PROVIDERS.contains(&text) {
            return Ok(Caller::IdentityProvider {
                provider: text.to_owned(),
            });
        }
        if !text.starts_with("arn:") {
            if is_service_principal(text) {
                return Ok(Caller::Service {
                    name: text.to_owned(),
                });
            }
            return Err(
                "expected an IAM or STS ARN, a service principal (`name.amazonaws.com`) or `anonymous`".into(),
            );
        }
        let arn = Arn::parse(text).map_err(|e| e.to_string())?;
        let account = arn.account().to_owned();
        if !is_account_id(&account) {
            return Err(format!(
                "the account field {account} is not a 12-digit account id",
                account = crate::quote::quoted(&account)
            ));
        }
        let resource = arn.resource();
        let caller = match (arn.service(), resource.split_once('/')) {
            ("iam", None) if resource == "root" => Caller::Root { account },
            ("iam", Some(("user", path_and_name))) if !path_and_name.is_empty() => Caller::User {
                arn: text.to_owned(),
                name: last_segment(path_and_name).to_owned(),
                account,
            },
            ("iam", Some(("role", path_and_name))) if !path_and_name.is_empty() => {
                Caller::RoleSession {
                    role_arn: text.to_owned(),
                    session_arn: None,
                    account,
                }
            }
            ("iam", Some(("saml-provider" | "oidc-provider", rest))) if !rest.is_empty() => {
                Caller::IdentityProvider {
                    provider: text.to_owned(),
                }
            }
            ("sts", Some(("assumed-role", role_and_session))) => {
                let Some((role, session)) = role_and_session.split_once('/') else {
                    return Err("an assumed-role ARN is `assumed-role/ROLE/SESSION`".into());
                };
                if role.is_empty() || session.is_empty() || session.contains('/') {
                    return Err("an assumed-role ARN is `assumed-role/ROLE/SESSION`".into());
                }
                let role_arn = match principal_arn {
                    Some(given) => given.to_owned(),
                    None => format!("arn:{}:iam::{account}:role/{role}", arn.partition()),
                };
                Caller::RoleSession {
                    role_arn,
                    session_arn: Some(text.to_owned()),
                    account,
                }
            }
            ("sts", Some(("federated-user", name))) if !name.is_empty() && !name.contains('/') => {
                Caller::FederatedUser {
                    arn: text.to_owned(),
                    name: name.to_owned(),
                    account,
                }
            }
            _ => {
                return Err(
                    "expected a user, role, root, assumed-role or federated-user ARN".into(),
                )
            }
        };
        Ok(caller)
    }

    /// The caller's account, for IAM principals.
    pub fn account(&self) -> Option<&str> {
        match self {
            Caller::Root { account }
            | Caller::User { account, .. }
            | Caller::RoleSession { account, .. }
            | Caller::FederatedUser { account, .. } => Some(account),
            Caller::Service { .. } | Caller::IdentityProvider { .. } | Caller::Anonymous => None,
        }
    }

    /// Callers with no identity side at all: only resource-based policies can grant them (§4.6).
    pub fn has_identity_side(&self) -> bool {
        self.account().is_some()
    }

    /// Service-linked roles are exempt from SCPs and RCPs (D42).
    pub fn is_service_linked_role(&self) -> bool {
        match self {
            Caller::RoleSession { role_arn, .. } => arn_fields(role_arn)
                .is_some_and(|[.., resource]| resource.starts_with("role/aws-service-role/")),
            _ => false,
        }
    }

    /// The best class with which `principals` names this caller, `None` if it does not.
    pub fn matched_by(&self, principals: &Principals) -> Option<MatchClass> {
        match principals {
            Principals::Any => Some(MatchClass::Wildcard),
            Principals::Typed(entries) => entries
                .iter()
                .flat_map(|(kind, values)| values.iter().map(move |v| (*kind, v)))
                .filter_map(|(kind, value)| self.matched_by_value(kind, value))
                .max(),
        }
    }

    /// Does a `NotPrincipal` listing `principals` exclude this caller (D55)? It must name the
    /// caller, its role or parent user; an account entry excludes only the account's root user.
    pub fn excluded_by(&self, principals: &Principals) -> bool {
        match self.matched_by(principals) {
            Some(MatchClass::AccountLevel) => matches!(self, Caller::Root { .. }),
            Some(_) => true,
            None => false,
        }
    }

    /// How one principal value names this caller (the table of §2.3).
    pub fn matched_by_value(&self, kind: PrincipalType, value: &str) -> Option<MatchClass> {
        match kind {
            PrincipalType::Aws => self.matched_by_aws(value),
            PrincipalType::Service => match self {
                Caller::Service { name } if name.eq_ignore_ascii_case(value) => {
                    Some(MatchClass::Direct)
                }
                _ => None,
            },
            PrincipalType::Federated => match self {
                Caller::IdentityProvider { provider } if provider == value => {
                    Some(MatchClass::Direct)
                }
                _ => None,
            },
            // Canonical user ids are S3's; a request here never carries one.
            PrincipalType::CanonicalUser => None,
        }
    }

    fn matched_by_aws(&self, value: &str) -> Option<MatchClass> {
        if value == "*" {
            return Some(MatchClass::Wildcard);
        }
        if let Some(account) = account_principal(value) {
            return (self.account() == Some(account)).then_some(MatchClass::AccountLevel);
        }
        match self {
            Caller::User { arn, .. } if arn == value => Some(MatchClass::Direct),
            Caller::RoleSession {
                role_arn,
                session_arn,
                ..
            } => {
                if session_arn.as_deref() == Some(value) {
                    Some(MatchClass::Direct)
                } else if role_arn == value {
                    Some(MatchClass::ParentRole)
                } else {
                    None
                }
            }
            Caller::FederatedUser { arn, .. } if arn == value => Some(MatchClass::Direct),
            _ => None,
        }
    }
}

/// The account named by an account principal: `123456789012` or `arn:PARTITION:iam::ACCT:root`.
pub fn account_principal(value: &str) -> Option<&str> {
    if is_account_id(value) {
        return Some(value);
    }
    // The first `:iam::`, found from the colons: `split_once(":iam::")` would set up a
    // substring searcher on every call, and this runs per principal value per decision.
    let rest = value.strip_prefix("arn:")?;
    let at = rest
        .match_indices(':')
        .map(|(i, _)| i)
        .find(|&i| rest.get(i..).is_some_and(|t| t.starts_with(":iam::")))?;
    let arn_account = rest.get(at + ":iam::".len()..)?.strip_suffix(":root")?;
    is_account_id(arn_account).then_some(arn_account)
}

pub fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// `s3.amazonaws.com`, `logs.us-east-1.amazonaws.com`, `ec2.amazonaws.com.cn`...
pub fn is_service_principal(text: &str) -> bool {
    let host = text
        .strip_suffix(".amazonaws.com")
        .or_else(|| text.strip_suffix(".amazonaws.com.cn"));
    match host {
        Some(host) => {
            !host.is_empty()
                && host
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        }
        None => false,
    }
}

fn last_segment(path_and_name: &str) -> &str {
    path_and_name.rsplit('/').next().unwrap_or(path_and_name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Values;

    // §1.3: `123456789012` or `arn:PARTITION:iam::ACCOUNT:root`, the account found after the
    // first `:iam::` (checked against `split_once`, which the search from colons replaces).
    #[test]
    fn account_principals() {
        let oracle = |value: &str| -> Option<String> {
            if is_account_id(value) {
                return Some(value.to_owned());
            }
            let a = value.strip_prefix("arn:")?.split_once(":iam::")?.1;
            let a = a.strip_suffix(":root")?;
            is_account_id(a).then(|| a.to_owned())
        };
        let cases = [
            ("111122223333", Some("111122223333")),
            ("arn:aws:iam::111122223333:root", Some("111122223333")),
            ("arn:aws-cn:iam::111122223333:root", Some("111122223333")),
            ("arn:a:iam:iam::111122223333:root", Some("111122223333")),
            ("arn:x:iam::y:iam::111122223333:root", None),
            ("arn:aws:iam::111122223333:user/root", None),
            ("arn:aws:iam::11112222333:root", None),
            ("arn:aws:sts::111122223333:root", None),
            ("arn:aws:iam::111122223333:root:root", None),
            ("arn::iam::", None),
            ("1111222233334", None),
            ("", None),
        ];
        for (value, expected) in cases {
            assert_eq!(account_principal(value), expected, "{value}");
            assert_eq!(
                account_principal(value).map(str::to_owned),
                oracle(value),
                "{value}"
            );
        }
    }

    // D42: the role's ARN parses and its resource starts with `role/aws-service-role/`.
    #[test]
    fn service_linked_roles() {
        let roles = [
            ("arn:aws:iam::111122223333:role/aws-service-role/x.amazonaws.com/AWSServiceRoleForX", true),
            ("arn:aws:iam::111122223333:role/aws-service-role/", true),
            ("arn:aws:iam::111122223333:role/aws-service-role:x", false),
            ("arn:aws:iam::111122223333:role/app", false),
            ("arn:aws:iam::111122223333:role/x/aws-service-role/y", false),
            ("arn::iam::111122223333:role/aws-service-role/y", false),
            ("arn:aws:::111122223333:role/aws-service-role/y", false),
            ("arn:aws:iam:111122223333:role/aws-service-role/y", false),
            ("ARN:aws:iam::111122223333:role/aws-service-role/y", false),
            ("arn", false),
        ];
        for (role_arn, expected) in roles {
            let caller = Caller::RoleSession {
                role_arn: role_arn.to_owned(),
                session_arn: None,
                account: "111122223333".to_owned(),
            };
            assert_eq!(caller.is_service_linked_role(), expected, "{role_arn}");
        }
        assert!(!Caller::Anonymous.is_service_linked_role());
    }

    fn aws(values: &[&str]) -> Principals {
        Principals::Typed(vec![(
            PrincipalType::Aws,
            Values {
                items: values.iter().map(|s| s.to_string()).collect(),
                is_list: true,
            },
        )])
    }

    fn caller(s: &str) -> Caller {
        Caller::parse(s, None).unwrap()
    }

    #[test]
    fn parses_every_caller_form() {
        assert_eq!(
            caller("arn:aws:iam::111122223333:root"),
            Caller::Root {
                account: "111122223333".into()
            }
        );
        assert!(
            matches!(caller("arn:aws:iam::111122223333:user/dev/alice"), Caller::User { name, .. } if name == "alice")
        );
        assert!(matches!(
            caller("arn:aws:sts::111122223333:assumed-role/app/s1"),
            Caller::RoleSession { role_arn, .. } if role_arn == "arn:aws:iam::111122223333:role/app"
        ));
        assert!(matches!(
            caller("arn:aws:sts::111122223333:federated-user/bob"),
            Caller::FederatedUser { .. }
        ));
        assert!(matches!(caller("s3.amazonaws.com"), Caller::Service { .. }));
        assert_eq!(caller("anonymous"), Caller::Anonymous);
        for bad in [
            "alice",
            "arn:aws:iam::1111:user/a",
            "arn:aws:sts::111122223333:assumed-role/app",
            "arn:aws:s3:::b",
            "S3.AMAZONAWS.COM",
        ] {
            assert!(Caller::parse(bad, None).is_err(), "{bad}");
        }
    }

    // SEMANTICS.md §2.3: each row of the table.
    #[test]
    fn match_classes_follow_the_table() {
        let user = caller("arn:aws:iam::111122223333:user/alice");
        let session = caller("arn:aws:sts::111122223333:assumed-role/app/s1");
        assert_eq!(
            user.matched_by(&Principals::Any),
            Some(MatchClass::Wildcard)
        );
        assert_eq!(
            user.matched_by(&aws(&["111122223333"])),
            Some(MatchClass::AccountLevel)
        );
        assert_eq!(
            user.matched_by(&aws(&["arn:aws:iam::111122223333:root"])),
            Some(MatchClass::AccountLevel)
        );
        assert_eq!(user.matched_by(&aws(&["444455556666"])), None);
        assert_eq!(
            user.matched_by(&aws(&["arn:aws:iam::111122223333:user/alice"])),
            Some(MatchClass::Direct)
        );
        assert_eq!(
            user.matched_by(&aws(&["arn:aws:iam::111122223333:user/Alice"])),
            None
        );
        assert_eq!(
            session.matched_by(&aws(&["arn:aws:iam::111122223333:role/app"])),
            Some(MatchClass::ParentRole)
        );
        assert_eq!(
            session.matched_by(&aws(&["arn:aws:sts::111122223333:assumed-role/app/s1"])),
            Some(MatchClass::Direct)
        );
        assert_eq!(
            session.matched_by(&aws(&["arn:aws:sts::111122223333:assumed-role/app/s2"])),
            None
        );
        // The best class of several entries wins.
        assert_eq!(
            session.matched_by(&aws(&[
                "111122223333",
                "arn:aws:iam::111122223333:role/app"
            ])),
            Some(MatchClass::ParentRole)
        );
        // Anonymous callers match only wildcards.
        assert_eq!(
            Caller::Anonymous.matched_by(&aws(&["*"])),
            Some(MatchClass::Wildcard)
        );
        assert_eq!(Caller::Anonymous.matched_by(&aws(&["111122223333"])), None);
    }

    // D41: a role ARN as the caller is a session of unknown name.
    #[test]
    fn role_caller_never_matches_a_session_arn() {
        let role = caller("arn:aws:iam::111122223333:role/app");
        assert_eq!(
            role.matched_by(&aws(&["arn:aws:sts::111122223333:assumed-role/app/s1"])),
            None
        );
        assert_eq!(
            role.matched_by(&aws(&["arn:aws:iam::111122223333:role/app"])),
            Some(MatchClass::ParentRole)
        );
    }

    // D55: an account entry in NotPrincipal excludes only the root user.
    #[test]
    fn not_principal_exclusion() {
        let listed = aws(&["arn:aws:iam::111122223333:user/bob", "111122223333"]);
        assert!(caller("arn:aws:iam::111122223333:user/bob").excluded_by(&listed));
        assert!(caller("arn:aws:iam::111122223333:root").excluded_by(&listed));
        assert!(!caller("arn:aws:iam::111122223333:user/alice").excluded_by(&listed));
        let role = aws(&["arn:aws:iam::111122223333:role/app"]);
        assert!(caller("arn:aws:sts::111122223333:assumed-role/app/s1").excluded_by(&role));
    }

    // D42
    #[test]
    fn service_linked_roles_are_recognised() {
        let slr = Caller::parse(
            "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForX/s",
            Some("arn:aws:iam::111122223333:role/aws-service-role/x.amazonaws.com/AWSServiceRoleForX"),
        )
        .unwrap();
        assert!(slr.is_service_linked_role());
        assert!(!caller("arn:aws:iam::111122223333:role/app").is_service_linked_role());
    }
}
