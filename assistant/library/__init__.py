"""The library: papers in (PDF files, arXiv), out (removal), kept consistent (repair), their
figures and page images, and the move of its vectors to a Chroma server."""
