//! Survey definitions, skip logic and response validation.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

/// The five-point scale, with "not applicable".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    /// Excellent (5 points).
    Excellent,
    /// Good (4).
    Good,
    /// Average (3).
    Average,
    /// Fair (2).
    Fair,
    /// Poor (1).
    Poor,
    /// Not applicable (no points).
    NotApplicable,
}

impl Rating {
    /// Points from 5 (excellent) to 1 (poor); `None` for N/A.
    #[must_use]
    pub const fn points(self) -> Option<u8> {
        match self {
            Rating::Excellent => Some(5),
            Rating::Good => Some(4),
            Rating::Average => Some(3),
            Rating::Fair => Some(2),
            Rating::Poor => Some(1),
            Rating::NotApplicable => None,
        }
    }
}

/// Yes, no, or undecided ("would you return to this dealership?").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TriState {
    /// Yes.
    Yes,
    /// No.
    No,
    /// Undecided.
    Undecided,
}

/// Yes, no, or never ("do you still own this vehicle?").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ownership {
    /// Yes.
    Yes,
    /// No longer.
    No,
    /// Never.
    Never,
}

/// A contact detail to confirm.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactField {
    /// Name.
    Name,
    /// Postal address.
    PostalAddress,
    /// Email address.
    Email,
    /// Phone number.
    Phone,
    /// Anything else, by name.
    Other(String),
}

impl ContactField {
    fn key(&self) -> String {
        match self {
            ContactField::Name => "name".into(),
            ContactField::PostalAddress => "postal_address".into(),
            ContactField::Email => "email".into(),
            ContactField::Phone => "phone".into(),
            ContactField::Other(s) => s.clone(),
        }
    }
}

/// One rated item of a question group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupItem {
    /// Key, unique in the group.
    pub id: String,
    /// What is rated.
    pub label: String,
}

fn yes() -> bool {
    true
}

/// What kind of answer a question takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum QuestionKind {
    /// Net promoter score, 0 to 10.
    Nps,
    /// The five-point scale.
    Scale {
        /// Whether N/A may be answered.
        #[serde(default = "yes")]
        allow_na: bool,
    },
    /// Yes or no.
    YesNo,
    /// Yes, no or undecided.
    YesNoUndecided,
    /// Yes, no or never.
    YesNoNever,
    /// One of the choices (or "other" with text, when allowed).
    SingleChoice {
        /// The choices.
        choices: Vec<String>,
        /// Whether "other" with free text is offered.
        #[serde(default)]
        other: bool,
    },
    /// Any of the choices ("check all that apply"), with "other".
    MultipleChoice {
        /// The choices.
        choices: Vec<String>,
        /// Whether "other" with free text is offered.
        #[serde(default)]
        other: bool,
    },
    /// Free text.
    Comment,
    /// Several items, each rated on the five-point scale.
    Group {
        /// The items.
        items: Vec<GroupItem>,
        /// Whether N/A may be answered.
        #[serde(default = "yes")]
        allow_na: bool,
    },
    /// "Is this information correct?", with corrections.
    ContactConfirmation {
        /// The details shown.
        fields: Vec<ContactField>,
    },
}

impl QuestionKind {
    /// The five-point scale with N/A.
    #[must_use]
    pub fn scale() -> Self {
        QuestionKind::Scale { allow_na: true }
    }
    /// Single choice.
    #[must_use]
    pub fn single<S: Into<String>>(choices: impl IntoIterator<Item = S>, other: bool) -> Self {
        QuestionKind::SingleChoice {
            choices: choices.into_iter().map(Into::into).collect(),
            other,
        }
    }
    /// Multiple choice.
    #[must_use]
    pub fn multiple<S: Into<String>>(choices: impl IntoIterator<Item = S>, other: bool) -> Self {
        QuestionKind::MultipleChoice {
            choices: choices.into_iter().map(Into::into).collect(),
            other,
        }
    }
    /// A group of items rated on the scale with N/A; item ids are derived
    /// from their position (`1`, `2`, ...).
    #[must_use]
    pub fn group<S: Into<String>>(labels: impl IntoIterator<Item = S>) -> Self {
        QuestionKind::Group {
            items: labels
                .into_iter()
                .zip(1u32..)
                .map(|(l, i)| GroupItem {
                    id: i.to_string(),
                    label: l.into(),
                })
                .collect(),
            allow_na: true,
        }
    }

