//! The world on real exports (`../shared/data/gaad/`, skipped with a message when absent), on
//! the example snapshot (`examples/world/`), on hostile input, and the differential property:
//! the policy sets assembled from generated worlds decide alike under `reference` and `fast`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use iamspec_model::evaluator::{Evaluator, Reference};
use iamspec_model::json::Json;
use iamspec_model::Decision;
use iamspec_world::snapshot::{self, from_gaad_pages, from_json};
use iamspec_world::{synth, Query, World};
use proptest::prelude::*;
use std::path::{Path, PathBuf};

fn shared(name: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data/gaad")
        .join(name);
    if path.exists() {
        Some(path)
    } else {
        eprintln_uncaptured(format_args!("skipped: {} is absent", path.display()));
        None
    }
}

fn example() -> World {
    snapshot::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/world")).unwrap()
}

fn query(principal: &str, action: &str, resource: &str, context: &[(&str, &str)]) -> Query {
    Query {
        principal: principal.into(),
        action: action.into(),
        resource: resource.into(),
        context: context
            .iter()
            .map(|(k, v)| {
                (
                    (*k).to_owned(),
                    iamspec_model::request::ContextValue::Single((*v).to_owned()),
                )
            })
            .collect(),
        session_policies: Vec::new(),
    }
}

const EU: &[(&str, &str)] = &[("aws:RequestedRegion", "eu-west-1")];
const US: &[(&str, &str)] = &[("aws:RequestedRegion", "us-east-1")];
const ALICE: &str = "arn:aws:iam::222222222222:user/alice";
const BOB: &str = "arn:aws:iam::222222222222:user/ops/bob";
const DEPLOYER: &str = "arn:aws:iam::222222222222:role/deploy/deployer";
const OBJECT: &str = "arn:aws:s3:::example-app-data/report.csv";

#[test]
fn cloudsplaining_sample_loads_with_boto3_dates() {
    let Some(path) = shared("cloudsplaining-example-authz-details.json") else {
        return;
    };
    let world = snapshot::load(&path).unwrap();
    let account = &world.accounts[0];
    assert_eq!(account.id, "012345678901");
    assert_eq!(
        (
            account.users.len(),
            account.groups.len(),
            account.roles.len(),
            account.policies.len()
        ),
        (3, 2, 3, 32)
    );
    let obama = account.user_named("obama").unwrap();
    assert_eq!(
        obama.create_date.unwrap().to_string(),
        "2019-12-18T19:10:08Z"
    );
    // AdministratorAccess through both the user and the `admin` group.
    let a = world
        .access(&query(
            "arn:aws:iam::012345678901:user/obama",
            "iam:CreateUser",
            "*",
            &[],
        ))
        .unwrap();
    assert_eq!(a.decision, Decision::Allow);
    assert!(
        a.reasons
            .iter()
            .any(|r| r.contains("managed policy `AdministratorAccess` attached to group `admin`")),
        "{:?}",
        a.reasons
    );
    // Two versions of one AWS managed policy: only the default one is in force.
    let codecommit = account
        .policy("arn:aws:iam::aws:policy/AWSCodeCommitPowerUser")
        .unwrap();
    assert_eq!(codecommit.versions.len(), 2);
    assert!(codecommit.default_document().unwrap().policy.is_some());
}

