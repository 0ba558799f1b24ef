//! `$util`: escapeJavaScript, parseJson, urlEncode, urlDecode, base64Encode, base64Decode.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::error::VtlError;
use crate::methods::Args;
use crate::value::Value;

pub fn call(name: &str, args: &Args) -> Result<Option<Value>, VtlError> {
    if args.len() != 1 {
        return Ok(None);
    }
    // A null argument yields null, which renders as nothing.
    if args.0[0].is_null() {
        return Ok(Some(Value::Null));
    }
    let arg = args.string(0)?;
    Ok(Some(match name {
        "escapeJavaScript" => Value::str(escape_javascript(&arg)),
        "parseJson" => parse_json(&arg)?,
        "urlEncode" => Value::str(form_urlencoded::byte_serialize(arg.as_bytes()).collect::<String>()),
        "urlDecode" => Value::str(url_decode(&arg)?),
        "base64Encode" => Value::str(STANDARD.encode(arg.as_bytes())),
        "base64Decode" => Value::str(base64_decode(&arg)?),
        _ => return Ok(None),
    }))
}

/// Commons Lang's `escapeJavaScript`, which API Gateway uses: quotes, backslash and `/` get a
/// backslash, control characters below space their short or `\uXXXX` form, and every UTF-16
/// unit above DEL a `\uXXXX` escape.
pub fn escape_javascript(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for unit in s.encode_utf16() {
        match unit {
            0x08 => out.push_str("\\b"),
            0x09 => out.push_str("\\t"),
            0x0A => out.push_str("\\n"),
            0x0C => out.push_str("\\f"),
            0x0D => out.push_str("\\r"),
            0x22 => out.push_str("\\\""),
            0x27 => out.push_str("\\'"),
            0x2F => out.push_str("\\/"),
            0x5C => out.push_str("\\\\"),
            0x20..=0x7F => out.push(char::from(unit as u8)),
            _ => out.push_str(&format!("\\u{unit:04X}")),
        }
    }
    out
}

fn parse_json(text: &str) -> Result<Value, VtlError> {
    serde_json::from_str(text)
        .map(|json| Value::from_json(&json))
        .map_err(|e| VtlError::new(format!("$util.parseJson: invalid JSON: {e}")))
}

/// Java's `URLDecoder.decode(s, "UTF-8")`: `+` is a space, `%XX` a byte.
fn url_decode(s: &str) -> Result<String, VtlError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                    .and_then(|h| std::str::from_utf8(h).ok());
                let byte = hex.and_then(|h| u8::from_str_radix(h, 16).ok()).ok_or_else(|| {
                    VtlError::new(
                        "java.lang.IllegalArgumentException: URLDecoder: Illegal hex characters in escape (%) pattern",
                    )
                })?;
                out.push(byte);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

fn base64_decode(s: &str) -> Result<String, VtlError> {
    STANDARD
        .decode(s.trim())
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .map_err(|e| VtlError::new(format!("java.lang.IllegalArgumentException: {e}")))
}
