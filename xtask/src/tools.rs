//! Installs what the build and the tests need, each only when it is missing or at the wrong
//! version, from the package registries alone (crates.io, npm, PyPI, Debian): no tool is
//! downloaded from anywhere else (CONTRIBUTING.md, "Toolchain").

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{Result, paths};

const WASM_TARGET: &str = "wasm32-unknown-unknown";
const TRUNK_VERSION: &str = "0.21.14";
/// The splitter that puts the console's later parts in a module of their own (docs/size.md).
const WASM_SPLIT_VERSION: &str = "0.2.4";
/// Formats `view!` blocks; its configuration is leptosfmt.toml at the root.
const LEPTOSFMT_VERSION: &str = "0.1.33";
/// cargo-deny, for the supply-chain check in `cargo xtask test`.
const CARGO_DENY_VERSION: &str = "0.20.2";
/// cargo-fuzz for `cargo xtask fuzz` (nightly only).
const CARGO_FUZZ_VERSION: &str = "0.13.2";
/// The Anyscale CLI whose behaviour the server must match (docs/api.md).
const ANYSCALE_CLI_VERSION: &str = "0.26.112";
/// Generates API requests from the OpenAPI contract (server/tests/it/openapi.rs).
const SCHEMATHESIS_VERSION: &str = "4.32.5";
/// The Standard Webhooks reference verifier the webhook tests check every delivery with.
const STANDARDWEBHOOKS_VERSION: &str = "1.1.0";
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Where Debian's postgresql package (PostgreSQL 15, bookworm) puts the server's programs.
const POSTGRES_BIN: &str = "/usr/lib/postgresql/15/bin";

/// The installed tools, and the PATH that finds them before anything else.
pub struct Tools {
    pub path: OsString,
}

impl Tools {
    /// A command that finds the project's tools first on its PATH.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new(program);
        command.env("PATH", &self.path);
        command
    }
}

/// Headless Chromium and the ChromeDriver that drives it, at the same major version.
pub struct Browser {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
}

pub fn ensure_build_tools() -> Result<Tools> {
    let path = tool_path()?;
    ensure_wasm_target()?;
    let (bindgen_version, wasm_opt_version) = pinned_versions()?;
    ensure_cargo_tool(
        &path,
        "trunk",
        &format!("trunk {TRUNK_VERSION}"),
        &["trunk", "--version", TRUNK_VERSION, "--locked"],
    )?;
    // Without --locked: one locked dependency is missing from the registry mirror here.
    ensure_cargo_tool(
        &path,
        "wasm-bindgen",
        &format!("wasm-bindgen {bindgen_version}"),
        &["wasm-bindgen-cli", "--version", &bindgen_version],
    )?;
    ensure_wasm_split(&path)?;
    ensure_npm_tools(&path, &wasm_opt_version)?;
    Ok(Tools { path })
}

/// Debian's Chromium and ChromeDriver, installed when missing.
pub fn ensure_browser() -> Result<Browser> {
    if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
        eprintln!("xtask: installing Chromium and ChromeDriver from Debian's packages");
        apt_install(&["chromium", "chromium-driver"])?;
    }
    let chromium_version = version_of(Command::new(CHROMIUM).arg("--version")).unwrap_or_default();
    let driver_version =
        version_of(Command::new(CHROMEDRIVER).arg("--version")).unwrap_or_default();
    let major = |text: &str| {
        text.split_whitespace()
            .nth(1)
            .and_then(|v| v.split('.').next())
            .map(str::to_owned)
    };
    if major(&chromium_version).is_none() || major(&chromium_version) != major(&driver_version) {
        return Err(format!(
            "Chromium ({chromium_version:?}) and ChromeDriver ({driver_version:?}) must be installed at the same major version"
        ));
    }
    Ok(Browser {
        chromium: CHROMIUM.into(),
        chromedriver: CHROMEDRIVER.into(),
    })
}

