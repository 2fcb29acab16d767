# codeward-corpus: vulnerable CWR202
# ruff: noqa
import smtplib

SMTP_PASSWORD = "q7Vx!m2Lp9zR"


def send(message):
    with smtplib.SMTP_SSL("smtp.example.com", 465) as server:
        server.login("alerts@example.com", SMTP_PASSWORD)
        server.send_message(message)
