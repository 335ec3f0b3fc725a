//! The lifecycle as a state machine (proptest-state-machine): arbitrary call sequences keep
//! IAM's invariants, every error leaves the world unchanged, and the world exports to GAAD and
//! loads back to the same world.
//!
//! Cases: `IAMSPEC_LIFECYCLE_CASES` (default 48 sequences of up to 60 calls, a few seconds);
//! `cargo xtask lifecycle-prop` runs 2,000.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use iamspec_model::json::Json;
use iamspec_world::lifecycle::{self, IamError, Op, TagParam};
use iamspec_world::{gaad, snapshot, World};
use proptest::prelude::*;
use proptest_state_machine::{prop_state_machine, ReferenceStateMachine, StateMachineTest};
use std::sync::atomic::{AtomicUsize, Ordering};

const USERS: [&str; 3] = ["alice", "bob", "Alice"];
const ROLES: [&str; 2] = ["app", "ci"];
const PROFILES: [&str; 2] = ["web", "batch"];
const POLICIES: [&str; 3] = ["read", "write", "admin"];
const ACCOUNT: &str = lifecycle::DEFAULT_ACCOUNT;

fn groups() -> Vec<String> {
    (0..12).map(|i| format!("g{i}")).collect()
}

fn policy_arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:policy/{name}")
}

const DOC: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
const DOC2: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}"#;
const BAD: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"s3:GetObject","Resource":"*"}]}"#;
const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

/// A call, or a call on an access key by its position (the key ids are the world's).
#[derive(Clone, Debug)]
enum Step {
    Call(Op),
    UpdateKey {
        user: String,
        slot: usize,
        active: bool,
    },
    DeleteKey {
        user: String,
        slot: usize,
    },
}

struct Calls;

/// The start: a world built by calls, with users already in most of the groups so that the
/// quotas are within reach of a short sequence.
fn setup() -> Vec<Op> {
    let mut ops = vec![];
    for g in groups() {
        ops.push(Op::CreateGroup {
            group_name: g,
            path: None,
        });
    }
    for u in ["alice", "bob"] {
        ops.push(Op::CreateUser {
            user_name: u.into(),
            path: None,
            tags: vec![],
            permissions_boundary: None,
        });
    }
    for g in groups().into_iter().take(10) {
        ops.push(Op::AddUserToGroup {
            group_name: g,
            user_name: "alice".into(),
        });
    }
    for _ in 0..2 {
        ops.push(Op::CreateAccessKey {
            user_name: "alice".into(),
        });
    }
    for p in POLICIES {
        ops.push(Op::CreatePolicy {
            policy_name: p.into(),
            policy_document: DOC.into(),
            path: None,
            description: None,
            tags: vec![],
        });
    }
    for _ in 0..3 {
        ops.push(Op::CreatePolicyVersion {
            policy_arn: policy_arn("read"),
            policy_document: DOC2.into(),
            set_as_default: false,
        });
    }
    ops.push(Op::CreateRole {
        role_name: "app".into(),
        assume_role_policy_document: TRUST.into(),
        path: None,
        description: None,
        max_session_duration: None,
        tags: vec![],
        permissions_boundary: None,
    });
    ops
}

fn name(pool: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::sample::select(pool).prop_map(str::to_owned)
}

fn group_name() -> impl Strategy<Value = String> {
    prop::sample::select(groups())
}

fn doc() -> impl Strategy<Value = String> {
    prop_oneof![4 => Just(DOC.to_owned()), 2 => Just(DOC2.to_owned()), 1 => Just(BAD.to_owned()), 1 => Just("{".to_owned())]
}

fn arn() -> impl Strategy<Value = String> {
    prop_oneof![5 => name(&POLICIES).prop_map(|p| policy_arn(&p)), 1 => Just("not-an-arn".to_owned()), 1 => Just(policy_arn("missing"))]
}

fn tags() -> impl Strategy<Value = Vec<TagParam>> {
    prop::collection::vec(
        (
            prop::sample::select(vec!["team", "env", "Team", "aws:x", ""]),
            "[a-z]{0,3}",
        )
            .prop_map(|(k, v)| TagParam {
                key: k.into(),
                value: v,
            }),
        0..4,
    )
}

