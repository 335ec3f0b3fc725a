//! The graph: one node per principal of the world (users, roles, identity providers), one node per
//! escalated principal (a principal with the policies an escalation gives it), and an edge
//! wherever one node can act as another. Every edge is decided by assembling the policy sets with
//! the world and asking the evaluator (`decide.rs`); the documented escalation paths are rules
//! (`rules.rs`), not string matches.

use crate::decide::{administrator, decide, names_action, trusting, Changes, Check, Outcome};
use crate::grant::Grant;
use crate::rules::{rules, Mechanism, Modification, Rule};
use iamspec_model::policy::{Effect, Policy};
use iamspec_model::request::Resource;
use iamspec_world::entity::{Account, EntityRef, ProviderType, Role, User};
use iamspec_world::{Query, World};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeKind {
    User,
    Role,
    IdentityProvider,
    /// A user or role after an escalation step changed its policies.
    Escalated,
    /// The administrators of an account (D106): every administrator has an edge to it, and it
    /// has an edge to every user and role of the account, instead of an edge from each
    /// administrator to each principal.
    Administrators,
    /// Roles of one account with the same trust policy and tags (D107): a caller whose
    /// policies treat every one of them alike has one edge to the group, and the group one edge
    /// to each role, instead of an edge from each caller to each role. A path shows the two edges
    /// as one `sts:AssumeRole` hop.
    RoleGroup,
}

#[derive(Clone, Debug)]
pub struct Node {
    /// The ARN, or for an escalated node `ARN (+what it gained)`.
    pub id: String,
    pub kind: NodeKind,
    /// The principal whose policy set is assembled.
    pub principal: String,
    pub account: String,
    /// Identity policies an escalation added.
    pub added: Vec<Policy>,
}

/// One way to go from a node to another.
#[derive(Clone, Debug, Serialize)]
pub struct Edge {
    #[serde(skip)]
    pub from: usize,
    #[serde(skip)]
    pub to: usize,
    /// The documented path's id (`sts-001`, `iam-014`, `lambda-001`), `federation`, or two ids
    /// joined with `+` for a combination the catalogue does not list.
    pub rule: String,
    /// What the step does, in words.
    pub step: String,
    #[serde(flatten)]
    pub outcome: Outcome,
    /// The requests that decided the edge, replayable with `iamspec access`.
    pub checks: Vec<Check>,
}

impl Serialize for Outcome {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("verdict", &self.verdict)?;
        m.serialize_entry("needs", &self.needs)?;
        m.end()
    }
}

pub struct Graph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    /// Outgoing edges per node.
    pub out: Vec<Vec<usize>>,
    /// Whether each node is an administrator (D100).
    pub admin: Vec<Outcome>,
    /// Per node, what its identity side's Allow statements may grant (everything for an
    /// escalated node or a policy the snapshot lacks): `who_can` decides only the nodes one of
    /// whose grants may cover the action and the resource when no resource policy can grant.
    pub grants: Vec<Vec<Grant>>,
    by_id: HashMap<String, usize>,
}

/// How many roles sharing a trust policy and tags make a group (D107): below it, edges to each
/// role cost less than the test that a caller treats them alike.
pub const GROUP_MIN: usize = 8;

/// The role groups of D107.
#[derive(Default)]
struct Groups {
    /// The group of each grouped role.
    of_role: HashMap<String, usize>,
    list: Vec<Group>,
}

struct Group {
    node: usize,
    roles: Vec<(String, Option<iamspec_model::arn::Arn>)>,
}

impl Groups {
    /// Roles grouped by account, trust policy text and tags; groups of [`GROUP_MIN`] or more get
    /// a node and an edge to each member.
    fn new(world: &World, g: &mut Graph) -> Groups {
        let mut by_key: HashMap<(&str, &str, String), Vec<&Role>> = HashMap::new();
        for account in &world.accounts {
            for role in &account.roles {
                let tags = format!("{:?}", role.tags);
                by_key
                    .entry((account.id.as_str(), role.trust.text.as_str(), tags))
                    .or_default()
                    .push(role);
            }
        }
        let mut keys: Vec<_> = by_key
            .into_iter()
            .filter(|(_, r)| r.len() >= GROUP_MIN)
            .collect();
        keys.sort_by(|a, b| {
            a.1.first()
                .map(|r| &r.arn)
                .cmp(&b.1.first().map(|r| &r.arn))
        });
        let mut groups = Groups::default();
        for ((account, _, _), roles) in keys {
            let first = roles.first().map(|r| r.arn.as_str()).unwrap_or_default();
            let id = format!(
                "the {} roles of account {account} with the trust policy and tags of `{first}`",
                roles.len()
            );
            let node = g.add_node(&id, NodeKind::RoleGroup, "", account, Vec::new());
            let at = groups.list.len();
            for role in &roles {
                groups.of_role.insert(role.arn.clone(), at);
                if let Some(to) = g.node(&role.arn) {
                    g.add_edge(Edge {
                        from: node,
                        to,
                        rule: "sts-001".into(),
                        step: format!("sts:AssumeRole into `{}`", role.arn),
                        outcome: Outcome::yes(),
                        checks: Vec::new(),
                    });
                }
            }
            groups.list.push(Group {
                node,
                roles: roles
                    .iter()
                    .map(|r| (r.arn.clone(), iamspec_model::arn::Arn::parse(&r.arn).ok()))
                    .collect(),
            });
        }
        groups
    }
}

/// The probe of D100: an administrator has full control of IAM in its account (with it, it can
/// grant itself anything its guardrails allow): each of these allowed on `*`.
pub const ADMIN_PROBES: &[&str] = &[
    "iam:AttachUserPolicy",
    "iam:AttachRolePolicy",
    "iam:PutUserPolicy",
    "iam:PutRolePolicy",
    "iam:CreatePolicyVersion",
    "iam:UpdateAssumeRolePolicy",
    "iam:PassRole",
];

const ADMINISTRATOR_ACCESS: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

