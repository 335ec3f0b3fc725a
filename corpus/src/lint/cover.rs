//! When one entry makes another redundant: every action (resource) the second can match, the
//! first matches too. Judged from the texts, never from the catalogue alone, so that an entry
//! is not called redundant just because today's catalogue has no action that tells them apart.

use iamspec_model::arn::{split_fields, ResourcePattern};
use iamspec_model::condition::variables::Template;
use iamspec_model::pattern::{Pattern, Piece};

/// An action pattern compiled once, to test whether it matches every action another pattern can
/// match (both case-insensitive, D10). Sound, not complete: a cover may use `?` only when the
/// other is a plain name, because a `?` could stand for a `*` of the other.
pub(crate) struct ActionCover {
    pattern: Pattern,
    has_any_one: bool,
}

impl ActionCover {
    pub(crate) fn new(cover: &str) -> ActionCover {
        let pattern = Pattern::new(cover).ignore_case();
        let has_any_one = pattern.pieces().contains(&Piece::AnyOne);
        ActionCover {
            pattern,
            has_any_one,
        }
    }

    /// Whether the pattern matches every action `covered` can match.
    pub(crate) fn covers(&self, covered: &str) -> bool {
        let covered_is_plain = !super::has_wildcard(covered);
        if !covered_is_plain && self.has_any_one {
            return false;
        }
        // The cover's literal pieces contain no `*`/`?`, so only its `*` can consume a wildcard
        // of `covered`, and a `*` consumes whatever the wildcard stands for.
        self.pattern.matches(covered)
    }
}

/// Whether the resource pattern `cover` matches every ARN `covered` can match. `substitutes`
/// says whether `${…}` are variables (Version 2012-10-17). Sound, not complete: `*` covers
/// everything; a plain ARN is covered when the model's matcher says so; a pattern is covered by a
/// plain prefix followed by one `*` in the resource part (where `*` matches anything, D11).
pub(crate) fn resource_covers(cover: &str, covered: &str, substitutes: bool) -> bool {
    if cover == "*" {
        return true;
    }
    if covered == "*" {
        return false;
    }
    // Without `${` there is no variable: no template (two allocations) to find that out.
    let has_variables = |text: &str| {
        substitutes && super::has_variable(text) && Template::parse(text).has_variables()
    };
    if has_variables(cover) {
        return false;
    }
    if !super::has_wildcard(covered) && !has_variables(covered) {
        return ResourcePattern::new(cover, None).is_some_and(|p| p.matches(covered));
    }
    match cover.strip_suffix('*') {
        Some(prefix) if !super::has_wildcard(prefix) && split_fields(prefix).len() == 6 => {
            covered.starts_with(prefix)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action_covers(cover: &str, covered: &str) -> bool {
        ActionCover::new(cover).covers(covered)
    }

    #[test]
    fn actions() {
        assert!(action_covers("s3:*", "s3:GetObject"));
        assert!(action_covers("s3:*", "S3:Get*"));
        assert!(action_covers("*", "ec2:Describe*"));
        assert!(action_covers("s3:Get*", "s3:getobject"));
        assert!(action_covers("s3:*Object", "s3:Get*Object"));
        assert!(!action_covers("s3:Get*", "s3:*"));
        assert!(!action_covers("s3:G?t*", "s3:G*t*"));
        assert!(action_covers("s3:G?t*", "s3:GetObject"));
        assert!(!action_covers("s3:GetObject", "s3:GetObjectAcl"));
    }

    fn covers_(cover: &str, covered: &str) -> bool {
        resource_covers(cover, covered, true)
    }

    #[test]
    fn resources() {
        assert!(covers_("*", "arn:aws:s3:::b"));
        assert!(covers_("arn:aws:s3:::*", "arn:aws:s3:::b/*"));
        assert!(covers_("arn:aws:s3:::b/*", "arn:aws:s3:::b/k"));
        assert!(!covers_("arn:aws:s3:::b/*", "arn:aws:s3:::b"));
        assert!(!covers_("arn:aws:s3:::b*", "arn:aws:s3:::*"));
        assert!(!covers_(
            "arn:aws:s3:::${aws:username}/*",
            "arn:aws:s3:::x/y"
        ));
        assert!(covers_(
            "arn:aws:s3:::*",
            "arn:aws:s3:::home/${aws:username}/*"
        ));
        assert!(!covers_("arn:aws:s3:::b", "*"));
    }
}
