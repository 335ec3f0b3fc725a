//! The request context AWS can send: every global condition key on AWS's page "AWS global
//! condition context keys", with its type, whether it is single- or multivalued, when AWS
//! includes it, and what it describes (D60). Service keys get their types from the action
//! catalogue, which a caller supplies through [`ServiceKeyTypes`] (`model` does not read the
//! catalogue itself).
//!
//! The table is what request validation (`request::validate`) checks a stated context against,
//! and what an analysis quantifies over when it wants only requests AWS can send.

use crate::condition::value::{parse_bool, parse_ip, Decimal, Instant};
use crate::principal::Caller;
use std::collections::BTreeMap;
use std::fmt;

/// The page every row cites; each row adds its anchor.
pub const GLOBAL_KEYS_PAGE: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html";

/// The value type of a condition key, as AWS's pages name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// Any text.
    String,
    /// An ARN (`arn:partition:service:region:account:resource`).
    Arn,
    /// `true` or `false`.
    Bool,
    /// A date (D27).
    Date,
    /// A number (D26).
    Numeric,
    /// `aws:EpochTime`: works with date and numeric operators, so a date or a number.
    DateOrNumeric,
    /// An IP address (no range: a request comes from one address).
    IpAddress,
}

impl KeyType {
    /// Is `value` a value of this type? Request values are checked with the same readers the
    /// condition operators use, so a value accepted here is one the operators can compare.
    pub fn accepts(self, value: &str) -> bool {
        match self {
            KeyType::String => true,
            KeyType::Arn => crate::arn::Arn::parse(value).is_ok(),
            KeyType::Bool => parse_bool(value).is_some(),
            KeyType::Date => Instant::parse(value).is_some(),
            KeyType::Numeric => Decimal::parse(value).is_some(),
            KeyType::DateOrNumeric => {
                Instant::parse(value).is_some() || Decimal::parse(value).is_some()
            }
            KeyType::IpAddress => parse_ip(value).is_some(),
        }
    }

    /// The type and cardinality of a catalogue type name (`String`, `ArrayOfString`, `ARN`,
    /// `ArrayOfARN`, `Bool`, `ArrayOfBool`, `Numeric`, `Date`, `IPAddress`), as the Service
    /// Authorization Reference writes them.
    pub fn from_catalogue(name: &str) -> Option<(KeyType, Cardinality)> {
        let (array, base) = match name.strip_prefix("ArrayOf") {
            Some(base) => (true, base),
            None => (false, name),
        };
        let ty = match base {
            "String" => KeyType::String,
            "ARN" | "Arn" => KeyType::Arn,
            "Bool" | "Boolean" => KeyType::Bool,
            "Numeric" | "Long" => KeyType::Numeric,
            "Date" => KeyType::Date,
            "IPAddress" => KeyType::IpAddress,
            _ => return None,
        };
        let cardinality = if array {
            Cardinality::Multi
        } else {
            Cardinality::Single
        };
        Some((ty, cardinality))
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyType::String => "a string",
            KeyType::Arn => "an ARN",
            KeyType::Bool => "`true` or `false`",
            KeyType::Date => "a date",
            KeyType::Numeric => "a number",
            KeyType::DateOrNumeric => "a date or a number of seconds",
            KeyType::IpAddress => "an IP address",
        })
    }
}

/// Whether a request carries one value or a set of values for the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cardinality {
    /// One value: AWS calls these single-valued keys.
    Single,
    /// A set of values (`aws:TagKeys`, `aws:CalledVia`, `aws:PrincipalOrgPaths`).
    Multi,
}

/// What the key describes: the source of its value in the request context.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BoundTo {
    /// The principal making the request (its ARN, account, organization, tags).
    Principal,
    /// The principal's session (temporary credentials, MFA, how the role was assumed).
    Session,
    /// The network path of the request (source address, VPC, endpoint).
    Network,
    /// The resource the request acts on (its owner, organization, tags).
    Resource,
    /// The request itself (time, region, tags passed, calling services, transport).
    Request,
}

