# codeward-corpus: safe CWR202
# ruff: noqa
import os
import smtplib

SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")


def send(message):
    with smtplib.SMTP_SSL("smtp.example.com", 465) as server:
        server.login("alerts@example.com", SMTP_PASSWORD)
        server.send_message(message)
