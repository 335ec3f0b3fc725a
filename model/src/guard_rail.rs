//! AWS's own guard rails: resources that AWS owns or protects, which no customer principal can
//! change whatever its policies allow (D68–D71). AWS managed policies are AWS's; service-linked
//! roles and IAM Identity Center roles are changed only through the service that owns them.
//!
//! A guard rail refuses a request the policies *allow*: AWS authorizes the call first (a denied
//! call gets the usual AccessDenied) and the service then refuses the change
//! (`UnmodifiableEntity`, "Cannot perform the operation on the protected role"), so a denial by
//! the policies is reported as they deny it (D68). Both evaluators and the solver's encoding
//! ask [`refusing`]; the solver encodes [`GuardRail::actions`] and [`GuardRail::arn_shape`].

use crate::principal::Caller;
use crate::request::{Request, Resource};
use serde::Serialize;
use std::fmt;

/// One of AWS's guard rails.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GuardRail {
    /// `arn:PARTITION:iam::aws:policy/...`: "You cannot change the permissions defined in AWS
    /// managed policies" (D69).
    AwsManagedPolicy,
    /// A role on the path `/aws-service-role/`: "You cannot delete or edit the permissions for
    /// a service-linked role in IAM" (D70).
    ServiceLinkedRole,
    /// A role on the path `/aws-reserved/sso.amazonaws.com/`, made for a permission set: "this
    /// role is only modifiable by AWS" (D71).
    IdentityCenterRole,
}

/// Every write action on the Service Authorization Reference's `policy` resource type (D69).
const POLICY_CHANGES: [&str; 7] = [
    "iam:CreatePolicy",
    "iam:CreatePolicyVersion",
    "iam:DeletePolicy",
    "iam:DeletePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:TagPolicy",
    "iam:UntagPolicy",
];

/// The role operations whose API reference lists `UnmodifiableEntity` and that change the role's
/// permissions, boundary or trust, or delete it (D70). `UpdateRole`/`UpdateRoleDescription`
/// (the description may be edited), `TagRole`/`UntagRole` ("a regular role or a service-linked
/// role") and `DeleteServiceLinkedRole` (the way to delete one) are not here.
const SERVICE_LINKED_ROLE_CHANGES: [&str; 8] = [
    "iam:AttachRolePolicy",
    "iam:DeleteRole",
    "iam:DeleteRolePermissionsBoundary",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
    "iam:UpdateAssumeRolePolicy",
];

/// As for service-linked roles, plus the role's settings, which the permission set holds: IAM
/// Identity Center's own service-linked role is the one granted `UpdateRole` and
/// `UpdateRoleDescription` on these roles (D71).
const IDENTITY_CENTER_ROLE_CHANGES: [&str; 10] = [
    "iam:AttachRolePolicy",
    "iam:DeleteRole",
    "iam:DeleteRolePermissionsBoundary",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
];

/// The shape of the ARNs a guard rail protects: `arn:` + any partition + `:iam:` + any region +
/// `:` + the account (any when `None`) + `:` + a resource that starts with `resource_prefix`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArnShape {
    pub account: Option<&'static str>,
    pub resource_prefix: &'static str,
}

impl GuardRail {
    pub const ALL: [GuardRail; 3] = [
        GuardRail::AwsManagedPolicy,
        GuardRail::ServiceLinkedRole,
        GuardRail::IdentityCenterRole,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GuardRail::AwsManagedPolicy => "aws_managed_policy",
            GuardRail::ServiceLinkedRole => "service_linked_role",
            GuardRail::IdentityCenterRole => "identity_center_role",
        }
    }

    /// The actions it refuses, as the Service Authorization Reference spells them.
    pub fn actions(self) -> &'static [&'static str] {
        match self {
            GuardRail::AwsManagedPolicy => &POLICY_CHANGES,
            GuardRail::ServiceLinkedRole => &SERVICE_LINKED_ROLE_CHANGES,
            GuardRail::IdentityCenterRole => &IDENTITY_CENTER_ROLE_CHANGES,
        }
    }

    /// The resources it protects.
    pub fn arn_shape(self) -> ArnShape {
        match self {
            GuardRail::AwsManagedPolicy => ArnShape {
                account: Some("aws"),
                resource_prefix: "policy/",
            },
            GuardRail::ServiceLinkedRole => ArnShape {
                account: None,
                resource_prefix: "role/aws-service-role/",
            },
            GuardRail::IdentityCenterRole => ArnShape {
                account: None,
                resource_prefix: "role/aws-reserved/sso.amazonaws.com/",
            },
        }
    }

    /// Does it bind `caller`? AWS managed policies bind everyone. The roles are changed by the
    /// service they belong to, which acts as itself (a service principal) or through its own
    /// service-linked role, so those callers are not bound.
    pub fn binds(self, caller: &Caller) -> bool {
        match self {
            GuardRail::AwsManagedPolicy => true,
            GuardRail::ServiceLinkedRole | GuardRail::IdentityCenterRole => {
                !matches!(caller, Caller::Service { .. }) && !caller.is_service_linked_role()
            }
        }
    }

    /// Why the request is refused, in the words of AWS's documentation.
    pub fn reason(self) -> &'static str {
        match self {
            GuardRail::AwsManagedPolicy => {
                "the policy is an AWS managed policy, which AWS creates and administers: no customer can change it"
            }
            GuardRail::ServiceLinkedRole => {
                "the role is a service-linked role, a protected role that only its linked service can modify or delete (use iam:DeleteServiceLinkedRole to delete it)"
            }
            GuardRail::IdentityCenterRole => {
                "the role is an IAM Identity Center role, a protected role only modifiable by AWS (change its permission set in IAM Identity Center)"
            }
        }
    }

    /// Is `resource` one it protects (whatever the action)?
    pub fn covers(self, resource: &Resource) -> bool {
        let Resource::Arn(arn) = resource else {
            return false;
        };
        let shape = self.arn_shape();
        arn.service() == "iam"
            && shape.account.is_none_or(|account| arn.account() == account)
            && arn.resource().starts_with(shape.resource_prefix)
    }

    fn protects(self, request: &Request) -> bool {
        self.covers(&request.resource)
            && self
                .actions()
                .iter()
                .any(|action| action.eq_ignore_ascii_case(request.action.as_str()))
            && self.binds(&request.principal)
    }
}

