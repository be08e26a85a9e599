//! Roles: what an employee is, for what the permission table lets them do.

use std::fmt;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;
use unicode_security::confusable_detection;

use super::AgentError;

/// What an employee is, for what they may do: an agent can hold several
/// roles, and the desk's [`PermissionTable`](crate::permission::PermissionTable)
/// says which permissions each role grants. The built-in roles are the
/// ones support teams recognise; [`Role::Custom`] names a role of your own.
///
/// ```
/// use fanatical::agent::{Role, RoleName};
///
/// assert_eq!(Role::LightAgent.to_string(), "light agent");
/// let tier2 = Role::Custom(RoleName::new(" Tier 2 ")?);
/// assert_eq!(tier2.to_string(), "Tier 2");
/// // A custom role may not take a built-in role's name, or one like it.
/// assert!(RoleName::new("Admin").is_err());
/// assert!(RoleName::new("team-lead").is_err());
/// # Ok::<(), fanatical::agent::AgentError>(())
/// ```
///
/// Serialised as one string: the built-in roles by their snake-case names
/// (`"team_lead"`), a custom role as `"custom:<name>"`, so a role can key a
/// map in any format.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[non_exhaustive]
pub enum Role {
    /// Front-line support.
    Agent,
    /// Leads a team.
    TeamLead,
    /// Manages people.
    Manager,
    /// Owns customer accounts; sees spend.
    AccountManager,
    /// Billing; sees spend.
    Billing,
    /// Senior leadership, up to the CEO; sees spend.
    Executive,
    /// Trained to respond to a person in crisis; the only role that sees
    /// crisis details.
    SafetyResponder,
    /// Reads tickets and adds internal notes, nothing customers see
    /// (Zendesk's light agent: a colleague from another department).
    LightAgent,
    /// Runs the desk: people, roles and permissions, configuration.
    Admin,
    /// A role of your own, granted what the permission table says.
    Custom(RoleName),
}

impl Role {
    /// The built-in roles, in order.
    pub const BUILT_IN: [Role; 9] = [
        Role::Agent,
        Role::LightAgent,
        Role::TeamLead,
        Role::Manager,
        Role::Admin,
        Role::AccountManager,
        Role::Billing,
        Role::Executive,
        Role::SafetyResponder,
    ];

    /// Whether this role sees a customer's spend and tier under the
    /// default permission table. What a desk shows follows its own table
    /// ([`crate::permission::PermissionTable::defaults`] grants
    /// [`crate::permission::Permission::ViewSpend`] to these roles).
    #[must_use]
    pub fn sees_spend(&self) -> bool {
        matches!(self, Role::AccountManager | Role::Billing | Role::Executive)
    }
}

impl Role {
    fn serial(&self) -> &str {
        match self {
            Role::Agent => "agent",
            Role::TeamLead => "team_lead",
            Role::Manager => "manager",
            Role::AccountManager => "account_manager",
            Role::Billing => "billing",
            Role::Executive => "executive",
            Role::SafetyResponder => "safety_responder",
            Role::LightAgent => "light_agent",
            Role::Admin => "admin",
            Role::Custom(name) => name.as_str(),
        }
    }
}

impl From<Role> for String {
    fn from(role: Role) -> String {
        match &role {
            Role::Custom(name) => format!("custom:{name}"),
            other => other.serial().to_owned(),
        }
    }
}

impl TryFrom<String> for Role {
    type Error = AgentError;
    fn try_from(s: String) -> Result<Self, AgentError> {
        if let Some(name) = s.strip_prefix("custom:") {
            return RoleName::new(name).map(Role::Custom);
        }
        Role::BUILT_IN
            .iter()
            .find(|r| r.serial() == s)
            .cloned()
            .ok_or(AgentError::InvalidRoleName(s))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Agent => "agent",
            Role::TeamLead => "team lead",
            Role::Manager => "manager",
            Role::AccountManager => "account manager",
            Role::Billing => "billing",
            Role::Executive => "executive",
            Role::SafetyResponder => "safety responder",
            Role::LightAgent => "light agent",
            Role::Admin => "admin",
            Role::Custom(name) => name.as_str(),
        })
    }
}

