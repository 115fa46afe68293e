"""Store the text of an openpyxl-written workbook the way Excel and LibreOffice do.

openpyxl writes every text cell as an inline string with non-ASCII letters as character
references (`&#1040;`), which makes a Russian journal several times larger than the same file
saved by Excel and slower for everyone to open. This moves the text into xl/sharedStrings.xml
in UTF-8, as office programs store it; cell values and styles do not change.
"""

from __future__ import annotations

import re

_INLINE_RE = re.compile(
    rb'<c ([^>]*?)t="inlineStr"([^>]*)><is><t(?: xml:space="preserve")?>(.*?)</t></is></c>',
    re.DOTALL,
)
_CHAR_REF_RE = re.compile(rb"&#(\d+);")
SST_PART = "xl/sharedStrings.xml"
SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
NS_MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _utf8(match: re.Match[bytes]) -> bytes:
    code = int(match.group(1))
    # Only letters beyond ASCII: &#60; and friends must stay escaped.
    return chr(code).encode("utf-8") if code > 127 else match.group(0)


def share_strings(parts: dict[str, bytes]) -> dict[str, bytes]:
    """The package's parts with inline strings moved to a shared-strings part."""
    if SST_PART in parts:
        return parts
    index: dict[bytes, int] = {}
    total = 0
    out = dict(parts)

    def shared(match: re.Match[bytes]) -> bytes:
        nonlocal total
        text = _CHAR_REF_RE.sub(_utf8, match.group(3))
        i = index.setdefault(text, len(index))
        total += 1
        return b"<c " + match.group(1) + b't="s"' + match.group(2) + b"><v>" + \
            str(i).encode() + b"</v></c>"

    for name, data in parts.items():
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            out[name] = _INLINE_RE.sub(shared, data)
    if not index:
        return parts
    items = b"".join(b'<si><t xml:space="preserve">' + text + b"</t></si>" for text in index)
    out[SST_PART] = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="' + NS_MAIN
        + b'" count="' + str(total).encode() + b'" uniqueCount="'
        + str(len(index)).encode() + b'">' + items + b"</sst>"
    )
    types = out["[Content_Types].xml"]
    override = f'<Override PartName="/{SST_PART}" ContentType="{SST_TYPE}"/>'.encode()
    out["[Content_Types].xml"] = types.replace(b"</Types>", override + b"</Types>")
    rels_name = "xl/_rels/workbook.xml.rels"
    rels = out[rels_name]
    rel = f'<Relationship Id="rIdVksSharedStrings" Type="{SST_REL}" ' \
          f'Target="sharedStrings.xml"/>'.encode()
    out[rels_name] = rels.replace(b"</Relationships>", rel + b"</Relationships>")
    return out
