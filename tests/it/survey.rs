//! Surveys as data: draft validation, skip logic, response checking, the
//! dealership survey from story 003, and NPS/CSAT scoring.

use std::collections::BTreeMap;

use fanatical::survey::*;
use proptest::prelude::*;

fn dealership() -> Survey {
    serde_json::from_str(include_str!("../../examples/data/dealership_survey.json")).unwrap()
}

#[test]
fn the_dealership_survey_has_every_question_and_item_of_the_story() {
    let s = dealership();
    assert_eq!(s.questions().len(), 26);
    let items: usize = s
        .questions()
        .iter()
        .map(|q| match &q.kind {
            QuestionKind::Group { items, .. } => items.len(),
            _ => 0,
        })
        .sum();
    assert_eq!(items, 28);
    let kinds: std::collections::BTreeSet<&str> = s
        .questions()
        .iter()
        .map(|q| match q.kind {
            QuestionKind::Nps => "nps",
            QuestionKind::Scale { .. } => "scale",
            QuestionKind::YesNo => "yes_no",
            QuestionKind::YesNoUndecided => "yes_no_undecided",
            QuestionKind::YesNoNever => "yes_no_never",
            QuestionKind::SingleChoice { .. } => "single",
            QuestionKind::MultipleChoice { .. } => "multiple",
            QuestionKind::Comment => "comment",
            QuestionKind::Group { .. } => "group",
            QuestionKind::ContactConfirmation { .. } => "contact",
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "comment",
            "contact",
            "group",
            "multiple",
            "scale",
            "single",
            "yes_no",
            "yes_no_never",
            "yes_no_undecided"
        ]
        .into(),
        "every kind but NPS"
    );
    // "If no appointment was made, skip to question 3."
    let no_appt = Response::new().answer("q2_appointment_made", Answer::YesNo(false));
    let skipped = s.skipped(&no_appt);
    assert!(skipped.contains("q2_appointment") && skipped.contains("q2_comments"));
    assert!(!skipped.contains("q3_arrival"));
    let appt = Response::new().answer("q2_appointment_made", Answer::YesNo(true));
    assert!(!s.skipped(&appt).contains("q2_appointment"));
}

#[test]
fn drafts_report_every_problem() {
    let err = SurveyDraft::new("bad")
        .question(
            Question::new("a", "First", QuestionKind::YesNo)
                .skip_to_if("nowhere", Condition::Unanswered),
        )
        .question(
            Question::new(
                "b",
                "Second",
                QuestionKind::single(Vec::<String>::new(), false),
            )
            .skip_to_if("a", Condition::Unanswered),
        )
        .question(Question::new(
            "c",
            "",
            QuestionKind::multiple(["x", "x"], true),
        ))
        .question(Question::new(
            "c",
            "Dup",
            QuestionKind::Group {
                items: vec![],
                allow_na: true,
            },
        ))
        .question(
            Question::new("d", "Late", QuestionKind::Comment).skip_to_if_answer(
                "e",
                "e",
                Condition::Unanswered,
            ),
        )
        .question(Question::new("e", "End", QuestionKind::Comment))
        .validate()
        .unwrap_err();
    let SurveyError::Invalid(p) = err else {
        panic!("{err:?}")
    };
    // Every problem, each once, and nothing else: the questions' own
    // problems first, then the skips'.
    assert_eq!(
        p,
        vec![
            SurveyProblem::EmptyChoices {
                question: "b".into(),
            },
            SurveyProblem::EmptyText {
                question: "c".into(),
            },
            SurveyProblem::DuplicateChoice {
                question: "c".into(),
                choice: "x".into(),
            },
            SurveyProblem::DuplicateQuestion {
                question: "c".into(),
            },
            SurveyProblem::EmptyGroup {
                question: "c".into(),
            },
            SurveyProblem::UnknownSkipTarget {
                question: "a".into(),
                target: "nowhere".into(),
            },
            SurveyProblem::BackwardSkip {
                question: "b".into(),
                target: "a".into(),
            },
            SurveyProblem::SkipOnLaterOrUnknown {
                question: "d".into(),
                on: "e".into(),
            },
        ]
    );
    assert_eq!(
        SurveyDraft::new("empty").validate(),
        Err(SurveyError::Invalid(vec![SurveyProblem::Empty]))
    );
    // A survey is validated when deserialized, too.
    let bad = r#"{"name":"x","questions":[{"id":"a","text":"A","kind":{"kind":"single_choice","choices":[]}}]}"#;
    let e = serde_json::from_str::<Survey>(bad).unwrap_err().to_string();
    assert!(
        e.contains("question \"a\" has no (or a blank) choice"),
        "{e}"
    );
}

