"""The Streamlit app: `paperlamp ui` runs main.py; one module per page under pages/, the state and
background jobs they share, and the widgets they draw with."""
