//! A self-signed X.509 v3 certificate built by hand in DER: enough for
//! SNS message verifiers (which read the public key from it) and for TLS
//! libraries that parse it. Subject and issuer are `CN=sns.amazonaws.com`.

/// One DER TLV.
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len.to_be_bytes().iter().copied().skip_while(|b| *b == 0).collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend_from_slice(&bytes);
    }
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

/// A positive INTEGER from big-endian bytes.
fn uint(bytes: &[u8]) -> Vec<u8> {
    let trimmed: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
    let mut content = if trimmed.is_empty() { vec![0] } else { trimmed };
    if content[0] & 0x80 != 0 {
        content.insert(0, 0);
    }
    tlv(0x02, &content)
}

/// `sha256WithRSAEncryption` with NULL parameters.
fn sha256_rsa() -> Vec<u8> {
    seq(&[&[0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b], &[0x05, 0x00]])
}

fn name(common_name: &str) -> Vec<u8> {
    let cn = seq(&[&[0x06, 0x03, 0x55, 0x04, 0x03], &tlv(0x0c, common_name.as_bytes())]);
    let org = seq(&[&[0x06, 0x03, 0x55, 0x04, 0x0a], &tlv(0x0c, b"Stratus")]);
    seq(&[&tlv(0x31, &org), &tlv(0x31, &cn)])
}

/// `YYMMDDHHMMSSZ` (UTCTime) for epoch seconds.
fn utc_time(epoch: i64) -> Vec<u8> {
    let t = time::OffsetDateTime::from_unix_timestamp(epoch).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let s = format!(
        "{:02}{:02}{:02}{:02}{:02}{:02}Z",
        t.year() % 100,
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    tlv(0x17, s.as_bytes())
}

/// The to-be-signed part of the certificate.
pub fn tbs(serial: &[u8], spki_der: &[u8], not_before: i64, not_after: i64) -> Vec<u8> {
    let version = tlv(0xa0, &uint(&[2]));
    let validity = seq(&[&utc_time(not_before), &utc_time(not_after)]);
    let subject = name("sns.amazonaws.com");
    seq(&[&version, &uint(serial), &sha256_rsa(), &subject, &validity, &subject, spki_der])
}

/// The certificate from its TBS part and the signature over it.
pub fn certificate(tbs: &[u8], signature: &[u8]) -> Vec<u8> {
    let mut bits = vec![0u8];
    bits.extend_from_slice(signature);
    seq(&[tbs, &sha256_rsa(), &tlv(0x03, &bits)])
}

/// PEM armour for a DER certificate.
pub fn pem(der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lengths_use_the_long_form() {
        assert_eq!(tlv(0x04, &[1; 3]), vec![0x04, 3, 1, 1, 1]);
        let long = tlv(0x04, &[0; 300]);
        assert_eq!(&long[..4], &[0x04, 0x82, 0x01, 0x2c]);
    }

    #[test]
    fn integers_stay_positive() {
        assert_eq!(uint(&[0x80]), vec![0x02, 0x02, 0x00, 0x80]);
        assert_eq!(uint(&[0, 0, 5]), vec![0x02, 0x01, 0x05]);
    }
}
