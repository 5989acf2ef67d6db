//! The programs atajo runs and, for each, the options it accepts and what its operands are.

use crate::protocol::Risk;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Program {
    Mkdir,
    Touch,
    Ls,
    Cat,
    Pwd,
    Cd,
}

/// What a program's operands mean to the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

pub struct Spec {
    /// Single-letter options (combinable: `-pv`).
    pub short: &'static str,
    pub long: &'static [&'static str],
    pub min_operands: usize,
    pub max_operands: usize,
    pub access: Access,
}

impl Program {
    pub const ALL: [Program; 6] = [
        Program::Mkdir,
        Program::Touch,
        Program::Ls,
        Program::Cat,
        Program::Pwd,
        Program::Cd,
    ];

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            Program::Mkdir => "mkdir",
            Program::Touch => "touch",
            Program::Ls => "ls",
            Program::Cat => "cat",
            Program::Pwd => "pwd",
            Program::Cd => "cd",
        }
    }

    pub fn risk(self) -> Risk {
        match self.spec().access {
            Access::Read => Risk::Read,
            Access::Write => Risk::Write,
        }
    }

    pub fn spec(self) -> Spec {
        match self {
            Program::Mkdir => Spec {
                short: "pv",
                long: &["--parents", "--verbose"],
                min_operands: 1,
                max_operands: usize::MAX,
                access: Access::Write,
            },
            Program::Touch => Spec {
                short: "c",
                long: &["--no-create"],
                min_operands: 1,
                max_operands: usize::MAX,
                access: Access::Write,
            },
            Program::Ls => Spec {
                short: "aAdFhlrRStU1",
                long: &[
                    "--all",
                    "--almost-all",
                    "--directory",
                    "--classify",
                    "--human-readable",
                    "--reverse",
                    "--recursive",
                ],
                min_operands: 0,
                max_operands: usize::MAX,
                access: Access::Read,
            },
            Program::Cat => Spec {
                short: "AbEnsT",
                long: &[
                    "--show-all",
                    "--number-nonblank",
                    "--number",
                    "--squeeze-blank",
                ],
                min_operands: 1,
                max_operands: usize::MAX,
                access: Access::Read,
            },
            Program::Pwd => Spec {
                short: "",
                long: &[],
                min_operands: 0,
                max_operands: 0,
                access: Access::Read,
            },
            Program::Cd => Spec {
                short: "",
                long: &[],
                min_operands: 0,
                max_operands: 1,
                access: Access::Read,
            },
        }
    }
}
