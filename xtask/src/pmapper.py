"""PMapper offline on a reach-gen account: the GAAD file is loaded into moto's in-process IAM
(moto mocks botocore, so PMapper's own `create_graph` reads the account through its ordinary API
calls: access keys, login profiles, MFA devices; every other service it asks is moto's empty
one), get-account-authorization-details answers with the file itself; then PMapper's privesc
preset decides each principal. Usage: python run.py GAAD ACCOUNT TRUTH. Prints one JSON line."""
import json
import os
import sys
import time

gaad_path, account, truth_path = sys.argv[1], sys.argv[2], sys.argv[3]
os.environ["MOTO_ACCOUNT_ID"] = account
for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
    os.environ[k] = "testing"
os.environ["AWS_DEFAULT_REGION"] = "us-east-1"

import boto3  # noqa: E402
import botocore.session  # noqa: E402
from moto import mock_aws  # noqa: E402
from principalmapper.graphing import gathering  # noqa: E402
from principalmapper.graphing.edge_identification import checker_map  # noqa: E402
from principalmapper.querying.presets.privesc import can_privesc  # noqa: E402

with open(gaad_path) as f:
    gaad = json.load(f)
with open(truth_path) as f:
    truth = set(json.load(f)["escalates"])


def default_doc(policy):
    for v in policy.get("PolicyVersionList", []):
        if v.get("IsDefaultVersion"):
            return v["Document"]
    return None


with mock_aws(config={"iam": {"load_aws_managed_policies": True}}):
    iam = boto3.client("iam")
    t = time.time()
    for p in gaad["Policies"]:
        if p["Arn"].startswith("arn:aws:iam::aws:"):
            continue  # moto knows the AWS managed policies
        iam.create_policy(PolicyName=p["PolicyName"], Path=p.get("Path", "/"),
                          PolicyDocument=json.dumps(default_doc(p)))
    for g in gaad.get("GroupDetailList", []):
        iam.create_group(GroupName=g["GroupName"], Path=g.get("Path", "/"))
        for ip in g.get("GroupPolicyList", []):
            iam.put_group_policy(GroupName=g["GroupName"], PolicyName=ip["PolicyName"],
                                 PolicyDocument=json.dumps(ip["PolicyDocument"]))
        for a in g.get("AttachedManagedPolicies", []):
            iam.attach_group_policy(GroupName=g["GroupName"], PolicyArn=a["PolicyArn"])
    for u in gaad["UserDetailList"]:
        iam.create_user(UserName=u["UserName"], Path=u.get("Path", "/"))
        for ip in u.get("UserPolicyList", []):
            iam.put_user_policy(UserName=u["UserName"], PolicyName=ip["PolicyName"],
                                PolicyDocument=json.dumps(ip["PolicyDocument"]))
        for a in u.get("AttachedManagedPolicies", []):
            iam.attach_user_policy(UserName=u["UserName"], PolicyArn=a["PolicyArn"])
        for g in u.get("GroupList", []):
            iam.add_user_to_group(UserName=u["UserName"], GroupName=g)
    for r in gaad["RoleDetailList"]:
        iam.create_role(RoleName=r["RoleName"], Path=r.get("Path", "/"),
                        AssumeRolePolicyDocument=json.dumps(r["AssumeRolePolicyDocument"]))
        for ip in r.get("RolePolicyList", []):
            iam.put_role_policy(RoleName=r["RoleName"], PolicyName=ip["PolicyName"],
                                PolicyDocument=json.dumps(ip["PolicyDocument"]))
        for a in r.get("AttachedManagedPolicies", []):
            iam.attach_role_policy(RoleName=r["RoleName"], PolicyArn=a["PolicyArn"])
    loaded = time.time() - t
    t = time.time()
    session = botocore.session.get_session()
    create_client = session.create_client

    class Gaad:
        """get-account-authorization-details answers with the GAAD file itself (moto's own
        answer lacks fields PMapper reads); every other IAM call is moto's, on the loaded copy."""

        def __init__(self, client):
            self.client = client

        def __getattr__(self, name):
            return getattr(self.client, name)

        def get_paginator(self, operation):
            if operation == "get_account_authorization_details":
                class Pages:
                    def paginate(self, **_):
                        return [gaad]
                return Pages()
            return self.client.get_paginator(operation)

    def client(service, *args, **kwargs):
        made = create_client(service, *args, **kwargs)
        return Gaad(made) if service == "iam" else made

    session.create_client = client
    graph = gathering.create_graph(session, list(checker_map.keys()), region_allow_list=["us-east-1"])
    built = time.time() - t
    t = time.time()
    # PMapper calls a principal that can grant itself anything (iam:PutUserPolicy on itself...)
    # an admin; the truth calls it escalating unless it already holds AdministratorAccess.
    holders = {e["Arn"] for e in gaad["UserDetailList"] + gaad["RoleDetailList"]
               if any(a["PolicyArn"].endswith(":policy/AdministratorAccess")
                      for a in e.get("AttachedManagedPolicies", []))}
    flagged = set()
    for node in graph.nodes:
        if node.is_admin:
            if node.arn not in holders:
                flagged.add(node.arn)
            continue
        ok, _ = can_privesc(graph, node)
        if ok:
            flagged.add(node.arn)
    query = time.time() - t

print(json.dumps({
    "principals": len(graph.nodes), "edges": len(graph.edges),
    "moto_load_s": round(loaded, 2), "graph_s": round(built, 2), "privesc_s": round(query, 2),
    "truth": len(truth), "found": len(flagged & truth), "missed": len(truth - flagged),
    "false_positives": len(flagged - truth),
    "admins": sum(1 for n in graph.nodes if n.is_admin),
    "missed_principals": sorted(truth - flagged), "false_positive_principals": sorted(flagged - truth),
}))