/// The name of a custom role: 1 to 64 characters after trimming, no
/// control characters, and not a name that could be taken for a built-in
/// role's. Names are compared by their skeleton: compatibility forms made
/// plain (NFKC: mathematical letters such as `𝐀`, full-width forms, Roman
/// numerals such as `ⅰ`), small capitals (`ᴀ`) read as capitals, then the
/// confusables skeleton of Unicode's TR 39, which reads the look-alikes of
/// Latin letters in other scripts as the letters they look like (Cyrillic
/// `а` and palochka `ӏ`, Greek `ο`, `0` for `o`, `1`, `l`, `I` and `|`
/// alike, `rn` for `m`), case folded, with accents and combining marks
/// taken off and every character that is not a letter or digit left out
/// (spaces of any kind, `_`, `-`, `.`, zero-width characters). A few ASCII
/// signs written for letters count as those letters too (`4` and `@` for
/// `a`, `3` for `e`, `5` and `$` for `s`, `7` for `t`, `!` for `i`). So
/// `"Team_Lead"`, `"team-lead"`, `"TeamLead"`, `"ADM1N"`, `"аdmin"` (with
/// a Cyrillic `а`), `"𝐀𝐝𝐦𝐢𝐧"` and `"ᴀᴅᴍɪɴ"` are all taken, while
/// `"Billing 2"` is a name of its own.
///
/// ```
/// use fanatical::agent::{AgentError, Role, RoleName};
///
/// assert!(RoleName::new("tier 2").is_ok());
/// assert_eq!(
///     RoleName::new("Team_Lead"),
///     Err(AgentError::RoleNameTaken { name: "Team_Lead".into(), role: Role::TeamLead })
/// );
/// assert!(RoleName::new("\u{0430}dmin").is_err()); // Cyrillic а
/// assert!(RoleName::new("bi\u{04cf}\u{04cf}ing").is_err()); // palochka ӏ
/// assert!(RoleName::new("Billing 2").is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RoleName(String);

impl RoleName {
    /// A custom role's name.
    ///
    /// # Errors
    /// [`AgentError::InvalidRoleName`] for a blank or over-long name or a
    /// control character; [`AgentError::RoleNameTaken`] for a name whose
    /// skeleton is a built-in role's (see [`RoleName`]), naming the name
    /// and the role.
    pub fn new(name: impl AsRef<str>) -> Result<Self, AgentError> {
        let raw = name.as_ref();
        let name = raw.trim();
        if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
            return Err(AgentError::InvalidRoleName(raw.to_owned()));
        }
        let key = skeleton(name);
        if let Some(role) = Role::BUILT_IN
            .iter()
            .find(|r| skeleton(&r.to_string()) == key)
        {
            return Err(AgentError::RoleNameTaken {
                name: raw.to_owned(),
                role: role.clone(),
            });
        }
        Ok(RoleName(name.to_owned()))
    }

    /// The name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What two role names are compared by: the name as Unicode's confusable
/// detection (TR 39) reads it, once more case-blind, with marks and
/// everything that is not a letter or digit left out (see [`RoleName`]).
fn skeleton(name: &str) -> String {
    // Compatibility forms (𝐀, ａ, ⅰ, ℓ, no-break spaces) are their plain
    // letters; small capitals and ASCII signs read as letters are too.
    let plain: String = name.nfkc().map(small_capital).map(sign_as_letter).collect();
    // TR 39's skeleton is case-sensitive and maps `I`, `l`, `1` and `|`
    // to `l` but leaves `i` and `L`: take it of the upper case, then of
    // the lower case of that, so both cases meet.
    let upper: String = confusable_detection::skeleton(&plain.to_uppercase()).collect();
    confusable_detection::skeleton(&upper.to_lowercase())
        .nfd()
        .filter(|&c| !is_combining_mark(c) && c.is_alphanumeric())
        .collect()
}

