//! `cargo xtask reach-gen`: a seeded synthetic account (users, roles, customer policies, role
//! chains) with planted escalation paths and the truth they make (`truth.json`: every principal
//! that can become an administrator in at least one step); `--check` then builds the reach graph,
//! times the questions and compares the escalation answer with the truth.

use iamspec_reach::{escalation, who_can, Graph, Limits, Verdict};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long, default_value_t = 2000)]
    users: usize,
    #[arg(long, default_value_t = 5000)]
    roles: usize,
    #[arg(long, default_value_t = 3000)]
    policies: usize,
    /// How many escalation paths to plant.
    #[arg(long, default_value_t = 50)]
    planted: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Where snapshot.json and truth.json go.
    #[arg(long, default_value = "target/reach-gen")]
    out: PathBuf,
    /// Also load the world, time who-can and escalation, and compare with the truth.
    #[arg(long)]
    check: bool,
    /// How many accounts: each a copy of the generated one under its own id (100000000001,
    /// 100000000002, ...), in one snapshot; the truth is the union.
    #[arg(long, default_value_t = 1)]
    accounts: usize,
    /// Do not generate: check the world already in `--out` against its `truth.json` (so that
    /// the memory measured is the check's alone).
    #[arg(long, requires = "check")]
    reuse: bool,
    /// A dense-trust account: every ordinary role trusts the account (no service roles), a
    /// third of the users and a fifth of the roles may assume `role/*`, so that callers times
    /// roles candidate edges exist (the shape `iamspec_world::synth` has).
    #[arg(long)]
    dense: bool,
}

const ACCOUNT: &str = "100000000001";

struct Rng(u64);

