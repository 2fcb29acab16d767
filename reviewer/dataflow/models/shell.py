"""Commands: the os module, subprocess, asyncio, pty, and remote shells (paramiko, fabric, docker)."""

from __future__ import annotations

from collections.abc import Sequence

from codeward.reviewer.dataflow.models import Library, Sink

_SUBPROCESS = ("subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output",
               "subprocess.Popen")  # fmt: skip

SHELL = Library(
    "commands",
    sinks=(
        Sink("os.system", "command", ((0, "command"),)),
        Sink("os.popen", "command", ((0, "cmd"),)),
        Sink("subprocess.getoutput", "command", ((0, "cmd"),)),
        Sink("subprocess.getstatusoutput", "command", ((0, "cmd"),)),
        Sink("commands.getoutput", "command", ((0, "cmd"),)),
        Sink("asyncio.create_subprocess_shell", "command", ((0, "cmd"),)),
        Sink(".subprocess_shell", "command", ((1, "cmd"),)),
        Sink("asyncio.create_subprocess_exec", "command", ((0, "program"),), when="program"),
        *(Sink(name, "command", ((0, "args"),), when="shell") for name in _SUBPROCESS),
        *(Sink(name, "command", ((0, "args"),), when="program") for name in _SUBPROCESS),
        Sink("os.execl", "command", ((0, "path"),)),
        Sink("os.execlp", "command", ((0, "file"),)),
        Sink("os.execv", "command", ((0, "path"),)),
        Sink("os.execvp", "command", ((0, "file"),)),
        Sink("os.execve", "command", ((0, "path"),)),
        Sink("os.spawnl", "command", ((1, "path"),)),
        Sink("os.spawnlp", "command", ((1, "file"),)),
        Sink("os.spawnv", "command", ((1, "path"),)),
        Sink("os.spawnvp", "command", ((1, "file"),)),
        Sink("os.posix_spawn", "command", ((0, "path"),)),
        # The argument vector of a shell started on a script (`os.execl("/bin/sh", "sh", "-c", cmd)`): the script.
        *(Sink(f"os.{name}", "command", ((1, "args"),), when="argv") for name in ("execl", "execlp", "execle")),
        *(
            Sink(f"os.{name}", "command", ((1, "args"),), when="argv-list")
            for name in ("execv", "execvp", "execve", "execvpe", "posix_spawn", "posix_spawnp")
        ),
        *(Sink(f"os.{name}", "command", ((2, "args"),), when="argv") for name in ("spawnl", "spawnlp", "spawnle")),
        *(
            Sink(f"os.{name}", "command", ((2, "args"),), when="argv-list")
            for name in ("spawnv", "spawnvp", "spawnve", "spawnvpe")
        ),
        Sink("pty.spawn", "command", ((0, "argv"),), when="program"),
        Sink("paramiko.SSHClient().exec_command", "command", ((0, "command"),)),
        Sink(".exec_command", "command", ((0, "command"),)),
        Sink("fabric.Connection().run", "command", ((0, "command"),)),
        Sink("fabric.Connection().sudo", "command", ((0, "command"),)),
        Sink("docker.from_env().containers.run", "command", ((1, "command"),)),
        Sink("docker.DockerClient().containers.run", "command", ((1, "command"),)),
        Sink("pexpect.spawn", "command", ((0, "command"),)),
        Sink("pexpect.run", "command", ((0, "command"),)),
    ),
)

CODE = Library(
    "code",
    sinks=(
        Sink("eval", "code", ((0, "source"),)),
        Sink("exec", "code", ((0, "source"),)),
        Sink("compile", "code", ((0, "source"),)),
        Sink("builtins.eval", "code", ((0, "source"),)),
        Sink("builtins.exec", "code", ((0, "source"),)),
        Sink("importlib.import_module", "code", ((0, "name"),)),
        Sink("__import__", "code", ((0, "name"),)),
        Sink("pickle.loads", "deserialization", ((0, "data"),)),
        Sink("pickle.load", "deserialization", ((0, "file"),)),
        Sink("pickle.Unpickler", "deserialization", ((0, "file"),)),
        Sink("_pickle.loads", "deserialization", ((0, "data"),)),
        Sink("cPickle.loads", "deserialization", ((0, "data"),)),
        Sink("dill.loads", "deserialization", ((0, "str"),)),
        Sink("marshal.loads", "deserialization", ((0, "bytes"),)),
        Sink("jsonpickle.decode", "deserialization", ((0, "string"),)),
        Sink("jsonpickle.loads", "deserialization", ((0, "string"),)),
        Sink("yaml.unsafe_load", "deserialization", ((0, "stream"),)),
        Sink("shelve.open", "path", ((0, "filename"),)),
    ),
)

