//! The dealership service survey from story 003, kept as data
//! (`examples/data/dealership_survey.json`): loads and validates it, then
//! checks a filled-in response and a wrong one, printing every problem.
//!
//! `cargo run --example dealership_survey`

use std::collections::BTreeMap;

use fanatical::survey::{Answer, Ownership, Rating, Response, Survey, TriState};

/// The survey, validated as it is deserialized.
fn survey() -> Result<Survey, serde_json::Error> {
    serde_json::from_str(include_str!("data/dealership_survey.json"))
}

fn ratings(pairs: &[(&str, Rating)]) -> Answer {
    Answer::Group(pairs.iter().map(|(k, r)| ((*k).to_owned(), *r)).collect())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let survey = survey()?;
    let items: usize = survey
        .questions()
        .iter()
        .map(|q| match &q.kind {
            fanatical::survey::QuestionKind::Group { items, .. } => items.len(),
            _ => 0,
        })
        .sum();
    println!(
        "{}: {} questions, {items} rated items",
        survey.name(),
        survey.questions().len()
    );

    // A customer who made no appointment (so question 2 is skipped), whose
    // car was fixed the first time (so question 6 is skipped).
    let filled = Response::new()
        .answer(
            "info_correct",
            Answer::Contact {
                confirmed: true,
                corrections: BTreeMap::new(),
            },
        )
        .answer("still_own", Answer::Ownership(Ownership::Yes))
        .answer("serviced_here", Answer::YesNo(true))
        .answer("q1_why", Answer::Choice("Convenient hours".into()))
        .answer("q2_appointment_made", Answer::YesNo(false))
        .answer(
            "q3_arrival",
            ratings(&[
                ("1", Rating::Excellent),
                ("2", Rating::Good),
                ("6", Rating::Average),
            ]),
        )
        .answer("q4_work", ratings(&[("2", Rating::Excellent)]))
        .answer("q5_fixed_first_time", Answer::YesNo(true))
        .answer("q7_after_service", ratings(&[("7", Rating::NotApplicable)]))
        .answer("q9_asked_to_resolve", Answer::YesNo(false))
        .answer("q12_overall", Answer::Scale(Rating::Excellent))
        .answer("q13_return", Answer::Tri(TriState::Yes))
        .answer(
            "q15_liked_most",
            Answer::Comment("They remembered my name.".into()),
        );
    survey.check(&filled).map_err(|p| format!("{p:?}"))?;
    let skipped = survey.skipped(&filled);
    println!("filled-in response: valid; skipped {skipped:?}");

    // A wrong one: an answer to a skipped question, a choice not offered,
    // N/A where it is not allowed, an unknown item and an unknown question.
    let wrong = Response::new()
        .answer(
            "info_correct",
            Answer::Contact {
                confirmed: true,
                corrections: BTreeMap::new(),
            },
        )
        .answer("still_own", Answer::Ownership(Ownership::Never))
        .answer("serviced_here", Answer::YesNo(true))
        .answer("q1_why", Answer::Choice("Free donuts".into()))
        .answer("q2_appointment_made", Answer::YesNo(false))
        .answer("q2_appointment", ratings(&[("1", Rating::Poor)]))
        .answer("q3_arrival", ratings(&[("9", Rating::Good)]))
        .answer("q5_fixed_first_time", Answer::YesNo(true))
        .answer("q12_overall", Answer::Scale(Rating::NotApplicable))
        .answer("q99", Answer::Comment("?".into()));
    match survey.check(&wrong) {
        Ok(()) => return Err("the wrong response passed".into()),
        Err(problems) => {
            println!("wrong response: {} problems", problems.len());
            for p in problems {
                println!("  - {p}");
            }
        }
    }
    Ok(())
}