impl fmt::Display for GuardRail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The guard rail that refuses `request` whatever the policies say, if one does.
pub fn refusing(request: &Request) -> Option<GuardRail> {
    // Every guard-railed action is an IAM action: the common case costs one comparison.
    if request.action.service() != "iam" {
        return None;
    }
    GuardRail::ALL
        .into_iter()
        .find(|rail| rail.protects(request))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::{Json, JsonPath};

    fn request(principal: &str, action: &str, resource: &str) -> Request {
        let text = format!(
            r#"{{"principal": "{principal}", "action": "{action}", "resource": "{resource}"}}"#
        );
        Request::from_json(&Json::parse(&text).unwrap(), &JsonPath::root()).unwrap()
    }

    const ALICE: &str = "arn:aws:iam::111122223333:user/alice";
    const SLR: &str =
        "arn:aws:iam::111122223333:role/aws-service-role/elasticbeanstalk.amazonaws.com/AWSServiceRoleForElasticBeanstalk";
    const SSO: &str = "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123456789abcdef";

    // D69
    #[test]
    fn aws_managed_policies_in_every_partition() {
        for policy in [
            "arn:aws:iam::aws:policy/AdministratorAccess",
            "arn:aws-cn:iam::aws:policy/ReadOnlyAccess",
            "arn:aws-us-gov:iam::aws:policy/service-role/AWSConfigRole",
        ] {
            for action in POLICY_CHANGES {
                assert_eq!(
                    refusing(&request(ALICE, action, policy)),
                    Some(GuardRail::AwsManagedPolicy),
                    "{action} {policy}"
                );
            }
            assert_eq!(
                refusing(&request(ALICE, "iam:GetPolicyVersion", policy)),
                None
            );
        }
        // Action names compare without regard to case.
        assert!(refusing(&request(
            ALICE,
            "IAM:createpolicyversion",
            "arn:aws:iam::aws:policy/AdministratorAccess"
        ))
        .is_some());
        // A customer managed policy is the customer's.
        assert_eq!(
            refusing(&request(
                ALICE,
                "iam:CreatePolicyVersion",
                "arn:aws:iam::111122223333:policy/AdministratorAccess"
            )),
            None
        );
    }

    // D70
    #[test]
    fn service_linked_roles() {
        for action in SERVICE_LINKED_ROLE_CHANGES {
            assert_eq!(
                refusing(&request(ALICE, action, SLR)),
                Some(GuardRail::ServiceLinkedRole)
            );
        }
        for allowed in [
            "iam:DeleteServiceLinkedRole",
            "iam:UpdateRoleDescription",
            "iam:UpdateRole",
            "iam:TagRole",
            "iam:GetRole",
            "iam:PassRole",
        ] {
            assert_eq!(refusing(&request(ALICE, allowed, SLR)), None, "{allowed}");
        }
        // The service itself, and a service-linked role's session, are not bound.
        assert_eq!(
            refusing(&request(
                "elasticbeanstalk.amazonaws.com",
                "iam:DeleteRole",
                SLR
            )),
            None
        );
        assert_eq!(
            refusing(&request(
                "arn:aws:iam::111122223333:role/aws-service-role/sso.amazonaws.com/AWSServiceRoleForSSO",
                "iam:DeleteRole",
                SLR
            )),
            None
        );
        // An ordinary role, and a path that only contains the word.
        for resource in [
            "arn:aws:iam::111122223333:role/app",
            "arn:aws:iam::111122223333:role/team/aws-service-role/app",
        ] {
            assert_eq!(refusing(&request(ALICE, "iam:DeleteRole", resource)), None);
        }
    }

    // D71
    #[test]
    fn identity_center_roles() {
        for action in IDENTITY_CENTER_ROLE_CHANGES {
            assert_eq!(
                refusing(&request(ALICE, action, SSO)),
                Some(GuardRail::IdentityCenterRole)
            );
        }
        assert_eq!(refusing(&request(ALICE, "iam:TagRole", SSO)), None);
        assert_eq!(
            refusing(&request(
                "arn:aws:iam::111122223333:role/aws-service-role/sso.amazonaws.com/AWSServiceRoleForSSO",
                "iam:PutRolePolicy",
                SSO
            )),
            None
        );
        // The root user is a customer principal too.
        assert_eq!(
            refusing(&request(
                "arn:aws:iam::111122223333:root",
                "iam:DeleteRole",
                SSO
            )),
            Some(GuardRail::IdentityCenterRole)
        );
    }

    #[test]
    fn action_lists_are_catalogue_spellings_of_iam_actions() {
        for rail in GuardRail::ALL {
            for action in rail.actions() {
                assert!(action.starts_with("iam:"), "{action}");
                assert!(crate::request::Action::parse(action).is_some(), "{action}");
            }
        }
    }
}
