//! proptest strategies for generated cases. Every choice shrinks towards the simplest case: the
//! first entry of a pool, no optional element, valid before invalid, fewer policies and
//! statements. Weights let guardrails allow often enough that the other branches of the
//! decision procedure are reached.
//!
//! Most cases are generated in [`Mode::VALID`], where no pool entry or structure the parsers
//! reject is drawn (some invalid inputs still arise from combinations, such as a repeated `Sid`);
//! the rest in [`Mode::MIXED`], where every choice point may draw something invalid, so that
//! about one case in seven is rejected, for every reason the parsers have.

use super::pools::{self, Pool, ValueKind};
use super::spec::*;
use crate::policy::PolicyKind;
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::Union;

/// How often a choice point draws an input the parsers must reject: `invalid` in 100.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mode {
    pub invalid: u32,
}

impl Mode {
    pub const VALID: Mode = Mode { invalid: 0 };
    pub const MIXED: Mode = Mode { invalid: 3 };

    fn allows_invalid(self) -> bool {
        self.invalid > 0
    }

    /// `valid`, or now and then `invalid`.
    fn either<T: std::fmt::Debug + 'static>(
        self,
        valid: impl Strategy<Value = T> + 'static,
        invalid: impl Strategy<Value = T> + 'static,
    ) -> BoxedStrategy<T> {
        if self.allows_invalid() {
            Union::new_weighted(vec![(100, valid.boxed()), (self.invalid, invalid.boxed())]).boxed()
        } else {
            valid.boxed()
        }
    }

    /// An entry of `valid`, or now and then of `invalid`.
    fn pick(self, valid: &'static Pool, invalid: &'static Pool) -> BoxedStrategy<String> {
        self.either(pick(valid), pick(invalid))
    }

    /// A flag that is true only where invalid inputs are drawn.
    fn flaw(self) -> BoxedStrategy<bool> {
        if self.allows_invalid() {
            proptest::bool::weighted(f64::from(self.invalid) / 100.0).boxed()
        } else {
            Just(false).boxed()
        }
    }
}

/// One entry of a pool.
fn pick(pool: &'static Pool) -> impl Strategy<Value = String> + Clone {
    select(pool.as_slice())
}

fn pick_static(pool: &'static [&'static str]) -> impl Strategy<Value = String> + Clone {
    select(pool).prop_map(str::to_owned)
}

/// A generated case: most valid, some with invalid parts.
pub fn case() -> BoxedStrategy<CaseSpec> {
    prop_oneof![
        17 => case_in(Mode::VALID),
        3 => case_in(Mode::MIXED),
    ]
    .boxed()
}

pub fn case_in(mode: Mode) -> BoxedStrategy<CaseSpec> {
    (request(mode), policy_set(mode))
        .prop_map(|(request, policies)| CaseSpec { request, policies })
        .boxed()
}

pub fn request(mode: Mode) -> BoxedStrategy<RequestSpec> {
    let defect = if mode.allows_invalid() {
        option::weighted(0.03, select(RequestDefect::ALL.as_slice())).boxed()
    } else {
        Just(None).boxed()
    };
    (
        mode.pick(
            &pools::REQUEST_PRINCIPALS,
            &pools::REQUEST_PRINCIPALS_INVALID,
        ),
        option::weighted(
            0.2,
            mode.pick(&pools::PRINCIPAL_ARNS, &pools::PRINCIPAL_ARNS_INVALID),
        ),
        // Now and then an IAM change on a resource AWS protects, so that the guard rails
        // (D68-D71) decide often enough for the comparison to mean something.
        prop_oneof![
            14 => (
                mode.pick(&pools::ACTIONS, &pools::ACTIONS_INVALID),
                mode.pick(&pools::RESOURCES, &pools::RESOURCES_INVALID),
            )
                .boxed(),
            1 => (pick(&pools::GUARDED_POLICY_ACTIONS), pick(&pools::GUARDED_POLICIES)).boxed(),
            1 => (pick(&pools::GUARDED_ROLE_ACTIONS), pick(&pools::GUARDED_ROLES)).boxed(),
        ],
        option::weighted(
            0.15,
            mode.either(
                select(pools::ACCOUNTS.as_slice()).prop_map(str::to_owned),
                Just("12".to_owned()),
            ),
        ),
        prop_oneof![
            1 => Just(Vec::new()),
            3 => vec(context_entry(), 1..=4),
        ],
        defect,
    )
        .prop_map(
            move |(
                principal,
                principal_arn,
                (action, resource),
                resource_account,
                context,
                defect,
            )| {
                let spec = RequestSpec {
                    principal,
                    principal_arn,
                    action,
                    resource,
                    resource_account,
                    context: distinct_keys(context, mode),
                    defect,
                };
                if mode.allows_invalid() {
                    spec
                } else {
                    possible(spec)
                }
            },
        )
        .boxed()
}

