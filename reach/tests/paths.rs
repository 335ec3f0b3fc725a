//! Each of the 65 documented escalation paths: a small world where it holds (the attacker gets
//! exactly the path's permissions, the target has what the path needs) and a near-miss where one
//! thing is missing (a permission, a precondition, the service trust). Both are generated here
//! from the path table, loaded through the world's snapshot loader, and asked `escalation`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use iamspec_reach::catalogue::PATHS;
use iamspec_reach::rules::{rule, Mechanism, Modification};
use iamspec_reach::{escalation, Graph, Limits, Verdict};
use serde_json::{json, Value};
use std::path::Path;

const ACCOUNT: &str = "111111111111";
const ADMIN: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

fn arn(kind: &str, name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:{kind}/{name}")
}

fn allow(actions: &[&str]) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]})
}

fn allow_on(actions: &[&str], resources: &[String]) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": resources}]})
}

fn trust_service(service: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})
}

fn trust_account() -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}, "Action": "sts:AssumeRole"}]})
}

fn admin() -> Value {
    serde_json::from_str(ADMIN).unwrap()
}

/// A world being written: GAAD lists and credential-report rows.
#[derive(Default)]
struct W {
    users: Vec<Value>,
    groups: Vec<Value>,
    roles: Vec<Value>,
    policies: Vec<Value>,
    /// (user, password, keys)
    creds: Vec<(String, bool, usize)>,
}

impl W {
    fn user(&mut self, name: &str, inline: Option<Value>, groups: &[&str], attached: &[&str]) {
        let attached: Vec<Value> = attached
            .iter()
            .map(|a| json!({"PolicyName": a.rsplit('/').next().unwrap(), "PolicyArn": a}))
            .collect();
        let inline: Vec<Value> = inline
            .into_iter()
            .map(|d| json!({"PolicyName": "p", "PolicyDocument": d}))
            .collect();
        self.users.push(json!({"UserName": name, "UserId": format!("AIDA{}", name.to_uppercase()), "Arn": arn("user", name), "Path": "/",
            "UserPolicyList": inline, "AttachedManagedPolicies": attached, "GroupList": groups}));
        self.creds.push((name.to_owned(), false, 0));
    }

    fn group(&mut self, name: &str, inline: Option<Value>) {
        let inline: Vec<Value> = inline
            .into_iter()
            .map(|d| json!({"PolicyName": "g", "PolicyDocument": d}))
            .collect();
        self.groups.push(json!({"GroupName": name, "GroupId": format!("AGPA{}", name.to_uppercase()), "Arn": arn("group", name), "Path": "/",
            "GroupPolicyList": inline, "AttachedManagedPolicies": []}));
    }

    fn role(
        &mut self,
        name: &str,
        trust: Value,
        inline: Option<Value>,
        attached: &[&str],
        profile: bool,
    ) {
        let attached: Vec<Value> = attached
            .iter()
            .map(|a| json!({"PolicyName": a.rsplit('/').next().unwrap(), "PolicyArn": a}))
            .collect();
        let inline: Vec<Value> = inline
            .into_iter()
            .map(|d| json!({"PolicyName": "r", "PolicyDocument": d}))
            .collect();
        let profiles: Vec<Value> = if profile {
            vec![
                json!({"InstanceProfileName": name, "InstanceProfileId": "AIPAX", "Arn": arn("instance-profile", name), "Path": "/", "Roles": []}),
            ]
        } else {
            Vec::new()
        };
        self.roles.push(json!({"RoleName": name, "RoleId": format!("AROA{}", name.to_uppercase()), "Arn": arn("role", name), "Path": "/",
            "AssumeRolePolicyDocument": trust, "RolePolicyList": inline, "AttachedManagedPolicies": attached, "InstanceProfileList": profiles}));
    }

    fn policy(&mut self, name: &str, doc: Value) -> String {
        let a = arn("policy", name);
        self.policies.push(json!({"PolicyName": name, "PolicyId": "ANPAX", "Arn": a, "Path": "/", "DefaultVersionId": "v1", "IsAttachable": true,
            "PolicyVersionList": [{"Document": doc, "VersionId": "v1", "IsDefaultVersion": true}]}));
        a
    }

