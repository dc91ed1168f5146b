"""Safeguarding checks of adults who work with children (未成年人保护法 art. 62): proof, verification, expiry."""
