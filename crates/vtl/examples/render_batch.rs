//! Renders NUL-separated templates from a file (no request data) and writes the NUL-separated
//! outputs, for comparing with Apache Velocity 1.7 (see scripts/vtl-oracle).

use stratus_vtl::{Input, Template};

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(from), Some(to)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: render_batch <templates> <outputs>");
        std::process::exit(2);
    };
    let all = std::fs::read_to_string(from)?;
    let outputs: Vec<String> = all
        .split('\0')
        .map(|t| match Template::parse(t).and_then(|t| t.render(&Input::default())) {
            Ok(rendered) => rendered.body,
            Err(e) => format!("ERROR: {e}"),
        })
        .collect();
    std::fs::write(to, outputs.join("\0"))
}
