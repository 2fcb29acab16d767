# codeward-corpus: vulnerable CWR310
# ruff: noqa
from Crypto.Cipher import AES
from Crypto.Util.Padding import pad


def encrypt_card(key, number):
    cipher = AES.new(key, AES.MODE_ECB)
    return cipher.encrypt(pad(number.encode(), AES.block_size))
