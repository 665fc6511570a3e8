"""Build-time tools: the overlay, code generation, spec updates. Not shipped in the wheel."""
