//! NPS and CSAT arithmetic.

use serde::{Deserialize, Serialize};

use super::{Rating, SurveyError};

/// Where an NPS answer puts a respondent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NpsCategory {
    /// 9 or 10.
    Promoter,
    /// 7 or 8.
    Passive,
    /// 0 to 6.
    Detractor,
}

impl NpsCategory {
    /// The category of a score.
    ///
    /// # Errors
    /// [`SurveyError::ScoreOutOfRange`] above 10.
    pub fn of(score: u8) -> Result<Self, SurveyError> {
        match score {
            0..=6 => Ok(NpsCategory::Detractor),
            7 | 8 => Ok(NpsCategory::Passive),
            9 | 10 => Ok(NpsCategory::Promoter),
            _ => Err(SurveyError::ScoreOutOfRange(score)),
        }
    }
}

/// Net promoter score tallies.
///
/// # Example
/// ```
/// use fanatical::survey::Nps;
/// let nps = Nps::from_scores([10, 9, 8, 3])?;
/// assert_eq!(nps.score(), Some(25.0)); // (2 - 1) / 4
/// assert!(Nps::from_scores([11]).is_err());
/// # Ok::<(), fanatical::survey::SurveyError>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Nps {
    /// Scores of 9 and 10.
    pub promoters: u32,
    /// Scores of 7 and 8.
    pub passives: u32,
    /// Scores of 0 to 6.
    pub detractors: u32,
}

impl Nps {
    /// Tallies scores.
    ///
    /// # Errors
    /// [`SurveyError::ScoreOutOfRange`] for a score above 10 (nothing is
    /// tallied).
    ///
    /// ```
    /// use fanatical::survey::Nps;
    /// let nps = Nps::from_scores([10, 9, 9, 8, 3])?; // 3 promoters, 1 passive, 1 detractor
    /// assert_eq!(nps.score(), Some(40.0));
    /// assert!(Nps::from_scores([11]).is_err()); // 0 to 10 only
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_scores(scores: impl IntoIterator<Item = u8>) -> Result<Self, SurveyError> {
        let mut n = Nps::default();
        for s in scores {
            n.add(s)?;
        }
        Ok(n)
    }

    /// Adds one score.
    ///
    /// # Errors
    /// [`SurveyError::ScoreOutOfRange`] above 10.
    pub fn add(&mut self, score: u8) -> Result<NpsCategory, SurveyError> {
        let c = NpsCategory::of(score)?;
        match c {
            NpsCategory::Promoter => self.promoters += 1,
            NpsCategory::Passive => self.passives += 1,
            NpsCategory::Detractor => self.detractors += 1,
        }
        Ok(c)
    }

    /// How many responses.
    #[must_use]
    pub fn responses(&self) -> u32 {
        self.promoters + self.passives + self.detractors
    }

    /// The net promoter score, from -100 to 100 (`None` with no
    /// responses): the share of promoters minus the share of detractors.
    #[must_use]
    pub fn score(&self) -> Option<f64> {
        let n = self.responses();
        (n > 0).then(|| {
            100.0 * (f64::from(self.promoters) - f64::from(self.detractors)) / f64::from(n)
        })
    }

    /// Two tallies together (waves into a quarter, segments into a total).
    #[must_use]
    pub fn merge(self, other: Nps) -> Nps {
        Nps {
            promoters: self.promoters + other.promoters,
            passives: self.passives + other.passives,
            detractors: self.detractors + other.detractors,
        }
    }
}

/// CSAT tallies: the share of satisfied answers (excellent or good) among
/// rated ones; N/A does not count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Csat {
    /// Excellent or good.
    pub satisfied: u32,
    /// Rated (not N/A).
    pub rated: u32,
}

impl Csat {
    /// Tallies ratings.
    #[must_use]
    pub fn from_ratings(ratings: impl IntoIterator<Item = Rating>) -> Self {
        let mut c = Csat::default();
        for r in ratings {
            c.add(r);
        }
        c
    }
    /// Adds one rating.
    pub fn add(&mut self, r: Rating) {
        if let Some(points) = r.points() {
            self.rated += 1;
            if points >= 4 {
                self.satisfied += 1;
            }
        }
    }
    /// Percent satisfied (`None` with nothing rated).
    #[must_use]
    pub fn percent(&self) -> Option<f64> {
        (self.rated > 0).then(|| 100.0 * f64::from(self.satisfied) / f64::from(self.rated))
    }
}
