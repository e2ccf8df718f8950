"""`make load`: a realistic mix of traffic with a connected websocket population.

Starts the production-shaped stack of `make bench` (bench/stack.py: gunicorn with
the Dockerfile's command, daphne with the compose file's, PostgreSQL and its own
Redis), makes sure the `seed_bench` data is loaded, mints an access and a refresh
token per bench user, then runs for a fixed time:

- a population of websockets (500 by default), one per bench user, each
  subscribed to the public `community.feed` channel and counting what it receives;
- closed-loop virtual users (32 by default, no think time), each signed in as a
  bench user with long history, choosing every request from the mix: 60% reads
  (dashboard, community feed, journal list, mood history), 20% writes (session
  create and complete, mood, post, like), 10% token refresh (the pair rotates),
  10% notifications (list, mark one read).

It reports p50/p95/p99 per endpoint, error rate, throughput and websocket delivery
(every post in the feed should reach every subscribed socket: expected and
delivered frames, and the time from sending the POST to each frame's arrival) to
bench/results/load-<timestamp>.json and a PNG. Figures, not assertions.
"""
