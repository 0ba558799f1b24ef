//! The floor of any Invoke round trip, for bench/lambda.py: a std-only
//! server that plays the part of Stratus with nothing in it. It answers
//! HTTP requests on `--port` by handing the request body to a runtime over
//! its own Runtime API (`GET /next`, `POST /{id}/response`) and returning
//! the runtime's response. It spawns the runtime given after `--` with
//! AWS_LAMBDA_RUNTIME_API set. Stratus's Invoke round trip minus this one is
//! Stratus's own share (parsing, signing, routing, admission, logs, billing).
//! Built by bench/lambda.py with `rustc -O`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;

/// Reads one HTTP/1.1 request or response: (first line, request id header, body).
fn read_message(r: &mut BufReader<TcpStream>) -> std::io::Result<(String, Vec<u8>)> {
    let mut first = String::new();
    if r.read_line(&mut first)? == 0 {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    let mut len = 0usize;
    let mut line = String::new();
    loop {
        line.clear();
        r.read_line(&mut line)?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':')
            && k.trim().eq_ignore_ascii_case("content-length")
        {
            len = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; len];
    r.read_exact(&mut body)?;
    Ok((first, body))
}

fn respond(w: &mut TcpStream, status: &str, headers: &str, body: &[u8]) -> std::io::Result<()> {
    let mut out = format!("HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    w.write_all(&out)
}

type Job = (Vec<u8>, mpsc::Sender<Vec<u8>>);

/// Serves the runtime's connection: each `/next` takes a job, each
/// `/response` completes it.
fn runtime_api(stream: TcpStream, jobs: std::sync::Arc<std::sync::Mutex<mpsc::Receiver<Job>>>) {
    let _ = stream.set_nodelay(true);
    let Ok(mut w) = stream.try_clone() else { return };
    let mut r = BufReader::new(stream);
    let mut current: Option<mpsc::Sender<Vec<u8>>> = None;
    let mut n = 0u64;
    while let Ok((first, body)) = read_message(&mut r) {
        if first.starts_with("GET") {
            let Ok((event, reply)) = jobs.lock().map_err(|_| ()).and_then(|j| j.recv().map_err(|_| ())) else { return };
            n += 1;
            current = Some(reply);
            let headers = format!("Lambda-Runtime-Aws-Request-Id: req-{n}\r\nLambda-Runtime-Deadline-Ms: 0\r\n");
            let _ = respond(&mut w, "200 OK", &headers, &event);
        } else {
            if let Some(reply) = current.take() {
                let _ = reply.send(body);
            }
            let _ = respond(&mut w, "202 Accepted", "", b"{\"status\":\"OK\"}");
        }
    }
}

/// Serves one client connection: each request becomes a job.
fn client(stream: TcpStream, jobs: mpsc::Sender<Job>) {
    let _ = stream.set_nodelay(true);
    let Ok(mut w) = stream.try_clone() else { return };
    let mut r = BufReader::new(stream);
    while let Ok((_, body)) = read_message(&mut r) {
        let (tx, rx) = mpsc::channel();
        if jobs.send((body, tx)).is_err() {
            return;
        }
        let Ok(out) = rx.recv() else { return };
        if respond(&mut w, "200 OK", "Content-Type: application/json\r\n", &out).is_err() {
            return;
        }
    }
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let port = args.iter().position(|a| a == "--port").and_then(|i| args.get(i + 1)).expect("--port");
    let runtime = args.iter().position(|a| a == "--").map(|i| &args[i + 1..]).expect("-- runtime");
    let front = TcpListener::bind(format!("127.0.0.1:{port}"))?;
    let api = TcpListener::bind("127.0.0.1:0")?;
    let api_addr = api.local_addr()?;
    let (jobs_tx, jobs_rx) = mpsc::channel::<Job>();
    let jobs_rx = std::sync::Arc::new(std::sync::Mutex::new(jobs_rx));
    thread::spawn(move || {
        for s in api.incoming().flatten() {
            let jobs = jobs_rx.clone();
            thread::spawn(move || runtime_api(s, jobs));
        }
    });
    let _child =
        std::process::Command::new(&runtime[0]).args(&runtime[1..]).env("AWS_LAMBDA_RUNTIME_API", api_addr.to_string()).spawn()?;
    for s in front.incoming().flatten() {
        let jobs = jobs_tx.clone();
        thread::spawn(move || client(s, jobs));
    }
    Ok(())
}