fn op() -> BoxedStrategy<Op> {
    let u = || name(&USERS);
    let r = || name(&ROLES);
    let ip = || name(&PROFILES);
    let p = || name(&POLICIES);
    prop_oneof![
        1 => (u(), prop::option::of(Just("/dev/".to_owned())), tags()).prop_map(|(user_name, path, tags)| Op::CreateUser { user_name, path, tags, permissions_boundary: None }),
        1 => u().prop_map(|user_name| Op::DeleteUser { user_name }),
        1 => (u(), prop::option::of(u())).prop_map(|(user_name, new_user_name)| Op::UpdateUser { user_name, new_user_name, new_path: None }),
        1 => group_name().prop_map(|group_name| Op::CreateGroup { group_name, path: None }),
        1 => group_name().prop_map(|group_name| Op::DeleteGroup { group_name }),
        1 => (group_name(), prop::option::of(group_name())).prop_map(|(group_name, new_group_name)| Op::UpdateGroup { group_name, new_group_name, new_path: None }),
        6 => (group_name(), u()).prop_map(|(group_name, user_name)| Op::AddUserToGroup { group_name, user_name }),
        2 => (group_name(), u()).prop_map(|(group_name, user_name)| Op::RemoveUserFromGroup { group_name, user_name }),
        1 => (r(), prop_oneof![Just(TRUST.to_owned()), Just(DOC.to_owned())]).prop_map(|(role_name, d)| Op::CreateRole { role_name, assume_role_policy_document: d, path: None, description: None, max_session_duration: None, tags: vec![], permissions_boundary: None }),
        1 => r().prop_map(|role_name| Op::DeleteRole { role_name }),
        1 => Just(Op::CreateServiceLinkedRole { aws_service_name: "autoscaling.amazonaws.com".into(), description: None, custom_suffix: None }),
        1 => Just(Op::DeleteServiceLinkedRole { role_name: "AWSServiceRoleForAutoscaling".into() }),
        1 => Just(Op::DeleteRole { role_name: "AWSServiceRoleForAutoscaling".into() }),
        1 => (u(), p(), doc()).prop_map(|(user_name, policy_name, policy_document)| Op::PutUserPolicy { user_name, policy_name, policy_document }),
        1 => (u(), p()).prop_map(|(user_name, policy_name)| Op::DeleteUserPolicy { user_name, policy_name }),
        1 => (group_name(), p(), doc()).prop_map(|(group_name, policy_name, policy_document)| Op::PutGroupPolicy { group_name, policy_name, policy_document }),
        1 => (r(), p(), doc()).prop_map(|(role_name, policy_name, policy_document)| Op::PutRolePolicy { role_name, policy_name, policy_document }),
        1 => (r(), p()).prop_map(|(role_name, policy_name)| Op::DeleteRolePolicy { role_name, policy_name }),
        2 => (u(), arn()).prop_map(|(user_name, policy_arn)| Op::AttachUserPolicy { user_name, policy_arn }),
        1 => (u(), arn()).prop_map(|(user_name, policy_arn)| Op::DetachUserPolicy { user_name, policy_arn }),
        2 => (group_name(), arn()).prop_map(|(group_name, policy_arn)| Op::AttachGroupPolicy { group_name, policy_arn }),
        1 => (group_name(), arn()).prop_map(|(group_name, policy_arn)| Op::DetachGroupPolicy { group_name, policy_arn }),
        2 => (r(), arn()).prop_map(|(role_name, policy_arn)| Op::AttachRolePolicy { role_name, policy_arn }),
        1 => (r(), arn()).prop_map(|(role_name, policy_arn)| Op::DetachRolePolicy { role_name, policy_arn }),
        1 => (p(), doc()).prop_map(|(policy_name, policy_document)| Op::CreatePolicy { policy_name, policy_document, path: None, description: None, tags: vec![] }),
        1 => arn().prop_map(|policy_arn| Op::DeletePolicy { policy_arn }),
        3 => (arn(), doc(), any::<bool>()).prop_map(|(policy_arn, policy_document, set_as_default)| Op::CreatePolicyVersion { policy_arn, policy_document, set_as_default }),
        2 => (arn(), 1..8u32).prop_map(|(policy_arn, v)| Op::DeletePolicyVersion { policy_arn, version_id: format!("v{v}") }),
        2 => (arn(), 1..8u32).prop_map(|(policy_arn, v)| Op::SetDefaultPolicyVersion { policy_arn, version_id: format!("v{v}") }),
        1 => (u(), arn()).prop_map(|(user_name, permissions_boundary)| Op::PutUserPermissionsBoundary { user_name, permissions_boundary }),
        1 => u().prop_map(|user_name| Op::DeleteUserPermissionsBoundary { user_name }),
        1 => (r(), arn()).prop_map(|(role_name, permissions_boundary)| Op::PutRolePermissionsBoundary { role_name, permissions_boundary }),
        3 => u().prop_map(|user_name| Op::CreateAccessKey { user_name }),
        1 => (u(), prop_oneof![Just("Passw0rd!Passw0rd".to_owned()), Just("short".to_owned())]).prop_map(|(user_name, password)| Op::CreateLoginProfile { user_name, password, password_reset_required: false }),
        1 => u().prop_map(|user_name| Op::DeleteLoginProfile { user_name }),
        1 => (prop::option::of(6..30u64), prop::option::of(0..30u64)).prop_map(|(minimum_password_length, password_reuse_prevention)| Op::UpdateAccountPasswordPolicy { minimum_password_length, require_symbols: true, require_numbers: false, require_uppercase_characters: false, require_lowercase_characters: false, allow_users_to_change_password: true, max_password_age: None, password_reuse_prevention, hard_expiry: false }),
        1 => Just(Op::DeleteAccountPasswordPolicy {}),
        1 => name(&["m1", "m2"]).prop_map(|virtual_mfa_device_name| Op::CreateVirtualMfaDevice { virtual_mfa_device_name, path: None }),
        1 => (u(), name(&["m1", "m2"])).prop_map(|(user_name, m)| Op::EnableMfaDevice { user_name, serial_number: format!("arn:aws:iam::{ACCOUNT}:mfa/{m}"), authentication_code1: "123456".into(), authentication_code2: "654321".into() }),
        1 => (u(), name(&["m1", "m2"])).prop_map(|(user_name, m)| Op::DeactivateMfaDevice { user_name, serial_number: format!("arn:aws:iam::{ACCOUNT}:mfa/{m}") }),
        1 => name(&["m1", "m2"]).prop_map(|m| Op::DeleteVirtualMfaDevice { serial_number: format!("arn:aws:iam::{ACCOUNT}:mfa/{m}") }),
        1 => ip().prop_map(|instance_profile_name| Op::CreateInstanceProfile { instance_profile_name, path: None }),
        1 => ip().prop_map(|instance_profile_name| Op::DeleteInstanceProfile { instance_profile_name }),
        2 => (ip(), r()).prop_map(|(instance_profile_name, role_name)| Op::AddRoleToInstanceProfile { instance_profile_name, role_name }),
        1 => (ip(), r()).prop_map(|(instance_profile_name, role_name)| Op::RemoveRoleFromInstanceProfile { instance_profile_name, role_name }),
        1 => (u(), tags()).prop_map(|(user_name, tags)| Op::TagUser { user_name, tags }),
        1 => (r(), tags()).prop_map(|(role_name, tags)| Op::TagRole { role_name, tags }),
        1 => (arn(), tags()).prop_map(|(policy_arn, tags)| Op::TagPolicy { policy_arn, tags }),
        1 => (u(), prop::collection::vec(name(&["team", "env"]), 0..3)).prop_map(|(user_name, tag_keys)| Op::UntagUser { user_name, tag_keys }),
        1 => u().prop_map(|user_name| Op::GetUser { user_name }),
        1 => u().prop_map(|user_name| Op::ListGroupsForUser { user_name }),
        1 => u().prop_map(|user_name| Op::ListAccessKeys { user_name }),
        1 => arn().prop_map(|policy_arn| Op::ListPolicyVersions { policy_arn }),
        1 => Just(Op::ListUsers { path_prefix: None }),
        1 => Just(Op::ListPolicies { scope: Some("Local".into()), only_attached: true }),
        1 => Just(Op::ListVirtualMfaDevices {}),
        1 => Just(Op::GetAccountPasswordPolicy {}),
    ]
    .boxed()
}

