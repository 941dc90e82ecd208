"""The release pipeline: plan → steps → release directory."""

from craftveil.pipeline.run import STEPS, ReleaseResult, release

__all__ = ["STEPS", "ReleaseResult", "release"]
