"""The AI companion: providers (Gemini, offline), safety, prompts.

Services in ``coaching.services.ai`` are the only callers; views never reach a
provider directly.
"""