    fn name(&self) -> &'static str {
        match self {
            QuestionKind::Nps => "an NPS score",
            QuestionKind::Scale { .. } => "a rating",
            QuestionKind::YesNo => "yes or no",
            QuestionKind::YesNoUndecided => "yes, no or undecided",
            QuestionKind::YesNoNever => "yes, no or never",
            QuestionKind::SingleChoice { .. } => "one choice",
            QuestionKind::MultipleChoice { .. } => "choices",
            QuestionKind::Comment => "a comment",
            QuestionKind::Group { .. } => "ratings of the group's items",
            QuestionKind::ContactConfirmation { .. } => "a confirmation",
        }
    }
}

/// An answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Answer {
    /// An NPS score.
    Nps(u8),
    /// A rating.
    Scale(Rating),
    /// Yes or no.
    YesNo(bool),
    /// Yes, no or undecided.
    Tri(TriState),
    /// Yes, no or never.
    Ownership(Ownership),
    /// One offered choice.
    Choice(String),
    /// "Other", with text.
    Other(String),
    /// Several choices, and "other" text.
    Choices {
        /// Offered choices picked.
        selected: Vec<String>,
        /// "Other" text, if given.
        other: Option<String>,
    },
    /// Free text.
    Comment(String),
    /// Ratings by item id.
    Group(BTreeMap<String, Rating>),
    /// Confirmation of contact details.
    Contact {
        /// Whether everything shown is correct.
        confirmed: bool,
        /// Corrections by field key (`name`, `postal_address`, `email`,
        /// `phone`, or the other field's name).
        corrections: BTreeMap<String, String>,
    },
}

/// A condition on an answer, for skip logic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "if", content = "value", rename_all = "snake_case")]
pub enum Condition {
    /// The answer is exactly this.
    Is(Answer),
    /// The answer is anything but this (or missing).
    IsNot(Answer),
    /// There is no answer.
    Unanswered,
    /// An NPS score at most this.
    NpsAtMost(u8),
}

impl Condition {
    fn holds(&self, answer: Option<&Answer>) -> bool {
        match self {
            Condition::Is(a) => answer == Some(a),
            Condition::IsNot(a) => answer != Some(a),
            Condition::Unanswered => answer.is_none(),
            Condition::NpsAtMost(n) => matches!(answer, Some(Answer::Nps(s)) if s <= n),
        }
    }
}

/// Skip logic: when the condition holds on an earlier answer, go straight
/// to a later question; the questions in between are skipped and must not
/// be answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skip {
    /// The question whose answer is tested (this one when `None`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on: Option<String>,
    /// The condition.
    pub when: Condition,
    /// The later question to go to.
    pub to: String,
}

/// A question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Question {
    /// Key, unique in the survey.
    pub id: String,
    /// The question as asked.
    pub text: String,
    /// Its kind.
    pub kind: QuestionKind,
    /// Whether it must be answered (unless skipped).
    #[serde(default)]
    pub required: bool,
    /// Skip rules, tried after this question, first match wins.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skip: Vec<Skip>,
}

impl Question {
    /// An optional question.
    #[must_use]
    pub fn new(id: &str, text: &str, kind: QuestionKind) -> Self {
        Question {
            id: id.to_owned(),
            text: text.to_owned(),
            kind,
            required: false,
            skip: Vec::new(),
        }
    }
    /// Must be answered.
    #[must_use]
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }
    /// After this question, skip to `to` when this answer meets `when`.
    #[must_use]
    pub fn skip_to_if(mut self, to: &str, when: Condition) -> Self {
        self.skip.push(Skip {
            on: None,
            when,
            to: to.to_owned(),
        });
        self
    }
    /// After this question, skip to `to` when the answer to the earlier
    /// question `on` meets `when`.
    #[must_use]
    pub fn skip_to_if_answer(mut self, on: &str, to: &str, when: Condition) -> Self {
        self.skip.push(Skip {
            on: Some(on.to_owned()),
            when,
            to: to.to_owned(),
        });
        self
    }
}