#[test]
fn cloudmapper_sample_and_its_credential_report() {
    let (Some(gaad), Some(report)) = (
        shared("cloudmapper-demo-gaad.json"),
        shared("cloudmapper-demo-credential-report.json"),
    ) else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("iamspec-world-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let snapshot = serde_json::json!({"format": "iamspec-snapshot/1", "accounts": [{"id": "123456789012",
        "gaad": gaad.display().to_string(), "credential_report": report.display().to_string()}]});
    std::fs::write(dir.join("snapshot.json"), snapshot.to_string()).unwrap();
    let world = snapshot::load(&dir).unwrap();
    let account = &world.accounts[0];
    assert_eq!(account.roles.len(), 4);
    assert!(account.root.known && account.root.mfa_active);
    assert_eq!(account.root.access_keys.len(), 1);
    // The report's users are not the GAAD's (`arn:aws:iam::aws:user/...`): reported, not fatal.
    assert!(
        world.findings.iter().any(|f| f.code == "unknown-user"),
        "{:?}",
        world.findings
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_missing_managed_policy_is_reported_and_fails_closed() {
    let Some(path) = shared("cloudsplaining-managed-policy-mismatch.json") else {
        return;
    };
    let world = snapshot::load(&path).unwrap();
    let finding = world
        .findings
        .iter()
        .find(|f| f.code == "missing-policy")
        .unwrap();
    assert!(
        finding.message.contains("AWSLambdaReadOnlyAccess"),
        "{finding}"
    );
    assert_eq!(
        finding.path.to_string(),
        "GroupDetailList[0].AttachedManagedPolicies[0]"
    );
    assert!(finding
        .file
        .ends_with("cloudsplaining-managed-policy-mismatch.json"));
}

#[test]
fn fail_closed_turns_an_allow_into_a_denial() {
    let mut gaad: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../examples/world/accounts/222222222222-gaad.json"),
        )
        .unwrap(),
    )
    .unwrap();
    // Attach a policy the file does not hold to the group `developers`.
    gaad["GroupDetailList"][0]["AttachedManagedPolicies"]
        .as_array_mut()
        .unwrap()
        .push(
            serde_json::json!({"PolicyName": "Gone", "PolicyArn": "arn:aws:iam::aws:policy/Gone"}),
        );
    let world =
        from_gaad_pages(&[("g.json".into(), Json::parse(&gaad.to_string()).unwrap())]).unwrap();
    let a = world
        .access(&query(ALICE, "s3:GetObject", OBJECT, &[]))
        .unwrap();
    assert_eq!(a.evaluated.decision, Decision::Allow);
    assert_eq!(a.decision, Decision::ImplicitDeny);
    assert!(a.unavailable[0].contains("arn:aws:iam::aws:policy/Gone"));
}

/// RFC 3986 percent-encoding of every byte outside the unreserved set.
fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn encode_documents(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if matches!(
                    key.as_str(),
                    "PolicyDocument" | "Document" | "AssumeRolePolicyDocument"
                ) && v.is_object()
                {
                    *v = serde_json::Value::String(url_encode(&v.to_string()));
                } else {
                    encode_documents(v);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(encode_documents),
        _ => {}
    }
}

#[test]
fn url_encoded_documents_and_split_pages_load_alike() {
    let Some(path) = shared("cloudsplaining-example-authz-details.json") else {
        return;
    };
    let text = std::fs::read_to_string(&path).unwrap();
    let plain = snapshot::load(&path).unwrap();
    let mut encoded: serde_json::Value = serde_json::from_str(&text).unwrap();
    encode_documents(&mut encoded);
    assert!(encoded["Policies"][0]["PolicyVersionList"][0]["Document"]
        .as_str()
        .unwrap()
        .starts_with("%7B"));
    // Two pages: the users and groups on the first, the rest on the second.
    let mut second = encoded.clone();
    for key in ["UserDetailList", "GroupDetailList"] {
        second.as_object_mut().unwrap().remove(key);
    }
    for key in ["RoleDetailList", "Policies"] {
        encoded.as_object_mut().unwrap().remove(key);
    }
    let pages = [
        (
            "p1.json".to_owned(),
            Json::parse(&encoded.to_string()).unwrap(),
        ),
        (
            "p2.json".to_owned(),
            Json::parse(&second.to_string()).unwrap(),
        ),
    ];
    let merged = from_gaad_pages(&pages).unwrap();
    for principal in plain.principals().collect::<Vec<_>>() {
        for action in [
            "s3:GetObject",
            "iam:CreateUser",
            "ec2:RunInstances",
            "lambda:InvokeFunction",
        ] {
            let q = query(principal, action, "*", &[]);
            let (a, b) = (plain.assemble(&q).unwrap(), merged.assemble(&q).unwrap());
            assert_eq!(a.set, b.set, "{principal} {action}");
            assert_eq!(
                plain.access(&q).unwrap().decision,
                merged.access(&q).unwrap().decision
            );
        }
    }
}

