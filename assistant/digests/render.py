"""A digest as a blog post (Markdown with Hexo/Jekyll front matter) and as JSON with the same content."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from assistant.digests.entries import Digest, DigestEntry, DigestRequest, Listed
from assistant.errors import BadInput
from assistant.library.bibliography import pandoc_pages
from assistant.summaries.fields import Field, PaperSummary, page_note
from models.home import write_text_atomically

_LISTS = ("also_new", "excluded", "also_in")  # the listed papers' keys in the JSON
_POST_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}-")
FRONT_MATTER_KEYS = ("title", "date", "author", "categories", "tags", "description", "keywords", "cover")

_LABELS = {
    "en": {
        "title": "Title",
        "title_zh": "Translated title",
        "authors": "Authors",
        "affiliation": "Affiliation",
        "keywords": "Keywords",
        "urls": "Urls",
        "one_line": "Summary",
        "takeaways": "Key Takeaways",
        "structured": "Summary",
        "background": "Background",
        "past_methods": "Past methods and their problems",
        "method": "Proposed method",
        "tasks_results": "Tasks and results",
        "table_row": "In the paper's table",
        "methods": "Methods",
        "conclusion": "Conclusion",
        "significance": "Significance",
        "innovation": "Innovation",
        "performance": "Performance",
        "workload": "Workload",
        "figures": "Figures",
        "updated": "updated",
        "paper": "the paper's words",
        "model": "shortened by the model from the paper's sentences",
        "note": "note",
        "untranslated": "",
        "abstract_only": "abstract only",
        "why": "Why this paper",
        "also_new": "Also new",
        "also_in": "Digested under another topic, or in your library",
        "excluded": "Filtered out",
    },
    "zh": {
        "title": "Title",
        "title_zh": "标题",
        "authors": "Authors",
        "affiliation": "Affiliation",
        "keywords": "Keywords",
        "urls": "Urls",
        "one_line": "一句话总结",
        "takeaways": "要点",
        "structured": "摘要",
        "background": "研究背景",
        "past_methods": "以往方法及其问题",
        "method": "提出的方法",
        "tasks_results": "任务与结果",
        "table_row": "论文表格",
        "methods": "方法",
        "conclusion": "结论",
        "significance": "意义",
        "innovation": "创新点",
        "performance": "性能",
        "workload": "工作量",
        "figures": "Figures",
        "updated": "已更新",
        "paper": "原文引用",
        "model": "模型据原文句子缩写",
        "note": "说明",
        "untranslated": "未翻译",
        "abstract_only": "仅依据摘要",
        "why": "推荐理由",
        "also_new": "其他新论文",
        "also_in": "已在其他主题中整理或已在文献库中",
        "excluded": "已被关键词过滤",
    },
}


def digest_json(digest: Digest, figure_links: str = "") -> dict[str, Any]:
    """The post's content as JSON: front matter, then each paper with its summary and figures, then
    the window's other new papers (also new, filtered out, already digested under another topic)."""
    return {
        "front_matter": front_matter(digest, figure_links),
        "topic": digest.request.topic,
        "day": digest.day.isoformat(),
        "lang": digest.request.lang,
        "new": digest.new,
        "warnings": list(digest.warnings),
        "rank": digest.rank,
        "papers": [e.to_json() for e in digest.entries],
        "also_new": [x.to_json() for x in digest.also_new],
        "excluded": [x.to_json() for x in digest.excluded],
        "also_in": [x.to_json() for x in digest.also_in],
    }


def figure_link(path: str, figure_links: str = "") -> str:
    """A figure's link in the post, from its path relative to the post's folder: unchanged (""),
    relative to the post's Hexo asset folder ("post-asset-folder"), or under a URL prefix."""
    if not path or not figure_links:
        return path
    if figure_links == "post-asset-folder":
        return path.split("/", 1)[1] if "/" in path else path
    return f"{figure_links.rstrip('/')}/{path}"


def front_matter(digest: Digest, figure_links: str = "") -> dict[str, Any]:
    """Title, date, author, categories, tags, description, keywords and cover of the post."""
    request = digest.request
    keywords = list(dict.fromkeys(k for e in digest.entries for k in e.summary.keywords.items))
    tags = list(dict.fromkeys([*request.categories, *(c for e in digest.entries for c in e.categories[:1])]))
    covers = [f.path for e in digest.entries for f in e.figures]
    count = len(digest.entries)
    return {
        "title": f"arXiv digest: {request.topic}, {digest.day.isoformat()}",
        "date": datetime.combine(digest.day, time(8, 0)).strftime("%Y-%m-%d %H:%M:%S"),
        "author": "paperlamp",
        "categories": ["arXiv digest", request.topic],
        "tags": tags,
        "description": f"{count} paper{'s' if count != 1 else ''} on {request.topic} from arXiv, "
        "summarized locally from the full text.",
        "keywords": keywords[:12],
        "cover": figure_link(covers[0], figure_links) if covers else "",
    }


