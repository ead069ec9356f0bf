//! The `irisops` binary: parses arguments and hands over to the api library.

fn main() -> std::process::ExitCode {
    api::cli::main()
}