fn every_kind() -> Survey {
    SurveyDraft::new("kinds")
        .question(
            Question::new(
                "nps",
                "How likely are you to recommend us?",
                QuestionKind::Nps,
            )
            .required(),
        )
        .question(Question::new(
            "scale",
            "Rate us",
            QuestionKind::Scale { allow_na: false },
        ))
        .question(Question::new("yn", "Fixed?", QuestionKind::YesNo))
        .question(Question::new(
            "tri",
            "Return?",
            QuestionKind::YesNoUndecided,
        ))
        .question(Question::new(
            "own",
            "Still own it?",
            QuestionKind::YesNoNever,
        ))
        .question(Question::new(
            "one",
            "Why us?",
            QuestionKind::single(["price", "people"], false),
        ))
        .question(
            Question::new(
                "many",
                "What broke?",
                QuestionKind::multiple(["disk", "dns"], true),
            )
            .required(),
        )
        .question(Question::new("comment", "Anything else?", QuestionKind::Comment).required())
        .question(
            Question::new(
                "group",
                "Rate these",
                QuestionKind::group(["speed", "care"]),
            )
            .required(),
        )
        .question(Question::new(
            "contact",
            "Is this right?",
            QuestionKind::ContactConfirmation {
                fields: vec![ContactField::Email, ContactField::Phone],
            },
        ))
        .validate()
        .unwrap()
}

#[test]
fn responses_report_every_problem_at_once() {
    let s = every_kind();
    let wrong = Response::new()
        .answer("nps", Answer::Nps(11))
        .answer("scale", Answer::Scale(Rating::NotApplicable))
        .answer("yn", Answer::Tri(TriState::Yes))
        .answer("one", Answer::Other("free beer".into()))
        .answer(
            "many",
            Answer::Choices {
                selected: vec!["disk".into(), "ram".into()],
                other: None,
            },
        )
        .answer("comment", Answer::Comment("   ".into()))
        .answer(
            "group",
            Answer::Group(BTreeMap::from([
                ("1".to_owned(), Rating::Good),
                ("9".to_owned(), Rating::Poor),
            ])),
        )
        .answer(
            "contact",
            Answer::Contact {
                confirmed: false,
                corrections: BTreeMap::from([("fax".to_owned(), "x".to_owned())]),
            },
        )
        .answer("ghost", Answer::YesNo(true));
    let p = s.check(&wrong);
    let want = vec![
        ResponseProblem::OutOfRange {
            question: "nps".into(),
            value: 11,
            min: 0,
            max: 10,
        },
        ResponseProblem::NotApplicableNotAllowed {
            question: "scale".into(),
        },
        ResponseProblem::WrongKind {
            question: "yn".into(),
            expected: "yes or no",
        },
        ResponseProblem::NotOffered {
            question: "one".into(),
            choice: "other".into(),
        },
        ResponseProblem::NotOffered {
            question: "many".into(),
            choice: "ram".into(),
        },
        ResponseProblem::MissingRequired {
            question: "comment".into(),
        },
        ResponseProblem::UnknownItem {
            question: "group".into(),
            item: "9".into(),
        },
        ResponseProblem::MissingRequired {
            question: "group".into(),
        },
        ResponseProblem::UnknownItem {
            question: "contact".into(),
            item: "fax".into(),
        },
        ResponseProblem::UnknownQuestion {
            question: "ghost".into(),
        },
    ];
    assert_eq!(p, Err(want));
    let right = Response::new()
        .answer("nps", Answer::Nps(10))
        .answer("scale", Answer::Scale(Rating::Good))
        .answer("yn", Answer::YesNo(true))
        .answer("tri", Answer::Tri(TriState::Undecided))
        .answer("own", Answer::Ownership(Ownership::Never))
        .answer("one", Answer::Choice("people".into()))
        .answer(
            "many",
            Answer::Choices {
                selected: vec![],
                other: Some("the PDU".into()),
            },
        )
        .answer("comment", Answer::Comment("Thanks Ana!".into()))
        .answer(
            "group",
            Answer::Group(BTreeMap::from([
                ("1".to_owned(), Rating::Good),
                ("2".to_owned(), Rating::NotApplicable),
            ])),
        )
        .answer(
            "contact",
            Answer::Contact {
                confirmed: false,
                corrections: BTreeMap::from([("email".to_owned(), "jane@new.example".to_owned())]),
            },
        );
    assert_eq!(s.check(&right), Ok(()));
    assert_eq!(
        s.check(&Response::new()),
        Err(["nps", "many", "comment", "group"]
            .map(|q| ResponseProblem::MissingRequired { question: q.into() })
            .to_vec()),
        "four required questions"
    );
}

