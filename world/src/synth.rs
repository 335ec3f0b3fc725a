//! Seeded synthetic worlds: GAAD files of any size (for the benchmarks and `cargo xtask
//! world-gen`) and small organizations (for the property tests). Deterministic for a seed.

use serde_json::{json, Value};

/// The sizes of one synthetic account.
#[derive(Clone, Copy, Debug)]
pub struct Size {
    pub users: usize,
    pub roles: usize,
    pub groups: usize,
    pub policies: usize,
}

impl Size {
    /// The account of issue #11's target: 2,000 users, 5,000 roles, 3,000 customer policies.
    pub const LARGE: Size = Size {
        users: 2_000,
        roles: 5_000,
        groups: 200,
        policies: 3_000,
    };
}

/// A small, fast, seeded generator (xorshift64*); not for cryptography.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (`0` when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }

    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const ACTIONS: [&str; 14] = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:ListBucket",
    "s3:DeleteObject",
    "s3:Get*",
    "s3:*",
    "kms:Decrypt",
    "kms:Encrypt",
    "sts:AssumeRole",
    "iam:PassRole",
    "ec2:RunInstances",
    "ec2:Describe*",
    "dynamodb:GetItem",
    "sqs:SendMessage",
];

const TEAMS: [&str; 3] = ["payments", "platform", "data"];

fn bucket(account: &str, i: usize) -> String {
    format!("arn:aws:s3:::bucket-{account}-{i}")
}

fn statement(rng: &mut Rng, account: &str, roles: usize) -> Value {
    let effect = if rng.chance(15) { "Deny" } else { "Allow" };
    let mut actions: Vec<&str> = (0..1 + rng.below(3))
        .filter_map(|_| rng.pick(&ACTIONS).copied())
        .collect();
    actions.dedup();
    let resource = match rng.below(5) {
        0 => json!("*"),
        1 => json!(format!("{}/*", bucket(account, rng.below(4)))),
        2 => json!([
            bucket(account, rng.below(4)),
            format!("{}/*", bucket(account, rng.below(4)))
        ]),
        3 => json!(format!(
            "arn:aws:iam::{account}:role/app/role-{}",
            rng.below(roles.max(1))
        )),
        _ => json!(format!("arn:aws:kms:eu-west-1:{account}:key/*")),
    };
    let mut s = json!({"Effect": effect, "Action": actions, "Resource": resource});
    if rng.chance(30) {
        let condition = match rng.below(4) {
            0 => {
                json!({"StringEquals": {"aws:PrincipalTag/team": rng.pick(&TEAMS).copied().unwrap_or("data")}})
            }
            1 => json!({"StringEquals": {"aws:ResourceTag/env": "prod"}}),
            2 => json!({"StringLike": {"aws:RequestedRegion": "eu-*"}}),
            _ => json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
        };
        if let Some(obj) = s.as_object_mut() {
            obj.insert("Condition".into(), condition);
        }
    }
    s
}

fn document(rng: &mut Rng, account: &str, roles: usize, statements: usize) -> Value {
    let list: Vec<Value> = (0..statements)
        .map(|_| statement(rng, account, roles))
        .collect();
    json!({"Version": "2012-10-17", "Statement": list})
}

fn date(rng: &mut Rng) -> String {
    format!(
        "20{:02}-{:02}-{:02}T{:02}:{:02}:00Z",
        18 + rng.below(8),
        1 + rng.below(12),
        1 + rng.below(28),
        rng.below(24),
        rng.below(60)
    )
}

fn tags(rng: &mut Rng) -> Value {
    json!([{"Key": "team", "Value": rng.pick(&TEAMS).copied().unwrap_or("data")}])
}

fn attached(rng: &mut Rng, account: &str, policies: usize, most: usize) -> Vec<Value> {
    let mut picked: Vec<usize> = (0..rng.below(most + 1))
        .map(|_| rng.below(policies))
        .collect();
    picked.sort_unstable();
    picked.dedup();
    picked
        .into_iter()
        .map(|p| json!({"PolicyName": format!("policy-{p}"), "PolicyArn": format!("arn:aws:iam::{account}:policy/policy-{p}")}))
        .collect()
}

