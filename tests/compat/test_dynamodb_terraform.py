"""Terraform's aws provider against Stratus's DynamoDB: a table with
point-in-time recovery, TTL and tags, a table restored from it to the
latest restorable time, Contributor Insights and a resource policy apply,
plan clean (every read, DescribeContinuousBackups included, agrees with
the configuration) and destroy. Skipped where terraform or the
provider mirror (/opt/tf-plugins) is missing."""

import os
import shutil
import subprocess

import pytest

MIRROR = os.environ.get("STRATUS_TF_MIRROR", "/opt/tf-plugins")
PROVIDER = os.path.join(MIRROR, "registry.terraform.io", "hashicorp", "aws")

pytestmark = pytest.mark.skipif(
    not shutil.which("terraform") or not os.path.isdir(PROVIDER), reason="terraform or its aws provider mirror missing"
)

CONFIG = """
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "VERSION" }
  }
}
provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  endpoints {
    dynamodb = "ENDPOINT"
    sts      = "ENDPOINT"
    iam      = "ENDPOINT"
  }
}
resource "aws_dynamodb_table" "t" {
  name         = "tf-table"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  range_key    = "sk"
  attribute {
    name = "pk"
    type = "S"
  }
  attribute {
    name = "sk"
    type = "N"
  }
  point_in_time_recovery { enabled = true }
  ttl {
    attribute_name = "exp"
    enabled        = true
  }
  tags = { env = "test" }
}
resource "aws_dynamodb_table" "plain" {
  name           = "tf-plain"
  billing_mode   = "PROVISIONED"
  read_capacity  = 2
  write_capacity = 2
  hash_key       = "id"
  attribute {
    name = "id"
    type = "S"
  }
}
resource "aws_dynamodb_table" "restored" {
  name                   = "tf-restored"
  billing_mode           = "PAY_PER_REQUEST"
  hash_key               = "pk"
  range_key              = "sk"
  restore_source_name    = aws_dynamodb_table.t.name
  restore_to_latest_time = true
  attribute {
    name = "pk"
    type = "S"
  }
  attribute {
    name = "sk"
    type = "N"
  }
}
resource "aws_dynamodb_contributor_insights" "ci" {
  table_name = aws_dynamodb_table.plain.name
}
resource "aws_dynamodb_resource_policy" "rp" {
  resource_arn = aws_dynamodb_table.plain.arn
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::000000000000:root" }, Action = "dynamodb:GetItem", Resource = aws_dynamodb_table.plain.arn }]
  })
}
"""


def test_terraform_applies_plans_clean_and_destroys(fresh_stratus, tmp_path):
    server = fresh_stratus()
    version = sorted(os.listdir(PROVIDER))[-1]
    (tmp_path / "main.tf").write_text(CONFIG.replace("ENDPOINT", server.endpoint).replace("VERSION", version))
    (tmp_path / "cli.tfrc").write_text(
        'provider_installation {\n  filesystem_mirror {\n    path = "%s"\n    include = ["registry.terraform.io/hashicorp/aws"]\n  }\n}\n'
        % MIRROR
    )
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(tmp_path / "cli.tfrc"), "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"}

    def tf(*args):
        return subprocess.run(["terraform", *args, "-input=false", "-no-color"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)

    init = tf("init")
    assert init.returncode == 0, init.stdout + init.stderr
    apply = tf("apply", "-auto-approve")
    assert apply.returncode == 0, apply.stdout + apply.stderr
    plan = tf("plan", "-detailed-exitcode")
    assert plan.returncode == 0, plan.stdout + plan.stderr
    destroy = tf("destroy", "-auto-approve")
    assert destroy.returncode == 0, destroy.stdout + destroy.stderr