/// PostgreSQL's server programs (Debian's `postgresql` package, installed if missing), for
/// the tests' throwaway cluster; returns their folder.
pub fn ensure_postgres() -> Result<PathBuf> {
    let bin = Path::new(POSTGRES_BIN);
    if !bin.join("initdb").exists() {
        eprintln!("xtask: installing PostgreSQL from Debian's packages");
        apt_install(&["postgresql"])?;
    }
    if !bin.join("initdb").exists() {
        return Err(format!(
            "PostgreSQL's programs are not in {POSTGRES_BIN} after installing Debian's postgresql package"
        ));
    }
    Ok(bin.to_owned())
}

/// Debian's aiosmtpd (a real SMTP server, in Debian's own Python), which the invitation mail
/// tests run on loopback, dkimpy (the reference DKIM verifier) they check signatures with, and
/// PyJWT, with which they check accept tickets as a host application would.
pub fn ensure_mail_server() -> Result {
    let present = || {
        Command::new("/usr/bin/python3")
            .args(["-c", "import aiosmtpd, dkim, jwt"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    };
    if !present() {
        eprintln!(
            "xtask: installing python3-aiosmtpd, python3-dkim and python3-jwt from Debian's packages"
        );
        apt_install(&["python3-aiosmtpd", "python3-dkim", "python3-jwt"])?;
    }
    if present() {
        Ok(())
    } else {
        Err("Debian's python3 cannot import aiosmtpd, dkim and jwt after installing them".into())
    }
}

/// Debian's bubblewrap, for running the release in an empty root.
pub fn ensure_bubblewrap() -> Result<PathBuf> {
    let bwrap = Path::new("/usr/bin/bwrap");
    if !bwrap.exists() {
        eprintln!("xtask: installing bubblewrap from Debian's packages");
        apt_install(&["bubblewrap"])?;
    }
    Ok(bwrap.to_owned())
}

/// Installs Debian packages (with sudo unless root).
pub fn apt_install(packages: &[&str]) -> Result {
    let apt = |args: &[&str]| -> Result {
        let mut command = if is_root() {
            Command::new("apt-get")
        } else {
            let mut command = Command::new("sudo");
            command.arg("apt-get");
            command
        };
        command.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        run(&mut command)
    };
    apt(&["update", "-qq"])?;
    apt(&[&["install", "-y", "-qq"], packages].concat())
}

/// cargo-fuzz, pinned, for `cargo xtask fuzz`.
pub fn ensure_cargo_fuzz() -> Result {
    ensure_cargo_tool(
        &tool_path()?,
        "cargo-fuzz",
        &format!("cargo-fuzz {CARGO_FUZZ_VERSION}"),
        &["cargo-fuzz", "--version", CARGO_FUZZ_VERSION, "--locked"],
    )
}

/// cargo-deny, pinned, for the supply-chain check (`deny.toml`).
pub fn ensure_cargo_deny(tools: &Tools) -> Result {
    ensure_cargo_tool(
        &tools.path,
        "cargo-deny",
        &format!("cargo-deny {CARGO_DENY_VERSION}"),
        &["cargo-deny", "--version", CARGO_DENY_VERSION, "--locked"],
    )
}

/// rustfmt and leptosfmt, for checking that the code is formatted.
pub fn ensure_formatters(tools: &Tools) -> Result {
    let has_rustfmt = version_of(tools.command("rustfmt").arg("--version")).is_some();
    if !has_rustfmt {
        run(Command::new("rustup").args(["component", "add", "rustfmt"]))?;
    }
    ensure_cargo_tool(
        &tools.path,
        "leptosfmt",
        &format!("leptosfmt {LEPTOSFMT_VERSION}"),
        &["leptosfmt", "--version", LEPTOSFMT_VERSION, "--locked"],
    )
}

/// The Anyscale CLI in a virtualenv under target/tools, for the interoperability tests.
pub fn ensure_anyscale_cli() -> Result<PathBuf> {
    ensure_python_tool("anyscale", ANYSCALE_CLI_VERSION, "anyscale")
}

/// schemathesis in a virtualenv under target/tools, for the API contract tests.
pub fn ensure_schemathesis() -> Result<PathBuf> {
    ensure_python_tool("schemathesis", SCHEMATHESIS_VERSION, "schemathesis")
}

/// The Python of a virtualenv holding PyPI's `standardwebhooks` (the specification's reference
/// verifier), pinned.
pub fn ensure_webhook_verifier() -> Result<PathBuf> {
    let venv = ensure_venv_package("standardwebhooks", STANDARDWEBHOOKS_VERSION, |venv| {
        version_of(Command::new(venv.join("bin").join("python")).args([
            "-c",
            "import importlib.metadata as m; print(m.version('standardwebhooks'))",
        ]))
    })?;
    Ok(venv.join("bin").join("python"))
}

/// A PyPI package at an exact version in its own virtualenv (`target/tools/NAME-venv`); the
/// path of its program. Installed only when the program does not report that version.
fn ensure_python_tool(package: &str, version: &str, program: &str) -> Result<PathBuf> {
    let venv = ensure_venv_package(package, version, |venv| {
        version_of(Command::new(venv.join("bin").join(program)).arg("--version"))
    })?;
    Ok(venv.join("bin").join(program))
}

/// A PyPI package at an exact version in its own virtualenv (`target/tools/NAME-venv`),
/// installed only when `installed_version` (asked of the virtualenv) does not end in that
/// version ("0.26.112", "schemathesis, version 4.32.5": the version is the last word); the
/// virtualenv.
fn ensure_venv_package(
    package: &str,
    version: &str,
    installed_version: impl Fn(&Path) -> Option<String>,
) -> Result<PathBuf> {
    let venv = paths::target()
        .join("tools")
        .join(format!("{package}-venv"));
    let installed =
        || installed_version(&venv).is_some_and(|v| v.split_whitespace().last() == Some(version));
    if installed() {
        return Ok(venv);
    }
    eprintln!(
        "xtask: installing {package} {version} from PyPI into {}",
        venv.display()
    );
    run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    run(Command::new(venv.join("bin").join("pip"))
        .args(["install", "--quiet", "--disable-pip-version-check"])
        .arg(format!("{package}=={version}")))?;
    if !installed() {
        return Err(format!(
            "{} does not report {package} {version} after installing",
            venv.display()
        ));
    }
    Ok(venv)
}

/// PATH with cargo-installed and npm-installed tools first.
fn tool_path() -> Result<OsString> {
    let mut entries = vec![
        paths::cargo_bin(),
        paths::npm_tools().join("node_modules").join(".bin"),
    ];
    entries.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(entries).map_err(|err| format!("cannot build PATH: {err}"))
}

fn ensure_wasm_target() -> Result {
    let installed = version_of(Command::new("rustup").args(["target", "list", "--installed"]))
        .unwrap_or_default();
    if installed.lines().any(|line| line.trim() == WASM_TARGET) {
        return Ok(());
    }
    run(Command::new("rustup").args(["target", "add", WASM_TARGET]))
}

/// The wasm-bindgen version from Cargo.lock, checked against Trunk.toml, and the wasm-opt
/// version Trunk.toml names.
fn pinned_versions() -> Result<(String, String)> {
    let lock = read_toml(&paths::root().join("Cargo.lock"))?;
    let locked = lock
        .get("package")
        .and_then(|packages| packages.as_array())
        .and_then(|packages| {
            packages.iter().find(|package| {
                package.get("name").and_then(|name| name.as_str()) == Some("wasm-bindgen")
            })
        })
        .and_then(|package| package.get("version"))
        .and_then(|version| version.as_str())
        .ok_or("Cargo.lock has no wasm-bindgen package")?
        .to_owned();
    let trunk = read_toml(&paths::root().join("Trunk.toml"))?;
    let tool = |name: &str| {
        trunk
            .get("tools")
            .and_then(|tools| tools.get(name))
            .and_then(|value| value.as_str())
            .map(str::to_owned)
    };
    let pinned = tool("wasm_bindgen").ok_or("Trunk.toml names no [tools] wasm_bindgen version")?;
    if pinned != locked {
        return Err(format!(
            "Trunk.toml pins wasm-bindgen {pinned} but Cargo.lock has {locked}: make them equal"
        ));
    }
    let wasm_opt = tool("wasm_opt").ok_or("Trunk.toml names no [tools] wasm_opt version")?;
    Ok((locked, wasm_opt))
}

fn read_toml(path: &Path) -> Result<toml::Table> {
    let text = std::fs::read_to_string(path)
        .map_err(|err| format!("cannot read {}: {err}", path.display()))?;
    text.parse()
        .map_err(|err| format!("cannot parse {}: {err}", path.display()))
}

/// Installs a crate's binary unless `binary --version` already prints `expected`.
fn ensure_cargo_tool(
    path: &OsString,
    binary: &str,
    expected: &str,
    install_args: &[&str],
) -> Result {
    let mut probe = Command::new(binary);
    probe.arg("--version").env("PATH", path);
    if version_of(&mut probe).is_some_and(|version| version.trim() == expected) {
        return Ok(());
    }
    eprintln!("xtask: installing {expected} (this compiles it: several minutes on two cores)");
    run(
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .arg("install")
            .args(install_args),
    )
}

/// `wasm-split-cli`, which prints no version: `cargo install --list` says which is installed.
fn ensure_wasm_split(path: &OsString) -> Result {
    let crate_name = "wasm_split_cli_support";
    let wanted = format!("{crate_name} v{WASM_SPLIT_VERSION}:");
    let mut list = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    list.args(["install", "--list"]).env("PATH", path);
    let installed = list.output().is_ok_and(|output| {
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .any(|line| line.trim() == wanted)
    });
    if installed && paths::cargo_bin().join("wasm-split-cli").exists() {
        return Ok(());
    }
    eprintln!("xtask: installing {crate_name} {WASM_SPLIT_VERSION} (wasm-split-cli)");
    run(
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())).args([
            "install",
            "--locked",
            crate_name,
            "--version",
            WASM_SPLIT_VERSION,
            "--features",
            "build-binary",
        ]),
    )
}

