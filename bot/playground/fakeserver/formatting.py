"""Parse modes (HTML, MarkdownV2, Markdown): plain text and entities, or Telegram's errors.

Telegram refuses a message whose markup does not parse; bots that forget to escape user
input hit this in production, so the fake parses as strictly as Telegram does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .entities import utf16_len
from .error_replies import ApiError, bad_request

_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_START_TAG = re.compile(
    r"<([a-zA-Z][\w-]*)((?:\s+[a-zA-Z][\w-]*(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*)\s*>"
)
_END_TAG = re.compile(r"</\s*([a-zA-Z][\w-]*)\s*>")
_ATTRIBUTE = re.compile(r"([a-zA-Z][\w-]*)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>\"']+)))?")
_HTML_ENTITY = re.compile(r"&(?:#(\d+)|#[xX]([0-9a-fA-F]+)|(lt|gt|amp|quot));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MDV2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}
_MDV2_MARKERS = {"*": "bold", "_": "italic", "__": "underline", "~": "strikethrough"}
_MDV2_MARKERS["||"] = "spoiler"
_LEGACY_MARKERS = {"*": "bold", "_": "italic"}
_MAX_ESCAPABLE = 126


def parse_formatted(text: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
    """Return the plain text and entities for ``text`` written in ``parse_mode``.

    Raises:
        ApiError: 400 "can't parse entities: ..." when the markup is invalid.
    """
    if not parse_mode:
        return text, []
    mode = parse_mode.lower()
    if mode == "html":
        return _HtmlParser(text).parse()
    if mode == "markdownv2":
        return _MarkdownV2Parser(text).parse()
    if mode == "markdown":
        return _LegacyMarkdownParser(text).parse()
    raise bad_request("unsupported parse_mode")


def _cant_parse(detail: str) -> ApiError:
    return bad_request(f"can't parse entities: {detail}")


@dataclass
class _Open:
    marker: str
    kind: str
    offset: int
    source_index: int
    extra: dict[str, Any] = field(default_factory=dict)


class _Output:
    """Plain text being built, with entity offsets in UTF-16 code units."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.position = 0
        self.entities: list[dict[str, Any]] = []

    def write(self, text: str) -> None:
        self.pieces.append(text)
        self.position += utf16_len(text)

    def close(self, opened: _Open) -> None:
        length = self.position - opened.offset
        if length > 0:  # Telegram drops empty entities
            entity = {"type": opened.kind, "offset": opened.offset, "length": length}
            entity.update(opened.extra)
            self.entities.append(entity)

    def result(self) -> tuple[str, list[dict[str, Any]]]:
        entities = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.pieces), entities


