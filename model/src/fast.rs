//! The fast evaluator: a [`PolicySet`] compiled once into a form that answers many requests
//! quickly, with the same answers as [`crate::reference`] (the spec).
//!
//! Compilation ([`Compiled::new`]):
//! * statements are grouped as the reference evaluates them (one group per kind, one per SCP or
//!   RCP level) and numbered in the reference's order;
//! * each group has one action index per effect (`fast/index.rs`): action patterns are
//!   case-folded (D10), compiled to literal, prefix, suffix or general matchers, and filed under
//!   the service prefix they name, literal actions under their interned name. A request
//!   therefore looks at the statements that name its service (plus `*`-like patterns and
//!   `NotAction` statements), never at the others;
//! * condition keys are lowercased and policy values parsed once into their typed form
//!   (`fast/condition.rs`: decimals, dates, CIDRs, base64, globs, `ArnLike` values split into
//!   their six field globs); values with variables keep their parts, split once;
//! * `Resource` entries (`fast/resource.rs`) without wildcards, or whose only wildcard is a
//!   final `*`, become literal and prefix tests (with variables substituted piece by piece); the
//!   others are compiled once to [`crate::arn::ResourcePattern`], the one implementation of
//!   resource matching, or per request when a variable must be substituted first.
//!
//! [`Evaluator::decide`] runs the reference's decision procedure lazily: explicit denies first
//! in D50's order, stopping at the first applicable statement, then only the allows the
//! procedure needs. [`Evaluator::authorize`] evaluates every applicable group in the reference's
//! order to list every applicable statement and every missing key, then runs the same procedure.
//!
//! `decide` allocates nothing per request except in these cases: matching a `ResourcePattern`
//! (its automaton state), numeric conditions (`Decimal::parse` of the request value), resource
//! entries with a variable and other wildcards, values with variables under operators other
//! than `StringEquals`, and non-ASCII request values under `StringEqualsIgnoreCase`/`Bool`.

mod authorize;
mod compile;
mod condition;
mod index;
mod resource;

use crate::answer::Answer;
use crate::evaluator::{Evaluator, Verdict};
use crate::policy::{Policy, PolicyKind};
use crate::policy_set::PolicySet;
use crate::request::Request;
use compile::Group;
use index::Names;

/// A policy set compiled for fast evaluation.
#[derive(Clone, Debug)]
pub struct Compiled {
    names: Names,
    scp: Option<Vec<Group>>,
    rcp: Option<Vec<Group>>,
    vpc_endpoint: Option<Group>,
    boundary: Option<Group>,
    /// `None` when there are no session policies: then they do not apply at all.
    session: Option<Group>,
    identity: Group,
    resource: Option<Group>,
    resource_kind: PolicyKind,
    has_boundary: bool,
    /// How many groups there are (their ids are `0..groups`).
    groups: usize,
}

impl Compiled {
    /// Compiles `policies`; linear in their size.
    pub fn new(policies: &PolicySet) -> Compiled {
        use PolicyKind::*;
        let mut c = Compiler::default();
        let resource_kind = policies.resource_kind.unwrap_or(Resource);
        let scp = policies.scp.as_ref().map(|levels| c.levels(Scp, levels));
        let rcp = policies.rcp.as_ref().map(|levels| c.levels(Rcp, levels));
        let vpc_endpoint = policies
            .vpc_endpoint
            .as_ref()
            .map(|p| c.group(VpcEndpoint, None, std::slice::from_ref(p)));
        let boundary = policies
            .permission_boundary
            .as_ref()
            .map(|p| c.group(PermissionBoundary, None, std::slice::from_ref(p)));
        let session =
            (!policies.session.is_empty()).then(|| c.group(Session, None, &policies.session));
        let identity = c.group(Identity, None, &policies.identity);
        let resource = policies
            .resource
            .as_ref()
            .map(|p| c.group(resource_kind, None, std::slice::from_ref(p)));
        Compiled {
            names: c.names,
            scp,
            rcp,
            vpc_endpoint,
            boundary,
            session,
            identity,
            resource,
            resource_kind,
            has_boundary: policies.permission_boundary.is_some(),
            groups: c.groups,
        }
    }
}

#[derive(Default)]
struct Compiler {
    names: Names,
    groups: usize,
}

impl Compiler {
    fn group(&mut self, kind: PolicyKind, level: Option<usize>, policies: &[Policy]) -> Group {
        let id = self.groups;
        self.groups += 1;
        Group::compile(id, kind, level, policies, &mut self.names)
    }

    fn levels(&mut self, kind: PolicyKind, levels: &[Vec<Policy>]) -> Vec<Group> {
        levels
            .iter()
            .enumerate()
            .map(|(level, policies)| self.group(kind, Some(level), policies))
            .collect()
    }
}

