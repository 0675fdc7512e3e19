"""Output: the brief as terminal text and Markdown, an HTML page, a Slack digest; checked links."""
