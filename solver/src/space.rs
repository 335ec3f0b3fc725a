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

/// Values that read well in witnesses for `key` (lowercase), tried before the shortest.
pub fn preferred_values(key: &str) -> Vec<String> {
    let mut out = Vec::new();
    if key == "aws:requestedregion" {
        out.extend(["us-east-1", "eu-west-1"].map(str::to_owned));
    }
    out.push(example_value(key).to_owned());
    out
}

/// A region code (`us-east-1`, `us-gov-west-1`, `cn-north-1`): what `aws:RequestedRegion`
/// holds ("the AWS Region that was called in the request",
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-requestedregion).
fn region_code() -> Re {
    let word = || Re::plus(Re::Class(Class::set('a'..='z')));
    Re::concat(vec![
        word(),
        Re::star(Re::concat(vec![Re::lit("-"), word()])),
        Re::lit("-"),
        Re::plus(Re::Class(Class::digit())),
    ])
}

/// The ARNs of a resource type, from the catalogue's template: in the first five fields a
/// `${...}` is a non-empty field (`${Account}` 12 digits), in the resource part any non-empty
/// text.
pub fn template_re(template: &str) -> Re {
    let mut parts = Vec::new();
    let mut field = 0usize;
    let mut rest = template;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("${") {
            let Some(end) = after.find('}') else {
                parts.push(Re::lit(rest));
                break;
            };
            let name = after.get(..end).unwrap_or("");
            parts.push(if field >= 5 {
                Re::plus(Re::Class(Class::any()))
            } else if name == "Account" || name == "AccountId" {
                crate::symbolic::any_account()
            } else {
                Re::plus(Re::Class(Class::not([':'])))
            });
            rest = after.get(end + 1..).unwrap_or("");
            continue;
        }
        let mut chars = rest.chars();
        let Some(c) = chars.next() else { break };
        if c == ':' {
            field += 1;
        }
        parts.push(Re::lit(&c.to_string()));
        rest = chars.as_str();
    }
    Re::concat(parts)
}

/// An ARN of the template with example values (`${Account}` is `account`).
pub fn example_arn(template: &str, account: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        out.push_str(rest.get(..start).unwrap_or(""));
        let Some(end) = rest.get(start..).and_then(|r| r.find('}')) else {
            break;
        };
        let name = rest.get(start + 2..start + end).unwrap_or("");
        out.push_str(match name {
            "Partition" => "aws",
            "Region" => "us-east-1",
            "Account" | "AccountId" => account,
            "BucketName" => "example-bucket",
            "ObjectName" => "key.txt",
            "KeyId" => "1234abcd-12ab-34cd-56ef-1234567890ab",
            "RoleNameWithPath" => "app",
            "UserNameWithPath" => "alice",
            _ => "example",
        });
        rest = rest.get(start + end + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// Above this many resource languages a witness does not search for an ARN of its action's
/// resource types (only tries their example ARNs).
const SEARCHED_LANGUAGES: usize = 48;

/// How many resource-type templates a witness tries for its action class.
const TEMPLATES: usize = 24;

/// Is `text` a region code (what `aws:RequestedRegion` may hold, D85)?
pub fn is_region_code(text: &str) -> bool {
    region_code().matches(text)
}

impl Encoder {
    /// Within resource region `region`, an ARN of the resource types of an action of `class`,
    /// and that action (D85: resources have the shapes of the action's resource types). The
    /// string is in exactly the region's languages, so the decisions do not change. `None`
    /// when no tried action's resource types meet the region.
    pub(crate) fn fit_resource(&self, class: usize, region: usize) -> Option<(String, String)> {
        let (shape, languages, signatures) = self.finished().resource_space.as_ref()?;
        let signature = signatures.get(region)?;
        let mut owners: Vec<(String, String)> = Vec::new();
        for action in self.actions.members(class) {
            for template in crate::actions::arn_templates(action) {
                if !owners.iter().any(|(t, _)| *t == template) {
                    owners.push((template, action.clone()));
                }
            }
            if owners.len() >= TEMPLATES {
                break;
            }
        }
        if owners.is_empty() {
            return None;
        }
        // An example ARN of the template reads best, when it is in the region.
        let accounts = match &self.req.strs {
            crate::symbolic::Strs::Partition(regions) => regions.accounts.clone(),
            crate::symbolic::Strs::Z3(_) => Vec::new(),
        };
        for (template, action) in &owners {
            for account in &accounts {
                let example = example_arn(template, account);
                let inside = shape.matches(&example)
                    && languages
                        .iter()
                        .zip(signature)
                        .all(|(l, want)| l.matches(&example) == *want);
                if inside {
                    return Some((action.clone(), example));
                }
            }
        }
        // The search over tuples of derivatives grows with the languages; past a few dozen
        // the example ARNs above are all a witness gets.
        if languages.len() > SEARCHED_LANGUAGES {
            return None;
        }
        let mut all = languages.clone();
        let base = all.len();
        all.extend(owners.iter().map(|(t, _)| template_re(t)));
        let mut engine = crate::regex::Lazy::new(shape, &all).ok()?;
        let region_literals: Vec<(usize, bool)> = signature.iter().copied().enumerate().collect();
        for (i, (_, action)) in owners.iter().enumerate() {
            let mut want = region_literals.clone();
            want.push((base + i, true));
            if let Ok(Some(text)) = engine.realize(&want) {
                return Some((action.clone(), text));
            }
        }
        None
    }

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
                (KeyType::String, Domain::String, _) if var.lowercase == "aws:requestedregion" => {
                    Some(self.key_pred(&var.lowercase, index, region_code())?)
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
        for region in ["us-east-1", "us-gov-west-1", "cn-north-1", "ap-southeast-2"] {
            assert!(region_code().matches(region), "{region}");
        }
        for text in ["", "us-east", "*", "US-EAST-1"] {
            assert!(!region_code().matches(text), "{text}");
        }
        let key = template_re("arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}");
        assert!(key.matches("arn:aws:kms:us-east-1:111122223333:key/k"));
        assert!(!key.matches("arn:aws:kms:us-east-1:111122223333:alias/k"));
        assert!(!key.matches("arn:aws:kms:us-east-1:a:key/k"));
        let object = template_re("arn:${Partition}:s3:::${BucketName}/${ObjectName}");
        assert!(object.matches("arn:aws:s3:::b/k/l"));
        assert!(!object.matches("arn:aws:s3:::b"));
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