class _HtmlParser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.out = _Output()
        self.stack: list[_Open] = []

    def byte_offset(self, index: int) -> int:
        return len(self.text[:index].encode("utf-8"))

    def parse(self) -> tuple[str, list[dict[str, Any]]]:
        i = 0
        text = self.text
        while i < len(text):
            char = text[i]
            if char == "<":
                i = self.end_tag(i) if text.startswith("</", i) else self.start_tag(i)
            elif char == "&":
                match = _HTML_ENTITY.match(text, i)
                if match is None:
                    self.out.write("&")
                    i += 1
                else:
                    self.out.write(_decode_entity(match))
                    i = match.end()
            else:
                end = min((j for j in (text.find("<", i), text.find("&", i)) if j >= 0), default=-1)
                end = len(text) if end < 0 else end
                self.out.write(text[i:end])
                i = end
        if self.stack:
            raise _cant_parse(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].marker}"'
            )
        return self.out.result()

    def start_tag(self, i: int) -> int:
        match = _START_TAG.match(self.text, i)
        name = match.group(1).lower() if match else ""
        if match is None or name not in _HTML_TAGS:
            shown = name or re.match(r"<([^\s>]*)", self.text[i:]).group(1)  # type: ignore[union-attr]
            raise _cant_parse(
                f'Unsupported start tag "{shown}" at byte offset {self.byte_offset(i)}'
            )
        attributes = {
            m.group(1).lower(): _unescape(m.group(2) or m.group(3) or m.group(4) or "")
            for m in _ATTRIBUTE.finditer(match.group(2))
        }
        kind, extra = self.entity_for(name, attributes, i)
        self.stack.append(_Open(name, kind, self.out.position, i, extra))
        return match.end()

    def entity_for(
        self, name: str, attributes: dict[str, str], i: int
    ) -> tuple[str, dict[str, Any]]:
        kind = _HTML_TAGS[name]
        if name == "span" and attributes.get("class") != "tg-spoiler":
            raise _cant_parse(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self.byte_offset(i)}'
            )
        if name == "a":
            href = attributes.get("href", "")
            user = re.fullmatch(r"tg://user\?id=(\d+)", href)
            if user:
                return "text_mention", {"user": {"id": int(user.group(1))}}
            return kind, {"url": href}
        if name == "blockquote" and "expandable" in attributes:
            return "expandable_blockquote", {}
        if name == "tg-emoji":
            return kind, {"custom_emoji_id": attributes.get("emoji-id", "")}
        if name == "code" and self.stack and self.stack[-1].marker == "pre":
            language = attributes.get("class", "").removeprefix("language-")
            if language:
                self.stack[-1].extra["language"] = language
        return kind, {}

    def end_tag(self, i: int) -> int:
        match = _END_TAG.match(self.text, i)
        if match is None:
            raise _cant_parse(f"Can't find end of tag at byte offset {self.byte_offset(i)}")
        name = match.group(1).lower()
        if not self.stack:
            raise _cant_parse(f"Unexpected end tag at byte offset {self.byte_offset(i)}")
        opened = self.stack[-1]
        if opened.marker != name:
            raise _cant_parse(
                f"Unmatched end tag at byte offset {self.byte_offset(i)}, "
                f'expected "</{opened.marker}>", found "</{name}>"'
            )
        self.stack.pop()
        inside_pre = name == "code" and self.stack and self.stack[-1].marker == "pre"
        if not inside_pre:  # <pre><code class="language-x"> is one pre entity
            self.out.close(opened)
        return match.end()


def _decode_entity(match: re.Match[str]) -> str:
    if match.group(1):
        return chr(int(match.group(1)))
    if match.group(2):
        return chr(int(match.group(2), 16))
    return _NAMED[match.group(3)]


def _unescape(value: str) -> str:
    return _HTML_ENTITY.sub(_decode_entity, value)


