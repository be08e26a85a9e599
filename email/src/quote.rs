//! The new text of a reply: quoted history and signatures removed.
//!
//! Mail clients quote differently: Gmail, Apple Mail and Thunderbird write
//! an attribution line (`On Mon, 30 Nov 2026 at 09:00, Jane <…> wrote:`,
//! wrapped over two lines when long) and quote with `>`; Outlook writes a
//! header block (`From:` / `Sent:` / `To:` / `Subject:`, often under a rule
//! of underscores) or `-----Original Message-----` and quotes nothing.
//! Replies are mostly written above the history (top-posting); when the
//! history comes first (bottom-posting), the text after it is the new one.
//! A forward is kept whole: what was forwarded is the message.

/// The new text of a plain-text body. `forward` keeps the text whole
/// (but for the sender's signature above what was forwarded); a body with
/// a forwarded-message marker above any history is a forward too.
#[must_use]
pub fn new_text(text: &str, forward: bool) -> String {
    let text = text.replace("\r\n", "\n");
    let lines: Vec<&str> = text.lines().collect();
    let history = history_start(&lines);
    let marker = forward_marker(&lines);
    let forward = forward || marker.is_some_and(|f| history.is_none_or(|h| f <= h));
    let mut kept: Vec<&str> = if forward {
        lines.clone()
    } else {
        match history {
            Some(at) => {
                let (before, after) = lines.split_at(at);
                if before.iter().any(|l| !l.trim().is_empty()) {
                    before.to_vec()
                } else {
                    // Bottom-posted: skip the attribution, then the quote.
                    after
                        .iter()
                        .skip(attribution_lines(after))
                        .copied()
                        .filter(|l| !l.trim_start().starts_with('>'))
                        .collect()
                }
            }
            None => lines.clone(),
        }
    };
    if !forward {
        // A quote left at the end (no attribution line): drop it.
        while kept
            .last()
            .is_some_and(|l| l.trim().is_empty() || l.trim_start().starts_with('>'))
        {
            kept.pop();
        }
    }
    strip_signature(&mut kept);
    while kept.last().is_some_and(|l| l.trim().is_empty()) {
        kept.pop();
    }
    let first = kept
        .iter()
        .position(|l| !l.trim().is_empty())
        .unwrap_or(kept.len());
    kept.get(first..)
        .unwrap_or_default()
        .iter()
        .map(|l| l.trim_end())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether a plain text is a forward: a forwarded-message marker
/// (`---------- Forwarded message ---------`, `Begin forwarded message:`
/// and their translations) above any quoted history.
#[must_use]
pub fn is_forward(text: &str) -> bool {
    let text = text.replace("\r\n", "\n");
    let lines: Vec<&str> = text.lines().collect();
    forward_marker(&lines).is_some_and(|f| history_start(&lines).is_none_or(|h| f <= h))
}

/// The first line that opens a forwarded message, if any.
fn forward_marker(lines: &[&str]) -> Option<usize> {
    const MARKERS: [&str; 8] = [
        "forwarded message",
        "begin forwarded message:",
        "weitergeleitete nachricht",
        "anfang der weitergeleiteten nachricht:",
        "message transféré",
        "début du message réexpédié :",
        "mensaje reenviado",
        "doorgestuurd bericht",
    ];
    lines.iter().position(|line| {
        let l = line.trim();
        let bare = l
            .trim_matches(|c: char| c == '-' || c.is_whitespace())
            .to_lowercase();
        !l.starts_with('>') && MARKERS.iter().any(|m| bare == *m)
    })
}

/// The line where quoted history starts, if any.
fn history_start(lines: &[&str]) -> Option<usize> {
    lines.iter().enumerate().find_map(|(i, line)| {
        let l = line.trim();
        let rest = lines.get(i + 1..).unwrap_or_default();
        let is_start = is_attribution(l, rest)
            || is_original_message_rule(l)
            || is_header_block(lines.get(i..).unwrap_or_default());
        // Outlook draws a rule of underscores above its header block.
        if is_start {
            let rule_above = i > 0
                && lines
                    .get(i - 1)
                    .is_some_and(|p| p.trim().len() >= 10 && p.trim().chars().all(|c| c == '_'));
            Some(if rule_above { i - 1 } else { i })
        } else {
            None
        }
    })
}

/// How many lines the attribution at the start of `lines` spans (one, or
/// two when wrapped).
fn attribution_lines(lines: &[&str]) -> usize {
    let first = normal(lines.first().map_or("", |l| l.trim()));
    let next = lines.get(1).map_or("", |l| l.trim());
    let wrapped = !attribution_in(&first)
        && !next.is_empty()
        && !next.starts_with('>')
        && attribution_in(&normal(&format!("{first} {next}")));
    if wrapped { 2 } else { 1 }
}

/// White space as one plain space (clients put a no-break space before
/// the French colon, and wrap long lines anywhere).
fn normal(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c == '\u{a0}' || c == '\u{202f}')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The languages' attribution lines, on one line:
/// - `On … wrote:` (English), `Le … a écrit :` (French), `El …
///   escribió:` (Spanish), `Il … ha scritto:` (Italian), `Em … escreveu:`
///   (Portuguese);
/// - `Am … schrieb …:` (German) and `Op … schreef …:` (Dutch), whose verb
///   comes before the name.
fn attribution_in(line: &str) -> bool {
    const FORMS: [(&str, &str); 7] = [
        ("On ", "wrote:"),
        ("Le ", "a écrit :"),
        ("Le ", "a écrit:"),
        ("El ", "escribió:"),
        ("Il ", "ha scritto:"),
        ("Em ", "escreveu:"),
        ("Op ", "schreef:"),
    ];
    const VERB_FIRST: [(&str, &str); 2] = [("Am ", " schrieb "), ("Op ", " schreef ")];
    FORMS
        .iter()
        .any(|(open, close)| line.starts_with(open) && line.ends_with(close))
        || VERB_FIRST.iter().any(|(open, verb)| {
            line.starts_with(open) && line.contains(verb) && line.ends_with(':')
        })
        || (line.starts_with("Am ") && line.ends_with(" schrieb:"))
}

/// An attribution line at `line`: one of the languages' forms, on this
/// line or wrapped onto the next; or any line ending as an attribution
/// does (`Jane Doe <jane@…> wrote:`) right above a `>` quote.
fn is_attribution(line: &str, rest: &[&str]) -> bool {
    let one = normal(line);
    if one.is_empty() || one.starts_with('>') {
        return false;
    }
    if attribution_in(&one) {
        return true;
    }
    let next = rest.first().map_or("", |n| n.trim());
    if !next.is_empty()
        && !next.starts_with('>')
        && attribution_in(&normal(&format!("{one} {next}")))
    {
        return true;
    }
    const CLOSERS: [&str; 8] = [
        " wrote:",
        " a écrit :",
        " a écrit:",
        " schrieb:",
        " escribió:",
        " schreef:",
        " ha scritto:",
        " escreveu:",
    ];
    let quoted_below = rest
        .iter()
        .map(|l| l.trim())
        .find(|l| !l.is_empty())
        .is_some_and(|l| l.starts_with('>'));
    quoted_below && CLOSERS.iter().any(|c| one.ends_with(c))
}

fn is_original_message_rule(line: &str) -> bool {
    let l = line.trim_matches(|c: char| c == '-' || c.is_whitespace());
    line.starts_with("-----")
        && [
            "Original Message",
            "Ursprüngliche Nachricht",
            "Message d'origine",
            "Mensaje original",
            "Oorspronkelijk bericht",
            "Messaggio originale",
        ]
        .iter()
        .any(|m| l.eq_ignore_ascii_case(m))
}

/// Outlook's header block: a `From:` line followed, within three lines,
/// by `Sent:` or `Date:` and by `To:` or `Subject:` (and their German,
/// French, Spanish and Dutch names); or the same fields run together on
/// one line, as Outlook writes them when it flattens the block.
fn is_header_block(lines: &[&str]) -> bool {
    const FROM: [&str; 5] = ["From:", "Von:", "De :", "De:", "Van:"];
    const WHEN: [&str; 6] = [
        "Sent:",
        "Date:",
        "Gesendet:",
        "Envoyé :",
        "Enviado:",
        "Verzonden:",
    ];
    const WHAT: [&str; 9] = [
        "To:",
        "Subject:",
        "An:",
        "Betreff:",
        "À :",
        "Objet :",
        "Para:",
        "Asunto:",
        "Onderwerp:",
    ];
    let field = |l: &str, names: &[&str]| {
        let l = l.trim().trim_start_matches('*');
        names.iter().any(|n| l.starts_with(n))
    };
    let Some(first) = lines.first() else {
        return false;
    };
    if !field(first, &FROM) {
        return false;
    }
    // Flattened: `From: … Sent: … To: … Subject: …` on one line.
    let flat = normal(first).replace('*', "");
    let inside = |names: &[&str]| names.iter().any(|n| flat.contains(&format!(" {n} ")));
    if inside(&WHEN) && inside(&WHAT) {
        return true;
    }
    let rest = lines
        .get(1..4)
        .unwrap_or_else(|| lines.get(1..).unwrap_or_default());
    let when = rest.iter().any(|l| field(l, &WHEN));
    let what = rest.iter().any(|l| field(l, &WHAT));
    when && what
}

/// Cuts a signature: from a `-- ` delimiter line, or a mobile client's
/// trailer (`Sent from my iPhone`) at the end. A signature above a
/// forwarded message goes, and what was forwarded stays (its own
/// signature too: it is part of what was forwarded).
fn strip_signature(lines: &mut Vec<&str>) {
    let marker = forward_marker(lines);
    if let Some(at) = lines.iter().position(|l| *l == "-- " || *l == "--") {
        match marker {
            Some(f) if f > at => {
                lines.drain(at..f);
            }
            Some(_) => {}
            None => lines.truncate(at),
        }
    }
    if marker.is_some() {
        return;
    }
    const TRAILERS: [&str; 8] = [
        "Sent from my ",
        "Get Outlook for ",
        "Sent from Mail for Windows",
        "Sent from Yahoo Mail",
        "Sent from Outlook",
        "Von meinem iPhone gesendet",
        "Envoyé de mon iPhone",
        "Enviado desde mi iPhone",
    ];
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    if lines
        .last()
        .is_some_and(|l| TRAILERS.iter().any(|t| l.trim().starts_with(t)))
    {
        lines.pop();
    }
}

/// Where quoted history starts in an HTML body, by the markup common
/// clients wrap it in (Gmail, Apple Mail, Thunderbird, Outlook, Yahoo).
#[must_use]
pub fn html_history_start(html: &str) -> Option<usize> {
    const MARKERS: [&str; 8] = [
        "<div class=\"gmail_quote",
        "<blockquote type=\"cite\"",
        "<div class=\"moz-cite-prefix\"",
        "<div id=\"divrplyfwdmsg\"",
        "<div id=\"appendonsend\"",
        "<hr id=\"stopspelling\"",
        "<div class=\"yahoo_quoted\"",
        "<blockquote class=\"gmail_quote\"",
    ];
    let lower = html.to_ascii_lowercase();
    MARKERS.iter().filter_map(|m| lower.find(m)).min()
}

/// An HTML body as plain text: block elements end lines (which a bare
/// tag stripper runs together: `<div>Hello</div><div>Jane</div>`), tags
/// go, entities are decoded, runs of blank lines become one.
#[must_use]
pub fn html_to_text(html: &str) -> String {
    const BLOCKS: [&str; 16] = [
        "div",
        "p",
        "li",
        "tr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "table",
        "ul",
        "ol",
        "pre",
        "hr",
    ];
    let mut with_breaks = String::with_capacity(html.len() + html.len() / 8);
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        let (before, tag) = rest.split_at(at);
        with_breaks.push_str(before);
        let end = tag.find('>').map_or(tag.len(), |e| e + 1);
        let (whole, after) = tag.split_at(end);
        with_breaks.push_str(whole);
        let name: String = whole
            .trim_start_matches('<')
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        let closing = whole.starts_with("</") || name == "hr";
        if closing && BLOCKS.contains(&name.as_str()) {
            with_breaks.push_str("<br>");
        }
        rest = after;
    }
    with_breaks.push_str(rest);
    let text = mail_parser::decoders::html::html_to_text(&with_breaks);
    let mut out: Vec<&str> = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() && out.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        out.push(line);
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_posted_gmail_wrapped_attribution() {
        let t = "Thanks, that worked.\n\nOn Mon, Nov 30, 2026 at 10:00 AM Acme Support <\nsupport@acme.example> wrote:\n> Try restarting.\n";
        assert_eq!(new_text(t, false), "Thanks, that worked.");
    }

    #[test]
    fn bottom_posted() {
        let t = "On 30/11/2026 10:00, Acme Support wrote:\n> Try restarting.\n\nI did, still down.\n-- \nJane";
        assert_eq!(new_text(t, false), "I did, still down.");
    }

    #[test]
    fn outlook_header_block_and_mobile_trailer() {
        let t = "Still broken.\n\nSent from my iPhone\n\n________________________________\nFrom: Acme Support <support@acme.example>\nSent: Monday, November 30, 2026 10:00 AM\nTo: Jane <jane@x.example>\nSubject: RE: Site down\n\nTry restarting.";
        assert_eq!(new_text(t, false), "Still broken.");
        let o = "Yes.\n-----Original Message-----\nFrom: a\nblah";
        assert_eq!(new_text(o, false), "Yes.");
    }

    #[test]
    fn forward_kept_whole() {
        let t = "See below.\n\n---------- Forwarded message ---------\nFrom: Bob <bob@x.example>\nDate: Mon, 30 Nov 2026\nSubject: Invoice\nTo: Jane\n\nWrong amount.";
        assert_eq!(new_text(t, true), t);
    }

    #[test]
    fn a_signature_above_a_forward_goes_and_the_forward_stays() {
        let t = "Please look at this.\n\n-- \nJane Doe\nCustomer Ltd\n\n---------- Forwarded message ---------\nFrom: Bob <bob@x.example>\nDate: Mon, 30 Nov 2026\nSubject: Invoice\nTo: Jane\n\nWrong amount.\n-- \nBob";
        // Lines lose their trailing space: the forwarded delimiter too.
        let want = "Please look at this.\n\n---------- Forwarded message ---------\nFrom: Bob <bob@x.example>\nDate: Mon, 30 Nov 2026\nSubject: Invoice\nTo: Jane\n\nWrong amount.\n--\nBob";
        assert_eq!(new_text(t, true), want);
        // Without a Fwd: subject, the marker says it is a forward.
        assert_eq!(new_text(t, false), want);
        assert!(is_forward(t));
        // A forward quoted in a reply is history, not a forward.
        let r = "Done.\n\nOn Mon, 30 Nov 2026 at 10:00, Jane <j@x.example> wrote:\n> ---------- Forwarded message ---------\n> Wrong amount.";
        assert_eq!(new_text(r, false), "Done.");
        assert!(!is_forward(r));
    }

    #[test]
    fn attributions_in_other_languages_and_wrapped() {
        for (attribution, lang) in [
            (
                "Am 30.11.2026 um 10:00 schrieb Acme Support <support@acme.example>:",
                "de",
            ),
            (
                "Am Mo., 30. Nov. 2026 um 10:00 Uhr schrieb Acme Support\n<support@acme.example>:",
                "de wrapped",
            ),
            (
                "Le lun. 30 nov. 2026 à 10:00, Acme Support <support@acme.example> a\u{a0}écrit\u{a0}:",
                "fr",
            ),
            (
                "Le lun. 30 nov. 2026 à 10:00, Acme Support\n<support@acme.example> a écrit :",
                "fr wrapped",
            ),
            (
                "El lun, 30 nov 2026 a las 10:00, Acme Support (<support@acme.example>)\nescribió:",
                "es wrapped",
            ),
            (
                "El lun, 30 nov 2026 a las 10:00, Acme Support escribió:",
                "es",
            ),
            (
                "Op ma 30 nov. 2026 om 10:00 schreef Acme Support <support@acme.example>:",
                "nl",
            ),
            (
                "Op ma 30 nov. 2026 om 10:00 schreef Acme Support\n<support@acme.example>:",
                "nl wrapped",
            ),
            (
                "On Mon, Nov 30, 2026 at 10:00 AM Acme Support\n<support@acme.example> wrote:",
                "en wrapped",
            ),
            ("Acme Support <support@acme.example> wrote:", "en, no date"),
        ] {
            let top = format!("Still down.\n\n{attribution}\n> Try restarting.\n> Acme");
            assert_eq!(new_text(&top, false), "Still down.", "{lang}, top-posted");
            let bottom = format!("{attribution}\n> Try restarting.\n\nStill down.");
            assert_eq!(
                new_text(&bottom, false),
                "Still down.",
                "{lang}, bottom-posted"
            );
        }
        // A person's sentence that merely starts like one is kept.
        let t = "On Monday the site was down.\nAm I the only one?";
        assert_eq!(new_text(t, false), t);
    }

    #[test]
    fn outlook_flattened_header_block() {
        let t = "Fixed, thanks.\n\nFrom: Acme Support [mailto:support@acme.example] Sent: Monday, November 30, 2026 10:00 AM To: Jane Subject: RE: Site down\n\nTry restarting.";
        assert_eq!(new_text(t, false), "Fixed, thanks.");
        let d = "Erledigt.\n\nVon: Acme Support\nGesendet: Montag, 30. November 2026 10:00\nAn: Jane\nBetreff: AW: Site down\n\nBitte neu starten.";
        assert_eq!(new_text(d, false), "Erledigt.");
        let n = "Opgelost.\n\n-----Oorspronkelijk bericht-----\nVan: Acme Support\nVerzonden: maandag 30 november 2026 10:00\n\nHerstart.";
        assert_eq!(new_text(n, false), "Opgelost.");
    }

    #[test]
    fn html_markers() {
        assert_eq!(
            html_history_start("<p>Hi</p><DIV class=\"gmail_quote\">x"),
            Some(9)
        );
        assert_eq!(html_history_start("<p>Hi</p>"), None);
    }
}
