//! The `signet` binary: load the configuration, set up logging, run one command.

use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;
use signet::cli::{Cli, Command, ServeArgs, run_admin};
use signet::clock::Clock;
use signet::config::Config;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) if matches!(err.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => err.exit(),
        Err(err) => return fail(&usage_error(&err), 2),
    };
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut config = match Config::load(cli.config.as_deref()) {
        Ok(config) => config,
        Err(err) => return fail(&err.to_string(), 2),
    };
    match cli.command {
        Command::Serve(args) => {
            init_tracing();
            if let Some(listen) = args.listen {
                config.listen = listen;
            }
            match serve(config, args).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(message) => fail(&message, 1),
            }
        }
        command => {
            tracing_subscriber::fmt().with_env_filter(env_filter("warn")).with_writer(std::io::stderr).init();
            match run_admin(command, &config).await {
                Ok(output) if cli.json => {
                    println!("{}", serde_json::to_string_pretty(&output.json).unwrap_or_default());
                    ExitCode::SUCCESS
                }
                Ok(output) => {
                    println!("{}", output.text);
                    ExitCode::SUCCESS
                }
                Err(failure) => fail(&failure.message, failure.code),
            }
        }
    }
}

/// clap's message in one line: what was wrong, without the usage block that follows it.
fn usage_error(err: &clap::Error) -> String {
    let rendered = err.render().to_string();
    let message = rendered.split("\nUsage:").next().unwrap_or_default();
    let message = message.split_whitespace().collect::<Vec<_>>().join(" ");
    format!("{} (see --help)", message.trim_start_matches("error: "))
}

fn fail(message: &str, code: u8) -> ExitCode {
    eprintln!("signet: {}", message.lines().next().unwrap_or(message));
    ExitCode::from(code)
}

fn env_filter(default: &str) -> tracing_subscriber::EnvFilter {
    tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default))
}

fn init_tracing() {
    use std::io::IsTerminal;
    // Colours only on a terminal: log files and collectors get plain text.
    let builder =
        tracing_subscriber::fmt().with_env_filter(env_filter("info")).with_ansi(std::io::stdout().is_terminal());
    if std::env::var("RUST_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn serve(config: Config, args: ServeArgs) -> Result<(), String> {
    let tls = if args.tls_self_signed {
        let out = args.tls_cert_out.clone().unwrap_or_else(|| config.tls_cert_out.clone());
        let config = signet::tls::self_signed(&config.listen.ip().to_string(), &out).map_err(|e| e.to_string())?;
        println!("TLS certificate written to {} (trust it with REQUESTS_CA_BUNDLE or curl --cacert)", out.display());
        Some(config)
    } else {
        match (&config.tls_cert, &config.tls_key) {
            (Some(cert), Some(key)) => Some(signet::tls::from_files(cert, key).map_err(|e| e.to_string())?),
            _ => None,
        }
    };
    let running = signet::server::start(config.clone(), Clock::System, tls).await.map_err(|e| e.to_string())?;
    if args.demo {
        let data_dir = config.tls_cert_out.parent().map(std::path::Path::to_path_buf).unwrap_or_default();
        match signet::demo::seed(&running.state.store, &running.state.kek, &data_dir, running.state.clock.now()).await {
            Ok(Some(credentials)) => println!("{}", signet::demo::banner(&credentials, &running.state.base_url)),
            Ok(None) => println!(
                "demo tenant exists; its generated credentials file is gone (add a secret with `signet app add-secret`)"
            ),
            Err(err) => return Err(format!("demo: {err}")),
        }
    }
    println!("Signet listening on {}", running.state.base_url);
    let stopped = tokio::select! {
        result = tokio::signal::ctrl_c() => result.map_err(|e| e.to_string()),
        () = terminate() => Ok(()),
    };
    running.stop().await;
    stopped
}

async fn terminate() {
    #[cfg(unix)]
    if let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        signal.recv().await;
        return;
    }
    std::future::pending::<()>().await;
}