impl Graph {
    pub fn node(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    /// Builds the graph of `world`.
    pub fn build(world: &World) -> Graph {
        let mut g = Graph {
            nodes: Vec::new(),
            edges: Vec::new(),
            out: Vec::new(),
            admin: Vec::new(),
            grants: Vec::new(),
            by_id: HashMap::new(),
        };
        for account in &world.accounts {
            for user in &account.users {
                g.add_node(
                    &user.arn,
                    NodeKind::User,
                    &user.arn,
                    &account.id,
                    Vec::new(),
                );
            }
            for role in &account.roles {
                g.add_node(
                    &role.arn,
                    NodeKind::Role,
                    &role.arn,
                    &account.id,
                    Vec::new(),
                );
            }
            for provider in &account.identity_providers {
                let arn = &provider.arn;
                g.add_node(
                    arn,
                    NodeKind::IdentityProvider,
                    arn,
                    &account.id,
                    Vec::new(),
                );
            }
        }
        let rules = rules();
        let index = TrustIndex::new(world);
        let groups = Groups::new(world, &mut g);
        // Administrators first: an administrator's edges to each principal of its account go
        // through the account's hub (D106), so they are not built one by one.
        let base: Vec<Outcome> = {
            let g = &g;
            (0..g.nodes.len())
                .into_par_iter()
                .map(|n| g.is_admin(world, n))
                .collect()
        };
        for account in &world.accounts {
            g.administrators(world, account);
        }
        // Each account's principals are built apart, in parallel (rayon), on the nodes every
        // account can name; the escalated nodes and edges they make are then added in account
        // order, so the graph is the same whatever the number of threads.
        let shards: Vec<Made> = {
            let g = &g;
            world
                .accounts
                .par_iter()
                .map(|account| {
                    let mut shard = Shard::new(g);
                    let mut trusts = TrustCache::default();
                    for user in &account.users {
                        let admin = g.node(&user.arn).and_then(|n| base.get(n)).cloned();
                        Builder::new(
                            world,
                            &mut shard,
                            account,
                            &user.arn,
                            &rules,
                            &mut trusts,
                            (&index, &groups),
                        )
                        .principal(Some(user), admin);
                    }
                    for role in &account.roles {
                        let admin = g.node(&role.arn).and_then(|n| base.get(n)).cloned();
                        Builder::new(
                            world,
                            &mut shard,
                            account,
                            &role.arn,
                            &rules,
                            &mut trusts,
                            (&index, &groups),
                        )
                        .principal(None, admin);
                    }
                    shard.made()
                })
                .collect()
        };
        for (shard, account) in shards.into_iter().zip(&world.accounts) {
            g.merge(shard);
            for provider in &account.identity_providers {
                g.federation(world, &provider.arn, provider.kind);
            }
        }
        g.admin = (0..g.nodes.len())
            .map(|n| match base.get(n) {
                Some(o) => o.clone(),
                None => g.is_admin(world, n),
            })
            .collect();
        // An escalated node acts as the administrator it became (D106): an edge to its
        // account's hub when the escalation made it one.
        for n in base.len()..g.nodes.len() {
            let (Some(node), Some(outcome)) = (g.nodes.get(n), g.admin.get(n)) else {
                continue;
            };
            if node.kind == NodeKind::Escalated && outcome.holds() {
                let (principal, account, outcome) = (
                    node.principal.clone(),
                    node.account.clone(),
                    outcome.clone(),
                );
                g.join_hub(n, &principal, &account, outcome);
            }
        }
        for n in 0..base.len() {
            if let (Some(node), Some(outcome)) = (g.nodes.get(n), base.get(n)) {
                if outcome.holds() && node.kind != NodeKind::IdentityProvider {
                    let (principal, account, outcome) = (
                        node.principal.clone(),
                        node.account.clone(),
                        outcome.clone(),
                    );
                    g.join_hub(n, &principal, &account, outcome);
                }
            }
        }
        g
    }

    /// Adds what one account's builders made: their new nodes (escalated principals) under
    /// their final numbers, their edges, the grants of their principals.
    fn merge(&mut self, shard: Made) {
        let first = shard.base_len;
        let mut renumber = Vec::with_capacity(shard.nodes.len());
        for node in shard.nodes {
            renumber.push(match Store::node(self, &node.id) {
                Some(n) => n,
                None => self.keep(node),
            });
        }
        let at = |n: usize| -> usize {
            if n < first {
                n
            } else {
                renumber.get(n - first).copied().unwrap_or(usize::MAX)
            }
        };
        for mut edge in shard.edges {
            edge.from = at(edge.from);
            edge.to = at(edge.to);
            self.add_edge(edge);
        }
        for (n, grants) in shard.grants {
            if let Some(slot) = self.grants.get_mut(n) {
                *slot = grants;
            }
        }
    }

    /// The hub id of `account`'s administrators.
    pub fn hub_id(account: &str) -> String {
        format!("administrators of account {account}")
    }

    fn join_hub(&mut self, from: usize, principal: &str, account: &str, outcome: Outcome) {
        let Some(to) = self.node(&Graph::hub_id(account)) else {
            return;
        };
        self.add_edge(Edge {
            from,
            to,
            rule: "administrator".into(),
            step: format!(
                "an administrator of account {account} (D100) acts as any principal of it"
            ),
            outcome,
            checks: ADMIN_PROBES
                .iter()
                .map(|a| check(principal, a, "*", &[], None))
                .collect(),
        });
    }

    /// The hub of `account`'s administrators and its edges to each user (a new access key) and
    /// role (a rewritten trust policy), decided for an administrator without a permissions
    /// boundary under the account's SCPs and RCPs (D106).
    fn administrators(&mut self, world: &World, account: &Account) {
        let hub = self.add_node(
            &Graph::hub_id(&account.id),
            NodeKind::Administrators,
            "",
            &account.id,
            Vec::new(),
        );
        let admin = [administrator()];
        for user in &account.users {
            let Some(to) = self.node(&user.arn) else {
                continue;
            };
            let o = as_administrator(
                world,
                &user.arn,
                "iam:CreateAccessKey",
                &user.arn,
                None,
                &admin,
            )
            .and(as_administrator(
                world,
                &user.arn,
                "iam:DeleteAccessKey",
                &user.arn,
                None,
                &admin,
            ));
            if o.holds() {
                self.add_edge(Edge {
                    from: hub,
                    to,
                    rule: "iam-003".into(),
                    step: format!(
                        "as an administrator: iam:DeleteAccessKey and iam:CreateAccessKey for user `{}`",
                        user.arn
                    ),
                    outcome: o,
                    checks: vec![
                        check(&user.arn, "iam:CreateAccessKey", &user.arn, &[], Some(ADMIN_SIDE.into())),
                        check(&user.arn, "iam:DeleteAccessKey", &user.arn, &[], Some(ADMIN_SIDE.into())),
                    ],
                });
            }
        }
        for role in &account.roles {
            let Some(to) = self.node(&role.arn) else {
                continue;
            };
            if role.is_service_linked() {
                continue; // its trust policy cannot be changed
            }
            let Some(trust) = trusting(&role.arn) else {
                continue;
            };
            let o = as_administrator(
                world,
                &role.arn,
                "iam:UpdateAssumeRolePolicy",
                &role.arn,
                None,
                &admin,
            )
            .and(as_administrator(
                world,
                &role.arn,
                "sts:AssumeRole",
                &role.arn,
                Some(&trust),
                &admin,
            ));
            if o.holds() {
                self.add_edge(Edge {
                    from: hub,
                    to,
                    rule: "iam-012".into(),
                    step: format!(
                        "as an administrator: iam:UpdateAssumeRolePolicy on `{}`, then sts:AssumeRole",
                        role.arn
                    ),
                    outcome: o,
                    checks: vec![check(
                        &role.arn,
                        "iam:UpdateAssumeRolePolicy",
                        &role.arn,
                        &[],
                        Some(ADMIN_SIDE.into()),
                    )],
                });
            }
        }
    }

    /// Roles an identity provider of the world can federate into.
    fn federation(&mut self, world: &World, provider: &str, kind: ProviderType) {
        let Some(from) = self.node(provider) else {
            return;
        };
        let action = match kind {
            ProviderType::Saml => "sts:AssumeRoleWithSAML",
            ProviderType::Oidc => "sts:AssumeRoleWithWebIdentity",
        };
        for account in &world.accounts {
            for role in &account.roles {
                if !role.trust.text.contains(provider) {
                    continue; // a Federated principal names the provider's ARN
                }
                let outcome = decide(world, provider, action, &role.arn, &[], &Changes::default());
                if let (true, Some(to)) = (outcome.holds(), self.node(&role.arn)) {
                    self.add_edge(Edge {
                        from,
                        to,
                        rule: "federation".into(),
                        step: format!("{action} into `{}` with a token of `{provider}`", role.arn),
                        outcome,
                        checks: vec![check(provider, action, &role.arn, &[], None)],
                    });
                }
            }
        }
    }

    /// D100: allowed every probe action on `*`, with the node's added policies.
    fn is_admin(&self, world: &World, n: usize) -> Outcome {
        let Some(node) = self.nodes.get(n) else {
            return Outcome::no();
        };
        if matches!(
            node.kind,
            NodeKind::IdentityProvider | NodeKind::Administrators | NodeKind::RoleGroup
        ) {
            return Outcome::no();
        }
        let changes = Changes {
            added: &node.added,
            trust: None,
        };
        let mut all = Outcome::yes();
        for probe in ADMIN_PROBES {
            all = all.and(decide(world, &node.principal, probe, "*", &[], &changes));
            if !all.holds() {
                break;
            }
        }
        all
    }
}

/// Where nodes and edges are added: the graph itself (the principals, role groups, hubs and
/// their edges), or one account's [`Shard`] over it (what the account's builders make, built in
/// parallel). A node is made here, once; the two differ only in where they keep nodes and edges
/// and how they number them.
trait Store {
    /// The number of the node `id`, if there is one.
    fn node(&self, id: &str) -> Option<usize>;

