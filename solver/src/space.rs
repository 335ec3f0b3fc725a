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

/// The text of a value that is no number, date or IP address (`family`: what region 0 of a
/// key compared as one of those means): a value of the key's type in the table when that is
/// none of those (a Bool key's `true`), else `fallback`.
pub fn outside_value(name: &str, family: &Domain, fallback: &str) -> String {
    use iamspec_model::condition::value::{parse_ip, Decimal, Instant};
    let typed = GlobalKey::lookup(name).is_some_and(|s| s.key_type != KeyType::String);
    let example = example_value(name);
    let outside = match family {
        Domain::Numeric(_) => Decimal::parse(example).is_none(),
        Domain::Date(_) => Instant::parse(example).is_none(),
        Domain::Ip => parse_ip(example).is_none(),
        Domain::String => false,
    };
    if typed && outside {
        example.to_owned()
    } else {
        fallback.to_owned()
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

/// A partition name (D87): `aws`, or `aws-` and lowercase words (`aws-cn`, `aws-us-gov`,
/// `aws-iso-b`, `aws-eusc`). A shape, not a list, so that a partition newer than any list
/// stays in the domain (as region codes do, D152).
pub(crate) fn partition_name() -> Re {
    Re::concat(vec![
        Re::lit("aws"),
        Re::star(Re::concat(vec![
            Re::lit("-"),
            Re::plus(Re::Class(Class::set('a'..='z'))),
        ])),
    ])
}

/// The account field of a resource ARN (D87): a 12-digit account id, `aws` (AWS's own
/// resources: `arn:aws:iam::aws:policy/…`), or empty ("the ARNs for some resources omit …
/// the account ID").
pub(crate) fn account_field() -> Re {
    Re::union(vec![
        Re::repeat(Class::digit(), 12),
        Re::lit("aws"),
        Re::Eps,
    ])
}

/// The region field of a resource ARN (D87): a region code, or empty ("the ARNs for some
/// resources omit the Region").
pub(crate) fn region_field() -> Re {
    Re::union(vec![region_code(), Re::Eps])
}

/// The ARNs AWS can send as a request's resource (D87): a partition, a service, a region code
/// or nothing, an account field of `account` (which the caller keeps within
/// [`account_field`]), and any resource part
/// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html).
pub fn possible_arn(account: Re) -> Re {
    Re::concat(vec![
        Re::lit("arn:"),
        partition_name(),
        Re::lit(":"),
        Re::plus(Re::Class(Class::not([':']))),
        Re::lit(":"),
        region_field(),
        Re::lit(":"),
        account,
        Re::lit(":"),
        Re::all(),
    ])
}

/// Is `text` an ARN's account field AWS issues (D87)?
pub fn is_account_field(text: &str) -> bool {
    account_field().matches(text)
}

/// Has the resource ARN the fields AWS writes (D87)?
pub fn is_possible_arn(arn: &iamspec_model::arn::Arn) -> bool {
    is_partition_name(arn.partition())
        && (arn.region().is_empty() || is_region_code(arn.region()))
        && is_account_field(arn.account())
}

/// Is `text` a partition name (D87)?
pub fn is_partition_name(text: &str) -> bool {
    partition_name().matches(text)
}

/// Is the template's field `field` one variable (`${Account}`, `${Region}`) or `*`: a whole
/// field of that kind, which [`account_field`] or [`region_field`] describes.
fn whole_variable(text: &str) -> bool {
    text == "*"
        || (text.starts_with("${") && text.ends_with('}') && text.matches("${").count() == 1)
}

/// One field of a catalogue ARN template (`field` 0 to 4; 5: the resource part, which keeps its
/// colons) as the domain allows it (D73, D87). `${Partition}` is a partition name, a region
/// field that is one variable or `*` a region code or empty, an account field that is one
/// variable or `*` a 12-digit id, `aws` or empty (AWS's own resources of types whose template
/// says `${Account}`: AWS managed policies, public SSM parameters, D87). Other `${...}` and
/// `*` stand for any text of the field, and in the resource part for any text to the end, so
/// the language over-approximates the ARNs AWS issues: the domain only leaves out what no
/// resource of the type can be. S3's own rules narrow it: a bucket name has no `/` and an
/// object key is not empty
/// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html,
/// https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html).
fn template_field(text: &str, field: usize, s3: bool) -> Re {
    match field {
        3 if whole_variable(text) => return region_field(),
        4 if whole_variable(text) => return account_field(),
        _ => {}
    }
    let any = || {
        if field >= 5 {
            Re::all()
        } else {
            Re::star(Re::Class(Class::not([':'])))
        }
    };
    let mut parts = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("${") {
            let Some(end) = after.find('}') else {
                parts.push(Re::lit(rest));
                break;
            };
            let name = after.get(..end).unwrap_or("");
            let part = match (name, field) {
                ("Partition", 1) => partition_name(),
                ("BucketName", 5) if s3 => Re::plus(Re::Class(Class::not(['/']))),
                ("ObjectName", 5) if s3 => Re::plus(Re::Class(Class::any())),
                _ => any(),
            };
            // In the resource part, text after the first free-running part is any text: a
            // little larger, and a union of a service's templates stays small (literals after
            // `.*`, as in `/restapis/${Id}/stages/${Name}`, multiply automaton states).
            let free = field >= 5 && !matches!((name, s3), ("BucketName", true));
            parts.push(part);
            if free {
                return Re::concat(parts);
            }
            rest = after.get(end + 1..).unwrap_or("");
            continue;
        }
        let mut chars = rest.chars();
        let Some(c) = chars.next() else { break };
        if c == '*' {
            parts.push(any());
            if field >= 5 {
                return Re::concat(parts);
            }
        } else {
            parts.push(Re::lit(&c.to_string()));
        }
        rest = chars.as_str();
    }
    Re::concat(parts)
}

/// The template's first five fields and its resource part.
fn template_fields(template: &str) -> Vec<&str> {
    template.splitn(6, ':').collect()
}

/// The fields `from..` of a template as a language, each but the first after its `:`.
fn fields_re(fields: &[&str], from: usize, s3: bool) -> Re {
    let mut parts = Vec::new();
    for (i, field) in fields.iter().enumerate().skip(from) {
        if i > from {
            parts.push(Re::lit(":"));
        }
        parts.push(template_field(field, i, s3));
    }
    Re::concat(parts)
}

fn is_s3(fields: &[&str]) -> bool {
    fields.get(2) == Some(&"s3")
}

/// The ARNs of a resource type (the catalogue's ARN template) that the domain allows (D73).
pub fn template_re(template: &str) -> Re {
    static CACHE: std::sync::Mutex<Option<std::collections::HashMap<String, Re>>> =
        std::sync::Mutex::new(None);
    let cache = || CACHE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(re) = cache().as_ref().and_then(|c| c.get(template).cloned()) {
        return re;
    }
    let fields = template_fields(template);
    let re = fields_re(&fields, 0, is_s3(&fields));
    cache()
        .get_or_insert_with(Default::default)
        .insert(template.to_owned(), re.clone());
    re
}

/// Per service, the rest of each template after the service field.
type ServiceRests<'a> = Vec<(&'a str, Vec<Re>)>;

