"""Why a file given as a journal is not an .xlsx workbook, told from its first bytes."""

from __future__ import annotations

OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # a Compound File: .xls, or an encrypted .xlsx
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")


def not_xlsx_reason(data: bytes) -> str:
    """A Russian reason for a file that did not open as a zip package."""
    if data.startswith(OLE_MAGIC):
        if ENCRYPTED_STREAM in data[:1 << 20] or ENCRYPTED_STREAM in data[-(1 << 20):]:
            return ("книга защищена паролем на открытие (зашифрована): программа не может ее "
                    "прочитать — снимите пароль (Файл → Сведения → Защитить книгу → "
                    "Зашифровать с использованием пароля) или сохраните копию без пароля")
        return ("это книга старого формата Excel 97–2003 (.xls): сохраните ее как "
                "«Книга Excel (.xlsx)»")
    if not data:
        return "файл пуст — это не книга Excel .xlsx"
    return "это не книга Excel .xlsx или файл поврежден"
