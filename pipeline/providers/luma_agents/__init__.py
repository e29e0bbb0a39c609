"""The `luma-agents` provider: Luma's current Agents API (Ray 3.2). What it can do is in spec (light, read by
validation and planning); the HTTP details, retries and fail-closed creates in client; pure request building
in request; what its failure codes and errors mean in errors; the seam and the Files API uploads in provider.
The transport rules it shares with the v1 provider come from pipeline.providers.luma.
"""