    fn creds(&mut self, user: &str, password: bool, keys: usize) {
        for c in &mut self.creds {
            if c.0 == user {
                c.1 = password;
                c.2 = keys;
            }
        }
    }

    fn load(self) -> iamspec_world::World {
        let mut csv = String::from("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n");
        csv.push_str(&format!("<root_account>,arn:aws:iam::{ACCOUNT}:root,2024-01-01T00:00:00+00:00,not_supported,N/A,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"));
        for (user, password, keys) in &self.creds {
            let key = |on: bool| {
                if on {
                    "true,2024-01-01T00:00:00+00:00,N/A,N/A,N/A"
                } else {
                    "false,N/A,N/A,N/A,N/A"
                }
            };
            csv.push_str(&format!(
                "{user},{},2024-01-01T00:00:00+00:00,{password},N/A,N/A,N/A,false,{},{},false,N/A,false,N/A\n",
                arn("user", user),
                key(*keys >= 1),
                key(*keys >= 2)
            ));
        }
        let snapshot = json!({
            "format": "iamspec-snapshot/1",
            "accounts": [{"id": ACCOUNT, "gaad": {"UserDetailList": self.users, "GroupDetailList": self.groups,
                "RoleDetailList": self.roles, "Policies": self.policies}, "credential_report": csv}]
        });
        let json = iamspec_model::json::Json::parse(&snapshot.to_string()).unwrap();
        iamspec_world::snapshot::from_json("fixture.json", &json, Path::new(".")).unwrap()
    }
}

/// The attacker's ARN and the world for path `id`; `near_miss` takes one thing away.
fn world(id: &str, near_miss: bool) -> (String, iamspec_world::World) {
    let r = rule(id).unwrap();
    let required: Vec<&str> = r.path.required.to_vec();
    // The near miss drops the last permission, unless it breaks a precondition instead.
    let mut grant = required.clone();
    let mut w = W::default();
    let attacker_user = arn("user", "attacker");
    match r.mechanism {
        Mechanism::AssumeRole => {
            if near_miss {
                grant.pop();
            }
            w.user("attacker", Some(allow(&grant)), &[], &[]);
            w.role("admin-role", trust_account(), Some(admin()), &[], false);
            (attacker_user, w.load())
        }
        Mechanism::CreateAccessKey { delete } => {
            w.user("attacker", Some(allow(&grant)), &[], &[]);
            w.user("victim", Some(admin()), &[], &[]);
            if delete {
                w.creds("victim", false, 2);
                if near_miss {
                    // Both slots taken and no DeleteAccessKey.
                    w.users[0] = json!({"UserName": "attacker", "Arn": attacker_user, "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": allow(&["iam:CreateAccessKey"])}]});
                }
            } else {
                w.creds("victim", false, if near_miss { 2 } else { 1 });
            }
            (attacker_user, w.load())
        }
        Mechanism::LoginProfile { create } => {
            w.user("attacker", Some(allow(&grant)), &[], &[]);
            w.user("victim", Some(admin()), &[], &[]);
            // Create needs no password yet, update needs one; the near miss flips it.
            w.creds("victim", create == near_miss, 0);
            (attacker_user, w.load())
        }
        Mechanism::UpdateTrust => {
            if near_miss {
                grant.pop();
            }
            w.user("attacker", Some(allow(&grant)), &[], &[]);
            w.role(
                "admin-role",
                trust_service("ec2.amazonaws.com"),
                Some(admin()),
                &[],
                false,
            );
            (attacker_user, w.load())
        }
        Mechanism::Modify(kind) => {
            if near_miss {
                grant.pop();
            }
            match kind {
                Modification::PutRolePolicy | Modification::AttachRolePolicy => {
                    w.role("attacker", trust_account(), Some(allow(&grant)), &[], false);
                    (arn("role", "attacker"), w.load())
                }
                Modification::CreatePolicyVersion => {
                    let p = w.policy("attacker-policy", allow(&grant));
                    w.user("attacker", None, &[], &[&p]);
                    (attacker_user, w.load())
                }
                Modification::AttachGroupPolicy | Modification::PutGroupPolicy => {
                    w.group("devs", None);
                    w.user("attacker", Some(allow(&grant)), &["devs"], &[]);
                    (attacker_user, w.load())
                }
                Modification::PutUserPolicy | Modification::AttachUserPolicy => {
                    w.user("attacker", Some(allow(&grant)), &[], &[]);
                    (attacker_user, w.load())
                }
            }
        }
        Mechanism::AddUserToGroup => {
            if near_miss {
                grant.pop();
            }
            w.group("admins", Some(admin()));
            w.user("attacker", Some(allow(&grant)), &[], &[]);
            (attacker_user, w.load())
        }
        Mechanism::ModifyThenAccess { access, .. } => {
            if near_miss {
                grant.pop();
            }
            // Scoped to the target, so that the attacker cannot modify itself instead.
            let kind = if access == "iam-002" { "user" } else { "role" };
            let scope = [arn(kind, "target"), arn("policy", "target-policy")];
            w.user("attacker", Some(allow_on(&grant, &scope)), &[], &[]);
            let harmless = allow(&["s3:ListAllMyBuckets"]);
            if access == "iam-002" {
                w.user("target", Some(harmless), &[], &[]);
            } else {
                let trust = if access == "sts-001" {
                    trust_account()
                } else {
                    trust_service("ec2.amazonaws.com")
                };
                let p = w.policy("target-policy", harmless);
                w.role("target", trust, None, &[&p], false);
            }
            (attacker_user, w.load())
        }
        Mechanism::PassRole {
            services, profile, ..
        } => {
            w.user("attacker", Some(allow(&grant)), &[], &[]);
            // The near miss: the role trusts a service no path uses.
            let service = if near_miss {
                "states.amazonaws.com"
            } else {
                services[0]
            };
            w.role(
                "admin-role",
                trust_service(service),
                Some(admin()),
                &[],
                profile,
            );
            (attacker_user, w.load())
        }
    }
}

