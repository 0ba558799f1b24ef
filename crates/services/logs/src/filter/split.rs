//! Splits an event message into space-delimited fields, the way
//! space-delimited filter patterns see it: fields are separated by spaces,
//! and text inside `"..."` or `[...]` is one field (without the delimiters).

pub fn fields(message: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = message.trim_start_matches(' ');
    while !rest.is_empty() {
        let (field, after) = match rest.as_bytes().first() {
            Some(b'"') => enclosed(rest, '"'),
            Some(b'[') => enclosed(rest, ']'),
            _ => match rest.find(' ') {
                Some(i) => (&rest[..i], &rest[i..]),
                None => (rest, ""),
            },
        };
        out.push(field);
        rest = after.trim_start_matches(' ');
    }
    out
}

/// A field opened by the first (ASCII) character of `s` and closed by `close`;
/// an unclosed field runs to the end of the message.
fn enclosed(s: &str, close: char) -> (&str, &str) {
    let body = &s[1..];
    match body.find(close) {
        Some(i) => (&body[..i], &body[i + close.len_utf8()..]),
        None => (body, ""),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn apache_line() {
        let line = r#"127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534"#;
        assert_eq!(
            super::fields(line),
            vec!["127.0.0.1", "-", "frank", "10/Oct/2000:13:25:15 -0700", "GET /apache_pb.gif HTTP/1.0", "200", "1534"]
        );
        assert_eq!(super::fields("  a   b "), vec!["a", "b"]);
        assert_eq!(super::fields(r#"x "unclosed"#), vec!["x", "unclosed"]);
        assert!(super::fields("").is_empty());
        assert_eq!(super::fields("é [ü]"), vec!["é", "ü"]);
    }
}