impl ReferenceStateMachine for Calls {
    type State = ();
    type Transition = Step;

    fn init_state() -> BoxedStrategy<()> {
        Just(()).boxed()
    }

    fn transitions(_: &()) -> BoxedStrategy<Step> {
        prop_oneof![
            12 => op().prop_map(Step::Call),
            1 => (name(&USERS), 0..3usize, any::<bool>()).prop_map(|(user, slot, active)| Step::UpdateKey { user, slot, active }),
            1 => (name(&USERS), 0..3usize).prop_map(|(user, slot)| Step::DeleteKey { user, slot }),
        ]
        .boxed()
    }

    fn apply(state: (), _: &Step) {
        state
    }
}

static CALLS: AtomicUsize = AtomicUsize::new(0);
static ERRORS: AtomicUsize = AtomicUsize::new(0);
static SEQUENCES: AtomicUsize = AtomicUsize::new(0);

/// The key id in `slot`, or a made-up one (NoSuchEntity).
fn key_id(world: &World, user: &str, slot: usize) -> String {
    world
        .accounts
        .first()
        .and_then(|a| a.users.iter().find(|u| u.name == user))
        .and_then(|u| u.access_keys.get(slot))
        .and_then(|k| k.id.clone())
        .unwrap_or_else(|| "AKIAIOSFODNN7EXAMPLE".to_owned())
}

