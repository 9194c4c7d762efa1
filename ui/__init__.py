"""Front ends: the `paperlamp` CLI and the Streamlit app; arguments in, assistant calls, rendering out."""
