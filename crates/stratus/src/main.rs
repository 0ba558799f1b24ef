//! The `stratus` command: `serve`, `status` and `--version`.

use clap::Parser;
use stratus::config::{Cli, Command};

/// The stack of each async worker thread.
const WORKER_STACK: usize = 8 << 20;

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => {
            // Recursive parsers (expressions, templates, policies) bound their
            // nesting, but an unoptimised build's frames are large: 8 MiB
            // stacks keep every bound well inside the stack.
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .thread_stack_size(WORKER_STACK)
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    eprintln!("stratus: cannot start the runtime: {e}");
                    return std::process::ExitCode::FAILURE;
                }
            };
            match runtime.block_on(stratus::server::serve_until_signal(args)) {
                Ok(()) => std::process::ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("stratus: {e}");
                    std::process::ExitCode::FAILURE
                }
            }
        }
        Command::Status { host, port } => match stratus::status::fetch(&host, port) {
            Ok(body) => {
                println!("{body}");
                std::process::ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("stratus: no server answering on {host}:{port}: {e}");
                std::process::ExitCode::FAILURE
            }
        },
    }
}