#[test]
fn example_scp_deny_is_named_with_its_ou() {
    let world = example();
    assert!(world.findings.is_empty(), "{:?}", world.findings);
    let a = world
        .access(&query(ALICE, "s3:GetObject", OBJECT, US))
        .unwrap();
    assert_eq!(a.decision, Decision::ExplicitDeny);
    assert_eq!(a.reasons, ["explicit deny in SCP `DenyOutsideEU` attached to OU `Workloads`, Statement[0] (Sid `DenyOutsideEU`)"]);
    let a = world
        .access(&query(ALICE, "s3:GetObject", OBJECT, EU))
        .unwrap();
    assert_eq!(a.decision, Decision::Allow);
    assert!(a.reasons[0]
        .starts_with("allowed by managed policy `AppDataRead` attached to group `developers`"));
    let a = world
        .access(&query(ALICE, "s3:PutObject", OBJECT, EU))
        .unwrap();
    assert_eq!(a.decision, Decision::ImplicitDeny);
    assert_eq!(a.reasons, ["no identity-based policy allows s3:PutObject: inline policy `DenyDeleteBucket` of group `developers`; managed policy `AppDataRead` attached to group `developers`"]);
}

#[test]
fn example_trust_boundary_and_derived_context() {
    let world = example();
    // bob may assume the deployer role: his inline policy (URL-encoded in the file), his boundary, its trust policy.
    let a = world
        .access(&query(BOB, "sts:AssumeRole", DEPLOYER, &[]))
        .unwrap();
    assert_eq!(a.decision, Decision::Allow, "{:?}", a.reasons);
    let a = world
        .access(&query(ALICE, "sts:AssumeRole", DEPLOYER, &[]))
        .unwrap();
    assert_eq!(a.decision, Decision::ImplicitDeny);
    assert!(
        a.reasons[0].starts_with("no identity-based policy allows sts:AssumeRole"),
        "{:?}",
        a.reasons
    );
    // carol (dev account) is not trusted by the deployer role: the trust policy says no.
    let a = world
        .access(&query(
            "arn:aws:iam::333333333333:user/carol",
            "sts:AssumeRole",
            DEPLOYER,
            &[],
        ))
        .unwrap();
    assert_eq!(a.decision, Decision::ImplicitDeny);
    assert!(
        a.reasons
            .iter()
            .any(|r| r.contains("trust policy `deployer` of role `deployer`")),
        "{:?}",
        a.reasons
    );
    // bob's boundary does not allow s3:PutObject even if a policy did.
    let a = world
        .access(&query(BOB, "s3:PutObject", OBJECT, EU))
        .unwrap();
    assert_ne!(a.decision, Decision::Allow);
    // The key policy's grant to the role, from a session of it.
    let key = "arn:aws:kms:eu-west-1:222222222222:key/0b7e2f4c-1d2a-4c3b-9e8f-5a6b7c8d9e0f";
    let a = world
        .access(&query(
            "arn:aws:sts::222222222222:assumed-role/deployer/ci",
            "kms:Encrypt",
            key,
            EU,
        ))
        .unwrap();
    assert_eq!(a.decision, Decision::Allow, "{:?}", a.reasons);
    let get = |k: &str| {
        a.context
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(k))
            .map(|(_, v)| v.join(","))
    };
    assert_eq!(
        get("aws:userid").as_deref(),
        Some("AROAEXAMPLEDEPLOYER1:ci")
    );
    assert_eq!(get("aws:PrincipalTag/team").as_deref(), Some("platform"));
    assert_eq!(get("aws:ResourceTag/env").as_deref(), Some("prod"));
    assert_eq!(get("aws:PrincipalOrgID").as_deref(), Some("o-exampleorg1"));
    assert_eq!(
        get("aws:PrincipalOrgPaths").as_deref(),
        Some("o-exampleorg1/r-ex12/ou-ex12-workload/")
    );
    assert_eq!(get("aws:ResourceOrgID").as_deref(), Some("o-exampleorg1"));
    assert_eq!(get("aws:PrincipalArn").as_deref(), Some(DEPLOYER));
    // alice's conditional grant on keys needs her tag: derived from the world.
    let a = world.access(&query(ALICE, "kms:Decrypt", key, EU)).unwrap();
    assert_eq!(a.decision, Decision::Allow, "{:?}", a.reasons);
}

