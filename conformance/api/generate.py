# Writes the iamspec-api/1 suites of this directory (python3 generate.py). The JSON files are
# the contract; this script is how they were written, kept so that a change is made in one place.
import json, os
A = "123456789012"
def api(op): return f"https://docs.aws.amazon.com/IAM/latest/APIReference/API_{op}.html"
QUOTAS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"
IDS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-friendly-names"
TAGS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html"
SLR = "https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html"
COMMON = "https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html"
GROUPS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups.html"
PWD = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html"
DOC = {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}
DOC2 = {"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}
BAD = {"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"s3:GetObject","Resource":"*"}]}
TRUST = {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}
def big(n):
    return {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[f"s3:GetObject" for _ in range(1)],"Resource":[f"arn:aws:s3:::bucket-{i:05d}/*" for i in range(n)]}]}
def C(action, **p):
    d = {"Action": action}; d.update(p); return d
def ok(call, result=None, save=None):
    s = {"call": call}
    if result is not None: s["expect"] = {"result": result}
    if save: s["save"] = save
    return s
def err(call, code): return {"call": call, "expect": {"error": code}}
def parn(n): return f"arn:aws:iam::{A}:policy/{n}"
def mfa(n): return f"arn:aws:iam::{A}:mfa/{n}"
user = lambda n="alice", **k: C("CreateUser", UserName=n, **k)
group = lambda n="devs", **k: C("CreateGroup", GroupName=n, **k)
role = lambda n="app", **k: C("CreateRole", RoleName=n, AssumeRolePolicyDocument=k.pop("doc", TRUST), **k)
policy = lambda n="read", doc=DOC, **k: C("CreatePolicy", PolicyName=n, PolicyDocument=doc, **k)
suites = {}
def case(suite, id, source, description, *steps):
    suites.setdefault(suite, []).append({"id": id, "source": source, "description": description, "calls": list(steps)})

# ---------------- users
S="users"
case(S,"create-user",api("CreateUser"),"a new user gets the ARN of its path and name",
     ok(user(), {"User":{"UserName":"alice","Path":"/","Arn":f"arn:aws:iam::{A}:user/alice"}}))
case(S,"create-user-path",api("CreateUser"),"the path is part of the ARN",
     ok(user(Path="/eng/"), {"User":{"Path":"/eng/","Arn":f"arn:aws:iam::{A}:user/eng/alice"}}))
case(S,"create-user-twice",api("CreateUser"),"a second user with the same name",ok(user()),err(user(),"EntityAlreadyExists"))
case(S,"create-user-case-insensitive",IDS,"names are unique regardless of case",ok(user("alice")),err(user("ALICE"),"EntityAlreadyExists"))
case(S,"create-user-name-64",api("CreateUser"),"UserName may be 64 characters",ok(user("a"*64)))
case(S,"create-user-name-65",api("CreateUser"),"UserName is at most 64 characters",err(user("a"*65),"ValidationError"))
case(S,"create-user-name-empty",api("CreateUser"),"UserName is at least 1 character",err(user(""),"ValidationError"))
case(S,"create-user-name-bad-char",api("CreateUser"),"UserName allows [\\w+=,.@-] only",err(user("al ice"),"ValidationError"))
case(S,"create-user-name-slash",api("CreateUser"),"a slash belongs to the path, not the name",err(user("eng/alice"),"ValidationError"))
case(S,"create-user-name-allowed-chars",api("CreateUser"),"every allowed punctuation character",ok(user("a+b=c,d.e@f-g_h")))
case(S,"create-user-bad-path",api("CreateUser"),"a path must end with a slash",err(user(Path="/eng"),"ValidationError"))
case(S,"create-user-path-no-leading-slash",api("CreateUser"),"a path must begin with a slash",err(user(Path="eng/"),"ValidationError"))
case(S,"create-user-missing-name",COMMON,"a required parameter missing",err(C("CreateUser"),"ValidationError"))
case(S,"get-user",api("GetUser"),"the user as created",ok(user(Path="/ops/")),ok(C("GetUser",UserName="alice"),{"User":{"UserName":"alice","Path":"/ops/"}}))
case(S,"get-user-missing",api("GetUser"),"no such user",err(C("GetUser",UserName="nobody"),"NoSuchEntity"))
case(S,"update-user-rename",api("UpdateUser"),"the old name is gone, the new one answers",
     ok(user()),ok(C("UpdateUser",UserName="alice",NewUserName="alicia")),err(C("GetUser",UserName="alice"),"NoSuchEntity"),
     ok(C("GetUser",UserName="alicia"),{"User":{"UserName":"alicia","Arn":f"arn:aws:iam::{A}:user/alicia"}}))
case(S,"update-user-rename-taken",api("UpdateUser"),"renaming onto an existing user",ok(user()),ok(user("bob")),err(C("UpdateUser",UserName="alice",NewUserName="bob"),"EntityAlreadyExists"))
case(S,"update-user-missing",api("UpdateUser"),"renaming a user that does not exist",err(C("UpdateUser",UserName="nobody",NewUserName="x"),"NoSuchEntity"))
case(S,"update-user-new-path",api("UpdateUser"),"a new path changes the ARN",ok(user()),ok(C("UpdateUser",UserName="alice",NewPath="/ops/")),ok(C("GetUser",UserName="alice"),{"User":{"Path":"/ops/","Arn":f"arn:aws:iam::{A}:user/ops/alice"}}))
case(S,"update-user-keeps-groups",api("UpdateUser"),"a renamed user stays in its groups",ok(user()),ok(group()),ok(C("AddUserToGroup",GroupName="devs",UserName="alice")),
     ok(C("UpdateUser",UserName="alice",NewUserName="alicia")),ok(C("ListGroupsForUser",UserName="alicia"),{"Groups":[{"GroupName":"devs"}]}))
case(S,"delete-user",api("DeleteUser"),"a user with nothing attached",ok(user()),ok(C("DeleteUser",UserName="alice")),err(C("GetUser",UserName="alice"),"NoSuchEntity"))
case(S,"delete-user-missing",api("DeleteUser"),"no such user",err(C("DeleteUser",UserName="nobody"),"NoSuchEntity"))
case(S,"delete-user-with-access-key",api("DeleteUser"),"access keys must be deleted first",ok(user()),ok(C("CreateAccessKey",UserName="alice")),err(C("DeleteUser",UserName="alice"),"DeleteConflict"))
case(S,"delete-user-with-login-profile",api("DeleteUser"),"the password must be deleted first",ok(user()),ok(C("CreateLoginProfile",UserName="alice",Password="Correct-Horse-9")),err(C("DeleteUser",UserName="alice"),"DeleteConflict"))
case(S,"delete-user-with-inline-policy",api("DeleteUser"),"inline policies must be deleted first",ok(user()),ok(C("PutUserPolicy",UserName="alice",PolicyName="p",PolicyDocument=DOC)),err(C("DeleteUser",UserName="alice"),"DeleteConflict"))
case(S,"delete-user-with-attached-policy",api("DeleteUser"),"managed policies must be detached first",ok(user()),ok(policy()),ok(C("AttachUserPolicy",UserName="alice",PolicyArn=parn("read"))),err(C("DeleteUser",UserName="alice"),"DeleteConflict"))
case(S,"delete-user-in-group",api("DeleteUser"),"the user must leave its groups first",ok(user()),ok(group()),ok(C("AddUserToGroup",GroupName="devs",UserName="alice")),err(C("DeleteUser",UserName="alice"),"DeleteConflict"))
case(S,"delete-user-with-mfa",api("DeleteUser"),"MFA devices must be deactivated first",ok(user()),ok(C("CreateVirtualMFADevice",VirtualMFADeviceName="alice-phone")),
     ok(C("EnableMFADevice",UserName="alice",SerialNumber=mfa("alice-phone"),AuthenticationCode1="123456",AuthenticationCode2="654321")),err(C("DeleteUser",UserName="alice"),"DeleteConflict"))
