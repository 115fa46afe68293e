"""Rendering rejection decisions: the .docx of one letter, the print batch, its PDF.

    template = LetterTemplate.load(path)          # checks the placeholders once
    template.write(context, target)               # one letter, atomically, private
    compose_batch([letter1, letter2], batch)      # one .docx, each letter on a new page
    convert_to_pdf(batch, batch.with_suffix(".pdf"))

Values are escaped (Jinja autoescape) and stripped of control characters before they reach the
XML, so `&`, `<`, `>`, quotes or «» in a name or address render in full; templates run in a
sandboxed Jinja environment with strict undefined values; a placeholder the toolkit does not
provide is a TemplateError before anything is rendered.
"""

from __future__ import annotations

import contextlib
import io
import logging
import math
import os
import re
import shutil
import signal
import subprocess
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from toolkit.journal.errors import TemplateError, ToolkitError, describe_os_error
from toolkit.journal.files import (
    atomic_output,
    fixed_entry,
    normalize_zip,
    read_regular,
)
from toolkit.letters.template import FIELDS, TEMPLATE_PATH, build_template

log = logging.getLogger("vks.letters")

PDF_TIMEOUT = 120.0  # seconds for one LibreOffice conversion
# Characters XML 1.0 cannot hold, and controls docxtpl would turn into breaks or tabs.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


class LetterError(ToolkitError):
    """The batch or its PDF could not be made."""


def safe_value(value: object) -> str:
    """A value as it may enter the document: text, no control characters, single spaces."""
    text = "" if value is None else str(value)
    return " ".join(_UNSAFE.sub(" ", text).split())


