//! DynamoDB's Number: an exact decimal of up to 38 significant digits with a
//! magnitude between 1E-130 and 9.99…E+125. Owns parsing (with AWS's error
//! texts), canonical rendering, comparison, addition/subtraction, the
//! order-preserving byte encoding used in storage keys, and the size
//! formula used for item sizes.

use std::cmp::Ordering;

/// `0.d1d2…dn × 10^exp`, digits without leading or trailing zeros; zero has
/// no digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Number {
    neg: bool,
    digits: Vec<u8>,
    exp: i32,
}

/// Why a string is not a storable number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumError {
    NotANumber,
    Precision,
    Overflow,
    Underflow,
}

impl NumError {
    /// AWS's ValidationException text for this error (`raw` is the input).
    pub fn message(&self, raw: &str) -> String {
        match self {
            NumError::NotANumber => format!("The parameter cannot be converted to a numeric value: {raw}"),
            NumError::Precision => "Attempting to store more than 38 significant digits in a Number".into(),
            NumError::Overflow => {
                "Number overflow. Attempting to store a number with magnitude larger than supported range".into()
            }
            NumError::Underflow => {
                "Number underflow. Attempting to store a number with magnitude smaller than supported range".into()
            }
        }
    }
}

impl Number {
    pub fn zero() -> Number {
        Number { neg: false, digits: Vec::new(), exp: 0 }
    }

    pub fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    /// Parses a number as DynamoDB accepts it: optional sign, digits with an
    /// optional point, optional exponent.
    pub fn parse(s: &str) -> Result<Number, NumError> {
        let t = s.trim();
        let b = t.as_bytes();
        let mut i = 0;
        let mut neg = false;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            neg = b[i] == b'-';
            i += 1;
        }
        let mut mant: Vec<u8> = Vec::new();
        let mut point_pos: Option<usize> = None;
        let mut any_digit = false;
        while i < b.len() {
            match b[i] {
                c @ b'0'..=b'9' => {
                    mant.push(c - b'0');
                    any_digit = true;
                }
                b'.' if point_pos.is_none() => point_pos = Some(mant.len()),
                _ => break,
            }
            i += 1;
        }
        if !any_digit {
            return Err(NumError::NotANumber);
        }
        let mut e10: i64 = 0;
        if i < b.len() {
            if b[i] != b'e' && b[i] != b'E' {
                return Err(NumError::NotANumber);
            }
            i += 1;
            let mut eneg = false;
            if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
                eneg = b[i] == b'-';
                i += 1;
            }
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                e10 = (e10 * 10 + i64::from(b[i] - b'0')).min(1_000_000);
                i += 1;
            }
            if start == i || i != b.len() {
                return Err(NumError::NotANumber);
            }
            if eneg {
                e10 = -e10;
            }
        }
        let int_len = point_pos.unwrap_or(mant.len()) as i64;
        // value = 0.mant × 10^(int_len + e10)
        let lead = mant.iter().take_while(|d| **d == 0).count();
        if lead == mant.len() {
            return Ok(Number::zero());
        }
        let mut digits: Vec<u8> = mant[lead..].to_vec();
        while digits.last() == Some(&0) {
            digits.pop();
        }
        let exp = int_len + e10 - lead as i64;
        if digits.len() > 38 {
            return Err(NumError::Precision);
        }
        if exp > 126 {
            return Err(NumError::Overflow);
        }
        if exp < -129 {
            return Err(NumError::Underflow);
        }
        Ok(Number { neg, digits, exp: exp as i32 })
    }

    fn check(self) -> Result<Number, NumError> {
        if self.digits.len() > 38 {
            return Err(NumError::Precision);
        }
        if !self.is_zero() && self.exp > 126 {
            return Err(NumError::Overflow);
        }
        if !self.is_zero() && self.exp < -129 {
            return Err(NumError::Underflow);
        }
        Ok(self)
    }

    fn normalized(neg: bool, mut digits: Vec<u8>, mut exp: i32) -> Number {
        let lead = digits.iter().take_while(|d| **d == 0).count();
        digits.drain(..lead);
        exp -= lead as i32;
        while digits.last() == Some(&0) {
            digits.pop();
        }
        if digits.is_empty() {
            return Number::zero();
        }
        Number { neg, digits, exp }
    }

    /// Canonical text, as DynamoDB returns numbers.
    pub fn to_canonical(&self) -> String {
        if self.is_zero() {
            return "0".into();
        }
        let mut s = String::new();
        if self.neg {
            s.push('-');
        }
        let ds: String = self.digits.iter().map(|d| char::from(b'0' + d)).collect();
        let n = self.digits.len() as i32;
        if self.exp <= 0 {
            s.push_str("0.");
            for _ in 0..(-self.exp) {
                s.push('0');
            }
            s.push_str(&ds);
        } else if self.exp >= n {
            s.push_str(&ds);
            for _ in 0..(self.exp - n) {
                s.push('0');
            }
        } else {
            let (a, b) = ds.split_at(self.exp as usize);
            s.push_str(a);
            s.push('.');
            s.push_str(b);
        }
        s
    }

    fn cmp_abs(&self, other: &Number) -> Ordering {
        match (self.is_zero(), other.is_zero()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            _ => {}
        }
        self.exp.cmp(&other.exp).then_with(|| self.digits.cmp(&other.digits))
    }

    /// Exact sum; errors on precision loss or range.
    pub fn add(&self, other: &Number) -> Result<Number, NumError> {
        if self.is_zero() {
            return Ok(other.clone());
        }
        if other.is_zero() {
            return Ok(self.clone());
        }
        // Align to a common integer scale: value = int(digits) × 10^(exp - len).
        let low = |n: &Number| n.exp - n.digits.len() as i32;
        let lo = low(self).min(low(other));
        let hi = self.exp.max(other.exp);
        let width = (hi - lo) as usize;
        if width > 400 {
            // Magnitudes too far apart to be exact within 38 digits.
            return Err(NumError::Precision);
        }
        let spread = |n: &Number| {
            let mut v = vec![0u8; width];
            let start = (hi - n.exp) as usize;
            for (i, d) in n.digits.iter().enumerate() {
                v[start + i] = *d;
            }
            v
        };
        let a = spread(self);
        let b = spread(other);
        let (neg, digits) = if self.neg == other.neg {
            let mut out = vec![0u8; width + 1];
            let mut carry = 0;
            for i in (0..width).rev() {
                let s = a[i] + b[i] + carry;
                out[i + 1] = s % 10;
                carry = s / 10;
            }
            out[0] = carry;
            (self.neg, out)
        } else {
            let (big, small, neg) = match self.cmp_abs(other) {
                Ordering::Equal => return Ok(Number::zero()),
                Ordering::Greater => (&a, &b, self.neg),
                Ordering::Less => (&b, &a, other.neg),
            };
            let mut out = vec![0u8; width + 1];
            let mut borrow = 0i8;
            for i in (0..width).rev() {
                let mut d = big[i] as i8 - small[i] as i8 - borrow;
                if d < 0 {
                    d += 10;
                    borrow = 1;
                } else {
                    borrow = 0;
                }
                out[i + 1] = d as u8;
            }
            (neg, out)
        };
        Number::normalized(neg, digits, hi + 1).check()
    }

    pub fn negate(&self) -> Number {
        if self.is_zero() {
            return self.clone();
        }
        Number { neg: !self.neg, digits: self.digits.clone(), exp: self.exp }
    }

    pub fn sub(&self, other: &Number) -> Result<Number, NumError> {
        self.add(&other.negate())
    }

    /// Order-preserving, prefix-free byte encoding for storage keys.
    pub fn encode_key(&self, out: &mut Vec<u8>) {
        if self.is_zero() {
            out.push(0x02);
            return;
        }
        let e = (self.exp + 200) as u16;
        if self.neg {
            out.push(0x01);
            out.extend_from_slice(&(!e).to_be_bytes());
            out.extend(self.digits.iter().map(|d| !(d + 1)));
            out.push(0xFF);
        } else {
            out.push(0x03);
            out.extend_from_slice(&e.to_be_bytes());
            out.extend(self.digits.iter().map(|d| d + 1));
            out.push(0x00);
        }
    }

    /// Bytes this number counts for in item size (dynalite's fitted formula).
    pub fn size(&self) -> usize {
        if self.is_zero() {
            return 1;
        }
        let d = self.digits.len();
        // Digits are grouped in pairs aligned on the decimal exponent.
        let odd_start = (self.exp % 2 != 0) as usize;
        let pairs = (d + odd_start).div_ceil(2);
        1 + pairs + usize::from(self.neg)
    }
}