#[test]
fn example_organization_levels() {
    let world = example();
    // The management account has no SCPs.
    let a = world
        .access(&query(
            "arn:aws:iam::111111111111:user/org-admin",
            "ec2:RunInstances",
            "*",
            US,
        ))
        .unwrap();
    assert_eq!(a.decision, Decision::Allow);
    // A service-linked role is exempt from the SCP that denies outside the EU.
    let slr = "arn:aws:iam::222222222222:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport";
    let a = world
        .access(&query(slr, "ec2:DescribeInstances", "*", US))
        .unwrap();
    assert_eq!(a.decision, Decision::Allow, "{:?}", a.reasons);
    // The Sandbox SCP stops carol, an administrator of the dev account.
    let a = world
        .access(&query(
            "arn:aws:iam::333333333333:user/carol",
            "iam:CreateUser",
            "*",
            &[],
        ))
        .unwrap();
    assert_eq!(a.decision, Decision::ExplicitDeny);
    assert!(a.reasons[0].contains("SCP `NoIamUsersInSandbox` attached to OU `Sandbox`"));
    // carol reads the prod bucket across accounts: bucket policy grants her account.
    let a = world
        .access(&query(
            "arn:aws:iam::333333333333:user/carol",
            "s3:GetObject",
            OBJECT,
            &[],
        ))
        .unwrap();
    assert_eq!(a.decision, Decision::Allow, "{:?}", a.reasons);
    assert!(a
        .reasons
        .iter()
        .any(|r| r.contains("bucket policy `arn:aws:s3:::example-app-data`")));
    // An outside principal is stopped by the RCP at the root.
    let a = world
        .access(&query(
            "arn:aws:iam::444444444444:user/mallory",
            "s3:GetObject",
            OBJECT,
            &[],
        ))
        .unwrap();
    assert_eq!(a.decision, Decision::ExplicitDeny);
    assert!(
        a.reasons[0].contains("RCP `DataPerimeter` attached to root `r-ex12`"),
        "{:?}",
        a.reasons
    );
    assert!(!a.assumptions.is_empty());
    // Unknown principals of known accounts are errors, not guesses.
    assert!(world
        .access(&query(
            "arn:aws:iam::222222222222:user/nobody",
            "s3:GetObject",
            OBJECT,
            &[]
        ))
        .is_err());
}

#[test]
fn permissions_name_conditional_and_carved_out_grants() {
    let world = example();
    let p = world
        .permissions(ALICE, &[], iamspec_corpus::Catalogue::embedded())
        .unwrap();
    let s3 = p.services.iter().find(|s| s.prefix == "s3").unwrap();
    let grants: Vec<_> = s3.levels.iter().flat_map(|l| &l.grants).collect();
    // Conditional: the SCP denies outside the EU, so every grant waits on aws:RequestedRegion.
    assert!(
        grants
            .iter()
            .all(|g| g.status == "conditional" && g.detail == ["aws:RequestedRegion"]),
        "{grants:?}"
    );
    let mgmt = world
        .permissions(
            "arn:aws:iam::111111111111:user/org-admin",
            &[],
            iamspec_corpus::Catalogue::embedded(),
        )
        .unwrap();
    assert!(mgmt.services.len() > 300);
    let carol = world
        .permissions(
            "arn:aws:iam::333333333333:user/carol",
            &[],
            iamspec_corpus::Catalogue::embedded(),
        )
        .unwrap();
    let iam = carol.services.iter().find(|s| s.prefix == "iam").unwrap();
    let create = iam
        .levels
        .iter()
        .flat_map(|l| &l.grants)
        .find(|g| g.action == "iam:CreateUser")
        .unwrap();
    assert_eq!(create.status, "denied");
    assert!(create.detail[0].contains("NoIamUsersInSandbox"));
}

fn error_of(snapshot: serde_json::Value) -> String {
    from_json(
        "s.json",
        &Json::parse(&snapshot.to_string()).unwrap(),
        Path::new("."),
    )
    .unwrap_err()
    .to_string()
}

fn org(ous: serde_json::Value) -> serde_json::Value {
    serde_json::json!({"format": "iamspec-snapshot/1", "organization": {"id": "o-x", "root": "r-x", "management_account": "111111111111",
        "organizational_units": ous, "accounts": [{"id": "111111111111", "parent": "r-x"}]}})
}