/// The request without the parts AWS could not send (D61): each context entry, or the
/// `resource_account`, that request validation rejects is left out, one at a time.
fn possible(mut spec: RequestSpec) -> RequestSpec {
    use crate::json::JsonPath;
    use crate::request::RequestError as E;
    let root = JsonPath::root();
    for _ in 0..=spec.context.len() + 1 {
        // A value that contradicts the principal or the resource takes the value AWS derives,
        // so that conditions on derived keys still meet a stated key.
        let (path, derived) = match crate::Request::from_json(&spec.to_json(), &root) {
            Ok(_) => return spec,
            Err(
                E::ContradictsPrincipal { path, expected, .. }
                | E::ContradictsResource { path, expected, .. },
            ) => (path.to_string(), Some(expected)),
            Err(
                E::ListForSingleValuedKey { path, .. }
                | E::WrongKeyType { path, .. }
                | E::ImpossibleKey { path, .. },
            ) => (path.to_string(), None),
            Err(_) => return spec,
        };
        if path == root.key("resource_account").to_string() {
            spec.resource_account = None;
            continue;
        }
        let at = |key: &str| root.key("context").key(key).to_string();
        let Some(index) = spec.context.iter().position(|(key, _)| {
            let entry = at(key);
            path == entry || path.starts_with(&format!("{entry}["))
        }) else {
            return spec;
        };
        match derived {
            Some(value) => {
                if let Some(entry) = spec.context.get_mut(index) {
                    entry.1 = ContextValueSpec::Single(Scalar::Str(value));
                }
            }
            None => {
                spec.context.remove(index);
            }
        }
    }
    spec
}

/// A key given twice (in any case) is an error; only invalid cases keep both.
fn distinct_keys(
    entries: Vec<(String, ContextValueSpec)>,
    mode: Mode,
) -> Vec<(String, ContextValueSpec)> {
    if mode.allows_invalid() {
        return entries;
    }
    let mut out: Vec<(String, ContextValueSpec)> = Vec::new();
    for (key, value) in entries {
        if !out.iter().any(|(k, _)| k.eq_ignore_ascii_case(&key)) {
            out.push((key, value));
        }
    }
    out
}

/// A context key with a value of the kind it carries; multivalued one time in five.
fn context_entry() -> impl Strategy<Value = (String, ContextValueSpec)> {
    let by_kind = ValueKind::ALL
        .iter()
        .filter(|kind| !matches!(kind, ValueKind::Null | ValueKind::Binary))
        .map(|kind| {
            let entry = (
                select(kind.keys()),
                prop_oneof![
                    8 => request_scalar(*kind).prop_map(ContextValueSpec::Single),
                    2 => vec(request_scalar(*kind), 0..=3).prop_map(ContextValueSpec::Multi),
                ],
            );
            (kind.keys().len() as u32, entry.boxed())
        })
        .collect();
    Union::new_weighted(by_kind)
}

/// A request value: of `kind` mostly; a request may carry anything (it just fails to match).
fn request_scalar(kind: ValueKind) -> BoxedStrategy<Scalar> {
    prop_oneof![
        24 => select(kind.valid()).prop_map(Scalar::Str),
        3 => any_kind_value().prop_map(Scalar::Str),
        1 => pick_static(&pools::JSON_NUMBERS).prop_map(Scalar::Num),
        1 => any::<bool>().prop_map(Scalar::Bool),
    ]
    .boxed()
}

