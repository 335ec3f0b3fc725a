//! The 65 documented privilege-escalation paths of pathfinding.cloud, reduced to what lint needs:
//! each path's id, category, the permissions it requires, its documented parent path, and
//! whether it depends on an existing resource lint cannot see.
//!
//! Derived from pathfinding.cloud (<https://github.com/DataDog/pathfinding.cloud>)
//! `data/paths/*/*.yaml` at commit 84dd65c9, Copyright 2025-Present Datadog, Inc., licensed under
//! the Apache License, Version 2.0 (<http://www.apache.org/licenses/LICENSE-2.0>); see
//! corpus/NOTICE. Changes: reduced to these fields (names, descriptions, prerequisites prose and
//! tool lists dropped), written as a Rust table, and the `target_dependent` column added, from
//! the copy in `../shared/data/escalation-paths.json` (`tests/lint_escalation.rs` checks that
//! the two agree whenever the shared data is present).
//!
//! `target_dependent` marks the seven paths cloudsplaining deliberately leaves out
//! (salesforce/cloudsplaining#585: `sts:AssumeRole`, `ssm:StartSession`, `ssm:SendCommand`,
//! `codebuild:StartBuild`, `codebuild:StartBuildBatch`, `cloudformation:UpdateStack`,
//! `apprunner:UpdateService`): each escalates only through a more privileged role already
//! attached to an existing resource, which a single policy does not show; `iamspec reach`
//! decides them against a world.

/// How a path escalates, in pathfinding.cloud's categories.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EscalationCategory {
    /// Changes the caller's own permissions.
    SelfEscalation,
    /// Gains the access of another principal.
    PrincipalAccess,
    /// Passes a role to a new resource of a service.
    NewPassRole,
    /// Uses a role already attached to an existing resource.
    ExistingPassRole,
}

/// One documented path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EscalationPath {
    /// `iam-001`.
    pub id: &'static str,
    /// How it escalates.
    pub category: EscalationCategory,
    /// Every permission the path needs (`iam:PassRole`, `ec2:RunInstances`).
    pub required: &'static [&'static str],
    /// The path this one extends, whose permissions it includes.
    pub parent: Option<&'static str>,
    /// Escalates only through an existing resource's role, which a policy does not show.
    pub target_dependent: bool,
}

impl EscalationCategory {
    /// pathfinding.cloud's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            EscalationCategory::SelfEscalation => "self-escalation",
            EscalationCategory::PrincipalAccess => "principal-access",
            EscalationCategory::NewPassRole => "new-passrole",
            EscalationCategory::ExistingPassRole => "existing-passrole",
        }
    }
}

