//! How each documented escalation path (`catalogue.rs`) is decided against a world: what the
//! attacker must be allowed, on which resource, and the preconditions the snapshot can or cannot
//! decide. The permissions come from the catalogue; this table adds only the mechanism.

use crate::catalogue::{DocumentedPath, PATHS};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    SelfEscalation,
    PrincipalAccess,
    NewPassRole,
    ExistingPassRole,
}

/// What a documented path does, as the graph builder decides it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mechanism {
    /// `sts:AssumeRole` on the target role: identity side, trust policy, boundary, SCPs, RCPs.
    AssumeRole,
    /// `iam:CreateAccessKey` on another user; with `delete`, `iam:DeleteAccessKey` frees a slot
    /// so the two-key quota does not matter.
    CreateAccessKey { delete: bool },
    /// `iam:CreateLoginProfile` (the user has no console password) or `iam:UpdateLoginProfile`
    /// (it has one).
    LoginProfile { create: bool },
    /// `iam:UpdateAssumeRolePolicy`: rewrite the trust policy to trust oneself, then assume.
    UpdateTrust,
    /// Grant oneself (or a principal one can act as) administrator rights by changing its policies.
    Modify(Modification),
    /// `iam:AddUserToGroup`: join a group, gaining its policies.
    AddUserToGroup,
    /// A documented combination: a modification of a target, then an access to it.
    ModifyThenAccess {
        modify: &'static str,
        access: &'static str,
    },
    /// A service runs code as a role the attacker passes (new) or that an existing resource
    /// already has (existing: `fact` names the resource the snapshot cannot see).
    PassRole {
        services: &'static [&'static str],
        /// The role must have an instance profile (EC2).
        profile: bool,
        /// A fact outside IAM the path needs; the edge is then conditional on it.
        fact: Option<&'static str>,
    },
}

/// The ways to change a principal's permissions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Modification {
    /// `iam:CreatePolicyVersion` on a customer managed policy attached to the target.
    CreatePolicyVersion,
    PutUserPolicy,
    AttachUserPolicy,
    PutRolePolicy,
    AttachRolePolicy,
    /// On a group the target user belongs to.
    AttachGroupPolicy,
    PutGroupPolicy,
}

/// The documented path with its mechanism.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    pub path: &'static DocumentedPath,
    pub mechanism: Mechanism,
}

impl Rule {
    /// The required permissions other than `iam:PassRole` (decided on the role itself).
    pub fn service_actions(&self) -> impl Iterator<Item = &'static str> {
        self.path
            .required
            .iter()
            .copied()
            .filter(|a| *a != "iam:PassRole")
    }

    pub fn passes_role(&self) -> bool {
        self.path.required.contains(&"iam:PassRole")
    }
}

/// Every documented path with its mechanism.
pub fn rules() -> Vec<Rule> {
    PATHS
        .iter()
        .filter_map(|path| mechanism(path.id).map(|mechanism| Rule { path, mechanism }))
        .collect()
}

/// The rule with this id.
pub fn rule(id: &str) -> Option<Rule> {
    rules().into_iter().find(|r| r.path.id == id)
}

const EC2: &[&str] = &["ec2.amazonaws.com"];
const ECS: &[&str] = &["ecs-tasks.amazonaws.com"];
const GLUE: &[&str] = &["glue.amazonaws.com"];
const LAMBDA: &[&str] = &["lambda.amazonaws.com"];
const CFN: &[&str] = &["cloudformation.amazonaws.com"];
const CODEBUILD: &[&str] = &["codebuild.amazonaws.com"];
const SAGEMAKER: &[&str] = &["sagemaker.amazonaws.com"];
const APPRUNNER: &[&str] = &["tasks.apprunner.amazonaws.com"];
const BEDROCK: &[&str] = &["bedrock-agentcore.amazonaws.com"];

