//! What a principal's identity-side Allow statements may grant, kept per graph node so that
//! `who_can` asks the evaluator only of principals one of whose statements may cover both the
//! action and the resource. Only a prefilter: every answer is the evaluator's, so a test here
//! may say "may" too often, never too rarely.

use iamspec_model::pattern::Pattern;
use iamspec_model::policy::Statement;

/// One Allow statement's `Action` and `Resource`, as patterns that match at least what the
/// statement matches.
#[derive(Clone, Debug)]
pub struct Grant {
    actions: Vec<Pattern>,
    /// `None`: any resource.
    resources: Option<Vec<Pattern>>,
}

impl Grant {
    /// Every action on every resource: an escalated node, or an identity side the snapshot
    /// does not hold in full.
    pub fn everything() -> Grant {
        Grant {
            actions: vec![Pattern::new("*")],
            resources: None,
        }
    }

    pub fn new(statement: &Statement) -> Grant {
        let actions = if statement.action.negated {
            vec![Pattern::new("*")]
        } else {
            statement
                .action
                .patterns
                .iter()
                .map(|p| Pattern::new(p).ignore_case())
                .collect()
        };
        // `NotResource`, a missing element or a policy variable (whose value the request
        // chooses) may match any resource. Otherwise a glob over the whole ARN, without regard
        // to case, matches at least what D11's field-wise, case-sensitive matching does.
        let resources = statement
            .resource
            .as_ref()
            .filter(|r| !r.negated && !r.patterns.iter().any(|p| p.contains("${")))
            .map(|r| {
                r.patterns
                    .iter()
                    .map(|p| Pattern::new(p).ignore_case())
                    .collect()
            });
        Grant { actions, resources }
    }

    /// Whether the statement may allow `action` on `resource` (`None`: on whatever resource).
    pub fn may_allow(&self, action: &str, resource: Option<&str>) -> bool {
        self.actions.iter().any(|p| p.matches(action))
            && match (&self.resources, resource) {
                (Some(patterns), Some(resource)) => patterns.iter().any(|p| p.matches(resource)),
                _ => true,
            }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iamspec_model::json::Json;
    use iamspec_model::policy::Policy;

    fn grant(statement: &str) -> Grant {
        let text = format!(r#"{{"Version":"2012-10-17","Statement":[{statement}]}}"#);
        let policy = Policy::from_json(&Json::parse(&text).unwrap()).unwrap();
        Grant::new(&policy.statements[0])
    }

    #[test]
    fn names_the_action_and_the_resource() {
        let g =
            grant(r#"{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::data-1/*"}"#);
        assert!(g.may_allow("s3:GetObject", Some("arn:aws:s3:::data-1/a.csv")));
        assert!(g.may_allow("S3:GETOBJECT", Some("arn:aws:s3:::data-1/a.csv")));
        assert!(!g.may_allow("s3:PutObject", Some("arn:aws:s3:::data-1/a.csv")));
        assert!(!g.may_allow("s3:GetObject", Some("arn:aws:s3:::data-7/a.csv")));
        assert!(g.may_allow("s3:GetObject", None));
    }

    #[test]
    fn says_may_where_the_statement_could_match_anything() {
        for statement in [
            r#"{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}"#,
            r#"{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::other/*"}"#,
            r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::${aws:username}/*"}"#,
            r#"{"Effect":"Allow","Action":"s3:*","Resource":"*"}"#,
        ] {
            let g = grant(statement);
            assert!(
                g.may_allow("s3:GetObject", Some("arn:aws:s3:::data-7/a.csv")),
                "{statement}"
            );
        }
        // `NotAction` excluding the action is still "may" (the evaluator decides); its
        // `Resource` still narrows.
        assert!(
            grant(r#"{"Effect":"Allow","NotAction":"s3:*","Resource":"*"}"#)
                .may_allow("s3:GetObject", Some("arn:aws:s3:::data-7/a.csv"))
        );
        assert!(!grant(
            r#"{"Effect":"Allow","NotAction":"iam:*","Resource":"arn:aws:s3:::other/*"}"#
        )
        .may_allow("s3:GetObject", Some("arn:aws:s3:::data-7/a.csv")));
        assert!(Grant::everything().may_allow("iam:PassRole", Some("arn:aws:iam::1:role/r")));
    }
}
