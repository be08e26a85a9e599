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
/// (but for a trailing signature).
#[must_use]
pub fn new_text(text: &str, forward: bool) -> String {
    let text = text.replace("\r\n", "\n");
    let lines: Vec<&str> = text.lines().collect();
    let mut kept: Vec<&str> = if forward {
        lines.clone()
    } else {
        match history_start(&lines) {
            Some(at) => {
                let (before, after) = lines.split_at(at);
                if before.iter().any(|l| !l.trim().is_empty()) {
                    before.to_vec()
                } else {
                    // Bottom-posted: skip the attribution, then the quote.
                    after
                        .iter()
                        .skip(1)
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

/// The line where quoted history starts, if any.
fn history_start(lines: &[&str]) -> Option<usize> {
    lines.iter().enumerate().find_map(|(i, line)| {
        let l = line.trim();
        let next = lines.get(i + 1).map_or("", |n| n.trim());
        let is_start = is_attribution(l, next)
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

/// `On … wrote:` (and its French, German, Spanish, Dutch forms), on one
/// line or wrapped onto the next.
fn is_attribution(line: &str, next: &str) -> bool {
    const OPENERS: [&str; 6] = ["On ", "Le ", "Am ", "El ", "Op ", "Il "];
    const CLOSERS: [&str; 7] = [
        "wrote:",
        "a écrit :",
        "a écrit:",
        "schrieb:",
        "escribió:",
        "schreef:",
        "ha scritto:",
    ];
    if !OPENERS.iter().any(|o| line.starts_with(o)) {
        return false;
    }
    let ends = |s: &str| CLOSERS.iter().any(|c| s.ends_with(c)) || s.ends_with("schrieb");
    // German puts the verb before the name: `Am …, schrieb Jane <…>:`.
    ends(line)
        || (!next.is_empty() && ends(next))
        || (line.starts_with("Am ") && line.contains(" schrieb ") && line.ends_with(':'))
}

fn is_original_message_rule(line: &str) -> bool {
    let l = line.trim_matches(|c: char| c == '-' || c.is_whitespace());
    line.starts_with("-----")
        && [
            "Original Message",
            "Ursprüngliche Nachricht",
            "Message d'origine",
            "Mensaje original",
        ]
        .iter()
        .any(|m| l.eq_ignore_ascii_case(m))
}

/// Outlook's `From:` line followed, within three lines, by `Sent:` or
/// `Date:` and by `To:` or `Subject:` (and the German `Von:`/`Gesendet:`).
fn is_header_block(lines: &[&str]) -> bool {
    let field = |l: &str, names: &[&str]| {
        let l = l.trim().trim_start_matches('*');
        names.iter().any(|n| l.starts_with(n))
    };
    let Some(first) = lines.first() else {
        return false;
    };
    if !field(first, &["From:", "Von:", "De :", "De:"]) {
        return false;
    }
    let rest = lines
        .get(1..4)
        .unwrap_or_else(|| lines.get(1..).unwrap_or_default());
    let when = rest
        .iter()
        .any(|l| field(l, &["Sent:", "Date:", "Gesendet:", "Envoyé :", "Enviado:"]));
    let what = rest
        .iter()
        .any(|l| field(l, &["To:", "Subject:", "An:", "Betreff:", "À :", "Objet :"]));
    when && what
}

/// Cuts a signature: from a `-- ` delimiter line, or a mobile client's
/// trailer (`Sent from my iPhone`) at the end.
fn strip_signature(lines: &mut Vec<&str>) {
    if let Some(at) = lines.iter().position(|l| *l == "-- " || *l == "--") {
        lines.truncate(at);
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
    fn html_markers() {
        assert_eq!(
            html_history_start("<p>Hi</p><DIV class=\"gmail_quote\">x"),
            Some(9)
        );
        assert_eq!(html_history_start("<p>Hi</p>"), None);
    }
}