case(S,"delete-user-after-cleanup",api("DeleteUser"),"once everything is removed, the user can be deleted",ok(user()),ok(C("CreateAccessKey",UserName="alice"),save={"k":"AccessKey.AccessKeyId"}),
     ok(group()),ok(C("AddUserToGroup",GroupName="devs",UserName="alice")),ok(C("DeleteAccessKey",UserName="alice",AccessKeyId="${k}")),
     ok(C("RemoveUserFromGroup",GroupName="devs",UserName="alice")),ok(C("DeleteUser",UserName="alice")))
case(S,"delete-user-conflict-keeps-user",api("DeleteUser"),"a failed delete leaves the user and its key",ok(user()),ok(C("CreateAccessKey",UserName="alice")),err(C("DeleteUser",UserName="alice"),"DeleteConflict"),
     ok(C("ListAccessKeys",UserName="alice"),{"AccessKeyMetadata":[{"UserName":"alice"}]}))
case(S,"create-user-with-tags",api("CreateUser"),"tags given at creation",ok(user(Tags=[{"Key":"team","Value":"payments"}])),ok(C("ListUserTags",UserName="alice"),{"Tags":[{"Key":"team","Value":"payments"}]}))
case(S,"create-user-51-tags",QUOTAS,"at most 50 tags per user",err(user(Tags=[{"Key":f"k{i}","Value":"v"} for i in range(51)]),"LimitExceeded"))
case(S,"create-user-boundary-missing",api("CreateUser"),"a permissions boundary that does not exist",err(user(PermissionsBoundary=parn("nope")),"NoSuchEntity"))
case(S,"create-user-boundary",api("PutUserPermissionsBoundary"),"a customer managed policy as boundary",ok(policy()),ok(user(PermissionsBoundary=parn("read"))),err(C("DeletePolicy",PolicyArn=parn("read")),"DeleteConflict"))

# ---------------- groups
S="groups"
case(S,"create-group",api("CreateGroup"),"a new group",ok(group(),{"Group":{"GroupName":"devs","Path":"/","Arn":f"arn:aws:iam::{A}:group/devs"}}))
case(S,"create-group-twice",api("CreateGroup"),"same name twice",ok(group()),err(group(),"EntityAlreadyExists"))
case(S,"create-group-case-insensitive",IDS,"names are unique regardless of case",ok(group("devs")),err(group("DEVS"),"EntityAlreadyExists"))
case(S,"create-group-name-128",api("CreateGroup"),"GroupName may be 128 characters",ok(group("g"*128)))
case(S,"create-group-name-129",api("CreateGroup"),"GroupName is at most 128 characters",err(group("g"*129),"ValidationError"))
case(S,"create-group-bad-name",api("CreateGroup"),"GroupName allows [\\w+=,.@-] only",err(group("dev team"),"ValidationError"))
case(S,"group-and-user-same-name",IDS,"users and groups have separate names",ok(user("devs")),ok(group("devs")))
case(S,"get-group-members",api("GetGroup"),"the group lists its users",ok(group()),ok(user()),ok(user("bob")),ok(C("AddUserToGroup",GroupName="devs",UserName="alice")),
     ok(C("GetGroup",GroupName="devs"),{"Group":{"GroupName":"devs"},"Users":[{"UserName":"alice"}]}))
case(S,"get-group-missing",api("GetGroup"),"no such group",err(C("GetGroup",GroupName="nope"),"NoSuchEntity"))
case(S,"add-user-missing-user",api("AddUserToGroup"),"the user must exist",ok(group()),err(C("AddUserToGroup",GroupName="devs",UserName="nobody"),"NoSuchEntity"))
case(S,"add-user-missing-group",api("AddUserToGroup"),"the group must exist",ok(user()),err(C("AddUserToGroup",GroupName="nope",UserName="alice"),"NoSuchEntity"))
case(S,"add-group-to-group",GROUPS,"groups cannot be nested: a group is not a user",ok(group("outer")),ok(group("inner")),err(C("AddUserToGroup",GroupName="outer",UserName="inner"),"NoSuchEntity"))
case(S,"add-user-twice","D123","adding a member again changes nothing",ok(group()),ok(user()),ok(C("AddUserToGroup",GroupName="devs",UserName="alice")),ok(C("AddUserToGroup",GroupName="devs",UserName="alice")),
     ok(C("ListGroupsForUser",UserName="alice"),{"Groups":[{"GroupName":"devs"}]}))
tenth = [ok(user())]+[ok(group(f"g{i}")) for i in range(11)]+[ok(C("AddUserToGroup",GroupName=f"g{i}",UserName="alice")) for i in range(10)]
case(S,"ten-groups-per-user",QUOTAS,"a user can be in 10 groups",*tenth)
case(S,"eleventh-group",QUOTAS,"a user can be in at most 10 groups",*tenth,err(C("AddUserToGroup",GroupName="g10",UserName="alice"),"LimitExceeded"))
case(S,"eleventh-group-after-leaving",QUOTAS,"leaving a group makes room",*tenth,ok(C("RemoveUserFromGroup",GroupName="g0",UserName="alice")),ok(C("AddUserToGroup",GroupName="g10",UserName="alice")))
case(S,"remove-user",api("RemoveUserFromGroup"),"the user leaves the group",ok(group()),ok(user()),ok(C("AddUserToGroup",GroupName="devs",UserName="alice")),ok(C("RemoveUserFromGroup",GroupName="devs",UserName="alice")),
     ok(C("ListGroupsForUser",UserName="alice"),{"Groups":[]}))
case(S,"remove-non-member","D123","a user who is not a member",ok(group()),ok(user()),err(C("RemoveUserFromGroup",GroupName="devs",UserName="alice"),"NoSuchEntity"))
case(S,"remove-missing-group",api("RemoveUserFromGroup"),"the group must exist",ok(user()),err(C("RemoveUserFromGroup",GroupName="nope",UserName="alice"),"NoSuchEntity"))
case(S,"delete-group",api("DeleteGroup"),"an empty group",ok(group()),ok(C("DeleteGroup",GroupName="devs")),err(C("GetGroup",GroupName="devs"),"NoSuchEntity"))
case(S,"delete-group-missing",api("DeleteGroup"),"no such group",err(C("DeleteGroup",GroupName="nope"),"NoSuchEntity"))
case(S,"delete-group-with-member",api("DeleteGroup"),"a group with members",ok(group()),ok(user()),ok(C("AddUserToGroup",GroupName="devs",UserName="alice")),err(C("DeleteGroup",GroupName="devs"),"DeleteConflict"))
case(S,"delete-group-with-inline",api("DeleteGroup"),"a group with an inline policy",ok(group()),ok(C("PutGroupPolicy",GroupName="devs",PolicyName="p",PolicyDocument=DOC)),err(C("DeleteGroup",GroupName="devs"),"DeleteConflict"))
case(S,"delete-group-with-attached",api("DeleteGroup"),"a group with a managed policy",ok(group()),ok(policy()),ok(C("AttachGroupPolicy",GroupName="devs",PolicyArn=parn("read"))),err(C("DeleteGroup",GroupName="devs"),"DeleteConflict"))
case(S,"update-group-rename",api("UpdateGroup"),"members follow the renamed group",ok(group()),ok(user()),ok(C("AddUserToGroup",GroupName="devs",UserName="alice")),ok(C("UpdateGroup",GroupName="devs",NewGroupName="engineers")),
     ok(C("ListGroupsForUser",UserName="alice"),{"Groups":[{"GroupName":"engineers"}]}),err(C("GetGroup",GroupName="devs"),"NoSuchEntity"))
case(S,"update-group-taken",api("UpdateGroup"),"renaming onto an existing group",ok(group()),ok(group("ops")),err(C("UpdateGroup",GroupName="devs",NewGroupName="ops"),"EntityAlreadyExists"))
case(S,"update-group-missing",api("UpdateGroup"),"no such group",err(C("UpdateGroup",GroupName="nope",NewGroupName="x"),"NoSuchEntity"))

