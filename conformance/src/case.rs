//! One case: a request, the policies in force, and the expected decision.

use iamspec_model::context_keys::{NoServiceKeys, ServiceKeyTypes};
use iamspec_model::json::{Json, JsonPath};
use iamspec_model::policy_set::PolicySetError;
use iamspec_model::request::RequestError;
use iamspec_model::{reference, Answer, Decision, PolicySet, Request};
use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    pub id: String,
    pub description: String,
    pub source: String,
    pub request: Json,
    /// `{}` when the case gives no policies.
    pub policies: Json,
    pub expect: Expect,
    /// Where the case stands in its suite (`cases[3]`).
    pub path: JsonPath,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    Decision {
        decision: Decision,
        /// The deciding policy kind (a `policies` field name), when the case states it.
        deciding: Option<String>,
    },
    /// The inputs are invalid: an implementation must reject them.
    Error,
}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expect::Decision {
                decision,
                deciding: Some(kind),
            } => write!(f, "{decision} ({kind})"),
            Expect::Decision { decision, .. } => write!(f, "{decision}"),
            Expect::Error => f.write_str("error"),
        }
    }
}

/// Why a case's inputs could not be evaluated.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum InputError {
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error(transparent)]
    Policies(#[from] PolicySetError),
}

impl Case {
    /// Reads the request and the policies (validating every policy for its kind).
    pub fn inputs(&self) -> Result<(Request, PolicySet), InputError> {
        self.inputs_with(&NoServiceKeys)
    }

    /// As [`Case::inputs`], checking the request's service keys against `service`'s types
    /// (the action catalogue's, for a caller that has it: D60, D61).
    pub fn inputs_with(
        &self,
        service: &dyn ServiceKeyTypes,
    ) -> Result<(Request, PolicySet), InputError> {
        let request = Request::from_json_with(&self.request, &self.path.key("request"), service)?;
        let policies =
            PolicySet::from_json(&self.policies, &self.path.key("policies"), &request.action)?;
        Ok((request, policies))
    }

    /// Decides the case with the reference evaluator.
    pub fn evaluate(&self) -> Result<(Request, Answer), InputError> {
        self.evaluate_with(&NoServiceKeys)
    }

    /// As [`Case::evaluate`], with service keys typed by `service`.
    pub fn evaluate_with(
        &self,
        service: &dyn ServiceKeyTypes,
    ) -> Result<(Request, Answer), InputError> {
        let (request, policies) = self.inputs_with(service)?;
        let answer = reference::authorize(&policies, &request);
        Ok((request, answer))
    }
}