impl Rng {
    /// splitmix64
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn arn(kind: &str, name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:{kind}/{name}")
}

fn doc(statements: Vec<Value>) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn allow(actions: &[&str], resource: &str) -> Value {
    json!({"Effect": "Allow", "Action": actions, "Resource": resource})
}

fn trust(principal: Value) -> Value {
    doc(vec![
        json!({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}),
    ])
}

pub fn run(args: &Args) -> Result<(), String> {
    // The generator's JSON is dropped before the check, so that its memory is not counted.
    let truth = if args.reuse {
        let path = args.out.join("truth.json");
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let value: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
        value
            .get("escalates")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    } else {
        generate(args)?
    };
    if args.check {
        check(args, &truth)?;
    }
    Ok(())
}

fn generate(args: &Args) -> Result<BTreeSet<String>, String> {
    let mut rng = Rng(args.seed);
    let admin_arn = "arn:aws:iam::aws:policy/AdministratorAccess";
    let mut policies = vec![
        json!({"PolicyName": "AdministratorAccess", "Arn": admin_arn, "Path": "/", "DefaultVersionId": "v1", "IsAttachable": true,
        "PolicyVersionList": [{"Document": doc(vec![allow(&["*"], "*")]), "VersionId": "v1", "IsDefaultVersion": true}]}),
    ];
    for i in 0..args.policies {
        let bucket = format!("arn:aws:s3:::data-{}/*", i % 500);
        let actions: &[&str] = match i % 3 {
            0 => &["s3:GetObject", "s3:ListBucket"],
            1 => &["ec2:Describe*", "cloudwatch:GetMetricData"],
            _ => &["dynamodb:GetItem", "dynamodb:Query"],
        };
        policies.push(json!({"PolicyName": format!("p{i}"), "Arn": arn("policy", &format!("p{i}")), "Path": "/", "DefaultVersionId": "v1", "IsAttachable": true,
            "PolicyVersionList": [{"Document": doc(vec![allow(actions, &bucket)]), "VersionId": "v1", "IsDefaultVersion": true}]}));
    }
    let attach = |rng: &mut Rng| -> Vec<Value> {
        (0..1 + rng.below(2))
            .map(|_| {
                let i = rng.below(args.policies);
                json!({"PolicyName": format!("p{i}"), "PolicyArn": arn("policy", &format!("p{i}"))})
            })
            .collect()
    };
    let mut users: Vec<Value> = Vec::new();
    let mut roles: Vec<Value> = Vec::new();
    // Benign chains: a third of the users can assume one ordinary role each.
    for i in 0..args.users {
        let name = format!("u{i}");
        let mut inline = Vec::new();
        if args.dense && i % 3 == 0 {
            inline.push(json!({"PolicyName": "assume", "PolicyDocument": doc(vec![allow(&["sts:AssumeRole"], &arn("role", "*"))])}));
        } else if i % 3 == 0 && args.roles > 0 {
            let r = rng.below(args.roles);
            inline.push(json!({"PolicyName": "assume", "PolicyDocument": doc(vec![allow(&["sts:AssumeRole"], &arn("role", &format!("r{r}")))])}));
        }
        users.push(json!({"UserName": name, "Arn": arn("user", &name), "Path": "/", "UserPolicyList": inline, "AttachedManagedPolicies": attach(&mut rng), "GroupList": []}));
    }
    for i in 0..args.roles {
        let name = format!("r{i}");
        let principal = match i % 4 {
            _ if args.dense => json!({"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}),
            0 => json!({"Service": "ec2.amazonaws.com"}),
            1 => json!({"Service": "lambda.amazonaws.com"}),
            _ => json!({"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}),
        };
        let inline = if args.dense && i % 5 == 0 {
            json!([{"PolicyName": "assume", "PolicyDocument": doc(vec![allow(&["sts:AssumeRole"], &arn("role", "*"))])}])
        } else {
            json!([])
        };
        roles.push(json!({"RoleName": name, "Arn": arn("role", &name), "Path": "/", "AssumeRolePolicyDocument": trust(principal),
            "RolePolicyList": inline, "AttachedManagedPolicies": attach(&mut rng), "InstanceProfileList": []}));
    }
    // Administrators nobody benign reaches: a role trusting only ECS tasks, and one user.
    roles.push(json!({"RoleName": "admin-ecs", "Arn": arn("role", "admin-ecs"), "Path": "/", "AssumeRolePolicyDocument": trust(json!({"Service": "ecs-tasks.amazonaws.com"})),
        "RolePolicyList": [], "AttachedManagedPolicies": [{"PolicyName": "AdministratorAccess", "PolicyArn": admin_arn}], "InstanceProfileList": []}));
    // Planted paths: each on its own attacker, so the truth is exact.
    let mut truth: BTreeSet<String> = BTreeSet::new();
    let mut planted = Vec::new();
    for k in 0..args.planted {
        let attacker = format!("attacker{k}");
        let a = arn("user", &attacker);
        let (inline, kind) = match k % 5 {
            0 => {
                // iam-002: an access key for an administrator user.
                let victim = format!("admin-user{k}");
                users.push(json!({"UserName": victim, "Arn": arn("user", &victim), "Path": "/", "UserPolicyList": [], "AttachedManagedPolicies": [{"PolicyName": "AdministratorAccess", "PolicyArn": admin_arn}], "GroupList": []}));
                (
                    doc(vec![allow(&["iam:CreateAccessKey"], &arn("user", &victim))]),
                    "iam-002",
                )
            }
            1 => {
                // sts-001: an administrator role that trusts the attacker.
                let role = format!("admin-role{k}");
                roles.push(json!({"RoleName": role, "Arn": arn("role", &role), "Path": "/", "AssumeRolePolicyDocument": trust(json!({"AWS": a})),
                    "RolePolicyList": [], "AttachedManagedPolicies": [{"PolicyName": "AdministratorAccess", "PolicyArn": admin_arn}], "InstanceProfileList": []}));
                (
                    doc(vec![allow(&["sts:AssumeRole"], &arn("role", &role))]),
                    "sts-001",
                )
            }
            2 => (
                // ecs-001: pass the ECS administrator role to a new task.
                doc(vec![
                    allow(&["iam:PassRole"], &arn("role", "admin-ecs")),
                    allow(
                        &[
                            "ecs:CreateCluster",
                            "ecs:RegisterTaskDefinition",
                            "ecs:CreateService",
                        ],
                        "*",
                    ),
                ]),
                "ecs-001",
            ),
            3 => (doc(vec![allow(&["iam:PutUserPolicy"], &a)]), "iam-007"),
            _ => {
                // Two hops: a role the attacker assumes can rewrite its own policy (iam-005).
                let role = format!("self-role{k}");
                let r = arn("role", &role);
                roles.push(json!({"RoleName": role, "Arn": r, "Path": "/", "AssumeRolePolicyDocument": trust(json!({"AWS": a})),
                    "RolePolicyList": [{"PolicyName": "self", "PolicyDocument": doc(vec![allow(&["iam:PutRolePolicy"], &r)])}], "AttachedManagedPolicies": [], "InstanceProfileList": []}));
                truth.insert(r);
                (
                    doc(vec![allow(&["sts:AssumeRole"], &arn("role", &role))]),
                    "sts-001,iam-005",
                )
            }
        };
        users.push(json!({"UserName": attacker, "Arn": a, "Path": "/", "UserPolicyList": [{"PolicyName": "planted", "PolicyDocument": inline}], "AttachedManagedPolicies": [], "GroupList": []}));
        truth.insert(a.clone());
        planted.push(json!({"principal": a, "path": kind}));
    }
    let mut gaad = json!({"UserDetailList": users, "GroupDetailList": [], "RoleDetailList": roles, "Policies": policies});
    complete(&mut gaad);
    let principals = users.len() + roles.len();
    let text = gaad.to_string();
    let mut accounts = Vec::new();
    let mut all_truth: BTreeSet<String> = BTreeSet::new();
    let mut all_planted = Vec::new();
    for n in 0..args.accounts.max(1) {
        let id = format!("{}", 100_000_000_001u64 + n as u64);
        let here = text.replace(ACCOUNT, &id);
        accounts.push(json!({"id": id, "gaad": serde_json::from_str::<Value>(&here).map_err(|e| e.to_string())?}));
        all_truth.extend(truth.iter().map(|t| t.replace(ACCOUNT, &id)));
        all_planted.extend(planted.iter().map(|p| {
            serde_json::from_str::<Value>(&p.to_string().replace(ACCOUNT, &id))
                .unwrap_or(Value::Null)
        }));
    }
    let truth = all_truth;
    let planted = all_planted;
    let snapshot = json!({"format": "iamspec-snapshot/1",
        "description": format!("reach-gen seed {}{}: {} account(s) of {} users, {} roles, {} customer policies, {} planted paths", args.seed, if args.dense { " (dense trust)" } else { "" }, args.accounts.max(1), users_len(&gaad), principals - users_len(&gaad), args.policies, args.planted),
        "accounts": accounts});
    std::fs::create_dir_all(&args.out).map_err(|e| e.to_string())?;
    let write = |name: &str, v: &Value| {
        std::fs::write(args.out.join(name), v.to_string()).map_err(|e| e.to_string())
    };
    write("snapshot.json", &snapshot)?;
    // The first account alone as a GAAD file, for tools that read one (cloudsplaining).
    write("gaad.json", &gaad)?;
    write(
        "truth.json",
        &json!({"escalates": truth, "planted": planted}),
    )?;
    println!(
        "wrote {} ({} principals, {} planted paths)",
        args.out.join("snapshot.json").display(),
        principals * args.accounts.max(1),
        planted.len()
    );
    Ok(truth)
}

fn users_len(gaad: &Value) -> usize {
    gaad.get("UserDetailList")
        .and_then(Value::as_array)
        .map_or(0, Vec::len)
}

/// What `get-account-authorization-details` always writes and the generator leaves out: ids,
/// dates, counts, empty tag lists (cloudsplaining reads them).
fn complete(gaad: &mut Value) {
    const DATE: &str = "2026-01-01T00:00:00Z";
    let fill = |list: Option<&mut Value>, id_key: &str, prefix: &str, extra: &[(&str, Value)]| {
        let Some(Value::Array(items)) = list else {
            return;
        };
        for (i, item) in items.iter_mut().enumerate() {
            let Value::Object(m) = item else { continue };
            m.entry(id_key)
                .or_insert_with(|| json!(format!("{prefix}{i:017}")));
            m.entry("CreateDate").or_insert_with(|| json!(DATE));
            for (k, v) in extra {
                m.entry(*k).or_insert_with(|| v.clone());
            }
            if let Some(Value::Array(versions)) = m.get_mut("PolicyVersionList") {
                for v in versions.iter_mut() {
                    if let Value::Object(v) = v {
                        v.entry("CreateDate").or_insert_with(|| json!(DATE));
                    }
                }
            }
        }
    };
    fill(
        gaad.get_mut("UserDetailList"),
        "UserId",
        "AIDA",
        &[("Tags", json!([]))],
    );
    fill(
        gaad.get_mut("RoleDetailList"),
        "RoleId",
        "AROA",
        &[("Tags", json!([])), ("RoleLastUsed", json!({}))],
    );
    fill(
        gaad.get_mut("Policies"),
        "PolicyId",
        "ANPA",
        &[
            ("UpdateDate", json!(DATE)),
            ("AttachmentCount", json!(1)),
            ("PermissionsBoundaryUsageCount", json!(0)),
        ],
    );
}

fn check(args: &Args, truth: &BTreeSet<String>) -> Result<(), String> {
    let t = Instant::now();
    let world = iamspec_world::snapshot::load(&args.out).map_err(|e| e.to_string())?;
    let load = t.elapsed();
    let t = Instant::now();
    let graph = Graph::build(&world);
    let build = t.elapsed();
    let t = Instant::now();
    let readers = who_can(
        &world,
        &graph,
        "s3:GetObject",
        "arn:aws:s3:::data-7/report.csv",
        Limits::default(),
    );
    let who = t.elapsed();
    let t = Instant::now();
    let records = escalation(&world, &graph, None, Limits::default());
    let esc = t.elapsed();
    let found: BTreeSet<String> = records
        .iter()
        .filter(|r| r.verdict != Verdict::No && r.min_steps.is_some_and(|s| s > 0))
        .map(|r| r.principal.clone())
        .collect();
    let missed: Vec<&String> = truth.difference(&found).collect();
    let extra: Vec<&String> = found.difference(truth).collect();
    println!(
        "principals {}, edges {}: load {:.2?}, graph {:.2?}, who-can {:.2?} ({} can), escalation {:.2?}; truth {}: missed {}, false positives {}",
        graph.nodes.len(),
        graph.edges.len(),
        load,
        build,
        who,
        readers.iter().filter(|r| r.verdict != Verdict::No).count(),
        esc,
        truth.len(),
        missed.len(),
        extra.len()
    );
    let mut by_rule: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for e in &graph.edges {
        *by_rule.entry(e.rule.as_str()).or_default() += 1;
    }
    println!("edges by rule: {by_rule:?}");
    // The whole graph in one number, to compare two builds (or refactorings) of it.
    let mut digest = std::collections::hash_map::DefaultHasher::new();
    for node in &graph.nodes {
        std::hash::Hash::hash(&format!("{node:?}"), &mut digest);
    }
    for edge in &graph.edges {
        std::hash::Hash::hash(&format!("{edge:?}"), &mut digest);
    }
    std::hash::Hash::hash(&graph.out, &mut digest);
    std::hash::Hash::hash(
        &format!("{:?} {:?}", graph.admin, graph.grants),
        &mut digest,
    );
    println!("graph digest {:016x}", std::hash::Hasher::finish(&digest));
    if !missed.is_empty() || !extra.is_empty() {
        return Err(format!("missed {missed:?}, false positives {extra:?}"));
    }
    Ok(())
}
