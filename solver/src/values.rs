//! Finite domains for numbers and dates: the constants a key is compared with cut the line into
//! regions (below the first constant, at it, between it and the next, ..., above the last), and
//! every comparison with a constant is a statement about the region. Region 0 is "not a number"
//! (or date), which makes every positive comparison false (D26, D27). Numbers are exact decimals,
//! so every open region holds a value; dates count nanoseconds, so a region between two instants
//! one nanosecond apart is empty and excluded.

use crate::smt::{self, Expr};
use iamspec_model::condition::value::{Decimal, Instant};
use iamspec_model::condition::Comparison;

/// Region of the constant at `index` (0-based).
fn at(index: usize) -> i64 {
    i64::try_from(2 * index + 2).unwrap_or(i64::MAX)
}

/// The comparison `r <op> p` as a statement about `region`, where `position` is p's place among
/// the sorted constants (`None`: p is not a value of the type, so nothing matches).
pub fn compare_region(comparison: Comparison, region: &Expr, position: Option<usize>) -> Expr {
    use Comparison::*;
    let Some(index) = position else {
        return Expr::f();
    };
    let c = Expr::int(at(index));
    let is_value = smt::ge(region, &Expr::int(1));
    match comparison {
        NumericEquals | DateEquals => smt::eq(region, &c),
        NumericLessThan | DateLessThan => smt::and([is_value, smt::lt(region, &c)]),
        NumericLessThanEquals | DateLessThanEquals => {
            smt::and([is_value, smt::app("<=", &[region, &c])])
        }
        NumericGreaterThan | DateGreaterThan => smt::app(">", &[region, &c]),
        NumericGreaterThanEquals | DateGreaterThanEquals => smt::ge(region, &c),
        _ => Expr::f(),
    }
}

/// Where `p` (policy text) stands among the number constants.
pub fn number_position(constants: &[Decimal], p: &str) -> Option<usize> {
    let value = Decimal::parse(p)?;
    constants.iter().position(|c| *c == value)
}

pub fn date_position(constants: &[Instant], p: &str) -> Option<usize> {
    let value = Instant::parse(p)?;
    constants.iter().position(|c| *c == value)
}

/// The region of a request value among the sorted number constants.
pub fn number_region(constants: &[Decimal], text: &str) -> Option<i64> {
    let Some(value) = Decimal::parse(text) else {
        return Some(0);
    };
    region_of(constants.iter().map(|c| value.cmp(c)))
}

/// The region of a request value among the sorted date constants.
pub fn date_region(constants: &[Instant], text: &str) -> Option<i64> {
    let Some(value) = Instant::parse(text) else {
        return Some(0);
    };
    region_of(constants.iter().map(|c| value.cmp(c)))
}

/// From the value's comparison with each constant (ascending): at a constant, or between.
fn region_of(orders: impl Iterator<Item = std::cmp::Ordering>) -> Option<i64> {
    let mut below = 0usize;
    for (index, order) in orders.enumerate() {
        match order {
            std::cmp::Ordering::Equal => return i64::try_from(2 * index + 2).ok(),
            std::cmp::Ordering::Greater => below = index + 1,
            std::cmp::Ordering::Less => break,
        }
    }
    i64::try_from(2 * below + 1).ok()
}

fn nanos(i: &Instant) -> i128 {
    i128::from(i.epoch_seconds()) * 1_000_000_000 + i128::from(i.subsec_nanos())
}

const MIN_NANOS: i128 = i64::MIN as i128 * 1_000_000_000;
const MAX_NANOS: i128 = i64::MAX as i128 * 1_000_000_000 + 999_999_999;

/// Odd regions that hold no instant.
pub fn empty_date_regions(constants: &[Instant]) -> Vec<i64> {
    let mut empty = Vec::new();
    if constants.first().map(nanos) == Some(MIN_NANOS) {
        empty.push(1);
    }
    for (index, pair) in constants.windows(2).enumerate() {
        if let [a, b] = pair {
            if nanos(b) - nanos(a) <= 1 {
                empty.push(at(index) + 1);
            }
        }
    }
    if let Some(last) = constants.last() {
        if nanos(last) == MAX_NANOS {
            empty.push(at(constants.len() - 1) + 1);
        }
    }
    empty
}

/// A request value in `region`, as text that parses back into that region.
pub fn number_text(constants: &[Decimal], region: i64) -> Option<String> {
    if region == 0 {
        return Some("not-a-number".to_owned());
    }
    let index = usize::try_from((region - 1) / 2).ok()?;
    let text = if region % 2 == 0 {
        constants.get(index)?.to_string()
    } else {
        // Odd: below constants[index] and above constants[index - 1].
        let below = index.checked_sub(1).and_then(|i| constants.get(i));
        let above = constants.get(index);
        match (below, above) {
            (None, None) => "0".to_owned(),
            (Some(a), None) => above_number(a),
            (None, Some(b)) => below_number(b),
            (Some(a), Some(b)) => between_numbers(a, b),
        }
    };
    // The chosen value must sit in the region: checked, not assumed.
    let value = Decimal::parse(&text)?;
    let ok = if region % 2 == 0 {
        constants.get(index) == Some(&value)
    } else {
        let lower = index.checked_sub(1).and_then(|i| constants.get(i));
        lower.is_none_or(|a| value > *a) && constants.get(index).is_none_or(|b| value < *b)
    };
    ok.then_some(text)
}