#[test]
fn every_documented_path_holds_in_its_world_and_not_in_its_near_miss() {
    let mut failures = Vec::new();
    for p in PATHS {
        let r = rule(p.id).unwrap();
        let expected = match r.mechanism {
            Mechanism::PassRole { fact: Some(_), .. } => Verdict::Conditional,
            _ => Verdict::Yes,
        };
        for near_miss in [false, true] {
            let (attacker, world) = world(p.id, near_miss);
            let g = Graph::build(&world);
            let records = escalation(&world, &g, Some(&attacker), Limits::default());
            let Some(record) = records.first() else {
                failures.push(format!("{}: no record for {attacker}", p.id));
                continue;
            };
            let uses = record
                .paths
                .iter()
                .any(|path| path.hops.iter().any(|h| h.edge.rule == p.id));
            let ok = if near_miss {
                record.verdict == Verdict::No
            } else {
                record.verdict == expected && uses
            };
            if !ok {
                let rules: Vec<Vec<&str>> = record
                    .paths
                    .iter()
                    .map(|path| path.hops.iter().map(|h| h.edge.rule.as_str()).collect())
                    .collect();
                failures.push(format!(
                    "{} ({}): verdict {:?}, paths {rules:?}, needs {:?}",
                    p.id,
                    if near_miss { "near miss" } else { "positive" },
                    record.verdict,
                    record.needs
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn conditional_paths_name_the_fact_with_the_role() {
    let (attacker, world) = world("lambda-003", false);
    let g = Graph::build(&world);
    let record = &escalation(&world, &g, Some(&attacker), Limits::default())[0];
    assert_eq!(record.verdict, Verdict::Conditional);
    assert!(
        record.needs.iter().any(|n| n.contains("Lambda function")
            && n.contains("arn:aws:iam::111111111111:role/admin-role")),
        "{:?}",
        record.needs
    );
}