/// The union of the templates' languages, factored by partition and service so that a
/// derivative soon follows one service only (a class may have the shapes of many services).
pub fn shapes_re(templates: &[String]) -> Re {
    static CACHE: std::sync::Mutex<Option<std::collections::HashMap<Vec<String>, Re>>> =
        std::sync::Mutex::new(None);
    let cache = || CACHE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(re) = cache().as_ref().and_then(|c| c.get(templates).cloned()) {
        return re;
    }
    // (arn, partition) → service → the rest of each template.
    let mut groups: Vec<((&str, &str), ServiceRests)> = Vec::new();
    let mut whole = Vec::new();
    for template in templates {
        let fields = template_fields(template);
        let (Some(arn), Some(partition), Some(service)) =
            (fields.first(), fields.get(1), fields.get(2))
        else {
            whole.push(template_re(template));
            continue;
        };
        if fields.len() < 4 || service.contains(['$', '*']) {
            whole.push(template_re(template));
            continue;
        }
        let rest = Re::concat(vec![Re::lit(":"), fields_re(&fields, 3, is_s3(&fields))]);
        let head = (*arn, *partition);
        let services = match groups.iter_mut().find(|(h, _)| *h == head) {
            Some((_, services)) => services,
            None => {
                groups.push((head, Vec::new()));
                match groups.last_mut() {
                    Some((_, services)) => services,
                    None => continue,
                }
            }
        };
        match services.iter_mut().find(|(s, _)| s == service) {
            Some((_, rests)) => rests.push(rest),
            None => services.push((service, vec![rest])),
        }
    }
    let mut options = whole;
    for ((arn, partition), services) in groups {
        let by_service: Vec<Re> = services
            .into_iter()
            .map(|(service, rests)| Re::concat(vec![Re::lit(service), Re::union(rests)]))
            .collect();
        options.push(Re::concat(vec![
            template_field(arn, 0, false),
            Re::lit(":"),
            template_field(partition, 1, false),
            Re::lit(":"),
            Re::union(by_service),
        ]));
    }
    let re = Re::union(options);
    cache()
        .get_or_insert_with(Default::default)
        .insert(templates.to_vec(), re.clone());
    re
}

