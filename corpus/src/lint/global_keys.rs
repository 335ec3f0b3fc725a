//! The global condition keys (`aws:*`) and the cross-service keys that every action can see.
//! The action catalogue lists only the tag keys among them, so lint carries this table, from
//! SEMANTICS.md §3.8 and "AWS global condition context keys"
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>).

use crate::catalogue::ConditionKeyType;
use iamspec_model::pattern::fold_case;
use ConditionKeyType::{Arn, ArrayOfString, Bool, Date, IpAddress, Numeric, String as Str};

/// A condition key that does not belong to one service's actions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GlobalKey {
    /// The documented spelling; a tag key ends in `/` (`aws:PrincipalTag/`) and stands for every
    /// key that continues it.
    pub name: &'static str,
    /// The documented data type (multivalued keys are `ArrayOf…`).
    pub ty: ConditionKeyType,
    /// Only some actions support it: the catalogue lists them (the tag keys).
    pub per_action: bool,
    /// The key that replaces a deprecated one.
    pub replaced_by: Option<&'static str>,
}

const fn key(name: &'static str, ty: ConditionKeyType) -> GlobalKey {
    GlobalKey {
        name,
        ty,
        per_action: false,
        replaced_by: None,
    }
}

const fn tag(name: &'static str, ty: ConditionKeyType) -> GlobalKey {
    GlobalKey {
        name,
        ty,
        per_action: true,
        replaced_by: None,
    }
}

/// Sorted by name within each group; looked up case-insensitively.
const GLOBAL_KEYS: &[GlobalKey] = &[
    // principal
    key("aws:PrincipalArn", Arn),
    key("aws:PrincipalAccount", Str),
    key("aws:PrincipalOrgPaths", ArrayOfString),
    key("aws:PrincipalOrgID", Str),
    key("aws:PrincipalTag/", Str),
    key("aws:PrincipalIsAWSService", Bool),
    key("aws:PrincipalServiceName", Str),
    key("aws:PrincipalServiceNamesList", ArrayOfString),
    key("aws:PrincipalType", Str),
    key("aws:userid", Str),
    key("aws:username", Str),
    key("aws:AssumedRoot", Bool),
    // role session
    key("aws:FederatedProvider", Str),
    key("aws:TokenIssueTime", Date),
    key("aws:MultiFactorAuthAge", Numeric),
    key("aws:MultiFactorAuthPresent", Bool),
    key("aws:ChatbotSourceArn", Arn),
    key("aws:Ec2InstanceSourceVpc", Str),
    key("aws:Ec2InstanceSourcePrivateIPv4", IpAddress),
    key("aws:SourceIdentity", Str),
    // network
    key("aws:SourceIp", IpAddress),
    key("aws:SourceVpc", Str),
    key("aws:SourceVpcArn", Arn),
    key("aws:SourceVpce", Str),
    key("aws:VpceAccount", Str),
    key("aws:VpceOrgID", Str),
    key("aws:VpceOrgPaths", ArrayOfString),
    key("aws:VpcSourceIp", IpAddress),
    // resource
    key("aws:ResourceAccount", Str),
    key("aws:ResourceOrgID", Str),
    key("aws:ResourceOrgPaths", ArrayOfString),
    tag("aws:ResourceTag/", Str),
    // request
    key("aws:CalledVia", ArrayOfString),
    key("aws:CalledViaFirst", Str),
    key("aws:CalledViaLast", Str),
    key("aws:CalledViaAWSMCP", Str),
    key("aws:ViaAWSService", Bool),
    key("aws:ViaAWSMCPService", Bool),
    // used by AWS managed policies (2026), not yet in the global keys reference
    key("aws:IsMcpServiceAction", Bool),
    key("aws:PrincipalOrgMasterAccountId", Str),
    key("aws:CurrentTime", Date),
    key("aws:EpochTime", Date),
    key("aws:referer", Str),
    key("aws:RequestedRegion", Str),
    tag("aws:RequestTag/", Str),
    tag("aws:TagKeys", ArrayOfString),
    key("aws:SecureTransport", Bool),
    key("aws:SourceAccount", Str),
    key("aws:SourceArn", Arn),
    key("aws:SourceOrgID", Str),
    key("aws:SourceOrgPaths", ArrayOfString),
    key("aws:UserAgent", Str),
    // deprecated
    GlobalKey {
        name: "aws:ARN",
        ty: Arn,
        per_action: false,
        replaced_by: Some("aws:PrincipalArn"),
    },
    // cross-service keys: set by one service, present in requests to all
    key("ec2:RoleDelivery", Numeric),
    key("ec2:SourceInstanceArn", Arn),
    key("glue:RoleAssumedBy", Str),
    key("glue:CredentialIssuingService", Str),
    key("lambda:SourceFunctionArn", Arn),
    key("ssm:SourceInstanceArn", Arn),
    key("identitystore:UserId", Str),
];

/// The global or cross-service key `name` stands for, case-insensitively (`aws:sourceip`,
/// `aws:PrincipalTag/team`).
pub fn global_key(name: &str) -> Option<&'static GlobalKey> {
    // Comparisons below ignore ASCII case: an ASCII name needs no folded copy.
    let folded = if name.is_ascii() {
        std::borrow::Cow::Borrowed(name)
    } else {
        fold_case(name)
    };
    // The documented names are ASCII: comparing without ASCII case is folding them, without
    // a string per key (this runs for every condition clause).
    GLOBAL_KEYS.iter().find(|key| {
        let documented = key.name;
        if documented.ends_with('/') {
            folded.len() > documented.len()
                && folded
                    .get(..documented.len())
                    .is_some_and(|head| head.eq_ignore_ascii_case(documented))
        } else {
            folded.eq_ignore_ascii_case(documented)
        }
    })
}

/// Whether `aws:EpochTime`, which AWS documents for both date and numeric operators.
pub fn is_epoch_time(name: &str) -> bool {
    name.eq_ignore_ascii_case("aws:EpochTime")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        assert_eq!(global_key("AWS:sourceip").map(|k| k.ty), Some(IpAddress));
        assert_eq!(
            global_key("aws:PrincipalTag/team").map(|k| k.name),
            Some("aws:PrincipalTag/")
        );
        assert!(global_key("aws:PrincipalTag/").is_none());
        assert!(global_key("aws:NoSuchKey").is_none());
        assert_eq!(global_key("aws:TagKeys").map(|k| k.ty), Some(ArrayOfString));
        assert!(global_key("aws:TagKeys").is_some_and(|k| k.per_action));
        assert_eq!(
            global_key("aws:arn").and_then(|k| k.replaced_by),
            Some("aws:PrincipalArn")
        );
        assert!(global_key("ec2:SourceInstanceARN").is_some());
    }
}
