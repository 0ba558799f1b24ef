//! `stratus status`: asks a running server's health endpoint over plain
//! HTTP/1.1 and returns the JSON it answers.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// Fetches `GET /_stratus/health` from `host:port`.
pub fn fetch(host: &str, port: u16) -> Result<String, String> {
    let mut stream = TcpStream::connect((host, port)).map_err(|e| e.to_string())?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).map_err(|e| e.to_string())?;
    let request = format!("GET /_stratus/health HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).map_err(|e| e.to_string())?;
    let mut response = String::new();
    stream.read_to_string(&mut response).map_err(|e| e.to_string())?;
    let (head, body) = response.split_once("\r\n\r\n").ok_or("malformed response")?;
    if !head.starts_with("HTTP/1.1 200") {
        return Err(head.lines().next().unwrap_or("").to_string());
    }
    Ok(body.to_string())
}
