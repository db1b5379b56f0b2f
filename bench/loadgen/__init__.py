"""Load generators: `wrk`, driven by Lua scripts, in its own process."""