    /// Keeps a node no other has the id of; its number.
    fn keep(&mut self, node: Node) -> usize;

    /// Keeps an edge between two nodes this store numbers.
    fn add_edge(&mut self, edge: Edge);

    /// The node `id`, made when there is none yet.
    fn add_node(
        &mut self,
        id: &str,
        kind: NodeKind,
        principal: &str,
        account: &str,
        added: Vec<Policy>,
    ) -> usize {
        if let Some(n) = self.node(id) {
            return n;
        }
        self.keep(Node {
            id: id.to_owned(),
            kind,
            principal: principal.to_owned(),
            account: account.to_owned(),
            added,
        })
    }
}

impl Store for Graph {
    fn node(&self, id: &str) -> Option<usize> {
        Graph::node(self, id)
    }

    fn keep(&mut self, node: Node) -> usize {
        let n = self.nodes.len();
        self.by_id.insert(node.id.clone(), n);
        self.out.push(Vec::new());
        self.grants.push(if node.kind == NodeKind::Escalated {
            vec![Grant::everything()]
        } else {
            Vec::new()
        });
        self.nodes.push(node);
        n
    }

    fn add_edge(&mut self, edge: Edge) {
        if let Some(list) = self.out.get_mut(edge.from) {
            list.push(self.edges.len());
            self.edges.push(edge);
        }
    }
}

impl Store for Shard<'_> {
    fn node(&self, id: &str) -> Option<usize> {
        self.base.node(id).or_else(|| self.by_id.get(id).copied())
    }

    fn keep(&mut self, node: Node) -> usize {
        let n = self.base_len + self.nodes.len();
        self.by_id.insert(node.id.clone(), n);
        self.nodes.push(node);
        n
    }

    fn add_edge(&mut self, edge: Edge) {
        self.out
            .entry(edge.from)
            .or_default()
            .push(self.edges.len());
        self.edges.push(edge);
    }
}

/// What one account's builders add to the graph (`Graph::build`): new nodes numbered after the
/// graph's, edges, and the grants of the account's principals.
struct Shard<'g> {
    base: &'g Graph,
    base_len: usize,
    nodes: Vec<Node>,
    by_id: HashMap<String, usize>,
    edges: Vec<Edge>,
    /// Outgoing edges (of `edges`) per node.
    out: HashMap<usize, Vec<usize>>,
    grants: Vec<(usize, Vec<Grant>)>,
}

/// A [`Shard`]'s additions.
struct Made {
    base_len: usize,
    nodes: Vec<Node>,
    edges: Vec<Edge>,
    grants: Vec<(usize, Vec<Grant>)>,
}