/// Every documented path, in pathfinding.cloud's order.
pub const ESCALATION_PATHS: &[EscalationPath] = &[
    EscalationPath {
        id: "apprunner-001",
        category: EscalationCategory::NewPassRole,
        required: &["iam:PassRole", "apprunner:CreateService"],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "apprunner-002",
        category: EscalationCategory::ExistingPassRole,
        required: &["apprunner:UpdateService"],
        parent: None,
        target_dependent: true,
    },
    EscalationPath {
        id: "bedrock-001",
        category: EscalationCategory::NewPassRole,
        required: &[
            "iam:PassRole",
            "bedrock-agentcore:CreateCodeInterpreter",
            "bedrock-agentcore:StartCodeInterpreterSession",
            "bedrock-agentcore:InvokeCodeInterpreter",
        ],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "bedrock-002",
        category: EscalationCategory::ExistingPassRole,
        required: &[
            "bedrock-agentcore:StartCodeInterpreterSession",
            "bedrock-agentcore:InvokeCodeInterpreter",
        ],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "cloudformation-001",
        category: EscalationCategory::NewPassRole,
        required: &["iam:PassRole", "cloudformation:CreateStack"],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "cloudformation-002",
        category: EscalationCategory::ExistingPassRole,
        required: &["cloudformation:UpdateStack"],
        parent: None,
        target_dependent: true,
    },
    EscalationPath {
        id: "cloudformation-003",
        category: EscalationCategory::NewPassRole,
        required: &[
            "iam:PassRole",
            "cloudformation:CreateStackSet",
            "cloudformation:CreateStackInstances",
        ],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "cloudformation-004",
        category: EscalationCategory::NewPassRole,
        required: &["iam:PassRole", "cloudformation:UpdateStackSet"],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "cloudformation-005",
        category: EscalationCategory::NewPassRole,
        required: &[
            "cloudformation:CreateChangeSet",
            "cloudformation:ExecuteChangeSet",
        ],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "codebuild-001",
        category: EscalationCategory::NewPassRole,
        required: &[
            "iam:PassRole",
            "codebuild:CreateProject",
            "codebuild:StartBuild",
        ],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "codebuild-002",
        category: EscalationCategory::ExistingPassRole,
        required: &["codebuild:StartBuild"],
        parent: None,
        target_dependent: true,
    },
    EscalationPath {
        id: "codebuild-003",
        category: EscalationCategory::ExistingPassRole,
        required: &["codebuild:StartBuildBatch"],
        parent: None,
        target_dependent: true,
    },
    EscalationPath {
        id: "codebuild-004",
        category: EscalationCategory::NewPassRole,
        required: &[
            "iam:PassRole",
            "codebuild:CreateProject",
            "codebuild:StartBuildBatch",
        ],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "datapipeline-001",
        category: EscalationCategory::NewPassRole,
        required: &[
            "iam:PassRole",
            "datapipeline:CreatePipeline",
            "datapipeline:PutPipelineDefinition",
            "datapipeline:ActivatePipeline",
        ],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "ec2-001",
        category: EscalationCategory::NewPassRole,
        required: &["iam:PassRole", "ec2:RunInstances"],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "ec2-002",
        category: EscalationCategory::ExistingPassRole,
        required: &[
            "ec2:ModifyInstanceAttribute",
            "ec2:StopInstances",
            "ec2:StartInstances",
        ],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "ec2-003",
        category: EscalationCategory::NewPassRole,
        required: &["iam:PassRole", "ec2:RequestSpotInstances"],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "ec2-004",
        category: EscalationCategory::ExistingPassRole,
        required: &[
            "ec2:CreateLaunchTemplateVersion",
            "ec2:ModifyLaunchTemplate",
        ],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "ec2instanceconnect-003",
        category: EscalationCategory::ExistingPassRole,
        required: &[
            "ec2-instance-connect:SendSSHPublicKey",
            "ec2:DescribeInstances",
        ],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "ecs-001",
        category: EscalationCategory::NewPassRole,
        required: &[
            "iam:PassRole",
            "ecs:CreateCluster",
            "ecs:RegisterTaskDefinition",
            "ecs:CreateService",
        ],
        parent: Some("ecs-003"),
        target_dependent: false,
    },
    EscalationPath {
        id: "ecs-002",
        category: EscalationCategory::NewPassRole,
        required: &[
            "iam:PassRole",
            "ecs:CreateCluster",
            "ecs:RegisterTaskDefinition",
            "ecs:RunTask",
        ],
        parent: Some("ecs-004"),
        target_dependent: false,
    },
    EscalationPath {
        id: "ecs-003",
        category: EscalationCategory::NewPassRole,
        required: &[
            "iam:PassRole",
            "ecs:RegisterTaskDefinition",
            "ecs:CreateService",
        ],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "ecs-004",
        category: EscalationCategory::NewPassRole,
        required: &["iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:RunTask"],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "ecs-005",
        category: EscalationCategory::NewPassRole,
        required: &[
            "iam:PassRole",
            "ecs:RegisterTaskDefinition",
            "ecs:StartTask",
        ],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "glue-001",
        category: EscalationCategory::NewPassRole,
        required: &["iam:PassRole", "glue:CreateDevEndpoint"],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "glue-002",
        category: EscalationCategory::ExistingPassRole,
        required: &["glue:UpdateDevEndpoint"],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "glue-003",
        category: EscalationCategory::NewPassRole,
        required: &["iam:PassRole", "glue:CreateJob", "glue:StartJobRun"],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "glue-004",
        category: EscalationCategory::NewPassRole,
        required: &["iam:PassRole", "glue:CreateJob", "glue:CreateTrigger"],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "glue-005",
        category: EscalationCategory::NewPassRole,
        required: &["iam:PassRole", "glue:UpdateJob", "glue:StartJobRun"],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "glue-006",
        category: EscalationCategory::NewPassRole,
        required: &["iam:PassRole", "glue:UpdateJob", "glue:CreateTrigger"],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "iam-001",
        category: EscalationCategory::SelfEscalation,
        required: &["iam:CreatePolicyVersion"],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "iam-002",
        category: EscalationCategory::PrincipalAccess,
        required: &["iam:CreateAccessKey"],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "iam-003",
        category: EscalationCategory::PrincipalAccess,
        required: &["iam:CreateAccessKey", "iam:DeleteAccessKey"],
        parent: Some("iam-002"),
        target_dependent: false,
    },
    EscalationPath {
        id: "iam-004",
        category: EscalationCategory::PrincipalAccess,
        required: &["iam:CreateLoginProfile"],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "iam-005",
        category: EscalationCategory::SelfEscalation,
        required: &["iam:PutRolePolicy"],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "iam-006",
        category: EscalationCategory::PrincipalAccess,
        required: &["iam:UpdateLoginProfile"],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "iam-007",
        category: EscalationCategory::SelfEscalation,
        required: &["iam:PutUserPolicy"],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "iam-008",
        category: EscalationCategory::SelfEscalation,
        required: &["iam:AttachUserPolicy"],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "iam-009",
        category: EscalationCategory::SelfEscalation,
        required: &["iam:AttachRolePolicy"],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "iam-010",
        category: EscalationCategory::SelfEscalation,
        required: &["iam:AttachGroupPolicy"],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "iam-011",
        category: EscalationCategory::SelfEscalation,
        required: &["iam:PutGroupPolicy"],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "iam-012",
        category: EscalationCategory::PrincipalAccess,
        required: &["iam:UpdateAssumeRolePolicy"],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "iam-013",
        category: EscalationCategory::SelfEscalation,
        required: &["iam:AddUserToGroup"],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "iam-014",
        category: EscalationCategory::PrincipalAccess,
        required: &["iam:AttachRolePolicy", "sts:AssumeRole"],
        parent: Some("iam-009"),
        target_dependent: false,
    },
    EscalationPath {
        id: "iam-015",
        category: EscalationCategory::PrincipalAccess,
        required: &["iam:AttachUserPolicy", "iam:CreateAccessKey"],
        parent: Some("iam-008"),
        target_dependent: false,
    },
    EscalationPath {
        id: "iam-016",
        category: EscalationCategory::PrincipalAccess,
        required: &["iam:CreatePolicyVersion", "sts:AssumeRole"],
        parent: Some("iam-001"),
        target_dependent: false,
    },
    EscalationPath {
        id: "iam-017",
        category: EscalationCategory::PrincipalAccess,
        required: &["iam:PutRolePolicy", "sts:AssumeRole"],
        parent: Some("iam-005"),
        target_dependent: false,
    },
    EscalationPath {
        id: "iam-018",
        category: EscalationCategory::PrincipalAccess,
        required: &["iam:PutUserPolicy", "iam:CreateAccessKey"],
        parent: Some("iam-007"),
        target_dependent: false,
    },
    EscalationPath {
        id: "iam-019",
        category: EscalationCategory::PrincipalAccess,
        required: &["iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy"],
        parent: Some("iam-009"),
        target_dependent: false,
    },
    EscalationPath {
        id: "iam-020",
        category: EscalationCategory::PrincipalAccess,
        required: &["iam:CreatePolicyVersion", "iam:UpdateAssumeRolePolicy"],
        parent: Some("iam-001"),
        target_dependent: false,
    },
    EscalationPath {
        id: "iam-021",
        category: EscalationCategory::PrincipalAccess,
        required: &["iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy"],
        parent: Some("iam-005"),
        target_dependent: false,
    },
    EscalationPath {
        id: "lambda-001",
        category: EscalationCategory::NewPassRole,
        required: &[
            "iam:PassRole",
            "lambda:CreateFunction",
            "lambda:InvokeFunction",
        ],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "lambda-002",
        category: EscalationCategory::NewPassRole,
        required: &[
            "iam:PassRole",
            "lambda:CreateFunction",
            "lambda:CreateEventSourceMapping",
        ],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "lambda-003",
        category: EscalationCategory::ExistingPassRole,
        required: &["lambda:UpdateFunctionCode"],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "lambda-004",
        category: EscalationCategory::ExistingPassRole,
        required: &["lambda:UpdateFunctionCode", "lambda:InvokeFunction"],
        parent: Some("lambda-003"),
        target_dependent: false,
    },
    EscalationPath {
        id: "lambda-005",
        category: EscalationCategory::ExistingPassRole,
        required: &["lambda:UpdateFunctionCode", "lambda:AddPermission"],
        parent: Some("lambda-003"),
        target_dependent: false,
    },
    EscalationPath {
        id: "lambda-006",
        category: EscalationCategory::NewPassRole,
        required: &[
            "iam:PassRole",
            "lambda:CreateFunction",
            "lambda:AddPermission",
        ],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "sagemaker-001",
        category: EscalationCategory::NewPassRole,
        required: &["iam:PassRole", "sagemaker:CreateNotebookInstance"],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "sagemaker-002",
        category: EscalationCategory::NewPassRole,
        required: &["iam:PassRole", "sagemaker:CreateTrainingJob"],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "sagemaker-003",
        category: EscalationCategory::NewPassRole,
        required: &["iam:PassRole", "sagemaker:CreateProcessingJob"],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "sagemaker-004",
        category: EscalationCategory::ExistingPassRole,
        required: &["sagemaker:CreatePresignedNotebookInstanceUrl"],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "sagemaker-005",
        category: EscalationCategory::ExistingPassRole,
        required: &[
            "sagemaker:CreateNotebookInstanceLifecycleConfig",
            "sagemaker:StopNotebookInstance",
            "sagemaker:UpdateNotebookInstance",
            "sagemaker:StartNotebookInstance",
        ],
        parent: None,
        target_dependent: false,
    },
    EscalationPath {
        id: "ssm-001",
        category: EscalationCategory::ExistingPassRole,
        required: &["ssm:StartSession"],
        parent: None,
        target_dependent: true,
    },
    EscalationPath {
        id: "ssm-002",
        category: EscalationCategory::ExistingPassRole,
        required: &["ssm:SendCommand"],
        parent: None,
        target_dependent: true,
    },
    EscalationPath {
        id: "sts-001",
        category: EscalationCategory::PrincipalAccess,
        required: &["sts:AssumeRole"],
        parent: None,
        target_dependent: true,
    },
];