/// Everything the world holds, as text: the GAAD export plus what GAAD cannot carry.
fn fingerprint(world: &World) -> String {
    world
        .accounts
        .iter()
        .map(|a| {
            let extra: Vec<String> = a
                .users
                .iter()
                .map(|u| {
                    format!(
                        "{}:{:?}{:?}{:?}",
                        u.name, u.access_keys, u.login_profile, u.mfa_devices
                    )
                })
                .chain(
                    a.instance_profiles
                        .iter()
                        .map(|p| format!("{}:{:?}", p.name, p.roles)),
                )
                .chain(
                    a.policies
                        .iter()
                        .map(|p| format!("{}:{:?}", p.name, p.tags)),
                )
                .collect();
            format!(
                "{}\n{:?}\n{:?}\n{}",
                gaad::export(a),
                a.password_policy,
                a.virtual_mfa_devices,
                extra.join("\n")
            )
        })
        .collect()
}

fn check_invariants(world: &World) {
    let Some(a) = world.accounts.first() else {
        return;
    };
    for u in &a.users {
        assert!(
            u.groups.len() <= 10,
            "{} is in {} groups",
            u.name,
            u.groups.len()
        );
        assert!(
            u.access_keys.len() <= 2,
            "{} has {} keys",
            u.name,
            u.access_keys.len()
        );
        let mut seen = u.groups.clone();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), u.groups.len(), "{} is in a group twice", u.name);
        for g in &u.groups {
            // A user's groups are groups (there are no groups of groups): each exists.
            assert!(
                a.group_named(g).is_some(),
                "{} is in missing group {g}",
                u.name
            );
        }
        for d in &u.mfa_devices {
            assert!(a
                .virtual_mfa_devices
                .iter()
                .any(|s| Some(s) == d.serial.as_ref()));
        }
    }
    for (i, u) in a.users.iter().enumerate() {
        for v in a.users.iter().skip(i + 1) {
            assert!(
                !u.name.eq_ignore_ascii_case(&v.name),
                "two users named {} and {}",
                u.name,
                v.name
            );
        }
    }
    let attachments = a
        .users
        .iter()
        .map(|u| (&u.attached, u.boundary.as_ref()))
        .chain(a.groups.iter().map(|g| (&g.attached, None)))
        .chain(a.roles.iter().map(|r| (&r.attached, r.boundary.as_ref())));
    for (attached, boundary) in attachments {
        assert!(attached.len() <= 10);
        for p in attached.iter().chain(boundary) {
            assert!(a.policy(&p.arn).is_some(), "dangling attachment {}", p.arn);
        }
    }
    for p in &a.policies {
        assert!(
            p.versions.len() <= 5 && !p.versions.is_empty(),
            "{} has {} versions",
            p.name,
            p.versions.len()
        );
        let defaults: Vec<_> = p.versions.iter().filter(|v| v.is_default).collect();
        assert_eq!(
            defaults.len(),
            1,
            "{} has {} default versions",
            p.name,
            defaults.len()
        );
        assert_eq!(defaults.first().map(|v| &v.id), Some(&p.default_version));
        assert!(
            p.default_document()
                .and_then(|d| d.policy.as_ref())
                .is_some(),
            "{}: default not parsed",
            p.name
        );
    }
    for ip in &a.instance_profiles {
        assert!(ip.roles.len() <= 1);
        for r in &ip.roles {
            assert!(
                a.role_named(r).is_some(),
                "profile {} holds missing role {r}",
                ip.name
            );
        }
    }
    // The world exports to GAAD and loads back to the same world.
    let exported = gaad::export(a);
    let json = Json::parse(&exported.to_string()).expect("the export is JSON");
    let loaded =
        snapshot::from_gaad_pages(&[("export.json".into(), json)]).expect("the export loads");
    assert!(loaded.findings.is_empty(), "{:?}", loaded.findings);
    let back = loaded.accounts.first().expect("one account");
    assert_eq!(back.id, a.id);
    assert_eq!(gaad::export(back), exported);
    let names = |w: &iamspec_world::entity::Account| {
        (w.users.iter().map(|u| u.arn.clone()))
            .chain(w.groups.iter().map(|g| g.arn.clone()))
            .chain(w.roles.iter().map(|r| r.arn.clone()))
            .chain(w.policies.iter().map(|p| p.arn.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(names(back), names(a));
    // The index was rebuilt: every principal is found by its ARN.
    for arn in world.principals() {
        assert!(world.entity(arn).is_some(), "{arn} is not indexed");
    }
}

struct Lifecycle;

impl StateMachineTest for Lifecycle {
    type SystemUnderTest = World;
    type Reference = Calls;

    fn init_test(_: &()) -> World {
        SEQUENCES.fetch_add(1, Ordering::Relaxed);
        let mut world = World::default();
        for op in setup() {
            lifecycle::call(&mut world, &op).unwrap_or_else(|e| panic!("setup {op:?}: {e}"));
        }
        world
    }

    fn apply(mut world: World, _: &(), step: Step) -> World {
        let op = match step {
            Step::Call(op) => op,
            Step::UpdateKey { user, slot, active } => Op::UpdateAccessKey {
                access_key_id: key_id(&world, &user, slot),
                user_name: user,
                status: if active { "Active" } else { "Inactive" }.into(),
            },
            Step::DeleteKey { user, slot } => Op::DeleteAccessKey {
                access_key_id: key_id(&world, &user, slot),
                user_name: user,
            },
        };
        let before = fingerprint(&world);
        let pure = lifecycle::apply(&world, &op);
        CALLS.fetch_add(1, Ordering::Relaxed);
        match lifecycle::call(&mut world, &op) {
            Ok(_) => {
                let pure =
                    pure.unwrap_or_else(|e| panic!("apply and call disagree on {op:?}: {e}"));
                assert_eq!(fingerprint(&pure), fingerprint(&world));
                if op.is_read() {
                    assert_eq!(
                        fingerprint(&world),
                        before,
                        "the read {op:?} changed the world"
                    );
                }
            }
            Err(e) => {
                ERRORS.fetch_add(1, Ordering::Relaxed);
                assert_eq!(pure.err().as_ref(), Some(&e));
                assert_eq!(
                    fingerprint(&world),
                    before,
                    "{op:?} failed ({e}) but changed the world"
                );
                assert!(!matches!(e, IamError::InvalidAction(_)), "{op:?}: {e}");
            }
        }
        world
    }

    fn check_invariants(world: &World, _: &()) {
        check_invariants(world);
    }
}

fn cases() -> u32 {
    std::env::var("IAMSPEC_LIFECYCLE_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(48)
}

prop_state_machine! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn call_sequences_keep_the_invariants(sequential 1..60 => Lifecycle);
}

#[test]
fn zz_report_counts() {
    // Runs after the property only by name order within one thread; the counts are printed
    // for the record (`--nocapture`), not asserted.
    eprintln!(
        "lifecycle: {} sequences, {} calls, {} errors",
        SEQUENCES.load(Ordering::Relaxed),
        CALLS.load(Ordering::Relaxed),
        ERRORS.load(Ordering::Relaxed)
    );
}

/// The real exports load, export, and load back to the same export (`../shared`, skipped when
/// absent).
#[test]
fn real_gaad_exports_round_trip() {
    for name in [
        "cloudmapper-demo-gaad.json",
        "cloudsplaining-example-authz-details.json",
    ] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/data/gaad")
            .join(name);
        if !path.exists() {
            eprintln!("skipped: {} is absent", path.display());
            continue;
        }
        let world = snapshot::load(&path).unwrap();
        let account = world.accounts.first().unwrap();
        let exported = gaad::export(account);
        let json = Json::parse(&exported.to_string()).unwrap();
        let back = snapshot::from_gaad_pages(&[("export.json".into(), json)]).unwrap();
        let again = gaad::export(back.accounts.first().unwrap());
        assert_eq!(again, exported, "{name}");
        assert_eq!(
            back.findings.len(),
            world.findings.len(),
            "{name}: {:?}",
            back.findings
        );
        let a = back.accounts.first().unwrap();
        assert_eq!(
            (
                a.users.len(),
                a.groups.len(),
                a.roles.len(),
                a.policies.len()
            ),
            (
                account.users.len(),
                account.groups.len(),
                account.roles.len(),
                account.policies.len()
            )
        );
        for (x, y) in a.users.iter().zip(&account.users) {
            assert_eq!(
                (&x.arn, &x.groups, &x.attached, &x.tags),
                (&y.arn, &y.groups, &y.attached, &y.tags)
            );
            let docs = |u: &iamspec_world::entity::User| {
                u.inline
                    .iter()
                    .map(|p| (p.name.clone(), p.document.text.clone()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(docs(x), docs(y));
        }
        for (x, y) in a.roles.iter().zip(&account.roles) {
            assert_eq!(
                (&x.arn, &x.trust.text, &x.instance_profiles),
                (&y.arn, &y.trust.text, &y.instance_profiles)
            );
        }
    }
}

/// The lifecycle on a real export: conflicts, AWS managed policies the export lists, and a
/// cleanup that ends in a deletion (`../shared`, skipped when absent).
#[test]
fn calls_on_a_real_export() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data/gaad/cloudsplaining-example-authz-details.json");
    if !path.exists() {
        eprintln!("skipped: {} is absent", path.display());
        return;
    }
    let mut world = snapshot::load(&path).unwrap();
    let call = |world: &mut World, json: serde_json::Value| {
        let op = Op::from_json(&json).unwrap();
        lifecycle::call(world, &op).map_err(|e| e.code())
    };
    let admin = "arn:aws:iam::aws:policy/AdministratorAccess";
    let before = fingerprint(&world);
    // obama is in `admin` and has AdministratorAccess attached.
    assert_eq!(
        call(
            &mut world,
            serde_json::json!({"Action": "DeleteUser", "UserName": "obama"})
        ),
        Err("DeleteConflict")
    );
    assert_eq!(
        call(
            &mut world,
            serde_json::json!({"Action": "DeleteGroup", "GroupName": "admin"})
        ),
        Err("DeleteConflict")
    );
    assert_eq!(
        call(
            &mut world,
            serde_json::json!({"Action": "DeletePolicy", "PolicyArn": admin})
        ),
        Err("InvalidInput")
    );
    assert_eq!(
        fingerprint(&world),
        before,
        "failed calls changed the world"
    );
    // An AWS managed policy the export lists can be attached elsewhere; one it does not list
    // cannot (D130).
    call(
        &mut world,
        serde_json::json!({"Action": "AttachRolePolicy", "RoleName": "MyRole", "PolicyArn": admin}),
    )
    .unwrap();
    assert_eq!(
        call(
            &mut world,
            serde_json::json!({"Action": "AttachRolePolicy", "RoleName": "MyRole", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"})
        ),
        Err("NoSuchEntity")
    );
    for json in [
        serde_json::json!({"Action": "DetachUserPolicy", "UserName": "obama", "PolicyArn": admin}),
        serde_json::json!({"Action": "RemoveUserFromGroup", "UserName": "obama", "GroupName": "admin"}),
        serde_json::json!({"Action": "DeleteUser", "UserName": "obama"}),
    ] {
        call(&mut world, json).unwrap();
    }
    let account = world.accounts.first().unwrap();
    assert!(account.user_named("obama").is_none());
    assert!(world
        .entity("arn:aws:iam::012345678901:user/obama")
        .is_none());
    // The role now holds AdministratorAccess, and the world's answers follow.
    let role = account.role_named("MyRole").unwrap();
    assert!(role.attached.iter().any(|a| a.arn == admin));
    let query = |world: &World| {
        world
            .access(&iamspec_world::Query {
                principal: "arn:aws:iam::012345678901:role/MyRole".into(),
                action: "iam:CreateUser".into(),
                resource: "arn:aws:iam::012345678901:user/new".into(),
                ..iamspec_world::Query::default()
            })
            .unwrap()
            .decision
    };
    assert_eq!(query(&world), iamspec_model::Decision::Allow);
    call(
        &mut world,
        serde_json::json!({"Action": "DetachRolePolicy", "RoleName": "MyRole", "PolicyArn": admin}),
    )
    .unwrap();
    assert_ne!(query(&world), iamspec_model::Decision::Allow);
    check_invariants(&world);
}

/// A world built by dated calls is what the credential report and the audit see: a key created
/// 120 days before the audit is old (CIS 1.14), a console user without MFA is found (CIS 1.10),
/// and enabling MFA removes that finding.
#[test]
fn dated_calls_feed_the_credential_report_and_the_audit() {
    use iamspec_world::time::Timestamp;
    use iamspec_world::{audit, report};
    let t = |s: &str| Timestamp::parse(s).unwrap();
    let mut world = World::default();
    let at = |world: &mut World, when: &str, json: serde_json::Value| {
        let op = Op::from_json(&json).unwrap();
        lifecycle::call_at(world, &op, Some(t(when))).unwrap()
    };
    at(
        &mut world,
        "2026-01-01T00:00:00Z",
        serde_json::json!({"Action": "CreateUser", "UserName": "alice"}),
    );
    at(
        &mut world,
        "2026-01-02T00:00:00Z",
        serde_json::json!({"Action": "CreateAccessKey", "UserName": "alice"}),
    );
    at(
        &mut world,
        "2026-01-03T00:00:00Z",
        serde_json::json!({"Action": "CreateLoginProfile", "UserName": "alice", "Password": "Correct-Horse-9"}),
    );
    let now = t("2026-05-02T00:00:00Z");
    let csv = report::generate(world.accounts.first().unwrap(), now);
    let row = csv.lines().find(|l| l.starts_with("alice,")).unwrap();
    assert!(row.contains("2026-01-01T00:00:00+00:00"), "{row}");
    assert!(row.contains(",true,"), "password_enabled: {row}");
    assert!(
        row.contains("2026-01-02T00:00:00+00:00"),
        "access_key_1_last_rotated: {row}"
    );
    let checks = |world: &World| {
        audit::audit(world, now)
            .into_iter()
            .filter(|f| f.entity.ends_with(":user/alice"))
            .map(|f| f.check)
            .collect::<Vec<_>>()
    };
    let found = checks(&world);
    assert!(found.contains(&"access-key-older-than-90d"), "{found:?}");
    assert!(found.contains(&"console-user-no-mfa"), "{found:?}");
    at(
        &mut world,
        "2026-05-01T00:00:00Z",
        serde_json::json!({"Action": "CreateVirtualMFADevice", "VirtualMFADeviceName": "alice"}),
    );
    at(
        &mut world,
        "2026-05-01T00:00:00Z",
        serde_json::json!({"Action": "EnableMFADevice", "UserName": "alice",
        "SerialNumber": "arn:aws:iam::123456789012:mfa/alice", "AuthenticationCode1": "123456", "AuthenticationCode2": "654321"}),
    );
    let found = checks(&world);
    assert!(!found.contains(&"console-user-no-mfa"), "{found:?}");
    assert!(found.contains(&"access-key-older-than-90d"), "{found:?}");
}
