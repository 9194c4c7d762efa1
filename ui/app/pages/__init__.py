"""Streamlit pages, one module per page."""
