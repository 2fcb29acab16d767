"""Commands: the os module, subprocess, asyncio, pty, and remote shells (paramiko, fabric, docker)."""

from __future__ import annotations

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