impl Ord for Number {
    fn cmp(&self, other: &Number) -> Ordering {
        match (self.neg && !self.is_zero(), other.neg && !other.is_zero()) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.cmp_abs(other),
            (true, true) => other.cmp_abs(self),
        }
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Number) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Number {
        Number::parse(s).expect(s)
    }

    #[test]
    fn canonical_forms() {
        assert_eq!(n("0001.2300").to_canonical(), "1.23");
        assert_eq!(n("-0").to_canonical(), "0");
        assert_eq!(n("1e3").to_canonical(), "1000");
        assert_eq!(n("1.5E-3").to_canonical(), "0.0015");
        assert_eq!(n("-12.5").to_canonical(), "-12.5");
        assert_eq!(n("1E-130").to_canonical().len(), 132);
    }

    #[test]
    fn errors() {
        assert_eq!(Number::parse("abc"), Err(NumError::NotANumber));
        assert_eq!(Number::parse(""), Err(NumError::NotANumber));
        assert_eq!(Number::parse("1e"), Err(NumError::NotANumber));
        assert_eq!(Number::parse("123456789012345678901234567890123456789"), Err(NumError::Precision));
        assert_eq!(Number::parse("1E126"), Err(NumError::Overflow));
        assert_eq!(Number::parse("1E-131"), Err(NumError::Underflow));
        assert!(Number::parse("9.9999999999999999999999999999999999999E+125").is_ok());
    }

    #[test]
    fn arithmetic() {
        assert_eq!(n("1.1").add(&n("2.2")).map(|x| x.to_canonical()), Ok("3.3".into()));
        assert_eq!(n("10").sub(&n("15")).map(|x| x.to_canonical()), Ok("-5".into()));
        assert_eq!(n("-0.5").add(&n("0.5")).map(|x| x.to_canonical()), Ok("0".into()));
        assert_eq!(n("99").add(&n("1")).map(|x| x.to_canonical()), Ok("100".into()));
        assert_eq!(n("1E100").add(&n("1E-100")), Err(NumError::Precision));
    }

    #[test]
    fn key_order_matches_numeric_order() {
        let vals =
            ["-1E100", "-100", "-12.5", "-12", "-1", "-0.001", "0", "0.001", "0.5", "1", "1.5", "12", "100", "1E100"];
        let mut prev: Option<Vec<u8>> = None;
        for v in vals {
            let mut k = Vec::new();
            n(v).encode_key(&mut k);
            if let Some(p) = &prev {
                assert!(p < &k, "{v}");
            }
            prev = Some(k);
        }
    }
}
