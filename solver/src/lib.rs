//! z3-backed analysis of IAM policy sets.

#[cfg(test)]
mod tests {
    use z3::{ast::Int, Solver};

    #[test]
    fn z3_links_and_solves() {
        let solver = Solver::new();
        let x = Int::new_const("x");
        solver.assert(x.gt(Int::from_i64(41)));
        solver.assert(x.lt(Int::from_i64(43)));
        assert_eq!(solver.check(), z3::SatResult::Sat);
        let model = solver.get_model().unwrap();
        assert_eq!(model.eval(&x, true).and_then(|v| v.as_i64()), Some(42));
    }
}
