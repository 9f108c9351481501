//! `cargo xtask image`: the OCI image of `ship/Containerfile`, built by podman from the static
//! binary of `cargo xtask dist` (`FROM scratch`: nothing is pulled). Debian's `podman` and
//! `runc` are installed when missing; podman runs with a containers.conf of ours that sets no
//! default ulimits and with `runc`, which these hosts need (their crun and their rlimits
//! refuse otherwise), and builds in the docker format, which keeps the HEALTHCHECK.

use std::path::PathBuf;
use std::process::Command;

use crate::tools::{Tools, apt_install, run};
use crate::{Result, dist, paths};

/// What podman needs to run here: its runtime and its configuration.
pub struct Podman {
    conf: PathBuf,
}

impl Podman {
    /// `podman --runtime runc ARGS`, with our containers.conf.
    pub fn command(&self) -> Command {
        let mut command = Command::new("podman");
        command
            .env("CONTAINERS_CONF", &self.conf)
            .args(["--runtime", "runc"]);
        command
    }

    pub fn conf(&self) -> &std::path::Path {
        &self.conf
    }
}

/// Debian's podman and runc, and our containers.conf.
pub fn ensure_podman() -> Result<Podman> {
    let has = |program: &str| {
        Command::new(program)
            .arg("--version")
            .output()
            .is_ok_and(|output| output.status.success())
    };
    if !has("podman") || !has("runc") {
        eprintln!("xtask: installing podman and runc from Debian's packages");
        apt_install(&["podman", "runc"])?;
    }
    let folder = paths::target().join("containers");
    std::fs::create_dir_all(&folder)
        .map_err(|err| format!("cannot create {}: {err}", folder.display()))?;
    let conf = folder.join("containers.conf");
    std::fs::write(&conf, "[containers]\ndefault_ulimits = []\n")
        .map_err(|err| format!("cannot write {}: {err}", conf.display()))?;
    Ok(Podman { conf })
}

/// The image's name.
pub fn tag() -> Result<String> {
    Ok(format!("localhost/org-invitations:{}", dist::version()?))
}

/// Builds the image; returns its name.
pub fn image(tools: &Tools) -> Result<String> {
    let binary = dist::static_server(tools)?;
    let podman = ensure_podman()?;
    let context = paths::target().join("image-context");
    let _ = std::fs::remove_dir_all(&context);
    std::fs::create_dir_all(&context)
        .map_err(|err| format!("cannot create {}: {err}", context.display()))?;
    for (from, to) in [
        (binary, "org-invitations-server"),
        (paths::root().join("ship/Containerfile"), "Containerfile"),
    ] {
        std::fs::copy(&from, context.join(to))
            .map_err(|err| format!("cannot copy {}: {err}", from.display()))?;
    }
    let tag = tag()?;
    run(podman
        .command()
        .args([
            "build", "--quiet", "--format", "docker", "--tag", &tag, "--file",
        ])
        .arg(context.join("Containerfile"))
        .arg(&context))?;
    let size = podman
        .command()
        .args(["image", "inspect", "--format", "{{.Size}}", &tag])
        .output()
        .ok()
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .and_then(|size| size.trim().parse::<u64>().ok())
        .unwrap_or(0);
    println!("{tag} ({:.1} MiB)", size as f64 / (1024.0 * 1024.0));
    Ok(tag)
}
