use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;

fn key(s: &str) -> FieldKey {
    FieldKey::new(s).unwrap()
}

fn catalog() -> FieldCatalog {
    let mut c = FieldCatalog::default();
    for (k, object, t) in [
        ("summary", FieldObject::Ticket, FieldType::Text),
        ("seats", FieldObject::Customer, FieldType::Number),
        (
            "price",
            FieldObject::Ticket,
            FieldType::Decimal { places: 2 },
        ),
        ("due", FieldObject::Ticket, FieldType::Date),
        ("vip", FieldObject::Contact, FieldType::Checkbox),
        (
            "plan",
            FieldObject::Ticket,
            FieldType::dropdown(["basic", "pro", "enterprise"]),
        ),
        (
            "regions",
            FieldObject::Ticket,
            FieldType::multi_select(["eu", "us", "apac"]),
        ),
        (
            "order",
            FieldObject::Ticket,
            FieldType::pattern("ORD-[0-9]{6}").unwrap(),
        ),
    ] {
        c.define(FieldDefinition::new(key(k), k, object, t))
            .unwrap();
    }
    c
}

#[test]
fn keys_are_one_lowercase_word() {
    assert_eq!(key(" Plan_2 ").as_str(), "plan_2");
    for bad in [
        "",
        "two words",
        "9lives",
        "-x",
        "caf\u{e9}",
        &"a".repeat(101),
    ] {
        assert_eq!(
            FieldKey::new(bad),
            Err(FieldError::InvalidKey(bad.to_owned()))
        );
    }
}

#[test]
fn every_type_takes_its_own_values() {
    let c = catalog();
    let d = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
    let ok = [
        (
            "summary",
            FieldObject::Ticket,
            FieldValue::text("  disk full "),
        ),
        ("seats", FieldObject::Customer, FieldValue::Number(-3)),
        (
            "price",
            FieldObject::Ticket,
            FieldValue::Decimal("12.5".parse().unwrap()),
        ),
        ("due", FieldObject::Ticket, FieldValue::Date(d)),
        ("vip", FieldObject::Contact, FieldValue::Checkbox(true)),
        ("plan", FieldObject::Ticket, FieldValue::choice("pro")),
        (
            "regions",
            FieldObject::Ticket,
            FieldValue::choices(["eu", "us"]),
        ),
        ("order", FieldObject::Ticket, FieldValue::text("ORD-123456")),
    ];
    for (k, object, v) in ok {
        let kept = c.check(object, &key(k), v.clone()).unwrap();
        // Text is kept trimmed; everything else as given.
        if k == "summary" {
            assert_eq!(kept, FieldValue::text("disk full"));
        } else {
            assert_eq!(kept, v, "{k}");
        }
        assert_eq!(c.check(object, &key(k), kept.clone()), Ok(kept));
    }
}

#[test]
fn every_error_names_the_field_and_value() {
    let c = catalog();
    let check = |k: &str, o: FieldObject, v: FieldValue| c.check(o, &key(k), v).unwrap_err();
    assert_eq!(
        check("nope", FieldObject::Ticket, FieldValue::Number(1)),
        FieldError::UnknownField(key("nope"))
    );
    assert_eq!(
        check("seats", FieldObject::Ticket, FieldValue::Number(1)),
        FieldError::WrongObject {
            key: key("seats"),
            belongs: FieldObject::Customer,
            asked: FieldObject::Ticket
        }
    );
    let e = check("seats", FieldObject::Customer, FieldValue::text("12"));
    assert_eq!(e.to_string(), "field seats takes a number, not text \"12\"");
    assert_eq!(
        check("plan", FieldObject::Ticket, FieldValue::choice("gold")).to_string(),
        "field plan: \"gold\" is not one of its options"
    );
    assert!(matches!(
        check("regions", FieldObject::Ticket, FieldValue::choices(["eu", "mars"])),
        FieldError::NotAnOption { value, .. } if value == "mars"
    ));
    assert!(matches!(
        check(
            "regions",
            FieldObject::Ticket,
            FieldValue::choices(Vec::<String>::new())
        ),
        FieldError::BadText { .. }
    ));
    assert_eq!(
        check("order", FieldObject::Ticket, FieldValue::text("ORD-12")).to_string(),
        "field order: \"ORD-12\" does not match the pattern \"ORD-[0-9]{6}\""
    );
    assert_eq!(
        check(
            "price",
            FieldObject::Ticket,
            FieldValue::Decimal("1.005".parse().unwrap())
        )
        .to_string(),
        "field price: 1.005 has more than 2 decimal places"
    );
    assert!(matches!(
        check("summary", FieldObject::Ticket, FieldValue::text("   ")),
        FieldError::BadText { .. }
    ));
    assert!(matches!(
        check(
            "summary",
            FieldObject::Ticket,
            FieldValue::text(&"x".repeat(MAX_TEXT + 1))
        ),
        FieldError::BadText { .. }
    ));
}

