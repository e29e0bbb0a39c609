"""The `aigateway` provider: Ray 2 resold through AIgateway's job API (text to video only). What it can do is in
spec; the seam in provider; HTTP, retries and fail-closed creates in ..jobs_http."""