/// The capital a Latin small capital letter (`ᴀ`, `ɪ`, `ʟ`) is drawn as,
/// or `c` itself: TR 39 does not list them as confusable with Latin
/// letters, yet `ᴀᴅᴍɪɴ` reads as ADMIN.
fn small_capital(c: char) -> char {
    match c {
        'ᴀ' => 'A',
        'ʙ' => 'B',
        'ᴄ' => 'C',
        'ᴅ' => 'D',
        'ᴇ' => 'E',
        'ꜰ' => 'F',
        'ɢ' => 'G',
        'ʜ' => 'H',
        'ɪ' => 'I',
        'ᴊ' => 'J',
        'ᴋ' => 'K',
        'ʟ' => 'L',
        'ᴍ' => 'M',
        'ɴ' => 'N',
        'ᴏ' => 'O',
        'ᴘ' => 'P',
        'ꞯ' => 'Q',
        'ʀ' => 'R',
        'ꜱ' => 'S',
        'ᴛ' => 'T',
        'ᴜ' => 'U',
        'ᴠ' => 'V',
        'ᴡ' => 'W',
        'ʏ' => 'Y',
        'ᴢ' => 'Z',
        other => other,
    }
}

/// The letter an ASCII digit or sign stands for in a name written the
/// way people dodge filters (`4dm!n`, `$afety`), or `c` itself. TR 39
/// covers look-alikes (`0`, `1`, `|`), not these.
fn sign_as_letter(c: char) -> char {
    match c {
        '3' => 'e',
        '4' | '@' => 'a',
        '5' | '$' => 's',
        '7' => 't',
        '!' => 'i',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_like_a_built_in_role_are_taken() {
        for (name, role) in [
            ("Admin", Role::Admin),
            (" team lead ", Role::TeamLead),
            ("Team_Lead", Role::TeamLead),
            ("team-lead", Role::TeamLead),
            ("TeamLead", Role::TeamLead),
            ("team  lead", Role::TeamLead),
            ("team\u{a0}lead", Role::TeamLead),
            ("team.lead", Role::TeamLead),
            ("te\u{200b}am lead", Role::TeamLead),
            ("ADM1N", Role::Admin),
            ("\u{0430}dmin", Role::Admin),
            ("ａｄｍｉｎ", Role::Admin),
            ("Ádmin", Role::Admin),
            ("adrnin", Role::Admin),
            ("light_agent", Role::LightAgent),
            ("Safety-Responder", Role::SafetyResponder),
            ("\u{0430}ccount manager", Role::AccountManager),
            ("Executive.", Role::Executive),
            ("bi11ing", Role::Billing),
            ("mаnаger", Role::Manager),
            ("Agent", Role::Agent),
            // Cyrillic palochka for l and I.
            ("bi\u{04cf}\u{04cf}ing", Role::Billing),
            ("\u{04cf}ight agent", Role::LightAgent),
            ("ADM\u{04c0}N", Role::Admin),
            ("adm\u{04cf}n", Role::Admin),
            // Roman numerals, small and capital.
            ("adm\u{2170}n", Role::Admin),
            ("ADM\u{2160}N", Role::Admin),
            ("bi\u{217c}\u{217c}ing", Role::Billing),
            // Mathematical bold, italic and double-struck letters.
            ("𝐀𝐝𝐦𝐢𝐧", Role::Admin),
            ("𝑇𝑒𝑎𝑚 𝐿𝑒𝑎𝑑", Role::TeamLead),
            ("𝕄𝕒𝕟𝕒𝕘𝕖𝕣", Role::Manager),
            // Small capitals.
            ("ᴀᴅᴍɪɴ", Role::Admin),
            ("ʙɪʟʟɪɴɢ", Role::Billing),
            ("ꜱᴀꜰᴇᴛʏ ʀᴇꜱᴘᴏɴᴅᴇʀ", Role::SafetyResponder),
            // Combining marks over, under and through letters.
            ("a\u{301}dmin", Role::Admin),
            ("ad\u{0323}mi\u{0308}n", Role::Admin),
            ("e\u{0336}xecutive", Role::Executive),
            ("a\u{301}\u{302}\u{303}gent", Role::Agent),
            // ASCII signs for letters.
            ("4dm!n", Role::Admin),
            ("$afety re5ponder", Role::SafetyResponder),
        ] {
            assert_eq!(
                RoleName::new(name),
                Err(AgentError::RoleNameTaken {
                    name: name.to_owned(),
                    role
                }),
                "{name:?}"
            );
        }
    }

    #[test]
    fn names_of_their_own_are_kept_as_given() {
        for name in [
            "tier 2",
            "Team lead (EMEA)",
            "agents",
            "QA reviewer",
            "admin 2",
            "Billing Ops",
            "Billing 2",
            "Billing II",
            "Billing ⅱ",
            "Agent Smith",
            "Manager's office",
            "Безопасность",
            "管理者",
            "Admins",
        ] {
            assert_eq!(
                RoleName::new(name).map(|n| n.as_str().to_owned()),
                Ok(name.to_owned())
            );
        }
        assert_eq!(
            RoleName::new("   "),
            Err(AgentError::InvalidRoleName("   ".into()))
        );
    }

    /// Cases: 256, or `FANATICAL_PROPTEST_CASES`.
    fn cases() -> u32 {
        std::env::var("FANATICAL_PROPTEST_CASES")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(256)
    }

    /// `c` (an ASCII letter or a space) written as one of its look-alikes:
    /// `how` picks which, the combining mark U+0300 + `mark` goes after it
    /// when `mark` is below 0x16, and a separator before it when `sep`
    /// says so.
    fn disguise(c: char, how: u8, mark: u8, sep: u8, out: &mut String) {
        const SMALL: &str = "abcdefghijklmnopqrstuvwyz";
        const CAPS: &str = "ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘꞯʀꜱᴛᴜᴠᴡʏᴢ";
        match sep % 5 {
            1 => out.push('_'),
            2 => out.push('-'),
            3 => out.push('\u{200b}'),
            _ => {}
        }
        if c == ' ' {
            out.push(if how.is_multiple_of(2) { ' ' } else { '\u{a0}' });
            return;
        }
        let lower = c.to_ascii_lowercase();
        let index = u32::from(lower) - u32::from('a');
        let cyrillic = match lower {
            'a' => Some('а'),
            'e' => Some('е'),
            'o' => Some('о'),
            'c' => Some('с'),
            'p' => Some('р'),
            'x' => Some('х'),
            'i' => Some('ӏ'),
            'l' => Some('ӏ'),
            _ => None,
        };
        let small = SMALL.find(lower).and_then(|i| CAPS.chars().nth(i));
        let d = match how % 7 {
            0 => Some(lower),
            1 => Some(lower.to_ascii_uppercase()),
            2 => char::from_u32(0x1D400 + index), // mathematical bold capital
            3 => char::from_u32(0x1D41A + index), // mathematical bold small
            4 => char::from_u32(0xFF41 + index),  // full-width small
            5 => cyrillic,
            _ => small,
        };
        out.push(d.unwrap_or(lower));
        if mark < 0x16 {
            // A combining mark from U+0300 to U+0315.
            out.push(char::from_u32(0x0300 + u32::from(mark)).unwrap_or('\u{301}'));
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(cases()))]

        /// A built-in role's name in any mix of cases, mathematical and
        /// full-width letters, Cyrillic look-alikes, small capitals,
        /// combining marks and separators is taken by that role.
        #[test]
        fn a_disguised_built_in_name_is_taken(
            role in 0..Role::BUILT_IN.len(),
            picks in proptest::collection::vec((0u8..7, 0u8..48, 0u8..8), 20),
        ) {
            let role = Role::BUILT_IN[role].clone();
            let plain = role.to_string();
            let mut name = String::new();
            for (c, (how, mark, sep)) in plain.chars().zip(picks) {
                disguise(c, how, mark, sep, &mut name);
            }
            proptest::prop_assert_eq!(
                RoleName::new(&name),
                Err(AgentError::RoleNameTaken { name: name.clone(), role }),
                "{:?}",
                name
            );
        }
    }

    #[test]
    fn a_look_alike_is_refused_when_read_from_the_record_too() {
        let read: Result<Role, _> = serde_json::from_str("\"custom:Team_Lead\"");
        assert!(read.is_err());
        let read: Result<Role, _> = serde_json::from_str("\"custom:tier 2\"");
        assert!(read.is_ok());
    }
}

validated_string!(RoleName, AgentError);
