//! What makes a reachability answer say less than it seems to: a question about no resource, an
//! action no catalogue lists, a resource whose account the snapshot cannot tell, and principals
//! of the snapshot that cannot send a request at all. The answers stand (each principal is still
//! decided, failing closed); these say why some of them are "no".

use crate::graph::{Graph, NodeKind};
use iamspec_model::arn::Arn;
use iamspec_model::principal::Caller;
use iamspec_world::World;

/// The warning for `--resource *` (here and in `iamspec reach`).
pub const NO_RESOURCE: &str = "`--resource *` asks about a request that names no resource (actions that take none): resource policies and resource patterns see no ARN; give the resource's ARN";

/// Warnings about the question `who can ACTION on RESOURCE` asked of `world`.
pub fn question(world: &World, action: &str, resource: &str) -> Vec<String> {
    let mut out = Vec::new();
    if iamspec_corpus::Catalogue::embedded()
        .action(action)
        .is_none()
    {
        out.push(format!(
            "`{action}` is not an action of {}: only a statement whose pattern covers it (a wildcard, or this exact name) can allow it",
            iamspec_solver::catalogue_assumption()
        ));
    }
    if resource == "*" {
        out.push(NO_RESOURCE.to_owned());
    } else if Arn::parse(resource).is_ok_and(|arn| arn.account().is_empty())
        && !in_world(world, resource)
    {
        // D72: the world then decides it as a resource of each caller's own account.
        out.push(format!(
            "`{resource}` names no account and is not a resource of the snapshot: it is taken to be in each caller's own account, so no cross-account rule applies and no resource policy is seen"
        ));
    }
    out
}

/// Principals of the graph that cannot send a request (their ARN is not one a caller can have,
/// as in sanitized exports with the account field `aws`): every question answers them "no".
pub fn unusable(graph: &Graph) -> Vec<String> {
    graph
        .nodes
        .iter()
        .filter(|node| matches!(node.kind, NodeKind::User | NodeKind::Role))
        .filter_map(|node| {
            Caller::parse(&node.principal, None).err().map(|why| {
                format!(
                    "`{}` cannot send a request ({why}): it is answered no",
                    node.principal
                )
            })
        })
        .collect()
}

/// Is `resource` one the snapshot describes (an entity, a resource, or an object of a bucket it
/// has)?
fn in_world(world: &World, resource: &str) -> bool {
    world.entity(resource).is_some() || world.resources.iter().any(|r| describes(&r.arn, resource))
}

/// Does the snapshot's resource `arn` describe `resource` (itself, or an object of its bucket)?
pub(crate) fn describes(arn: &str, resource: &str) -> bool {
    arn == resource
        || resource
            .strip_prefix(arn)
            .is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world() -> World {
        let text = r#"{"UserDetailList":[
            {"Arn":"arn:aws:iam::aws:user/USER","UserName":"USER","UserId":"AIDAS2OTVRSQISETXJGWF","Path":"/","GroupList":[],"AttachedManagedPolicies":[]},
            {"Arn":"arn:aws:iam::111122223333:user/alice","UserName":"alice","UserId":"AIDAS2OTVRSQISETXJGWG","Path":"/","GroupList":[],"AttachedManagedPolicies":[]}],
            "GroupDetailList":[],"RoleDetailList":[],"Policies":[]}"#;
        let json = iamspec_model::json::Json::parse(text).expect("json");
        iamspec_world::snapshot::from_gaad_pages(&[("gaad.json".to_owned(), json)]).expect("gaad")
    }

    #[test]
    fn names_the_degenerate_parts_of_a_question() {
        let world = world();
        let unknown = question(&world, "s3:GetObjectz", "arn:aws:s3:::b/k");
        assert_eq!(unknown.len(), 2, "{unknown:?}");
        assert!(unknown[0].contains("`s3:GetObjectz` is not an action"));
        assert!(unknown[1].contains("names no account"));
        let star = question(&world, "s3:GetObject", "*");
        assert_eq!(star.len(), 1, "{star:?}");
        assert!(star[0].contains("`--resource *`"));
        let fine = question(
            &world,
            "s3:GetObject",
            "arn:aws:sqs:us-east-1:111122223333:queue",
        );
        assert!(fine.is_empty(), "{fine:?}");
    }

    #[test]
    fn names_principals_that_cannot_send_requests() {
        let world = world();
        let graph = Graph::build(&world);
        let found = unusable(&graph);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("`arn:aws:iam::aws:user/USER` cannot send a request"));
    }
}