impl<'g> Shard<'g> {
    fn new(base: &'g Graph) -> Shard<'g> {
        Shard {
            base,
            base_len: base.nodes.len(),
            nodes: Vec::new(),
            by_id: HashMap::new(),
            edges: Vec::new(),
            out: HashMap::new(),
            grants: Vec::new(),
        }
    }

    fn node_at(&self, n: usize) -> Option<&Node> {
        match n.checked_sub(self.base_len) {
            None => self.base.nodes.get(n),
            Some(i) => self.nodes.get(i),
        }
    }

    /// What the shard made, without the graph it read.
    fn made(self) -> Made {
        Made {
            base_len: self.base_len,
            nodes: self.nodes,
            edges: self.edges,
            grants: self.grants,
        }
    }

    /// The edges this shard made out of `n`.
    fn out_of(&self, n: usize) -> impl Iterator<Item = &Edge> {
        self.out
            .get(&n)
            .into_iter()
            .flatten()
            .filter_map(|&e| self.edges.get(e))
    }
}

/// What an identity side's grants may name (`Builder::grants`).
enum Grants {
    Literal(Vec<String>),
    Patterns(Vec<iamspec_model::pattern::Pattern>),
}

/// What a hub check assumes (D106).
const ADMIN_SIDE: &str =
    "the caller's identity side is an administrator policy with no permissions boundary (D106)";

/// `action` on `resource` for `principal` with its identity side replaced by `admin` and no
/// boundary or session policy: what any administrator of the account can do, under its SCPs,
/// RCPs and the resource's policy (`trust` replacing a role's trust policy).
fn as_administrator(
    world: &World,
    principal: &str,
    action: &str,
    resource: &str,
    trust: Option<&Policy>,
    admin: &[Policy],
) -> Outcome {
    crate::decide::decide_with(world, principal, action, resource, &[], |set| {
        set.identity = admin.to_vec();
        set.permission_boundary = None;
        set.session.clear();
        if let Some(trust) = trust {
            set.resource = Some(trust.clone());
            set.resource_kind = Some(iamspec_model::policy::PolicyKind::Trust);
        }
    })
}

/// Which roles' trust policies can name a caller: by its ARN, by its account, or by a wildcard
/// (`"*"`, `NotPrincipal`, or a policy that did not parse). Only a prefilter: the evaluator
/// decides every edge.
struct TrustIndex {
    by_arn: HashMap<String, Vec<String>>,
    by_account: HashMap<String, Vec<String>>,
    anyone: Vec<String>,
}

impl TrustIndex {
    fn new(world: &World) -> TrustIndex {
        let mut index = TrustIndex {
            by_arn: HashMap::new(),
            by_account: HashMap::new(),
            anyone: Vec::new(),
        };
        for role in world.accounts.iter().flat_map(|a| a.roles.iter()) {
            let mut arns: Vec<String> = Vec::new();
            let mut accounts: Vec<String> = Vec::new();
            let mut anyone = role.trust.policy.is_none();
            for statement in role.trust.policy.iter().flat_map(|p| p.statements.iter()) {
                let Some(element) = &statement.principal else {
                    continue;
                };
                if element.negated {
                    anyone = true;
                    continue;
                }
                match &element.principals {
                    iamspec_model::policy::Principals::Any => anyone = true,
                    iamspec_model::policy::Principals::Typed(list) => {
                        for (kind, values) in list {
                            if *kind != iamspec_model::policy::PrincipalType::Aws {
                                continue;
                            }
                            for v in values.iter() {
                                if v == "*" {
                                    anyone = true;
                                } else if iamspec_model::principal::is_account_id(v) {
                                    accounts.push(v.to_owned());
                                } else if let Some(account) = v
                                    .strip_prefix("arn:aws:iam::")
                                    .and_then(|r| r.strip_suffix(":root"))
                                {
                                    accounts.push(account.to_owned());
                                } else {
                                    arns.push(v.to_owned());
                                }
                            }
                        }
                    }
                }
            }
            if anyone {
                index.anyone.push(role.arn.clone());
                continue;
            }
            for a in arns {
                index.by_arn.entry(a).or_default().push(role.arn.clone());
            }
            for a in accounts {
                index
                    .by_account
                    .entry(a)
                    .or_default()
                    .push(role.arn.clone());
            }
        }
        index
    }
}

#[derive(Default)]
struct TrustCache {
    by_role_service: HashMap<(String, &'static str), Outcome>,
    /// Per group and `Resource` pattern: whether it matches every role of the group or none.
    alike: HashMap<(usize, String), bool>,
}

struct Builder<'a, 'g> {
    world: &'a World,
    g: &'a mut Shard<'g>,
    account: &'a Account,
    arn: &'a str,
    from: usize,
    rules: &'a [Rule],
    trusts: &'a mut TrustCache,
    index: &'a TrustIndex,
    groups: &'a Groups,
    /// The principal's identity-side Allow statements, to skip rules it cannot meet (a
    /// prefilter only: the evaluator decides every edge).
    allows: Vec<iamspec_model::policy::Statement>,
}

impl<'a, 'g> Builder<'a, 'g> {
    fn new(
        world: &'a World,
        g: &'a mut Shard<'g>,
        account: &'a Account,
        arn: &'a str,
        rules: &'a [Rule],
        trusts: &'a mut TrustCache,
        (index, groups): (&'a TrustIndex, &'a Groups),
    ) -> Builder<'a, 'g> {
        let from = g.node(arn).unwrap_or(usize::MAX);
        let assembled = world
            .assemble(&Query {
                principal: arn.to_owned(),
                action: "sts:GetCallerIdentity".into(),
                resource: "*".into(),
                ..Query::default()
            })
            .ok();
        let unavailable = assembled.as_ref().is_none_or(|a| !a.unavailable.is_empty());
        let allows: Vec<iamspec_model::policy::Statement> = assembled
            .map(|a| {
                a.set
                    .identity
                    .into_iter()
                    .flat_map(|p| p.statements)
                    .filter(|s| s.effect == Effect::Allow)
                    .collect()
            })
            .unwrap_or_default();
        if from != usize::MAX {
            let grants = if unavailable {
                vec![Grant::everything()]
            } else {
                allows.iter().map(Grant::new).collect()
            };
            g.grants.push((from, grants));
        }
        Builder {
            world,
            g,
            account,
            arn,
            from,
            rules,
            trusts,
            index,
            groups,
            allows,
        }
    }

    fn mentions(&self, action: &str) -> bool {
        self.allows.iter().any(|s| names_action(s, action))
    }

    fn rule(&self, id: &str) -> Option<&'a Rule> {
        self.rules.iter().find(|r| r.path.id == id)
    }

