//! The `email_parse` fuzz target's body under proptest: mutated corpus
//! mails and arbitrary bytes (cargo-fuzz runs the same body for longer:
//! `fuzz/run.sh`).

mod common {
    pub mod fuzz_parse;
}

use proptest::prelude::*;

fn corpus() -> &'static [Vec<u8>] {
    static CORPUS: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    CORPUS.get_or_init(read_corpus)
}

fn read_corpus() -> Vec<Vec<u8>> {
    let dir = format!("{}/tests/corpus", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect()
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Cut(usize, usize),
    Repeat(usize, usize),
    Insert(usize, &'static str),
}

fn arb_mutations() -> impl Strategy<Value = Vec<Mutation>> {
    let nasty = prop::sample::select(vec![
        "\r\n\r\n",
        "\r\n--",
        "Content-Type: multipart/report; report-type=delivery-status; boundary=x\r\n",
        "Content-Type: message/rfc822\r\n\r\n",
        "Content-Transfer-Encoding: base64\r\n",
        "=?utf-8?B?",
        "=?Shift_JIS?Q?=82=A0?=",
        "In-Reply-To: <0.0@desk.acme.example>\r\n",
        "[#ffffffffffffffffffffffffffffffff]",
        "> ",
        "On Mon wrote:\r\n",
        "<div class=\"gmail_quote\">",
        "&#xFFFFFFFF;",
        "\u{0}",
    ]);
    prop::collection::vec(
        prop_oneof![
            (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
            (any::<usize>(), 0usize..64).prop_map(|(i, n)| Mutation::Cut(i, n)),
            (any::<usize>(), 0usize..64).prop_map(|(i, n)| Mutation::Repeat(i, n)),
            (any::<usize>(), nasty).prop_map(|(i, s)| Mutation::Insert(i, s)),
        ],
        0..6,
    )
}

fn mutate(mut doc: Vec<u8>, ms: &[Mutation]) -> Vec<u8> {
    for m in ms {
        if doc.is_empty() {
            break;
        }
        match *m {
            Mutation::Flip(i, b) => {
                let i = i % doc.len();
                doc[i] = b;
            }
            Mutation::Cut(i, n) => {
                let i = i % doc.len();
                let end = (i + n).min(doc.len());
                doc.drain(i..end);
            }
            Mutation::Repeat(i, n) => {
                let i = i % doc.len();
                let end = (i + n).min(doc.len());
                let piece = doc[i..end].to_vec();
                doc.splice(i..i, piece);
            }
            Mutation::Insert(i, s) => {
                let i = i % doc.len();
                doc.splice(i..i, s.bytes());
            }
        }
    }
    doc
}

fn cases() -> ProptestConfig {
    let n = std::env::var("FANATICAL_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    ProptestConfig::with_cases(n)
}

proptest! {
    #![proptest_config(cases())]

    #[test]
    fn mutated_corpus_mails(pick in any::<prop::sample::Index>(), ms in arb_mutations()) {
        let docs = corpus();
        let doc = pick.get(docs).clone();
        common::fuzz_parse::email_parse(&mutate(doc, &ms));
    }

    #[test]
    fn arbitrary_bytes(data in prop::collection::vec(any::<u8>(), 0..512)) {
        common::fuzz_parse::email_parse(&data);
    }

    #[test]
    fn arbitrary_headers_and_text(
        headers in prop::collection::vec("[A-Za-z-]{1,12}: [ -~]{0,40}", 0..8),
        body in "[ -~\r\n>]{0,200}",
    ) {
        let mail = format!("{}\r\n\r\n{body}", headers.join("\r\n"));
        common::fuzz_parse::email_parse(mail.as_bytes());
    }
}
