//! Personal details that make service personal, and the money that must not
//! change how anyone is treated.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::id::{AgentId, ContactId};

/// How a family member relates to the contact.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// Husband, wife or spouse.
    Spouse,
    /// Partner.
    Partner,
    /// Son or daughter.
    Child,
    /// Mother or father.
    Parent,
    /// Brother or sister.
    Sibling,
    /// A pet is family too.
    Pet,
    /// Anything else, in the contact's words.
    Other(String),
}

impl fmt::Display for Relation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Relation::Spouse => f.write_str("spouse"),
            Relation::Partner => f.write_str("partner"),
            Relation::Child => f.write_str("child"),
            Relation::Parent => f.write_str("parent"),
            Relation::Sibling => f.write_str("sibling"),
            Relation::Pet => f.write_str("pet"),
            Relation::Other(s) => f.write_str(s),
        }
    }
}

/// A member of a contact's family, remembered with consent.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FamilyMember {
    /// Their name.
    pub name: String,
    /// How they relate to the contact.
    pub relation: Relation,
}

/// Something a contact cares about: "favourite team" → "San Antonio Spurs".
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Interest {
    /// What kind of interest, for example `favourite team` or `hobby`.
    pub topic: String,
    /// The interest itself.
    pub detail: String,
}

/// The personal side of a contact: only ever written after consent, erased
/// when consent is withdrawn.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalProfile {
    /// Family members' names and relations.
    pub family: Vec<FamilyMember>,
    /// Interests.
    pub interests: Vec<Interest>,
}

impl PersonalProfile {
    /// True when nothing personal is held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.family.is_empty() && self.interests.is_empty()
    }
}

/// Who recorded a consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", content = "id", rename_all = "snake_case")]
pub enum ConsentSource {
    /// The contact gave it themselves (portal, email link).
    Contact(ContactId),
    /// An agent recorded the contact's spoken consent.
    Agent(AgentId),
}

/// A standing consent to keep personal details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    /// When it was given.
    pub given_at: DateTime<Utc>,
    /// Who recorded it.
    pub source: ConsentSource,
}

/// An ISO 4217 currency code such as `USD`. Its `Debug` is `Currency(USD)`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    /// A currency from its three-letter code (case-insensitive).
    ///
    /// # Errors
    /// [`super::CustomerError::InvalidCurrency`] unless it is three ASCII letters.
    pub fn new(code: &str) -> Result<Self, super::CustomerError> {
        match code.trim().as_bytes() {
            [a, b, c] if [a, b, c].iter().all(|x| x.is_ascii_alphabetic()) => Ok(Currency([
                a.to_ascii_uppercase(),
                b.to_ascii_uppercase(),
                c.to_ascii_uppercase(),
            ])),
            _ => Err(super::CustomerError::InvalidCurrency(code.to_owned())),
        }
    }
}

impl TryFrom<String> for Currency {
    type Error = super::CustomerError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Currency::new(&value)
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> Self {
        c.to_string()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{}", char::from(b))?;
        }
        Ok(())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Currency({self})")
    }
}

/// An amount of money in minor units (cents).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Money {
    /// Amount in minor units: 1000 is ten dollars.
    pub minor: i64,
    /// The currency.
    pub currency: Currency,
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        write!(f, "{sign}{}.{:02} {}", abs / 100, abs % 100, self.currency)
    }
}

/// A commercial tier. Like spend, hidden from agent-facing views.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// Self-service and small accounts.
    Standard,
    /// Mid-sized accounts.
    Business,
    /// Large accounts.
    Enterprise,
}

/// Spend and tier: what billing and account management need, and what an
/// agent must never see ("agents see the customer, not the invoice").
///
/// Its `Debug` output is redacted so it cannot leak into logs.
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountStanding {
    /// Monthly recurring spend.
    pub monthly_spend: Money,
    /// Commercial tier.
    pub tier: Tier,
}

impl AccountStanding {
    /// The most monthly spend the desk accepts, in minor units: 10^14, a
    /// trillion in major units, above any real monthly contract in any
    /// currency. More is a typo or bad data, and credits computed from it
    /// would be absurd.
    pub const MAX_MONTHLY_SPEND_MINOR: i64 = 100_000_000_000_000;

    /// Checks the spend: from zero to
    /// [`AccountStanding::MAX_MONTHLY_SPEND_MINOR`].
    ///
    /// # Errors
    /// [`super::CustomerError::NegativeSpend`],
    /// [`super::CustomerError::SpendAboveLimit`].
    ///
    /// ```
    /// use fanatical::customer::{AccountStanding, Currency, CustomerError, Money, Tier};
    /// let usd = Currency::new("USD")?;
    /// let at = |minor| AccountStanding { monthly_spend: Money { minor, currency: usd }, tier: Tier::Business };
    /// assert!(at(AccountStanding::MAX_MONTHLY_SPEND_MINOR).validate().is_ok());
    /// assert!(matches!(at(-1).validate(), Err(CustomerError::NegativeSpend(_))));
    /// assert!(matches!(at(AccountStanding::MAX_MONTHLY_SPEND_MINOR + 1).validate(),
    ///     Err(CustomerError::SpendAboveLimit(_))));
    /// # Ok::<(), CustomerError>(())
    /// ```
    pub fn validate(&self) -> Result<(), super::CustomerError> {
        let spend = self.monthly_spend;
        if spend.minor < 0 {
            return Err(super::CustomerError::NegativeSpend(spend));
        }
        if spend.minor > Self::MAX_MONTHLY_SPEND_MINOR {
            return Err(super::CustomerError::SpendAboveLimit(spend));
        }
        Ok(())
    }
}

impl fmt::Debug for AccountStanding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccountStanding(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currency_debug_reads_as_its_code() {
        let usd = Currency::new("usd").unwrap();
        assert_eq!(format!("{usd:?}"), "Currency(USD)");
        let price = Money {
            minor: 1000,
            currency: usd,
        };
        assert_eq!(
            format!("{price:?}"),
            "Money { minor: 1000, currency: Currency(USD) }"
        );
    }
}
