//! Randomised robustness: garbled and random requests for every service model
//! and protocol must decode to input or to an AWS error, never panic.

use bytes::Bytes;
use stratus_protocol::model::Protocol;
use stratus_protocol::{HttpRequest, decode, encode, generated, router};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const FRAGMENTS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "\"",
    ":",
    ",",
    "null",
    "true",
    "1e999",
    "-0",
    "\"TableName\"",
    "\"Key\"",
    "<",
    ">",
    "</",
    "<Tagging>",
    "&amp;",
    "&#x0;",
    "Action=",
    "&",
    "=",
    ".member.",
    ".1",
    ".entry.",
    "%",
    "%ZZ",
    "\u{0}",
    "é",
    "\\u0000",
    "ab",
    "Name",
    "Tags",
    "9999999999999999999999",
    "..",
    "/",
    "?",
    "{Bucket}",
];

fn garble(rng: &mut Rng) -> String {
    let n = rng.below(24);
    (0..n).map(|_| rng.pick(FRAGMENTS)).collect()
}

#[test]
fn random_requests_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for round in 0..6000 {
        let model = generated::ALL[round % generated::ALL.len()];
        let op = &model.operations[rng.below(model.operations.len())];
        let mut headers = http::HeaderMap::new();
        if let Some(prefix) = model.target_prefix {
            let target = if rng.below(4) == 0 { garble(&mut rng) } else { format!("{prefix}.{}", op.name) };
            if let Ok(v) = target.parse() {
                headers.insert("x-amz-target", v);
            }
        }
        let form = format!("Action={}&Version={}&{}", op.name, model.api_version, garble(&mut rng));
        let body = match rng.below(3) {
            0 => garble(&mut rng).into_bytes(),
            1 => form.into_bytes(),
            _ => (0..rng.below(64)).map(|_| rng.next() as u8).collect(),
        };
        let path = if rng.below(2) == 0 {
            op.request_uri.split('?').next().unwrap_or("/").replace('{', "x").replace('}', "")
        } else {
            format!("/{}", garble(&mut rng).replace(' ', ""))
        };
        let req = HttpRequest {
            method: op.method.parse().unwrap_or(http::Method::POST),
            path,
            query: garble(&mut rng).replace(' ', ""),
            headers,
            body: Bytes::from(body),
        };
        for wire in [model.protocol, Protocol::Query] {
            match decode::decode(model, wire, &req) {
                Ok(d) => {
                    // Encoding whatever came in as output must not panic either.
                    let _ = encode::output(model, wire, d.operation, &d.input, "r");
                }
                Err(e) => {
                    assert!(!e.code.is_empty());
                    let _ = encode::error(Some(model), wire, &e, "r");
                }
            }
        }
        let _ = router::route(&req, None);
    }
}