class LetterTemplate:
    """A decision template, checked and compiled once per run, rendered for each letter.

    docxtpl prepares the document XML (`patch_xml` joins placeholders Word split across runs)
    and checks the placeholders; the prepared XML is compiled once in a sandboxed, autoescaping
    Jinja environment with strict undefined values. A letter is then one Jinja render, docxtpl's
    own post-processing (`resolve_listing`), a strict XML parse (a value can never cut the
    document short) and the template's zip with the new parts — instead of parsing and saving a
    whole package through python-docx for every letter, which is several times slower.
    """

    _RENDERED = re.compile(r"^word/(document|header\d*|footer\d*)\.xml$")

    def __init__(self, data: bytes, name: str) -> None:
        from docxtpl import DocxTemplate
        from jinja2 import StrictUndefined, TemplateSyntaxError
        from jinja2.sandbox import SandboxedEnvironment

        self.data = data
        self.name = name
        self.env = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)
        try:
            self._docxtpl = DocxTemplate(io.BytesIO(data))
            used = self._docxtpl.get_undeclared_template_variables(self.env)
            with zipfile.ZipFile(io.BytesIO(data)) as package:
                self._entries = [(info.filename, package.read(info))
                                 for info in package.infolist()]
            self._parts = {part: self._compile(part, blob) for part, blob in self._entries
                           if self._RENDERED.match(part) and (b"{{" in blob or b"{%" in blob)}
        except TemplateSyntaxError as exc:
            raise TemplateError(
                f"шаблон {name}: ошибка в записи поля ({exc.message}); поля пишутся как "
                f"{{{{ гражданин }}}}"
            ) from None
        except (zipfile.BadZipFile, KeyError, ValueError, SyntaxError) as exc:
            raise TemplateError(
                f"шаблон {name}: это не документ Word .docx или файл поврежден "
                f"({type(exc).__name__})"
            ) from None
        unknown = sorted(set(used) - set(FIELDS))
        if unknown:
            listed = ", ".join(f"{{{{ {u} }}}}" for u in unknown)
            known = ", ".join(FIELDS)
            raise TemplateError(
                f"шаблон {name}: неизвестные поля {listed}; программа заполняет только: {known}"
            )
        self.fields = frozenset(used)

    def _compile(self, part: str, blob: bytes) -> tuple[str, Any, str]:
        """(text before the rendered element, its compiled template, text after it)."""
        from lxml import etree

        text = blob.decode("utf-8")
        root = etree.fromstring(blob)
        if part == "word/document.xml":
            start = text.index("<w:body")
            end = text.rindex("</w:body>") + len("</w:body>")
            element = root.find(_W + "body")
        else:
            start = text.index("<w:" + root.tag.rsplit("}", 1)[1])  # <w:hdr or <w:ftr
            end = len(text)
            element = root
        source = etree.tostring(element, encoding="unicode")
        source = self._docxtpl.patch_xml(source)
        source = re.sub(r"<w:p([ >])", r"\n<w:p\1", source)  # as docxtpl: lines for errors
        return text[:start], self.env.from_string(source), text[end:]

    @classmethod
    def load(cls, path: Path | None = None) -> LetterTemplate:
        """The template at `path`; by default the repository's, or the same built in memory."""
        if path is None:
            if TEMPLATE_PATH.is_file():
                return cls(TEMPLATE_PATH.read_bytes(), TEMPLATE_PATH.name)
            return cls(build_template(), TEMPLATE_PATH.name)
        try:
            data = read_regular(Path(path))  # a FIFO or a device is refused, not waited on
        except FileNotFoundError:
            raise TemplateError(f"шаблон решения {path} не найден") from None
        except OSError as exc:
            raise TemplateError(f"шаблон решения: {describe_os_error(exc, path)}") from None
        return cls(data, str(path))

    def render(self, context: Mapping[str, object]) -> bytes:
        """One letter as .docx bytes (fixed zip entry times: same values, same bytes)."""
        from jinja2 import TemplateError as JinjaError
        from lxml import etree

        missing = sorted(set(FIELDS) - set(context))
        if missing:
            raise TemplateError(f"нет значений полей шаблона: {', '.join(missing)}")
        values = {key: safe_value(value) for key, value in context.items()}
        rendered: dict[str, bytes] = {}
        for part, (head, template, tail) in self._parts.items():
            try:
                xml = template.render(values)
            except JinjaError as exc:
                raise TemplateError(f"шаблон {self.name}: {type(exc).__name__}") from None
            xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
            for escaped, plain in (("{_{", "{{"), ("}_}", "}}"), ("{_%", "{%"), ("%_}", "%}")):
                xml = xml.replace(escaped, plain)
            xml = self._docxtpl.resolve_listing(xml)
            blob = (head + xml + tail).encode("utf-8")
            try:
                etree.fromstring(blob)
            except etree.XMLSyntaxError:
                raise TemplateError(
                    f"шаблон {self.name}: после заполнения документ не является правильным XML"
                ) from None
            rendered[part] = blob
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
            for part, blob in self._entries:
                package.writestr(fixed_entry(part), rendered.get(part, blob))
        return out.getvalue()

    def write(self, context: Mapping[str, object], target: Path) -> None:
        """Render into `target`: a temporary file first, renamed when complete (shared)."""
        data = self.render(context)
        with atomic_output(target) as tmp:
            tmp.write_bytes(data)


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def compose_batch(letters: Sequence[Path], target: Path) -> Path:
    """One .docx of all `letters` in order, each starting on a new page.

    Letters of one template (a run's letters are): their bodies in one document, in linear time
    (`letter_batch`). Letters of different templates: docxcompose, which also merges styles,
    numbering and media, at a cost that grows faster than the number of letters.
    """
    from toolkit.letters.batch import DOCUMENT, OtherTemplate, concatenate

    if not letters:
        raise LetterError("нет решений для пакета")
    batch = concatenate(letters)
    if batch is None:
        return _compose_batch_docxcompose(letters, target)
    try:
        with atomic_output(target) as tmp, zipfile.ZipFile(tmp, "w") as package:
            for part, blob in batch.parts.items():
                entry = fixed_entry(part)
                if part != DOCUMENT:
                    package.writestr(entry, blob)
                    continue
                with package.open(entry, "w") as document:
                    for piece in batch.document():
                        document.write(piece)
    except OtherTemplate:  # nothing of the half-made batch is left: atomic_output dropped it
        return _compose_batch_docxcompose(letters, target)
    return target