/// A GAAD page of one account, in the AWS CLI form.
pub fn gaad(account: &str, size: Size, seed: u64) -> Value {
    let mut rng = Rng::new(seed);
    let policies = size.policies.max(1);
    let statements = 4;
    let groups: Vec<Value> = (0..size.groups)
        .map(|g| {
            json!({"Path": "/", "GroupName": format!("group-{g}"), "GroupId": format!("AGPA{g:017}"),
                   "Arn": format!("arn:aws:iam::{account}:group/group-{g}"), "CreateDate": date(&mut rng),
                   "GroupPolicyList": [], "AttachedManagedPolicies": attached(&mut rng, account, policies, 3)})
        })
        .collect();
    let users: Vec<Value> = (0..size.users)
        .map(|u| {
            let mut in_groups: Vec<String> = (0..rng.below(4))
                .filter(|_| size.groups > 0)
                .map(|_| format!("group-{}", rng.below(size.groups)))
                .collect();
            in_groups.sort();
            in_groups.dedup();
            let inline: Vec<Value> = (0..rng.below(2))
                .map(|i| json!({"PolicyName": format!("inline-{i}"), "PolicyDocument": document(&mut rng, account, size.roles, 3)}))
                .collect();
            json!({"Path": "/", "UserName": format!("user-{u}"), "UserId": format!("AIDA{u:017}"),
                   "Arn": format!("arn:aws:iam::{account}:user/user-{u}"), "CreateDate": date(&mut rng),
                   "GroupList": in_groups, "UserPolicyList": inline,
                   "AttachedManagedPolicies": attached(&mut rng, account, policies, 3), "Tags": tags(&mut rng)})
        })
        .collect();
    let roles: Vec<Value> = (0..size.roles)
        .map(|r| {
            let trusted = if rng.chance(50) && size.users > 0 {
                json!({"AWS": format!("arn:aws:iam::{account}:user/user-{}", rng.below(size.users))})
            } else if rng.chance(50) {
                json!({"Service": "ec2.amazonaws.com"})
            } else {
                json!({"AWS": format!("arn:aws:iam::{account}:root")})
            };
            let inline: Vec<Value> = (0..1)
                .map(|i| json!({"PolicyName": format!("inline-{i}"), "PolicyDocument": document(&mut rng, account, size.roles, 3)}))
                .collect();
            json!({"Path": "/app/", "RoleName": format!("role-{r}"), "RoleId": format!("AROA{r:017}"),
                   "Arn": format!("arn:aws:iam::{account}:role/app/role-{r}"), "CreateDate": date(&mut rng),
                   "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": trusted, "Action": "sts:AssumeRole"}]},
                   "InstanceProfileList": [], "RolePolicyList": inline,
                   "AttachedManagedPolicies": attached(&mut rng, account, policies, 3), "Tags": tags(&mut rng),
                   "RoleLastUsed": {"LastUsedDate": date(&mut rng), "Region": "eu-west-1"}})
        })
        .collect();
    let managed: Vec<Value> = (0..size.policies)
        .map(|p| {
            let count = 1 + rng.below(2);
            let versions: Vec<Value> = (0..count)
                .map(|v| json!({"Document": document(&mut rng, account, size.roles, statements), "VersionId": format!("v{}", count - v),
                                "IsDefaultVersion": v == 0, "CreateDate": date(&mut rng)}))
                .collect();
            json!({"PolicyName": format!("policy-{p}"), "PolicyId": format!("ANPA{p:017}"),
                   "Arn": format!("arn:aws:iam::{account}:policy/policy-{p}"), "Path": "/",
                   "DefaultVersionId": format!("v{count}"), "AttachmentCount": 1, "PermissionsBoundaryUsageCount": 0,
                   "IsAttachable": true, "CreateDate": date(&mut rng), "UpdateDate": date(&mut rng),
                   "PolicyVersionList": versions})
        })
        .collect();
    json!({"UserDetailList": users, "GroupDetailList": groups, "RoleDetailList": roles, "Policies": managed})
}

/// A small organization for the property tests: a root with two OUs, three accounts (the
/// first is the management account), SCPs and RCPs, small accounts, and buckets with policies.
pub fn organization(seed: u64) -> Value {
    let mut rng = Rng::new(seed);
    let accounts = ["111111111111", "222222222222", "333333333333"];
    let size = Size {
        users: 1 + rng.below(3),
        roles: 1 + rng.below(3),
        groups: rng.below(3),
        policies: 1 + rng.below(4),
    };
    let scp_targets = [
        "r-root",
        "ou-root-a",
        "ou-root-b",
        "222222222222",
        "333333333333",
    ];
    let mut policies = Vec::new();
    for i in 0..rng.below(3) {
        let target = rng.pick(&scp_targets).copied().unwrap_or("r-root");
        policies.push(json!({"name": format!("scp-{i}"), "type": "SERVICE_CONTROL_POLICY", "targets": [target],
                             "document": document(&mut rng, "222222222222", size.roles, 2)}));
    }
    if rng.chance(50) {
        policies.push(json!({"name": "rcp-0", "type": "RESOURCE_CONTROL_POLICY", "targets": ["r-root"],
            "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
                "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-synthetic1"}}}]}}));
    }
    let mut resources = Vec::new();
    for account in accounts.iter().skip(1) {
        for b in 0..2 {
            let principal = format!(
                "arn:aws:iam::{}:root",
                rng.pick(&accounts).copied().unwrap_or("111111111111")
            );
            resources.push(json!({"arn": bucket(account, b), "account": account, "tags": {"env": if rng.chance(50) {"prod"} else {"dev"}},
                "policy": {"Version": "2012-10-17", "Statement": [{"Effect": if rng.chance(20) {"Deny"} else {"Allow"},
                    "Principal": {"AWS": principal}, "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
                    "Resource": [bucket(account, b), format!("{}/*", bucket(account, b))]}]}}));
        }
    }
    json!({
        "format": "iamspec-snapshot/1",
        "organization": {
            "id": "o-synthetic1", "root": "r-root", "management_account": "111111111111",
            "policy_types": ["SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"],
            "organizational_units": [{"id": "ou-root-a", "name": "A", "parent": "r-root"}, {"id": "ou-root-b", "name": "B", "parent": "ou-root-a"}],
            "accounts": [{"id": "111111111111", "parent": "r-root"}, {"id": "222222222222", "parent": "ou-root-a"}, {"id": "333333333333", "parent": "ou-root-b"}],
            "policies": policies
        },
        "accounts": accounts.iter().enumerate().map(|(i, a)| json!({"id": a, "gaad": gaad(a, size, seed ^ (i as u64 + 1))})).collect::<Vec<_>>(),
        "resources": resources
    })
}

/// The actions the generated policies name, for drawing requests.
pub fn request_actions() -> &'static [&'static str] {
    &[
        "s3:GetObject",
        "s3:PutObject",
        "s3:ListBucket",
        "s3:DeleteObject",
        "kms:Decrypt",
        "sts:AssumeRole",
        "iam:PassRole",
        "ec2:RunInstances",
        "sqs:SendMessage",
    ]
}