fn any_kind_value() -> impl Strategy<Value = String> {
    Union::new(ValueKind::ALL.iter().map(|k| select(k.valid())))
}

/// A policy value for an operator of `kind`: mostly of that kind; of another kind, a JSON
/// number or a boolean (read as text, D3) where the kind accepts them; rarely one that does not
/// parse.
fn policy_scalar(kind: ValueKind, mode: Mode) -> BoxedStrategy<Scalar> {
    let own = select(kind.valid()).prop_map(Scalar::Str).boxed();
    let mut choices: Vec<(u32, BoxedStrategy<Scalar>)> = vec![(24, own)];
    if kind.accepts_any_text() || mode.allows_invalid() {
        choices.push((3, any_kind_value().prop_map(Scalar::Str).boxed()));
        choices.push((1, any::<bool>().prop_map(Scalar::Bool).boxed()));
    }
    if kind.accepts_any_text() || kind == ValueKind::Numeric || mode.allows_invalid() {
        choices.push((
            1,
            pick_static(&pools::JSON_NUMBERS)
                .prop_map(Scalar::Num)
                .boxed(),
        ));
    }
    if mode.allows_invalid() && !kind.invalid().is_empty() {
        choices.push((1, select(kind.invalid()).prop_map(Scalar::Str).boxed()));
    }
    Union::new_weighted(choices).boxed()
}

pub fn policy_set(mode: Mode) -> BoxedStrategy<PolicySetSpec> {
    let levels = move |kind| vec(vec(policy(kind, mode), 1..=2), 1..=2);
    (
        prop_oneof![
            1 => Just(Vec::new()),
            4 => vec(policy(PolicyKind::Identity, mode), 1..=2),
        ],
        option::weighted(0.25, policy(PolicyKind::PermissionBoundary, mode)),
        prop_oneof![
            4 => Just(Vec::new()),
            1 => vec(policy(PolicyKind::Session, mode), 1..=2),
        ],
        option::weighted(0.5, policy(PolicyKind::Resource, mode)),
        option::weighted(0.3, levels(PolicyKind::Scp)),
        option::weighted(0.2, levels(PolicyKind::Rcp)),
        option::weighted(0.15, policy(PolicyKind::VpcEndpoint, mode)),
    )
        .prop_map(
            |(identity, permission_boundary, session, resource, scp, rcp, vpc_endpoint)| {
                PolicySetSpec {
                    identity,
                    permission_boundary,
                    session,
                    resource,
                    scp,
                    rcp,
                    vpc_endpoint,
                }
            },
        )
        .boxed()
}

/// How often (in 12 + this) a policy of `kind` is the allow-all policy: often for guardrails and
/// boundaries, which must allow for anything else to matter; now and then for identity and
/// session policies, so that the resource side and the guardrails decide more cases.
pub(crate) fn allow_all_weight(kind: PolicyKind) -> u32 {
    match kind {
        PolicyKind::Scp | PolicyKind::Rcp => 9,
        PolicyKind::PermissionBoundary | PolicyKind::VpcEndpoint => 8,
        PolicyKind::Session => 4,
        PolicyKind::Identity => 2,
        PolicyKind::Resource | PolicyKind::Trust => 1,
    }
}

/// A policy of `kind`. Guardrails and boundaries are often the allow-all policy.
pub fn policy(kind: PolicyKind, mode: Mode) -> BoxedStrategy<PolicySpec> {
    let allow_all = allow_all_weight(kind);
    let document = document(kind, mode).prop_map(PolicySpec::Document);
    prop_oneof![allow_all => Just(PolicySpec::AllowAll), 12 => document].boxed()
}