#[test]
fn definitions_are_checked() {
    let mut c = catalog();
    let before = c.clone();
    let def = |k: &str, label: &str, t: FieldType| {
        FieldDefinition::new(key(k), label, FieldObject::Ticket, t)
    };
    assert_eq!(
        c.define(def("plan", "Plan", FieldType::Text)),
        Err(FieldError::AlreadyDefined(key("plan")))
    );
    assert!(matches!(
        c.define(def("x", " ", FieldType::Text)),
        Err(FieldError::InvalidLabel { .. })
    ));
    for options in [vec![], vec!["a", "a"], vec!["a", " "]] {
        assert!(matches!(
            c.define(def("x", "X", FieldType::dropdown(options))),
            Err(FieldError::InvalidOptions { .. })
        ));
    }
    assert_eq!(
        c.define(def("x", "X", FieldType::Decimal { places: 19 })),
        Err(FieldError::InvalidPlaces {
            key: key("x"),
            places: 19
        })
    );
    assert_eq!(c, before, "a refused definition changes nothing");
}

#[test]
fn retired_options_stay_readable_but_take_no_new_values() {
    let mut c = catalog();
    let plan = key("plan");
    let OptionChange { options, retired } = c
        .checked_options(&plan, vec!["pro".into(), "enterprise".into()])
        .unwrap()
        .unwrap();
    assert_eq!(retired, ["basic".to_owned()].into());
    c.set_options(&plan, &options, &retired);
    assert!(matches!(
        c.check(FieldObject::Ticket, &plan, FieldValue::choice("basic")),
        Err(FieldError::NotAnOption { .. })
    ));
    // Bringing it back un-retires it.
    let OptionChange { options, retired } = c
        .checked_options(&plan, vec!["basic".into(), "pro".into()])
        .unwrap()
        .unwrap();
    assert_eq!(retired, ["enterprise".to_owned()].into());
    c.set_options(&plan, &options, &retired);
    assert!(
        c.check(FieldObject::Ticket, &plan, FieldValue::choice("basic"))
            .is_ok()
    );
    assert_eq!(
        c.checked_options(&key("seats"), vec!["a".into()]),
        Err(FieldError::NoOptions(key("seats")))
    );
    assert_eq!(c.checked_options(&plan, options.clone()), Ok(None));
    c.retire(&plan);
    assert_eq!(
        c.check(FieldObject::Ticket, &plan, FieldValue::choice("pro")),
        Err(FieldError::Retired(plan))
    );
}

#[test]
fn conditions_test_terms() {
    let mut v = FieldValues::new();
    v.insert(key("regions"), FieldValue::choices(["eu", "us"]));
    v.insert(key("seats"), FieldValue::Number(40));
    assert!(FieldCondition::any_of(key("regions"), [FieldTerm::option("us")]).matches(&v));
    assert!(!FieldCondition::any_of(key("regions"), [FieldTerm::option("apac")]).matches(&v));
    let seats = |min: Option<i64>, max: Option<i64>| {
        FieldCondition::between(
            key("seats"),
            min.map(FieldTerm::Number),
            max.map(FieldTerm::Number),
        )
    };
    assert!(seats(Some(10), Some(40)).matches(&v));
    assert!(!seats(Some(41), None).matches(&v));
    assert!(!seats(None, Some(39)).matches(&v));
    // A bound of another kind never holds.
    assert!(
        !FieldCondition::between(key("seats"), Some(FieldTerm::Text("1".into())), None).matches(&v)
    );
    assert!(FieldCondition::set(key("seats")).matches(&v));
    assert!(!FieldCondition::set(key("plan")).matches(&v));
    assert_eq!(
        FieldCondition::any_of(key("regions"), [FieldTerm::option("eu")]).describe(),
        "regions in eu"
    );
}

