"""Batch API jobs: thousands of articles, resumable and idempotent."""
