//! `arbitrary::Arbitrary` for generated cases, for the fuzz target: bytes → a case drawn from the
//! same pools, with the same shape and roughly the same weights as the proptest strategies.
//! Where the bytes run out every choice falls to its simplest option (absent, first, valid).

use super::differential::{check, check_json, Mismatch, Outcome};
use super::pools::{self, ValueKind};
use super::spec::*;
use super::strategy::{allow_all_weight, Mode};
use crate::json::Json;
use crate::policy::PolicyKind;
use arbitrary::{Arbitrary, Unstructured};

type R<T> = arbitrary::Result<T>;

/// What the fuzz target runs: a generated case, and sometimes a policy document from raw text
/// (through the JSON parser) in place of the identity policies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FuzzInput {
    pub case: CaseSpec,
    pub raw_policy: Option<String>,
}

impl FuzzInput {
    /// Parses, runs both evaluators, compares: `Err` is a finding.
    pub fn check(&self) -> Result<Outcome, Mismatch> {
        let Some(raw) = &self.raw_policy else {
            return check(&self.case);
        };
        let Ok(policy) = Json::parse(raw) else {
            // Not JSON: rejected before either evaluator sees it.
            return Ok(Outcome::Rejected("not JSON".to_owned()));
        };
        let mut policies = self.case.policies.to_json();
        if let Json::Object(members) = &mut policies {
            members.retain(|(k, _)| k != "identity");
            members.push(("identity".to_owned(), Json::Array(vec![policy])));
        }
        check_json(&self.case.request.to_json(), &policies)
    }

    /// Reads an input from fuzzer bytes (never fails: short input gives the simplest case).
    pub fn from_bytes(data: &[u8]) -> FuzzInput {
        let mut u = Unstructured::new(data);
        FuzzInput::arbitrary(&mut u).unwrap_or_else(|_| FuzzInput {
            case: simplest(),
            raw_policy: None,
        })
    }
}

/// The case that exhausted input decodes to.
fn simplest() -> CaseSpec {
    let mut empty = Unstructured::new(&[]);
    let mut g = G {
        u: &mut empty,
        invalid: 0,
    };
    g.case().unwrap_or(CaseSpec {
        request: RequestSpec {
            principal: "anonymous".to_owned(),
            principal_arn: None,
            action: "s3:GetObject".to_owned(),
            resource: "*".to_owned(),
            resource_account: None,
            context: Vec::new(),
            defect: None,
        },
        policies: PolicySetSpec::default(),
    })
}

impl<'a> Arbitrary<'a> for FuzzInput {
    fn arbitrary(u: &mut Unstructured<'a>) -> R<FuzzInput> {
        let case = CaseSpec::arbitrary(u)?;
        let raw = G { u, invalid: 0 }.chance(1, 16)?;
        let raw_policy = if raw {
            Some(String::arbitrary(u)?)
        } else {
            None
        };
        Ok(FuzzInput { case, raw_policy })
    }
}

impl<'a> Arbitrary<'a> for CaseSpec {
    fn arbitrary(u: &mut Unstructured<'a>) -> R<CaseSpec> {
        // As the strategies: most cases valid, some with invalid parts (`Mode::MIXED`).
        let mut g = G { u, invalid: 0 };
        if g.chance(3, 20)? {
            g.invalid = Mode::MIXED.invalid;
        }
        g.case()
    }
}

/// The generator over fuzzer bytes.
struct G<'u, 'a> {
    u: &'u mut Unstructured<'a>,
    /// How often a choice point draws something invalid, in 100 (see [`Mode`]).
    invalid: u32,
}

impl G<'_, '_> {
    /// True with probability `n/d`; false when the bytes have run out.
    fn chance(&mut self, n: u32, d: u32) -> R<bool> {
        Ok(self.u.int_in_range(1..=d)? > d.saturating_sub(n))
    }