    fn edge(&mut self, to: usize, rule: &str, step: String, outcome: Outcome, checks: Vec<Check>) {
        if outcome.holds() && to != self.from {
            self.g.add_edge(Edge {
                from: self.from,
                to,
                rule: rule.to_owned(),
                step,
                outcome,
                checks,
            });
        }
    }

    fn decide(&self, action: &str, resource: &str, context: &[(&str, &str)]) -> (Outcome, Check) {
        (
            decide(
                self.world,
                self.arn,
                action,
                resource,
                context,
                &Changes::default(),
            ),
            check(self.arn, action, resource, context, None),
        )
    }

    /// `action` on any resource the principal's grants name (a new resource gets the name the
    /// attacker chooses), or on `*`.
    fn decide_new(&self, action: &str) -> (Outcome, Check) {
        let mut best = self.decide(action, "*", &[]);
        for s in self.allows.iter().filter(|s| names_action(s, action)) {
            let patterns: Vec<&str> = match &s.resource {
                Some(r) if !r.negated => r.patterns.items.iter().map(String::as_str).collect(),
                _ => Vec::new(),
            };
            for pattern in patterns {
                if best.0.verdict == crate::decide::Verdict::Yes {
                    return best;
                }
                // `*` was tried first; a pattern that is no ARN samples as `*` again.
                if let Resource::Arn(arn) = iamspec_world::permissions::sample(pattern) {
                    let here = self.decide(action, arn.as_str(), &[]);
                    if here.0.clone().or(best.0.clone()) == here.0 {
                        best = here;
                    }
                }
            }
        }
        best
    }

    /// The edges out of the principal; an administrator (`admin` holds) gets only its role
    /// assumptions here: its other edges go through its account's hub (D106).
    fn principal(mut self, user: Option<&'a User>, admin: Option<Outcome>) {
        if self.from == usize::MAX {
            return;
        }
        let admin = admin.is_some_and(|a| a.verdict == crate::decide::Verdict::Yes);
        self.assume_roles(admin);
        if admin {
            return;
        }
        if self.mentions("iam:CreateAccessKey")
            || self.mentions("iam:CreateLoginProfile")
            || self.mentions("iam:UpdateLoginProfile")
        {
            for target in &self.account.users {
                if target.arn != self.arn {
                    self.user_credentials(target);
                }
            }
        }
        if self.mentions("iam:UpdateAssumeRolePolicy") {
            for target in &self.account.roles {
                if target.arn != self.arn {
                    self.update_trust(target);
                }
            }
        }
        let passing: Vec<&'a Rule> = self
            .rules
            .iter()
            .filter(|r| matches!(r.mechanism, Mechanism::PassRole { .. }))
            .filter(|r| {
                r.service_actions().all(|a| self.mentions(a))
                    && (!r.passes_role() || self.mentions("iam:PassRole"))
            })
            .collect();
        if !passing.is_empty() {
            for target in &self.account.roles {
                if target.arn != self.arn && !target.is_service_linked() {
                    self.pass_role(target, &passing);
                }
            }
        }
        self.modifications();
        if let Some(user) = user {
            if self.mentions("iam:AddUserToGroup") {
                self.join_groups(user);
            }
        }
    }

