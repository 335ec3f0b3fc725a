//! The list of checks: stable ids, default severities and one-line titles. `docs/lint-checks.md`
//! has a section per id (a test keeps the two in step).

use super::LintSeverity;
use LintSeverity::{Error, SecurityWarning, Suggestion, Warning};

/// Where a check lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Origin {
    /// The model's policy validation ([`iamspec_model::policy::check`]), reported by lint as is.
    Validation,
    /// Lint itself, with the action catalogue.
    Lint,
}

/// One check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Check {
    /// Stable kebab-case id (`unknown-action`).
    pub id: &'static str,
    /// The usual severity. Some validation checks are errors in one policy kind and warnings in
    /// another; a finding carries its own severity.
    pub severity: LintSeverity,
    /// What the check finds, in a few words.
    pub title: &'static str,
    /// Who runs it.
    pub origin: Origin,
}

const fn validation(id: &'static str, severity: LintSeverity, title: &'static str) -> Check {
    Check {
        id,
        severity,
        title,
        origin: Origin::Validation,
    }
}

const fn lint(id: &'static str, severity: LintSeverity, title: &'static str) -> Check {
    Check {
        id,
        severity,
        title,
        origin: Origin::Lint,
    }
}

/// Every check, validation's first, then lint's by group.
pub const CHECKS: &[Check] = &[
    // ---- validation (the model) ----
    validation("json-syntax", Error, "The document is not JSON"),
    validation("wrong-type", Error, "An element has the wrong JSON type"),
    validation("duplicate-key", Error, "An element appears twice in one object"),
    validation("unknown-element", Error, "An element that is not part of the policy grammar"),
    validation("missing-element", Error, "A required element is missing"),
    validation("conflicting-elements", Error, "Both an element and its `Not` form"),
    validation("empty-list", Error, "An empty list"),
    validation("invalid-character", Error, "A character outside what policies allow"),
    validation("invalid-version", Error, "An unknown or disallowed `Version`"),
    validation("invalid-effect", Error, "An `Effect` other than `Allow` or `Deny`"),
    validation("invalid-principal", Error, "A principal value of the wrong form"),
    validation("unknown-operator", Error, "An unknown or malformed condition operator"),
    validation("duplicate-sid", Error, "Two statements share a `Sid`"),
    validation("invalid-sid", Error, "A `Sid` with characters IAM does not allow"),
    validation("principal-not-allowed", Error, "A principal in a policy kind that takes none"),
    validation("missing-principal", Error, "No principal in a policy kind that needs one"),
    validation("not-principal-not-allowed", Error, "`NotPrincipal` where it is not allowed"),
    validation("rcp-principal", Error, "An RCP principal other than `*`"),
    validation("principal-wildcard", Error, "A wildcard inside a principal value"),
    validation("missing-resource", Error, "No `Resource` or `NotResource`"),
    validation("invalid-action", Error, "An action that is not `service:Action` or `*`"),
    validation("invalid-resource", Error, "A resource that is not an ARN or `*`"),
    validation("invalid-condition-key", Error, "An empty condition key"),
    validation("invalid-condition-value", Error, "A condition value the operator cannot read"),
    validation("variable-not-allowed", Error, "A policy variable where none is allowed"),
    validation("quota-policy-size", Error, "The policy is larger than its kind allows"),
    validation("quota-trust-policy-size", Warning, "A trust policy over the default quota"),
    validation("quota-managed-policy-size", Warning, "An identity policy or boundary over the customer managed quota"),
    validation("missing-version", Warning, "No `Version` element"),
    validation("not-principal-with-allow", Error, "`NotPrincipal` with `Allow`"),
    validation("unusual-service-principal", Warning, "A service principal of unusual form"),
    validation("invalid-canonical-user", Warning, "A canonical user id of the wrong form"),
    validation("service-wildcard", Warning, "A wildcard in an action's service prefix"),
    validation("trust-action", Warning, "A non-STS action in a trust policy"),
    validation("short-arn", Warning, "A resource ARN with fewer than six fields"),
    validation("resource-service-wildcard", Warning, "A wildcard in an ARN's service field"),
    validation("variable-not-substituted", Warning, "A policy variable that stays literal text"),
    validation("for-all-values-without-null", Warning, "`ForAllValues` in an `Allow` without a `Null` guard"),
    // ---- lint: actions ----
    lint("unknown-service", Warning, "An action of a service the catalogue does not know"),
    lint("unknown-action", Warning, "An action the service does not have"),
    lint("action-matches-nothing", Warning, "An action pattern that matches no action"),
    lint("action-case", Suggestion, "An action spelled in a different case than documented"),
    lint("duplicate-action", Suggestion, "The same action twice in one statement"),
    lint("redundant-action", Suggestion, "An action already covered by another entry"),
    lint("full-service-access", Warning, "`Allow` of every action of a service (`svc:*`)"),
    // ---- lint: resources ----
    lint("resource-matches-no-resource-type", Warning, "A resource that no action of the statement acts on"),
    lint("arn-region-not-allowed", Warning, "A region in an ARN of a service whose ARNs have none"),
    lint("arn-account-not-allowed", Warning, "An account in an ARN of a service whose ARNs have none"),
    lint("arn-missing-region", Warning, "No region in an ARN of a service whose ARNs have one"),
    lint("arn-missing-account", Warning, "No account in an ARN of a service whose ARNs have one"),
    lint("invalid-arn-partition", Error, "An ARN partition that does not exist"),
    lint("invalid-arn-region", Error, "An ARN region that is not a region name"),
    lint("unknown-arn-region", Warning, "An ARN region that is no Region AWS publishes"),
    lint("invalid-arn-account", Error, "An ARN account that is not a 12-digit account id"),
    lint("arn-service-case", Error, "An ARN service name that is not lowercase"),
    lint("unknown-arn-service", Warning, "An ARN service name the catalogue does not know"),
    lint("variable-before-resource-field", Warning, "A policy variable in the first five fields of a resource ARN"),
    lint("resource-type-wildcard", Warning, "A wildcard in place of the resource type"),
    lint("wildcard-only-action-resource", Warning, "An action that supports only `*` given a specific resource"),
    lint("action-matches-no-resource", Warning, "An action none of whose resource types the statement's resources can be"),
    lint("duplicate-resource", Suggestion, "The same resource twice in one statement"),
    lint("redundant-resource", Suggestion, "A resource already covered by another entry"),
    // ---- lint: conditions ----
    lint("unknown-global-condition-key", Error, "An `aws:` condition key that does not exist"),
    lint("unknown-service-condition-key", Warning, "A service condition key the service does not define"),
    lint("unsupported-condition-key", Warning, "A condition key no action of the statement supports"),
    lint("unsupported-tag-key-allow", Suggestion, "`Allow` conditioned on a tag key a service does not support (a security warning when the condition then always holds)"),
    lint("unsupported-tag-key-deny", SecurityWarning, "`Deny` conditioned on a tag key a service does not support"),
    lint("operator-type-mismatch", Warning, "An operator of another type than the key's"),
    lint("prefer-arn-operator", Suggestion, "A string operator on an ARN key"),
    lint("for-all-values-single-valued", SecurityWarning, "`ForAllValues` on a single-valued key"),
    lint("for-any-value-single-valued", Warning, "`ForAnyValue` on a single-valued key"),
    lint("missing-set-qualifier", Error, "A multivalued key without `ForAllValues`/`ForAnyValue`"),
    lint("mfa-bool-deny", SecurityWarning, "`Deny` on `aws:MultiFactorAuthPresent` false without `IfExists`"),
    lint("mfa-if-exists-allow", SecurityWarning, "`Allow` on `aws:MultiFactorAuthPresent` true with `IfExists`"),
    lint("bool-multiple-values", Warning, "A `Bool` condition with several values"),
    lint("duplicate-condition-value", Suggestion, "The same value twice under one key"),
    lint("string-like-without-wildcard", Suggestion, "`StringLike` with no wildcard in its values"),
    lint("wildcard-in-string-equals", Warning, "A `*` or `?` in a `StringEquals` value"),
    lint("wildcard-in-sensitive-key", SecurityWarning, "A wildcard in an account or organization key"),
    lint("private-source-ip", Error, "A private address range in `aws:SourceIp`"),
    lint("deprecated-condition-key", Warning, "A deprecated global condition key"),
    lint("condition-key-case", Suggestion, "A condition key spelled in a different case than documented"),
    lint("empty-condition-value", Warning, "An empty string as a condition value"),
    lint("redundant-if-exists", Suggestion, "`IfExists` on a negated operator"),
    // ---- lint: statements ----
    lint("allow-all", SecurityWarning, "`Allow` of every action on every resource"),
    lint("allow-not-action", SecurityWarning, "`Allow` with `NotAction`"),
    lint("allow-not-resource", SecurityWarning, "`Allow` with `NotResource`"),
    lint("pass-role-star", SecurityWarning, "`iam:PassRole` on every role"),
    lint("deny-all", Warning, "An unconditional `Deny` of every action on every resource"),
    lint("duplicate-statement", Suggestion, "Two statements that say the same"),
    lint("redundant-statement", Suggestion, "A statement covered by another"),
    lint("privilege-escalation", SecurityWarning, "Actions that together allow privilege escalation, on every resource"),
    lint("credentials-exposure", SecurityWarning, "Actions that return credentials, on every resource"),
    lint("data-exfiltration", SecurityWarning, "Actions that read objects, parameters or secrets, on every resource"),
    lint("resource-exposure", SecurityWarning, "Permissions-management actions on every resource"),
    lint("pass-role-wildcard-role", SecurityWarning, "`iam:PassRole` on a role ARN with a wildcard in the name"),
    lint("create-service-linked-role-star", SecurityWarning, "`iam:CreateServiceLinkedRole` on every resource"),
    // ---- lint: trust policies ----
    lint("oidc-without-subject", SecurityWarning, "An OIDC trust without a `sub` condition, or with a wildcard `sub`"),
    lint("federated-action-mismatch", Error, "A SAML or OIDC principal with the other kind's `sts:` action"),
    lint("invalid-federated-principal", Error, "A `Federated` value that is no identity provider"),
    lint("trust-policy-resource", Error, "`Resource` in a role trust policy"),
    lint("roles-anywhere-missing-actions", Error, "An IAM Roles Anywhere trust without `sts:TagSession` and `sts:SetSourceIdentity`"),
    // ---- lint: principals ----
    lint("federated-principal-in-resource-policy", Warning, "A `Federated` principal in a resource policy"),
    lint("unique-id-principal", Warning, "A principal given by unique id (`AROA…`, `AIDA…`)"),
    lint("redundant-principal", Suggestion, "A principal already included by its account's"),
    lint("key-principal-never-sends", Warning, "A condition key the statement's principals never send"),
    // ---- lint: condition values ----
    lint("condition-key-partly-supported", Warning, "A service condition key only some of the statement's actions support"),
    lint("condition-key-repeated-case", Warning, "The same condition key twice under one operator, in different case"),
    lint("unknown-region-value", Warning, "A region condition value that is no Region AWS publishes"),
    lint("malformed-vpc-id", Warning, "A `vpc-`/`vpce-` condition value of the wrong form"),
    lint("cidr-host-bits", Warning, "A CIDR with bits set after its prefix"),
    lint("redundant-numeric-bound", Suggestion, "A numeric bound that another of the same key implies (ORed values, or ANDed operators)"),
    lint("contradictory-bounds", Warning, "`Numeric…`/`Date…` bounds on one key that no value meets together"),
    lint("arn-value-unknown-region", Warning, "An ARN condition value whose region is no Region AWS publishes"),
    lint("policy-variable-syntax", Warning, "A malformed or unknown policy variable"),
    // ---- lint: the attached resource (`--resource`) ----
    lint("resource-not-attached", Error, "A statement whose resources cannot be the resource the policy is attached to"),
    lint("action-not-for-resource", Warning, "An action that cannot act on the resource the policy is attached to"),
    // ---- lint: principals (existing) ----
    lint("public-access", SecurityWarning, "A resource policy that allows everyone"),
    lint("service-principal-without-source", SecurityWarning, "A service principal without `aws:SourceArn`/`aws:SourceAccount`"),
    lint("federated-without-condition", SecurityWarning, "A web-identity trust without an audience or subject condition"),
    lint("duplicate-principal", Suggestion, "The same principal twice"),
    // ---- lint: document ----
    lint("policy-size-near-quota", Suggestion, "The policy is within 10% of its size quota"),
    lint("legacy-version", Suggestion, "`Version` 2008-10-17"),
];

/// The check with this id.
pub fn check(id: &str) -> Option<&'static Check> {
    CHECKS.iter().find(|c| c.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_kebab_case() {
        let mut ids: Vec<&str> = CHECKS.iter().map(|c| c.id).collect();
        ids.sort_unstable();
        let before = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), before, "duplicate ids");
        for id in ids {
            assert!(
                id.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{id}"
            );
        }
    }

    #[test]
    fn at_least_forty_lint_checks_in_four_severities() {
        let own: Vec<&Check> = CHECKS.iter().filter(|c| c.origin == Origin::Lint).collect();
        assert!(own.len() >= 40, "{}", own.len());
        for severity in LintSeverity::ALL {
            assert!(own.iter().any(|c| c.severity == severity), "{severity}");
        }
    }
}