/// An ARN of the template with example values (`${Account}` is `account`).
pub fn example_arn(template: &str, account: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest.get(..start).unwrap_or("").replace('*', "example"));
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
    out.push_str(&rest.replace('*', "example"));
    out
}

/// Above this many resource languages a witness does not search for an ARN of its action's
/// resource types (only tries their example ARNs).
const SEARCHED_LANGUAGES: usize = 48;

/// How many tuples of states the search for a more readable witness resource may explore.
const FIT_SEARCH: usize = 5_000;

/// How many resource-type templates a witness tries for its action class.
const TEMPLATES: usize = 24;

/// Is `text` a region code (what `aws:RequestedRegion` may hold, D85)?
pub fn is_region_code(text: &str) -> bool {
    region_code().matches(text)
}

impl Encoder {
    /// Within resource region `region`, an ARN of the resource types of an action of `class`,
    /// and that action (D73: resources have the shapes of the action's resource types). The
    /// string is in exactly the region's languages, so the decisions do not change. `None`
    /// when no action of the class has resource types that meet the region (its actions take
    /// any resource: the region's own string is then the witness's).
    pub(crate) fn fit_resource(&self, class: usize, region: usize) -> Option<(String, String)> {
        let (shape, languages, signatures) = self.finished().resource_space.as_ref()?;
        let signature = signatures.get(region)?;
        let mut owners: Vec<(String, String)> = Vec::new();
        for (templates, action) in self.actions.class_shapes(class) {
            for template in templates {
                if !owners.iter().any(|(t, _)| t == template) {
                    owners.push((template.clone(), action.to_owned()));
                }
            }
            if owners.len() >= TEMPLATES {
                break;
            }
        }
        if owners.is_empty() {
            return None;
        }
        // Templates of the action's own service first: their example ARNs read best.
        let service_of = |text: &str| text.split(':').nth(2).map(str::to_owned);
        owners.sort_by_key(|(template, action)| {
            let action_service = action.split(':').next().map(str::to_owned);
            service_of(template) != action_service
        });
        // An example ARN of the template reads best, when it is in the region.
        let accounts = match &self.req.strs {
            crate::symbolic::Strs::Partition(regions) => regions.accounts.clone(),
            crate::symbolic::Strs::Z3(_) => Vec::new(),
        };
        let mut all = languages.clone();
        let base = all.len();
        all.extend(owners.iter().map(|(t, _)| template_re(t)));
        let templates: Vec<String> = owners.iter().map(|(t, _)| t.clone()).collect();
        all.push(shapes_re(&templates));
        let mut engine = crate::regex::Lazy::new(shape, &all).ok()?;
        for (i, (template, action)) in owners.iter().enumerate() {
            for account in &accounts {
                let example = example_arn(template, account);
                let Ok((in_shape, answers)) = engine.classify(&example) else {
                    continue;
                };
                let inside = in_shape
                    && answers.get(base + i) == Some(&true)
                    && answers
                        .iter()
                        .zip(signature)
                        .all(|(answer, want)| answer == want);
                if inside {
                    return Some((action.clone(), example));
                }
            }
        }
        // The region's own string: in the union of the class's shapes when the class is
        // constrained (D73), so one of its actions fits it.
        let own = self.finished().resources.get(region)?;
        if let Some((action, true)) = self.actions.fitting(class, own) {
            if crate::actions::access(action) != crate::actions::Access::Any {
                return Some((action.to_owned(), own.clone()));
            }
        }
        // Else (a class whose actions also take any resource) a search for an ARN of the
        // typed actions' shapes. It grows with the languages; past a few dozen the example
        // ARNs above are all a witness gets.
        if languages.len() > SEARCHED_LANGUAGES {
            return None;
        }
        let mut want: Vec<(usize, bool)> = signature.iter().copied().enumerate().collect();
        want.push((base + owners.len(), true));
        let text = engine.realize_within(&want, FIT_SEARCH)?;
        let (action, fits) = self.actions.fitting(class, &text)?;
        fits.then(|| (action.to_owned(), text))
    }