impl Evaluator for Compiled {
    fn decide(&self, request: &Request) -> Verdict {
        let (decision, deciding) = authorize::decide(self, request);
        Verdict { decision, deciding }
    }

    fn authorize(&self, request: &Request) -> Answer {
        authorize::authorize(self, request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answer::Decision;
    use crate::json::{Json, JsonPath};
    use crate::reference;

    fn request(text: &str) -> Request {
        Request::from_json(&Json::parse(text).unwrap(), &JsonPath::root()).unwrap()
    }

    /// Decides with both evaluators, checks that they agree, and returns the answer.
    fn answer(request_text: &str, policies: &str) -> Answer {
        let request = request(request_text);
        let policies = PolicySet::from_json(
            &Json::parse(policies).unwrap(),
            &JsonPath::root(),
            &request.action,
        )
        .unwrap();
        agreed(&request, &policies)
    }

    fn agreed(request: &Request, policies: &PolicySet) -> Answer {
        let expected = reference::authorize(policies, request);
        let compiled = Compiled::new(policies);
        let got = compiled.authorize(request);
        assert_eq!(got, expected);
        let verdict = compiled.decide(request);
        assert_eq!(
            (verdict.decision, verdict.deciding),
            (got.decision, got.deciding)
        );
        got
    }

    fn alice(action: &str) -> String {
        format!(
            r#"{{"principal":"arn:aws:iam::111122223333:user/alice","action":"{action}","resource":"arn:aws:s3:::b/k"}}"#
        )
    }

    // D68-D71: both evaluators refuse what the policies allow on a protected resource, report
    // the policies' own denial otherwise, and say which guard rail refused.
    #[test]
    fn guard_rails_refuse_what_the_policies_allow() {
        use crate::guard_rail::GuardRail;
        let admin = r#"{"identity": [{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"*","Resource":"*"}]}]}"#;
        let ask = |principal: &str, action: &str, resource: &str, policies: &str| {
            let text = format!(
                r#"{{"principal":"{principal}","action":"{action}","resource":"{resource}"}}"#
            );
            (request(&text), answer(&text, policies))
        };
        let alice = "arn:aws:iam::111122223333:user/alice";
        let slr = "arn:aws:iam::111122223333:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport";
        let sso = "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef";
        let managed = "arn:aws:iam::aws:policy/AdministratorAccess";
        let mut messages = Vec::new();
        for (action, resource, rail) in [
            (
                "iam:CreatePolicyVersion",
                managed,
                GuardRail::AwsManagedPolicy,
            ),
            ("iam:DeleteRole", slr, GuardRail::ServiceLinkedRole),
            (
                "iam:UpdateAssumeRolePolicy",
                sso,
                GuardRail::IdentityCenterRole,
            ),
        ] {
            let (request, a) = ask(alice, action, resource, admin);
            assert_eq!(
                (a.decision, a.deciding, a.guard_rail),
                (Decision::ImplicitDeny, None, Some(rail))
            );
            // The statement that allowed is still shown.
            assert_eq!(a.matched.len(), 1);
            messages.push(a.message(&request));
        }
        insta::assert_snapshot!(messages.join("\n"));
        // The way to delete a service-linked role is not refused.
        let (_, a) = ask(alice, "iam:DeleteServiceLinkedRole", slr, admin);
        assert_eq!((a.decision, a.guard_rail), (Decision::Allow, None));
        // A denial by the policies is reported as they deny it.
        let (_, a) = ask(alice, "iam:DeleteRole", slr, r#"{"identity": []}"#);
        assert_eq!(
            (a.decision, a.deciding, a.guard_rail),
            (Decision::ImplicitDeny, Some(PolicyKind::Identity), None)
        );
        let deny = r#"{"identity": [{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"*","Resource":"*"},
            {"Effect":"Deny","Action":"iam:Delete*","Resource":"*"}]}]}"#;
        let (_, a) = ask(alice, "iam:DeleteRole", slr, deny);
        assert_eq!(
            (a.decision, a.deciding, a.guard_rail),
            (Decision::ExplicitDeny, Some(PolicyKind::Identity), None)
        );
    }

    #[test]
    fn compiled_sets_can_be_shared_between_threads() {
        fn shared<T: Send + Sync>() {}
        shared::<Compiled>();
    }

    // §2.1: NotAction statements are found for every action they do not list.
    #[test]
    fn not_action_in_an_scp_and_an_identity_policy() {
        let policies = r#"{
            "identity": [{"Version":"2012-10-17","Statement":[
                {"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}],
            "scp": [[{"Version":"2012-10-17","Statement":[
                {"Effect":"Allow","Action":"*","Resource":"*"},
                {"Effect":"Deny","NotAction":["s3:*","iam:*"],"Resource":"*"}]}]]
        }"#;
        let a = answer(&alice("s3:GetObject"), policies);
        assert_eq!(a.decision, Decision::Allow);
        let a = answer(&alice("ec2:RunInstances"), policies);
        assert_eq!(
            (a.decision, a.deciding),
            (Decision::ExplicitDeny, Some(PolicyKind::Scp))
        );
        let a = answer(&alice("iam:CreateUser"), policies);
        assert_eq!(
            (a.decision, a.deciding),
            (Decision::ImplicitDeny, Some(PolicyKind::Identity))
        );
    }

    // D10: folded prefixes, suffixes and `?` in the service prefix all grant (some of these
    // patterns fail validation, so the policy is parsed but not validated).
    #[test]
    fn folded_and_unindexable_patterns_grant() {
        for pattern in ["S3:GET*", "*Object", "?3:GetObject", "s3*", "*:getobject"] {
            let policy = Policy::parse(&format!(
                r#"{{"Version":"2012-10-17","Statement":[
                    {{"Effect":"Allow","Action":["ec2:*","{pattern}"],"Resource":"*"}}]}}"#
            ))
            .unwrap();
            let policies = PolicySet {
                identity: vec![policy],
                ..PolicySet::default()
            };
            let a = agreed(&request(&alice("s3:GetObject")), &policies);
            assert_eq!(a.decision, Decision::Allow, "{pattern}");
            let a = agreed(&request(&alice("sqs:SendMessage")), &policies);
            assert_eq!(a.decision, Decision::ImplicitDeny, "{pattern}");
        }
    }

    // The explanation lists every applicable statement in the reference's order, and reports a
    // missing key in the spelling first met (KeyLog).
    #[test]
    fn explanation_order_and_missing_key_spelling() {
        let policies = r#"{
            "permission_boundary": {"Version":"2012-10-17","Statement":[
                {"Effect":"Allow","Action":"s3:*","Resource":"*",
                 "Condition":{"StringEqualsIfExists":{"AWS:SourceVpc":"vpc-1"}}}]},
            "identity": [
                {"Version":"2012-10-17","Statement":[
                    {"Sid":"B","Effect":"Allow","Action":"s3:Get*","Resource":"*"},
                    {"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":"*",
                     "Condition":{"StringNotEquals":{"aws:sourcevpc":"vpc-2",
                                                     "s3:prefix":"home/${aws:PrincipalTag/team}"}}}]},
                {"Version":"2012-10-17","Statement":[
                    {"Effect":"Allow","Action":["s3:GetObject","s3:*"],"Resource":"arn:aws:s3:::b/*"}]}]
        }"#;
        let a = answer(&alice("s3:GetObject"), policies);
        let refs: Vec<String> = a.matched.iter().map(|m| m.to_string()).collect();
        assert_eq!(
            refs,
            [
                "permission_boundary[0].Statement[0] Allow",
                "identity[0].Statement[0] (Sid `B`) Allow",
                "identity[0].Statement[1] (Sid `A`) Allow",
                "identity[1].Statement[0] Allow",
            ]
        );
        assert_eq!(a.missing_keys, ["AWS:SourceVpc", "s3:prefix"]);
    }

    // D21–D25, D36: conditions evaluated from compiled values, with variables.
    #[test]
    fn compiled_conditions_with_variables_and_sets() {
        let policies = r#"{"identity":[{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:username}*",
             "Condition":{
                "StringEquals":{"aws:PrincipalTag/team":["x","${aws:username}-team"]},
                "ForAllValues:StringLike":{"aws:TagKeys":["${aws:username}/*","env"]},
                "NumericLessThan":{"s3:max-keys":"10"},
                "IpAddress":{"aws:SourceIp":"203.0.113.7/24"},
                "DateGreaterThan":{"aws:CurrentTime":"2024-01-01"},
                "Bool":{"aws:SecureTransport":"TRUE"}}}]}]}"#;
        let request = |team: &str, keys: &str| {
            format!(
                r#"{{"principal":"arn:aws:iam::111122223333:user/k","action":"s3:GetObject",
                    "resource":"arn:aws:s3:::b/k1","context":{{"aws:PrincipalTag/team":"{team}",
                    "aws:TagKeys":{keys},"s3:max-keys":"9.5","aws:SourceIp":"203.0.113.200",
                    "aws:CurrentTime":"2024-06-01T00:00:00Z","aws:SecureTransport":"true"}}}}"#
            )
        };
        let a = answer(&request("k-team", r#"["k/a","env"]"#), policies);
        assert_eq!(a.decision, Decision::Allow);
        let a = answer(&request("k-team", r#"["k/a","other"]"#), policies);
        assert_eq!(a.decision, Decision::ImplicitDeny);
        let a = answer(&request("j-team", r#"["k/a"]"#), policies);
        assert_eq!(a.decision, Decision::ImplicitDeny);
    }
}
