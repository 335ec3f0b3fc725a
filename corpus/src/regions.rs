//! The AWS Regions AWS publishes, with their partitions: what `aws:RequestedRegion` and the
//! region field of an ARN can hold. Lint reports names outside this list (`us-east-7`); like
//! the action catalogue, the list is a snapshot and lags behind new Regions, so those findings
//! are warnings.
//!
//! Source: AWS's Region tables, read 2026-12-05: "AWS Region billing codes"
//! (<https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-region-billing-codes.html>,
//! every commercial Region by code, opt-in Regions included) and "Regions and Availability
//! Zones" (<https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html>),
//! with the AWS GovCloud (US), China, European Sovereign Cloud and isolated (ISO) partitions'
//! Regions as the ARN reference names their partitions
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html>).
//!
//! Verified row by row on 2026-12-05 (issue 13, fourth round): the commercial, GovCloud and
//! China rows against the billing-code page above and the Region table of "Plan your
//! deployment" (<https://docs.aws.amazon.com/solutions/latest/automated-security-response-on-aws/plan-your-deployment.html>);
//! every partition's Regions, the European Sovereign Cloud and ISO ones included (AWS's
//! Regions pages do not list those), against the AWS SDKs' partition table
//! (`partitions.json` of `@aws-sdk/util-endpoints`,
//! <https://github.com/aws/aws-sdk-js-v3/blob/main/packages/util-endpoints/src/lib/aws/partitions.json>),
//! which added `us-isob-west-1`, missing before.
//!
//! ```
//! use iamspec_corpus::regions::{is_known, pattern_matches_known, region};
//!
//! assert!(is_known("eu-central-2"));
//! assert!(!is_known("us-east-7"));
//! assert!(pattern_matches_known("eu-*"));
//! assert!(!pattern_matches_known("xx-*"));
//! assert!(region("af-south-1").is_some_and(|r| r.opt_in));
//! ```

use iamspec_model::pattern::Pattern;

/// The day the list was read from AWS's pages, for messages.
pub const LISTED: &str = "2026-12-05";

/// One AWS Region.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    /// The code that requests and ARNs carry (`us-east-1`).
    pub code: &'static str,
    /// The partition (`aws`, `aws-cn`, `aws-us-gov`, ...).
    pub partition: &'static str,
    /// AWS's name for it (`US East (N. Virginia)`).
    pub name: &'static str,
    /// Whether an account must enable it before use (Regions launched after March 2019).
    pub opt_in: bool,
}

const fn r(
    code: &'static str,
    partition: &'static str,
    name: &'static str,
    opt_in: bool,
) -> Region {
    Region {
        code,
        partition,
        name,
        opt_in,
    }
}