    /// `sts:AssumeRole` edges; for an administrator only into other accounts (its own account's
    /// roles it reaches through the hub, D106).
    fn assume_roles(&mut self, admin: bool) {
        let own = self.account.id.clone();
        let identity_allows = self.mentions("sts:AssumeRole");
        let index = self.index;
        // A Principal element can name this caller only by its ARN or by a wildcard (decided
        // whatever the identity side says), or by its account: then the identity side must
        // grant too (§4.3), so only the roles its grants may name are candidates.
        let mut candidates: Vec<&str> = index
            .by_arn
            .get(self.arn)
            .into_iter()
            .flatten()
            .chain(index.anyone.iter())
            .map(String::as_str)
            .collect();
        if identity_allows {
            let by_account = index.by_account.get(&own);
            match self.grants("sts:AssumeRole") {
                Grants::Literal(arns) => {
                    for arn in arns {
                        if let Some(role) = by_account
                            .into_iter()
                            .flatten()
                            .find(|r| r.eq_ignore_ascii_case(&arn))
                        {
                            candidates.push(role);
                        }
                    }
                }
                Grants::Patterns(patterns) => candidates.extend(
                    by_account
                        .into_iter()
                        .flatten()
                        .filter(|r| patterns.iter().any(|p| p.matches(r)))
                        .map(String::as_str),
                ),
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let mut done: Vec<usize> = Vec::new();
        for role in candidates {
            if role == self.arn {
                continue;
            }
            // Another account's role needs an identity-side grant as well (§4.3).
            let other = role
                .strip_prefix("arn:aws:iam::")
                .is_some_and(|r| !r.starts_with(own.as_str()));
            if (other && !identity_allows) || (admin && !other) {
                continue;
            }
            if let Some(&group) = self.groups.of_role.get(role) {
                if done.contains(&group) {
                    continue;
                }
                if self.alike(group, role) {
                    done.push(group);
                    let Some(node) = self.groups.list.get(group).map(|g| g.node) else {
                        continue;
                    };
                    // One decision stands for every role of the group (D107).
                    let (outcome, c) = self.decide("sts:AssumeRole", role, &[]);
                    self.edge(
                        node,
                        "sts-001",
                        format!("sts:AssumeRole into any role of the group of `{role}`"),
                        outcome,
                        vec![c],
                    );
                    continue;
                }
            }
            let Some(to) = self.g.node(role) else {
                continue;
            };
            let (outcome, c) = self.decide("sts:AssumeRole", role, &[]);
            self.edge(
                to,
                "sts-001",
                format!("sts:AssumeRole into `{role}`"),
                outcome,
                vec![c],
            );
        }
    }

    /// Whether the caller's policies decide `sts:AssumeRole` alike for every role of `group`
    /// (D107). The roles share their trust policy, tags and account, so what can tell them apart
    /// is a `Resource`/`NotResource` entry of a statement naming `sts:AssumeRole` in the caller's
    /// identity policies, boundary, SCPs or RCPs: alike when each entry matches every role of
    /// the group or none (an entry with a policy variable is not tested: not alike).
    fn alike(&mut self, group: usize, role: &str) -> bool {
        let Some(members) = self.groups.list.get(group).map(|g| &g.roles) else {
            return false;
        };
        // Cheaply first: a grant naming one role of the group by its ARN tells it apart.
        let literal = |p: &String| !p.contains(['*', '?']) && !p.contains("${");
        if members.len() > 1
            && self
                .allows
                .iter()
                .filter(|s| names_action(s, "sts:AssumeRole"))
                .filter_map(|s| s.resource.as_ref())
                .flat_map(|r| r.patterns.items.iter())
                .any(|p| literal(p) && members.iter().any(|(arn, _)| arn == p))
        {
            return false;
        }
        let Ok(assembled) = self.world.assemble(&Query {
            principal: self.arn.to_owned(),
            action: "sts:AssumeRole".into(),
            resource: role.to_owned(),
            ..Query::default()
        }) else {
            return false;
        };
        let set = &assembled.set;
        let policies = set
            .identity
            .iter()
            .chain(set.session.iter())
            .chain(set.permission_boundary.iter())
            .chain(set.scp.iter().flatten().flatten())
            .chain(set.rcp.iter().flatten().flatten());
        for statement in policies.flat_map(|p| p.statements.iter()) {
            if !names_action(statement, "sts:AssumeRole") {
                continue;
            }
            let Some(resource) = &statement.resource else {
                continue;
            };
            for pattern in &resource.patterns.items {
                if pattern == "*" {
                    continue;
                }
                if pattern.contains("${") {
                    return false;
                }
                let key = (group, pattern.clone());
                let same = match self.trusts.alike.get(&key) {
                    Some(&same) => same,
                    None => {
                        let compiled = iamspec_model::arn::ResourcePattern::new(pattern, None);
                        let matched = members
                            .iter()
                            .filter(|(_, arn)| {
                                arn.as_ref().is_some_and(|arn| {
                                    compiled.as_ref().is_some_and(|c| c.matches(arn.as_str()))
                                })
                            })
                            .count();
                        let same = members.iter().all(|(_, arn)| arn.is_some())
                            && (matched == 0 || matched == members.len());
                        self.trusts.alike.insert(key, same);
                        same
                    }
                };
                if !same {
                    return false;
                }
            }
        }
        true
    }

    /// The resources the identity side's Allow statements for `action` may name: literal ARNs
    /// when every pattern is one, else the patterns (case-insensitive globs; `NotResource`, a
    /// missing `Resource` and policy variables match everything). A prefilter that
    /// over-approximates; only the evaluator decides.
    fn grants(&self, action: &str) -> Grants {
        let mut literal = Vec::new();
        let mut patterns = Vec::new();
        let mut all_literal = true;
        for s in self.allows.iter().filter(|s| names_action(s, action)) {
            match &s.resource {
                Some(r) if !r.negated => {
                    for p in &r.patterns.items {
                        if p.contains(['*', '?']) || p.contains("${") {
                            all_literal = false;
                        } else {
                            literal.push(p.clone());
                        }
                        let p = if p.contains("${") { "*" } else { p.as_str() };
                        patterns.push(iamspec_model::pattern::Pattern::new(p).ignore_case());
                    }
                }
                _ => {
                    all_literal = false;
                    patterns.push(iamspec_model::pattern::Pattern::new("*"));
                }
            }
        }
        if all_literal {
            Grants::Literal(literal)
        } else {
            Grants::Patterns(patterns)
        }
    }

    fn user_credentials(&mut self, target: &'a User) {
        let Some(to) = self.g.node(&target.arn) else {
            return;
        };
        // The credential report (or list-access-keys) tells the keys and the password.
        let known = self.account.root.known || !target.access_keys.is_empty();
        if self.mentions("iam:CreateAccessKey") {
            let (create, c1) = self.decide("iam:CreateAccessKey", &target.arn, &[]);
            if create.holds() {
                let keys = target.access_keys.len();
                let free = if !known {
                    Outcome::conditional(format!(
                        "user `{}` has fewer than 2 access keys (no credential report)",
                        target.arn
                    ))
                } else if keys < 2 {
                    Outcome::yes()
                } else {
                    Outcome::no()
                };
                let (delete, c2) = self.decide("iam:DeleteAccessKey", &target.arn, &[]);
                let one = create.clone().and(free);
                let both = create.and(delete);
                if one.verdict == crate::decide::Verdict::Yes || !both.holds() {
                    self.edge(
                        to,
                        "iam-002",
                        format!("iam:CreateAccessKey for user `{}`", target.arn),
                        one,
                        vec![c1],
                    );
                } else {
                    self.edge(
                        to,
                        "iam-003",
                        format!(
                            "iam:DeleteAccessKey then iam:CreateAccessKey for user `{}`",
                            target.arn
                        ),
                        both,
                        vec![c1, c2],
                    );
                }
            }
        }
        for (create, id, action) in [
            (true, "iam-004", "iam:CreateLoginProfile"),
            (false, "iam-006", "iam:UpdateLoginProfile"),
        ] {
            if !self.mentions(action) {
                continue;
            }
            let (allowed, c) = self.decide(action, &target.arn, &[]);
            let has = target.login_profile.is_some();
            let pre = if !self.account.root.known {
                Outcome::conditional(format!(
                    "user `{}` {} a console password (no credential report)",
                    target.arn,
                    if create { "has no" } else { "has" }
                ))
            } else if has != create {
                Outcome::yes()
            } else {
                Outcome::no()
            };
            self.edge(
                to,
                id,
                format!("{action} for user `{}`, then sign in", target.arn),
                allowed.and(pre),
                vec![c],
            );
        }
    }

    fn update_trust(&mut self, target: &'a Role) {
        let Some(to) = self.g.node(&target.arn) else {
            return;
        };
        let (update, c1) = self.decide("iam:UpdateAssumeRolePolicy", &target.arn, &[]);
        if !update.holds() {
            return;
        }
        let Some(trust) = trusting(self.arn) else {
            return;
        };
        let assume = decide(
            self.world,
            self.arn,
            "sts:AssumeRole",
            &target.arn,
            &[],
            &Changes {
                added: &[],
                trust: Some(&trust),
            },
        );
        let c2 = check(
            self.arn,
            "sts:AssumeRole",
            &target.arn,
            &[],
            Some(format!(
                "the trust policy of `{}` rewritten to trust `{}`",
                target.arn, self.arn
            )),
        );
        self.edge(
            to,
            "iam-012",
            format!(
                "iam:UpdateAssumeRolePolicy on `{}` to trust itself, then sts:AssumeRole",
                target.arn
            ),
            update.and(assume),
            vec![c1, c2],
        );
    }

    fn trusted_by(&mut self, role: &Role, service: &'static str) -> Outcome {
        let key = (role.arn.clone(), service);
        if let Some(o) = self.trusts.by_role_service.get(&key) {
            return o.clone();
        }
        let o = if role.trust.text.contains(service) {
            decide(
                self.world,
                service,
                "sts:AssumeRole",
                &role.arn,
                &[],
                &Changes::default(),
            )
        } else {
            Outcome::no()
        };
        self.trusts.by_role_service.insert(key, o.clone());
        o
    }

    fn pass_role(&mut self, target: &'a Role, rules: &[&'a Rule]) {
        let Some(to) = self.g.node(&target.arn) else {
            return;
        };
        for rule in rules {
            let Mechanism::PassRole {
                services,
                profile,
                fact,
            } = rule.mechanism
            else {
                continue;
            };
            if profile && target.instance_profiles.is_empty() {
                continue; // documented precondition: the role has an instance profile
            }
            let mut service_ok = Outcome::no();
            let mut passed_to = "";
            for service in services {
                let t = self.trusted_by(target, service);
                if t.holds() {
                    service_ok = t;
                    passed_to = service;
                    break;
                }
            }
            if !service_ok.holds() {
                continue;
            }
            let mut outcome = service_ok;
            let mut checks = vec![check(passed_to, "sts:AssumeRole", &target.arn, &[], None)];
            if rule.passes_role() {
                let (o, c) = self.decide(
                    "iam:PassRole",
                    &target.arn,
                    &[("iam:PassedToService", passed_to)],
                );
                outcome = outcome.and(o);
                checks.push(c);
            }
            for action in rule.service_actions() {
                if !outcome.holds() {
                    break;
                }
                let (o, c) = self.decide_new(action);
                outcome = outcome.and(o);
                checks.push(c);
            }
            if let Some(fact) = fact {
                let fact = if rule.passes_role() {
                    fact.to_owned()
                } else if profile {
                    format!(
                        "{fact} `{}` ({})",
                        target.arn,
                        target.instance_profiles.join(", ")
                    )
                } else {
                    format!("{fact} `{}`", target.arn)
                };
                outcome = outcome.and(Outcome::conditional(fact));
            }
            self.edge(
                to,
                rule.path.id,
                format!(
                    "{} runs as `{}` ({})",
                    passed_to, target.arn, rule.path.name
                ),
                outcome,
                checks,
            );
        }
    }

    /// Self-escalation, and the documented combinations: change the policies of oneself or of a
    /// principal one can already act as, then act as it.
    fn modifications(&mut self) {
        let possible = self.rules.iter().any(|r| {
            matches!(r.mechanism, Mechanism::Modify(_))
                && r.path.required.iter().all(|a| self.mentions(a))
        });
        if !possible {
            return; // no target can be modified: do not list them (a group has many, D107)
        }
        // Targets: oneself, and the principals of one's own account reached by one access edge.
        let mut targets: Vec<(String, Option<Access>)> = vec![(self.arn.to_owned(), None)];
        let base = self.g.base;
        for edge in self.g.out_of(self.from) {
            let access = matches!(
                edge.rule.as_str(),
                "sts-001" | "iam-002" | "iam-003" | "iam-004" | "iam-006" | "iam-012"
            );
            let to = self.g.node_at(edge.to);
            if let (true, Some(to)) = (access, to) {
                if to.kind == NodeKind::RoleGroup {
                    // Each role of the group, with the group edge's decision (D107).
                    let via = edge.checks.first().map(|c| c.resource.clone());
                    // A group and its edges are the base graph's.
                    for &m in base.out.get(edge.to).map(Vec::as_slice).unwrap_or(&[]) {
                        let Some(role) = base.edges.get(m).and_then(|m| base.nodes.get(m.to))
                        else {
                            continue;
                        };
                        if role.account != self.account.id || role.principal == self.arn {
                            continue;
                        }
                        let checks = edge
                            .checks
                            .iter()
                            .map(|c| {
                                let mut c = c.clone();
                                if via.as_deref() == Some(c.resource.as_str()) {
                                    c.resource = role.principal.clone();
                                }
                                c
                            })
                            .collect();
                        targets.push((
                            role.principal.clone(),
                            Some((edge.rule.clone(), edge.outcome.clone(), checks)),
                        ));
                    }
                } else if to.account == self.account.id {
                    targets.push((
                        to.principal.clone(),
                        Some((edge.rule.clone(), edge.outcome.clone(), edge.checks.clone())),
                    ));
                }
            }
        }
        let kinds = [
            Modification::CreatePolicyVersion,
            Modification::PutUserPolicy,
            Modification::AttachUserPolicy,
            Modification::PutRolePolicy,
            Modification::AttachRolePolicy,
            Modification::AttachGroupPolicy,
            Modification::PutGroupPolicy,
        ];
        for (target, access) in targets {
            let Some(at) = self.world.entity(&target) else {
                continue;
            };
            let mut done = false;
            for kind in kinds {
                let Some(mod_id) = self
                    .rules
                    .iter()
                    .find(|r| r.mechanism == Mechanism::Modify(kind))
                    .map(|r| r.path.id)
                else {
                    continue;
                };
                let Some(rule) = self.rule(mod_id) else {
                    continue;
                };
                if !rule.path.required.iter().all(|a| self.mentions(a)) {
                    continue;
                }
                for (resource, context, what) in self.modification_targets(at, kind) {
                    let ctx: Vec<(&str, &str)> =
                        context.iter().map(|(k, v)| (*k, v.as_str())).collect();
                    let action = rule.path.required.first().copied().unwrap_or_default();
                    let (o, c) = self.decide(action, &resource, &ctx);
                    if !o.holds() {
                        continue;
                    }
                    let (id, outcome, mut checks, step) = match &access {
                        None => (
                            mod_id.to_owned(),
                            o,
                            vec![c.clone()],
                            format!("{action} on {what} to grant itself administrator rights"),
                        ),
                        Some((access_id, access_outcome, access_checks)) => {
                            let id = self
                                .rules
                                .iter()
                                .find(|r| {
                                    r.mechanism
                                        == Mechanism::ModifyThenAccess {
                                            modify: mod_id,
                                            access: documented_access(access_id),
                                        }
                                })
                                .map_or(format!("{mod_id}+{access_id}"), |r| r.path.id.to_owned());
                            (
                                id,
                                o.and(access_outcome.clone()),
                                access_checks.clone(),
                                format!(
                                    "{action} on {what} to grant administrator rights, then act as `{target}`"
                                ),
                            )
                        }
                    };
                    if access.is_some() {
                        checks.insert(0, c);
                    }
                    let node = self.escalated(&target);
                    if node != self.from {
                        self.g.add_edge(Edge {
                            from: self.from,
                            to: node,
                            rule: id,
                            step,
                            outcome,
                            checks,
                        });
                    }
                    done = true;
                    break;
                }
                if done {
                    break; // one way to make a target administrator is enough per target
                }
            }
        }
    }

    /// The resources a modification of `at` acts on: (resource, context, words).
    fn modification_targets(&self, at: EntityRef, kind: Modification) -> Vec<Target> {
        let world = self.world;
        let admin_ctx = vec![("iam:PolicyARN", ADMINISTRATOR_ACCESS.to_owned())];
        let groups = |user: &User, account: &'a Account| -> Vec<String> {
            user.groups
                .iter()
                .filter_map(|g| account.group_named(g).map(|g| g.arn.clone()))
                .collect()
        };
        match (kind, at) {
            (Modification::PutUserPolicy, EntityRef::User { .. }) => world
                .user(at)
                .map(|(_, u)| vec![(u.arn.clone(), vec![], format!("user `{}`", u.arn))])
                .unwrap_or_default(),
            (Modification::AttachUserPolicy, EntityRef::User { .. }) => world
                .user(at)
                .map(|(_, u)| {
                    vec![(
                        u.arn.clone(),
                        admin_ctx.clone(),
                        format!("user `{}`", u.arn),
                    )]
                })
                .unwrap_or_default(),
            (Modification::PutRolePolicy, EntityRef::Role { .. }) => world
                .role(at)
                .map(|(_, r)| vec![(r.arn.clone(), vec![], format!("role `{}`", r.arn))])
                .unwrap_or_default(),
            (Modification::AttachRolePolicy, EntityRef::Role { .. }) => world
                .role(at)
                .map(|(_, r)| {
                    vec![(
                        r.arn.clone(),
                        admin_ctx.clone(),
                        format!("role `{}`", r.arn),
                    )]
                })
                .unwrap_or_default(),
            (Modification::AttachGroupPolicy | Modification::PutGroupPolicy, _) => {
                let Some((account, user)) = world.user(at) else {
                    return Vec::new();
                };
                let ctx = if kind == Modification::AttachGroupPolicy {
                    admin_ctx
                } else {
                    vec![]
                };
                groups(user, account)
                    .into_iter()
                    .map(|g| (g.clone(), ctx.clone(), format!("group `{g}`")))
                    .collect()
            }
            (Modification::CreatePolicyVersion, _) => {
                let (account, attached): (&Account, Vec<&str>) = match at {
                    EntityRef::User { .. } => {
                        let Some((account, user)) = world.user(at) else {
                            return Vec::new();
                        };
                        let mut all: Vec<&str> =
                            user.attached.iter().map(|a| a.arn.as_str()).collect();
                        for g in &user.groups {
                            if let Some(g) = account.group_named(g) {
                                all.extend(g.attached.iter().map(|a| a.arn.as_str()));
                            }
                        }
                        (account, all)
                    }
                    EntityRef::Role { .. } => {
                        let Some((account, role)) = world.role(at) else {
                            return Vec::new();
                        };
                        (
                            account,
                            role.attached.iter().map(|a| a.arn.as_str()).collect(),
                        )
                    }
                    EntityRef::Group { .. } => return Vec::new(),
                };
                attached
                    .into_iter()
                    .filter(|arn| account.policy(arn).is_some_and(|p| !p.is_aws_managed()))
                    .map(|arn| (arn.to_owned(), vec![], format!("policy `{arn}`")))
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    /// The node for `principal` with administrator rights added.
    fn escalated(&mut self, principal: &str) -> usize {
        let id = format!("{principal} (+administrator policy)");
        let account = self.account.id.clone();
        self.g.add_node(
            &id,
            NodeKind::Escalated,
            principal,
            &account,
            vec![administrator()],
        )
    }

    fn join_groups(&mut self, user: &'a User) {
        let account = self.account;
        for group in &account.groups {
            if user.groups.contains(&group.name) {
                continue;
            }
            let (o, c) = self.decide("iam:AddUserToGroup", &group.arn, &[]);
            if !o.holds() {
                continue;
            }
            let mut added = Vec::new();
            for p in &group.inline {
                if let Some(p) = &p.document.policy {
                    added.push((**p).clone());
                }
            }
            for a in &group.attached {
                if let Some(p) = account
                    .policy(&a.arn)
                    .and_then(|p| p.default_document())
                    .and_then(|d| d.policy.clone())
                {
                    added.push((*p).clone());
                }
            }
            let id = format!("{} (+group `{}`)", user.arn, group.name);
            let node = self
                .g
                .add_node(&id, NodeKind::Escalated, &user.arn, &account.id, added);
            self.g.add_edge(Edge {
                from: self.from,
                to: node,
                rule: "iam-013".into(),
                step: format!("iam:AddUserToGroup to join group `{}`", group.arn),
                outcome: o,
                checks: vec![c],
            });
        }
    }
}

/// How a combination reached its target: the access edge's rule, outcome and checks.
type Access = (String, Outcome, Vec<Check>);

/// What a modification acts on: the resource, the request context, and words for it.
type Target = (String, Vec<(&'static str, String)>, String);

/// The catalogue's access part of a combination: a freed key slot is still `iam-002`'s access.
fn documented_access(id: &str) -> &'static str {
    match id {
        "sts-001" => "sts-001",
        "iam-002" | "iam-003" => "iam-002",
        "iam-012" => "iam-012",
        "iam-004" => "iam-004",
        _ => "iam-006",
    }
}

fn check(
    principal: &str,
    action: &str,
    resource: &str,
    context: &[(&str, &str)],
    assuming: Option<String>,
) -> Check {
    Check {
        principal: principal.to_owned(),
        action: action.to_owned(),
        resource: resource.to_owned(),
        context: context
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        assuming,
    }
}
