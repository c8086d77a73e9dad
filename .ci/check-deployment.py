"""Checks of what `sam deploy` would create that no emulator enforces, on the translated template.

1. IAM: do the roles allow exactly what the functions do?

The tests record every AWS call each function's own code makes (local/emulator's AwsCallRecorder:
the IAM action AWS authorizes, a transaction per item, and the resource it names) into
target/iam-calls/. This script expands template.yaml with the SAM translator (what `sam deploy` sends
to CloudFormation), reads each function's role, and fails when
  - a recorded call is not allowed by the function's role (AWS would answer AccessDenied: a 500), or
  - a role grants an (action, resource) its function was never seen using (least privilege), or
  - a function was never seen making a call at all (the recording or the tests went missing).
Actions Lambda itself performs for a function (logs, polling its SQS event source, X-Ray) come from
the AWS managed policies SAM attaches, and are exempt.

2. Quotas: API Gateway throttles each tenant on its own (API key source AUTHORIZER, an API key required
on every method, a usage plan with a throttle on the API's stage); every SQS event source has a
MaximumConcurrency (a stream's consumers are bounded by its shards); no function reserves concurrency unless a parameter opts in.

Usage: python check-deployment.py [--template template.yaml] [--calls target/iam-calls] [--markdown]
(--markdown prints the README's permission table.) Runs with the Python of the SAM CLI's virtualenv.
"""
import argparse
import fnmatch
import glob
import json
import os
import re
import sys

from samcli.yamlhelper import yaml_parse
from samtranslator.translator.transform import transform

REGION = "us-east-1"
ACCOUNT = "000000000000"
EXEMPT_MANAGED = {
    "AWSLambdaBasicExecutionRole",
    "AWSLambdaSQSQueueExecutionRole",
    "AWSLambdaDynamoDBExecutionRole",
    "AWSXRayDaemonWriteAccess",
    "AWSXrayWriteOnlyAccess",
}


class NoManagedPolicyNames:
    """The translator asks for AWS managed policy names only when a template names one without its ARN."""

    def load(self):
        return {}


def translate(path):
    with open(path) as f:
        template = yaml_parse(f.read())
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            # `sam deploy` uploads CodeUri first; the translator wants the S3 location it then has.
            resource["Properties"]["CodeUri"] = "s3://bucket/" + resource["Properties"]["CodeUri"]
    os.environ.setdefault("AWS_DEFAULT_REGION", REGION)
    return transform(template, {}, NoManagedPolicyNames())


class Resolver:
    """Intrinsic functions of the translated template, evaluated as the local stack names things:
    a resource's physical name is its logical id, in account ACCOUNT and region REGION."""

    def __init__(self, template):
        self.resources = template["Resources"]
        self.parameters = {name: p.get("Default") for name, p in template.get("Parameters", {}).items()}

    def value(self, node):
        if isinstance(node, (str, int, float)):
            return str(node)
        if isinstance(node, list):
            return [self.value(item) for item in node]
        if "Ref" in node:
            return self.ref(node["Ref"])
        if "Fn::GetAtt" in node:
            target, attribute = node["Fn::GetAtt"] if isinstance(node["Fn::GetAtt"], list) else node["Fn::GetAtt"].split(".", 1)
            return self.get_att(target, attribute)
        if "Fn::Sub" in node:
            text, variables = (node["Fn::Sub"], {}) if isinstance(node["Fn::Sub"], str) else node["Fn::Sub"]
            return self.sub(text, {name: self.value(v) for name, v in variables.items()})
        if "Fn::Join" in node:
            separator, parts = node["Fn::Join"]
            return separator.join(self.value(part) for part in parts)
        raise ValueError("cannot evaluate %s" % json.dumps(node))

    def sub(self, text, variables):
        def replace(match):
            name = match.group(1)
            if name in variables:
                return variables[name]
            if "." in name and not name.startswith("AWS::"):
                return self.get_att(*name.split(".", 1))
            return self.ref(name)
        return re.sub(r"\$\{([^}!]+)\}", replace, text)

    def ref(self, name):
        pseudo = {"AWS::Partition": "aws", "AWS::Region": REGION, "AWS::AccountId": ACCOUNT,
                  "AWS::URLSuffix": "amazonaws.com", "AWS::StackName": "local"}
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return str(self.parameters[name])
        kind = self.resources[name]["Type"]
        if kind == "AWS::SQS::Queue":
            return "https://sqs.%s.amazonaws.com/%s/%s" % (REGION, ACCOUNT, name)
        if kind == "AWS::SecretsManager::Secret":
            return "arn:aws:secretsmanager:%s:%s:secret:%s" % (REGION, ACCOUNT, name)
        return name

    def get_att(self, name, attribute):
        kind = self.resources[name]["Type"]
        if kind == "AWS::DynamoDB::Table" and attribute == "Arn":
            return "arn:aws:dynamodb:%s:%s:table/%s" % (REGION, ACCOUNT, name)
        if kind == "AWS::SQS::Queue" and attribute == "Arn":
            return "arn:aws:sqs:%s:%s:%s" % (REGION, ACCOUNT, name)
        if kind == "AWS::SQS::Queue" and attribute == "QueueName":
            return name
        raise ValueError("cannot evaluate Fn::GetAtt %s.%s" % (name, attribute))


