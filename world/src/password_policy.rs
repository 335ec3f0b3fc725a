//! The account password policy (SEMANTICS §6.3,
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html>):
//! whether a new password satisfies it, and whether a user's password has expired.
//!
//! Character classes as the page defines them: uppercase and lowercase are the Latin letters
//! (`A`–`Z`, `a`–`z`), numbers `0`–`9`, symbols exactly ``! @ # $ % ^ & * ( ) _ + - = [ ] { } | '``.
//! Without a custom policy AWS's default applies: 8 to 128 characters, at least three of the
//! four classes (the default's "not the account name or e-mail" rule needs the account's e-mail,
//! which the world does not hold: not checked, D112). Reuse prevention compares with the
//! user's previous passwords, which AWS keeps and never exports: the caller gives the history,
//! or the answer says it could not check (D112). The root user is not governed by the policy.

use crate::entity::{LoginProfile, PasswordPolicy};
use crate::time::Timestamp;
use serde::Serialize;

/// The longest password AWS accepts.
pub const MAX_LENGTH: usize = 128;
/// AWS's default policy, when the account sets none.
pub const DEFAULT_MIN_LENGTH: u64 = 8;
/// The symbols the page lists.
pub const SYMBOLS: &str = "!@#$%^&*()_+-=[]{}|'";

/// Why a password does not satisfy the policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Violation {
    TooShort {
        minimum: u64,
        length: usize,
    },
    TooLong {
        length: usize,
    },
    NoUppercase,
    NoLowercase,
    NoNumber,
    NoSymbol,
    /// AWS's default policy: at least three of the four classes.
    FewerThanThreeClasses {
        classes: usize,
    },
    /// Equal to one of the last `PasswordReusePrevention` passwords.
    Reused {
        prevention: u64,
    },
}

/// The verdict on a new password.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub violations: Vec<Violation>,
    /// Reuse prevention is set but no history was given: reuse was not checked.
    pub reuse_unchecked: bool,
}

impl Verdict {
    pub fn satisfied(&self) -> bool {
        self.violations.is_empty()
    }
}

/// Does `password` satisfy `policy` (`None`: AWS's default)? `history` is the user's previous
/// passwords, most recent first, when known.
pub fn check(policy: Option<&PasswordPolicy>, password: &str, history: Option<&[&str]>) -> Verdict {
    let length = password.chars().count();
    let upper = password.chars().any(|c| c.is_ascii_uppercase());
    let lower = password.chars().any(|c| c.is_ascii_lowercase());
    let number = password.chars().any(|c| c.is_ascii_digit());
    let symbol = password.chars().any(|c| SYMBOLS.contains(c));
    let mut violations = Vec::new();
    let minimum = policy.map_or(DEFAULT_MIN_LENGTH, |p| {
        p.minimum_password_length.unwrap_or(DEFAULT_MIN_LENGTH)
    });
    if (length as u64) < minimum {
        violations.push(Violation::TooShort { minimum, length });
    }
    if length > MAX_LENGTH {
        violations.push(Violation::TooLong { length });
    }
    let mut reuse_unchecked = false;
    match policy {
        Some(p) => {
            for (required, present, violation) in [
                (
                    p.require_uppercase_characters,
                    upper,
                    Violation::NoUppercase,
                ),
                (
                    p.require_lowercase_characters,
                    lower,
                    Violation::NoLowercase,
                ),
                (p.require_numbers, number, Violation::NoNumber),
                (p.require_symbols, symbol, Violation::NoSymbol),
            ] {
                if required && !present {
                    violations.push(violation);
                }
            }
            if let Some(prevention) = p.password_reuse_prevention.filter(|n| *n > 0) {
                match history {
                    Some(previous) => {
                        let window = usize::try_from(prevention).unwrap_or(usize::MAX);
                        if previous.iter().take(window).any(|old| *old == password) {
                            violations.push(Violation::Reused { prevention });
                        }
                    }
                    None => reuse_unchecked = true,
                }
            }
        }
        None => {
            let classes = [upper, lower, number, symbol]
                .iter()
                .filter(|b| **b)
                .count();
            if classes < 3 {
                violations.push(Violation::FewerThanThreeClasses { classes });
            }
        }
    }
    Verdict {
        violations,
        reuse_unchecked,
    }
}

