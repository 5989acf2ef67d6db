//! Programs no rule can ever allow: each would let a command do things the policy cannot see
//! (run other code, reach the network, gain privilege, change the system).

use crate::lang::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    Shell,
    Interpreter,
    RunsOther,
    ShellState,
    Network,
    Privilege,
    System,
    Interactive,
    Vcs,
}

const SHELLS: &[&str] = &[
    "sh",
    "bash",
    "dash",
    "zsh",
    "ksh",
    "mksh",
    "pdksh",
    "fish",
    "csh",
    "tcsh",
    "ash",
    "rbash",
    "busybox",
    "toybox",
    "script",
    "yash",
    "elvish",
    "nu",
    "xonsh",
    "pwsh",
    "powershell",
];
const INTERPRETERS: &[&str] = &[
    "python",
    "python2",
    "python3",
    "pypy",
    "pypy3",
    "perl",
    "perl5",
    "ruby",
    "irb",
    "node",
    "nodejs",
    "deno",
    "bun",
    "php",
    "lua",
    "luajit",
    "tclsh",
    "wish",
    "awk",
    "gawk",
    "mawk",
    "nawk",
    "busybox-awk",
    "rscript",
    "julia",
    "guile",
    "gdb",
    "lldb",
    "expect",
    "jshell",
    "java",
    "scala",
    "groovy",
    "erl",
    "escript",
    "elixir",
    "iex",
    "ghci",
    "runghc",
    "ocaml",
    "sqlite3",
    "psql",
    "mysql",
    "jq",
    "m4",
    "bc",
    "dc",
    "cpp",
    "gcc",
    "cc",
    "clang",
    "rustc",
    "cargo",
    "go",
    "make",
    "cmake",
    "ninja",
    "npm",
    "npx",
    "pip",
    "pip3",
    "vim",
    "vi",
    "nvim",
    "emacs",
    "ex",
    "ed",
];
const RUNS_OTHER: &[&str] = &[
    "env",
    "xargs",
    "nohup",
    "timeout",
    "nice",
    "ionice",
    "stdbuf",
    "setsid",
    "watch",
    "time",
    "command",
    "builtin",
    "exec",
    "eval",
    "source",
    ".",
    "parallel",
    "flock",
    "chrt",
    "taskset",
    "strace",
    "ltrace",
    "valgrind",
    "fakeroot",
    "proot",
    "firejail",
    "bwrap",
    "systemd-run",
    "run-parts",
    "start-stop-daemon",
    "daemonize",
    "unbuffer",
    "catchsegv",
    "ld.so",
    "coproc",
];
const SHELL_STATE: &[&str] = &[
    "export",
    "unset",
    "alias",
    "unalias",
    "set",
    "shopt",
    "trap",
    "read",
    "readonly",
    "declare",
    "typeset",
    "local",
    "let",
    "ulimit",
    "umask",
    "hash",
    "enable",
    "exit",
    "logout",
    "return",
    "break",
    "continue",
    "shift",
    "wait",
    "jobs",
    "fg",
    "bg",
    "disown",
    "history",
    "fc",
    "bind",
    "complete",
    "compgen",
    "getopts",
    "pushd",
    "popd",
    "dirs",
    "times",
    "caller",
    "mapfile",
    "readarray",
    "suspend",
];
const NETWORK: &[&str] = &[
    "curl",
    "wget",
    "nc",
    "ncat",
    "netcat",
    "ssh",
    "scp",
    "sftp",
    "rsync",
    "ftp",
    "tftp",
    "telnet",
    "socat",
    "ping",
    "ping6",
    "dig",
    "nslookup",
    "host",
    "ip",
    "ifconfig",
    "nmap",
    "aria2c",
    "lynx",
    "w3m",
    "links",
    "elinks",
    "mail",
    "sendmail",
    "openssl",
    "gpg",
    "ssh-keygen",
    "ssh-agent",
    "ssh-add",
    "smbclient",
    "lftp",
    "httpie",
    "http",
    "xh",
];
const PRIVILEGE: &[&str] = &[
    "sudo", "su", "doas", "pkexec", "chroot", "runuser", "setpriv", "capsh", "unshare", "nsenter",
    "chown", "chgrp", "setcap", "getcap", "newgrp", "sg", "passwd", "chpasswd", "useradd",
    "usermod", "userdel", "groupadd", "groupmod", "visudo", "login", "setfacl", "chattr",
    "sudoedit",
];
const SYSTEM: &[&str] = &[
    "mount",
    "umount",
    "systemctl",
    "service",
    "shutdown",
    "reboot",
    "halt",
    "poweroff",
    "init",
    "telinit",
    "kill",
    "killall",
    "pkill",
    "crontab",
    "at",
    "batch",
    "dd",
    "mkfs",
    "fdisk",
    "parted",
    "insmod",
    "modprobe",
    "rmmod",
    "sysctl",
    "iptables",
    "ip6tables",
    "nft",
    "journalctl",
    "dmesg",
    "mknod",
    "mkfifo",
    "losetup",
    "swapon",
    "swapoff",
    "hostname",
    "hostnamectl",
    "timedatectl",
    "loginctl",
    "apt",
    "apt-get",
    "dpkg",
    "snap",
    "ln",
    "link",
    "install",
    "shred",
    "wipefs",
];
const INTERACTIVE: &[&str] = &[
    "less", "more", "most", "man", "info", "top", "htop", "nano", "pico", "view", "pager",
    "screen", "tmux", "mc", "ranger", "yes",
];
const VCS: &[&str] = &["git", "hg", "svn", "bzr", "fossil"];

