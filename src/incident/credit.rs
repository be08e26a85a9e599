//! Credits for downtime: the measured time in each bad state, the policies
//! that turn it into money, and the configured refund reasons.
//!
//! A [`Credit`] is the record, amount and all, for trusted code (billing).
//! What people read is a [`CreditView`]: the amount only for a viewer whose
//! roles see spend ([`crate::agent::SpendAccess`]). A customer whose credit
//! cannot be computed (a negative or absurd spend on record) is held back
//! on its own ([`CreditHeld`]), never holding up the others' credits.

use std::collections::BTreeMap;
use std::fmt;

use chrono::Duration;
use serde::{Deserialize, Serialize};

use super::IncidentError;
use crate::agent::SpendAccess;
use crate::customer::{AccountStanding, Money, Tier};
use crate::id::CustomerId;
use crate::text::one_word;
use crate::time;

configured_seconds!(grace_seconds: "credit grace" from 0);

/// A credit for one customer: the record, for trusted code. People read
/// it as a [`CreditView`] ([`Credit::view`]).
///
/// Its `Debug` output leaves the amount out, so it cannot leak into logs.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credit {
    /// The customer.
    pub customer: CustomerId,
    /// The measured downtime it is for.
    pub downtime: Downtime,
    /// The amount.
    pub amount: Money,
    /// Why, as a configured reason code. Shown to every role, so a code
    /// must not name a tier or an amount (`sla-outage`, not
    /// `enterprise-sla`).
    pub reason: ReasonCode,
}

impl fmt::Debug for Credit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credit")
            .field("customer", &self.customer)
            .field("downtime", &self.downtime)
            .field("amount", &format_args!("<redacted>"))
            .field("reason", &self.reason)
            .finish()
    }
}

impl Credit {
    /// The credit as a viewer with `access` may see it: the amount only
    /// when [`SpendAccess::Shown`].
    ///
    /// ```
    /// use chrono::Duration;
    /// use fanatical::agent::SpendAccess;
    /// use fanatical::customer::{Currency, Money};
    /// use fanatical::id::CustomerId;
    /// use fanatical::incident::{Credit, Downtime, ReasonCode};
    /// let credit = Credit {
    ///     customer: CustomerId::from_uuid(uuid::Uuid::from_u128(1)),
    ///     downtime: Downtime { major: Duration::hours(1), ..Downtime::default() },
    ///     amount: Money { minor: 7_500, currency: Currency::new("USD")? },
    ///     reason: ReasonCode::new("sla-outage")?,
    /// };
    /// assert_eq!(credit.view(SpendAccess::Shown).amount, Some(credit.amount));
    /// let seen = credit.view(SpendAccess::Hidden);
    /// assert_eq!(seen.amount, None);
    /// assert_eq!(seen.downtime, credit.downtime); // the outage is no secret
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn view(&self, access: SpendAccess) -> CreditView {
        CreditView {
            customer: self.customer,
            downtime: self.downtime,
            amount: access.reveal(self.amount),
            reason: self.reason.clone(),
        }
    }
}

/// A credit as one viewer may see it: who, for how long down, and why for
/// everyone; the amount only for a viewer whose roles see spend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CreditView {
    /// The customer.
    pub customer: CustomerId,
    /// The measured downtime it is for.
    pub downtime: Downtime,
    /// The amount: `None` for a viewer who may not see spend.
    pub amount: Option<Money>,
    /// Why, as a configured reason code.
    pub reason: ReasonCode,
}

/// Why a customer's credit could not be computed. It names no figure, so
/// anyone may read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CreditProblem {
    /// The monthly spend on record is negative.
    #[error("the monthly spend on record is negative")]
    NegativeSpend,
    /// The monthly spend on record is above
    /// [`AccountStanding::MAX_MONTHLY_SPEND_MINOR`].
    #[error("the monthly spend on record is above the limit")]
    SpendAboveLimit,
    /// The policy for the customer's tier is invalid.
    #[error("the credit policy for the customer's tier is invalid")]
    InvalidPolicy,
}

/// A customer whose credit is held back for a person to look at; the other
/// customers' credits go ahead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CreditHeld {
    /// The customer.
    pub customer: CustomerId,
    /// Why.
    pub problem: CreditProblem,
}

/// The credits an incident's customers are due, as one viewer may see
/// them (`desk.incidents().credits_due(..)`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CreditsDue {
    /// The credits that would be issued, amounts only for viewers who see
    /// spend.
    pub credits: Vec<CreditView>,
    /// Customers whose credit could not be computed: not issued until
    /// their standing is fixed.
    pub held: Vec<CreditHeld>,
}

/// Time a customer spent in each bad state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Downtime {
    /// In major outage.
    #[serde(with = "crate::time::seconds")]
    pub major: Duration,
    /// In partial outage.
    #[serde(with = "crate::time::seconds")]
    pub partial: Duration,
    /// Degraded.
    #[serde(with = "crate::time::seconds")]
    pub degraded: Duration,
}