def _compose_batch_docxcompose(letters: Sequence[Path], target: Path) -> Path:
    """The batch of letters made from different templates, merged by docxcompose."""
    from docx import Document

    # docxcompose scans the whole master on every append, so appending n letters one by one
    # costs n²; composing groups of about √n first and then the groups keeps it near n·√n.
    group = max(8, math.isqrt(len(letters)))
    parts = []
    for start in range(0, len(letters), group):
        docs = [Document(str(path)) for path in letters[start:start + group]]
        parts.append(_compose(docs))
    batch = _compose(parts)
    with atomic_output(target) as tmp:
        batch.save(str(tmp))
        normalize_zip(tmp)
    return target


def _compose(docs: Sequence[Any]) -> Any:
    """The documents one after another in the first one, each from a new page."""
    from docxcompose.composer import Composer

    composer = Composer(docs[0])
    for doc in docs[1:]:
        if doc.paragraphs:
            doc.paragraphs[0].paragraph_format.page_break_before = True
        composer.append(doc)
    return composer.doc


def find_soffice(configured: str | None = None) -> str | None:
    """The LibreOffice program: the configured one, or soffice/libreoffice on PATH."""
    if configured:
        return configured if Path(configured).is_file() else shutil.which(configured)
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in (
        r"C:\Program Files\LibreOffice\program\soffice.exe",
        "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    ):
        if Path(candidate).is_file():
            return candidate
    return None


MISSING_SOFFICE = (
    "не найден LibreOffice (программа soffice), PDF сделать нельзя. Установите LibreOffice "
    "(Debian/Ubuntu: apt-get install libreoffice-writer-nogui) или укажите путь к soffice "
    "в [letters] soffice файла настроек; без --pdf решения готовятся и так"
)


def convert_to_pdf(
    source: Path, target: Path, soffice: str | None = None, timeout: float = PDF_TIMEOUT
) -> Path:
    """Convert a .docx to PDF with LibreOffice headless, in a profile of its own.

    The profile and output live in a temporary folder, so a person's running LibreOffice and a
    parallel job never collide; the whole process group is killed on timeout; the result must
    start with %PDF before it replaces `target`.
    """
    program = find_soffice(soffice)
    if program is None:
        raise LetterError(MISSING_SOFFICE)
    with tempfile.TemporaryDirectory(prefix="vks-pdf-") as work:
        folder = Path(work)
        os.chmod(folder, 0o700)
        profile = folder / "profile"
        outdir = folder / "out"
        outdir.mkdir()
        staged = folder / "batch.docx"  # a plain name: LibreOffice names its output after it
        shutil.copyfile(source, staged)
        command = [
            program,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless", "--invisible", "--nologo", "--norestore", "--nodefault",
            "--nolockcheck",
            "--convert-to", "pdf:writer_pdf_Export",
            "--outdir", str(outdir),
            str(staged),
        ]
        env = {**os.environ, "HOME": str(folder)}
        _run(command, timeout, env)
        produced = outdir / "batch.pdf"
        if not produced.is_file():
            raise LetterError(f"LibreOffice не создал PDF из {source.name}")
        with open(produced, "rb") as f:
            head = f.read(5)
        if head != b"%PDF-":
            raise LetterError(f"LibreOffice создал не PDF из {source.name}")
        with atomic_output(target) as tmp:
            shutil.copyfile(produced, tmp)
    return target


def _run(command: list[str], timeout: float, env: dict[str, str]) -> None:
    posix = os.name == "posix"
    extra: dict[str, Any] = {"start_new_session": True} if posix else {}
    try:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=env, **extra,
        )
    except OSError as exc:
        raise LetterError(f"не удалось запустить LibreOffice ({exc.strerror})") from None
    try:
        _, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        if posix:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
        process.communicate()
        raise LetterError(
            f"LibreOffice не сделал PDF за {timeout:.0f} с — преобразование прервано"
        ) from None
    if process.returncode != 0:
        log.warning("soffice завершился с кодом %d: %s", process.returncode,
                    err.decode("utf-8", "replace")[-300:])
        raise LetterError(f"LibreOffice завершился с ошибкой (код {process.returncode})")