def as_list(value):
    return value if isinstance(value, list) else [value]


def grants(template, role_id, resolver):
    """(action pattern, resource pattern) pairs the role's own policies allow, and its managed policies."""
    role = template["Resources"][role_id]["Properties"]
    pairs = []
    for policy in role.get("Policies", []):
        for statement in as_list(policy["PolicyDocument"]["Statement"]):
            if statement.get("Effect") != "Allow" or "NotAction" in statement or "NotResource" in statement:
                raise SystemExit("%s: only Allow statements with Action and Resource are understood" % role_id)
            for action in as_list(statement["Action"]):
                for resource in as_list(statement["Resource"]):
                    pairs.append((action, resolver.value(resource)))
    managed = [resolver.value(arn) for arn in role.get("ManagedPolicyArns", [])]
    return pairs, managed


def matches(pattern, value):
    return fnmatch.fnmatchcase(value.lower(), pattern.lower())


def load_calls(folder):
    """The recorded calls by function package, less those on resources a test made for itself (named test-only-...)."""
    calls = {}
    for path in glob.glob(os.path.join(folder, "*.jsonl")):
        with open(path) as f:
            for line in f:
                record = json.loads(line)
                if ":test-only-" not in record["resource"]:
                    calls.setdefault(record["package"], set()).add((record["action"], record["resource"]))
    return calls


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--template", default="template.yaml")
    parser.add_argument("--calls", default="target/iam-calls")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()

    template = translate(args.template)
    resolver = Resolver(template)
    calls = load_calls(args.calls)
    problems = []
    table = []
    functions = {rid: r for rid, r in template["Resources"].items() if r["Type"] == "AWS::Lambda::Function"}
    for function_id, function in sorted(functions.items()):
        package = function["Properties"]["Handler"].split("::")[0].rsplit(".", 1)[0]
        role_id = function["Properties"]["Role"]["Fn::GetAtt"][0]
        allowed, managed = grants(template, role_id, resolver)
        for arn in managed:
            if arn.rsplit("/", 1)[-1] not in EXEMPT_MANAGED:
                problems.append("%s: managed policy %s is not one of Lambda's own (review it, then exempt it here)"
                                % (function_id, arn))
        made = calls.get(package, set())
        if not made and allowed:
            problems.append("%s: no AWS call of its handler (package %s) was recorded by the tests"
                            % (function_id, package))
        for action, resource in sorted(made):
            if not any(matches(a, action) and matches(r, resource) for a, r in allowed):
                problems.append("%s: DENIED on AWS: %s on %s is not allowed by %s" % (function_id, action, resource, role_id))
        for action, resource in allowed:
            if not any(matches(action, a) and matches(resource, r) for a, r in made):
                problems.append("%s: UNUSED grant: %s on %s (no test saw the function use it)"
                                % (function_id, action, resource))
        by_resource = {}
        for action, resource in allowed:
            by_resource.setdefault(resource, set()).add(action.split(":", 1)[1])
        table.append((function_id, by_resource))

    problems.extend(quota_problems(template))

    if args.markdown:
        print("| function | actions | resources |")
        print("|---|---|---|")
        for function_id, by_resource in table:
            for resource, actions in sorted(by_resource.items()):
                print("| %s | %s | `%s` |" % (function_id, ", ".join(sorted(actions)), short(resource)))
    print("Deployment check: %d function(s), %d recorded call pattern(s), %d problem(s)"
          % (len(functions), sum(len(c) for c in calls.values()), len(problems)), file=sys.stderr)
    for problem in problems:
        print("  " + problem, file=sys.stderr)
    return 1 if problems else 0