/// Cases: 256, or `FANATICAL_PROPTEST_CASES`.
fn cases() -> u32 {
    std::env::var("FANATICAL_PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(256)
}

fn any_value() -> impl Strategy<Value = (&'static str, FieldObject, FieldValue)> {
    let text = "[ a-zA-Z0-9-]{0,12}";
    prop_oneof![
        text.prop_map(|s| ("summary", FieldObject::Ticket, FieldValue::Text(s))),
        any::<i64>().prop_map(|n| ("seats", FieldObject::Customer, FieldValue::Number(n))),
        (any::<i64>(), 0u8..=18).prop_map(|(u, s)| (
            "price",
            FieldObject::Ticket,
            FieldValue::Decimal(Decimal::new(u, s).unwrap())
        )),
        (0i32..3_000_000).prop_map(|d| (
            "due",
            FieldObject::Ticket,
            FieldValue::Date(NaiveDate::from_num_days_from_ce_opt(d).unwrap())
        )),
        any::<bool>().prop_map(|b| ("vip", FieldObject::Contact, FieldValue::Checkbox(b))),
        "[a-z]{0,12}".prop_map(|s| ("plan", FieldObject::Ticket, FieldValue::Choice(s))),
        prop::collection::btree_set(
            prop_oneof![Just("eu"), Just("us"), Just("apac"), Just("x")],
            0..4
        )
        .prop_map(|s| ("regions", FieldObject::Ticket, FieldValue::choices(s))),
        "(ORD-[0-9]{6})|[A-Z0-9-]{0,10}".prop_map(|s| (
            "order",
            FieldObject::Ticket,
            FieldValue::Text(s)
        )),
        // Any value on any field: wrong types and objects too.
        (
            prop_oneof![Just("summary"), Just("seats"), Just("plan"), Just("nope")],
            any::<i64>()
        )
            .prop_map(|(k, n)| (k, FieldObject::Ticket, FieldValue::Number(n))),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    /// A value validation accepts survives serde and is accepted again as
    /// it is; a value it refuses is refused naming the field (that a
    /// refused command changes nothing is shown through the desk, in
    /// `tests/it/fields.rs`).
    #[test]
    fn accepted_values_round_trip_and_are_re_accepted((k, object, value) in any_value()) {
        let c = catalog();
        let k = key(k);
        let mut held = FieldValues::new();
        match c.check(object, &k, value) {
            Ok(kept) => {
                let json = serde_json::to_string(&kept).unwrap();
                let back: FieldValue = serde_json::from_str(&json).unwrap();
                prop_assert_eq!(&back, &kept);
                prop_assert_eq!(c.check(object, &k, back), Ok(kept.clone()));
                held.insert(k, kept);
                let json = serde_json::to_string(&held).unwrap();
                prop_assert_eq!(serde_json::from_str::<FieldValues>(&json).unwrap(), held);
            }
            // A refusal names the field.
            Err(e) => prop_assert!(e.to_string().contains(k.as_str()), "{}", e),
        }
    }
}

#[test]
fn a_pattern_cannot_escape_its_anchors() {
    assert!(matches!(
        Pattern::new("x)|(.*"),
        Err(FieldError::InvalidPattern { .. })
    ));
    let p = Pattern::new("[A-Z]{3}-[0-9]+").unwrap();
    assert!(p.is_match("ABC-12"));
    assert!(!p.is_match("xABC-12"));
}
