//! The AWS-managed policies Stratus knows (`arn:aws:iam::aws:policy/...`):
//! the common ones serverless stacks attach. They exist in every account,
//! cannot be changed, and are attachable like customer policies.
//!
//! Documents of the narrow policies are AWS's; the broad read-only and
//! full-access ones (`ReadOnlyAccess`, `AmazonDynamoDBFullAccess`, ...)
//! are shortened to their service wildcards, which grant the same in an
//! emulator that does not enforce policies. Policy ids are derived from the
//! name (stable across runs), not AWS's.

use crate::policies::{ManagedPolicy, PolicyVersion};

/// 2015-02-06T18:39:46Z, when AWS published its first managed policies.
const PUBLISHED: f64 = 1_423_247_986.0;

/// One AWS-managed policy: (name, path, description, document).
type Entry = (&'static str, &'static str, &'static str, &'static str);

const POLICIES: &[Entry] = &[
    (
        "AdministratorAccess",
        "/",
        "Provides full access to AWS services and resources.",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    ),
    (
        "PowerUserAccess",
        "/",
        "Provides full access to AWS services and resources, but does not allow management of Users and groups.",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"},{"Effect":"Allow","Action":["iam:CreateServiceLinkedRole","iam:DeleteServiceLinkedRole","iam:ListRoles","organizations:DescribeOrganization","account:ListRegions"],"Resource":"*"}]}"#,
    ),
    (
        "ReadOnlyAccess",
        "/",
        "Provides read-only access to AWS services and resources.",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["*:Describe*","*:Get*","*:List*","*:BatchGet*","*:Query","*:Scan"],"Resource":"*"}]}"#,
    ),
    (
        "IAMFullAccess",
        "/",
        "Provides full access to IAM via the AWS Management Console.",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*","organizations:DescribeAccount","organizations:DescribeOrganization","organizations:DescribeOrganizationalUnit","organizations:DescribePolicy","organizations:ListChildren","organizations:ListParents","organizations:ListPoliciesForTarget","organizations:ListRoots","organizations:ListPolicies","organizations:ListTargetsForPolicy"],"Resource":"*"}]}"#,
    ),
    (
        "AWSLambdaBasicExecutionRole",
        "/service-role/",
        "Provides write permissions to CloudWatch Logs.",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}"#,
    ),
    (
        "AWSLambdaVPCAccessExecutionRole",
        "/service-role/",
        "Provides minimum permissions for a Lambda function to execute while accessing a resource within a VPC - create, describe, delete network interfaces and write permissions to CloudWatch Logs.",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents","ec2:CreateNetworkInterface","ec2:DescribeNetworkInterfaces","ec2:DescribeSubnets","ec2:DeleteNetworkInterface","ec2:AssignPrivateIpAddresses","ec2:UnassignPrivateIpAddresses"],"Resource":"*"}]}"#,
    ),
    (
        "AWSLambdaDynamoDBExecutionRole",
        "/service-role/",
        "Provides list and read access to DynamoDB streams and write permissions to CloudWatch logs.",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["dynamodb:DescribeStream","dynamodb:GetRecords","dynamodb:GetShardIterator","dynamodb:ListStreams","logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}"#,
    ),
    (
        "AWSLambdaSQSQueueExecutionRole",
        "/service-role/",
        "Provides receive message, delete message, and read attribute access to SQS queues, and write permissions to CloudWatch logs.",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sqs:ReceiveMessage","sqs:DeleteMessage","sqs:GetQueueAttributes","logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}"#,
    ),
    (
        "AWSLambdaKinesisExecutionRole",
        "/service-role/",
        "Provides list and read access to Kinesis streams and write permissions to CloudWatch logs.",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kinesis:DescribeStream","kinesis:DescribeStreamSummary","kinesis:GetRecords","kinesis:GetShardIterator","kinesis:ListShards","kinesis:ListStreams","kinesis:SubscribeToShard","logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}"#,
    ),
    (
        "AWSLambdaRole",
        "/service-role/",
        "Default policy for AWS Lambda service role.",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["lambda:InvokeFunction"],"Resource":["*"]}]}"#,
    ),
    (
        "AWSLambda_FullAccess",
        "/",
        "Grants full access to AWS Lambda service, AWS Lambda console features, and other related AWS services.",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["lambda:*","logs:*","cloudwatch:*","iam:GetRole","iam:GetPolicy","iam:GetPolicyVersion","iam:GetRolePolicy","iam:ListAttachedRolePolicies","iam:ListRolePolicies","iam:ListRoles","iam:PassRole","states:DescribeStateMachine","states:ListStateMachines"],"Resource":"*"}]}"#,
    ),
    (
        "AmazonS3FullAccess",
        "/",
        "Provides full access to all buckets via the AWS Management Console.",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","s3-object-lambda:*"],"Resource":"*"}]}"#,
    ),
    (
        "AmazonS3ReadOnlyAccess",
        "/",
        "Provides read only access to all buckets via the AWS Management Console.",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*","s3:Describe*","s3-object-lambda:Get*","s3-object-lambda:List*"],"Resource":"*"}]}"#,
    ),
    (
        "AmazonDynamoDBFullAccess",
        "/",
        "Provides full access to Amazon DynamoDB via the AWS Management Console.",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["dynamodb:*","dax:*","application-autoscaling:*","cloudwatch:*","iam:GetRole","iam:ListRoles","kinesis:*","kms:DescribeKey","kms:ListAliases","lambda:*","sns:*"],"Resource":"*"}]}"#,
    ),
    (
        "AmazonDynamoDBReadOnlyAccess",
        "/",
        "Provides read only access to Amazon DynamoDB via the AWS Management Console.",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["dynamodb:BatchGetItem","dynamodb:Describe*","dynamodb:List*","dynamodb:GetItem","dynamodb:Query","dynamodb:Scan","dynamodb:PartiQLSelect","dax:Describe*","dax:List*","dax:GetItem","dax:BatchGetItem","dax:Query","dax:Scan"],"Resource":"*"}]}"#,
    ),
    (
        "AmazonSQSFullAccess",
        "/",
        "Provides full access to Amazon SQS via the AWS Management Console.",
        r#"{"Version":"2012-10-17","Statement":[{"Action":["sqs:*"],"Effect":"Allow","Resource":"*"}]}"#,
    ),
    (
        "AmazonSNSFullAccess",
        "/",
        "Provides full access to Amazon SNS via the AWS Management Console.",
        r#"{"Version":"2012-10-17","Statement":[{"Action":["sns:*"],"Effect":"Allow","Resource":"*"}]}"#,
    ),
    (
        "AWSStepFunctionsFullAccess",
        "/",
        "An access policy for providing a user/role/etc access to the AWS StepFunctions API.",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"states:*","Resource":"*"}]}"#,
    ),
    (
        "CloudWatchLogsFullAccess",
        "/",
        "Provides full access to CloudWatch Logs",
        r#"{"Version":"2012-10-17","Statement":[{"Action":["logs:*"],"Effect":"Allow","Resource":"*"}]}"#,
    ),
    (
        "CloudWatchLogsReadOnlyAccess",
        "/",
        "Provides read only access to CloudWatch Logs",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:Describe*","logs:Get*","logs:List*","logs:StartQuery","logs:StopQuery","logs:TestMetricFilter","logs:FilterLogEvents","logs:StartLiveTail","logs:StopLiveTail"],"Resource":"*"}]}"#,
    ),
    (
        "AmazonAPIGatewayAdministrator",
        "/",
        "Provides full access to create/edit/delete APIs in Amazon API Gateway via the AWS Management Console.",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["apigateway:*"],"Resource":"arn:aws:apigateway:*::/*"}]}"#,
    ),
    (
        "AmazonAPIGatewayInvokeFullAccess",
        "/",
        "Provides full access to invoke APIs in Amazon API Gateway.",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["execute-api:Invoke","execute-api:ManageConnections"],"Resource":"arn:aws:execute-api:*:*:*"}]}"#,
    ),
    (
        "AmazonAPIGatewayPushToCloudWatchLogs",
        "/service-role/",
        "Allows API Gateway to push logs to user's account.",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream","logs:DescribeLogGroups","logs:DescribeLogStreams","logs:PutLogEvents","logs:GetLogEvents","logs:FilterLogEvents"],"Resource":"*"}]}"#,
    ),
    (
        "AmazonKinesisFirehoseFullAccess",
        "/",
        "Provides full access to all Amazon Kinesis Firehose Delivery Streams via the AWS Management Console.",
        r#"{"Version":"2012-10-17","Statement":[{"Action":["firehose:*"],"Effect":"Allow","Resource":"*"}]}"#,
    ),
    (
        "AmazonCognitoPowerUser",
        "/",
        "Provides administrative access to existing Amazon Cognito resources.",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["cognito-identity:*","cognito-idp:*","cognito-sync:*","iam:ListRoles","iam:ListOpenIdConnectProviders","iam:GetRole","iam:ListSAMLProviders","iam:GetSAMLProvider","kinesis:ListStreams","lambda:GetPolicy","lambda:ListFunctions","sns:GetSMSSandboxAccountStatus","sns:ListPlatformApplications","ses:ListIdentities","ses:GetIdentityVerificationAttributes","mobiletargeting:GetApps","acm:ListCertificates"],"Resource":"*"}]}"#,
    ),
    (
        "SecretsManagerReadWrite",
        "/",
        "Provides read/write access to AWS Secrets Manager via the AWS Management Console.",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["secretsmanager:*","cloudformation:CreateChangeSet","cloudformation:DescribeChangeSet","cloudformation:DescribeStackResource","cloudformation:DescribeStacks","cloudformation:ExecuteChangeSet","kms:DescribeKey","kms:ListAliases","kms:ListKeys","lambda:ListFunctions","rds-db:connect","tag:GetResources"],"Resource":"*"}]}"#,
    ),
    (
        "AmazonRDSDataFullAccess",
        "/",
        "Allows full access to use the RDS data APIs, secret store APIs for RDS database credentials, and DB console query management APIs to execute SQL statements on Aurora Serverless clusters in the AWS account.",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["rds-data:*","secretsmanager:GetSecretValue","secretsmanager:DescribeSecret","secretsmanager:ListSecrets","dbqms:*","tag:GetResources"],"Resource":"*"}]}"#,
    ),
    (
        "AmazonECSTaskExecutionRolePolicy",
        "/service-role/",
        "Provides access to other AWS service resources that are required to run Amazon ECS tasks",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr:GetAuthorizationToken","ecr:BatchCheckLayerAvailability","ecr:GetDownloadUrlForLayer","ecr:BatchGetImage","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}"#,
    ),
    (
        "AWSXRayDaemonWriteAccess",
        "/",
        "Allow the AWS X-Ray Daemon to relay raw trace segments data to the service's API and retrieve sampling data (rules, targets, etc.) to be used by the X-Ray SDK.",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["xray:PutTraceSegments","xray:PutTelemetryRecords","xray:GetSamplingRules","xray:GetSamplingTargets","xray:GetSamplingStatisticSummaries"],"Resource":["*"]}]}"#,
    ),
];

