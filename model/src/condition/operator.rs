//! The condition operators of SEMANTICS.md §3.3, with the `IfExists` suffix and the set
//! qualifiers of §3.5, parsed from their documented spelling (case-sensitive, D2).

use std::fmt;

/// The comparison an operator makes, without negation, `IfExists` or qualifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Comparison {
    StringEquals,
    StringEqualsIgnoreCase,
    StringLike,
    NumericEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    ArnLike,
    Null,
}

/// What kind of value an operator compares: decides parsing and where variables are allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValueType {
    String,
    Numeric,
    Date,
    Bool,
    Binary,
    Ip,
    Arn,
    Null,
}

impl Comparison {
    pub fn value_type(self) -> ValueType {
        use Comparison::*;
        match self {
            StringEquals | StringEqualsIgnoreCase | StringLike => ValueType::String,
            NumericEquals
            | NumericLessThan
            | NumericLessThanEquals
            | NumericGreaterThan
            | NumericGreaterThanEquals => ValueType::Numeric,
            DateEquals
            | DateLessThan
            | DateLessThanEquals
            | DateGreaterThan
            | DateGreaterThanEquals => ValueType::Date,
            Bool => ValueType::Bool,
            BinaryEquals => ValueType::Binary,
            IpAddress => ValueType::Ip,
            ArnLike => ValueType::Arn,
            Null => ValueType::Null,
        }
    }
}

impl ValueType {
    /// Policy variables are substituted only in these values (D37, SEMANTICS.md §3.6).
    pub fn takes_variables(self) -> bool {
        matches!(self, ValueType::String | ValueType::Arn | ValueType::Bool)
    }
}

/// `ForAllValues:` or `ForAnyValue:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SetQualifier {
    ForAllValues,
    ForAnyValue,
}

/// A condition operator as written: `ForAnyValue:StringNotEqualsIfExists` is
/// `{ qualifier: ForAnyValue, comparison: StringEquals, negated: true, if_exists: true }`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ConditionOperator {
    pub qualifier: Option<SetQualifier>,
    pub comparison: Comparison,
    pub negated: bool,
    pub if_exists: bool,
}

/// The documented spellings, each with its comparison and negation. `ArnEquals` and `ArnLike`
/// behave identically (§3.3), so both map to `ArnLike`; the spelling is kept for display.
const OPERATORS: &[(&str, Comparison, bool)] = &[
    ("StringEquals", Comparison::StringEquals, false),
    ("StringNotEquals", Comparison::StringEquals, true),
    (
        "StringEqualsIgnoreCase",
        Comparison::StringEqualsIgnoreCase,
        false,
    ),
    (
        "StringNotEqualsIgnoreCase",
        Comparison::StringEqualsIgnoreCase,
        true,
    ),
    ("StringLike", Comparison::StringLike, false),
    ("StringNotLike", Comparison::StringLike, true),
    ("NumericEquals", Comparison::NumericEquals, false),
    ("NumericNotEquals", Comparison::NumericEquals, true),
    ("NumericLessThan", Comparison::NumericLessThan, false),
    (
        "NumericLessThanEquals",
        Comparison::NumericLessThanEquals,
        false,
    ),
    ("NumericGreaterThan", Comparison::NumericGreaterThan, false),
    (
        "NumericGreaterThanEquals",
        Comparison::NumericGreaterThanEquals,
        false,
    ),
    ("DateEquals", Comparison::DateEquals, false),
    ("DateNotEquals", Comparison::DateEquals, true),
    ("DateLessThan", Comparison::DateLessThan, false),
    ("DateLessThanEquals", Comparison::DateLessThanEquals, false),
    ("DateGreaterThan", Comparison::DateGreaterThan, false),
    (
        "DateGreaterThanEquals",
        Comparison::DateGreaterThanEquals,
        false,
    ),
    ("Bool", Comparison::Bool, false),
    ("BinaryEquals", Comparison::BinaryEquals, false),
    ("IpAddress", Comparison::IpAddress, false),
    ("NotIpAddress", Comparison::IpAddress, true),
    ("ArnEquals", Comparison::ArnLike, false),
    ("ArnNotEquals", Comparison::ArnLike, true),
    ("ArnLike", Comparison::ArnLike, false),
    ("ArnNotLike", Comparison::ArnLike, true),
    ("Null", Comparison::Null, false),
];

