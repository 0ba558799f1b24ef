//! CIDR blocks for the `cidr` operator: parsing with AWS's messages and
//! membership tests for IPv4 and IPv6 addresses.

use std::net::IpAddr;

/// An IP network.
#[derive(Debug, Clone, PartialEq)]
pub struct Cidr {
    net: IpAddr,
    bits: u8,
}

impl Cidr {
    /// Parses `addr/bits`; errors are AWS's texts.
    pub fn parse(s: &str) -> Result<Cidr, String> {
        let parts: Vec<&str> = s.split('/').collect();
        if parts.len() != 2 {
            return Err("Malformed CIDR, one '/' required".into());
        }
        let net: IpAddr = parts[0].parse().map_err(|_| format!("Nonstandard IP address: {}", parts[0]))?;
        let bits: u8 = parts[1].parse().map_err(|_| "Malformed CIDR, mask bits must be an integer".to_string())?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        if bits > max {
            return Err(format!("Malformed CIDR, mask bits must be between 0 and {max}"));
        }
        Ok(Cidr { net, bits })
    }

    /// Whether `ip` (text) lies in the block.
    pub fn contains(&self, ip: &str) -> bool {
        let Ok(addr) = ip.parse::<IpAddr>() else { return false };
        match (self.net, addr) {
            (IpAddr::V4(n), IpAddr::V4(a)) => prefix_eq(&n.octets(), &a.octets(), self.bits),
            (IpAddr::V6(n), IpAddr::V6(a)) => prefix_eq(&n.octets(), &a.octets(), self.bits),
            _ => false,
        }
    }
}

fn prefix_eq(a: &[u8], b: &[u8], bits: u8) -> bool {
    let full = (bits / 8) as usize;
    if a[..full] != b[..full] {
        return false;
    }
    let rest = bits % 8;
    if rest == 0 {
        return true;
    }
    let mask = 0xffu8 << (8 - rest);
    a[full] & mask == b[full] & mask
}
