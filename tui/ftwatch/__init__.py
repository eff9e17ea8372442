"""ftwatch: a terminal live monitor for OpenAI fine-tuning jobs.

Nothing is imported here on purpose: `ftwatch --help` and the first frame of the TUI must not pay for
the openai SDK or Textual before they are needed.
"""

__version__ = "0.1.0"
