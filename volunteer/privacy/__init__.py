"""The privacy notice (versioned, zh-CN and English) and each user's consent to it (PIPL)."""
