"""Service certificates: the PDF a volunteer downloads, and the public check of its number."""
