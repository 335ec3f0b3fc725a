//! An authorization request (conformance FORMAT.md `request`): who, what, on which resource, in
//! which account, with which context — plus the context keys AWS derives from the principal and
//! the resource (D40, SEMANTICS.md §3.7).

mod err;
pub mod validate;

pub use err::RequestError;

use crate::arn::Arn;
use crate::context_keys::{NoServiceKeys, ServiceKeyTypes};
use crate::json::{Json, JsonPath};
use crate::principal::{is_account_id, Caller};
use std::collections::BTreeMap;
use std::fmt;

/// A context value: one string, or several for multivalued keys (`aws:TagKeys`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContextValue {
    Single(String),
    Multi(Vec<String>),
}

impl ContextValue {
    /// The values as a slice: a single value is a one-element set (D23).
    pub fn as_slice(&self) -> &[String] {
        match self {
            ContextValue::Single(v) => std::slice::from_ref(v),
            ContextValue::Multi(vs) => vs,
        }
    }
}

/// The request context. Key names are compared without regard to case (§3.1).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Context {
    /// Lowercased key → (key as given, value).
    entries: BTreeMap<String, (String, ContextValue)>,
}

impl Context {
    /// Sets `key`, replacing any value under the same key in another case.
    pub fn insert(&mut self, key: &str, value: ContextValue) {
        self.entries
            .insert(key.to_lowercase(), (key.to_owned(), value));
    }

    /// The value of `key`. An empty multivalued value counts as absent (D22).
    pub fn get(&self, key: &str) -> Option<&ContextValue> {
        self.get_lowercase(&key.to_lowercase())
    }

    /// As [`Context::get`], for a key already lowercased.
    pub fn get_lowercase(&self, key: &str) -> Option<&ContextValue> {
        match self.entries.get(key) {
            Some((_, ContextValue::Multi(values))) if values.is_empty() => None,
            Some((_, value)) => Some(value),
            None => None,
        }
    }

    pub fn contains(&self, key: &str) -> bool {
        self.entries.contains_key(&key.to_lowercase())
    }

    /// Every key as given, with its value.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ContextValue)> {
        self.entries.values().map(|(k, v)| (k.as_str(), v))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// `service:ActionName`, matched case-insensitively (§2.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    text: String,
    lowercase: String,
    colon: usize,
}