/// When AWS includes the key in the request context, in the page's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Availability {
    /// "always included in the request context".
    Always,
    /// "included in the request context for all signed requests"; anonymous requests do not
    /// include it.
    SignedRequests,
    /// Every request whose principal is an IAM principal (root, user, role session, federated
    /// user): absent for anonymous callers, identity providers and service principals.
    IamPrincipals,
    /// Only requests made by an IAM user.
    IamUsers,
    /// Only when the principal's account belongs to an organization.
    PrincipalInOrganization,
    /// Only when the principal (IAM user, role or session) has tags.
    PrincipalTagged,
    /// Only when the call is made by an AWS service principal.
    ServicePrincipals,
    /// Only when the principal uses temporary credentials (role sessions, federated users,
    /// console sessions, `GetSessionToken`).
    TemporaryCredentials,
    /// Only when the principal authenticated with MFA.
    MfaAuthenticated,
    /// Only role sessions (of some kind: OIDC or SAML federation, a source identity, an EC2
    /// instance or service-issued role credentials).
    RoleSessions,
    /// Only sessions of the root user obtained with `sts:AssumeRoot`.
    AssumedRoot,
    /// Not when the request comes through a VPC endpoint.
    NotViaVpcEndpoint,
    /// Only when the request comes through a VPC endpoint.
    ViaVpcEndpoint,
    /// Most service actions: the account that owns the resource.
    ResourceOwner,
    /// Only when the resource's account belongs to an organization.
    ResourceInOrganization,
    /// Only when the resource has tags (and the service supports them).
    ResourceTagged,
    /// Only when a service makes the request with the principal's credentials (forward access
    /// sessions); never on direct calls.
    ViaService,
    /// Only when the request passes tags.
    TagsInRequest,
    /// Only when an AWS service principal calls on behalf of a resource (service-to-service).
    ServiceOnBehalfOfResource,
    /// Only when the caller's client sends it (HTTP `Referer`, `User-Agent`): caller-controlled.
    ClientSupplied,
}

impl Availability {
    /// Can a request from `caller` include a key of this availability? `false` only where the
    /// page excludes the caller's kind; whether the optional keys are present otherwise is the
    /// request's business.
    pub fn possible_for(self, caller: &Caller) -> bool {
        let iam = caller.account().is_some();
        match self {
            Availability::Always
            | Availability::NotViaVpcEndpoint
            | Availability::ViaVpcEndpoint
            | Availability::ResourceOwner
            | Availability::ResourceInOrganization
            | Availability::ResourceTagged
            | Availability::TagsInRequest
            | Availability::ClientSupplied => true,
            Availability::SignedRequests => {
                !matches!(caller, Caller::Anonymous | Caller::IdentityProvider { .. })
            }
            Availability::IamPrincipals
            | Availability::PrincipalInOrganization
            | Availability::TemporaryCredentials
            | Availability::MfaAuthenticated
            | Availability::ViaService => iam,
            Availability::IamUsers => matches!(caller, Caller::User { .. }),
            Availability::PrincipalTagged => matches!(
                caller,
                Caller::User { .. } | Caller::RoleSession { .. } | Caller::FederatedUser { .. }
            ),
            Availability::ServicePrincipals | Availability::ServiceOnBehalfOfResource => {
                matches!(caller, Caller::Service { .. })
            }
            Availability::RoleSessions => matches!(caller, Caller::RoleSession { .. }),
            Availability::AssumedRoot => matches!(caller, Caller::Root { .. }),
        }
    }

    /// Is the key in every request that [`Availability::possible_for`] allows?
    pub fn always_present(self) -> bool {
        matches!(self, Availability::Always | Availability::SignedRequests)
    }