/// One thing wrong with a survey draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
#[non_exhaustive]
pub enum SurveyProblem {
    /// No questions.
    Empty,
    /// Two questions share an id.
    DuplicateQuestion {
        /// The id.
        question: String,
    },
    /// A question with no text.
    EmptyText {
        /// The question.
        question: String,
    },
    /// A choice question with no choices (or a blank one).
    EmptyChoices {
        /// The question.
        question: String,
    },
    /// A choice offered twice.
    DuplicateChoice {
        /// The question.
        question: String,
        /// The choice.
        choice: String,
    },
    /// A group with no items.
    EmptyGroup {
        /// The question.
        question: String,
    },
    /// An item id used twice in a group.
    DuplicateItem {
        /// The question.
        question: String,
        /// The item.
        item: String,
    },
    /// A skip to a question that does not exist.
    UnknownSkipTarget {
        /// The question with the rule.
        question: String,
        /// The target.
        target: String,
    },
    /// A skip to this question or an earlier one.
    BackwardSkip {
        /// The question with the rule.
        question: String,
        /// The target.
        target: String,
    },
    /// A skip rule testing a question that is not before it.
    SkipOnLaterOrUnknown {
        /// The question with the rule.
        question: String,
        /// The tested question.
        on: String,
    },
}

impl fmt::Display for SurveyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SurveyProblem::Empty => f.write_str("the survey has no questions"),
            SurveyProblem::DuplicateQuestion { question } => {
                write!(f, "question {question:?} is defined twice")
            }
            SurveyProblem::EmptyText { question } => write!(f, "question {question:?} has no text"),
            SurveyProblem::EmptyChoices { question } => {
                write!(f, "question {question:?} has no (or a blank) choice")
            }
            SurveyProblem::DuplicateChoice { question, choice } => {
                write!(f, "question {question:?} offers {choice:?} twice")
            }
            SurveyProblem::EmptyGroup { question } => {
                write!(f, "question {question:?} has no items")
            }
            SurveyProblem::DuplicateItem { question, item } => {
                write!(f, "question {question:?} has item {item:?} twice")
            }
            SurveyProblem::UnknownSkipTarget { question, target } => {
                write!(
                    f,
                    "question {question:?} skips to unknown question {target:?}"
                )
            }
            SurveyProblem::BackwardSkip { question, target } => {
                write!(f, "question {question:?} skips backwards to {target:?}")
            }
            SurveyProblem::SkipOnLaterOrUnknown { question, on } => {
                write!(
                    f,
                    "question {question:?} skips on {on:?}, which is not an earlier question"
                )
            }
        }
    }
}

/// A survey being written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyDraft {
    /// Its name.
    pub name: String,
    /// Its questions, in order.
    pub questions: Vec<Question>,
}

impl SurveyDraft {
    /// An empty draft.
    #[must_use]
    pub fn new(name: &str) -> Self {
        SurveyDraft {
            name: name.to_owned(),
            questions: Vec::new(),
        }
    }

    /// Adds a question.
    #[must_use]
    pub fn question(mut self, q: Question) -> Self {
        self.questions.push(q);
        self
    }