fn document(kind: PolicyKind, mode: Mode) -> impl Strategy<Value = DocumentSpec> {
    // An RCP must say 2012-10-17.
    let version = if kind == PolicyKind::Rcp {
        mode.either(Just(VersionSpec::V2012), Just(VersionSpec::V2008))
    } else {
        mode.either(
            prop_oneof![
                8 => Just(VersionSpec::V2012),
                1 => Just(VersionSpec::V2008),
                1 => Just(VersionSpec::Absent),
            ],
            Just(VersionSpec::Unknown),
        )
    };
    let defect = if mode.allows_invalid() {
        option::weighted(0.05, select(PolicyDefect::ALL.as_slice())).boxed()
    } else {
        Just(None).boxed()
    };
    (
        version,
        proptest::bool::weighted(0.05),
        any::<bool>(),
        // Now and then a longer policy; `1..=8` rather than `4..=8`, so that it shrinks.
        prop_oneof![
            8 => vec(statement(kind, mode), 1..=3),
            1 => vec(statement(kind, mode), 1..=8),
        ],
        defect,
    )
        .prop_map(
            move |(version, with_id, single_statement, statements, defect)| DocumentSpec {
                version,
                with_id,
                single_statement,
                statements: distinct_sids(statements, kind, mode),
                defect,
            },
        )
}

/// A `Sid` repeated in an IAM policy is an error; valid cases drop the repeat.
fn distinct_sids(
    mut statements: Vec<StatementSpec>,
    kind: PolicyKind,
    mode: Mode,
) -> Vec<StatementSpec> {
    let iam_kind = matches!(
        kind,
        PolicyKind::Identity | PolicyKind::PermissionBoundary | PolicyKind::Session
    );
    if mode.allows_invalid() || !iam_kind {
        return statements;
    }
    let mut seen: Vec<String> = Vec::new();
    for statement in &mut statements {
        if let Some(sid) = &statement.sid {
            if seen.contains(sid) {
                statement.sid = None;
            } else {
                seen.push(sid.clone());
            }
        }
    }
    statements
}

fn statement(kind: PolicyKind, mode: Mode) -> impl Strategy<Value = StatementSpec> {
    // Resource-based and trust policies may leave `Resource` out; elsewhere that is an error.
    let resource = if matches!(kind, PolicyKind::Resource | PolicyKind::Trust) {
        option::weighted(0.75, resource_element(mode)).boxed()
    } else if mode.allows_invalid() {
        option::weighted(0.97, resource_element(mode)).boxed()
    } else {
        resource_element(mode).prop_map(Some).boxed()
    };
    // A `Sid` with a space is an error in IAM policies only.
    let sid = mode.either(pick_static(&["A", "B"]), Just("Not valid".to_owned()));
    // In an RCP only RCPFullAWSAccess allows, and a statement names RCP services' actions.
    let (effect, actions) = if kind == PolicyKind::Rcp {
        (
            mode.either(Just(EffectSpec::Deny), Just(EffectSpec::Allow)),
            mode.pick(&pools::RCP_ACTION_PATTERNS, &pools::ACTION_PATTERNS),
        )
    } else {
        (
            mode.either(
                prop_oneof![3 => Just(EffectSpec::Allow), 2 => Just(EffectSpec::Deny)],
                Just(EffectSpec::Lowercase),
            ),
            mode.pick(&pools::ACTION_PATTERNS, &pools::ACTION_PATTERNS_INVALID),
        )
    };
    (
        option::weighted(0.1, sid),
        effect,
        principal_part(kind, mode),
        proptest::bool::weighted(0.15),
        list(actions, mode),
        resource,
        prop_oneof![3 => Just(Vec::new()), 2 => vec(clause(mode), 1..=2)],
    )
        .prop_map(
            |(sid, effect, principal, not_action, actions, resource, condition)| StatementSpec {
                sid,
                effect,
                principal,
                not_action,
                actions,
                resource,
                condition,
            },
        )
}

fn resource_element(mode: Mode) -> impl Strategy<Value = (bool, ListSpec)> {
    (
        proptest::bool::weighted(0.15),
        list(
            mode.pick(&pools::RESOURCE_PATTERNS, &pools::RESOURCE_PATTERNS_INVALID),
            mode,
        ),
    )
}

