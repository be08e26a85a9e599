//! Surveys as data: definitions, skip logic, validated responses, and NPS
//! and CSAT scoring.
//!
//! A [`SurveyDraft`] (serde) holds [`Question`]s of every kind a real
//! customer survey uses — NPS 0-10, the five-point scale with N/A, yes/no,
//! yes/no/undecided, yes/no/never, single and multiple choice with
//! "other", free comments, groups of items each rated on the scale, and
//! contact-detail confirmation — with skip logic ("if no appointment was
//! made, skip to question 3"). [`SurveyDraft::validate`] turns it into a
//! [`Survey`] or returns every problem at once; [`Survey::check`] does the
//! same for a [`Response`].
//!
//! # Example
//! ```
//! use fanatical::survey::*;
//!
//! let survey = SurveyDraft::new("service")
//!     .question(Question::new("appointment", "Did you make an appointment?", QuestionKind::YesNo)
//!         .required()
//!         .skip_to_if("overall", Condition::Is(Answer::YesNo(false))))
//!     .question(Question::new("phone_wait", "Waiting time on the phone", QuestionKind::scale()))
//!     .question(Question::new("overall", "Overall performance", QuestionKind::scale()).required())
//!     .validate()?;
//!
//! let ok = Response::new()
//!     .answer("appointment", Answer::YesNo(false))
//!     .answer("overall", Answer::Scale(Rating::Excellent));
//! assert!(survey.check(&ok).is_ok());
//!
//! let wrong = Response::new()
//!     .answer("appointment", Answer::YesNo(false))
//!     .answer("phone_wait", Answer::Scale(Rating::Poor)) // skipped: no appointment
//!     .answer("colour", Answer::Comment("blue".into()));  // no such question
//! let problems = survey.check(&wrong).unwrap_err();
//! assert_eq!(problems.len(), 3); // and "overall" is missing
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod action;
mod campaign;
mod model;
mod score;

pub use action::{NewInvitation, SurveyAction, SurveyContact, SurveyContext};
pub use campaign::{
    Invitation, InvitationRecord, Invitations, Scores, SurveyConfig, SurveyEvent, SurveyEventKind,
    SurveyKind, WaveNps, scores_of,
};
pub use model::{
    Answer, Condition, ContactField, GroupItem, Ownership, Question, QuestionKind, Rating,
    Response, ResponseProblem, Skip, Survey, SurveyDraft, SurveyProblem, TriState,
};
pub use score::{Csat, Nps, NpsCategory};

/// Why a survey operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SurveyError {
    /// An NPS score above 10.
    #[error("NPS score {0} is out of range: scores run from 0 to 10")]
    ScoreOutOfRange(u8),
    /// The draft is invalid.
    #[error("invalid survey: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<SurveyProblem>),
    /// The response is invalid.
    #[error("invalid response: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    InvalidResponse(Vec<ResponseProblem>),
    /// A wave without a name (its results are reported by name).
    #[error("a wave's name must not be blank")]
    BlankWave,
    /// No survey by that name.
    #[error("unknown survey {0:?}")]
    UnknownSurvey(String),
    /// No such invitation.
    #[error("unknown survey invitation {0}")]
    UnknownInvitation(crate::id::InvitationId),
    /// The invitation has expired.
    #[error("survey invitation {invitation} expired at {expired_at}")]
    Expired {
        /// Which.
        invitation: crate::id::InvitationId,
        /// When it expired.
        expired_at: chrono::DateTime<chrono::Utc>,
    },
    /// The invitation was already answered.
    #[error("survey invitation {0} was already answered")]
    AlreadyAnswered(crate::id::InvitationId),
    /// The contact was surveyed too recently (the budget is shared by every
    /// kind of survey).
    #[error("contact {contact} is in a quiet period until {until}")]
    QuietPeriod {
        /// Who.
        contact: crate::id::ContactId,
        /// Until when.
        until: chrono::DateTime<chrono::Utc>,
    },
    /// The invitation id is taken.
    #[error("survey invitation {0} already exists")]
    DuplicateInvitation(crate::id::InvitationId),
    /// No contact of the customer can be emailed a survey.
    #[error("customer {0} has no contact a survey can be emailed to")]
    NoSurveyContact(crate::id::CustomerId),
    /// A wave share outside 1 to 100 percent.
    #[error("a wave samples 1 to 100 percent of customers, not {0}")]
    InvalidShare(u8),
    /// Follow-up owners are required and a low score from this customer
    /// would leave its follow-up with nobody: no active account manager,
    /// no rated agent with an active manager, no configured owner.
    #[error(
        "a low score from customer {customer} would leave its follow-up without an owner: give them an account manager or configure a follow-up owner"
    )]
    NoFollowUpOwner {
        /// The customer.
        customer: crate::id::CustomerId,
    },
}
