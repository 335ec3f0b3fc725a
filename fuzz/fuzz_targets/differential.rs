//! Bytes → a generated case (`arbitrary`, from the pools of `iamspec_model::testing`) → JSON →
//! the real parsers → the reference and the fast evaluator: no panic, and the same answer
//! (decision, deciding kind, matched statements, missing keys).
#![no_main]

use iamspec_model::testing::FuzzInput;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: FuzzInput| {
    if let Err(mismatch) = input.check() {
        panic!("the evaluators disagree: {mismatch}\n{input:#?}");
    }
});
