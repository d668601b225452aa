//! What the command-line tests share: the `spanmark` binary cargo built for
//! them, run with input on stdin or without, a scratch directory that goes
//! away when the test ends, and the fixtures under `tests/fixtures`.

// Every test file is a crate of its own and uses only part of this.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The `spanmark` binary built for this test run.
pub fn spanmark() -> Command {
    Command::new(env!("CARGO_BIN_EXE_spanmark"))
}

pub trait CommandExt {
    /// Runs the command with `input` as its whole stdin and collects its
    /// stdout and stderr.
    fn output_with_stdin(&mut self, input: impl AsRef<[u8]>) -> Output;
}

impl CommandExt for Command {
    fn output_with_stdin(&mut self, input: impl AsRef<[u8]>) -> Output {
        let mut child = self
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spanmark starts");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_ref())
            .unwrap();
        child.wait_with_output().unwrap()
    }
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Fails the test with the command's stderr unless it exited with success.
pub fn assert_success(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}\nstderr: {}",
        out.status,
        stderr(out)
    );
}

/// A fresh, empty directory, removed with everything in it when dropped.
pub struct Scratch(tempfile::TempDir);

impl Scratch {
    pub fn new() -> Self {
        Scratch(
            tempfile::Builder::new()
                .prefix("spanmark-test-")
                .tempdir()
                .unwrap(),
        )
    }

    pub fn path(&self) -> &Path {
        self.0.path()
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.path().join(name)
    }

    /// Writes a file into the directory and returns its path.
    pub fn write(&self, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.join(name);
        std::fs::write(&path, content).unwrap();
        path
    }

    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.join(name)).unwrap()
    }
}

/// The names in a directory, sorted: what a command left behind.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A file under `tests/fixtures`.
pub fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
}