# ---------------- roles
S="roles"
case(S,"create-role",api("CreateRole"),"a new role",ok(role(),{"Role":{"RoleName":"app","Path":"/","Arn":f"arn:aws:iam::{A}:role/app"}}))
case(S,"create-role-twice",api("CreateRole"),"same name twice",ok(role()),err(role(),"EntityAlreadyExists"))
case(S,"create-role-case-insensitive",IDS,"names are unique regardless of case",ok(role("app")),err(role("APP"),"EntityAlreadyExists"))
case(S,"create-role-name-64",api("CreateRole"),"RoleName may be 64 characters",ok(role("r"*64)))
case(S,"create-role-name-65",api("CreateRole"),"RoleName is at most 64 characters",err(role("r"*65),"ValidationError"))
case(S,"create-role-no-trust",api("CreateRole"),"AssumeRolePolicyDocument is required",err(C("CreateRole",RoleName="app"),"ValidationError"))
case(S,"create-role-malformed-trust",api("CreateRole"),"an Effect that is neither Allow nor Deny",err(role(doc=BAD),"MalformedPolicyDocument"))
case(S,"create-role-trust-not-json",api("CreateRole"),"a trust policy that is not JSON",err(role(doc="{\"Version\":"),"MalformedPolicyDocument"))
case(S,"create-role-trust-without-principal","https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html","a trust policy must name a principal",err(role(doc=DOC),"MalformedPolicyDocument"))
case(S,"create-role-session-3600",api("CreateRole"),"MaxSessionDuration from 3600",ok(role(MaxSessionDuration=3600)))
case(S,"create-role-session-43200",api("CreateRole"),"MaxSessionDuration up to 43200",ok(role(MaxSessionDuration=43200)))
case(S,"create-role-session-3599",api("CreateRole"),"MaxSessionDuration below 3600",err(role(MaxSessionDuration=3599),"ValidationError"))
case(S,"create-role-session-43201",api("CreateRole"),"MaxSessionDuration above 43200",err(role(MaxSessionDuration=43201),"ValidationError"))
case(S,"get-role-missing",api("GetRole"),"no such role",err(C("GetRole",RoleName="nope"),"NoSuchEntity"))
case(S,"get-role",api("GetRole"),"the role as created",ok(role(Path="/svc/")),ok(C("GetRole",RoleName="app"),{"Role":{"RoleName":"app","Path":"/svc/","Arn":f"arn:aws:iam::{A}:role/svc/app"}}))
case(S,"update-trust",api("UpdateAssumeRolePolicy"),"a new trust policy",ok(role()),ok(C("UpdateAssumeRolePolicy",RoleName="app",PolicyDocument={"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]})))
case(S,"update-trust-malformed",api("UpdateAssumeRolePolicy"),"a malformed trust policy",ok(role()),err(C("UpdateAssumeRolePolicy",RoleName="app",PolicyDocument=BAD),"MalformedPolicyDocument"))
case(S,"update-trust-missing-role",api("UpdateAssumeRolePolicy"),"no such role",err(C("UpdateAssumeRolePolicy",RoleName="nope",PolicyDocument=TRUST),"NoSuchEntity"))
case(S,"update-role-session",api("UpdateRole"),"MaxSessionDuration out of range",ok(role()),err(C("UpdateRole",RoleName="app",MaxSessionDuration=50000),"ValidationError"))
case(S,"delete-role",api("DeleteRole"),"a role with nothing attached",ok(role()),ok(C("DeleteRole",RoleName="app")),err(C("GetRole",RoleName="app"),"NoSuchEntity"))
case(S,"delete-role-missing",api("DeleteRole"),"no such role",err(C("DeleteRole",RoleName="nope"),"NoSuchEntity"))
case(S,"delete-role-with-inline",api("DeleteRole"),"inline policies must be deleted first",ok(role()),ok(C("PutRolePolicy",RoleName="app",PolicyName="p",PolicyDocument=DOC)),err(C("DeleteRole",RoleName="app"),"DeleteConflict"))
case(S,"delete-role-with-attached",api("DeleteRole"),"managed policies must be detached first",ok(role()),ok(policy()),ok(C("AttachRolePolicy",RoleName="app",PolicyArn=parn("read"))),err(C("DeleteRole",RoleName="app"),"DeleteConflict"))
case(S,"delete-role-in-instance-profile",api("DeleteRole"),"the role must be removed from its instance profiles first",ok(role()),ok(C("CreateInstanceProfile",InstanceProfileName="web")),
     ok(C("AddRoleToInstanceProfile",InstanceProfileName="web",RoleName="app")),err(C("DeleteRole",RoleName="app"),"DeleteConflict"))
case(S,"role-tags",api("TagRole"),"tags on a role",ok(role()),ok(C("TagRole",RoleName="app",Tags=[{"Key":"env","Value":"prod"}])),ok(C("ListRoleTags",RoleName="app"),{"Tags":[{"Key":"env","Value":"prod"}]}))
SL = C("CreateServiceLinkedRole",AWSServiceName="autoscaling.amazonaws.com")
slr = ok(SL, {"Role":{"Path":"/aws-service-role/autoscaling.amazonaws.com/"}}, {"slr":"Role.RoleName"})
case(S,"create-service-linked-role",api("CreateServiceLinkedRole"),"the role lives under /aws-service-role/SERVICE/",slr)
case(S,"service-linked-role-twice",api("CreateServiceLinkedRole"),"the service's role name is taken",slr,err(SL,"InvalidInput"))
case(S,"service-linked-role-bad-service",api("CreateServiceLinkedRole"),"AWSServiceName must be a service principal",err(C("CreateServiceLinkedRole",AWSServiceName="example.com"),"InvalidInput"))
case(S,"service-linked-role-name-pattern",api("CreateServiceLinkedRole"),"AWSServiceName allows [\\w+=,.@-] only",err(C("CreateServiceLinkedRole",AWSServiceName="not a service"),"ValidationError"))
case("tags","tag-value-tab","https://docs.aws.amazon.com/IAM/latest/APIReference/API_Tag.html","a tab is not a space separator",ok(user()),err(C("TagUser",UserName="alice",Tags=[{"Key":"k","Value":"a\tb"}]),"ValidationError"))
case(S,"delete-role-service-linked",SLR,"a service-linked role is deleted through its service",slr,err(C("DeleteRole",RoleName="${slr}"),"UnmodifiableEntity"))
case(S,"update-trust-service-linked",SLR,"a service-linked role's trust policy is the service's",slr,err(C("UpdateAssumeRolePolicy",RoleName="${slr}",PolicyDocument=TRUST),"UnmodifiableEntity"))
case(S,"put-policy-service-linked",SLR,"a service-linked role's permissions are the service's",slr,err(C("PutRolePolicy",RoleName="${slr}",PolicyName="p",PolicyDocument=DOC),"UnmodifiableEntity"))
case(S,"attach-policy-service-linked",api("AttachRolePolicy"),"no managed policy can be attached to a service-linked role",slr,ok(policy()),err(C("AttachRolePolicy",RoleName="${slr}",PolicyArn=parn("read")),"UnmodifiableEntity"))
case(S,"boundary-service-linked",api("PutRolePermissionsBoundary"),"no boundary on a service-linked role",slr,ok(policy()),err(C("PutRolePermissionsBoundary",RoleName="${slr}",PermissionsBoundary=parn("read")),"UnmodifiableEntity"))
case(S,"delete-service-linked-role",api("DeleteServiceLinkedRole"),"the model deletes at once (AWS: a deletion task, D126)",slr,ok(C("DeleteServiceLinkedRole",RoleName="${slr}")),err(C("GetRole",RoleName="${slr}"),"NoSuchEntity"))
case(S,"delete-service-linked-role-missing",api("DeleteServiceLinkedRole"),"no such role",err(C("DeleteServiceLinkedRole",RoleName="AWSServiceRoleForNothing"),"NoSuchEntity"))
IP=lambda n="web": C("CreateInstanceProfile",InstanceProfileName=n)
case(S,"create-instance-profile",api("CreateInstanceProfile"),"a new instance profile",ok(IP(),{"InstanceProfile":{"InstanceProfileName":"web","Arn":f"arn:aws:iam::{A}:instance-profile/web","Roles":[]}}))
case(S,"create-instance-profile-twice",api("CreateInstanceProfile"),"same name twice",ok(IP()),err(IP(),"EntityAlreadyExists"))
case(S,"add-role-to-profile",api("AddRoleToInstanceProfile"),"the profile holds the role",ok(role()),ok(IP()),ok(C("AddRoleToInstanceProfile",InstanceProfileName="web",RoleName="app")),
     ok(C("GetInstanceProfile",InstanceProfileName="web"),{"InstanceProfile":{"Roles":[{"RoleName":"app"}]}}))
case(S,"second-role-in-profile",QUOTAS,"an instance profile holds one role",ok(role()),ok(role("ci")),ok(IP()),ok(C("AddRoleToInstanceProfile",InstanceProfileName="web",RoleName="app")),
     err(C("AddRoleToInstanceProfile",InstanceProfileName="web",RoleName="ci"),"LimitExceeded"))
case(S,"add-missing-role-to-profile",api("AddRoleToInstanceProfile"),"the role must exist",ok(IP()),err(C("AddRoleToInstanceProfile",InstanceProfileName="web",RoleName="nope"),"NoSuchEntity"))
case(S,"add-role-to-missing-profile",api("AddRoleToInstanceProfile"),"the profile must exist",ok(role()),err(C("AddRoleToInstanceProfile",InstanceProfileName="nope",RoleName="app"),"NoSuchEntity"))
case(S,"delete-profile-with-role",api("DeleteInstanceProfile"),"remove the role first",ok(role()),ok(IP()),ok(C("AddRoleToInstanceProfile",InstanceProfileName="web",RoleName="app")),err(C("DeleteInstanceProfile",InstanceProfileName="web"),"DeleteConflict"))
case(S,"delete-profile-after-remove",api("RemoveRoleFromInstanceProfile"),"an emptied profile can be deleted",ok(role()),ok(IP()),ok(C("AddRoleToInstanceProfile",InstanceProfileName="web",RoleName="app")),
     ok(C("RemoveRoleFromInstanceProfile",InstanceProfileName="web",RoleName="app")),ok(C("DeleteInstanceProfile",InstanceProfileName="web")),ok(C("DeleteRole",RoleName="app")))
case(S,"remove-role-not-in-profile",api("RemoveRoleFromInstanceProfile"),"a role the profile does not hold",ok(role()),ok(IP()),err(C("RemoveRoleFromInstanceProfile",InstanceProfileName="web",RoleName="app"),"NoSuchEntity"))
case(S,"delete-profile-missing",api("DeleteInstanceProfile"),"no such profile",err(C("DeleteInstanceProfile",InstanceProfileName="nope"),"NoSuchEntity"))

# ---------------- managed policies
S="policies"
case(S,"create-policy",api("CreatePolicy"),"version v1 is the default",ok(policy(),{"Policy":{"PolicyName":"read","Arn":parn("read"),"DefaultVersionId":"v1","AttachmentCount":0}}))
case(S,"create-policy-path",api("CreatePolicy"),"the path is part of the ARN",ok(policy(Path="/team/"),{"Policy":{"Arn":f"arn:aws:iam::{A}:policy/team/read"}}))
case(S,"create-policy-twice",api("CreatePolicy"),"same name twice",ok(policy()),err(policy(),"EntityAlreadyExists"))
case(S,"create-policy-malformed",api("CreatePolicy"),"an Effect that is neither Allow nor Deny",err(policy(doc=BAD),"MalformedPolicyDocument"))
case(S,"create-policy-not-json",api("CreatePolicy"),"a document that is not JSON",err(policy(doc="not json"),"MalformedPolicyDocument"))
case(S,"create-policy-no-statement",api("CreatePolicy"),"a policy needs a Statement",err(policy(doc={"Version":"2012-10-17"}),"MalformedPolicyDocument"))
case(S,"create-policy-with-principal","https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html","identity-based policies name no Principal",
     err(policy(doc={"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}),"MalformedPolicyDocument"))
case(S,"create-policy-too-large",QUOTAS,"a managed policy is at most 6,144 characters",err(policy(doc=big(250)),"LimitExceeded"))
case(S,"create-policy-large-ok",QUOTAS,"a managed policy under 6,144 characters",ok(policy(doc=big(150))))
case(S,"create-policy-name-128",api("CreatePolicy"),"PolicyName may be 128 characters",ok(policy("p"*128)))
case(S,"create-policy-name-129",api("CreatePolicy"),"PolicyName is at most 128 characters",err(policy("p"*129),"ValidationError"))
case(S,"get-policy-missing",api("GetPolicy"),"no such policy",err(C("GetPolicy",PolicyArn=parn("nope")),"NoSuchEntity"))
case(S,"create-policy-version",api("CreatePolicyVersion"),"versions count up",ok(policy()),ok(C("CreatePolicyVersion",PolicyArn=parn("read"),PolicyDocument=DOC2),{"PolicyVersion":{"VersionId":"v2","IsDefaultVersion":False}}))
case(S,"create-policy-version-default",api("CreatePolicyVersion"),"SetAsDefault makes the new version the default",ok(policy()),ok(C("CreatePolicyVersion",PolicyArn=parn("read"),PolicyDocument=DOC2,SetAsDefault=True)),
     ok(C("GetPolicy",PolicyArn=parn("read")),{"Policy":{"DefaultVersionId":"v2"}}))
five=[ok(policy())]+[ok(C("CreatePolicyVersion",PolicyArn=parn("read"),PolicyDocument=DOC2)) for _ in range(4)]
case(S,"five-versions",QUOTAS,"a managed policy can have five versions",*five,ok(C("ListPolicyVersions",PolicyArn=parn("read")),{"Versions":[{},{},{},{},{}]}))
case(S,"sixth-version",QUOTAS,"at most five versions",*five,err(C("CreatePolicyVersion",PolicyArn=parn("read"),PolicyDocument=DOC2),"LimitExceeded"))
case(S,"sixth-version-after-delete",api("DeletePolicyVersion"),"deleting a version makes room",*five,ok(C("DeletePolicyVersion",PolicyArn=parn("read"),VersionId="v2")),ok(C("CreatePolicyVersion",PolicyArn=parn("read"),PolicyDocument=DOC2),{"PolicyVersion":{"VersionId":"v6"}}))
case(S,"create-version-malformed",api("CreatePolicyVersion"),"a malformed new version",ok(policy()),err(C("CreatePolicyVersion",PolicyArn=parn("read"),PolicyDocument=BAD),"MalformedPolicyDocument"))
case(S,"create-version-missing-policy",api("CreatePolicyVersion"),"no such policy",err(C("CreatePolicyVersion",PolicyArn=parn("nope"),PolicyDocument=DOC),"NoSuchEntity"))
case(S,"delete-default-version",api("DeletePolicyVersion"),"the default version cannot be deleted",ok(policy()),err(C("DeletePolicyVersion",PolicyArn=parn("read"),VersionId="v1"),"DeleteConflict"))
case(S,"delete-version",api("DeletePolicyVersion"),"a non-default version",ok(policy()),ok(C("CreatePolicyVersion",PolicyArn=parn("read"),PolicyDocument=DOC2)),ok(C("DeletePolicyVersion",PolicyArn=parn("read"),VersionId="v2")),
     err(C("GetPolicyVersion",PolicyArn=parn("read"),VersionId="v2"),"NoSuchEntity"))
case(S,"delete-version-missing",api("DeletePolicyVersion"),"no such version",ok(policy()),err(C("DeletePolicyVersion",PolicyArn=parn("read"),VersionId="v7"),"NoSuchEntity"))
case(S,"set-default-version",api("SetDefaultPolicyVersion"),"the old default can then be deleted",ok(policy()),ok(C("CreatePolicyVersion",PolicyArn=parn("read"),PolicyDocument=DOC2)),
     ok(C("SetDefaultPolicyVersion",PolicyArn=parn("read"),VersionId="v2")),ok(C("DeletePolicyVersion",PolicyArn=parn("read"),VersionId="v1")),ok(C("GetPolicy",PolicyArn=parn("read")),{"Policy":{"DefaultVersionId":"v2"}}))
case(S,"set-default-version-missing",api("SetDefaultPolicyVersion"),"no such version",ok(policy()),err(C("SetDefaultPolicyVersion",PolicyArn=parn("read"),VersionId="v9"),"NoSuchEntity"))
case(S,"get-policy-version",api("GetPolicyVersion"),"v1 is the default",ok(policy()),ok(C("GetPolicyVersion",PolicyArn=parn("read"),VersionId="v1"),{"PolicyVersion":{"VersionId":"v1","IsDefaultVersion":True}}))
case(S,"delete-policy",api("DeletePolicy"),"an unattached policy with one version",ok(policy()),ok(C("DeletePolicy",PolicyArn=parn("read"))),err(C("GetPolicy",PolicyArn=parn("read")),"NoSuchEntity"))
case(S,"delete-policy-missing",api("DeletePolicy"),"no such policy",err(C("DeletePolicy",PolicyArn=parn("nope")),"NoSuchEntity"))
case(S,"delete-policy-attached-user",api("DeletePolicy"),"detach from users first",ok(policy()),ok(user()),ok(C("AttachUserPolicy",UserName="alice",PolicyArn=parn("read"))),err(C("DeletePolicy",PolicyArn=parn("read")),"DeleteConflict"))
case(S,"delete-policy-attached-group",api("DeletePolicy"),"detach from groups first",ok(policy()),ok(group()),ok(C("AttachGroupPolicy",GroupName="devs",PolicyArn=parn("read"))),err(C("DeletePolicy",PolicyArn=parn("read")),"DeleteConflict"))
case(S,"delete-policy-attached-role",api("DeletePolicy"),"detach from roles first",ok(policy()),ok(role()),ok(C("AttachRolePolicy",RoleName="app",PolicyArn=parn("read"))),err(C("DeletePolicy",PolicyArn=parn("read")),"DeleteConflict"))
case(S,"delete-policy-with-versions",api("DeletePolicy"),"delete the other versions first",ok(policy()),ok(C("CreatePolicyVersion",PolicyArn=parn("read"),PolicyDocument=DOC2)),err(C("DeletePolicy",PolicyArn=parn("read")),"DeleteConflict"))
case(S,"delete-policy-after-detach",api("DeletePolicy"),"detached, the policy can be deleted",ok(policy()),ok(user()),ok(C("AttachUserPolicy",UserName="alice",PolicyArn=parn("read"))),
     ok(C("DetachUserPolicy",UserName="alice",PolicyArn=parn("read"))),ok(C("DeletePolicy",PolicyArn=parn("read"))))
case(S,"delete-policy-boundary","D127","a policy in use as a permissions boundary",ok(policy()),ok(role(PermissionsBoundary=parn("read"))),err(C("DeletePolicy",PolicyArn=parn("read")),"DeleteConflict"))
case(S,"attachment-count",api("GetPolicy"),"AttachmentCount counts users, groups and roles",ok(policy()),ok(user()),ok(group()),ok(C("AttachUserPolicy",UserName="alice",PolicyArn=parn("read"))),
     ok(C("AttachGroupPolicy",GroupName="devs",PolicyArn=parn("read"))),ok(C("GetPolicy",PolicyArn=parn("read")),{"Policy":{"AttachmentCount":2}}))
for kind, mk, nm in [("User",user,"UserName"),("Group",group,"GroupName"),("Role",role,"RoleName")]:
    ent = {"User":"alice","Group":"devs","Role":"app"}[kind]
    low = kind.lower()
    case(S,f"attach-{low}-policy",api(f"Attach{kind}Policy"),"the policy is listed as attached",ok(mk()),ok(policy()),ok(C(f"Attach{kind}Policy",**{nm:ent},PolicyArn=parn("read"))),
         ok(C(f"ListAttached{kind}Policies",**{nm:ent}),{"AttachedPolicies":[{"PolicyName":"read","PolicyArn":parn("read")}]}))
    case(S,f"attach-{low}-missing-policy",api(f"Attach{kind}Policy"),"the policy must exist",ok(mk()),err(C(f"Attach{kind}Policy",**{nm:ent},PolicyArn=parn("nope")),"NoSuchEntity"))
    case(S,f"attach-{low}-missing-entity",api(f"Attach{kind}Policy"),f"the {low} must exist",ok(policy()),err(C(f"Attach{kind}Policy",**{nm:"nobody"},PolicyArn=parn("read")),"NoSuchEntity"))
    many=[ok(mk())]+[ok(policy(f"p{i}")) for i in range(11)]+[ok(C(f"Attach{kind}Policy",**{nm:ent},PolicyArn=parn(f"p{i}"))) for i in range(10)]
    case(S,f"eleventh-{low}-policy",QUOTAS,f"at most 10 managed policies per {low} by default",*many,err(C(f"Attach{kind}Policy",**{nm:ent},PolicyArn=parn("p10")),"LimitExceeded"))
    case(S,f"detach-{low}-not-attached",api(f"Detach{kind}Policy"),"a policy that is not attached",ok(mk()),ok(policy()),err(C(f"Detach{kind}Policy",**{nm:ent},PolicyArn=parn("read")),"NoSuchEntity"))
    case(S,f"detach-{low}-policy",api(f"Detach{kind}Policy"),"the policy is no longer listed",ok(mk()),ok(policy()),ok(C(f"Attach{kind}Policy",**{nm:ent},PolicyArn=parn("read"))),
         ok(C(f"Detach{kind}Policy",**{nm:ent},PolicyArn=parn("read"))),ok(C(f"ListAttached{kind}Policies",**{nm:ent}),{"AttachedPolicies":[]}))
    case(S,f"put-{low}-policy",api(f"Put{kind}Policy"),"the inline policy reads back",ok(mk()),ok(C(f"Put{kind}Policy",**{nm:ent},PolicyName="p",PolicyDocument=DOC)),
         ok(C(f"Get{kind}Policy",**{nm:ent},PolicyName="p"),{"PolicyName":"p"}),ok(C(f"List{kind}Policies",**{nm:ent}),{"PolicyNames":["p"]}))
    case(S,f"put-{low}-policy-malformed",api(f"Put{kind}Policy"),"a malformed inline policy",ok(mk()),err(C(f"Put{kind}Policy",**{nm:ent},PolicyName="p",PolicyDocument=BAD),"MalformedPolicyDocument"))
    case(S,f"put-{low}-policy-missing-entity",api(f"Put{kind}Policy"),f"the {low} must exist",err(C(f"Put{kind}Policy",**{nm:"nobody"},PolicyName="p",PolicyDocument=DOC),"NoSuchEntity"))
    case(S,f"put-{low}-policy-replaces",api(f"Put{kind}Policy"),"a name given again replaces the document",ok(mk()),ok(C(f"Put{kind}Policy",**{nm:ent},PolicyName="p",PolicyDocument=DOC)),
         ok(C(f"Put{kind}Policy",**{nm:ent},PolicyName="p",PolicyDocument=DOC2)),ok(C(f"List{kind}Policies",**{nm:ent}),{"PolicyNames":["p"]}))
    case(S,f"get-{low}-policy-missing",api(f"Get{kind}Policy"),"no such inline policy",ok(mk()),err(C(f"Get{kind}Policy",**{nm:ent},PolicyName="p"),"NoSuchEntity"))
    case(S,f"delete-{low}-policy",api(f"Delete{kind}Policy"),"the inline policy is gone",ok(mk()),ok(C(f"Put{kind}Policy",**{nm:ent},PolicyName="p",PolicyDocument=DOC)),
         ok(C(f"Delete{kind}Policy",**{nm:ent},PolicyName="p")),err(C(f"Get{kind}Policy",**{nm:ent},PolicyName="p"),"NoSuchEntity"))
    case(S,f"delete-{low}-policy-missing",api(f"Delete{kind}Policy"),"no such inline policy",ok(mk()),err(C(f"Delete{kind}Policy",**{nm:ent},PolicyName="p"),"NoSuchEntity"))
case(S,"attach-twice","D123","attaching an attached policy again changes nothing",ok(user()),ok(policy()),ok(C("AttachUserPolicy",UserName="alice",PolicyArn=parn("read"))),ok(C("AttachUserPolicy",UserName="alice",PolicyArn=parn("read"))),
     ok(C("ListAttachedUserPolicies",UserName="alice"),{"AttachedPolicies":[{"PolicyName":"read"}]}))
case(S,"inline-user-size",QUOTAS,"a user's inline policies total at most 2,048 characters",ok(user()),err(C("PutUserPolicy",UserName="alice",PolicyName="p",PolicyDocument=big(80)),"LimitExceeded"))
case(S,"inline-group-size",QUOTAS,"a group's inline policies may total 5,120 characters",ok(group()),ok(C("PutGroupPolicy",GroupName="devs",PolicyName="p",PolicyDocument=big(60))))
case(S,"inline-role-size",QUOTAS,"a role's inline policies may total 10,240 characters",ok(role()),ok(C("PutRolePolicy",RoleName="app",PolicyName="p",PolicyDocument=big(200))))
case(S,"inline-role-size-exceeded",QUOTAS,"a role's inline policies total at most 10,240 characters",ok(role()),ok(C("PutRolePolicy",RoleName="app",PolicyName="p",PolicyDocument=big(200))),
     err(C("PutRolePolicy",RoleName="app",PolicyName="q",PolicyDocument=big(200)),"LimitExceeded"))
case(S,"user-boundary",api("PutUserPermissionsBoundary"),"a boundary that does not exist",ok(user()),err(C("PutUserPermissionsBoundary",UserName="alice",PermissionsBoundary=parn("nope")),"NoSuchEntity"))
case(S,"user-boundary-set",api("PutUserPermissionsBoundary"),"a boundary is in use",ok(user()),ok(policy()),ok(C("PutUserPermissionsBoundary",UserName="alice",PermissionsBoundary=parn("read"))),
     ok(C("GetPolicy",PolicyArn=parn("read")),{"Policy":{"PermissionsBoundaryUsageCount":1}}))
case(S,"role-boundary-deleted",api("DeleteRolePermissionsBoundary"),"the boundary is no longer in use",ok(role()),ok(policy()),ok(C("PutRolePermissionsBoundary",RoleName="app",PermissionsBoundary=parn("read"))),
     ok(C("DeleteRolePermissionsBoundary",RoleName="app")),ok(C("DeletePolicy",PolicyArn=parn("read"))))
case(S,"policy-tags",api("TagPolicy"),"tags on a managed policy",ok(policy()),ok(C("TagPolicy",PolicyArn=parn("read"),Tags=[{"Key":"owner","Value":"sec"}])),ok(C("ListPolicyTags",PolicyArn=parn("read")),{"Tags":[{"Key":"owner","Value":"sec"}]}))
case(S,"policy-tags-missing",api("TagPolicy"),"no such policy",err(C("TagPolicy",PolicyArn=parn("nope"),Tags=[{"Key":"a","Value":"b"}]),"NoSuchEntity"))

# ---------------- credentials
S="credentials"
K=lambda u="alice": C("CreateAccessKey",UserName=u)
case(S,"create-access-key",api("CreateAccessKey"),"a new key is active",ok(user()),ok(K(),{"AccessKey":{"UserName":"alice","Status":"Active"}}))
case(S,"two-access-keys",QUOTAS,"a user can have two keys",ok(user()),ok(K()),ok(K()),ok(C("ListAccessKeys",UserName="alice"),{"AccessKeyMetadata":[{},{}]}))
case(S,"third-access-key",QUOTAS,"at most two keys per user",ok(user()),ok(K()),ok(K()),err(K(),"LimitExceeded"))
case(S,"third-key-inactive-count",QUOTAS,"inactive keys count towards the two",ok(user()),ok(K(),save={"a":"AccessKey.AccessKeyId"}),ok(K(),save={"b":"AccessKey.AccessKeyId"}),
     ok(C("UpdateAccessKey",UserName="alice",AccessKeyId="${a}",Status="Inactive")),ok(C("UpdateAccessKey",UserName="alice",AccessKeyId="${b}",Status="Inactive")),err(K(),"LimitExceeded"))
case(S,"third-key-after-delete",api("DeleteAccessKey"),"deleting a key makes room",ok(user()),ok(K(),save={"a":"AccessKey.AccessKeyId"}),ok(K()),ok(C("DeleteAccessKey",UserName="alice",AccessKeyId="${a}")),ok(K()))
case(S,"access-key-missing-user",api("CreateAccessKey"),"no such user",err(K("nobody"),"NoSuchEntity"))
case(S,"deactivate-key",api("UpdateAccessKey"),"the key is listed inactive",ok(user()),ok(K(),save={"a":"AccessKey.AccessKeyId"}),ok(C("UpdateAccessKey",UserName="alice",AccessKeyId="${a}",Status="Inactive")),
     ok(C("ListAccessKeys",UserName="alice"),{"AccessKeyMetadata":[{"AccessKeyId":"${a}","Status":"Inactive"}]}))
case(S,"key-bad-status",api("UpdateAccessKey"),"Status is Active or Inactive",ok(user()),ok(K(),save={"a":"AccessKey.AccessKeyId"}),err(C("UpdateAccessKey",UserName="alice",AccessKeyId="${a}",Status="Disabled"),"ValidationError"))
case(S,"update-unknown-key",api("UpdateAccessKey"),"no such key",ok(user()),err(C("UpdateAccessKey",UserName="alice",AccessKeyId="AKIAIOSFODNN7EXAMPLE",Status="Inactive"),"NoSuchEntity"))
case(S,"delete-key",api("DeleteAccessKey"),"the key is gone",ok(user()),ok(K(),save={"a":"AccessKey.AccessKeyId"}),ok(C("DeleteAccessKey",UserName="alice",AccessKeyId="${a}")),ok(C("ListAccessKeys",UserName="alice"),{"AccessKeyMetadata":[]}))
case(S,"delete-unknown-key",api("DeleteAccessKey"),"no such key",ok(user()),err(C("DeleteAccessKey",UserName="alice",AccessKeyId="AKIAIOSFODNN7EXAMPLE"),"NoSuchEntity"))
case(S,"key-of-another-user",api("DeleteAccessKey"),"a key is deleted through its own user",ok(user()),ok(user("bob")),ok(K(),save={"a":"AccessKey.AccessKeyId"}),err(C("DeleteAccessKey",UserName="bob",AccessKeyId="${a}"),"NoSuchEntity"))
LP=lambda p="Correct-Horse-9",u="alice": C("CreateLoginProfile",UserName=u,Password=p)
case(S,"create-login-profile",api("CreateLoginProfile"),"a console password",ok(user()),ok(LP(),{"LoginProfile":{"UserName":"alice"}}),ok(C("GetLoginProfile",UserName="alice"),{"LoginProfile":{"UserName":"alice"}}))
case(S,"login-profile-twice",api("CreateLoginProfile"),"a user has one password",ok(user()),ok(LP()),err(LP(),"EntityAlreadyExists"))
case(S,"login-profile-missing-user",api("CreateLoginProfile"),"no such user",err(LP(u="nobody"),"NoSuchEntity"))
case(S,"login-profile-default-policy",PWD,"without a custom policy AWS's default applies: 8 characters, three of four character types",ok(user()),err(LP("abc"),"PasswordPolicyViolation"))
pp=lambda **k: C("UpdateAccountPasswordPolicy",**k)
case(S,"login-profile-too-short",api("CreateLoginProfile"),"shorter than the policy's minimum",ok(pp(MinimumPasswordLength=14)),ok(user()),err(LP("Short-Pass-1"),"PasswordPolicyViolation"))
case(S,"login-profile-long-enough",api("CreateLoginProfile"),"as long as the policy's minimum",ok(pp(MinimumPasswordLength=14)),ok(user()),ok(LP("Long-Enough-Pass-1")))
case(S,"login-profile-needs-symbol",PWD,"the policy requires a symbol",ok(pp(RequireSymbols=True)),ok(user()),err(LP("NoSymbols123"),"PasswordPolicyViolation"))
case(S,"login-profile-needs-number",PWD,"the policy requires a number",ok(pp(RequireNumbers=True)),ok(user()),err(LP("No-Numbers-Here"),"PasswordPolicyViolation"))
case(S,"login-profile-needs-uppercase",PWD,"the policy requires an uppercase letter",ok(pp(RequireUppercaseCharacters=True)),ok(user()),err(LP("no-upper-case-1"),"PasswordPolicyViolation"))
case(S,"login-profile-needs-lowercase",PWD,"the policy requires a lowercase letter",ok(pp(RequireLowercaseCharacters=True)),ok(user()),err(LP("NO-LOWER-CASE-1"),"PasswordPolicyViolation"))
case(S,"login-profile-password-129",api("CreateLoginProfile"),"a password is at most 128 characters",ok(user()),err(LP("Aa1-"*33),"ValidationError"))
case(S,"get-login-profile-none",api("GetLoginProfile"),"a user without a password",ok(user()),err(C("GetLoginProfile",UserName="alice"),"NoSuchEntity"))
case(S,"update-login-profile-none",api("UpdateLoginProfile"),"a user without a password",ok(user()),err(C("UpdateLoginProfile",UserName="alice",Password="Correct-Horse-9"),"NoSuchEntity"))
case(S,"update-login-profile-violation",api("UpdateLoginProfile"),"the new password must satisfy the policy",ok(user()),ok(LP()),ok(pp(MinimumPasswordLength=20)),err(C("UpdateLoginProfile",UserName="alice",Password="Correct-Horse-9"),"PasswordPolicyViolation"))
case(S,"update-login-profile",api("UpdateLoginProfile"),"a new password",ok(user()),ok(LP()),ok(C("UpdateLoginProfile",UserName="alice",Password="Battery-Staple-7")))
case(S,"delete-login-profile",api("DeleteLoginProfile"),"the password is gone",ok(user()),ok(LP()),ok(C("DeleteLoginProfile",UserName="alice")),err(C("GetLoginProfile",UserName="alice"),"NoSuchEntity"))
case(S,"delete-login-profile-none",api("DeleteLoginProfile"),"a user without a password",ok(user()),err(C("DeleteLoginProfile",UserName="alice"),"NoSuchEntity"))
V=lambda n="phone": C("CreateVirtualMFADevice",VirtualMFADeviceName=n)
EN=lambda u="alice",n="phone": C("EnableMFADevice",UserName=u,SerialNumber=mfa(n),AuthenticationCode1="123456",AuthenticationCode2="654321")
case(S,"create-virtual-mfa",api("CreateVirtualMFADevice"),"the serial number is the device's ARN",ok(V(),{"VirtualMFADevice":{"SerialNumber":mfa("phone")}}))
case(S,"create-virtual-mfa-twice",api("CreateVirtualMFADevice"),"same name twice",ok(V()),err(V(),"EntityAlreadyExists"))
case(S,"enable-mfa","D124","the device is listed for the user (codes are not checked against a seed)",ok(user()),ok(V()),ok(EN()),ok(C("ListMFADevices",UserName="alice"),{"MFADevices":[{"SerialNumber":mfa("phone")}]}))
case(S,"enable-mfa-missing-device",api("EnableMFADevice"),"no such device",ok(user()),err(EN(),"NoSuchEntity"))
case(S,"enable-mfa-missing-user",api("EnableMFADevice"),"no such user",ok(V()),err(EN("nobody"),"NoSuchEntity"))
case(S,"enable-mfa-in-use",api("EnableMFADevice"),"a device already enabled for another user",ok(user()),ok(user("bob")),ok(V()),ok(EN()),err(EN("bob"),"EntityAlreadyExists"))
case(S,"enable-mfa-bad-code",api("EnableMFADevice"),"an authentication code is six digits",ok(user()),ok(V()),err(C("EnableMFADevice",UserName="alice",SerialNumber=mfa("phone"),AuthenticationCode1="12ab56",AuthenticationCode2="654321"),"ValidationError"))
case(S,"deactivate-mfa",api("DeactivateMFADevice"),"the device is no longer listed",ok(user()),ok(V()),ok(EN()),ok(C("DeactivateMFADevice",UserName="alice",SerialNumber=mfa("phone"))),ok(C("ListMFADevices",UserName="alice"),{"MFADevices":[]}))
case(S,"deactivate-mfa-not-enabled",api("DeactivateMFADevice"),"a device not enabled for the user",ok(user()),ok(V()),err(C("DeactivateMFADevice",UserName="alice",SerialNumber=mfa("phone")),"NoSuchEntity"))
case(S,"delete-mfa-enabled",api("DeleteVirtualMFADevice"),"deactivate the device first",ok(user()),ok(V()),ok(EN()),err(C("DeleteVirtualMFADevice",SerialNumber=mfa("phone")),"DeleteConflict"))
case(S,"delete-mfa",api("DeleteVirtualMFADevice"),"a deactivated device can be deleted",ok(user()),ok(V()),ok(EN()),ok(C("DeactivateMFADevice",UserName="alice",SerialNumber=mfa("phone"))),ok(C("DeleteVirtualMFADevice",SerialNumber=mfa("phone"))))
case(S,"delete-mfa-missing",api("DeleteVirtualMFADevice"),"no such device",err(C("DeleteVirtualMFADevice",SerialNumber=mfa("phone")),"NoSuchEntity"))

# ---------------- tags
S="tags"
T=lambda **kv: [{"Key":k,"Value":v} for k,v in kv.items()]
case(S,"tag-user",api("TagUser"),"tags are listed",ok(user()),ok(C("TagUser",UserName="alice",Tags=T(team="a",env="prod"))),ok(C("ListUserTags",UserName="alice"),{"Tags":[{"Key":"team","Value":"a"},{"Key":"env","Value":"prod"}]}))
case(S,"tag-user-overwrite",api("TagUser"),"a key given again takes the new value",ok(user()),ok(C("TagUser",UserName="alice",Tags=T(team="a"))),ok(C("TagUser",UserName="alice",Tags=T(team="b"))),ok(C("ListUserTags",UserName="alice"),{"Tags":[{"Key":"team","Value":"b"}]}))
case(S,"fifty-tags",QUOTAS,"50 tags per user",ok(user(Tags=[{"Key":f"k{i}","Value":"v"} for i in range(49)])),ok(C("TagUser",UserName="alice",Tags=T(last="v"))))
case(S,"fifty-first-tag",QUOTAS,"at most 50 tags per user",ok(user(Tags=[{"Key":f"k{i}","Value":"v"} for i in range(49)])),err(C("TagUser",UserName="alice",Tags=T(a="v",b="v")),"LimitExceeded"))
case(S,"fifty-first-role-tag",QUOTAS,"at most 50 tags per role",ok(role(Tags=[{"Key":f"k{i}","Value":"v"} for i in range(50)])),err(C("TagRole",RoleName="app",Tags=T(a="v")),"LimitExceeded"))
case(S,"tag-aws-prefix",TAGS,"the aws: prefix is reserved",ok(user()),err(C("TagUser",UserName="alice",Tags=[{"Key":"aws:team","Value":"x"}]),"InvalidInput"))
case(S,"tag-key-128",TAGS,"a tag key may be 128 characters",ok(user()),ok(C("TagUser",UserName="alice",Tags=[{"Key":"k"*128,"Value":"v"}])))
case(S,"tag-key-129",TAGS,"a tag key is at most 128 characters",ok(user()),err(C("TagUser",UserName="alice",Tags=[{"Key":"k"*129,"Value":"v"}]),"ValidationError"))
case(S,"tag-value-256",TAGS,"a tag value may be 256 characters",ok(user()),ok(C("TagUser",UserName="alice",Tags=[{"Key":"k","Value":"v"*256}])))
case(S,"tag-value-257",TAGS,"a tag value is at most 256 characters",ok(user()),err(C("TagUser",UserName="alice",Tags=[{"Key":"k","Value":"v"*257}]),"ValidationError"))
case(S,"tag-value-empty",TAGS,"a tag value may be empty",ok(user()),ok(C("TagUser",UserName="alice",Tags=[{"Key":"k","Value":""}])))
case(S,"tag-key-bad-char",TAGS,"tag keys allow letters, digits, spaces and _.:/=+-@",ok(user()),err(C("TagUser",UserName="alice",Tags=[{"Key":"team#1","Value":"v"}]),"ValidationError"))
case(S,"untag-user",api("UntagUser"),"the key is gone",ok(user()),ok(C("TagUser",UserName="alice",Tags=T(team="a",env="b"))),ok(C("UntagUser",UserName="alice",TagKeys=["team"])),ok(C("ListUserTags",UserName="alice"),{"Tags":[{"Key":"env","Value":"b"}]}))
case(S,"untag-absent-key",api("UntagUser"),"removing a key the user lacks changes nothing",ok(user()),ok(C("UntagUser",UserName="alice",TagKeys=["nope"])))
case(S,"tag-missing-user",api("TagUser"),"no such user",err(C("TagUser",UserName="nobody",Tags=T(a="b")),"NoSuchEntity"))
case(S,"untag-role",api("UntagRole"),"the key is gone",ok(role()),ok(C("TagRole",RoleName="app",Tags=T(env="prod"))),ok(C("UntagRole",RoleName="app",TagKeys=["env"])),ok(C("ListRoleTags",RoleName="app"),{"Tags":[]}))
case(S,"tag-missing-role",api("TagRole"),"no such role",err(C("TagRole",RoleName="nobody",Tags=T(a="b")),"NoSuchEntity"))
case(S,"untag-policy",api("UntagPolicy"),"the key is gone",ok(policy()),ok(C("TagPolicy",PolicyArn=parn("read"),Tags=T(a="b"))),ok(C("UntagPolicy",PolicyArn=parn("read"),TagKeys=["a"])),ok(C("ListPolicyTags",PolicyArn=parn("read")),{"Tags":[]}))

# ---------------- account
S="account"
case(S,"password-policy",api("UpdateAccountPasswordPolicy"),"the policy reads back",ok(pp(MinimumPasswordLength=14,RequireSymbols=True,PasswordReusePrevention=24)),
     ok(C("GetAccountPasswordPolicy"),{"PasswordPolicy":{"MinimumPasswordLength":14,"RequireSymbols":True,"RequireNumbers":False}}))
case(S,"password-policy-none",api("GetAccountPasswordPolicy"),"an account without a policy",err(C("GetAccountPasswordPolicy"),"NoSuchEntity"))
case(S,"password-policy-length-5",api("UpdateAccountPasswordPolicy"),"MinimumPasswordLength is at least 6",err(pp(MinimumPasswordLength=5),"ValidationError"))
case(S,"password-policy-length-6",api("UpdateAccountPasswordPolicy"),"MinimumPasswordLength may be 6",ok(pp(MinimumPasswordLength=6)))
case(S,"password-policy-length-128",api("UpdateAccountPasswordPolicy"),"MinimumPasswordLength may be 128",ok(pp(MinimumPasswordLength=128)))
case(S,"password-policy-length-129",api("UpdateAccountPasswordPolicy"),"MinimumPasswordLength is at most 128",err(pp(MinimumPasswordLength=129),"ValidationError"))
case(S,"password-policy-reuse-24",api("UpdateAccountPasswordPolicy"),"PasswordReusePrevention may be 24",ok(pp(PasswordReusePrevention=24)))
case(S,"password-policy-reuse-25",api("UpdateAccountPasswordPolicy"),"PasswordReusePrevention is at most 24",err(pp(PasswordReusePrevention=25),"ValidationError"))
case(S,"password-policy-reuse-0",api("UpdateAccountPasswordPolicy"),"PasswordReusePrevention is at least 1",err(pp(PasswordReusePrevention=0),"ValidationError"))
case(S,"password-policy-age-1095",api("UpdateAccountPasswordPolicy"),"MaxPasswordAge may be 1095 days",ok(pp(MaxPasswordAge=1095)),ok(C("GetAccountPasswordPolicy"),{"PasswordPolicy":{"ExpirePasswords":True}}))
case(S,"password-policy-age-1096",api("UpdateAccountPasswordPolicy"),"MaxPasswordAge is at most 1095 days",err(pp(MaxPasswordAge=1096),"ValidationError"))
case(S,"delete-password-policy",api("DeleteAccountPasswordPolicy"),"the policy is gone",ok(pp(MinimumPasswordLength=10)),ok(C("DeleteAccountPasswordPolicy")),err(C("GetAccountPasswordPolicy"),"NoSuchEntity"))
case(S,"delete-password-policy-none",api("DeleteAccountPasswordPolicy"),"an account without a policy",err(C("DeleteAccountPasswordPolicy"),"NoSuchEntity"))
case(S,"unknown-action",COMMON,"an action IAM does not have",err(C("CreateUnicorn",Name="x"),"InvalidAction"))

# ---------------- lists
S="lists"
case(S,"list-users",api("ListUsers"),"every user of the account",ok(user()),ok(C("ListUsers"),{"Users":[{"UserName":"alice"}]}))
case(S,"list-users-empty",api("ListUsers"),"an empty account",ok(C("ListUsers"),{"Users":[]}))
case(S,"list-users-path-prefix",api("ListUsers"),"PathPrefix selects by path",ok(user(Path="/eng/")),ok(user("bob",Path="/ops/")),ok(C("ListUsers",PathPrefix="/ops/"),{"Users":[{"UserName":"bob"}]}))
case(S,"list-users-after-delete",api("ListUsers"),"a deleted user is not listed",ok(user()),ok(user("bob")),ok(C("DeleteUser",UserName="alice")),ok(C("ListUsers"),{"Users":[{"UserName":"bob"}]}))
case(S,"list-groups",api("ListGroups"),"every group of the account",ok(group()),ok(C("ListGroups"),{"Groups":[{"GroupName":"devs"}]}))
case(S,"list-roles",api("ListRoles"),"every role of the account",ok(role()),ok(C("ListRoles"),{"Roles":[{"RoleName":"app"}]}))
case(S,"list-roles-path-prefix",api("ListRoles"),"PathPrefix selects by path",ok(role()),ok(role("svc",Path="/svc/")),ok(C("ListRoles",PathPrefix="/svc/"),{"Roles":[{"RoleName":"svc"}]}))
case(S,"list-local-policies",api("ListPolicies"),"Scope Local lists the customer managed policies",ok(policy()),ok(C("ListPolicies",Scope="Local"),{"Policies":[{"PolicyName":"read","DefaultVersionId":"v1"}]}))
case(S,"list-local-attached-policies",api("ListPolicies"),"OnlyAttached leaves out unattached policies",ok(policy()),ok(policy("write")),ok(user()),ok(C("AttachUserPolicy",UserName="alice",PolicyArn=parn("write"))),
     ok(C("ListPolicies",Scope="Local",OnlyAttached=True),{"Policies":[{"PolicyName":"write"}]}))
case(S,"list-policies-bad-scope",api("ListPolicies"),"Scope is All, AWS or Local",err(C("ListPolicies",Scope="Mine"),"ValidationError"))
case(S,"list-instance-profiles",api("ListInstanceProfiles"),"every instance profile with its role",ok(role()),ok(C("CreateInstanceProfile",InstanceProfileName="web")),ok(C("AddRoleToInstanceProfile",InstanceProfileName="web",RoleName="app")),
     ok(C("ListInstanceProfiles"),{"InstanceProfiles":[{"InstanceProfileName":"web","Roles":[{"RoleName":"app"}]}]}))
case(S,"list-virtual-mfa-devices",api("ListVirtualMFADevices"),"a device and the user it is enabled for",ok(user()),ok(C("CreateVirtualMFADevice",VirtualMFADeviceName="phone")),
     ok(C("EnableMFADevice",UserName="alice",SerialNumber=mfa("phone"),AuthenticationCode1="123456",AuthenticationCode2="654321")),
     ok(C("ListVirtualMFADevices"),{"VirtualMFADevices":[{"SerialNumber":mfa("phone"),"User":{"UserName":"alice"}}]}))

out = os.path.dirname(os.path.abspath(__file__))
total = 0
for name, cases in suites.items():
    ids = [c["id"] for c in cases]; assert len(ids) == len(set(ids)), name
    total += len(cases)
    with open(f"{out}/{name}.json","w") as f:
        json.dump({"format":"iamspec-api/1","suite":name,"cases":cases}, f, indent=1)
        f.write("\n")
print(total, {k: len(v) for k, v in suites.items()})
