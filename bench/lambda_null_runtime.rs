//! A minimal Lambda runtime client (std only) for the Lambda benchmarks: it
//! echoes each event back over one keep-alive connection to
//! AWS_LAMBDA_RUNTIME_API. Built by bench/lambda.py with `rustc -O`.
//! With NULL_LOOP_BENCH=N it instead measures N bare GET/POST loops against
//! its own in-process server (the floor of any Runtime API round trip).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

fn read_response(r: &mut BufReader<TcpStream>) -> std::io::Result<(Option<String>, Vec<u8>)> {
    let mut line = String::new();
    r.read_line(&mut line)?;
    let mut len = 0usize;
    let mut id = None;
    loop {
        line.clear();
        r.read_line(&mut line)?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            let k = k.trim().to_ascii_lowercase();
            if k == "content-length" {
                len = v.trim().parse().unwrap_or(0);
            } else if k == "lambda-runtime-aws-request-id" {
                id = Some(v.trim().to_string());
            }
        }
    }
    let mut body = vec![0; len];
    r.read_exact(&mut body)?;
    Ok((id, body))
}

fn main() -> std::io::Result<()> {
    let api = std::env::var("AWS_LAMBDA_RUNTIME_API").expect("AWS_LAMBDA_RUNTIME_API");
    let stream = TcpStream::connect(&api)?;
    stream.set_nodelay(true)?;
    let mut w = stream.try_clone()?;
    let mut r = BufReader::new(stream);
    loop {
        write!(w, "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: {api}\r\n\r\n")?;
        let (id, body) = read_response(&mut r)?;
        let id = id.unwrap_or_default();
        write!(
            w,
            "POST /2018-06-01/runtime/invocation/{id}/response HTTP/1.1\r\nHost: {api}\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )?;
        w.write_all(&body)?;
        read_response(&mut r)?;
    }
}