fn mechanism(id: &str) -> Option<Mechanism> {
    use Mechanism::*;
    use Modification::*;
    let new = |services, fact| PassRole {
        services,
        profile: false,
        fact,
    };
    let existing = |services, fact: &'static str| PassRole {
        services,
        profile: false,
        fact: Some(fact),
    };
    let instance = |fact: &'static str| PassRole {
        services: EC2,
        profile: true,
        fact: Some(fact),
    };
    Some(match id {
        "sts-001" => AssumeRole,
        "iam-002" => CreateAccessKey { delete: false },
        "iam-003" => CreateAccessKey { delete: true },
        "iam-004" => LoginProfile { create: true },
        "iam-006" => LoginProfile { create: false },
        "iam-012" => UpdateTrust,
        "iam-001" => Modify(CreatePolicyVersion),
        "iam-005" => Modify(PutRolePolicy),
        "iam-007" => Modify(PutUserPolicy),
        "iam-008" => Modify(AttachUserPolicy),
        "iam-009" => Modify(AttachRolePolicy),
        "iam-010" => Modify(AttachGroupPolicy),
        "iam-011" => Modify(PutGroupPolicy),
        "iam-013" => AddUserToGroup,
        "iam-014" => ModifyThenAccess {
            modify: "iam-009",
            access: "sts-001",
        },
        "iam-015" => ModifyThenAccess {
            modify: "iam-008",
            access: "iam-002",
        },
        "iam-016" => ModifyThenAccess {
            modify: "iam-001",
            access: "sts-001",
        },
        "iam-017" => ModifyThenAccess {
            modify: "iam-005",
            access: "sts-001",
        },
        "iam-018" => ModifyThenAccess {
            modify: "iam-007",
            access: "iam-002",
        },
        "iam-019" => ModifyThenAccess {
            modify: "iam-009",
            access: "iam-012",
        },
        "iam-020" => ModifyThenAccess {
            modify: "iam-001",
            access: "iam-012",
        },
        "iam-021" => ModifyThenAccess {
            modify: "iam-005",
            access: "iam-012",
        },
        "apprunner-001" => new(APPRUNNER, None),
        "apprunner-002" => existing(APPRUNNER, "an App Runner service whose instance role is"),
        "bedrock-001" => new(BEDROCK, None),
        "bedrock-002" => existing(
            BEDROCK,
            "a Bedrock AgentCore code interpreter whose execution role is",
        ),
        "cloudformation-001" | "cloudformation-003" => new(CFN, None),
        "cloudformation-004" => new(
            CFN,
            Some("a CloudFormation StackSet that can be updated exists"),
        ),
        "cloudformation-002" | "cloudformation-005" => {
            existing(CFN, "a CloudFormation stack whose service role is")
        }
        "codebuild-001" | "codebuild-004" => new(CODEBUILD, None),
        "codebuild-002" | "codebuild-003" => {
            existing(CODEBUILD, "a CodeBuild project whose service role is")
        }
        "datapipeline-001" => new(
            &[
                "datapipeline.amazonaws.com",
                "elasticmapreduce.amazonaws.com",
            ],
            None,
        ),
        "ec2-001" | "ec2-003" => PassRole {
            services: EC2,
            profile: true,
            fact: None,
        },
        "ec2-002" => instance("a running EC2 instance with an instance profile of"),
        "ec2-004" => {
            instance("a launch template that launches instances with an instance profile of")
        }
        "ec2instanceconnect-003" => {
            instance("a running EC2 instance with EC2 Instance Connect and an instance profile of")
        }
        "ssm-001" | "ssm-002" => {
            instance("a running EC2 instance with the SSM agent and an instance profile of")
        }
        "ecs-001" | "ecs-002" => new(ECS, None),
        "ecs-003" | "ecs-004" => new(ECS, Some("an ECS cluster exists")),
        "ecs-005" => new(
            ECS,
            Some("an ECS cluster with a registered EC2 container instance exists"),
        ),
        "glue-001" | "glue-003" | "glue-004" => new(GLUE, None),
        "glue-002" => existing(GLUE, "a Glue development endpoint whose role is"),
        "glue-005" | "glue-006" => new(GLUE, Some("a Glue job exists")),
        "lambda-001" | "lambda-006" => new(LAMBDA, None),
        "lambda-002" => new(
            LAMBDA,
            Some("an event source (DynamoDB stream, Kinesis stream or SQS queue) exists"),
        ),
        "lambda-003" | "lambda-004" | "lambda-005" => {
            existing(LAMBDA, "a Lambda function whose execution role is")
        }
        "sagemaker-001" | "sagemaker-002" | "sagemaker-003" => new(SAGEMAKER, None),
        "sagemaker-004" | "sagemaker-005" => existing(
            SAGEMAKER,
            "a SageMaker notebook instance whose execution role is",
        ),
        _ => return None,
    })
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_path_has_a_mechanism() {
        let missing: Vec<&str> = PATHS
            .iter()
            .filter(|p| mechanism(p.id).is_none())
            .map(|p| p.id)
            .collect();
        assert!(missing.is_empty(), "no mechanism for {missing:?}");
        assert_eq!(PATHS.len(), 65);
    }

    #[test]
    fn combinations_name_documented_parts_whose_permissions_add_up() {
        for rule in rules() {
            if let Mechanism::ModifyThenAccess { modify, access } = rule.mechanism {
                let (Some(m), Some(a)) = (rule_path(modify), rule_path(access)) else {
                    panic!("{} names an unknown part", rule.path.id);
                };
                for needed in rule.path.required {
                    assert!(
                        m.required.contains(needed) || a.required.contains(needed),
                        "{}: {needed} is in neither {modify} nor {access}",
                        rule.path.id
                    );
                }
            }
        }
    }

    fn rule_path(id: &str) -> Option<&'static DocumentedPath> {
        PATHS.iter().find(|p| p.id == id)
    }
}
