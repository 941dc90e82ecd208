"""The example policy for the generated sample dataset."""
