"""The newsletter: an issue composed of blocks, published as a web page and a PDF, and mailed to subscribers."""
