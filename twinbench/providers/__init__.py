"""Model providers registered with inspect: ``local/`` (embedded llama.cpp) and ``mock/`` (offline, scripted)."""