/// One or two items, as a bare string or a list; in invalid cases sometimes the empty list (D4).
fn list(item: BoxedStrategy<String>, mode: Mode) -> BoxedStrategy<ListSpec> {
    mode.either(
        (vec(item, 1..=2), any::<bool>()).prop_map(|(items, as_list)| ListSpec { items, as_list }),
        Just(ListSpec {
            items: Vec::new(),
            as_list: true,
        }),
    )
}

fn principal_part(kind: PolicyKind, mode: Mode) -> impl Strategy<Value = PrincipalPart> {
    // An RCP's principal must be `*`, and RCPs and trust policies take no `NotPrincipal`.
    let value = if kind == PolicyKind::Rcp {
        mode.either(Just(PrincipalSpec::Star), principal_value(mode))
    } else {
        prop_oneof![1 => Just(PrincipalSpec::Star), 3 => principal_value(mode)].boxed()
    };
    let negated = if kind == PolicyKind::Rcp {
        mode.flaw()
    } else {
        proptest::bool::weighted(0.08).boxed()
    };
    (negated, value, mode.flaw()).prop_map(|(negated, value, misplaced)| PrincipalPart {
        negated,
        value,
        misplaced,
    })
}

fn principal_value(mode: Mode) -> BoxedStrategy<PrincipalSpec> {
    let entry =
        |name: &str, values: BoxedStrategy<String>| (Just(name.to_owned()), list(values, mode));
    let valid = prop_oneof![
        12 => entry("AWS", mode.pick(&pools::AWS_PRINCIPALS, &pools::AWS_PRINCIPALS_INVALID)),
        4 => entry("Service", pick_static(&pools::SERVICE_PRINCIPALS).boxed()),
        2 => entry("Federated", pick(&pools::FEDERATED_PRINCIPALS).boxed()),
        1 => entry("CanonicalUser", pick_static(&pools::CANONICAL_USERS).boxed()),
    ];
    // A principal type is written once (a repeat is a duplicate element) and spelled exactly.
    let entries = mode.either(valid, entry("aws", pick(&pools::AWS_PRINCIPALS).boxed()));
    vec(entries, 1..=2)
        .prop_map(move |mut entries| {
            if !mode.allows_invalid() {
                keep_first_of_each_type(&mut entries);
            }
            PrincipalSpec::Typed(entries)
        })
        .boxed()
}

/// A condition clause: an operator of some value kind (with or without a set qualifier and
/// `IfExists`), a key, and values for that kind. Rarely an unknown operator, or `Null`
/// decorated (an error).
fn clause(mode: Mode) -> BoxedStrategy<ClauseSpec> {
    let by_kind = ValueKind::ALL
        .iter()
        .map(|kind| {
            let kind = *kind;
            let decorations = if kind == ValueKind::Null && !mode.allows_invalid() {
                (Just(""), Just(false)).boxed()
            } else {
                (
                    prop_oneof![
                        8 => Just(""),
                        1 => Just("ForAnyValue:"),
                        1 => Just("ForAllValues:"),
                    ],
                    proptest::bool::weighted(0.2),
                )
                    .boxed()
            };
            let operator = (select(kind.operators()), decorations).prop_map(
                |(base, (qualifier, if_exists))| {
                    let suffix = if if_exists { "IfExists" } else { "" };
                    format!("{qualifier}{base}{suffix}")
                },
            );
            let operator = mode.either(operator, pick_static(&pools::OPERATORS_INVALID));
            // Keys mostly of the operator's kind, so that conditions meet request values.
            let key = prop_oneof![
                3 => select(kind.keys()),
                1 => pick_static(&pools::CONDITION_KEYS),
            ];
            let values = mode.either(vec(policy_scalar(kind, mode), 1..=3), Just(Vec::new()));
            let clause = (operator, key, values, any::<bool>()).prop_map(
                |(operator, key, values, as_list)| ClauseSpec {
                    operator,
                    key,
                    values,
                    as_list,
                },
            );
            (kind.operators().len() as u32, clause.boxed())
        })
        .collect();
    Union::new_weighted(by_kind).boxed()
}