impl Default for Downtime {
    fn default() -> Self {
        Downtime {
            major: Duration::zero(),
            partial: Duration::zero(),
            degraded: Duration::zero(),
        }
    }
}

impl Downtime {
    /// All time in any bad state.
    #[must_use]
    pub fn total(&self) -> Duration {
        time::sum(time::sum(self.major, self.partial), self.degraded)
    }
}

/// A refund or credit reason code (`sla-outage`, `goodwill`): one word.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReasonCode(String);

impl ReasonCode {
    /// A reason code.
    ///
    /// # Errors
    /// [`IncidentError::InvalidReason`] for blank text, white space inside,
    /// or more than 100 characters.
    pub fn new(code: &str) -> Result<Self, IncidentError> {
        one_word(code)
            .map(ReasonCode)
            .ok_or_else(|| IncidentError::InvalidReason(code.to_owned()))
    }
    /// The code.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

validated_string!(ReasonCode, IncidentError);

/// How credits are computed from downtime.
///
/// `credit = monthly fee × rate × weighted hours`, where weighted hours
/// count major outage fully and partial outage and degradation at their
/// weights, capped at `cap` of the monthly fee; nothing when the total
/// time in any bad state is within the grace period. Rates and caps are
/// in basis points (1/100 of a percent) of the monthly fee; amounts are
/// rounded down to the minor unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditPolicy {
    /// The reason code credits under this policy carry.
    pub reason: ReasonCode,
    /// Basis points of the monthly fee per hour of major outage.
    pub rate_bp_per_hour: i64,
    /// At most this many basis points of the monthly fee.
    pub cap_bp: i64,
    /// Weight of partial outage, percent (default 50).
    #[serde(default = "default_partial_weight")]
    pub partial_weight_percent: i64,
    /// Weight of degraded performance, percent (default 0).
    #[serde(default)]
    pub degraded_weight_percent: i64,
    /// Downtime up to this long earns nothing (default none).
    #[serde(default = "Duration::zero", with = "grace_seconds")]
    pub grace: Duration,
}

fn default_partial_weight() -> i64 {
    50
}

impl CreditPolicy {
    /// A policy with the default weights and no grace period.
    ///
    /// # Errors
    /// As [`CreditPolicy::validate`].
    pub fn new(
        reason: ReasonCode,
        rate_bp_per_hour: i64,
        cap_bp: i64,
    ) -> Result<Self, IncidentError> {
        let p = CreditPolicy {
            reason,
            rate_bp_per_hour,
            cap_bp,
            partial_weight_percent: default_partial_weight(),
            degraded_weight_percent: 0,
            grace: Duration::zero(),
        };
        p.validate()?;
        Ok(p)
    }

    /// Checks the numbers.
    ///
    /// # Errors
    /// [`IncidentError::NegativeRate`], [`IncidentError::NegativeCap`],
    /// [`IncidentError::InvalidWeight`], [`IncidentError::Duration`] for a
    /// grace period that is negative or over 100 years.
    pub fn validate(&self) -> Result<(), IncidentError> {
        if self.rate_bp_per_hour < 0 {
            return Err(IncidentError::NegativeRate(self.rate_bp_per_hour));
        }
        if self.cap_bp < 0 {
            return Err(IncidentError::NegativeCap(self.cap_bp));
        }
        for (what, got) in [
            ("partial outage", self.partial_weight_percent),
            ("degraded", self.degraded_weight_percent),
        ] {
            if !(0..=100).contains(&got) {
                return Err(IncidentError::InvalidWeight { what, got });
            }
        }
        time::check_configured("credit grace", self.grace)?;
        Ok(())
    }

    /// The most this policy credits on `fee`.
    ///
    /// # Errors
    /// As [`CreditPolicy::credit`].
    pub fn cap(&self, fee: Money) -> Result<Money, IncidentError> {
        self.validate()?;
        if fee.minor < 0 {
            return Err(IncidentError::NegativeFee(fee));
        }
        let cap = i128::from(fee.minor) * i128::from(self.cap_bp) / 10_000;
        Ok(Money {
            minor: i64::try_from(cap).unwrap_or(i64::MAX),
            currency: fee.currency,
        })
    }