LIBRARIES = (SHELL, CODE)

SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "cmd", "cmd.exe", "powershell", "powershell.exe", "pwsh"})
SCRIPT_FLAGS = frozenset({"-c", "/c", "/C", "-Command", "-command", "-lc", "-ic"})
# Programs that run the program named after their own options (`sudo -u app sh -c CMD`): the options of each
# that take a value (`-u app`), and how many operands come before that program (`timeout 30 CMD`).
_PREFIXES = {
    "sudo": (frozenset({"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T"}), 0),
    "doas": (frozenset({"-u", "-C"}), 0),
    "env": (frozenset({"-u", "-C", "-S", "--unset", "--chdir"}), 0),
    "nice": (frozenset({"-n", "--adjustment"}), 0),
    "ionice": (frozenset({"-c", "-n", "-p", "-P", "-u"}), 0),
    "nohup": (frozenset(), 0),
    "setsid": (frozenset(), 0),
    "stdbuf": (frozenset({"-i", "-o", "-e"}), 0),
    "timeout": (frozenset({"-s", "-k", "--signal", "--kill-after"}), 1),
    "chroot": (frozenset({"--userspec", "--groups"}), 1),
}
# ssh's options that take a value; after them comes the destination, then the remote command.
_SSH_VALUED = frozenset("bcDEeFIiJLlmOopQRSWw")
# How many leading items of an argument vector are read for its command (callers collect as many).
MAX_WORDS = 16


def is_shell(word: object) -> bool:
    """A shell named as a program (`sh`, `/bin/bash`, `cmd.exe`)."""
    return isinstance(word, str) and word.rsplit("/", 1)[-1] in SHELLS


def argv_command(words: Sequence[object]) -> tuple[int, str]:
    """Where an argument vector's command is, given its leading items (a constant string, or anything else for
    an item not known): (index, "program") for the program that runs, after prefixes such as `sudo -u app`,
    `env A=1`, `timeout 30` or `nice -n 5`; (index, "script") for the script of `sh -c SCRIPT` or
    `su -c SCRIPT` (the items after it only fill `$0`, `$1`, ...); (index, "remote") for the first word of the
    command `ssh [options] HOST COMMAND...`, which ssh joins from there with blanks for the remote shell."""
    i = 0
    while i < min(len(words), MAX_WORDS):
        word = words[i]
        if not isinstance(word, str):
            return i, "program"
        program = word.rsplit("/", 1)[-1]
        if program in SHELLS:
            flag = words[i + 1] if i + 1 < len(words) else None
            return (i + 2, "script") if flag in SCRIPT_FLAGS else (i, "program")
        if program == "su":
            for j in range(i + 1, min(len(words), MAX_WORDS) - 1):
                if words[j] in ("-c", "--command"):
                    return j + 1, "script"
            return i, "program"
        if program == "ssh":
            j = i + 1
            while j < len(words) and isinstance(words[j], str) and words[j].startswith("-"):  # type: ignore[union-attr]
                option = words[j]
                j += 2 if len(option) == 2 and option[1] in _SSH_VALUED else 1  # type: ignore[index]
            return (j + 1, "remote") if j + 1 < len(words) else (i, "program")
        prefix = _PREFIXES.get(program)
        if prefix is None:
            return i, "program"
        valued, operands = prefix
        i += 1
        while i < len(words) and isinstance(words[i], str):
            option = words[i]
            if option == "--":  # type: ignore[comparison-overlap]
                i += 1
                break
            if program == "env" and "=" in option and not option.startswith("-"):  # type: ignore[operator,union-attr]
                i += 1
            elif option.startswith("-") and len(option) > 1:  # type: ignore[union-attr]
                i += 2 if option in valued else 1
            else:
                break
        i += operands
    return min(i, len(words)), "program"