    /// Restricts the resource to what the action class can be sent with (D73): per group of
    /// classes without an action that takes any resource, an ARN of their shapes, or `*`
    /// where one of their actions requires no resource type. One atom per distinct union.
    fn resource_domain(&mut self) -> Result<(), Unsupported> {
        let total = self.actions.class_count();
        let constraints = self.actions.resource_constraints().to_vec();
        for c in constraints {
            let in_classes = self.req.action_in(&c.classes, total);
            let arn = self.resource_pred(shapes_re(&c.templates))?;
            let rany = self.req.rany.clone();
            let possible = if c.star {
                smt::or([rany, arn])
            } else {
                smt::and([smt::not(&rany), arn])
            };
            self.p.assert(&smt::implies(&in_classes, &possible));
        }
        Ok(())
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
        self.resource_domain()
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
                // A Bool, ARN or IP address is no number or date: region 0 (its text,
                // `outside_value`, is one of the key's type).
                (
                    KeyType::Bool | KeyType::Arn | KeyType::IpAddress,
                    Domain::Numeric(_) | Domain::Date(_),
                    Slot::Num(region) | Slot::Date(region),
                ) => Some(smt::eq(region, &Expr::int(0))),
                (
                    KeyType::Bool | KeyType::Arn | KeyType::Date,
                    Domain::Ip,
                    Slot::Ip { kind, .. },
                ) => Some(smt::eq(kind, &Expr::int(0))),
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
        // An account field is 12 digits, or `aws` or none (AWS's own resources, D87); a
        // region field a region code or none; a partition `aws` or `aws-…`.
        assert!(key.matches("arn:aws:kms:us-east-1:aws:key/k"));
        assert!(key.matches("arn:aws:kms:us-east-1::key/k"));
        assert!(key.matches("arn:aws-iso-b:kms::111122223333:key/k"));
        for text in [
            "arn:aws:kms:us-east-1:a:key/k",
            "arn:aws:kms:us-east-1:111122223333x:key/k",
            "arn:aws:kms:us-east-1:11112222333:key/k",
            "arn:aws:kms:ssm-sap:111122223333:key/k",
            "arn:aws:kms:US-EAST-1:111122223333:key/k",
            "arn:a:kms:us-east-1:111122223333:key/k",
            "arn:awsx:kms:us-east-1:111122223333:key/k",
        ] {
            assert!(!key.matches(text), "{text}");
        }
        // `*` fields are region and account fields too (Braket's devices).
        let device =
            template_re("arn:${Partition}:braket:*:*:device/${DeviceType}/${Provider}/${DeviceId}");
        assert!(device.matches("arn:aws:braket:::device/qpu/ionq/Aria-1"));
        assert!(!device.matches("arn:aws:braket:x:a:device/qpu/ionq/Aria-1"));
        // A literal account field stays as the catalogue writes it.
        let offering =
            template_re("arn:${Partition}:mediaconnect:${Region}:offering:${OfferingId}");
        assert!(offering.matches("arn:aws:mediaconnect:us-east-1:offering:o"));
        for (text, possible) in [
            ("arn:aws:sqs:us-east-1:111122223333:q", true),
            ("arn:aws-cn:s3:::b", true),
            ("arn:aws:iam::aws:policy/p", true),
            ("arn:aws:sqs:us-east-1:a:q", false),
            ("arn:aws:sqs:x:111122223333:q", false),
            ("arn:a:s3:::b", false),
        ] {
            let any_account = account_field();
            assert_eq!(possible_arn(any_account).matches(text), possible, "{text}");
        }
        assert!(!key.matches("arn:aws:kms:us-east-1:111122223333:key"));
        let object = template_re("arn:${Partition}:s3:::${BucketName}/${ObjectName}");
        assert!(object.matches("arn:aws:s3:::b/k/l"));
        assert!(!object.matches("arn:aws:s3:::b"));
        // No empty object key, no `/` in a bucket name.
        assert!(!object.matches("arn:aws:s3:::b/"));
        assert!(!object.matches("arn:aws:s3:::/b/k"));
        let bucket = template_re("arn:${Partition}:s3:::${BucketName}");
        assert!(bucket.matches("arn:aws-cn:s3:::b"));
        assert!(!bucket.matches("arn:aws:s3:::b/k"));
        let wild = template_re("arn:${Partition}:dms:${Region}:${Account}:endpoint:*");
        assert!(wild.matches("arn:aws:dms:us-east-1:111122223333:endpoint:e:f"));
        let both = shapes_re(&[
            "arn:${Partition}:s3:::${BucketName}".to_owned(),
            "arn:${Partition}:s3:::${BucketName}/${ObjectName}".to_owned(),
            "arn:${Partition}:sqs:${Region}:${Account}:${QueueName}".to_owned(),
        ]);
        for text in [
            "arn:aws:s3:::b",
            "arn:aws:s3:::b/k",
            "arn:aws:sqs:us-east-1:111122223333:q",
        ] {
            assert!(both.matches(text), "{text}");
        }
        for text in ["arn:aws:s3:::b/", "arn:aws:sns:us-east-1:111122223333:q"] {
            assert!(!both.matches(text), "{text}");
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