/// Every Region of the list, by partition, then as AWS's table orders them.
pub const REGIONS: &[Region] = &[
    // aws: North America
    r("us-east-1", "aws", "US East (N. Virginia)", false),
    r("us-east-2", "aws", "US East (Ohio)", false),
    r("us-west-1", "aws", "US West (N. California)", false),
    r("us-west-2", "aws", "US West (Oregon)", false),
    r("ca-central-1", "aws", "Canada (Central)", false),
    r("ca-west-1", "aws", "Canada West (Calgary)", true),
    r("mx-central-1", "aws", "Mexico (Central)", true),
    // aws: Africa
    r("af-south-1", "aws", "Africa (Cape Town)", true),
    // aws: Asia Pacific
    r("ap-east-1", "aws", "Asia Pacific (Hong Kong)", true),
    r("ap-east-2", "aws", "Asia Pacific (Taipei)", true),
    r("ap-northeast-1", "aws", "Asia Pacific (Tokyo)", false),
    r("ap-northeast-2", "aws", "Asia Pacific (Seoul)", false),
    r("ap-northeast-3", "aws", "Asia Pacific (Osaka)", false),
    r("ap-southeast-1", "aws", "Asia Pacific (Singapore)", false),
    r("ap-southeast-2", "aws", "Asia Pacific (Sydney)", false),
    r("ap-south-1", "aws", "Asia Pacific (Mumbai)", false),
    r("ap-southeast-3", "aws", "Asia Pacific (Jakarta)", true),
    r("ap-south-2", "aws", "Asia Pacific (Hyderabad)", true),
    r("ap-southeast-4", "aws", "Asia Pacific (Melbourne)", true),
    r("ap-southeast-5", "aws", "Asia Pacific (Malaysia)", true),
    r("ap-southeast-6", "aws", "Asia Pacific (New Zealand)", true),
    r("ap-southeast-7", "aws", "Asia Pacific (Thailand)", true),
    // aws: Europe
    r("eu-central-1", "aws", "Europe (Frankfurt)", false),
    r("eu-central-2", "aws", "Europe (Zurich)", true),
    r("eu-west-1", "aws", "Europe (Ireland)", false),
    r("eu-west-2", "aws", "Europe (London)", false),
    r("eu-west-3", "aws", "Europe (Paris)", false),
    r("eu-south-1", "aws", "Europe (Milan)", true),
    r("eu-south-2", "aws", "Europe (Spain)", true),
    r("eu-north-1", "aws", "Europe (Stockholm)", false),
    // aws: Israel, Middle East, South America
    r("il-central-1", "aws", "Israel (Tel Aviv)", true),
    r("me-south-1", "aws", "Middle East (Bahrain)", true),
    r("me-central-1", "aws", "Middle East (UAE)", true),
    r("sa-east-1", "aws", "South America (São Paulo)", false),
    // aws-us-gov
    r(
        "us-gov-east-1",
        "aws-us-gov",
        "AWS GovCloud (US-East)",
        false,
    ),
    r(
        "us-gov-west-1",
        "aws-us-gov",
        "AWS GovCloud (US-West)",
        false,
    ),
    // aws-cn
    r("cn-north-1", "aws-cn", "China (Beijing)", false),
    r("cn-northwest-1", "aws-cn", "China (Ningxia)", false),
    // aws-eusc
    r(
        "eusc-de-east-1",
        "aws-eusc",
        "AWS European Sovereign Cloud (Germany)",
        false,
    ),
    // aws-iso, aws-iso-b, aws-iso-e, aws-iso-f
    r("us-iso-east-1", "aws-iso", "US ISO East", false),
    r("us-iso-west-1", "aws-iso", "US ISO West", false),
    r("us-isob-east-1", "aws-iso-b", "US ISOB East (Ohio)", false),
    r("us-isob-west-1", "aws-iso-b", "US ISOB West", false),
    r("eu-isoe-west-1", "aws-iso-e", "EU ISOE West", false),
    r("us-isof-south-1", "aws-iso-f", "US ISOF South", false),
    r("us-isof-east-1", "aws-iso-f", "US ISOF East", false),
];

/// The Region with this code (exactly: codes are lowercase).
pub fn region(code: &str) -> Option<&'static Region> {
    REGIONS.iter().find(|r| r.code == code)
}

/// Whether `code` is a Region of the list.
pub fn is_known(code: &str) -> bool {
    region(code).is_some()
}

