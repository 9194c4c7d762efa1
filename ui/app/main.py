"""The paperlamp app: `paperlamp ui` runs this file with Streamlit; one small module per page."""

from __future__ import annotations

import logging

import streamlit as st

st.set_page_config(page_title="paperlamp", page_icon="📄", layout="wide")

PAGES = [
    st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("pages/library.py", title="Library", icon=":material/library_books:", url_path="library"),
    st.Page("pages/digest.py", title="Digest", icon=":material/newspaper:", url_path="digest"),
    st.Page("pages/search.py", title="Search", icon=":material/search:", url_path="search"),
    st.Page("pages/ask.py", title="Ask", icon=":material/chat:", url_path="ask"),
    st.Page("pages/compare.py", title="Compare", icon=":material/compare_arrows:", url_path="compare"),
    st.Page("pages/settings.py", title="Settings", icon=":material/settings:", url_path="settings"),
]

page = st.navigation(PAGES)
try:
    page.run()
except Exception as exc:  # the last guard: a readable message in the page, the traceback in the log
    logging.getLogger("paperlamp.ui").exception("page %s failed", page.title)
    st.error(f"Something went wrong on this page ({type(exc).__name__}: {exc}). Details are in the log.")