class _MarkdownV2Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.out = _Output()
        self.stack: list[_Open] = []

    def byte_offset(self, index: int) -> int:
        return len(self.text[:index].encode("utf-8"))

    def parse(self) -> tuple[str, list[dict[str, Any]]]:
        text = self.text
        i = 0
        while i < len(text):
            char = text[i]
            if char == "\\" and i + 1 < len(text) and 0 < ord(text[i + 1]) <= _MAX_ESCAPABLE:
                self.out.write(text[i + 1])
                i += 2
            elif char == "`":
                i = self.code(i)
            elif text.startswith("||", i) or text.startswith("__", i):
                i = self.toggle(text[i : i + 2], i)
            elif char in "*_~":
                i = self.toggle(char, i)
            elif char == "[" or (char == "!" and text.startswith("![", i)):
                kind = "text_link" if char == "[" else "custom_emoji"
                self.stack.append(_Open("[", kind, self.out.position, i))
                i += 1 if char == "[" else 2
            elif char == "]" and self.stack and self.stack[-1].marker == "[":
                i = self.link_end(i)
            elif char == ">" and (i == 0 or text[i - 1] == "\n"):
                i = self.blockquote(i)
            elif char in _MDV2_RESERVED or char == "\\":
                raise _cant_parse(
                    f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
                )
            else:
                self.out.write(char)
                i += 1
        if self.stack:
            opened = self.stack[-1]
            name = _MDV2_NAMES.get(opened.kind, opened.kind)
            raise _cant_parse(
                f"Can't find end of {name} entity at byte offset "
                f"{self.byte_offset(opened.source_index)}"
            )
        return self.out.result()

    def toggle(self, marker: str, i: int) -> int:
        kind = _MDV2_MARKERS[marker]
        if self.stack and self.stack[-1].marker == marker:
            self.out.close(self.stack.pop())
        elif any(opened.marker == marker for opened in self.stack):
            opened = self.stack[-1]
            raise _cant_parse(
                f"Can't find end of {_MDV2_NAMES.get(opened.kind, opened.kind)} entity at "
                f"byte offset {self.byte_offset(opened.source_index)}"
            )
        else:
            self.stack.append(_Open(marker, kind, self.out.position, i))
        return i + len(marker)

    def code(self, i: int) -> int:
        text = self.text
        fence = "```" if text.startswith("```", i) else "`"
        start = i + len(fence)
        content: list[str] = []
        j = start
        while j < len(text) and not text.startswith(fence, j):
            if text[j] == "\\" and j + 1 < len(text):
                content.append(text[j + 1])
                j += 2
            else:
                content.append(text[j])
                j += 1
        if j >= len(text):
            name = "Pre" if fence == "```" else "Code"
            raise _cant_parse(
                f"Can't find end of {name} entity at byte offset {self.byte_offset(i)}"
            )
        body = "".join(content)
        extra: dict[str, Any] = {}
        if fence == "```":
            first, newline, rest = body.partition("\n")
            if newline and first and " " not in first:
                extra["language"] = first
                body = rest
        opened = _Open(fence, "pre" if fence == "```" else "code", self.out.position, i, extra)
        self.out.write(body)
        self.out.close(opened)
        return j + len(fence)

    def link_end(self, i: int) -> int:
        text = self.text
        opened = self.stack.pop()
        if not text.startswith("(", i + 1):
            # Telegram treats "[text]" without a URL as plain text, brackets escaped or not.
            raise _cant_parse(
                "Character ']' is reserved and must be escaped with the preceding '\\'"
            )
        close = i + 2
        url: list[str] = []
        while close < len(text) and text[close] != ")":
            if text[close] == "\\" and close + 1 < len(text):
                url.append(text[close + 1])
                close += 2
            else:
                url.append(text[close])
                close += 1
        if close >= len(text):
            raise _cant_parse(f"Can't find end of a URL at byte offset {self.byte_offset(i + 1)}")
        target = "".join(url)
        if opened.kind == "custom_emoji":
            opened.extra["custom_emoji_id"] = target.rpartition("id=")[2]
        else:
            user = re.fullmatch(r"tg://user\?id=(\d+)", target)
            if user:
                opened.kind = "text_mention"
                opened.extra["user"] = {"id": int(user.group(1))}
            else:
                opened.extra["url"] = target
        self.out.close(opened)
        return close + 1

    def blockquote(self, i: int) -> int:
        text = self.text
        lines: list[str] = []
        line_start = i
        while True:
            end = text.find("\n", line_start)
            end = len(text) if end < 0 else end
            lines.append(text[line_start + 1 : end])
            if not text.startswith(">", end + 1):
                break
            line_start = end + 1
        # Quoted lines are parsed like any text; only the quote's extent is special.
        inner_text, inner_entities = _MarkdownV2Parser("\n".join(lines)).parse()
        opened = _Open(">", "blockquote", self.out.position, i)
        base = self.out.position
        self.out.write(inner_text)
        self.out.entities.extend({**e, "offset": e["offset"] + base} for e in inner_entities)
        self.out.close(opened)
        return end


class _LegacyMarkdownParser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.out = _Output()

    def parse(self) -> tuple[str, list[dict[str, Any]]]:
        text = self.text
        i = 0
        while i < len(text):
            char = text[i]
            if char == "\\" and i + 1 < len(text) and text[i + 1] in "_*`[":
                self.out.write(text[i + 1])
                i += 2
            elif char in "*_`[":
                i = self.entity(i)
            else:
                self.out.write(char)
                i += 1
        return self.out.result()

    def entity(self, i: int) -> int:
        text = self.text
        if text.startswith("```", i):
            marker, kind = "```", "pre"
        elif text[i] == "[":
            marker, kind = "]", "text_link"
        else:
            marker, kind = text[i], _LEGACY_MARKERS.get(text[i], "code")
        start = i + (3 if marker == "```" else 1)
        end = text.find(marker, start)
        if end < 0:
            raise _cant_parse(
                "Can't find end of the entity starting at byte offset "
                f"{len(text[:i].encode('utf-8'))}"
            )
        opened = _Open(marker, kind, self.out.position, i)
        self.out.write(text[start:end])
        after = end + len(marker)
        if kind == "text_link":
            url_end = text.find(")", after) if text.startswith("(", after) else -1
            if url_end < 0:
                offset = len(text[:after].encode("utf-8"))
                raise _cant_parse(f"Can't find end of a URL at byte offset {offset}")
            opened.extra["url"] = text[after + 1 : url_end]
            after = url_end + 1
        self.out.close(opened)
        return after
