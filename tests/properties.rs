//! Property tests (the bounded fuzz targets of the hardening issue) for the parsers that take
//! outside input: client options, multipart field encoding and query encoding, and error bodies.
//! Each never panics on arbitrary input and keeps its promises on well-formed input.

use openai::config::{Options, OPTION_NAMES};
use openai::request::flatten;
use openai::response::{ApiError, Response};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

fn no_env(_: &str) -> Option<String> {
    None
}

/// Arbitrary JSON values, nested a few levels.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (-1e6f64..1e6).prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map("[a-z_]{1,8}", inner, 0..4).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// The leaves `flatten` must produce: every scalar that is not null, in order.
fn leaves(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Null => {}
        Value::Array(items) => items.iter().for_each(|v| leaves(v, out)),
        Value::Object(map) => map.values().for_each(|v| leaves(v, out)),
        Value::String(s) => out.push(s.clone()),
        other => out.push(other.to_string()),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn options_parsing_never_panics_on_any_text(text in ".{0,64}") {
        let _ = Options::new(Some(&text), no_env);
    }

    #[test]
    fn options_are_accepted_or_refused_by_name(key in prop::sample::select(OPTION_NAMES.to_vec()), value in json_value()) {
        let json = json!({"api_key": "k", key: value}).to_string();
        if let Err(e) = Options::new(Some(&json), no_env) {
            prop_assert!(e.0.contains(key) || e.0.contains("API key") || e.0.contains("base_url"), "{}: {}", json, e.0);
        }
    }

    #[test]
    fn an_unknown_option_is_always_named(key in "[a-z]{1,12}", value in json_value()) {
        prop_assume!(!OPTION_NAMES.contains(&key.as_str()));
        let json = json!({"api_key": "k", key.clone(): value}).to_string();
        let e = Options::new(Some(&json), no_env).unwrap_err();
        prop_assert!(e.0.starts_with(&format!("unknown option \"{key}\"")), "{}", e.0);
    }

    #[test]
    fn field_encoding_keeps_every_non_null_leaf_under_its_key(object in proptest::collection::btree_map("[a-z_]{1,8}", json_value(), 0..5)) {
        let map: Map<String, Value> = object.into_iter().collect();
        let pairs = flatten(&map);
        let mut expected = Vec::new();
        for (key, value) in &map {
            let mut mine = Vec::new();
            leaves(value, &mut mine);
            for leaf in mine {
                expected.push((key.clone(), leaf));
            }
        }
        prop_assert_eq!(pairs.len(), expected.len());
        for ((name, value), (key, leaf)) in pairs.iter().zip(&expected) {
            prop_assert!(name == key || name.starts_with(&format!("{key}[")), "{} under {}", name, key);
            prop_assert_eq!(value, leaf);
        }
    }

    #[test]
    fn error_body_parsing_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = ApiError::parse(&bytes);
        let _ = Response::from_http(500, Default::default(), bytes);
    }

    #[test]
    fn error_bodies_give_back_their_fields(message in ".{0,40}", kind in "[a-z_]{0,20}", code in prop_oneof![Just(json!(null)), "[a-z_]{1,10}".prop_map(Value::String), any::<u16>().prop_map(|n| json!(n))], status in 400u16..600) {
        let body = json!({"error": {"message": message, "type": kind, "param": null, "code": code}}).to_string();
        let r = Response::from_http(status, Default::default(), body.into_bytes());
        let e = r.api_error.clone().unwrap();
        prop_assert_eq!(e.message.as_deref(), Some(message.as_str()));
        prop_assert_eq!(e.kind.as_deref(), Some(kind.as_str()));
        prop_assert_eq!(e.param, None);
        let expected_code = match &code { Value::Null => None, Value::String(s) => Some(s.clone()), other => Some(other.to_string()) };
        prop_assert_eq!(e.code, expected_code);
        prop_assert_eq!(r.message.unwrap(), format!("Error code: {status} - {message}"));
    }
}
