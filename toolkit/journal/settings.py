"""Every key of `vks.toml`, in one table: what it is, its default, where it is documented.

The table is the one source of truth for the settings: `parse_config` rejects a key that is not
in it — naming the file, the line, the key and the nearest valid name — so a typo such as
`[maill]` or `[letters] outt` fails at once instead of showing up weeks later as «нет
получателей»; `python -m toolkit.journal.docs` renders it as the settings reference; and a test
keeps `vks.example.toml` and the reference in step with it. Each part of the toolkit still reads
and validates the values of its own section.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.journal.errors import ConfigError

TOP = ""  # the keys before any [section]
BODIES = "bodies"  # the [[bodies]] tables, one per body


@dataclass(frozen=True)
class Setting:
    """One key: `section` is "" for top-level keys, "bodies" for [[bodies]]."""

    section: str
    key: str
    kind: str  # how the value is written, in Russian: «строка», «список строк», «число»…
    default: str
    text: str  # what it does, in Russian

    @property
    def name(self) -> str:
        return f"{self.section}.{self.key}" if self.section else self.key


def _s(section: str, key: str, kind: str, default: str, text: str) -> Setting:
    return Setting(section, key, kind, default, text)


SETTINGS: tuple[Setting, ...] = (
    _s(TOP, "timezone", "строка", "Asia/Novokuznetsk",
       "Часовой пояс, в котором записаны все даты и время журнала."),
    _s(TOP, "journals", "список строк", "[]",
       "Журналы, которые обрабатываются, когда команда вызвана без пути: файлы .xlsx (путь "
       "относительно файла настроек) или gsheet:<ключ таблицы>."),
    _s(TOP, "state_dir", "строка", ".vks рядом с журналом",
       "Папка для резервных копий, учета решений, рассылок и запусков заданий."),
    _s("calendar", "days_off", "список дат", "[]",
       "Местные выходные дни в дополнение к производственному календарю."),
    _s("calendar", "working_days", "список дат", "[]",
       "Местные рабочие дни в дополнение к производственному календарю."),
    _s("calendar", "short_days", "список дат", "[]",
       "Местные сокращенные на час дни (ст. 95 ТК РФ) в дополнение к предпраздничным."),
    _s("calendar", "hours", "таблица", "—",
       "Часы работы в отдельные даты: { \"2026-12-30\" = \"09:00-16:00\" }."),
    _s("letters", "out", "строка", "решения",
       "Папка для решений об отклонении заявки (вместо --out)."),
    _s("letters", "template", "строка", "встроенный шаблон",
       "Свой шаблон решения (копия doc_templates/решение-об-отклонении.docx)."),
    _s("letters", "soffice", "строка", "из PATH",
       "Путь к LibreOffice (soffice) для --pdf, если его нет в PATH."),
    _s("letters", "pdf_timeout", "число", "120",
       "Сколько секунд ждать преобразования в PDF."),
    _s("google", "service_account", "строка", "VKS_GOOGLE_KEY или ~/.config/gspread/…",
       "Файл ключа сервисного аккаунта Google."),
    _s("google", "timeout", "число", "60", "Секунд ожидания ответа на один запрос."),
    _s("google", "time_limit", "число", "120", "Секунд всего на один запрос вместе с повторами."),
    _s("google", "retries", "число", "5", "Повторы чтения после ответа 429 или 5xx (0–10)."),
    _s("google", "personal_file", "строка", "—",
       "Локальный .xlsx для адресов и контактов граждан вместо Google (152-ФЗ)."),
    _s("mail", "host", "строка", "—", "Сервер исходящей почты (SMTP)."),
    _s("mail", "security", "строка", "starttls", "starttls (порт 587), ssl (465) или none (25)."),
    _s("mail", "port", "число", "по security", "Порт сервера."),
    _s("mail", "username", "строка", "—", "Имя для входа на сервер."),
    _s("mail", "username_env", "строка", "—",
       "Имя переменной окружения с именем для входа (вместо username)."),
    _s("mail", "password_env", "строка", "—",
       "Имя переменной окружения с паролем (сам пароль в файле не хранится)."),
    _s("mail", "sender", "строка", "username", "Адрес отправителя писем."),
    _s("mail", "ministry_recipients", "список строк", "[]",
       "Кому в министерстве отправлять статистику всех органов и итоги."),
    _s("mail", "cafile", "строка", "—", "Свой корневой сертификат сервера, если нужен."),
    _s("mail", "timeout", "число", "30", "Секунд ожидания ответа сервера."),
    _s("imap", "host", "строка", "—",
       "Сервер входящей почты (IMAP), на который приходят ответы граждан на уведомления."),
    _s("imap", "security", "строка", "ssl", "ssl (порт 993) или starttls (143); none — только "
                                            "для сервера на этом же компьютере."),
    _s("imap", "port", "число", "по security", "Порт сервера."),
    _s("imap", "username", "строка", "—", "Имя для входа в почтовый ящик."),
    _s("imap", "password_env", "строка", "—",
       "Имя переменной окружения с паролем почтового ящика."),
    _s("imap", "folder", "строка", "INBOX",
       "Папка, в которую приходят ответы (если у органа нет своей imap_folder)."),
    _s("imap", "processed_folder", "строка", "— (письма остаются на месте)",
       "Папка, куда переносятся разобранные программой ответы."),
    _s("imap", "cafile", "строка", "—", "Свой корневой сертификат сервера, если нужен."),
    _s("imap", "timeout", "число", "30", "Секунд ожидания ответа сервера."),
    _s("stats", "top_topics", "число", "5", "Сколько частых тем обращений показывать в отчете."),
    _s("files", "mode", "строка", "по umask процесса",
       "Права новых журналов, решений, отчетов и списков, например \"0640\" (группа читает) "
       "или \"0660\" (группа читает и пишет); служебная папка .vks всегда закрыта."),
    _s("files", "group", "строка", "основная группа пользователя",
       "Группа новых журналов, решений, отчетов и списков (сотрудники в этой группе открывают "
       "их на общей папке)."),
    _s("jobs", "dir", "строка", "встроенные задания",
       "Папка с описаниями заданий (*.toml) вместо встроенных."),
    _s("jobs", "busy_retry_minutes", "число", "15",
       "Через сколько минут повторить запись в журнал, открытый в Excel или LibreOffice."),
    _s("jobs", "busy_retry_until", "строка", "18:00",
       "До какого времени рабочего дня повторять такую запись (потом — уведомление о сбое)."),
    _s("jobs", "notify", "список строк", "[]",
       "Кому сообщать о сбоях заданий, у которых нет своего notify."),
    _s("limits", "max_rows", "число", "200000",
       "Больше строк в листе — файл не читается (защита от «лишней» ячейки внизу листа)."),
    _s("limits", "max_columns", "число", "64", "Больше столбцов в листе — файл не читается."),
    _s("limits", "max_file_mib", "число", "256", "Наибольший размер файла журнала, МиБ."),
    _s("limits", "max_sheet_mib", "число", "512",
       "Наибольший размер листа после распаковки, МиБ."),
    _s("limits", "max_total_mib", "число", "1024",
       "Наибольший размер файла после распаковки, МиБ."),
    _s("limits", "max_ratio", "число", "200",
       "Наибольшая степень сжатия части файла (защита от «zip-бомбы»)."),
    _s("limits", "max_members", "число", "10000", "Наибольшее число частей в файле .xlsx."),
    _s("intake", "routes", "список таблиц", "по органу, выбранному гражданином",
       "Таблица распределения заявок с сайта (п. 2.3): [[intake.routes]] с name (орган), "
       "aliases, topics (ключевые слова тематики) и places (муниципальные образования)."),
    _s("intake", "mapping", "таблица", "{}",
       "Заголовки выгрузки сайта, которые программа не узнает сама: "
       "{ citizen = \"ФИО заявителя\" }."),
    _s("intake", "centre", "строка", "орган со словами «Центр социальных выплат» или «ЦСВ»",
       "Центр социальных выплат (наименование или лист): ему — нераспределенные заявки."),
    _s("intake", "forward", "true/false", "true",
       "Переадресовывать заявку органу по эл. почте (email в [[bodies]], п. 2.3)."),
    _s("intake", "earlier", "список строк", "[]",
       "Журналы прошлых лет для поиска повторных вопросов (основание 4 п. 2.8)."),
    _s("intake", "repeats", "true/false", "true, если заявки уже принимались",
       "Искать повторные вопросы при регистрации и в vks check."),
    _s("intake", "secret_env", "строка", "VKS_INTAKE_SECRET",
       "Переменная окружения с секретом для хеша даты рождения в учете заявок."),
    _s("intake", "busy_retries", "число", "3",
       "Сколько раз повторить запись, если журнал открыт в Excel или LibreOffice."),
    _s("intake", "busy_wait", "число", "20", "Секунд между такими повторами."),
    _s("intake", "mailbox", "таблица", "—",
       "Почтовый ящик с письмами виджета (IMAP): host, port, security, username, "
       "password_env, folder, processed_folder, cafile, timeout."),
    _s(BODIES, "name", "строка", "обязательно", "Полное наименование органа."),
    _s(BODIES, "sheet", "строка", "первые 31 символ name",
       "Название листа журнала этого органа."),
    _s(BODIES, "journal", "строка", "journals",
       "Файл или таблица, если журналы органов ведутся в разных файлах."),
    _s(BODIES, "phone", "строка", "—", "Номер телефона в решении об отклонении (прил. 2)."),
    _s(BODIES, "address", "строка", "—", "Адрес органа для бланка решения об отклонении."),
    _s(BODIES, "controller", "строка", "—",
       "Должностное лицо, осуществляющее контроль за личным приемом по ВКС (подпись в "
       "прил. 2)."),
    _s(BODIES, "unit_head", "строка", "—",
       "Руководитель структурного подразделения специалиста (подпись в прил. 2)."),
    _s(BODIES, "hours", "строка", "09:00-18:00, пт до 17:00",
       "Часы приема по будням (п. 1.2), например \"09:00-18:00\"."),
    _s(BODIES, "hours_by_day", "таблица", "—",
       "Часы приема по дням недели: { fri = \"09:00-17:00\" }; \"-\" — не принимает."),
    _s(BODIES, "lunch", "строка", "13:00-14:00", "Перерыв, в который прием не назначается."),
    _s(BODIES, "recipients", "список строк", "[]",
       "Кому отправлять ежемесячную статистику органа."),
    _s(BODIES, "specialists", "список строк", "[] — без проверки",
       "Уполномоченные специалисты органа (п. 3.3): графа 6 проверяется по списку, в журнале "
       "появляется выпадающий список."),
    _s(BODIES, "email", "строка", "[mail] sender",
       "Адрес эл. почты органа: в бланке решения; с него гражданам отправляются уведомления и "
       "решения (п. 2.4)."),
    _s(BODIES, "telemost_token_env", "строка", "— (ссылки вписываются вручную)",
       "Имя переменной окружения с токеном OAuth Яндекс 360 для бизнеса: программа сама "
       "создает встречи в Телемосте (п. 1.3)."),
    _s(BODIES, "imap_folder", "строка", "[imap] folder",
       "Своя папка почтового ящика [imap] для ответов граждан этому органу."),
)

# Keys people try that must not be there, with what to do instead.
FORBIDDEN: dict[tuple[str, str], str] = {
    ("mail", "password"): "пароль в файле настроек не хранится; укажите password_env = "
                          "\"ИМЯ_ПЕРЕМЕННОЙ\" и задайте пароль в этой переменной окружения",
    ("imap", "password"): "пароль в файле настроек не хранится; укажите password_env = "
                          "\"ИМЯ_ПЕРЕМЕННОЙ\" и задайте пароль в этой переменной окружения",
    (BODIES, "telemost_token"): "токен в файле настроек не хранится; укажите "
                                "telemost_token_env = \"ИМЯ_ПЕРЕМЕННОЙ\" и задайте токен в этой "
                                "переменной окружения",
}

SECTIONS: tuple[str, ...] = tuple(dict.fromkeys(s.section for s in SETTINGS if s.section))
_BY_SECTION: dict[str, set[str]] = {}
for _setting in SETTINGS:
    _BY_SECTION.setdefault(_setting.section, set()).add(_setting.key)


def known_keys(section: str) -> set[str]:
    """Keys allowed in a section ("" for the top level)."""
    keys = set(_BY_SECTION.get(section, ()))
    return keys | set(SECTIONS) if section == TOP else keys


def check_keys(data: Mapping[str, Any], path: Path | None) -> None:
    """Raise a ConfigError for the first key that is not a setting, with the nearest one."""
    for section, key, index in _keys(data):
        if key in known_keys(section):
            continue
        where = str(path) if path else "настройки"
        line = _line_of(path, section, key, index)
        place = f"{where}, строка {line}" if line else where
        if (section, key) in FORBIDDEN:
            raise ConfigError(f"{place}: [{section}] {key} — {FORBIDDEN[section, key]}")
        table = f"[[{section}]] № {index + 1}" if section == BODIES else \
            f"[{section}]" if section else "вне разделов"
        near = difflib.get_close_matches(key, sorted(known_keys(section)), n=1, cutoff=0.6)
        hint = f"; возможно, имелось в виду «{near[0]}»" if near else \
            "; допустимы: " + ", ".join(sorted(known_keys(section)))
        what = "раздел" if section == TOP and isinstance(data.get(key), dict) else "ключ"
        raise ConfigError(f"{place}: неизвестный {what} «{key}» ({table}){hint}")


def _keys(data: Mapping[str, Any]) -> Iterator[tuple[str, str, int]]:
    for key, value in data.items():
        yield TOP, key, 0
        if key not in SECTIONS:
            continue
        if key == BODIES and isinstance(value, list):
            for i, body in enumerate(value):
                if isinstance(body, dict):
                    yield from ((BODIES, k, i) for k in body)
        elif isinstance(value, dict):
            yield from ((key, k, 0) for k in value)


def _line_of(path: Path | None, section: str, key: str, index: int) -> int | None:
    """The line where `key` is written in its table (best effort: TOML keeps no positions)."""
    if path is None or not path.is_file():
        return None
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    current, seen_bodies = TOP, -1
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*(=|\.)")
    header = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?")
    for n, line in enumerate(lines, start=1):
        m = header.match(line)
        if m:
            current = m.group(1)
            if line.lstrip().startswith("[[") and current == BODIES:
                seen_bodies += 1
            if section == TOP and current == key:
                return n
            continue
        if current == section and (section != BODIES or seen_bodies == index) \
                and pattern.match(line):
            return n
        if section == TOP and current == TOP and pattern.match(line):
            return n
    return None
