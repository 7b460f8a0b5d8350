"""Dataset browser: a lazily decoded thumbnail list that stays fast on thousands of images."""