/// A user's console password at a given time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum PasswordState {
    /// Valid; `expires` when the policy sets `MaxPasswordAge` and the last change is known.
    Valid { expires: Option<Timestamp> },
    /// Expired: the user must set a new one at sign-in, or, with `HardExpiry`, cannot sign in
    /// until an administrator resets it. Only console sign-in is blocked; access keys still work.
    Expired { since: Timestamp, hard: bool },
}

/// The state of `profile` at `at`. `MaxPasswordAge` applies at once to existing passwords
/// (§6.3): the password expires `MaxPasswordAge` days after it was last changed.
pub fn state(
    policy: Option<&PasswordPolicy>,
    profile: &LoginProfile,
    at: Timestamp,
) -> PasswordState {
    let expires = policy.and_then(|p| {
        let days = i64::try_from(p.max_password_age?).ok()?;
        Some(Timestamp(profile.last_changed?.0 + days * 86_400))
    });
    match expires {
        Some(since) if since <= at => PasswordState::Expired {
            since,
            hard: policy.is_some_and(|p| p.hard_expiry),
        },
        _ => PasswordState::Valid { expires },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strict() -> PasswordPolicy {
        PasswordPolicy {
            minimum_password_length: Some(14),
            require_symbols: true,
            require_numbers: true,
            require_uppercase_characters: true,
            require_lowercase_characters: true,
            password_reuse_prevention: Some(2),
            max_password_age: Some(90),
            ..PasswordPolicy::default()
        }
    }

    #[test]
    fn classes_as_aws_defines_them() {
        let p = strict();
        assert!(check(Some(&p), "Abcdefghij12#x", Some(&[])).satisfied());
        // `~`, `.` and `<` are not on AWS's symbol list; non-Latin letters are no class.
        let v = check(Some(&p), "Abcdefghij12~.<", Some(&[]));
        assert_eq!(v.violations, vec![Violation::NoSymbol]);
        let v = check(Some(&p), "ÄBCDEFGHIJ12#ÉÖ", Some(&[]));
        assert_eq!(v.violations, vec![Violation::NoLowercase]);
        let v = check(Some(&p), "short1A#", Some(&[]));
        assert_eq!(
            v.violations,
            vec![Violation::TooShort {
                minimum: 14,
                length: 8
            }]
        );
        let long = format!("Aa1#{}", "x".repeat(125));
        assert_eq!(
            check(Some(&p), &long, Some(&[])).violations,
            vec![Violation::TooLong { length: 129 }]
        );
    }

    #[test]
    fn reuse_needs_the_history() {
        let p = strict();
        let pw = "Abcdefghij12#x";
        let v = check(Some(&p), pw, None);
        assert!(v.satisfied() && v.reuse_unchecked);
        let v = check(Some(&p), pw, Some(&["Other12345678#A", pw]));
        assert_eq!(v.violations, vec![Violation::Reused { prevention: 2 }]);
        // Outside the window of the last two: allowed again.
        let v = check(Some(&p), pw, Some(&["x", "y", pw]));
        assert!(v.satisfied() && !v.reuse_unchecked);
    }

    #[test]
    fn the_default_policy_wants_three_classes_of_eight() {
        assert!(check(None, "abcdEF12", None).satisfied());
        assert_eq!(
            check(None, "abcdefgh12", None).violations,
            vec![Violation::FewerThanThreeClasses { classes: 2 }]
        );
        assert!(!check(None, "aB1#", None).satisfied());
    }

    #[test]
    fn expiry_and_hard_expiry() {
        let t = |s: &str| Timestamp::parse(s).unwrap();
        let profile = LoginProfile {
            last_changed: Some(t("2024-01-01T00:00:00Z")),
            ..LoginProfile::default()
        };
        let mut p = strict();
        assert_eq!(
            state(Some(&p), &profile, t("2024-03-01T00:00:00Z")),
            PasswordState::Valid {
                expires: Some(t("2024-03-31T00:00:00Z"))
            }
        );
        assert_eq!(
            state(Some(&p), &profile, t("2024-03-31T00:00:00Z")),
            PasswordState::Expired {
                since: t("2024-03-31T00:00:00Z"),
                hard: false
            }
        );
        p.hard_expiry = true;
        assert!(matches!(
            state(Some(&p), &profile, t("2025-01-01T00:00:00Z")),
            PasswordState::Expired { hard: true, .. }
        ));
        assert_eq!(
            state(None, &profile, t("2030-01-01T00:00:00Z")),
            PasswordState::Valid { expires: None }
        );
    }
}