#[test]
fn skip_logic_on_an_earlier_answer() {
    let s =
        SurveyDraft::new("nps")
            .question(Question::new("score", "Recommend us?", QuestionKind::Nps).required())
            .question(Question::new("why", "Why?", QuestionKind::Comment))
            // Only detractors are asked what went wrong.
            .question(
                Question::new("praise", "Who helped you?", QuestionKind::Comment)
                    .skip_to_if_answer("score", "end", Condition::NpsAtMost(6)),
            )
            .question(Question::new(
                "wrong",
                "What went wrong?",
                QuestionKind::Comment,
            ))
            .question(Question::new(
                "end",
                "Anything else?",
                QuestionKind::Comment,
            ))
            .validate()
            .unwrap();
    let detractor = Response::new()
        .answer("score", Answer::Nps(3))
        .answer("wrong", Answer::Comment("slow".into()));
    assert_eq!(
        s.check(&detractor),
        Err(vec![ResponseProblem::AnsweredSkipped {
            question: "wrong".into()
        }])
    );
    let promoter = Response::new()
        .answer("score", Answer::Nps(10))
        .answer("wrong", Answer::Comment("nothing".into()));
    assert_eq!(s.check(&promoter), Ok(()));
}

#[test]
fn surveys_and_responses_round_trip() {
    let s = every_kind();
    let json = serde_json::to_string(&s).unwrap();
    assert_eq!(serde_json::from_str::<Survey>(&json).unwrap(), s);
    let r = Response::new()
        .answer("nps", Answer::Nps(9))
        .answer("one", Answer::Choice("price".into()));
    let rj = serde_json::to_string(&r).unwrap();
    assert!(rj.contains(r#""nps":{"type":"nps","value":9}"#), "{rj}");
    assert_eq!(serde_json::from_str::<Response>(&rj).unwrap(), r);
}

#[test]
fn nps_and_csat_scoring() {
    let nps = Nps::from_scores([10, 9, 9, 8, 7, 6, 0, 10]).unwrap();
    assert_eq!((nps.promoters, nps.passives, nps.detractors), (4, 2, 2));
    assert_eq!(nps.score(), Some(25.0));
    assert_eq!(Nps::default().score(), None);
    assert_eq!(
        Nps::from_scores([9, 11]),
        Err(SurveyError::ScoreOutOfRange(11))
    );
    assert_eq!(NpsCategory::of(6), Ok(NpsCategory::Detractor));
    assert_eq!(NpsCategory::of(7), Ok(NpsCategory::Passive));
    assert_eq!(NpsCategory::of(9), Ok(NpsCategory::Promoter));
    let merged = nps.merge(Nps::from_scores([0, 0]).unwrap());
    assert_eq!(merged.responses(), 10);
    assert_eq!(merged.score(), Some(0.0));
    let csat = Csat::from_ratings([
        Rating::Excellent,
        Rating::Good,
        Rating::Poor,
        Rating::NotApplicable,
    ]);
    assert_eq!((csat.satisfied, csat.rated), (2, 3));
    assert!((csat.percent().unwrap() - 66.666).abs() < 0.01);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::cases(256)))]

    #[test]
    fn nps_is_always_between_minus_and_plus_one_hundred(scores in proptest::collection::vec(0u8..=10, 0..500)) {
        let n = Nps::from_scores(scores.iter().copied()).unwrap();
        prop_assert_eq!(n.responses() as usize, scores.len());
        if let Some(s) = n.score() {
            prop_assert!((-100.0..=100.0).contains(&s));
        } else {
            prop_assert!(scores.is_empty());
        }
    }

    #[test]
    fn scores_above_ten_are_always_refused(bad in 11u8..=255) {
        prop_assert_eq!(Nps::from_scores([bad]), Err(SurveyError::ScoreOutOfRange(bad)));
        let s = SurveyDraft::new("n").question(Question::new("q", "Q", QuestionKind::Nps)).validate().unwrap();
        let p = s.check(&Response::new().answer("q", Answer::Nps(bad)));
        prop_assert_eq!(p, Err(vec![ResponseProblem::OutOfRange { question: "q".into(), value: bad, min: 0, max: 10 }]));
    }
}
