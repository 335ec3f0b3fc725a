//! The typed form of an IAM JSON policy document (SEMANTICS.md §1). Values stay as the text the
//! author wrote; what they mean is decided by matching and condition evaluation, so that
//! explanations and the solver can show the policy as written.

use crate::condition::ConditionOperator;
use crate::json::JsonPath;
use std::fmt;

/// A policy document.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    pub version: Version,
    pub id: Option<String>,
    pub statements: Vec<Statement>,
}

/// The `Version` element (§1.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Version {
    V2012_10_17,
    V2008_10_17,
    /// No `Version` element: variables stay literal, as under 2008-10-17.
    Absent,
}

impl Version {
    /// Policy variables are substituted only under 2012-10-17 (D5).
    pub fn substitutes_variables(self) -> bool {
        self == Version::V2012_10_17
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Effect {
    Allow,
    Deny,
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        })
    }
}

/// One statement. `path` is where it stands in its document (`Statement[2]`, or `Statement`
/// when the element is a single object).
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    pub path: JsonPath,
    pub sid: Option<String>,
    pub effect: Effect,
    pub principal: Option<PrincipalElement>,
    pub action: ActionElement,
    pub resource: Option<ResourceElement>,
    pub condition: Vec<ConditionClause>,
}

/// A list element that AWS also accepts as a bare scalar (§1.1). `is_list` records which form
/// was written, so findings can name `Action[3]` or `Action`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Values {
    pub items: Vec<String>,
    pub is_list: bool,
}

impl Values {
    /// The path of item `index` under the element at `element`.
    pub fn item_path(&self, element: &JsonPath, index: usize) -> JsonPath {
        if self.is_list {
            element.index(index)
        } else {
            element.clone()
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.items.iter().map(String::as_str)
    }
}

/// `Action` or `NotAction`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionElement {
    pub negated: bool,
    pub patterns: Values,
}

/// `Resource` or `NotResource`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceElement {
    pub negated: bool,
    pub patterns: Values,
}

/// `Principal` or `NotPrincipal`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrincipalElement {
    pub negated: bool,
    pub principals: Principals,
}

/// The value of a `Principal` element (§1.4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principals {
    /// `"*"`: everyone, anonymous callers included.
    Any,
    /// `{"AWS": ..., "Service": ...}`: entries OR'ed.
    Typed(Vec<(PrincipalType, Values)>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PrincipalType {
    Aws,
    Service,
    Federated,
    CanonicalUser,
}

impl PrincipalType {
    pub fn parse(text: &str) -> Option<PrincipalType> {
        match text {
            "AWS" => Some(PrincipalType::Aws),
            "Service" => Some(PrincipalType::Service),
            "Federated" => Some(PrincipalType::Federated),
            "CanonicalUser" => Some(PrincipalType::CanonicalUser),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalType::Aws => "AWS",
            PrincipalType::Service => "Service",
            PrincipalType::Federated => "Federated",
            PrincipalType::CanonicalUser => "CanonicalUser",
        }
    }
}

/// One operator-key pair of a `Condition` block: `"StringEquals": {"aws:username": ["a","b"]}`
/// is one clause. Clauses are AND'ed; values within a clause are OR'ed (§3.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConditionClause {
    /// The operator as written (`ArnEquals` and `ArnLike` parse alike but display as written).
    pub operator_text: String,
    pub operator: ConditionOperator,
    /// The key as written; compared case-insensitively.
    pub key: String,
    pub values: Values,
}

impl Statement {
    pub fn condition_path(&self, clause: &ConditionClause) -> JsonPath {
        self.path
            .key("Condition")
            .key(&clause.operator_text)
            .key(&clause.key)
    }

    pub fn action_path(&self) -> JsonPath {
        self.path.key(if self.action.negated {
            "NotAction"
        } else {
            "Action"
        })
    }

    pub fn resource_path(&self) -> Option<JsonPath> {
        self.resource.as_ref().map(|r| {
            self.path
                .key(if r.negated { "NotResource" } else { "Resource" })
        })
    }

    pub fn principal_path(&self) -> Option<JsonPath> {
        self.principal.as_ref().map(|p| {
            self.path.key(if p.negated {
                "NotPrincipal"
            } else {
                "Principal"
            })
        })
    }
}