/// npm tools, installed with `npm ci` from the lock file in xtask/npm into target/tools/npm.
fn ensure_npm_tools(path: &OsString, wasm_opt_version: &str) -> Result {
    let source = paths::root().join("xtask").join("npm");
    let installed = paths::npm_tools();
    let wasm_opt = installed.join("node_modules").join(".bin").join("wasm-opt");
    let wanted_lock = std::fs::read(source.join("package-lock.json"))
        .map_err(|err| format!("cannot read xtask/npm/package-lock.json: {err}"))?;
    let lock_is_current =
        std::fs::read(installed.join("package-lock.json")).is_ok_and(|lock| lock == wanted_lock);
    // Trunk.toml says `version_132`; wasm-opt prints `wasm-opt version 132 (...)`.
    let wanted = wasm_opt_version.replace('_', " ");
    let wasm_opt_ok = || {
        version_of(Command::new(&wasm_opt).arg("--version")).is_some_and(|v| v.contains(&wanted))
    };
    if lock_is_current && wasm_opt_ok() {
        return Ok(());
    }
    eprintln!("xtask: installing npm tools into {}", installed.display());
    std::fs::create_dir_all(&installed)
        .map_err(|err| format!("cannot create {}: {err}", installed.display()))?;
    for file in ["package.json", "package-lock.json"] {
        std::fs::copy(source.join(file), installed.join(file))
            .map_err(|err| format!("cannot copy {file}: {err}"))?;
    }
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(&installed)
        .env("PATH", path))?;
    if !wasm_opt_ok() {
        return Err(format!(
            "{} is not {wanted} after npm ci",
            wasm_opt.display()
        ));
    }
    Ok(())
}

pub fn is_root() -> bool {
    version_of(Command::new("id").arg("-u")).is_some_and(|uid| uid.trim() == "0")
}

/// The command's standard output if it ran and succeeded.
pub fn version_of(command: &mut Command) -> Option<String> {
    let output = command.output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Runs a command in the foreground, echoing it, and fails if it fails.
pub fn run(command: &mut Command) -> Result {
    eprintln!("$ {}", describe(command));
    let status = command
        .status()
        .map_err(|err| format!("cannot start {}: {err}", describe(command)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", describe(command)))
    }
}

pub fn describe(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|part| part.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}