/// Why an operator name was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperatorProblem {
    Unknown,
    /// `NullIfExists`, `ForAnyValue:Null`: Null tests presence itself.
    NullDecorated,
}

impl ConditionOperator {
    /// Parses the documented spelling exactly (D2).
    pub fn parse(text: &str) -> Result<ConditionOperator, OperatorProblem> {
        let (qualifier, rest) = if let Some(rest) = text.strip_prefix("ForAllValues:") {
            (Some(SetQualifier::ForAllValues), rest)
        } else if let Some(rest) = text.strip_prefix("ForAnyValue:") {
            (Some(SetQualifier::ForAnyValue), rest)
        } else {
            (None, text)
        };
        let (if_exists, base) = match rest.strip_suffix("IfExists") {
            Some(base) => (true, base),
            None => (false, rest),
        };
        let &(_, comparison, negated) = OPERATORS
            .iter()
            .find(|(name, _, _)| *name == base)
            .ok_or(OperatorProblem::Unknown)?;
        if comparison == Comparison::Null && (if_exists || qualifier.is_some()) {
            return Err(OperatorProblem::NullDecorated);
        }
        Ok(ConditionOperator {
            qualifier,
            comparison,
            negated,
            if_exists,
        })
    }

    /// The base name without qualifier or suffix (`StringNotEquals`); `ArnLike` for both ARN
    /// spellings' positive form.
    pub fn base_name(&self) -> &'static str {
        OPERATORS
            .iter()
            .find(|(_, c, n)| *c == self.comparison && *n == self.negated)
            .map(|(name, _, _)| *name)
            .unwrap_or("?")
    }

    /// Every documented base spelling, for generators and documentation.
    pub fn all_base_names() -> impl Iterator<Item = &'static str> {
        OPERATORS.iter().map(|(name, _, _)| *name)
    }
}

impl fmt::Display for ConditionOperator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.qualifier {
            Some(SetQualifier::ForAllValues) => f.write_str("ForAllValues:")?,
            Some(SetQualifier::ForAnyValue) => f.write_str("ForAnyValue:")?,
            None => {}
        }
        f.write_str(self.base_name())?;
        if self.if_exists {
            f.write_str("IfExists")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // SEMANTICS.md §3.3, §3.5, D2
    #[test]
    fn parses_decorated_operators() {
        let op = ConditionOperator::parse("ForAnyValue:StringNotEqualsIfExists").unwrap();
        assert_eq!(op.qualifier, Some(SetQualifier::ForAnyValue));
        assert_eq!(op.comparison, Comparison::StringEquals);
        assert!(op.negated && op.if_exists);
        assert_eq!(op.to_string(), "ForAnyValue:StringNotEqualsIfExists");
    }

    #[test]
    fn every_documented_spelling_parses() {
        for name in ConditionOperator::all_base_names() {
            assert!(ConditionOperator::parse(name).is_ok(), "{name}");
            if name != "Null" {
                assert!(ConditionOperator::parse(&format!("{name}IfExists")).is_ok());
                assert!(ConditionOperator::parse(&format!("ForAllValues:{name}")).is_ok());
            }
        }
    }

    #[test]
    fn spelling_is_case_sensitive_d2() {
        assert_eq!(
            ConditionOperator::parse("stringequals"),
            Err(OperatorProblem::Unknown)
        );
        assert_eq!(
            ConditionOperator::parse("forallvalues:StringEquals"),
            Err(OperatorProblem::Unknown)
        );
        assert_eq!(
            ConditionOperator::parse("NullIfExists"),
            Err(OperatorProblem::NullDecorated)
        );
        assert_eq!(
            ConditionOperator::parse("StringEqualsIfExistsIfExists"),
            Err(OperatorProblem::Unknown)
        );
    }

    #[test]
    fn arn_equals_is_arn_like() {
        let a = ConditionOperator::parse("ArnEquals").unwrap();
        let b = ConditionOperator::parse("ArnLike").unwrap();
        assert_eq!(a, b);
    }
}
