"""The `crazyrouter` provider: Ray 2 resold through Crazyrouter's Luma route. What it can do is in spec; the
bodies, with local keyframes inline as base64, in request; the seam in provider; HTTP, retries and fail-closed
creates in ..jobs_http."""
