//! Condition blocks (SEMANTICS.md §3): the operator table, typed values, policy variables and
//! the evaluation rules for missing keys, `IfExists` and the set qualifiers.

mod eval;
pub mod operator;
pub mod value;
pub mod variables;

pub use eval::{clause_holds, KeyLog};
pub use operator::{Comparison, ConditionOperator, OperatorProblem, SetQualifier, ValueType};