    /// An index by weight; the first when the bytes have run out.
    fn weighted(&mut self, weights: &[u32]) -> R<usize> {
        let total: u32 = weights.iter().sum();
        let mut x = self.u.int_in_range(0..=total.saturating_sub(1))?;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return Ok(i);
            }
            x -= w;
        }
        Ok(0)
    }

    fn len(&mut self, min: usize, max: usize) -> R<usize> {
        self.u.int_in_range(min..=max)
    }

    fn pick<T: Clone>(&mut self, pool: &[T]) -> R<T> {
        self.u.choose(pool).cloned()
    }

    fn pick_str(&mut self, pool: &[&str]) -> R<String> {
        self.u.choose(pool).map(|s| (*s).to_owned())
    }

    /// True where this case draws an invalid input at this choice point.
    fn flaw(&mut self) -> R<bool> {
        if self.invalid == 0 {
            return Ok(false);
        }
        self.chance(self.invalid, 100 + self.invalid)
    }

    fn pick_mostly(&mut self, valid: &[String], invalid: &[String]) -> R<String> {
        if self.flaw()? && !invalid.is_empty() {
            self.pick(invalid)
        } else {
            self.pick(valid)
        }
    }

    fn optional<T>(&mut self, n: u32, d: u32, f: impl FnOnce(&mut Self) -> R<T>) -> R<Option<T>> {
        if self.chance(n, d)? {
            f(self).map(Some)
        } else {
            Ok(None)
        }
    }

    fn many<T>(
        &mut self,
        min: usize,
        max: usize,
        mut f: impl FnMut(&mut Self) -> R<T>,
    ) -> R<Vec<T>> {
        let n = self.len(min, max)?;
        (0..n).map(|_| f(self)).collect()
    }

    fn case(&mut self) -> R<CaseSpec> {
        Ok(CaseSpec {
            request: self.request()?,
            policies: self.policy_set()?,
        })
    }

    fn request(&mut self) -> R<RequestSpec> {
        let principal = self.pick_mostly(
            &pools::REQUEST_PRINCIPALS,
            &pools::REQUEST_PRINCIPALS_INVALID,
        )?;
        let principal_arn = self.optional(1, 5, |g| {
            g.pick_mostly(&pools::PRINCIPAL_ARNS, &pools::PRINCIPAL_ARNS_INVALID)
        })?;
        let action = self.pick_mostly(&pools::ACTIONS, &pools::ACTIONS_INVALID)?;
        let resource = self.pick_mostly(&pools::RESOURCES, &pools::RESOURCES_INVALID)?;
        let resource_account = self.optional(3, 20, |g| {
            if g.flaw()? {
                Ok("12".to_owned())
            } else {
                g.pick_str(&pools::ACCOUNTS)
            }
        })?;
        let mut context = if self.chance(3, 4)? {
            self.many(1, 4, G::context_entry)?
        } else {
            Vec::new()
        };
        if self.invalid == 0 {
            let mut seen: Vec<String> = Vec::new();
            context.retain(|(key, _)| {
                let lower = key.to_ascii_lowercase();
                let first = !seen.contains(&lower);
                seen.push(lower);
                first
            });
        }
        let defect = if self.invalid > 0 {
            self.optional(3, 100, |g| g.pick(&RequestDefect::ALL))?
        } else {
            None
        };
        Ok(RequestSpec {
            principal,
            principal_arn,
            action,
            resource,
            resource_account,
            context,
            defect,
        })
    }

    fn context_entry(&mut self) -> R<(String, ContextValueSpec)> {
        let key = self.pick_str(&pools::CONDITION_KEYS)?;
        let kind = ValueKind::of_key(&key);
        let value = if self.chance(1, 5)? {
            ContextValueSpec::Multi(self.many(0, 3, |g| g.scalar(kind, true))?)
        } else {
            ContextValueSpec::Single(self.scalar(kind, true)?)
        };
        Ok((key, value))
    }

    /// A value of `kind` mostly. `any_text`: a request value, or a policy value where the
    /// operator accepts any text; otherwise other kinds, numbers and booleans only in invalid
    /// cases.
    fn scalar(&mut self, kind: ValueKind, any_text: bool) -> R<Scalar> {
        let loose = any_text || kind.accepts_any_text() || self.invalid > 0;
        let numbers = loose || kind == ValueKind::Numeric;
        let invalid = self.invalid > 0 && !kind.invalid().is_empty() && !any_text;
        let weights = [
            24,
            if loose { 3 } else { 0 },
            if numbers { 1 } else { 0 },
            if loose { 1 } else { 0 },
            if invalid { 1 } else { 0 },
        ];
        Ok(match self.weighted(&weights)? {
            1 => {
                let other = self.pick(&ValueKind::ALL)?;
                Scalar::Str(self.pick(other.valid())?)
            }
            2 => Scalar::Num(self.pick_str(&pools::JSON_NUMBERS)?),
            3 => Scalar::Bool(bool::arbitrary(self.u)?),
            4 => Scalar::Str(self.pick(kind.invalid())?),
            _ => Scalar::Str(self.pick(kind.valid())?),
        })
    }

    fn policy_set(&mut self) -> R<PolicySetSpec> {
        let identity = if self.chance(4, 5)? {
            self.many(1, 2, |g| g.policy(PolicyKind::Identity))?
        } else {
            Vec::new()
        };
        let permission_boundary =
            self.optional(1, 4, |g| g.policy(PolicyKind::PermissionBoundary))?;
        let session = if self.chance(1, 5)? {
            self.many(1, 2, |g| g.policy(PolicyKind::Session))?
        } else {
            Vec::new()
        };
        let resource = self.optional(1, 2, |g| g.policy(PolicyKind::Resource))?;
        let scp = self.optional(3, 10, |g| g.levels(PolicyKind::Scp))?;
        let rcp = self.optional(1, 5, |g| g.levels(PolicyKind::Rcp))?;
        let vpc_endpoint = self.optional(3, 20, |g| g.policy(PolicyKind::VpcEndpoint))?;
        Ok(PolicySetSpec {
            identity,
            permission_boundary,
            session,
            resource,
            scp,
            rcp,
            vpc_endpoint,
        })
    }

    fn levels(&mut self, kind: PolicyKind) -> R<Vec<Vec<PolicySpec>>> {
        self.many(1, 2, |g| g.many(1, 2, |g| g.policy(kind)))
    }

    fn policy(&mut self, kind: PolicyKind) -> R<PolicySpec> {
        let allow_all = allow_all_weight(kind);
        if self.chance(allow_all, allow_all + 12)? {
            return Ok(PolicySpec::AllowAll);
        }
        let version = if self.flaw()? {
            if kind == PolicyKind::Rcp {
                VersionSpec::V2008
            } else {
                VersionSpec::Unknown
            }
        } else if kind == PolicyKind::Rcp {
            VersionSpec::V2012
        } else {
            [VersionSpec::V2012, VersionSpec::V2008, VersionSpec::Absent]
                .get(self.weighted(&[8, 1, 1])?)
                .copied()
                .unwrap_or(VersionSpec::V2012)
        };
        let with_id = self.chance(1, 20)?;
        let single_statement = bool::arbitrary(self.u)?;
        let mut statements = if self.chance(1, 9)? {
            self.many(1, 8, |g| g.statement(kind))?
        } else {
            self.many(1, 3, |g| g.statement(kind))?
        };
        let iam_kind = matches!(
            kind,
            PolicyKind::Identity | PolicyKind::PermissionBoundary | PolicyKind::Session
        );
        if self.invalid == 0 && iam_kind {
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
        }
        let defect = if self.invalid > 0 {
            self.optional(1, 20, |g| g.pick(&PolicyDefect::ALL))?
        } else {
            None
        };
        Ok(PolicySpec::Document(DocumentSpec {
            version,
            with_id,
            single_statement,
            statements,
            defect,
        }))
    }

    fn statement(&mut self, kind: PolicyKind) -> R<StatementSpec> {
        let sid = self.optional(1, 10, |g| {
            if g.flaw()? {
                Ok("Not valid".to_owned())
            } else {
                g.pick_str(&["A", "B"])
            }
        })?;
        // In an RCP only RCPFullAWSAccess allows, and a statement names RCP services' actions.
        let rcp = kind == PolicyKind::Rcp;
        let effect = if self.flaw()? {
            if rcp {
                EffectSpec::Allow
            } else {
                EffectSpec::Lowercase
            }
        } else if rcp || self.chance(2, 5)? {
            EffectSpec::Deny
        } else {
            EffectSpec::Allow
        };
        let principal = self.principal_part(kind)?;
        let not_action = self.chance(3, 20)?;
        let actions = self.list(|g| {
            if rcp {
                g.pick_mostly(&pools::RCP_ACTION_PATTERNS, &pools::ACTION_PATTERNS)
            } else {
                g.pick_mostly(&pools::ACTION_PATTERNS, &pools::ACTION_PATTERNS_INVALID)
            }
        })?;
        let resource_weight = if matches!(kind, PolicyKind::Resource | PolicyKind::Trust) {
            75
        } else if self.invalid > 0 {
            97
        } else {
            100
        };
        let resource = self.optional(resource_weight, 100, |g| {
            Ok((
                g.chance(3, 20)?,
                g.list(|g| {
                    g.pick_mostly(&pools::RESOURCE_PATTERNS, &pools::RESOURCE_PATTERNS_INVALID)
                })?,
            ))
        })?;
        let condition = if self.chance(2, 5)? {
            self.many(1, 2, G::clause)?
        } else {
            Vec::new()
        };
        Ok(StatementSpec {
            sid,
            effect,
            principal,
            not_action,
            actions,
            resource,
            condition,
        })
    }

    fn list(&mut self, item: impl FnMut(&mut Self) -> R<String>) -> R<ListSpec> {
        if self.flaw()? {
            return Ok(ListSpec {
                items: Vec::new(),
                as_list: true,
            });
        }
        Ok(ListSpec {
            items: self.many(1, 2, item)?,
            as_list: bool::arbitrary(self.u)?,
        })
    }

    fn principal_part(&mut self, kind: PolicyKind) -> R<PrincipalPart> {
        let negated = if kind == PolicyKind::Rcp {
            self.flaw()?
        } else {
            self.chance(2, 25)?
        };
        let star = if kind == PolicyKind::Rcp {
            !self.flaw()?
        } else {
            self.chance(1, 4)?
        };
        let value = if star {
            PrincipalSpec::Star
        } else {
            let mut entries = self.many(1, 2, G::principal_entry)?;
            if self.invalid == 0 {
                keep_first_of_each_type(&mut entries);
            }
            PrincipalSpec::Typed(entries)
        };
        Ok(PrincipalPart {
            negated,
            value,
            misplaced: self.flaw()?,
        })
    }

    fn principal_entry(&mut self) -> R<(String, ListSpec)> {
        let misspelled = if self.flaw()? { 1 } else { 0 };
        Ok(match self.weighted(&[12, 4, 2, 1, misspelled])? {
            1 => (
                "Service".to_owned(),
                self.list(|g| g.pick_str(&pools::SERVICE_PRINCIPALS))?,
            ),
            2 => (
                "Federated".to_owned(),
                self.list(|g| g.pick(&pools::FEDERATED_PRINCIPALS))?,
            ),
            3 => (
                "CanonicalUser".to_owned(),
                self.list(|g| g.pick_str(&pools::CANONICAL_USERS))?,
            ),
            4 => (
                "aws".to_owned(),
                self.list(|g| g.pick(&pools::AWS_PRINCIPALS))?,
            ),
            _ => (
                "AWS".to_owned(),
                self.list(|g| {
                    g.pick_mostly(&pools::AWS_PRINCIPALS, &pools::AWS_PRINCIPALS_INVALID)
                })?,
            ),
        })
    }

    fn operator(&mut self, kind: ValueKind) -> R<String> {
        if self.flaw()? {
            return self.pick_str(&pools::OPERATORS_INVALID);
        }
        let base = self.pick_str(kind.operators())?;
        if kind == ValueKind::Null && self.invalid == 0 {
            return Ok(base);
        }
        let qualifier = ["", "ForAnyValue:", "ForAllValues:"]
            .get(self.weighted(&[8, 1, 1])?)
            .copied()
            .unwrap_or("");
        let suffix = if self.chance(1, 5)? { "IfExists" } else { "" };
        Ok(format!("{qualifier}{base}{suffix}"))
    }

    fn clause(&mut self) -> R<ClauseSpec> {
        let weights: Vec<u32> = ValueKind::ALL
            .iter()
            .map(|k| k.operators().len() as u32)
            .collect();
        let kind = ValueKind::ALL
            .get(self.weighted(&weights)?)
            .copied()
            .unwrap_or(ValueKind::String);
        let operator = self.operator(kind)?;
        let key = if self.chance(1, 4)? {
            self.pick_str(&pools::CONDITION_KEYS)?
        } else {
            self.pick(kind.keys())?
        };
        let values = if self.flaw()? {
            Vec::new()
        } else {
            self.many(1, 3, |g| g.scalar(kind, false))?
        };
        Ok(ClauseSpec {
            operator,
            key,
            values,
            as_list: bool::arbitrary(self.u)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_input_is_the_simplest_case() {
        let input = FuzzInput::from_bytes(&[]);
        assert_eq!(input.raw_policy, None);
        assert_eq!(input.case.request.defect, None);
        assert_eq!(input.case.policies, PolicySetSpec::default());
        assert_eq!(
            input.case.request.principal,
            "arn:aws:iam::111122223333:user/alice"
        );
    }

    #[test]
    fn bytes_decide_the_case() {
        let data: Vec<u8> = (0..2048u32).map(|i| (i * 7919 % 251) as u8).collect();
        let a = FuzzInput::from_bytes(&data);
        assert_eq!(a, FuzzInput::from_bytes(&data));
        assert_ne!(a, FuzzInput::from_bytes(&data[1..]));
        assert!(a.check().is_ok());
    }
}