    /// The page's condition in a few words, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Availability::Always => "always included",
            Availability::SignedRequests => {
                "included in every signed request, never in anonymous ones"
            }
            Availability::IamPrincipals => "included only for IAM principals",
            Availability::IamUsers => "included only for IAM users",
            Availability::PrincipalInOrganization => {
                "included only when the principal belongs to an organization"
            }
            Availability::PrincipalTagged => "included only for a tagged IAM user, role or session",
            Availability::ServicePrincipals => "included only when an AWS service principal calls",
            Availability::TemporaryCredentials => {
                "included only when the principal uses temporary credentials"
            }
            Availability::MfaAuthenticated => "included only when the principal used MFA",
            Availability::RoleSessions => "included only for role sessions",
            Availability::AssumedRoot => "included only for root sessions from sts:AssumeRoot",
            Availability::NotViaVpcEndpoint => "not included for requests through a VPC endpoint",
            Availability::ViaVpcEndpoint => "included only for requests through a VPC endpoint",
            Availability::ResourceOwner => "included for most service actions",
            Availability::ResourceInOrganization => {
                "included only when the resource's account belongs to an organization"
            }
            Availability::ResourceTagged => "included only when the resource has tags",
            Availability::ViaService => {
                "included only when a service calls with the principal's credentials"
            }
            Availability::TagsInRequest => "included only when the request passes tags",
            Availability::ServiceOnBehalfOfResource => {
                "included only when an AWS service principal calls on behalf of a resource"
            }
            Availability::ClientSupplied => "included only when the caller's client sends it",
        }
    }
}

/// One row of the global key table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeySpec {
    /// The key as AWS spells it; for a tag key family, the prefix up to and including `/`
    /// (`aws:PrincipalTag/`).
    pub name: &'static str,
    /// `name` is a prefix: every `name<tag-key>` is this key.
    pub is_prefix: bool,
    pub key_type: KeyType,
    pub cardinality: Cardinality,
    pub availability: Availability,
    pub bound_to: BoundTo,
    /// The page's anchor for the key (append to [`GLOBAL_KEYS_PAGE`]).
    pub anchor: &'static str,
}

impl KeySpec {
    /// Can a request from `caller` include this key at all?
    pub fn possible_for(&self, caller: &Caller) -> bool {
        self.availability.possible_for(caller)
    }

    /// The page and anchor that document the row.
    pub fn source(&self) -> String {
        format!("{GLOBAL_KEYS_PAGE}#{}", self.anchor)
    }

    fn matches(&self, lowercase: &str) -> bool {
        let name = self.name.as_bytes();
        let key = lowercase.as_bytes();
        if self.is_prefix {
            key.len() > name.len()
                && key
                    .get(..name.len())
                    .is_some_and(|head| head.eq_ignore_ascii_case(name))
        } else {
            key.eq_ignore_ascii_case(name)
        }
    }
}

/// The global condition keys (namespace for the table's look-ups).
pub struct GlobalKey;

impl GlobalKey {
    /// The row for `name` (case-insensitive, as key names are; `aws:PrincipalTag/team` finds the
    /// `aws:PrincipalTag/` row). `None` for keys the page does not list.
    pub fn lookup(name: &str) -> Option<&'static KeySpec> {
        GLOBAL_KEYS.iter().find(|spec| spec.matches(name))
    }

    /// Every row, in the page's order.
    pub fn all() -> &'static [KeySpec] {
        GLOBAL_KEYS
    }
}

/// Types of service-specific condition keys (`s3:max-keys`, `kms:ViaService`), as the action
/// catalogue gives them. `model` takes them from its caller: it never reads the catalogue.
pub trait ServiceKeyTypes {
    /// The type and cardinality of `key` (any case), if known.
    fn key_type(&self, key: &str) -> Option<(KeyType, Cardinality)>;
}

/// No service-key types known: service keys are checked for nothing.
pub struct NoServiceKeys;

impl ServiceKeyTypes for NoServiceKeys {
    fn key_type(&self, _key: &str) -> Option<(KeyType, Cardinality)> {
        None
    }
}

/// A map from lowercased key name to its type.
impl ServiceKeyTypes for BTreeMap<String, (KeyType, Cardinality)> {
    fn key_type(&self, key: &str) -> Option<(KeyType, Cardinality)> {
        self.get(&key.to_ascii_lowercase()).copied()
    }
}

/// The type and cardinality of any key: the global table first, then the caller's service keys.
pub fn key_type(key: &str, service: &dyn ServiceKeyTypes) -> Option<(KeyType, Cardinality)> {
    match GlobalKey::lookup(key) {
        Some(spec) => Some((spec.key_type, spec.cardinality)),
        None => service.key_type(key),
    }
}