def quota_problems(template):
    resources = template["Resources"]
    problems = []
    apis = {rid: r for rid, r in resources.items() if r["Type"] == "AWS::ApiGateway::RestApi"}
    for api_id, api in apis.items():
        properties = api["Properties"]
        if properties.get("ApiKeySourceType") != "AUTHORIZER":
            problems.append("%s: ApiKeySourceType is not AUTHORIZER: tenants are not throttled apart" % api_id)
        for path, methods in properties["Body"]["paths"].items():
            for method, operation in methods.items():
                if not any("api_key" in requirement for requirement in operation.get("security", [])):
                    problems.append("%s: %s %s requires no API key: its requests escape the usage plan"
                                    % (api_id, method.upper(), path))
        stages = [sid for sid, r in resources.items() if r["Type"] == "AWS::ApiGateway::Stage"
                  and r["Properties"]["RestApiId"] == {"Ref": api_id}]
        plans = [r for r in resources.values() if r["Type"] == "AWS::ApiGateway::UsagePlan"
                 and any(stage.get("ApiId") == {"Ref": api_id} and stage.get("Stage") in [{"Ref": s} for s in stages]
                         for stage in r["Properties"].get("ApiStages", []))]
        if not any({"RateLimit", "BurstLimit"} <= set(plan["Properties"].get("Throttle", {})) for plan in plans):
            problems.append("%s: no usage plan with a rate and burst limit covers its stage" % api_id)
    for mapping_id, mapping in resources.items():
        source = mapping["Properties"].get("EventSourceArn", {}) if mapping["Type"] == "AWS::Lambda::EventSourceMapping" else {}
        queue = isinstance(source, dict) and "Fn::GetAtt" in source and resources.get(source["Fn::GetAtt"][0], {}).get("Type") == "AWS::SQS::Queue"
        if queue:
            if "MaximumConcurrency" not in mapping["Properties"].get("ScalingConfig", {}):
                problems.append("%s: no ScalingConfig.MaximumConcurrency: one queue could take all of the "
                                "account's concurrency" % mapping_id)
    for function_id, function in resources.items():
        reserved = function["Properties"].get("ReservedConcurrentExecutions") if function["Type"] == "AWS::Lambda::Function" else None
        if reserved is not None and not (isinstance(reserved, dict) and "Fn::If" in reserved):
            problems.append("%s: reserves concurrency unconditionally; a first deployment fails in accounts with a "
                            "low concurrency quota" % function_id)
    return problems


def short(arn):
    """A resource as a reader of the README recognises it: table/AgentsTable, queue EventsQueue, ..."""
    arn = arn.replace("arn:aws:dynamodb:%s:%s:" % (REGION, ACCOUNT), "")
    arn = arn.replace("arn:aws:sqs:%s:%s:" % (REGION, ACCOUNT), "queue/")
    return arn.replace("arn:aws:secretsmanager:%s:%s:" % (REGION, ACCOUNT), "")


if __name__ == "__main__":
    sys.exit(main())
