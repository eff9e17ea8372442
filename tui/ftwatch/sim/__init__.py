"""An embedded simulator of OpenAI's fine-tuning REST API.

It imports nothing else from ftwatch: it is an independent model of the wire format (built from
../shared/openai-ft-api.md, the OpenAPI contract and real recorded jobs), so it can check the client
code instead of mirroring its mistakes. Layout: `world` (jobs on an injectable clock) <- `simulated`,
`recorded` (how a job's life is scheduled) <- `api` (routes -> OpenAI's JSON) <- `server` (aiohttp on
loopback, with `faults`) <- `cli` (`ftwatch sim`).
"""