def _yaml(data: dict[str, Any]) -> str:
    """Front matter as YAML; JSON strings are valid YAML scalars, so values are quoted with json."""
    lines = ["---"]
    for key in FRONT_MATTER_KEYS:
        value = data[key]
        if isinstance(value, list):
            lines.append(f"{key}:" + ("" if value else " []"))
            lines.extend(f"  - {json.dumps(v, ensure_ascii=False)}" for v in value)
        elif key == "date":
            lines.append(f"{key}: {value}")  # a bare timestamp, which Hexo and Jekyll read as a date
        else:
            lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    lines.append("---")
    return "\n".join(lines)


def render_markdown(digest: Digest, figure_links: str = "") -> str:
    """The post: front matter, each paper in the fixed order of fields, then the other new papers."""
    parts = [_yaml(front_matter(digest, figure_links)), ""]
    if digest.warnings:
        parts += [f"> {w}" for w in digest.warnings] + [""]
    for n, entry in enumerate(digest.entries, start=1):
        parts.append(paper_markdown(entry, n, figure_links))
    parts += listed_markdown(digest)
    return "\n".join(parts).rstrip() + "\n"


def listed_markdown(digest: Digest) -> list[str]:
    """The window's papers not digested: also new (with scores), already digested under another
    topic, and filtered out (with reasons)."""
    t = _LABELS[digest.request.lang]
    lines: list[str] = []
    for key, items in (("also_new", digest.also_new), ("also_in", digest.also_in)):
        if items:
            lines += [f"## {t[key]}", ""] + [_listed(x) for x in items] + [""]
    if digest.excluded:
        lines += ["<details>", f"<summary>{t['excluded']} ({len(digest.excluded)})</summary>", ""]
        lines += [_listed(x) for x in digest.excluded] + ["", "</details>", ""]
    return lines


def _listed(x: Listed) -> str:
    authors = ", ".join(x.authors[:3]) + (" et al." if len(x.authors) > 3 else "")
    score = f" · {x.score:.2f}" if x.score is not None else ""
    reason = f" · {x.reason}" if x.reason else ""
    return f"- [{x.title}]({x.paper_url}), {authors}{score}{reason}"


def paper_markdown(entry: DigestEntry, n: int, figure_links: str = "") -> str:
    """One paper's section of the post."""
    s = entry.summary
    t = _LABELS[s.lang]
    badge = f" ({t['updated']}, v{entry.version})" if entry.status == "updated" else ""
    lines = [f"## {n}. {entry.title}{badge}", ""]
    if entry.reason:
        lines += [f"*{t['why']}: {entry.reason}*", ""]
    if entry.note:
        lines += [f"> {entry.note}", ""]
    lines.append(f"- **{t['title']}**: {entry.title}")
    if s.title_translated:
        lines.append(f"- **{t['title_zh']}**: {s.title_translated}")
    lines += [
        f"- **{t['authors']}**: {', '.join(entry.authors) or 'None'}",
        f"- **{t['affiliation']}**: {'; '.join(entry.affiliations) or 'None'}",
        f"- **{t['keywords']}**: {', '.join(s.keywords.items) or 'None'}",
        f"- **{t['urls']}**: [{entry.paper_url}]({entry.paper_url}), Code: "
        + (f"[{entry.code_url}]({entry.code_url})" if entry.code_url else "None"),
        "",
    ]
    figures = _figures(entry, t["figures"], figure_links)
    return "\n".join(lines + summary_markdown(s, level=3) + figures) + "\n"


