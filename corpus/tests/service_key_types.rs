//! The catalogue types service condition keys for request validation (D60, D61): a stated value
//! of the wrong type is an error with its JSON path, a value of the right type is not.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use iamspec_corpus::Catalogue;
use iamspec_model::context_keys::{Cardinality, KeyType, ServiceKeyTypes};
use iamspec_model::json::{Json, JsonPath};
use iamspec_model::Request;

fn types() -> &'static Catalogue {
    Catalogue::embedded()
}

#[test]
fn service_keys_have_the_catalogue_types() {
    let c = types();
    assert_eq!(
        c.key_type("s3:max-keys"),
        Some((KeyType::Numeric, Cardinality::Single))
    );
    // Keys compare without regard to case, as condition keys do.
    assert_eq!(
        c.key_type("S3:MAX-KEYS"),
        Some((KeyType::Numeric, Cardinality::Single))
    );
    assert_eq!(
        c.key_type("ec2:Vpc"),
        Some((KeyType::Arn, Cardinality::Single))
    );
    assert_eq!(
        c.key_type("s3:object-lock-retain-until-date"),
        Some((KeyType::Date, Cardinality::Single))
    );
    assert_eq!(
        c.key_type("ec2-instance-connect:privateIpAddress"),
        Some((KeyType::IpAddress, Cardinality::Single))
    );
    assert_eq!(
        c.key_type("s3:ObjectCreationOperation"),
        Some((KeyType::Bool, Cardinality::Single))
    );
    assert_eq!(
        c.key_type("s3:RequestObjectTagKeys"),
        Some((KeyType::String, Cardinality::Multi))
    );
    // A template's instance has the template's type.
    assert_eq!(
        c.key_type("s3:ExistingObjectTag/team"),
        Some((KeyType::String, Cardinality::Single))
    );
    // Unknown keys and services, and text that is no key, are not typed.
    assert_eq!(c.key_type("s3:no-such-key"), None);
    assert_eq!(c.key_type("nosuchservice:key"), None);
    assert_eq!(c.key_type("max-keys"), None);
}

fn read(context: &str) -> Result<Request, String> {
    let text = format!(
        r#"{{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:ListBucket","resource":"arn:aws:s3:::bucket-a","context":{context}}}"#
    );
    let json = Json::parse(&text).unwrap();
    Request::from_json_with(&json, &JsonPath::root().key("request"), types())
        .map_err(|e| e.to_string())
}

#[test]
fn wrong_typed_service_keys_are_errors_with_their_path() {
    for (context, path) in [
        (r#"{"s3:max-keys":"ten"}"#, "request.context.s3:max-keys: "),
        (
            r#"{"s3:object-lock-retain-until-date":"yesterday"}"#,
            "request.context.s3:object-lock-retain-until-date: ",
        ),
        (
            r#"{"s3:ObjectCreationOperation":"maybe"}"#,
            "request.context.s3:ObjectCreationOperation: ",
        ),
        (r#"{"ec2:Vpc":"vpc-1"}"#, "request.context.ec2:Vpc: "),
        (
            r#"{"ec2-instance-connect:privateIpAddress":"10.0.0.0/8"}"#,
            "request.context.ec2-instance-connect:privateIpAddress: ",
        ),
        (
            r#"{"s3:max-keys":["1","2"]}"#,
            "request.context.s3:max-keys: ",
        ),
    ] {
        let err = read(context).unwrap_err();
        assert!(err.starts_with(path), "{context}: {err}");
    }
}

#[test]
fn right_typed_service_keys_pass() {
    for context in [
        r#"{"s3:max-keys":"10"}"#,
        r#"{"s3:max-keys":10}"#,
        r#"{"s3:object-lock-retain-until-date":"2026-12-05T00:00:00Z"}"#,
        r#"{"s3:ObjectCreationOperation":"TRUE"}"#,
        r#"{"ec2:Vpc":"arn:aws:ec2:us-east-1:111122223333:vpc/vpc-1"}"#,
        r#"{"ec2-instance-connect:privateIpAddress":"10.0.0.1"}"#,
        r#"{"s3:RequestObjectTagKeys":["a","b"]}"#,
        r#"{"s3:prefix":"home/"}"#,
        r#"{"s3:no-such-key":["anything","at all"]}"#,
    ] {
        read(context).unwrap_or_else(|e| panic!("{context}: {e}"));
    }
}