impl Category {
    pub fn describe(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Category::Shell, Lang::En) => "a shell runs any command hidden in its arguments",
            (Category::Shell, Lang::Es) => {
                "un intérprete de órdenes ejecuta cualquier comando oculto en sus argumentos"
            }
            (Category::Interpreter, Lang::En) => {
                "an interpreter or build tool runs code the policy cannot see"
            }
            (Category::Interpreter, Lang::Es) => {
                "un intérprete o una herramienta de compilación ejecuta código que la política no puede ver"
            }
            (Category::RunsOther, Lang::En) => {
                "it runs another program or code given as its arguments"
            }
            (Category::RunsOther, Lang::Es) => {
                "ejecuta otro programa o código que recibe como argumento"
            }
            (Category::ShellState, Lang::En) => {
                "it changes the shell's state (variables, aliases, limits); atajo runs one command at a time"
            }
            (Category::ShellState, Lang::Es) => {
                "cambia el estado del intérprete (variables, alias, límites); atajo ejecuta un comando cada vez"
            }
            (Category::Network, Lang::En) => "commands have no network access",
            (Category::Network, Lang::Es) => "los comandos no tienen acceso a la red",
            (Category::Privilege, Lang::En) => "it changes users, ownership or privileges",
            (Category::Privilege, Lang::Es) => "cambia de usuario, de propietario o de privilegios",
            (Category::System, Lang::En) => {
                "it acts on the system (processes, devices, services, packages, links) rather than on files in the workspace"
            }
            (Category::System, Lang::Es) => {
                "actúa sobre el sistema (procesos, dispositivos, servicios, paquetes, enlaces) y no sobre archivos del espacio de trabajo"
            }
            (Category::Interactive, Lang::En) => {
                "it is interactive or never ends; use cat, head or tail to read a file"
            }
            (Category::Interactive, Lang::Es) => {
                "es interactivo o no termina nunca; usa cat, head o tail para leer un archivo"
            }
            (Category::Vcs, Lang::En) => {
                "it reaches the network and runs programs configured in the repository (hooks, pagers)"
            }
            (Category::Vcs, Lang::Es) => {
                "accede a la red y ejecuta programas configurados en el repositorio (hooks, paginadores)"
            }
        }
    }
}

/// The category of a program that can never be allowed, by its name.
pub fn category(name: &str) -> Option<Category> {
    let lower = name.to_ascii_lowercase();
    // python3.12, perl5.36, php8.2 …: versioned names are the same interpreters.
    let base = lower.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    let is = |list: &[&str]| list.contains(&lower.as_str()) || list.contains(&base);
    [
        (SHELLS, Category::Shell),
        (INTERPRETERS, Category::Interpreter),
        (RUNS_OTHER, Category::RunsOther),
        (SHELL_STATE, Category::ShellState),
        (NETWORK, Category::Network),
        (PRIVILEGE, Category::Privilege),
        (SYSTEM, Category::System),
        (INTERACTIVE, Category::Interactive),
        (VCS, Category::Vcs),
    ]
    .into_iter()
    .find(|(list, _)| is(list))
    .map(|(_, c)| c)
}