    /// Validates into a survey.
    ///
    /// # Errors
    /// [`super::SurveyError::Invalid`] with every [`SurveyProblem`] at once.
    pub fn validate(self) -> Result<Survey, super::SurveyError> {
        let mut problems = Vec::new();
        if self.questions.is_empty() {
            problems.push(SurveyProblem::Empty);
        }
        let mut index: BTreeMap<String, usize> = BTreeMap::new();
        for (i, q) in self.questions.iter().enumerate() {
            let question = q.id.clone();
            if index.insert(q.id.clone(), i).is_some() {
                problems.push(SurveyProblem::DuplicateQuestion {
                    question: question.clone(),
                });
            }
            if q.text.trim().is_empty() {
                problems.push(SurveyProblem::EmptyText {
                    question: question.clone(),
                });
            }
            match &q.kind {
                QuestionKind::SingleChoice { choices, .. }
                | QuestionKind::MultipleChoice { choices, .. } => {
                    if choices.is_empty() || choices.iter().any(|c| c.trim().is_empty()) {
                        problems.push(SurveyProblem::EmptyChoices {
                            question: question.clone(),
                        });
                    }
                    let mut seen = BTreeSet::new();
                    for c in choices {
                        if !seen.insert(c) {
                            problems.push(SurveyProblem::DuplicateChoice {
                                question: question.clone(),
                                choice: c.clone(),
                            });
                        }
                    }
                }
                QuestionKind::Group { items, .. } => {
                    if items.is_empty() {
                        problems.push(SurveyProblem::EmptyGroup {
                            question: question.clone(),
                        });
                    }
                    let mut seen = BTreeSet::new();
                    for it in items {
                        if !seen.insert(&it.id) {
                            problems.push(SurveyProblem::DuplicateItem {
                                question: question.clone(),
                                item: it.id.clone(),
                            });
                        }
                    }
                }
                _ => {}
            }
        }
        for (i, q) in self.questions.iter().enumerate() {
            for s in &q.skip {
                match index.get(&s.to) {
                    None => problems.push(SurveyProblem::UnknownSkipTarget {
                        question: q.id.clone(),
                        target: s.to.clone(),
                    }),
                    Some(&t) if t <= i => problems.push(SurveyProblem::BackwardSkip {
                        question: q.id.clone(),
                        target: s.to.clone(),
                    }),
                    Some(_) => {}
                }
                if let Some(on) = &s.on
                    && index.get(on).is_none_or(|&o| o > i)
                {
                    problems.push(SurveyProblem::SkipOnLaterOrUnknown {
                        question: q.id.clone(),
                        on: on.clone(),
                    });
                }
            }
        }
        if problems.is_empty() {
            Ok(Survey { draft: self, index })
        } else {
            Err(super::SurveyError::Invalid(problems))
        }
    }
}

/// One thing wrong with a response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ResponseProblem {
    /// An answer to a question the survey does not have.
    UnknownQuestion {
        /// The id given.
        question: String,
    },
    /// A required question left unanswered.
    MissingRequired {
        /// The question.
        question: String,
    },
    /// An answer of the wrong kind.
    WrongKind {
        /// The question.
        question: String,
        /// What it takes.
        expected: &'static str,
    },
    /// A number outside the question's range (an NPS of 11).
    OutOfRange {
        /// The question.
        question: String,
        /// The value given.
        value: u8,
        /// The lowest value it takes.
        min: u8,
        /// The highest value it takes.
        max: u8,
    },
    /// A choice the question does not offer.
    NotOffered {
        /// The question.
        question: String,
        /// The choice given.
        choice: String,
    },
    /// N/A where it is not allowed.
    NotApplicableNotAllowed {
        /// The question.
        question: String,
    },
    /// A rating for an item the group does not have.
    UnknownItem {
        /// The question.
        question: String,
        /// The item given.
        item: String,
    },
    /// An answer to a question the respondent's answers skipped.
    AnsweredSkipped {
        /// The question.
        question: String,
    },
}