impl Action {
    pub fn parse(text: &str) -> Option<Action> {
        let (service, name) = text.split_once(':')?;
        let service_ok = !service.is_empty()
            && service
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        let name_ok = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        (service_ok && name_ok).then(|| Action {
            text: text.to_owned(),
            lowercase: text.to_ascii_lowercase(),
            colon: service.len(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The whole action in lowercase, the form patterns are matched against.
    pub fn lowercase(&self) -> &str {
        &self.lowercase
    }

    /// The service prefix in lowercase (`s3`).
    pub fn service(&self) -> &str {
        self.lowercase.get(..self.colon).unwrap_or("")
    }

    /// The action name as written (`GetObject`).
    pub fn name(&self) -> &str {
        self.text.get(self.colon + 1..).unwrap_or("")
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The resource of a request: an ARN, or `*` for actions that take no resource (D13).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resource {
    Any,
    Arn(Arn),
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Resource::Any => f.write_str("*"),
            Resource::Arn(arn) => arn.fmt(f),
        }
    }
}

/// One authorization request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub principal: Caller,
    /// The principal as written in the request.
    pub principal_text: String,
    pub action: Action,
    pub resource: Resource,
    /// The account that owns the resource, when known (§4.3 notes).
    pub resource_account: Option<String>,
    /// The context, derived keys included.
    pub context: Context,
}

impl Request {
    /// Builds a request and fills in the derived context keys that `context` does not set.
    pub fn new(
        principal_text: &str,
        principal: Caller,
        action: Action,
        resource: Resource,
        resource_account: Option<String>,
        context: Context,
    ) -> Request {
        // A stated `aws:ResourceAccount` names the owner where neither the request nor the ARN
        // does (D61: validation has checked that it agrees with them where they do).
        let stated = match context.get("aws:ResourceAccount") {
            Some(ContextValue::Single(account)) => Some(account.clone()),
            _ => None,
        };
        // Only a 12-digit account field names an owner: `aws` (AWS managed policies) and an
        // empty field say nothing, and such a resource is decided as the caller's (D72).
        let resource_account = resource_account.or_else(|| match &resource {
            Resource::Arn(arn) if is_account_id(arn.account()) => Some(arn.account().to_owned()),
            _ => stated.or_else(|| principal.account().map(str::to_owned)),
        });
        let mut request = Request {
            principal,
            principal_text: principal_text.to_owned(),
            action,
            resource,
            resource_account,
            context: Context::default(),
        };
        for (key, value) in request.derived_keys() {
            request.context.insert(key, ContextValue::Single(value));
        }
        for (key, value) in context.entries.into_values() {
            request.context.insert(&key, value);
        }
        request
    }

    /// The keys AWS derives from the principal and the resource (D40, D62).
    fn derived_keys(&self) -> Vec<(&'static str, String)> {
        let mut keys = validate::principal_keys(&self.principal);
        if let Some(account) = &self.resource_account {
            keys.push(("aws:ResourceAccount", account.clone()));
        }
        keys
    }

    /// Reads a request in the conformance format; errors name the path under `path`. Service
    /// keys are not type-checked; see [`Request::from_json_with`].
    pub fn from_json(json: &Json, path: &JsonPath) -> Result<Request, RequestError> {
        Request::from_json_with(json, path, &NoServiceKeys)
    }

    /// As [`Request::from_json`], checking service keys against the types `service` knows
    /// (the action catalogue's, D60).
    pub fn from_json_with(
        json: &Json,
        path: &JsonPath,
        service: &dyn ServiceKeyTypes,
    ) -> Result<Request, RequestError> {
        Request::read(json, path, Some(service))
    }

    /// As [`Request::from_json`] without D61's checks of what the request states (the
    /// structure is still checked). For the solver's witnesses until it quantifies only over
    /// requests AWS can send; nothing that reads a user's request uses it.
    pub fn from_json_unvalidated(json: &Json, path: &JsonPath) -> Result<Request, RequestError> {
        Request::read(json, path, None)
    }

    fn read(
        json: &Json,
        path: &JsonPath,
        service: Option<&dyn ServiceKeyTypes>,
    ) -> Result<Request, RequestError> {
        let Json::Object(members) = json else {
            return Err(RequestError::WrongType {
                path: path.clone(),
                expected: "an object",
                found: json.type_name(),
            });
        };
        let mut principal = None;
        let mut principal_arn = None;
        let mut action = None;
        let mut resource = None;
        let mut resource_account = None;
        let mut context = Context::default();
        let mut context_path = path.key("context");
        let mut seen: Vec<&str> = Vec::new();
        for (key, value) in members {
            let at = path.key(key);
            if seen.contains(&key.as_str()) {
                return Err(RequestError::DuplicateField { path: at });
            }
            seen.push(key);
            match key.as_str() {
                "principal" => principal = Some(string(value, &at)?),
                "principal_arn" => principal_arn = Some((string(value, &at)?, at)),
                "action" => action = Some((string(value, &at)?, at)),
                "resource" => resource = Some((string(value, &at)?, at)),
                "resource_account" => resource_account = Some((string(value, &at)?, at)),
                "context" => {
                    context = context_from_json(value, &at)?;
                    context_path = at;
                }
                _ => return Err(RequestError::UnknownField { path: at }),
            }
        }
        let missing = |field: &'static str| RequestError::MissingField {
            path: path.clone(),
            field,
        };
        let principal_text = principal.ok_or_else(|| missing("principal"))?;
        let (action_text, action_path) = action.ok_or_else(|| missing("action"))?;
        let (resource_text, resource_path) = resource.ok_or_else(|| missing("resource"))?;

        if let Some((role_arn, at)) = &principal_arn {
            let is_role = Arn::parse(role_arn)
                .map(|a| a.service() == "iam" && a.resource().starts_with("role/"))
                .unwrap_or(false);
            if !is_role {
                return Err(RequestError::InvalidPrincipal {
                    path: at.clone(),
                    value: role_arn.clone(),
                    reason: "`principal_arn` must be a role ARN".into(),
                });
            }
        }
        let caller = Caller::parse(
            &principal_text,
            principal_arn.as_ref().map(|(text, _)| text.as_str()),
        )
        .map_err(|reason| RequestError::InvalidPrincipal {
            path: path.key("principal"),
            value: principal_text.clone(),
            reason,
        })?;
        let action = Action::parse(&action_text).ok_or(RequestError::InvalidAction {
            path: action_path,
            value: action_text,
        })?;
        let resource = if resource_text == "*" {
            Resource::Any
        } else {
            Resource::Arn(Arn::parse(&resource_text).map_err(|e| {
                RequestError::InvalidResource {
                    path: resource_path,
                    reason: e.to_string(),
                }
            })?)
        };
        if let Some((account, at)) = &resource_account {
            if !is_account_id(account) {
                return Err(RequestError::InvalidAccount {
                    path: at.clone(),
                    value: account.clone(),
                });
            }
        }
        if let Some(service) = service {
            validate::check(
                &caller,
                &resource,
                &resource_account,
                &context,
                &context_path,
                service,
            )?;
        }
        Ok(Request::new(
            &principal_text,
            caller,
            action,
            resource,
            resource_account.map(|(a, _)| a),
            context,
        ))
    }
}

fn string(json: &Json, path: &JsonPath) -> Result<String, RequestError> {
    json.as_str()
        .map(str::to_owned)
        .ok_or_else(|| RequestError::WrongType {
            path: path.clone(),
            expected: "a string",
            found: json.type_name(),
        })
}

/// Context values are strings or arrays of strings; numbers and booleans read as their text.
fn context_from_json(json: &Json, path: &JsonPath) -> Result<Context, RequestError> {
    let Json::Object(members) = json else {
        return Err(RequestError::WrongType {
            path: path.clone(),
            expected: "an object",
            found: json.type_name(),
        });
    };
    let scalar = |json: &Json, at: &JsonPath| match json {
        Json::String(s) => Ok(s.clone()),
        Json::Number(n) => Ok(n.clone()),
        Json::Bool(b) => Ok(b.to_string()),
        other => Err(RequestError::WrongType {
            path: at.clone(),
            expected: "a string, number or boolean",
            found: other.type_name(),
        }),
    };
    let mut context = Context::default();
    for (key, value) in members {
        let at = path.key(key);
        if context.contains(key) {
            return Err(RequestError::DuplicateField { path: at });
        }
        let value = match value {
            Json::Array(items) => ContextValue::Multi(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| scalar(item, &at.index(i)))
                    .collect::<Result<_, _>>()?,
            ),
            other => ContextValue::Single(scalar(other, &at)?),
        };
        context.insert(key, value);
    }
    Ok(context)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(text: &str) -> Result<Request, RequestError> {
        Request::from_json(
            &Json::parse(text).unwrap(),
            &JsonPath::root().key("request"),
        )
    }

    // D40, SEMANTICS.md §3.7
    #[test]
    fn derives_principal_and_resource_keys() {
        let r = request(r#"{"principal":"arn:aws:iam::111122223333:user/dev/alice","action":"s3:GetObject","resource":"arn:aws:s3:::b/k"}"#).unwrap();
        let get = |k: &str| r.context.get(k).map(|v| v.as_slice()[0].clone());
        assert_eq!(get("aws:username").as_deref(), Some("alice"));
        assert_eq!(
            get("AWS:PrincipalArn").as_deref(),
            Some("arn:aws:iam::111122223333:user/dev/alice")
        );
        assert_eq!(get("aws:PrincipalType").as_deref(), Some("User"));
        assert_eq!(get("aws:ResourceAccount").as_deref(), Some("111122223333"));
        assert_eq!(get("aws:userid"), None);
        assert_eq!(r.resource_account.as_deref(), Some("111122223333"));
    }

    #[test]
    fn context_values_read_as_text() {
        let r = request(r#"{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","resource":"*","context":{"AWS:UserName":"alice","n":10,"b":true,"m":["a","b"]}}"#).unwrap();
        assert_eq!(
            r.context.get("aws:username"),
            Some(&ContextValue::Single("alice".into()))
        );
        assert_eq!(r.context.get("n"), Some(&ContextValue::Single("10".into())));
        assert_eq!(
            r.context.get("b"),
            Some(&ContextValue::Single("true".into()))
        );
        assert_eq!(r.context.get("m").unwrap().as_slice().len(), 2);
    }

    // D61: what a request states must be possible.
    #[test]
    fn impossible_requests_are_errors_at_their_path() {
        let user = r#""principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject""#;
        let cases = [
            (format!(r#"{{{user},"resource":"*","context":{{"aws:username":"mallory"}}}}"#), "request.context.aws:username", "contradicts the principal"),
            (format!(r#"{{{user},"resource":"*","context":{{"aws:PrincipalAccount":"444455556666"}}}}"#), "request.context.aws:PrincipalAccount", "contradicts"),
            (format!(r#"{{{user},"resource":"*","context":{{"aws:PrincipalType":"AssumedRole"}}}}"#), "request.context.aws:PrincipalType", "contradicts"),
            (format!(r#"{{{user},"resource":"*","context":{{"aws:SourceIp":["203.0.113.7","203.0.113.8"]}}}}"#), "request.context.aws:SourceIp", "single-valued"),
            (format!(r#"{{{user},"resource":"*","context":{{"aws:SourceIp":"nowhere"}}}}"#), "request.context.aws:SourceIp", "an IP address"),
            (format!(r#"{{{user},"resource":"*","context":{{"aws:MultiFactorAuthAge":"old"}}}}"#), "request.context.aws:MultiFactorAuthAge", "a number"),
            (format!(r#"{{{user},"resource":"arn:aws:sqs:us-east-1:444455556666:q","resource_account":"111122223333"}}"#), "request.resource_account", "contradicts the resource"),
            (format!(r#"{{{user},"resource":"arn:aws:sqs:us-east-1:444455556666:q","context":{{"aws:ResourceAccount":"111122223333"}}}}"#), "request.context.aws:ResourceAccount", "contradicts the resource"),
            (r#"{"principal":"anonymous","action":"s3:GetObject","resource":"*","context":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}"#.to_owned(), "request.context.aws:PrincipalOrgID", "never sends"),
            (r#"{"principal":"s3.amazonaws.com","action":"s3:GetObject","resource":"*","context":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}"#.to_owned(), "request.context.aws:PrincipalOrgID", "never sends"),
            (r#"{"principal":"anonymous","action":"s3:GetObject","resource":"*","context":{"aws:PrincipalIsAWSService":"false"}}"#.to_owned(), "request.context.aws:PrincipalIsAWSService", "never sends"),
        ];
        for (text, path, what) in cases {
            let err = request(&text).unwrap_err().to_string();
            assert!(err.starts_with(&format!("{path}:")), "{text}: {err}");
            assert!(err.contains(what), "{text}: {err}");
        }
    }

    // D61: keys that agree, and keys an ARN without an account leaves open, are fine.
    #[test]
    fn possible_requests_pass() {
        let ok = [
            r#"{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","resource":"*","context":{"aws:PrincipalAccount":"111122223333","aws:PrincipalIsAWSService":"FALSE","aws:TagKeys":["a","b"],"aws:SourceIp":[],"s3:prefix":["x","y"]}}"#,
            r#"{"principal":"arn:aws:iam::111122223333:user/alice","action":"iam:GetPolicy","resource":"arn:aws:iam::aws:policy/ReadOnlyAccess","resource_account":"111122223333"}"#,
            r#"{"principal":"s3.amazonaws.com","action":"sqs:SendMessage","resource":"*","context":{"aws:SourceArn":"arn:aws:s3:::b","aws:PrincipalServiceName":"s3.amazonaws.com"}}"#,
        ];
        for text in ok {
            request(text).unwrap();
        }
        let r = request(r#"{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","resource":"arn:aws:s3:::b/k","context":{"aws:ResourceAccount":"444455556666"}}"#).unwrap();
        assert_eq!(r.resource_account.as_deref(), Some("444455556666"));
    }

    // D61: service keys are typed by the caller's catalogue.
    #[test]
    fn service_key_types_come_from_the_caller() {
        use crate::context_keys::{Cardinality, KeyType};
        let mut types = BTreeMap::new();
        types.insert("ec2:vpc".to_owned(), (KeyType::Arn, Cardinality::Multi));
        let json = Json::parse(r#"{"principal":"anonymous","action":"ec2:RunInstances","resource":"*","context":{"ec2:Vpc":["arn:aws:ec2:us-east-1:111122223333:vpc/vpc-1","vpc-2"]}}"#).unwrap();
        let at = JsonPath::root().key("request");
        assert!(Request::from_json(&json, &at).is_ok());
        let err = Request::from_json_with(&json, &at, &types).unwrap_err();
        assert!(
            err.to_string().starts_with("request.context.ec2:Vpc[1]: "),
            "{err}"
        );
    }

    // D62: anonymous requests do not include aws:PrincipalIsAWSService.
    #[test]
    fn anonymous_requests_have_no_principal_is_aws_service() {
        let r =
            request(r#"{"principal":"anonymous","action":"s3:GetObject","resource":"*"}"#).unwrap();
        assert_eq!(r.context.get("aws:PrincipalIsAWSService"), None);
        assert_eq!(
            r.context.get("aws:PrincipalType"),
            Some(&ContextValue::Single("Anonymous".into()))
        );
    }

    // D22
    #[test]
    fn empty_array_is_absent() {
        let r = request(r#"{"principal":"anonymous","action":"s3:GetObject","resource":"*","context":{"aws:TagKeys":[]}}"#).unwrap();
        assert_eq!(r.context.get("aws:tagkeys"), None);
    }

    #[test]
    fn errors_name_the_path() {
        let cases = [
            (
                r#"{"principal":"alice","action":"s3:GetObject","resource":"*"}"#,
                "request.principal",
            ),
            (
                r#"{"principal":"anonymous","action":"s3GetObject","resource":"*"}"#,
                "request.action",
            ),
            (
                r#"{"principal":"anonymous","action":"s3:Get*","resource":"*"}"#,
                "request.action",
            ),
            (
                r#"{"principal":"anonymous","action":"s3:GetObject","resource":"bucket"}"#,
                "request.resource",
            ),
            (
                r#"{"principal":"anonymous","action":"s3:GetObject","resource":"*","resource_account":"12"}"#,
                "request.resource_account",
            ),
            (
                r#"{"principal":"anonymous","action":"s3:GetObject","resource":"*","context":{"k":{}}}"#,
                "request.context.k",
            ),
            (
                r#"{"principal":"anonymous","action":"s3:GetObject","resource":"*","extra":1}"#,
                "request.extra",
            ),
            (r#"{"principal":"anonymous","resource":"*"}"#, "request"),
            (r#"[]"#, "request"),
        ];
        for (text, path) in cases {
            let err = request(text).unwrap_err();
            assert!(
                err.to_string().starts_with(&format!("{path}:")),
                "{text}: {err}"
            );
        }
    }
}