#[test]
fn hostile_snapshots_are_errors_with_paths() {
    let cycle = org(
        serde_json::json!([{"id": "ou-a", "name": "A", "parent": "ou-b"}, {"id": "ou-b", "name": "B", "parent": "ou-a"}]),
    );
    assert!(error_of(cycle).starts_with("s.json: organization.organizational_units[0].parent: "));
    let deep: Vec<_> = (0..1000).map(|i| serde_json::json!({"id": format!("ou-{i}"), "name": "n", "parent": if i == 0 { "r-x".to_owned() } else { format!("ou-{}", i - 1) }})).collect();
    assert!(error_of(org(serde_json::json!(deep))).contains("nested more than 5 levels"));
    let dangling = org(serde_json::json!([{"id": "ou-a", "name": "A", "parent": "ou-zzz"}]));
    assert!(error_of(dangling).contains("neither the root nor an OU"));
    let wrong = serde_json::json!({"format": "iamspec-snapshot/1", "accounts": [{"id": "222222222222", "gaad": {"UserDetailList": [{"UserName": 5}]}}]});
    assert_eq!(
        error_of(wrong),
        "s.json: accounts[0].gaad.UserDetailList[0].UserName: expected a string, found number"
    );
    let user = serde_json::json!({"UserName": "a", "Arn": "arn:aws:iam::222222222222:user/a"});
    let twice = serde_json::json!({"format": "iamspec-snapshot/1", "accounts": [{"id": "222222222222", "gaad": {"UserDetailList": [user, user]}}]});
    assert!(error_of(twice).contains("is given twice"));
    let date = serde_json::json!({"format": "iamspec-snapshot/1", "accounts": [{"id": "222222222222", "gaad": {"UserDetailList": [{"UserName": "a", "Arn": "x", "CreateDate": "yesterday"}]}}]});
    assert!(error_of(date).starts_with("s.json: accounts[0].gaad.UserDetailList[0].CreateDate: "));
    assert!(
        error_of(serde_json::json!({"format": "iamspec-snapshot/2"}))
            .contains("unsupported format")
    );
    assert!(error_of(serde_json::json!([1])).contains("expected an object"));
}

#[test]
fn a_hundred_thousand_roles_load() {
    let roles: Vec<_> = (0..100_000).map(|i| serde_json::json!({"RoleName": format!("r{i}"), "Arn": format!("arn:aws:iam::222222222222:role/r{i}"),
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}})).collect();
    let world = from_gaad_pages(&[(
        "big.json".into(),
        Json::parse(&serde_json::json!({"RoleDetailList": roles}).to_string()).unwrap(),
    )])
    .unwrap();
    assert_eq!(world.accounts[0].roles.len(), 100_000);
}

#[test]
fn quotas_are_reported() {
    let groups: Vec<String> = (0..11).map(|i| format!("g{i}")).collect();
    let tags: Vec<_> = (0..51)
        .map(|i| serde_json::json!({"Key": format!("k{i}"), "Value": "v"}))
        .collect();
    let gaad = serde_json::json!({"UserDetailList": [{"UserName": "a", "Arn": "arn:aws:iam::222222222222:user/a", "GroupList": groups, "Tags": tags}]});
    let world =
        from_gaad_pages(&[("q.json".into(), Json::parse(&gaad.to_string()).unwrap())]).unwrap();
    let quota: Vec<String> = world
        .findings
        .iter()
        .filter(|f| f.code == "quota")
        .map(|f| f.message.clone())
        .collect();
    assert_eq!(
        quota,
        [
            "user `a` is in 11 groups; AWS allows 10",
            "user `a` has 51 tags; AWS allows 50"
        ]
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10, ..ProptestConfig::default() })]

    /// Generated organizations: every assembled set decides alike under `reference` and `fast`.
    #[test]
    fn generated_worlds_decide_alike(seed in any::<u64>()) {
        let snapshot = synth::organization(seed);
        let world = from_json("gen.json", &Json::parse(&snapshot.to_string()).unwrap(), Path::new(".")).unwrap();
        let mut principals: Vec<String> = world.principals().map(str::to_owned).collect();
        principals.push("arn:aws:iam::222222222222:root".into());
        principals.push("arn:aws:iam::999999999999:user/outsider".into());
        let mut resources: Vec<String> = world.resources.iter().map(|r| format!("{}/k", r.arn)).collect();
        resources.extend(world.principals().filter(|p| p.contains(":role/")).map(str::to_owned));
        resources.push("*".into());
        let mut compared = 0;
        for principal in &principals {
            for action in synth::request_actions() {
                for resource in &resources {
                    for context in [&[][..], EU] {
                        let a = world.assemble(&query(principal, action, resource, context)).unwrap();
                        let fast = iamspec_model::fast::Compiled::new(&a.set).authorize(&a.request);
                        let reference = Reference::new(&a.set).authorize(&a.request);
                        prop_assert_eq!(&fast, &reference, "{} {} {}", principal, action, resource);
                        compared += 1;
                    }
                }
            }
        }
        prop_assert!(compared > 0);
    }
}