impl fmt::Display for ResponseProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResponseProblem::UnknownQuestion { question } => write!(f, "no question {question:?}"),
            ResponseProblem::MissingRequired { question } => {
                write!(f, "question {question:?} must be answered")
            }
            ResponseProblem::WrongKind { question, expected } => {
                write!(f, "question {question:?} takes {expected}")
            }
            ResponseProblem::OutOfRange {
                question,
                value,
                min,
                max,
            } => {
                write!(
                    f,
                    "question {question:?}: {value} is out of range, answers run from {min} to {max}"
                )
            }
            ResponseProblem::NotOffered { question, choice } => {
                write!(f, "question {question:?} does not offer {choice:?}")
            }
            ResponseProblem::NotApplicableNotAllowed { question } => {
                write!(f, "question {question:?} does not allow N/A")
            }
            ResponseProblem::UnknownItem { question, item } => {
                write!(f, "question {question:?} has no item {item:?}")
            }
            ResponseProblem::AnsweredSkipped { question } => {
                write!(
                    f,
                    "question {question:?} was skipped and must not be answered"
                )
            }
        }
    }
}

/// Answers by question id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Response {
    /// The answers.
    pub answers: BTreeMap<String, Answer>,
}

impl Response {
    /// No answers yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }
    /// With an answer.
    #[must_use]
    pub fn answer(mut self, question: &str, answer: Answer) -> Self {
        self.answers.insert(question.to_owned(), answer);
        self
    }
    /// Erases the person's own words in it (comments, "other" texts),
    /// keeping the scores and the offered choices picked.
    pub fn erase_texts(&mut self) {
        let erase = |t: &mut String| {
            if !t.trim().is_empty() {
                crate::text::ERASED.clone_into(t);
            }
        };
        for answer in self.answers.values_mut() {
            match answer {
                Answer::Comment(t) | Answer::Other(t) => erase(t),
                Answer::Choices { other: Some(t), .. } => erase(t),
                _ => {}
            }
        }
    }

    /// The comments given, trimmed, blank ones left out, in question-id
    /// order.
    #[must_use]
    pub fn comments(&self) -> Vec<String> {
        self.answers
            .values()
            .filter_map(|a| match a {
                Answer::Comment(c) if !c.trim().is_empty() => Some(c.trim().to_owned()),
                _ => None,
            })
            .collect()
    }
}

/// A validated survey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Survey {
    draft: SurveyDraft,
    index: BTreeMap<String, usize>,
}

impl Serialize for Survey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.draft.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Survey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        SurveyDraft::deserialize(d)?
            .validate()
            .map_err(serde::de::Error::custom)
    }
}

