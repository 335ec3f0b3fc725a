//! The requests AWS can send (D85): what the solver quantifies over, beyond the conformance
//! format's structure. Every row comes from the model's global key table
//! (`iamspec_model::context_keys`, D60); nothing here restates it.
//!
//! - a key the table marks "always included" (or "included in every signed request") is present
//!   for every caller that can carry it (`aws:SecureTransport`, `aws:CurrentTime`,
//!   `aws:EpochTime`, `aws:RequestedRegion`, ...);
//! - a key is present only for the callers its availability allows (`aws:PrincipalOrgID` never
//!   for anonymous callers or service principals, `aws:SourceArn` only for service principals);
//! - a single-valued key has one value;
//! - a Bool key's value is `true` or `false`, an ARN key's value an ARN, a number or date key's
//!   value a number or date, an IP key's value an address;
//! - users and role sessions carry `aws:userid`, their unique id: unknown to the policies, one
//!   value per request (D84);
//! - (in `symbolic.rs`) IAM names without `:`, and the resource's account is the account its
//!   ARN names.

use crate::domain::KeyType as Domain;
use crate::encode::Encoder;
use crate::err::Unsupported;
use crate::regex::{Class, Re};
use crate::smt::{self, Expr};
use crate::symbolic::{resource_shape, CallerKind, KeyVar, Slot};
use iamspec_model::context_keys::{Cardinality, GlobalKey, KeySpec, KeyType};
use iamspec_model::principal::Caller;

/// Unique ids that read well in witnesses (a user's, then a role session's), tried first.
pub const PREFERRED_UNIQUE_IDS: [&str; 2] = ["AIDAEXAMPLEUSERID", "AROAEXAMPLEROLEID:session"];

/// A caller of each kind, to ask the key table which keys the kind can carry.
fn representative(kind: CallerKind) -> Option<Caller> {
    use CallerKind::*;
    let text = match kind {
        Root => "arn:aws:iam::111122223333:root",
        User => "arn:aws:iam::111122223333:user/u",
        RoleSession => "arn:aws:sts::111122223333:assumed-role/r/s",
        Role => "arn:aws:iam::111122223333:role/r",
        FederatedUser => "arn:aws:sts::111122223333:federated-user/f",
        Service => "s3.amazonaws.com",
        IdentityProvider => "accounts.google.com",
        Anonymous => "anonymous",
    };
    Caller::parse(text, None).ok()
}

/// The caller kinds that can carry a key of `spec`.
pub fn possible_kinds(spec: &KeySpec) -> Vec<CallerKind> {
    CallerKind::ALL
        .into_iter()
        .filter(|k| representative(*k).is_some_and(|c| spec.possible_for(&c)))
        .collect()
}

fn upper_or_digit() -> Class {
    Class::set(('A'..='Z').chain('0'..='9'))
}

/// `AIDA…`: the unique id of an IAM user.
fn user_unique_id() -> Re {
    Re::concat(vec![Re::lit("AIDA"), Re::plus(Re::Class(upper_or_digit()))])
}

/// `AROA…:SESSION`: the role's unique id and the session name.
fn role_unique_id() -> Re {
    Re::concat(vec![
        Re::lit("AROA"),
        Re::plus(Re::Class(upper_or_digit())),
        Re::lit(":"),
        Re::plus(Re::Class(Class::not([':', '/']))),
    ])
}

/// `true` or `false` in any case (`parse_bool`).
fn bool_text() -> Re {
    let word = |w: &str| {
        Re::concat(
            w.chars()
                .map(|c| Re::Class(Class::set([c, c.to_ascii_uppercase()])))
                .collect(),
        )
    };
    Re::union(vec![word("true"), word("false")])
}

/// What `Arn::parse` accepts.
fn arn_text() -> Re {
    resource_shape(Re::star(Re::Class(Class::not([':']))))
}

/// A value of the table's type, for a key no string test reads.
pub fn example_value(name: &str) -> &'static str {
    match GlobalKey::lookup(name).map(|s| s.key_type) {
        Some(KeyType::Bool) => "true",
        Some(KeyType::Arn) => "arn:aws:s3:::example-bucket",
        Some(KeyType::Date) => "2026-01-01T00:00:00Z",
        Some(KeyType::Numeric | KeyType::DateOrNumeric) => "1",
        Some(KeyType::IpAddress) => "192.0.2.1",
        Some(KeyType::String) | None => "x",
    }
}