    /// The credit for `downtime` on a monthly `fee`; never more than
    /// [`CreditPolicy::cap`], never negative.
    ///
    /// # Errors
    /// An invalid policy; [`IncidentError::NegativeFee`].
    ///
    /// ```
    /// use chrono::Duration;
    /// use fanatical::customer::{Currency, Money};
    /// use fanatical::incident::{CreditPolicy, Downtime, ReasonCode};
    /// // 5% of the monthly fee per hour of major outage, at most the whole fee.
    /// let policy = CreditPolicy::new(ReasonCode::new("sla-outage")?, 500, 10_000)?;
    /// let fee = Money { minor: 100_000, currency: Currency::new("USD")? };
    /// let two_hours = Downtime { major: Duration::hours(2), partial: Duration::zero(), degraded: Duration::zero() };
    /// assert_eq!(policy.credit(fee, &two_hours)?.minor, 10_000); // 10% of 1,000.00
    /// let a_month = Downtime { major: Duration::days(30), ..two_hours };
    /// assert_eq!(policy.credit(fee, &a_month)?.minor, 100_000); // capped
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn credit(&self, fee: Money, downtime: &Downtime) -> Result<Money, IncidentError> {
        let cap = self.cap(fee)?;
        if downtime.total() <= self.grace {
            return Ok(Money {
                minor: 0,
                currency: fee.currency,
            });
        }
        let secs = |d: Duration| i128::from(d.num_seconds().max(0));
        // Weighted seconds × 100 (the weights are percents).
        let weighted = secs(downtime.major) * 100
            + secs(downtime.partial) * i128::from(self.partial_weight_percent)
            + secs(downtime.degraded) * i128::from(self.degraded_weight_percent);
        let raw = i128::from(fee.minor)
            .saturating_mul(i128::from(self.rate_bp_per_hour))
            .saturating_mul(weighted)
            / (10_000 * 3_600 * 100);
        let minor = i64::try_from(raw).unwrap_or(i64::MAX).min(cap.minor).max(0);
        Ok(Money {
            minor,
            currency: fee.currency,
        })
    }
}

/// Refund reasons and which policy applies to which contract.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreditConfig {
    /// The refund reasons, by code, with what each means. Data, not code:
    /// finance can add one without a release.
    #[serde(default)]
    pub reasons: BTreeMap<ReasonCode, String>,
    /// The policy for each contract tier.
    #[serde(default)]
    pub by_tier: BTreeMap<Tier, CreditPolicy>,
    /// The policy for customers whose tier has none.
    #[serde(default)]
    pub default: Option<CreditPolicy>,
}

impl CreditConfig {
    /// With a refund reason.
    ///
    /// # Errors
    /// [`IncidentError::InvalidReason`].
    pub fn with_reason(mut self, code: &str, meaning: &str) -> Result<Self, IncidentError> {
        self.reasons
            .insert(ReasonCode::new(code)?, meaning.trim().to_owned());
        Ok(self)
    }
    /// With the policy for a tier.
    ///
    /// # Errors
    /// An invalid policy or one citing an unknown reason.
    pub fn with_tier(mut self, tier: Tier, policy: CreditPolicy) -> Result<Self, IncidentError> {
        self.check(&policy)?;
        self.by_tier.insert(tier, policy);
        Ok(self)
    }
    /// With the default policy.
    ///
    /// # Errors
    /// An invalid policy or one citing an unknown reason.
    pub fn with_default(mut self, policy: CreditPolicy) -> Result<Self, IncidentError> {
        self.check(&policy)?;
        self.default = Some(policy);
        Ok(self)
    }
    /// The policy for a tier.
    #[must_use]
    pub fn policy_for(&self, tier: Tier) -> Option<&CreditPolicy> {
        self.by_tier.get(&tier).or(self.default.as_ref())
    }

    /// One customer's credit for `downtime` under the policy for its tier:
    /// `None` when its tier has no policy or nothing is due.
    ///
    /// # Errors
    /// [`CreditProblem`] for a spend on record that is negative or above
    /// [`AccountStanding::MAX_MONTHLY_SPEND_MINOR`] (an old record, or data
    /// loaded around the checks), or an invalid policy: the credit is held
    /// back for a person, and only this customer's.
    pub fn credit_for(
        &self,
        customer: CustomerId,
        standing: &AccountStanding,
        downtime: Downtime,
    ) -> Result<Option<Credit>, CreditProblem> {
        let Some(policy) = self.policy_for(standing.tier) else {
            return Ok(None);
        };
        let spend = standing.monthly_spend;
        if spend.minor < 0 {
            return Err(CreditProblem::NegativeSpend);
        }
        if spend.minor > AccountStanding::MAX_MONTHLY_SPEND_MINOR {
            return Err(CreditProblem::SpendAboveLimit);
        }
        let amount = policy
            .credit(spend, &downtime)
            .map_err(|_| CreditProblem::InvalidPolicy)?;
        Ok((amount.minor > 0).then(|| Credit {
            customer,
            downtime,
            amount,
            reason: policy.reason.clone(),
        }))
    }
    /// Checks every policy (a deserialized config skips the builders).
    ///
    /// # Errors
    /// The first invalid policy's error.
    pub fn validate(&self) -> Result<(), IncidentError> {
        for p in self.by_tier.values().chain(self.default.as_ref()) {
            self.check(p)?;
        }
        Ok(())
    }
    fn check(&self, p: &CreditPolicy) -> Result<(), IncidentError> {
        p.validate()?;
        if !self.reasons.contains_key(&p.reason) {
            return Err(IncidentError::UnknownReason(p.reason.clone()));
        }
        Ok(())
    }
}