/// Whether the glob `pattern` (`*` any run, `?` one character, as in `StringLike` and ARNs)
/// matches some Region of the list: a pattern such as `eu-*` is fine, `xx-*` can match none.
pub fn pattern_matches_known(pattern: &str) -> bool {
    let glob = Pattern::new(pattern);
    REGIONS.iter().any(|r| glob.matches(r.code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_well_formed() {
        for (i, a) in REGIONS.iter().enumerate() {
            assert!(
                REGIONS.iter().skip(i + 1).all(|b| b.code != a.code),
                "{}",
                a.code
            );
            let last = a.code.rsplit('-').next().unwrap_or("");
            assert!(
                a.code
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                    && last.parse::<u32>().is_ok(),
                "{}",
                a.code
            );
        }
    }

    /// Each partition's Regions, as the SDKs' `partitions.json` lists them (read 2026-12-05,
    /// source in the module documentation), without its `aws-global`-style pseudo-Regions.
    #[test]
    fn every_partition_as_the_sdks_list_it() {
        let sdk: &[(&str, &[&str])] = &[
            (
                "aws",
                &[
                    "af-south-1",
                    "ap-east-1",
                    "ap-east-2",
                    "ap-northeast-1",
                    "ap-northeast-2",
                    "ap-northeast-3",
                    "ap-south-1",
                    "ap-south-2",
                    "ap-southeast-1",
                    "ap-southeast-2",
                    "ap-southeast-3",
                    "ap-southeast-4",
                    "ap-southeast-5",
                    "ap-southeast-6",
                    "ap-southeast-7",
                    "ca-central-1",
                    "ca-west-1",
                    "eu-central-1",
                    "eu-central-2",
                    "eu-north-1",
                    "eu-south-1",
                    "eu-south-2",
                    "eu-west-1",
                    "eu-west-2",
                    "eu-west-3",
                    "il-central-1",
                    "me-central-1",
                    "me-south-1",
                    "mx-central-1",
                    "sa-east-1",
                    "us-east-1",
                    "us-east-2",
                    "us-west-1",
                    "us-west-2",
                ],
            ),
            ("aws-cn", &["cn-north-1", "cn-northwest-1"]),
            ("aws-eusc", &["eusc-de-east-1"]),
            ("aws-iso", &["us-iso-east-1", "us-iso-west-1"]),
            ("aws-iso-b", &["us-isob-east-1", "us-isob-west-1"]),
            ("aws-iso-e", &["eu-isoe-west-1"]),
            ("aws-iso-f", &["us-isof-east-1", "us-isof-south-1"]),
            ("aws-us-gov", &["us-gov-east-1", "us-gov-west-1"]),
        ];
        for (partition, codes) in sdk {
            let mut ours: Vec<&str> = REGIONS
                .iter()
                .filter(|r| r.partition == *partition)
                .map(|r| r.code)
                .collect();
            ours.sort_unstable();
            assert_eq!(ours, *codes, "{partition}");
        }
        let listed: usize = sdk.iter().map(|(_, codes)| codes.len()).sum();
        assert_eq!(
            REGIONS.len(),
            listed,
            "a Region outside the SDKs' partitions"
        );
        // Opt-in: the commercial Regions launched after 20 March 2019
        // (https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html);
        // none in the other partitions.
        let opt_in: Vec<&str> = REGIONS
            .iter()
            .filter(|r| r.opt_in)
            .map(|r| r.code)
            .collect();
        assert_eq!(
            opt_in,
            [
                "ca-west-1",
                "mx-central-1",
                "af-south-1",
                "ap-east-1",
                "ap-east-2",
                "ap-southeast-3",
                "ap-south-2",
                "ap-southeast-4",
                "ap-southeast-5",
                "ap-southeast-6",
                "ap-southeast-7",
                "eu-central-2",
                "eu-south-1",
                "eu-south-2",
                "il-central-1",
                "me-south-1",
                "me-central-1",
            ]
        );
    }

    #[test]
    fn patterns() {
        assert!(pattern_matches_known("*"));
        assert!(pattern_matches_known("us-gov-*"));
        assert!(pattern_matches_known("ap-southeast-?"));
        assert!(pattern_matches_known("cn-*-1"));
        assert!(!pattern_matches_known("us-east-7*"));
        assert!(!pattern_matches_known("EU-*"), "codes are lowercase");
        assert!(!is_known("us-east-7"));
        assert!(is_known("us-isob-east-1"));
        assert!(is_known("us-isob-west-1"));
        assert!(pattern_matches_known("us-isob-*-1"));
    }
}