/// Every node of a small snapshot (organization, inline GAAD, resource) replaced by each JSON
/// type: loading answers with an error naming the file, or a world, never a panic; a world that
/// loads answers questions without a panic either.
#[test]
fn wrong_types_at_every_node_never_panic() {
    let snapshot = serde_json::json!({
        "format": "iamspec-snapshot/1",
        "organization": {"id": "o-x", "root": "r-x", "management_account": "111111111111",
            "policy_types": ["SERVICE_CONTROL_POLICY"],
            "organizational_units": [{"id": "ou-a", "name": "A", "parent": "r-x"}],
            "accounts": [{"id": "111111111111", "parent": "r-x"}, {"id": "222222222222", "parent": "ou-a"}],
            "policies": [{"name": "D", "type": "SERVICE_CONTROL_POLICY", "targets": ["ou-a"],
                "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}}]},
        "accounts": [{"id": "222222222222", "gaad": {
            "UserDetailList": [{"UserName": "u", "UserId": "AIDA1", "Arn": "arn:aws:iam::222222222222:user/u", "CreateDate": "2024-01-01T00:00:00Z",
                "GroupList": ["g"], "AttachedManagedPolicies": [{"PolicyName": "p", "PolicyArn": "arn:aws:iam::222222222222:policy/p"}],
                "Tags": [{"Key": "k", "Value": "v"}], "PermissionsBoundary": {"PermissionsBoundaryArn": "arn:aws:iam::222222222222:policy/p"}}],
            "GroupDetailList": [{"GroupName": "g", "Arn": "arn:aws:iam::222222222222:group/g",
                "GroupPolicyList": [{"PolicyName": "i", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}]}],
            "RoleDetailList": [{"RoleName": "r", "Arn": "arn:aws:iam::222222222222:role/r",
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:user/u"}, "Action": "sts:AssumeRole"}]},
                "InstanceProfileList": [{"InstanceProfileName": "r", "Arn": "arn:aws:iam::222222222222:instance-profile/r", "Roles": [{"RoleName": "r"}]}],
                "RoleLastUsed": {"LastUsedDate": "2024-01-01T00:00:00Z"}}],
            "Policies": [{"PolicyName": "p", "Arn": "arn:aws:iam::222222222222:policy/p", "DefaultVersionId": "v1",
                "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}]}]},
            "password_policy": {"MinimumPasswordLength": 14}}],
        "resources": [{"arn": "arn:aws:s3:::b", "account": "222222222222", "tags": {"env": "prod"},
            "policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}}]
    });
    let template = Json::parse(&snapshot.to_string()).unwrap();
    let mut loaded = 0;
    let mutations = iamspec_model::testing::hostile::mutations(&template);
    assert!(mutations.len() > 500);
    for m in &mutations {
        match from_json("s.json", &m.document, Path::new("/nonexistent")) {
            Ok(world) => {
                loaded += 1;
                for (principal, action, resource) in [
                    (
                        "arn:aws:iam::222222222222:user/u",
                        "s3:GetObject",
                        "arn:aws:s3:::b/k",
                    ),
                    (
                        "arn:aws:iam::222222222222:user/u",
                        "sts:AssumeRole",
                        "arn:aws:iam::222222222222:role/r",
                    ),
                ] {
                    let _ = world.access(&query(principal, action, resource, &[]));
                }
            }
            Err(e) => assert!(
                e.file.contains("s.json") || e.file.contains("nonexistent"),
                "{}: {e}",
                m.describe()
            ),
        }
    }
    assert!(loaded > 0);
}

/// A skip must show in `cargo test`'s output, and libtest captures `println!`/`eprintln!` of
/// passing tests: this writes to the process's standard error directly, which it does not.
fn eprintln_uncaptured(message: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{message}");
}