impl Survey {
    /// Its name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.draft.name
    }
    /// Its questions, in order.
    #[must_use]
    pub fn questions(&self) -> &[Question] {
        &self.draft.questions
    }
    /// A question by id.
    #[must_use]
    pub fn question(&self, id: &str) -> Option<&Question> {
        self.index
            .get(id)
            .and_then(|&i| self.draft.questions.get(i))
    }

    /// The questions a response's answers skip.
    #[must_use]
    pub fn skipped(&self, response: &Response) -> BTreeSet<String> {
        let mut skipped = BTreeSet::new();
        let mut skip_until: Option<usize> = None;
        for (i, q) in self.draft.questions.iter().enumerate() {
            if skip_until.is_some_and(|t| i < t) {
                skipped.insert(q.id.clone());
                continue;
            }
            let jump = q.skip.iter().find(|s| {
                let on = s.on.as_deref().unwrap_or(&q.id);
                s.when.holds(response.answers.get(on))
            });
            skip_until = jump.and_then(|s| self.index.get(&s.to).copied());
        }
        skipped
    }

    /// Checks a response: every problem at once.
    ///
    /// # Errors
    /// The [`ResponseProblem`]s, in question order (unknown questions last).
    pub fn check(&self, response: &Response) -> Result<(), Vec<ResponseProblem>> {
        let skipped = self.skipped(response);
        let mut problems = Vec::new();
        for q in &self.draft.questions {
            let question = || q.id.clone();
            let answer = response.answers.get(&q.id);
            if skipped.contains(&q.id) {
                if answer.is_some() {
                    problems.push(ResponseProblem::AnsweredSkipped {
                        question: question(),
                    });
                }
                continue;
            }
            match answer {
                None => {
                    if q.required {
                        problems.push(ResponseProblem::MissingRequired {
                            question: question(),
                        });
                    }
                }
                Some(a) => check_answer(q, a, &mut problems),
            }
        }
        for id in response.answers.keys() {
            if !self.index.contains_key(id) {
                problems.push(ResponseProblem::UnknownQuestion {
                    question: id.clone(),
                });
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

fn check_answer(q: &Question, a: &Answer, problems: &mut Vec<ResponseProblem>) {
    let question = || q.id.clone();
    let wrong = || ResponseProblem::WrongKind {
        question: q.id.clone(),
        expected: q.kind.name(),
    };
    let blank = |s: &str| s.trim().is_empty();
    match (&q.kind, a) {
        (QuestionKind::Nps, Answer::Nps(n)) => {
            if *n > 10 {
                problems.push(ResponseProblem::OutOfRange {
                    question: question(),
                    value: *n,
                    min: 0,
                    max: 10,
                });
            }
        }
        (QuestionKind::Scale { allow_na }, Answer::Scale(r)) => {
            if *r == Rating::NotApplicable && !allow_na {
                problems.push(ResponseProblem::NotApplicableNotAllowed {
                    question: question(),
                });
            }
        }
        (QuestionKind::YesNo, Answer::YesNo(_))
        | (QuestionKind::YesNoUndecided, Answer::Tri(_))
        | (QuestionKind::YesNoNever, Answer::Ownership(_))
        | (
            QuestionKind::ContactConfirmation { .. },
            Answer::Contact {
                confirmed: true, ..
            },
        ) => {}
        (QuestionKind::ContactConfirmation { fields }, Answer::Contact { corrections, .. }) => {
            let keys: BTreeSet<String> = fields.iter().map(ContactField::key).collect();
            for k in corrections.keys().filter(|k| !keys.contains(*k)) {
                problems.push(ResponseProblem::UnknownItem {
                    question: question(),
                    item: k.clone(),
                });
            }
        }
        (QuestionKind::SingleChoice { choices, .. }, Answer::Choice(c)) => {
            if !choices.contains(c) {
                problems.push(ResponseProblem::NotOffered {
                    question: question(),
                    choice: c.clone(),
                });
            }
        }
        (QuestionKind::SingleChoice { other, .. }, Answer::Other(text)) => {
            if !other {
                problems.push(ResponseProblem::NotOffered {
                    question: question(),
                    choice: "other".into(),
                });
            } else if blank(text) && q.required {
                problems.push(ResponseProblem::MissingRequired {
                    question: question(),
                });
            }
        }
        (
            QuestionKind::MultipleChoice {
                choices,
                other: allows_other,
            },
            Answer::Choices { selected, other },
        ) => {
            for c in selected.iter().filter(|c| !choices.contains(*c)) {
                problems.push(ResponseProblem::NotOffered {
                    question: question(),
                    choice: c.clone(),
                });
            }
            if other.is_some() && !allows_other {
                problems.push(ResponseProblem::NotOffered {
                    question: question(),
                    choice: "other".into(),
                });
            }
            if q.required && selected.is_empty() && other.as_deref().is_none_or(blank) {
                problems.push(ResponseProblem::MissingRequired {
                    question: question(),
                });
            }
        }
        (QuestionKind::Comment, Answer::Comment(text)) => {
            if q.required && blank(text) {
                problems.push(ResponseProblem::MissingRequired {
                    question: question(),
                });
            }
        }
        (QuestionKind::Group { items, allow_na }, Answer::Group(ratings)) => {
            for (item, r) in ratings {
                if !items.iter().any(|it| &it.id == item) {
                    problems.push(ResponseProblem::UnknownItem {
                        question: question(),
                        item: item.clone(),
                    });
                } else if *r == Rating::NotApplicable && !allow_na {
                    problems.push(ResponseProblem::NotApplicableNotAllowed {
                        question: question(),
                    });
                }
            }
            if q.required && items.iter().any(|it| !ratings.contains_key(&it.id)) {
                problems.push(ResponseProblem::MissingRequired {
                    question: question(),
                });
            }
        }
        _ => problems.push(wrong()),
    }
}