const fn row(
    name: &'static str,
    key_type: KeyType,
    cardinality: Cardinality,
    availability: Availability,
    bound_to: BoundTo,
    anchor: &'static str,
) -> KeySpec {
    let is_prefix = matches!(name.as_bytes().last(), Some(b'/'));
    KeySpec {
        name,
        is_prefix,
        key_type,
        cardinality,
        availability,
        bound_to,
        anchor,
    }
}

use Availability as A;
use BoundTo as B;
use Cardinality::{Multi, Single};
use KeyType as T;

/// The table, in the page's order: principal properties, role session properties, network
/// properties, resource properties, request properties.
#[rustfmt::skip]
static GLOBAL_KEYS: &[KeySpec] = &[
    // Properties of the principal
    row("aws:PrincipalArn", T::Arn, Single, A::SignedRequests, B::Principal, "condition-keys-principalarn"),
    row("aws:PrincipalAccount", T::String, Single, A::SignedRequests, B::Principal, "condition-keys-principalaccount"),
    row("aws:PrincipalOrgPaths", T::String, Multi, A::PrincipalInOrganization, B::Principal, "condition-keys-principalorgpaths"),
    row("aws:PrincipalOrgID", T::String, Single, A::PrincipalInOrganization, B::Principal, "condition-keys-principalorgid"),
    row("aws:PrincipalTag/", T::String, Single, A::PrincipalTagged, B::Principal, "condition-keys-principaltag"),
    row("aws:PrincipalIsAWSService", T::Bool, Single, A::SignedRequests, B::Principal, "condition-keys-principalisawsservice"),
    row("aws:PrincipalServiceName", T::String, Single, A::ServicePrincipals, B::Principal, "condition-keys-principalservicename"),
    row("aws:PrincipalServiceNamesList", T::String, Multi, A::ServicePrincipals, B::Principal, "condition-keys-principalservicenameslist"),
    row("aws:PrincipalType", T::String, Single, A::Always, B::Principal, "condition-keys-principaltype"),
    row("aws:userid", T::String, Single, A::Always, B::Principal, "condition-keys-userid"),
    row("aws:username", T::String, Single, A::IamUsers, B::Principal, "condition-keys-username"),
    // Properties of a role session
    row("aws:AssumedRoot", T::Bool, Single, A::AssumedRoot, B::Session, "condition-keys-assumedroot"),
    row("aws:FederatedProvider", T::String, Single, A::RoleSessions, B::Session, "condition-keys-federatedprovider"),
    row("aws:TokenIssueTime", T::Date, Single, A::TemporaryCredentials, B::Session, "condition-keys-tokenissuetime"),
    row("aws:MultiFactorAuthAge", T::Numeric, Single, A::MfaAuthenticated, B::Session, "condition-keys-multifactorauthage"),
    row("aws:MultiFactorAuthPresent", T::Bool, Single, A::TemporaryCredentials, B::Session, "condition-keys-multifactorauthpresent"),
    row("aws:ChatbotSourceArn", T::Arn, Single, A::RoleSessions, B::Session, "condition-keys-chatbotsourcearn"),
    row("aws:Ec2InstanceSourceVpc", T::String, Single, A::RoleSessions, B::Session, "condition-keys-ec2instancesourcevpc"),
    row("aws:Ec2InstanceSourcePrivateIPv4", T::IpAddress, Single, A::RoleSessions, B::Session, "condition-keys-ec2instancesourceprivateip4"),
    row("aws:SourceIdentity", T::String, Single, A::RoleSessions, B::Session, "condition-keys-sourceidentity"),
    row("ec2:RoleDelivery", T::Numeric, Single, A::RoleSessions, B::Session, "condition-keys-ec2-role-delivery"),
    row("ec2:SourceInstanceArn", T::Arn, Single, A::RoleSessions, B::Session, "condition-keys-ec2-source-instance-arn"),
    row("glue:RoleAssumedBy", T::String, Single, A::RoleSessions, B::Session, "condition-keys-glue-role-assumed-by"),
    row("glue:CredentialIssuingService", T::String, Single, A::RoleSessions, B::Session, "condition-keys-glue-credential-issuing"),
    row("lambda:SourceFunctionArn", T::Arn, Single, A::RoleSessions, B::Session, "condition-keys-lambda-source-function-arn"),
    row("ssm:SourceInstanceArn", T::Arn, Single, A::RoleSessions, B::Session, "condition-keys-ssm-source-instance-arn"),
    row("identitystore:UserId", T::String, Single, A::RoleSessions, B::Session, "condition-keys-identity-store-user-id"),
    // Properties of the network
    row("aws:SourceIp", T::IpAddress, Single, A::NotViaVpcEndpoint, B::Network, "condition-keys-sourceip"),
    row("aws:SourceVpc", T::String, Single, A::ViaVpcEndpoint, B::Network, "condition-keys-sourcevpc"),
    row("aws:SourceVpcArn", T::Arn, Single, A::ViaVpcEndpoint, B::Network, "condition-keys-sourcevpcarn"),
    row("aws:SourceVpce", T::String, Single, A::ViaVpcEndpoint, B::Network, "condition-keys-sourcevpce"),
    row("aws:VpceAccount", T::String, Single, A::ViaVpcEndpoint, B::Network, "condition-keys-vpceaccount"),
    row("aws:VpceOrgID", T::String, Single, A::ViaVpcEndpoint, B::Network, "condition-keys-vpceorgid"),
    row("aws:VpceOrgPaths", T::String, Multi, A::ViaVpcEndpoint, B::Network, "condition-keys-vpceorgpaths"),
    row("aws:VpcSourceIp", T::IpAddress, Single, A::ViaVpcEndpoint, B::Network, "condition-keys-vpcsourceip"),
    // Properties of the resource
    row("aws:ResourceAccount", T::String, Single, A::ResourceOwner, B::Resource, "condition-keys-resourceaccount"),
    row("aws:ResourceOrgID", T::String, Single, A::ResourceInOrganization, B::Resource, "condition-keys-resourceorgid"),
    row("aws:ResourceOrgPaths", T::String, Multi, A::ResourceInOrganization, B::Resource, "condition-keys-resourceorgpaths"),
    row("aws:ResourceTag/", T::String, Single, A::ResourceTagged, B::Resource, "condition-keys-resourcetag"),
    // Properties of the request
    row("aws:CalledVia", T::String, Multi, A::ViaService, B::Request, "condition-keys-calledvia"),
    row("aws:CalledViaFirst", T::String, Single, A::ViaService, B::Request, "condition-keys-calledviafirst"),
    row("aws:CalledViaLast", T::String, Single, A::ViaService, B::Request, "condition-keys-calledvialast"),
    row("aws:ViaAWSService", T::Bool, Single, A::Always, B::Request, "condition-keys-viaawsservice"),
    row("aws:CurrentTime", T::Date, Single, A::Always, B::Request, "condition-keys-currenttime"),
    row("aws:EpochTime", T::DateOrNumeric, Single, A::Always, B::Request, "condition-keys-epochtime"),
    row("aws:referer", T::String, Single, A::ClientSupplied, B::Request, "condition-keys-referer"),
    row("aws:RequestedRegion", T::String, Single, A::Always, B::Request, "condition-keys-requestedregion"),
    row("aws:RequestTag/", T::String, Single, A::TagsInRequest, B::Request, "condition-keys-requesttag"),
    row("aws:TagKeys", T::String, Multi, A::TagsInRequest, B::Request, "condition-keys-tagkeys"),
    row("aws:SecureTransport", T::Bool, Single, A::Always, B::Request, "condition-keys-securetransport"),
    row("aws:SourceAccount", T::String, Single, A::ServiceOnBehalfOfResource, B::Request, "condition-keys-sourceaccount"),
    row("aws:SourceArn", T::Arn, Single, A::ServiceOnBehalfOfResource, B::Request, "condition-keys-sourcearn"),
    row("aws:SourceOrgID", T::String, Single, A::ServiceOnBehalfOfResource, B::Request, "condition-keys-sourceorgid"),
    row("aws:SourceOrgPaths", T::String, Multi, A::ServiceOnBehalfOfResource, B::Request, "condition-keys-sourceorgpaths"),
    row("aws:UserAgent", T::String, Single, A::ClientSupplied, B::Request, "condition-keys-useragent"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(text: &str) -> Caller {
        Caller::parse(text, None).unwrap()
    }

    #[test]
    fn lookup_is_case_insensitive_and_knows_tag_families() {
        let spec = GlobalKey::lookup("AWS:SOURCEIP").unwrap();
        assert_eq!(spec.key_type, KeyType::IpAddress);
        assert_eq!(
            GlobalKey::lookup("aws:PrincipalTag/team").unwrap().name,
            "aws:PrincipalTag/"
        );
        assert!(GlobalKey::lookup("aws:PrincipalTag/").is_none());
        assert!(GlobalKey::lookup("aws:NoSuchKey").is_none());
        assert!(GlobalKey::lookup("s3:prefix").is_none());
        assert_eq!(
            GlobalKey::lookup("aws:tagkeys").unwrap().cardinality,
            Cardinality::Multi
        );
    }

    #[test]
    fn every_row_is_unique_and_cites_an_anchor() {
        for (i, a) in GLOBAL_KEYS.iter().enumerate() {
            assert!(a.anchor.starts_with("condition-keys-"), "{}", a.name);
            for b in GLOBAL_KEYS.iter().skip(i + 1) {
                assert!(!a.name.eq_ignore_ascii_case(b.name), "{}", a.name);
            }
            assert_eq!(
                GlobalKey::lookup(&format!("{}x", a.name)).is_some(),
                a.is_prefix
            );
        }
    }

    #[test]
    fn availability_follows_the_caller() {
        let org = GlobalKey::lookup("aws:PrincipalOrgID").unwrap();
        assert!(org.possible_for(&caller("arn:aws:iam::111122223333:user/alice")));
        assert!(!org.possible_for(&Caller::Anonymous));
        assert!(!org.possible_for(&caller("s3.amazonaws.com")));
        let service_name = GlobalKey::lookup("aws:PrincipalServiceName").unwrap();
        assert!(service_name.possible_for(&caller("s3.amazonaws.com")));
        assert!(!service_name.possible_for(&caller("arn:aws:iam::111122223333:root")));
        let is_service = GlobalKey::lookup("aws:PrincipalIsAWSService").unwrap();
        assert!(!is_service.possible_for(&Caller::Anonymous));
        let username = GlobalKey::lookup("aws:username").unwrap();
        assert!(!username.possible_for(&caller("arn:aws:iam::111122223333:role/r")));
    }

    #[test]
    fn types_use_the_operators_readers() {
        assert!(KeyType::IpAddress.accepts("203.0.113.7"));
        assert!(!KeyType::IpAddress.accepts("203.0.113.0/24"));
        assert!(KeyType::Bool.accepts("TRUE"));
        assert!(!KeyType::Bool.accepts("yes"));
        assert!(KeyType::Date.accepts("2024-01-01T00:00:00Z"));
        assert!(!KeyType::Date.accepts("soon"));
        assert!(KeyType::DateOrNumeric.accepts("1.5"));
        assert!(KeyType::Arn.accepts("arn:aws:s3:::b"));
        assert!(!KeyType::Arn.accepts("bucket"));
        assert_eq!(
            KeyType::from_catalogue("ArrayOfARN"),
            Some((KeyType::Arn, Cardinality::Multi))
        );
        assert_eq!(KeyType::from_catalogue("Blob"), None);
    }

    #[test]
    fn service_keys_come_from_the_caller() {
        let mut map = BTreeMap::new();
        map.insert(
            "s3:max-keys".to_owned(),
            (KeyType::Numeric, Cardinality::Single),
        );
        assert_eq!(
            key_type("S3:Max-Keys", &map),
            Some((KeyType::Numeric, Cardinality::Single))
        );
        assert_eq!(key_type("s3:max-keys", &NoServiceKeys), None);
        assert_eq!(
            key_type("aws:CurrentTime", &NoServiceKeys),
            Some((KeyType::Date, Cardinality::Single))
        );
    }
}
