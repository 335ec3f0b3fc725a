//! Names compared without regard to ASCII case: action names and condition keys.

use std::hash::{Hash, Hasher};

/// Text compared without regard to ASCII case: action names and condition keys (D10). Stricter
/// than IAM for letters outside ASCII, which valid names do not have, so shapes that compare
/// equal always are.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NoCase<'s>(pub(crate) &'s str);

impl PartialEq for NoCase<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(other.0)
    }
}

impl Eq for NoCase<'_> {}

impl Ord for NoCase<'_> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let lower = |s: &str| {
            s.bytes()
                .map(|b| b.to_ascii_lowercase())
                .collect::<Vec<u8>>()
        };
        let (a, b) = (self.0.as_bytes(), other.0.as_bytes());
        // Most comparisons end at the first byte that differs: no allocation for those.
        for (x, y) in a.iter().zip(b) {
            match x.to_ascii_lowercase().cmp(&y.to_ascii_lowercase()) {
                std::cmp::Ordering::Equal => {}
                unequal => return unequal,
            }
        }
        if a.len() == b.len() {
            return std::cmp::Ordering::Equal;
        }
        lower(self.0).cmp(&lower(other.0))
    }
}

impl PartialOrd for NoCase<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Hash for NoCase<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for b in self.0.bytes() {
            state.write_u8(b.to_ascii_lowercase());
        }
        state.write_u8(0xff);
    }
}