/// Sign, integer digits and fraction digits of a decimal's canonical text.
fn parts(d: &Decimal) -> (bool, String, String) {
    let text = d.to_string();
    let (negative, magnitude) = match text.strip_prefix('-') {
        Some(rest) => (true, rest.to_owned()),
        None => (false, text),
    };
    let (integer, fraction) = match magnitude.split_once('.') {
        Some((i, f)) => (i.to_owned(), f.to_owned()),
        None => (magnitude, String::new()),
    };
    (negative, integer, fraction)
}

/// |d| + 10^-(digits+1), where `digits` is at least d's fraction length.
fn nudge_up(integer: &str, fraction: &str, digits: usize) -> String {
    format!("{integer}.{fraction:0<digits$}1")
}

fn between_numbers(a: &Decimal, b: &Decimal) -> String {
    let (a_neg, a_int, a_frac) = parts(a);
    let (b_neg, b_int, b_frac) = parts(b);
    let digits = a_frac.len().max(b_frac.len());
    if !a_neg {
        nudge_up(&a_int, &a_frac, digits)
    } else if b_neg || b.to_string() == "0" {
        format!("-{}", nudge_up(&b_int, &b_frac, digits))
    } else {
        "0".to_owned()
    }
}

fn above_number(a: &Decimal) -> String {
    let (negative, integer, fraction) = parts(a);
    if negative {
        "0".to_owned()
    } else {
        nudge_up(&integer, &fraction, fraction.len())
    }
}

fn below_number(b: &Decimal) -> String {
    let (negative, integer, fraction) = parts(b);
    if !negative && b.to_string() != "0" {
        "0".to_owned()
    } else {
        format!("-{}", nudge_up(&integer, &fraction, fraction.len()))
    }
}

/// A date in `region`, as text that parses back into it: epoch seconds when whole, RFC 3339
/// otherwise.
pub fn date_text(constants: &[Instant], region: i64) -> Option<String> {
    if region == 0 {
        return Some("not-a-date".to_owned());
    }
    let index = usize::try_from((region - 1) / 2).ok()?;
    let target: i128 = if region % 2 == 0 {
        nanos(constants.get(index)?)
    } else {
        let below = index
            .checked_sub(1)
            .and_then(|i| constants.get(i))
            .map(nanos);
        let above = constants.get(index).map(nanos);
        let low = below.unwrap_or(MIN_NANOS - 1);
        let high = above.unwrap_or(MAX_NANOS + 1);
        // Prefer a whole second strictly inside.
        let second = low.div_euclid(1_000_000_000) * 1_000_000_000 + 1_000_000_000;
        let candidate = match (below, above) {
            (None, None) => 0,
            (None, Some(h)) => h.div_euclid(1_000_000_000) * 1_000_000_000 - 1_000_000_000,
            _ => second,
        };
        if candidate > low && candidate < high && (MIN_NANOS..=MAX_NANOS).contains(&candidate) {
            candidate
        } else {
            low + 1
        }
    };
    let seconds = i64::try_from(target.div_euclid(1_000_000_000)).ok()?;
    let sub = u32::try_from(target.rem_euclid(1_000_000_000)).ok()?;
    let instant = Instant::from_epoch_parts(seconds, sub)?;
    // Four digits would read as a year (D66).
    let text = if sub == 0 && !(1000..=9999).contains(&seconds) {
        seconds.to_string()
    } else {
        instant.to_string()
    };
    (Instant::parse(&text) == Some(instant)).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decs(texts: &[&str]) -> Vec<Decimal> {
        let mut v: Vec<Decimal> = texts.iter().map(|t| Decimal::parse(t).unwrap()).collect();
        v.sort();
        v
    }

    #[test]
    fn every_number_region_has_a_value() {
        for constants in [
            decs(&[]),
            decs(&["0"]),
            decs(&["-1", "1"]),
            decs(&["-2.5", "-2.49", "0", "0.001", "7", "7.1"]),
        ] {
            for region in 0..=(2 * constants.len() as i64 + 1) {
                assert!(
                    number_text(&constants, region).is_some(),
                    "{constants:?} region {region}"
                );
            }
        }
    }

    #[test]
    fn date_regions() {
        let d = |t: &str| Instant::parse(t).unwrap();
        let constants = vec![
            d("2024-01-01T00:00:00Z"),
            d("2024-01-01T00:00:00.000000001Z"),
            d("2024-06-01T00:00:00.5Z"),
        ];
        assert_eq!(empty_date_regions(&constants), vec![3]);
        for region in [0, 1, 2, 4, 5, 6, 7] {
            let text = date_text(&constants, region).unwrap();
            if region > 0 {
                let value = Instant::parse(&text).unwrap();
                let index = ((region - 1) / 2) as usize;
                if region % 2 == 0 {
                    assert_eq!(value, constants[index]);
                } else {
                    assert!(index == 0 || value > constants[index - 1]);
                    assert!(index >= constants.len() || value < constants[index]);
                }
            }
        }
    }
}