impl Encoder {
    /// Restricts the symbolic request to requests AWS can send (the module's list).
    pub(crate) fn request_space(&mut self) -> Result<(), Unsupported> {
        use CallerKind::*;
        if self.req.keys.contains_key("aws:userid") {
            let user = self.unique_id_pred(user_unique_id())?;
            let role = self.unique_id_pred(role_unique_id())?;
            self.p.assert(&smt::implies(&self.req.is(User), &user));
            self.p
                .assert(&smt::implies(&self.req.is_any(&[RoleSession, Role]), &role));
        }
        let free: Vec<KeyVar> = self
            .req
            .keys
            .values()
            .filter(|v| !v.derived)
            .cloned()
            .collect();
        for var in free {
            self.key_space(&var)?;
        }
        Ok(())
    }

    fn key_space(&mut self, var: &KeyVar) -> Result<(), Unsupported> {
        let Some(spec) = GlobalKey::lookup(&var.name) else {
            return Ok(());
        };
        let kinds = possible_kinds(spec);
        let possible = self.req.is_any(&kinds);
        self.p.assert(&smt::implies(&var.present, &possible));
        if spec.availability.always_present() {
            self.p.assert(&smt::implies(&possible, &var.present));
        }
        if spec.cardinality == Cardinality::Single {
            self.p.assert(&smt::not(&var.multi));
        }
        for (index, slot) in var.slots.iter().enumerate() {
            let typed = match (spec.key_type, &var.ty, slot) {
                (KeyType::Bool, Domain::String, _) => {
                    Some(self.key_pred(&var.lowercase, index, bool_text())?)
                }
                (KeyType::Arn, Domain::String, _) => {
                    Some(self.key_pred(&var.lowercase, index, arn_text())?)
                }
                (
                    KeyType::Numeric | KeyType::Date | KeyType::DateOrNumeric,
                    Domain::Numeric(_) | Domain::Date(_),
                    Slot::Num(region) | Slot::Date(region),
                ) => Some(smt::not(&smt::eq(region, &Expr::int(0)))),
                (KeyType::IpAddress, Domain::Ip, Slot::Ip { kind, .. }) => {
                    Some(smt::not(&smt::eq(kind, &Expr::int(0))))
                }
                _ => None,
            };
            if let Some(typed) = typed {
                let active = var.active.get(index).cloned().unwrap_or_else(Expr::t);
                self.p.assert(&smt::implies(
                    &smt::and([var.present.clone(), active]),
                    &typed,
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_follow_the_table() {
        let org = GlobalKey::lookup("aws:PrincipalOrgID").unwrap();
        let kinds = possible_kinds(org);
        assert!(kinds.contains(&CallerKind::User));
        assert!(!kinds.contains(&CallerKind::Anonymous));
        assert!(!kinds.contains(&CallerKind::Service));
        let source = GlobalKey::lookup("aws:SourceArn").unwrap();
        assert_eq!(possible_kinds(source), vec![CallerKind::Service]);
        let secure = GlobalKey::lookup("aws:SecureTransport").unwrap();
        assert_eq!(possible_kinds(secure).len(), CallerKind::ALL.len());
    }

    #[test]
    fn value_languages_are_the_models_readers() {
        for text in ["true", "FALSE", "tRuE"] {
            assert!(bool_text().matches(text), "{text}");
        }
        for text in ["yes", "", "true "] {
            assert!(!bool_text().matches(text), "{text}");
        }
        for text in ["arn:aws:s3:::b", "arn:a:b:c:d:e/f", "arn:x:y:::"] {
            assert_eq!(
                arn_text().matches(text),
                iamspec_model::arn::Arn::parse(text).is_ok(),
                "{text}"
            );
        }
        for text in ["arn::s3:::b", "arn:aws:s3::b", "nope"] {
            assert_eq!(
                arn_text().matches(text),
                iamspec_model::arn::Arn::parse(text).is_ok(),
                "{text}"
            );
        }
        assert!(user_unique_id().matches(PREFERRED_UNIQUE_IDS[0]));
        assert!(role_unique_id().matches(PREFERRED_UNIQUE_IDS[1]));
        for key in [
            "aws:SecureTransport",
            "aws:SourceArn",
            "aws:CurrentTime",
            "aws:SourceIp",
        ] {
            let spec = GlobalKey::lookup(key).unwrap();
            assert!(spec.key_type.accepts(example_value(key)), "{key}");
        }
    }
}
