//! A policy as far as it parsed. The parser reports what it cannot read and keeps every part it
//! could, so that validation checks those parts too: one broken element does not hide the
//! problems of the others. Only a draft that parsed whole, with no finding, becomes a
//! [`Policy`] (fail closed).

use super::ast::*;
use crate::condition::ConditionOperator;
use crate::json::JsonPath;

/// An element that may be absent, present but unreadable (already reported), or read.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Slot<T> {
    Absent,
    Broken,
    Parsed(T),
}

#[derive(Clone, Debug, PartialEq)]
pub(super) struct Draft {
    pub version: Slot<Version>,
    pub id: Option<String>,
    pub statements: Vec<DraftStatement>,
    /// `Statement` was read whole: every statement is in `statements`.
    pub complete: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) struct DraftStatement {
    pub path: JsonPath,
    pub sid: Option<String>,
    /// `None`: absent or unreadable.
    pub effect: Option<Effect>,
    /// `None`: absent.
    pub principal: Option<DraftPrincipal>,
    /// `None`: absent or unreadable.
    pub action: Option<DraftElement>,
    pub resource: Slot<DraftElement>,
    /// The clauses that were read.
    pub condition: Vec<DraftClause>,
    /// Every clause of `Condition` was read (or there is none).
    pub condition_complete: bool,
    /// Nothing of the statement was left out (no unknown or conflicting element either).
    pub complete: bool,
}

/// The strings of a list that were read, with their positions in it.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Items {
    pub values: Values,
    /// Where the list was read in part, `positions[k]` is the index in the list of
    /// `values.items[k]`; empty when every item was read (the common case costs nothing).
    pub positions: Vec<usize>,
    /// Every item was read.
    pub complete: bool,
}

impl Items {
    /// The path of the `k`-th item read, under the element at `element`. Computed only for a
    /// finding: building paths is the expensive part of validating 100,000 items.
    pub fn path(&self, element: &JsonPath, k: usize) -> JsonPath {
        if !self.values.is_list {
            return element.clone();
        }
        element.index(if self.complete {
            k
        } else {
            self.positions.get(k).copied().unwrap_or(k)
        })
    }

    pub fn iter(&self) -> impl Iterator<Item = (usize, &str)> {
        self.values.iter().enumerate()
    }

    fn finish(self) -> Option<Values> {
        self.complete.then_some(self.values)
    }
}

/// `Action`/`NotAction` or `Resource`/`NotResource`.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct DraftElement {
    pub negated: bool,
    pub items: Items,
}

/// `Principal` or `NotPrincipal`; which one is known even when its value is unreadable.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct DraftPrincipal {
    pub negated: bool,
    /// `None`: unreadable.
    pub principals: Option<DraftPrincipals>,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) enum DraftPrincipals {
    Any,
    /// The entries that were read; `complete` when every one was.
    Typed {
        entries: Vec<(PrincipalType, Items)>,
        complete: bool,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub(super) struct DraftClause {
    pub operator_text: String,
    pub operator: ConditionOperator,
    pub key: String,
    pub values: Items,
}

impl Draft {
    /// The policy, when every part of it was read.
    pub fn finish(self) -> Option<Policy> {
        if !self.complete {
            return None;
        }
        let version = match self.version {
            Slot::Absent => Version::Absent,
            Slot::Parsed(version) => version,
            Slot::Broken => return None,
        };
        let statements = self
            .statements
            .into_iter()
            .map(DraftStatement::finish)
            .collect::<Option<Vec<_>>>()?;
        Some(Policy {
            version,
            id: self.id,
            statements,
        })
    }
}

impl DraftStatement {
    fn finish(self) -> Option<Statement> {
        if !self.complete || !self.condition_complete {
            return None;
        }
        let principal = match self.principal {
            None => None,
            Some(DraftPrincipal {
                negated,
                principals,
            }) => Some(PrincipalElement {
                negated,
                principals: match principals? {
                    DraftPrincipals::Any => Principals::Any,
                    DraftPrincipals::Typed { entries, complete } => {
                        if !complete {
                            return None;
                        }
                        Principals::Typed(
                            entries
                                .into_iter()
                                .map(|(t, items)| Some((t, items.finish()?)))
                                .collect::<Option<Vec<_>>>()?,
                        )
                    }
                },
            }),
        };
        let action = self.action?;
        let resource = match self.resource {
            Slot::Absent => None,
            Slot::Broken => return None,
            Slot::Parsed(r) => Some(ResourceElement {
                negated: r.negated,
                patterns: r.items.finish()?,
            }),
        };
        let condition = self
            .condition
            .into_iter()
            .map(|c| {
                Some(ConditionClause {
                    operator_text: c.operator_text,
                    operator: c.operator,
                    key: c.key,
                    values: c.values.finish()?,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Statement {
            path: self.path,
            sid: self.sid,
            effect: self.effect?,
            principal,
            action: ActionElement {
                negated: action.negated,
                patterns: action.items.finish()?,
            },
            resource,
            condition,
        })
    }

    /// `Action` or `NotAction` (likewise for the others), under the statement.
    fn element_path(&self, negated: bool, name: &str, not_name: &str) -> JsonPath {
        self.path.key(if negated { not_name } else { name })
    }

    pub fn action_path(&self, action: &DraftElement) -> JsonPath {
        self.element_path(action.negated, "Action", "NotAction")
    }

    pub fn resource_path(&self, resource: &DraftElement) -> JsonPath {
        self.element_path(resource.negated, "Resource", "NotResource")
    }

    pub fn principal_path(&self, principal: &DraftPrincipal) -> JsonPath {
        self.element_path(principal.negated, "Principal", "NotPrincipal")
    }

    pub fn condition_path(&self, clause: &DraftClause) -> JsonPath {
        self.path
            .key("Condition")
            .key(&clause.operator_text)
            .key(&clause.key)
    }
}