fn record((name, path, description, document): &Entry) -> ManagedPolicy {
    ManagedPolicy {
        name: name.to_string(),
        id: stable_id(name),
        arn: format!("arn:aws:iam::aws:policy{path}{name}"),
        path: path.to_string(),
        description: Some(description.to_string()),
        create_date: PUBLISHED,
        update_date: PUBLISHED,
        default_version: "v1".into(),
        next_version: 2,
        versions: vec![PolicyVersion { id: "v1".into(), document: document.to_string(), create_date: PUBLISHED }],
        tags: Vec::new(),
    }
}

/// A policy id (`ANPA` + 16) derived from the name, the same on every run.
fn stable_id(name: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    // FNV-1a over the name, then SplitMix64 steps to spread it over 80 bits.
    let fnv = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    let mix = |z: u64| {
        let z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        let z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let first = mix(fnv);
    let mut out = String::from("ANPA");
    for mut x in [first, mix(first)] {
        for _ in 0..8 {
            out.push(ALPHABET[(x % 32) as usize] as char);
            x /= 32;
        }
    }
    out
}

/// Every AWS-managed policy, ordered by name.
pub fn all() -> Vec<ManagedPolicy> {
    let mut out: Vec<ManagedPolicy> = POLICIES.iter().map(record).collect();
    out.sort_by_key(|p| p.name.to_lowercase());
    out
}

/// The AWS-managed policy with this ARN (matched without regard to case).
pub fn find(arn: &str) -> Option<ManagedPolicy> {
    POLICIES
        .iter()
        .find(|(name, path, _, _)| format!("arn:aws:iam::aws:policy{path}{name}").eq_ignore_ascii_case(arn))
        .map(record)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents;

    #[test]
    fn documents_are_valid_and_ids_stable() {
        for p in all() {
            for v in &p.versions {
                documents::validate_identity(&v.document).expect(&p.name);
            }
            assert_eq!(p.id, stable_id(&p.name));
            assert_eq!(p.id.len(), 20);
        }
        assert!(find("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole").is_some());
        assert!(find("arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole").is_none());
    }
}
