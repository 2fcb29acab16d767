# codeward-corpus: vulnerable CWR313
# ruff: noqa
import paramiko


def run_remote(host, command):
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(host, username="deploy", key_filename="/home/deploy/.ssh/id_ed25519")
    try:
        _, stdout, _ = client.exec_command(command, timeout=60)
        return stdout.read()
    finally:
        client.close()