def summary_markdown(s: PaperSummary, level: int = 2) -> list[str]:
    """The generated part, in order: one-line summary, takeaways, structured summary, methods, conclusion.

    Every field and list item says whose words it is (the paper's, quoted verbatim; the model's
    shortening of them; or a note) and the pages of the sentences it stands on.
    """
    t = _LABELS[s.lang]
    h = "#" * level
    source = f" *({t['abstract_only']})*" if s.source == "abstract only" else ""
    lines = [f"{h} {t['one_line']}{source}", "", _shown(s.one_line, t), "", f"{h} {t['takeaways']}", ""]
    lines += [f"- {_shown(item, t)}" for item in s.takeaways.units] + [""]
    lines += [f"{h} {t['structured']}", ""]
    for n, key in enumerate(("background", "past_methods", "method", "tasks_results"), start=1):
        lines.append(f"({n}) **{t[key]}**: {_shown(getattr(s, key), t)}")
        lines.append("")
    if s.results_table.text:  # the paper's own result row, cells named by their columns
        lines += [f"**{t['table_row']}**: {_shown(s.results_table, t)}", ""]
    lines += [f"{h} {t['methods']}", ""]
    lines += [f"{i}. {_shown(step, t)}" for i, step in enumerate(s.method_steps.units, start=1)]
    lines += ["", f"{h} {t['conclusion']}", ""]
    lines.append(f"- **{t['significance']}**: {_shown(s.conclusion_significance, t)}")
    for key in ("innovation", "performance", "workload"):
        lines.append(f"- **{t[key]}**: {_shown(getattr(s, f'conclusion_{key}'), t)}")
    return [*lines, ""]


def _shown(f: Field, t: dict[str, str]) -> str:
    """A field or item with its provenance: a quote stays verbatim (its Chinese after it in zh)."""
    if not f.text:
        return "None"
    if f.by == "paper":
        text = f"“{f.text}”" + (f" {f.translation}" if f.translation else "")
    else:
        text = f.translation or f.text
    marks = [t[f.by], t["untranslated"] if t["untranslated"] and not f.translation else ""]
    note = " ".join([page_note(f.pages), *(f"*{m}*" for m in marks if m)]).strip()
    return f"{text} <sub>{note}</sub>"


def _figures(entry: DigestEntry, label: str, figure_links: str) -> list[str]:
    if not entry.figures:
        return []
    lines = ["<details>", f"<summary>{label}</summary>", ""]
    for f in entry.figures:
        caption = " ".join(f.caption.split())
        lines += [f"![{f.label}]({figure_link(f.path, figure_links)})", "", f"*{caption}* (p. {f.page})", ""]
    return [*lines, "</details>", ""]


def write_digest(digest: Digest, out_dir: Path, figure_links: str = "") -> Digest:
    """Write the post and its JSON (atomically) into out_dir; return the digest with their paths."""
    markdown = out_dir / f"{digest.name}.md"
    data = out_dir / f"{digest.name}.json"
    text = json.dumps(digest_json(digest, figure_links), ensure_ascii=False, indent=1)
    write_text_atomically(data, text + "\n")
    write_text_atomically(markdown, render_markdown(digest, figure_links))
    return replace(digest, markdown_path=markdown, json_path=data)


def read_digest(json_path: Path) -> Digest:
    """A post written by `write_digest`, read back from its JSON twin; BadInput when damaged."""
    try:
        data = json.loads(json_path.read_text(encoding="utf-8"))
        request = DigestRequest(data["topic"], lang=data.get("lang", "en"))
        entries = tuple(DigestEntry.from_json(e) for e in data["papers"])
        day = date.fromisoformat(data["day"])
        listed = {k: tuple(Listed.from_json(x) for x in data.get(k, ())) for k in _LISTS}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BadInput(f"the digest {json_path.name} cannot be read ({exc})") from exc
    markdown = json_path.with_suffix(".md")
    return Digest(
        request,
        day,
        entries,
        int(data.get("new", len(entries))),
        tuple(data.get("warnings", ())),
        markdown if markdown.is_file() else None,
        json_path,
        "library" if data.get("rank") == "library" else "newest",
        also_new=listed["also_new"],
        excluded=listed["excluded"],
        also_in=listed["also_in"],
    )


def past_digests(folder: Path) -> list[Path]:
    """The JSON twins of the posts in `folder`, newest day first (then by topic)."""
    posts = [p for p in folder.glob("*.json") if _POST_NAME.match(p.stem)] if folder.is_dir() else []
    return sorted(posts, key=lambda p: p.stem, reverse=True)


def cited_summary_markdown(s: PaperSummary, citekey: str) -> str:
    """A summary as Markdown citing its paper, `# Title [@key]` and `[@key, p. N]` page notes, so it
    pastes into a Pandoc or Quarto manuscript as is."""
    title = f"# {s.title} [@{citekey}]" + (f"\n\n{s.title_translated}" if s.title_translated else "")
    return pandoc_pages("\n".join([title, "", *summary_markdown(s)]), citekey)
